"""A SOAP connector built from a WSDL and one configuration table: no connector code.

Each WSDL operation becomes one ``Operation`` (reads cached by ``read_tier``, writes
``Kind.WRITE``), so breakers, metrics and cache entries are per operation, and every call goes
through the same pipeline as a hand-written connector's: ``read`` (cached, coalesced),
``read_keys`` (one upstream call per batch of keys, cached per key) and ``write`` (never
cached; a keyed write is sent once, by the engine's idempotency record). Values cross in
GraphQL terms — input by GraphQL field names in, JSON-ready GraphQL values out
(``colonnade.wsdl_import.values``) — after the XSD's restrictions are checked
(``validate``), so a bad input is ``BAD_USER_INPUT`` and never reaches the provider.

zeep unwraps a reply body of one element (and that element's only child), which would make
the value's shape depend on the data type's size; replies are read here as the whole output
element instead, so each value has exactly the shape of the generated type.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import zeep.loader
from pydantic import TypeAdapter

from colonnade.auth import Secret
from colonnade.config import contracts_dir
from colonnade.errors import BadUserInput, ConfigError, UpstreamError
from colonnade.fetched import Fetched
from colonnade.pipeline.operation import Kind, Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.runtime import Runtime
from colonnade.soap import SoapConnector, _Reply
from colonnade.soap_faults import FaultRule, SoapFault
from colonnade.soap_ports import SoapPort
from colonnade.wsdl_import.batching import BatchSpec, batch_specs
from colonnade.wsdl_import.faults import FaultTable, declared_fault_elements
from colonnade.wsdl_import.headers import SoapHeaders, WsseUsernameToken
from colonnade.wsdl_import.model import FieldModel, OperationModel, RootKind, WsdlModel
from colonnade.wsdl_import.report import ImportReport, import_wsdl
from colonnade.wsdl_import.returnlog import ReturnLog
from colonnade.wsdl_import.settings import WsdlSettings
from colonnade.wsdl_import.validate import check_input, violations
from colonnade.wsdl_import.values import to_graphql, to_zeep, zeep_objects

_JSON: TypeAdapter[Any] = TypeAdapter(Any)
_HIDDEN = "**********"


def wsdl_path(configured_path: Path | None, name: str = "<name>") -> Path:
    """The WSDL as configured, or (relative and not found here) under the contracts dir."""
    if configured_path is None:
        raise ConfigError(
            f"connectors.{name}.wsdl is not set: point it at the service's WSDL on disk "
            "(its XSDs beside it, or mapped with wsdl_url_map)"
        )
    if configured_path.is_absolute() or configured_path.exists():
        return configured_path
    shipped = contracts_dir() / configured_path
    return shipped if shipped.exists() else configured_path


def overrides(settings: WsdlSettings) -> dict[str, RootKind]:
    """The configured query/mutation choices, for ``import_wsdl``'s verb heuristic."""
    chosen: dict[str, RootKind] = dict.fromkeys(settings.query, "query")
    chosen.update(dict.fromkeys(settings.mutation, "mutation"))
    return chosen


def import_for(settings: WsdlSettings, name: str) -> ImportReport:
    """The import a ``WsdlConnector`` named ``name`` serves: build the graph from this (and
    pass it as ``report``) so the schema and the connector agree on every operation."""
    return import_wsdl(
        wsdl_path(settings.wsdl, name),
        settings.wsdl_url_map,
        name=name,
        operations=set(settings.operations) if settings.operations is not None else None,
        overrides=overrides(settings),
    )


@dataclass(frozen=True, slots=True)
class _Exposed:
    """One WSDL operation as served: its model, its pipeline identity, where it is sent."""

    model: OperationModel
    op: Operation
    port: SoapPort
    zeep_operation: Any


