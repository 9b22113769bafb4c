"""Sample inputs satisfy the XSD's patterns (what the round trips and the generated kit test
send), in XSD's regex dialect."""

from __future__ import annotations

import pytest

from colonnade.wsdl_import.sample import pattern_sample
from colonnade.wsdl_import.validate import _compiled


@pytest.mark.parametrize(
    "pattern",
    [r"\d\d\d\d-\d\d-\d\d", r"[A-Z]{2}[0-9]{3}", r"\i\c*", r"\p{Lu}+", r"(ab|cd)+x?", r"[^a]b"],
)
def test_a_sample_matches_its_pattern_as_validate_reads_it(pattern: str) -> None:
    sample = pattern_sample(pattern)
    assert sample is not None
    assert _compiled(pattern).fullmatch(sample)


def test_a_pattern_with_no_simple_sample_says_so() -> None:
    assert pattern_sample(r"(a)\1") is None  # a back-reference: not XSD, and no sample
