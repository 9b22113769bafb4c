"""Every VIES fault code → its typed error, its client-facing code and its retries, counted
at the sandbox; a malformed number is refused before any call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from colonnade.connectors.vat import PLUGIN
from colonnade.connectors.vat.faults import CODES, ViesCode
from colonnade.errors import BadUserInput, UpstreamError
from colonnade.testing import Harness, one

RETRIES = {"max_attempts": 3, "budget_ratio": 1.0, "budget_min_per_s": 1000.0}
EXPECTED = {  # code → (extensions.code, calls made with 3 attempts allowed)
    "INVALID_INPUT": ("BAD_USER_INPUT", 1),
    "INVALID_REQUESTER_INFO": ("UPSTREAM_REJECTED", 1),
    "VAT_BLOCKED": ("UPSTREAM_REJECTED", 1),
    "IP_BLOCKED": ("UPSTREAM_UNAVAILABLE", 1),
    "SERVICE_UNAVAILABLE": ("UPSTREAM_UNAVAILABLE", 3),
    "SERVER_BUSY": ("UPSTREAM_RATE_LIMITED", 3),
    "GLOBAL_MAX_CONCURRENT_REQ": ("UPSTREAM_RATE_LIMITED", 3),
    "GLOBAL_MAX_CONCURRENT_REQ_TIME": ("UPSTREAM_RATE_LIMITED", 3),
    "MS_UNAVAILABLE": ("UPSTREAM_UNAVAILABLE", 3),
    "TIMEOUT": ("UPSTREAM_TIMEOUT", 3),
    "MS_MAX_CONCURRENT_REQ": ("UPSTREAM_RATE_LIMITED", 3),
    "MS_MAX_CONCURRENT_REQ_TIME": ("UPSTREAM_RATE_LIMITED", 3),
}


@pytest.fixture
async def vat() -> AsyncIterator[Harness]:
    async with Harness(PLUGIN, settings={"retry": RETRIES}) as harness:
        yield harness


def test_every_code_the_table_knows_is_tested() -> None:
    assert {c.code for c in CODES} == set(EXPECTED)


@pytest.mark.parametrize("row", CODES, ids=lambda c: c.code)
async def test_a_fault_is_its_typed_error_with_its_retries(vat: Harness, row: ViesCode) -> None:
    vat.sandbox.fail(row.code)  # type: ignore[attr-defined]
    with pytest.raises(UpstreamError) as raised:
        one(await vat.connector.registrations(["DE100000001"]))
    code, calls = EXPECTED[row.code]
    assert type(raised.value) is row.error
    assert raised.value.as_extensions() == {"code": code, "connector": "vat", "viesCode": row.code}
    assert raised.value.provider_code == row.code
    assert vat.sandbox.recorder.count("vat.checkVat.DE") == calls


async def test_a_transient_fault_that_clears_is_answered(vat: Harness) -> None:
    vat.sandbox.fail("MS_UNAVAILABLE", "DE", times=2)  # type: ignore[attr-defined]
    registration = one(await vat.connector.registrations(["DE100000001"]))
    assert registration.valid is True
    assert vat.sandbox.recorder.count("vat.checkVat.DE") == 3


async def test_a_fault_no_row_names_is_vies_failing(vat: Harness) -> None:
    vat.sandbox.fail("TECHNICAL_ERROR")  # type: ignore[attr-defined]
    with pytest.raises(UpstreamError) as raised:
        one(await vat.connector.registrations(["DE100000001"]))
    assert raised.value.as_extensions() == {"code": "UPSTREAM_UNAVAILABLE", "connector": "vat"}
    assert vat.sandbox.recorder.count("vat.checkVat.DE") == 3


@pytest.mark.parametrize(
    "number", ["DE12345678", "GR123456789", "US123456789", "NL123456789", "ATU1234567", ""]
)
async def test_a_malformed_number_is_refused_before_any_call(vat: Harness, number: str) -> None:
    answer: Any = (await vat.connector.registrations([number]))[number]
    assert isinstance(answer, BadUserInput)
    assert answer.as_extensions() == {"code": "BAD_USER_INPUT"}
    assert vat.calls() == 0


async def test_spaces_dots_and_case_are_one_number_checked_once(vat: Harness) -> None:
    answers = await vat.connector.registrations(["DE100000001", "de 100.000.001", "DE-100000001"])
    assert {one(a).vat_number for a in answers.values()} == {"100000001"}
    assert vat.calls() == 1


async def test_registered_and_unregistered_numbers(vat: Harness) -> None:
    answers = await vat.connector.registrations(["DE100000001", "DE999999999", "EL100000001"])
    known, unknown, greek = (one(answers[n]) for n in ("DE100000001", "DE999999999", "EL100000001"))
    assert (known.valid, known.name) == (True, "Musterhandel GmbH")
    assert (unknown.valid, unknown.name, unknown.address) == (False, None, None)  # VIES's "---"
    assert (greek.valid, greek.name) == (True, None)