class WsdlConnector(SoapConnector):
    """Every operation of a WSDL, served from configuration (``WsdlSettings``)."""

    def __init__(
        self,
        settings: WsdlSettings,
        runtime: Runtime,
        *,
        name: str,
        report: ImportReport | None = None,
    ) -> None:
        report = report if report is not None else import_for(settings, name)
        if not report.ok or report.model is None:
            problems = "; ".join(str(p) for p in report.problems[:5]) or "no usable operation"
            raise ConfigError(
                f"connectors.{name}: WSDL {report.entry} cannot be served: {problems}"
            )
        model = report.model
        _check_names(name, settings, model)
        # A configured connector's name and operations come from its table; an owned
        # package's class may declare its operations (edited tiers win), the rest are made.
        self.name = name  # type: ignore[misc]
        declared = {op.name: op for op in type(self).operations}
        self.operations = tuple(  # type: ignore[misc]
            declared.get(o.name)
            or Operation(
                name,
                o.name,
                kind=Kind.READ if o.root == "query" else Kind.WRITE,
                tier=settings.read_tier if o.root == "query" else None,
            )
            for o in model.operations
        )
        # Cached answers never outlive the WSDL they were shaped by.
        self.api_version = "wsdl-" + hashlib.sha256(report.sdl.encode()).hexdigest()[:12]
        super().__init__(
            settings, runtime, wsdl=wsdl_path(settings.wsdl, name), client=report.client
        )
        self.settings: WsdlSettings = settings
        self.report = report
        self.model: WsdlModel = model
        self._tag = f"wsdl:{name}"
        ops = {op.name: op for op in self.operations}
        self._exposed = {o.name: self._expose(o, ops[o.name]) for o in model.operations}
        self._by_reply = {
            (_binding_name(e.port), e.model.name): e.model for e in self._exposed.values()
        }
        self.headers = SoapHeaders(
            name,
            settings.soap_headers,
            settings.soap_header_files,
            [e.zeep_operation for e in self._exposed.values()],
        )
        self.wsse: WsseUsernameToken | None = None
        if settings.wsse_username:
            password = Secret(
                f"connectors.{name}.wsse_password",
                settings.wsse_password,
                settings.wsse_password_file,
            )
            self.wsse = WsseUsernameToken(
                settings.wsse_username, password, digest=settings.wsse_digest
            )
            self.client.wsse = self.wsse  # zeep applies it to every message it creates
        self.faults = FaultTable(
            name,
            settings.faults,
            declared_fault_elements(self.client),
            settings.declared_faults,
            code_rules=self.fault_table,
        )
        self.return_log = (
            ReturnLog(name, settings.return_log, model.operations, model.objects, scrub=self.scrub)
            if settings.return_log is not None
            else None
        )
        self.batches: dict[str, BatchSpec] = batch_specs(name, settings, model)
        """Operations ``read_keys`` can batch, by WSDL operation name."""

    # ------------------------------------------------------------------ reads
    async def read(self, operation: str, args: Mapping[str, Any]) -> Fetched[Any]:
        """One read (a Query field): cached by its tier, concurrent equal reads coalesced."""
        exposed = self._get(operation, "query")
        kwargs = self._zeep_input(exposed, args)

        async def fetch(attempt: Attempt) -> Any:
            return await self._call(attempt, exposed, kwargs)

        return await self.pipeline.read(
            exposed.op, dict(args), fetch, _JSON, scope=self.cache_scope(), tags=(self._tag,)
        )

    async def read_keys(
        self, operation: str, keys: Sequence[str], args: Mapping[str, Any] | None = None
    ) -> dict[str, Fetched[list[Any]] | BaseException]:
        """The records of each key, for an operation in ``batches``: one upstream call per
        ``max_keys`` keys not in the cache, each key cached on its own. ``args`` are the
        operation's other arguments (anything at the keys path is replaced). A key the XSD
        refuses gets its own ``BadUserInput``; an upstream failure is every sent key's."""
        exposed = self._get(operation, "query")
        spec = self.batches.get(operation)
        if spec is None:
            raise ConfigError(
                f"{self.name}: {operation} takes no list of keys; batched operations: "
                f"{', '.join(sorted(self.batches)) or 'none'} (see connectors.{self.name}.batch)"
            )
        rest = spec.without_keys(args or {})
        check_input(exposed.model.args, spec.with_keys(rest, []), self.model.objects)
        results: dict[str, Fetched[list[Any]] | BaseException] = {}
        token_of: dict[str, str] = {}
        for key in dict.fromkeys(keys):
            refused = violations([spec.key_field], {spec.key_field.name: [key]}, {})
            if refused:
                results[key] = BadUserInput(
                    f"key {key!r} does not fit the WSDL: {refused[0].message}",
                    violations=[{"path": spec.keys_path, "rule": refused[0].rule}],
                )
            else:
                token_of[key] = json.dumps({"key": key, "args": rest}, sort_keys=True, default=str)
        key_of = {token: key for key, token in token_of.items()}

        async def fetch_many(
            tokens: list[str], attempt: Attempt
        ) -> dict[str, list[Any] | UpstreamError]:
            wanted = [key_of[t] for t in tokens]
            kwargs = self._zeep_input(exposed, spec.with_keys(rest, wanted), checked=True)
            grouped = spec.by_key(await self._call(attempt, exposed, kwargs))
            return {t: grouped.get(str(key_of[t]), []) for t in tokens}

        tokens = list(token_of.values())
        chunks = [tokens[i : i + spec.max_keys] for i in range(0, len(tokens), spec.max_keys)]
        answers = await asyncio.gather(
            *(
                self.pipeline.read_many(
                    exposed.op,
                    chunk,
                    fetch_many,
                    _JSON,
                    scope=self.cache_scope(),
                    tags_for=lambda _t: (self._tag,),
                )
                for chunk in chunks
            )
        )
        for answer in answers:
            for token, outcome in answer.items():
                results[key_of[token]] = outcome
        return results

    def batch_reply(self, operation: str, records: Sequence[Any]) -> Any:
        """The whole reply value of ``operation`` around ``records`` (what one GraphQL field
        returns when its keys went out in a shared batch): the records at the batch's path,
        every other list empty and every other value null (the SDL's output fields are
        nullable), since the rest of the shared reply belonged to no key in particular."""
        spec, output = self.batches[operation], self._get(operation, "query").model.output
        assert output is not None  # a batch always has an output (``batching.configured``)
        if not spec.records:
            return list(records)
        return _around(list(records), spec.records, output, self.model)

    # ------------------------------------------------------------------ writes
    async def write(
        self, operation: str, args: Mapping[str, Any], idempotency_key: str | None
    ) -> Any:
        """One write (a Mutation field): never cached; with a key, sent once however often it
        is repeated (a repeat gets the first answer). It makes this connector's cached reads
        stale (``write_invalidates_reads``)."""
        exposed = self._get(operation, "mutation")
        kwargs = self._zeep_input(exposed, args)

        async def send(attempt: Attempt) -> Any:
            return await self._call(attempt, exposed, kwargs)

        invalidates = (self._tag,) if self.settings.write_invalidates_reads else ()
        return await self.pipeline.write(
            exposed.op,
            send,
            _JSON,
            args=dict(args),
            scope=self.write_scope(),
            idempotency_key=idempotency_key,
            invalidate_tags=invalidates,
        )

    # ------------------------------------------------------------------ wire
    async def _call(self, attempt: Attempt, exposed: _Exposed, kwargs: dict[str, Any]) -> Any:
        headers = self.headers.for_operation(exposed.zeep_operation) if self.headers else None
        extra = {"_soapheaders": headers} if headers else {}
        args = exposed.model.args
        if len(args) == 1 and args[0].source == "value":  # a bare body of simple type
            positional = (kwargs[args[0].xml_name],) if args[0].xml_name in kwargs else ()
            raw = await self.invoke_on(
                exposed.port, attempt, exposed.op, exposed.model.name, *positional, **extra
            )
        else:
            raw = await self.invoke_on(
                exposed.port, attempt, exposed.op, exposed.model.name, **kwargs, **extra
            )
        value = raw.get("body")
        if self.return_log is not None:
            self.return_log.check(exposed.model.name, value, write=not exposed.op.is_read)
        return value

    def read_reply(self, port: SoapPort, operation: Any, reply: _Reply) -> Any:
        """The whole output element as its GraphQL value (zeep would unwrap small bodies)."""
        model = self._by_reply.get((_binding_name(port), str(operation.name)))
        if model is None:
            return super().read_reply(port, operation, reply)
        message = operation.output
        if model.output is None or message is None or message.body is None:
            return {"body": None}
        # zeep's hardened parse (its settings forbid DTDs and entities); lxml reads bytes,
        # whatever zeep's annotation says
        content: Any = reply.content
        doc = zeep.loader.parse_xml(content, self.client.transport, settings=self.client.settings)
        body = doc.find("soap-env:Body", namespaces=message.nsmap)
        if body is None or not len(body):
            raise ValueError("the reply has no body element")
        # zeep's own step before it unwraps (private, but the one place that reads document,
        # wrapped and rpc bodies alike).
        value = message._deserialize_body(body)["body"]
        try:
            graph = to_graphql(value, model.output, self.model.objects, self.model.enums)
        except (TypeError, KeyError, ArithmeticError) as exc:  # a value zeep let through
            raise ValueError(f"{model.name}: {type(exc).__name__} reading the reply") from None
        return {"body": graph}

    def _zeep_input(
        self, exposed: _Exposed, args: Mapping[str, Any], *, checked: bool = False
    ) -> dict[str, Any]:
        if not checked:
            check_input(exposed.model.args, args, self.model.objects)
        try:
            kwargs = to_zeep(args, exposed.model.args, self.model.objects, self.model.enums)
            body = getattr(exposed.zeep_operation.input, "body", None)
            # rpc/encoded arrays nested in array items need zeep's own objects
            return zeep_objects(body.type, kwargs) if body is not None else kwargs
        except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
            raise BadUserInput(
                f"the input does not fit {exposed.model.field_name}: {str(exc)[:200]}"
            ) from None

    # ------------------------------------------------------------------ scopes
    def cache_scope(self) -> str:
        """Whose answer: HTTP credentials, the WS-Security user and the header values (a
        tenant header changes the answer) — cached entries never cross any of them."""
        scope = super().cache_scope()
        if self.wsse is not None:
            scope += f":wsse-{self.wsse.username}-{self.wsse.fingerprint()}"
        if self.headers:
            scope += f":headers-{self.headers.fingerprint()}"
        return scope

    def write_scope(self) -> str:
        """Whose writes: stable across password rotation, so by user names only."""
        scope = super().write_scope()
        return f"{scope}:wsse-{self.wsse.username}" if self.wsse is not None else scope

    # ------------------------------------------------------------------ faults
    def classify_fault(self, fault: SoapFault) -> tuple[FaultRule, str]:
        """Configured rows, then the WSDL's declared faults, then the SDK's defaults."""
        found = self.faults.classify(fault)
        return found if found is not None else super().classify_fault(fault)

    def fault_message(self, op: Operation, fault: SoapFault, error: type[UpstreamError]) -> str:
        """The SDK's message, from a faultstring whose echoed secrets are blanked first (the
        SDK cuts it to 200 characters: a secret across the cut would leave its start)."""
        clean = replace(fault, faultstring=self.scrub(fault.faultstring))
        return super().fault_message(op, clean, error)

    def scrub(self, text: str) -> str:
        """``text`` with every configured secret (header values, the WS-Security password)
        replaced, however short."""
        for secret in sorted(self._secrets(), key=len, reverse=True):
            if secret:
                text = text.replace(secret, _HIDDEN)
        return text

    def _secrets(self) -> list[str]:
        found = self.headers.values()
        if self.wsse is not None:
            found.append(self.wsse.secret())
        return found

    # ------------------------------------------------------------------ set-up
    def _get(self, operation: str, root: RootKind) -> _Exposed:
        exposed = self._exposed.get(operation)
        if exposed is None:
            raise ConfigError(
                f"{self.name} has no operation {operation!r}; it has "
                f"{', '.join(sorted(self._exposed))}"
            )
        if exposed.model.root != root:
            use = "write" if exposed.model.root == "mutation" else "read"
            raise ConfigError(
                f"{self.name}: {operation} is a {exposed.model.root}; call {use}() for it "
                f"(or list it in connectors.{self.name}.{root})"
            )
        return exposed

    def _expose(self, model: OperationModel, op: Operation) -> _Exposed:
        default = self.default_port
        bound = {ref.binding for ref in model.bindings}
        if model.name in default.operations and _binding_name(default) in bound:
            port = default
        else:
            port = next(
                (
                    self.ports[f"{ref.service}/{ref.port}"]
                    for ref in model.bindings
                    if f"{ref.service}/{ref.port}" in self.ports
                ),
                default,
            )
        if model.name not in port.operations:
            raise ConfigError(f"{self.name}: no SOAP port of the WSDL binds {model.name}")
        return _Exposed(model, op, port, port.binding.get(model.name))


