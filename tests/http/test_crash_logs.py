"""A crash is logged with its traceback but without frame locals, and log lines are capped."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
import strawberry
import structlog

from colonnade.extensions import ErrorTranslation
from colonnade.telemetry import MAX_FIELD_CHARS, MAX_LINE_CHARS, logging_processors

SECRET = "sk_live_do-not-log-" + "7" * 12


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    previous = structlog.get_config()
    out = io.StringIO()
    structlog.configure(
        processors=logging_processors("json"),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    try:
        yield out
    finally:
        structlog.configure(**previous)


@strawberry.type
class Query:
    @strawberry.field
    def crash(self, note: str) -> str:
        api_key = SECRET  # a local the traceback must not carry
        raise RuntimeError(f"boom with a note of {len(note)} chars and key {len(api_key)}")


SCHEMA = strawberry.Schema(query=Query, extensions=[ErrorTranslation])


async def test_a_crash_logs_its_traceback_without_locals(log_lines) -> None:
    result = await SCHEMA.execute('query { crash(note: "' + "n" * 50_000 + '") }')
    assert result.errors[0].extensions["code"] == "INTERNAL_SERVER_ERROR"
    text = log_lines.getvalue()
    [line] = [json.loads(x) for x in text.splitlines()]
    assert line["event"] == "resolver_crashed"
    frames = line["exception"][0]["frames"]
    assert any(f["name"] == "crash" for f in frames)
    assert SECRET not in text
    assert "n" * 1000 not in text  # the 50 KB argument stays out too
    assert all("locals" not in f for f in frames)


def test_a_huge_field_is_truncated_with_a_marker(log_lines) -> None:
    structlog.get_logger("t").warning("big", payload="x" * 100_000)
    [line] = [json.loads(x) for x in log_lines.getvalue().splitlines()]
    assert (
        line["payload"] == "x" * MAX_FIELD_CHARS + f"…[truncated {100_000 - MAX_FIELD_CHARS} chars]"
    )


def test_a_line_never_exceeds_the_cap(log_lines) -> None:
    structlog.get_logger("t").warning("wide", **{f"f{i}": "y" * MAX_FIELD_CHARS for i in range(20)})
    [raw] = log_lines.getvalue().splitlines()
    assert len(raw) <= MAX_LINE_CHARS
    line = json.loads(raw)
    assert line["event"] == "wide"
    assert "dropped" in line["truncated"]
