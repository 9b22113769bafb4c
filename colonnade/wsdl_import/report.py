"""One import, one report: what was found, what was generated, and what could not be used —
naming the element, the reason and what to do. Never a traceback, never a silent
zero-operation result: an import with no operation is a failure with its reasons.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from colonnade.errors import ConfigError
from colonnade.soap import load_wsdl
from colonnade.wsdl_import import repair
from colonnade.wsdl_import.facets import FacetIndex, index_documents
from colonnade.wsdl_import.model import Problem, RootKind, WsdlModel, build_model
from colonnade.wsdl_import.sdl import check, render
from colonnade.xmlsafe import hardened_parser

_WSDL = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"


def well_known_schemas() -> dict[str, Path]:
    """Local copies of the W3C/SOAP schemas real WSDLs import by URL, from the ``xmlschema``
    package (a maintained PyPI dependency that ships them), so loading stays offline."""
    import xmlschema

    root = Path(xmlschema.__file__).parent / "schemas"
    shipped = {
        "www.w3.org/2001/xml.xsd": "XML/xml.xsd",
        "schemas.xmlsoap.org/soap/encoding/": "WSDL/soap-encoding.xsd",
        "schemas.xmlsoap.org/soap/envelope/": "WSDL/soap-envelope.xsd",
        "schemas.xmlsoap.org/wsdl/": "WSDL/wsdl.xsd",
        "www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd": "DSIG/xmldsig-core-schema.xsd",
        "www.w3.org/2000/09/xmldsig": "DSIG/xmldsig-core-schema.xsd",
        "www.w3.org/TR/xmlenc-core/xenc-schema.xsd": "XENC/xenc-schema.xsd",
        "www.w3.org/1999/xlink.xsd": "XLINK/xlink.xsd",
        "www.w3.org/2001/XMLSchema-instance": "XSI/XMLSchema-instance.xsd",
    }
    return {
        f"{scheme}://{url}": root / local
        for url, local in shipped.items()
        for scheme in ("http", "https")
    }


@dataclass(slots=True)
class ImportReport:
    entry: str
    ok: bool = False
    model: WsdlModel | None = None
    sdl: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """What was repaired in memory to import at all (see ``repair``): not fatal, but the
    owner should know (the generated types there are looser than the WSDL meant)."""
    import_ms: float = 0.0
    client: Any = None

    @property
    def operations(self) -> int:
        return len(self.model.operations) if self.model else 0

    def fields(self, root: RootKind) -> int:
        return sum(op.root == root for op in self.model.operations) if self.model else 0

    @property
    def types(self) -> int:
        return len(self.model.objects) + len(self.model.enums) if self.model else 0

    def text(self) -> str:
        lines = [
            f"# WSDL import report: {self.entry}",
            f"# {'ok' if self.ok else 'FAILED'}: {self.operations} operations, "
            f"{self.fields('query')} query fields, {self.fields('mutation')} mutation fields, "
            f"{self.types} types, {self.import_ms:.0f} ms",
        ]
        if self.model:
            for op in self.model.operations:
                ports = ", ".join(
                    f"{b.port} ({b.style}, SOAP {b.soap_version})" for b in op.bindings
                )
                lines.append(f"#   {op.root:8} {op.field_name} ← {op.name} via {ports}")
        lines += [f"# warning: {p}" for p in self.warnings]
        lines += [f"# problem: {p}" for p in self.problems]
        return "\n".join(lines) + "\n"


def _facets(client: Any) -> FacetIndex:
    docs: list[tuple[bytes, str | None]] = []
    seen: set[str] = set()
    for document in client.wsdl.types.documents:
        location = getattr(document, "_location", None)
        if not location or location in seen:
            continue
        seen.add(location)
        try:
            docs.append((client.transport.load(location), document._target_namespace))
        except (ConfigError, OSError):
            continue
    return index_documents(docs)


def _relative_keys(path: Path, url_map: Mapping[str, Path]) -> dict[str, Path]:
    """A relative url_map key (``Service?xsd=a.xsd``) is also matched in the absolute form
    zeep asks for (resolved against the WSDL's folder); values stay relative to that folder."""
    out: dict[str, Path] = {}
    for key, local in url_map.items():
        out[key] = local
        if "://" not in key and not key.startswith("/"):
            out[os.path.normpath(os.path.join(path.parent.absolute(), key))] = local
            out[os.path.normpath(os.path.join(str(path.parent), key))] = local
            out[os.path.normpath(os.path.join(path.parent.resolve(), key))] = local
    return out


def _raw(path: Path) -> etree._Element | None:
    try:
        return etree.fromstring(path.read_bytes(), parser=hardened_parser())
    except (OSError, etree.XMLSyntaxError):
        return None


def _qname(prefixed: str, node: etree._Element) -> str:
    prefix, _, local = prefixed.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None, '')}}}{local}"


def _unresolved_parts(client: Any, root: etree._Element) -> list[Problem]:
    """Name each message part whose element or type no loaded schema defines."""
    problems: list[Problem] = []
    for message in root.iter(f"{{{_WSDL}}}message"):
        for part in message.iter(f"{{{_WSDL}}}part"):
            for attr, lookup in (("element", "get_element"), ("type", "get_type")):
                ref = part.get(attr)
                if not ref:
                    continue
                qname = _qname(ref, part)
                try:
                    getattr(client.wsdl.types, lookup)(qname)
                except Exception:  # noqa: BLE001 - zeep raises several unrelated lookup errors
                    problems.append(
                        Problem(
                            f"wsdl:message {message.get('name')} / part {part.get('name')}",
                            f"its {attr} {qname} is defined by no schema the WSDL loads",
                            "add the schema that defines it (xsd:import inside wsdl:types/"
                            "xsd:schema, with a local copy) — zeep drops the operation",
                        )
                    )
    return problems