def _around(
    records: list[Any], path: tuple[FieldModel, ...], f: FieldModel, model: WsdlModel
) -> dict[str, Any]:
    """``f``'s object value with ``records`` at ``path`` and nothing else (see to_graphql)."""
    step, *rest = path
    out: dict[str, Any] = {}
    for g in model.objects[f.type_name].fields:
        if g.name != step.name:
            out[g.name] = to_graphql(None, g, model.objects, model.enums)
        elif rest:
            out[g.name] = _around(records, tuple(rest), g, model)
        else:
            out[g.name] = records
    return out


def _binding_name(port: SoapPort) -> str:
    return str(port.binding.name.text)


def _check_names(name: str, settings: WsdlSettings, model: WsdlModel) -> None:
    """Every operation the table names is one the WSDL (as filtered) has."""
    known = {o.name for o in model.operations}
    named = {
        "operations": settings.operations or [],
        "query": settings.query,
        "mutation": settings.mutation,
        "batch": list(settings.batch),
        "cache_tiers": list(settings.cache_tiers),
    }
    for key, names in named.items():
        unknown = sorted(set(names) - known)
        if unknown:
            raise ConfigError(
                f"connectors.{name}.{key} names {', '.join(map(repr, unknown))}, which the "
                f"WSDL does not offer (exposed: {', '.join(sorted(known))})"
            )
    chosen = overrides(settings)
    unlike = sorted(
        o.name
        for o in model.operations
        if (settings.operations is not None and o.name not in settings.operations)
        or o.root != chosen.get(o.name, o.root)
    )
    if unlike:
        raise ConfigError(
            f"connectors.{name}: the import given does not follow this table for "
            f"{', '.join(unlike)} (its operations or query/mutation lists); build it with "
            "colonnade.wsdl_import.connector.import_for(settings, name)"
        )
