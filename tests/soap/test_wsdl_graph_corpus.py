"""Every corpus WSDL as a zero-code connector: each generated root field queried through the
app (gateway, Strawberry schema, resolvers, pipeline, zeep over real HTTP) against the sandbox
generated from the same WSDL, with a sample input of its generated types and every field of
its reply selected. The per-entry table goes to artifacts/wsdl_graph_corpus.md."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from support import zero_code_wsdl
from wsdl_corpus import CORPUS, entries, needs_corpus

from colonnade.wsdl_import.model import FieldModel, ObjectModel, OperationModel, WsdlModel
from colonnade.wsdl_import.sample import sample_input
from colonnade.wsdl_import.sdl import IDEMPOTENCY_ARG, input_type

pytestmark = needs_corpus
ARTIFACT = Path(__file__).resolve().parents[2] / "artifacts" / "wsdl_graph_corpus.md"
_DEPTH = 4


def selection(f: FieldModel, objects: dict[str, ObjectModel], depth: int = 0) -> str:
    """Every field of the reply, objects to ``_DEPTH`` (``__typename`` keeps each non-empty)."""
    if f.kind != "object":
        return ""
    if depth >= _DEPTH:
        return "{ __typename }"
    inner = [
        g.name + (" " + selection(g, objects, depth + 1) if g.kind == "object" else "")
        for g in objects[f.type_name].fields
    ]
    return "{ __typename " + " ".join(inner) + " }"


def document(op: OperationModel, model: WsdlModel) -> tuple[str, dict[str, Any]]:
    values = sample_input(op.args, model.objects, model.enums)
    declared = [f"${a.name}: {input_type(a)}" for a in op.args if a.name in values]
    passed = [f"{a.name}: ${a.name}" for a in op.args if a.name in values]
    if op.root == "mutation" and IDEMPOTENCY_ARG not in {a.name for a in op.args}:
        passed.append(f'{IDEMPOTENCY_ARG}: "corpus-{op.name}"')
    args = f"({', '.join(passed)})" if passed else ""
    variables = f"({', '.join(declared)})" if declared else ""
    picked = selection(op.output, model.objects) if op.output else ""
    return f"{op.root} {variables} {{ {op.field_name}{args} {picked} }}", values


def _table(relative: str) -> dict[str, Any]:
    path, url_map = next(
        (p, m) for p, m in entries() if p.relative_to(CORPUS).as_posix() == relative
    )
    return {"wsdl": path, "wsdl_url_map": url_map, "retry": {"max_attempts": 1}}


NAMES = [p.relative_to(CORPUS).as_posix() for p, _ in entries()]
BELOW: dict[str, int] = {}
"""Entries below 95% of their root fields, with the floor measured and why (none today)."""
RESULTS: dict[str, tuple[int, int, float, list[str]]] = {}


@pytest.mark.parametrize("relative", NAMES)
async def test_every_root_field_answers_through_the_graph(relative: str) -> None:
    name = f"c{NAMES.index(relative)}"
    limits = {"max_query_depth": 64, "max_aliases": 64, "max_tokens": 100_000}
    ok, failures = 0, []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zeep's notes on quirky WSDLs: that is the corpus
        served = zero_code_wsdl(name, _table(relative), server=limits, cache={"enabled": False})
        async with served as (client, app, _sandbox):
            model = app.state.services.connector(name).model
            started = time.perf_counter()
            for op in model.operations:
                query, variables = document(op, model)
                body = (
                    await client.post("/graphql", json={"query": query, "variables": variables})
                ).json()
                answer = (body.get("data") or {}).get(op.field_name)
                if body.get("errors") or (op.output is not None and answer is None):
                    failures.append(f"{op.name}: {str(body.get('errors'))[:300]}")
                else:
                    ok += 1
    RESULTS[relative] = (ok, len(model.operations), time.perf_counter() - started, failures)
    floor = BELOW.get(relative, -(-len(model.operations) * 95 // 100))
    assert ok >= floor, failures[:5]


def test_the_graph_corpus_table() -> None:
    if not RESULTS:
        pytest.skip("no entry ran (run the whole file)")
    rows = ["| entry | root fields | answered | seconds |", "|---|---|---|---|"]
    ok = total = 0
    for relative, (answered, fields, seconds, _) in sorted(RESULTS.items()):
        rows.append(f"| {relative} | {fields} | {answered} | {seconds:.1f} |")
        ok, total = ok + answered, total + fields
    rows.append(f"\n{ok}/{total} root fields answered through the graph")
    for relative, (_, _, _, failures) in sorted(RESULTS.items()):
        rows += [f"- {relative}: {f}" for f in failures[:20]]
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text("\n".join(rows) + "\n")
    print("\n" + "\n".join(rows))
    assert ok / total >= 0.98  # 628/636 on 2026-12-01