def _zero_operation_problems(client: Any, path: Path, caught: list[str]) -> list[Problem]:
    root = _raw(path)
    declared = (
        len(root.findall(f"{{{_WSDL}}}portType/{{{_WSDL}}}operation")) if root is not None else 0
    )
    if declared == 0:
        return [
            Problem(
                "wsdl:portType",
                "the WSDL declares no operation (no portType/operation)",
                "point the import at the WSDL that declares the service (this may be a "
                "types-only document)",
            )
        ]
    problems = [
        Problem(
            "wsdl:binding",
            f"no bound operation: the portTypes declare {declared} operations, but none of their "
            "messages could be read, so no binding has a usable operation",
            "fix the messages named below, or map the operations by hand",
        )
    ]
    if root is not None:
        for stray in root.findall(f"{{{_WSDL}}}types/{{{XS}}}import"):
            problems.append(
                Problem(
                    f"wsdl:types/xsd:import {stray.get('schemaLocation')}",
                    "an xsd:import directly under wsdl:types, outside any xsd:schema: WSDL 1.1 "
                    "and zeep ignore it, so the types it brings are missing",
                    "wrap it in <xsd:schema> inside wsdl:types (a local fix of the WSDL)",
                )
            )
        unresolved = _unresolved_parts(client, root)
        problems += unresolved[:10]
        if len(unresolved) > 10:
            problems.append(
                Problem("wsdl:message", f"{len(unresolved) - 10} more such parts", "as above")
            )
    if len(problems) == 1:
        for message in sorted(set(caught))[:10]:
            problems.append(Problem("wsdl:message", message, "the part is not usable as declared"))
    return problems


_MAX_REPAIRS = 50


def _load_repaired(path: Path, mapped: Mapping[str, Path], report: ImportReport) -> Any:
    """``load_wsdl``, repairing in memory what zeep cannot use (``repair``), each repair a
    warning in the report. A WSDL that loads as it is, is loaded as it is."""
    root = _raw(path)
    if root is None:
        return load_wsdl(path, mapped)
    report.warnings += repair.wrap_stray_imports(root)
    report.warnings += repair.soap12_written_as_soap11(root)
    defined: set[tuple[str, str, str]] = set()
    for _ in range(_MAX_REPAIRS):
        documents = _as_documents(path, root) if report.warnings else None
        try:
            client = load_wsdl(path, mapped, documents=documents)
        except ConfigError as exc:
            missing = repair.unresolved(exc.message)
            if missing is None or missing in defined:
                raise
            defined.add(missing)
            report.warnings.append(repair.define(root, *missing))
            continue
        elements = [
            ("element", ns, local)
            for ns, local in repair.missing_part_elements(client, root)
            if ("element", ns, local) not in defined
        ]
        if not elements:
            return client
        for item in elements:
            defined.add(item)
            report.warnings.append(repair.define(root, *item))
    raise ConfigError(f"cannot load WSDL {str(path)!r}: more than {_MAX_REPAIRS} repairs needed")


def _as_documents(path: Path, root: etree._Element) -> dict[str, bytes]:
    content = bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return {str(path): content, str(path.absolute()): content, str(path.resolve()): content}


def import_wsdl(
    path: Path,
    url_map: Mapping[str, Path] | None = None,
    *,
    name: str | None = None,
    operations: set[str] | None = None,
    overrides: dict[str, RootKind] | None = None,
) -> ImportReport:
    """Load the WSDL offline (hardened), build the model and SDL, and check the SDL."""
    report = ImportReport(str(path))
    started = time.perf_counter()
    mapped = {**well_known_schemas(), **_relative_keys(path, url_map or {})}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            client = _load_repaired(path, mapped, report)
        except ConfigError as exc:
            report.problems.append(
                Problem(
                    str(path),
                    exc.message,
                    "save the missing document beside the WSDL and map it (url_map), or fix "
                    "the WSDL",
                )
            )
            report.import_ms = (time.perf_counter() - started) * 1000
            return report
    report.client = client
    model = build_model(
        client,
        _facets(client),
        name=name if name is not None else "",
        operations=operations,
        overrides=overrides,
    )
    report.model = model
    report.problems += model.problems
    if not model.operations:
        if operations:
            report.problems.append(
                Problem(
                    "--operations",
                    f"none of {sorted(operations)} is in this WSDL",
                    "check the names",
                )
            )
        else:
            report.problems += _zero_operation_problems(
                client, path, [str(w.message) for w in caught]
            )
    else:
        report.sdl = render(model)
        try:
            check(report.sdl)
            report.ok = True
        except (TypeError, ValueError) as exc:  # graphql-core's GraphQLError is an Exception
            report.problems.append(
                Problem("generated SDL", f"not valid GraphQL: {exc}", "report this as a bug")
            )
        except Exception as exc:  # noqa: BLE001 - graphql's errors have no common base to catch
            report.problems.append(
                Problem("generated SDL", f"not valid GraphQL: {exc}", "report this as a bug")
            )
    report.import_ms = (time.perf_counter() - started) * 1000
    return report
