"""Every entry point of the real-world corpus through the WSDL import: a valid GraphQL schema
with at least one operation, or a report naming the element and the reason — never a
traceback, never a silent zero-operation result. Each entry that imports is then served by its
generated ``WsdlSandbox`` over real HTTP on loopback and every operation is called on every
binding: the reply, read by zeep and mapped to GraphQL, must fit the generated SDL and equal
the sample reply it was built from. The per-entry table goes to
artifacts/wsdl_import_corpus.md (and to stdout with ``-s``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
import pytest
from wsdl_corpus import CORPUS, entries, needs_corpus

from colonnade.sandboxes.server import ServedSandbox
from colonnade.sandboxes.wsdl import WsdlSandbox
from colonnade.wsdl_import import ImportReport, import_wsdl
from colonnade.wsdl_import.roundtrip import HttpRoundTrip, RoundTrip, http_round_trip, round_trip
from colonnade.wsdl_import.sdl import check

pytestmark = needs_corpus
ARTIFACT = Path(__file__).resolve().parents[2] / "artifacts" / "wsdl_import_corpus.md"

# Entries the import cannot use, and the reason its report must give (see the corpus notes).
EXPECTED_FAILURES: dict[str, str] = {}
# Entries that import only after an in-memory repair, and the warning their report must give
# (test_wsdl_import_repairs pins each repair on its fragment).
EXPECTED_REPAIRS = {
    "savon3__iws.wsdl": "type {urn:}TDate",  # Delphi: a type no schema defines
    # rpc/literal parts whose model XSD is imported outside any xsd:schema
    "wsdltophp__lnp_NumberManagement/NumberManagement.wsdl": "outside any xsd:schema",
    # ServiceStack SOAP 1.2 written with soap: elements, saved without its types schema
    "wsdltophp__portaplusapi.wsdl": "element {http://schemas.servicestack.net/types}",
}
SUCCESS_FLOOR = 24  # of 24
HTTP_FLOOR = 670  # operations × bindings whose HTTP round trip kept every value; raise it


@dataclass(frozen=True, slots=True)
class Result:
    report: ImportReport
    trip: RoundTrip | None
    http: HttpRoundTrip | None


@cache
def result(relative: str) -> Result:
    path, url_map = next(
        (p, m) for p, m in entries() if p.relative_to(CORPUS).as_posix() == relative
    )
    report = import_wsdl(path, url_map)
    trip = http = None
    if report.ok and report.model is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zeep's notes on quirky WSDLs: that is the corpus
            trip = round_trip(report.client, report.model)
            sandbox = WsdlSandbox.from_report(report)
            with ServedSandbox(sandbox.app) as served, httpx.Client(timeout=30) as client:
                schema = check(report.sdl)
                http = http_round_trip(report.client, report.model, schema, served.base_url, client)
    return Result(report, trip, http)


NAMES = [p.relative_to(CORPUS).as_posix() for p, _ in entries()]


@pytest.mark.parametrize("relative", NAMES)
def test_each_entry_imports_or_says_which_element_and_why(relative: str) -> None:
    report = result(relative).report
    expected = EXPECTED_FAILURES.get(relative)
    if expected is None:
        assert report.ok, report.text()
        assert report.operations >= 1
        repaired = EXPECTED_REPAIRS.get(relative)
        if repaired is None:
            assert report.warnings == [], report.text()
        else:
            assert any(repaired in str(w) for w in report.warnings), report.text()
            assert all(str(w) in report.text() for w in report.warnings)
        schema = check(report.sdl)
        assert schema.query_type is not None
        fields = report.fields("query") + report.fields("mutation")
        assert fields == report.operations
        return
    assert not report.ok
    assert report.operations == 0
    assert report.problems, "a failure without a reason"
    assert any(expected in f"{p.element}: {p.why}" for p in report.problems), report.text()
    assert all(p.element and p.why and p.todo for p in report.problems)


def test_the_corpus_table() -> None:
    rows = [
        "| entry | operations | query | mutation | types | ok | round trip "
        "| HTTP round trip ok/total | import ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    ok = 0
    serialized = total = http_ok = http_total = 0
    for relative in NAMES:
        found = result(relative)
        r, trip, http = found.report, found.trip, found.http
        ok += r.ok
        if trip is not None:
            serialized, total = serialized + trip.serialized, total + trip.total
        if http is not None:
            http_ok, http_total = http_ok + http.ok, http_total + http.total
        trip_text = f"{trip.serialized}/{trip.total}" if trip else "-"
        http_text = f"{http.ok}/{http.total}" if http else "-"
        rows.append(
            f"| {relative} | {r.operations} | {r.fields('query')} | {r.fields('mutation')} | "
            f"{r.types} | {'yes' if r.ok else 'NO'} | {trip_text} | {http_text} "
            f"| {r.import_ms:.0f} |"
        )
    rows.append(
        f"\n{ok}/{len(NAMES)} entries imported; {serialized}/{total} requests serialized; "
        f"{http_ok}/{http_total} HTTP round trips kept every value"
    )
    for relative in NAMES:
        found = result(relative)
        if not found.report.ok:
            rows.append(f"- {relative}: {found.report.problems[0]}")
        if found.http is not None:
            rows += [f"- {relative}: {failure[:240]}" for failure in found.http.failures[:3]]
    table = "\n".join(rows) + "\n"
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(table)
    print("\n" + table)
    assert ok >= SUCCESS_FLOOR
    assert total == 0 or serialized / total >= 0.98
    assert http_ok >= HTTP_FLOOR, f"{http_ok}/{http_total} HTTP round trips"
