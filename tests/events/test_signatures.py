"""Unit tests of the verifiers: one function each, no I/O."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

from colonnade.events.signatures import HmacVerifier, SignatureError, StripeStyleVerifier
from colonnade.sandboxes.webhook_sender import stripe_signature

BODY = b'{"id": "evt_1", "type": "payment_intent.succeeded"}'


def stripe(*secrets: str) -> StripeStyleVerifier:
    return StripeStyleVerifier(lambda: list(secrets), tolerance_s=300)


def test_stripe_style_accepts_a_fresh_signature() -> None:
    now = int(time.time())
    stripe("whsec_a").verify(
        {"stripe-signature": stripe_signature("whsec_a", BODY, now)}, BODY, now
    )


def test_stripe_style_accepts_either_secret_during_rotation() -> None:
    now = int(time.time())
    verifier = stripe("whsec_old", "whsec_new")
    for secret in ("whsec_old", "whsec_new"):
        header = stripe_signature(secret, BODY, now)
        verifier.verify({"stripe-signature": header}, BODY, now)


def test_stripe_style_accepts_one_of_several_v1_values() -> None:
    now = int(time.time())
    good = stripe_signature("whsec_a", BODY, now).split("v1=")[1]
    header = f"t={now},v1={'0' * 64},v1={good}"
    stripe("whsec_a").verify({"stripe-signature": header}, BODY, now)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("v1=abc", "no t="),
        ("t=123", "no t="),
        ("t=notanumber,v1=abc", "no t="),
    ],
)
def test_stripe_style_refuses_malformed_headers(header: str | None, reason: str) -> None:
    headers = {} if header is None else {"stripe-signature": header}
    with pytest.raises(SignatureError, match=reason):
        stripe("whsec_a").verify(headers, BODY, time.time())


def test_stripe_style_refuses_a_stale_timestamp_even_when_correctly_signed() -> None:
    now = int(time.time())
    header = stripe_signature("whsec_a", BODY, now - 301)
    with pytest.raises(SignatureError, match="tolerance"):
        stripe("whsec_a").verify({"stripe-signature": header}, BODY, now)


def test_stripe_style_refuses_a_timestamp_from_the_future() -> None:
    now = int(time.time())
    header = stripe_signature("whsec_a", BODY, now + 301)
    with pytest.raises(SignatureError, match="tolerance"):
        stripe("whsec_a").verify({"stripe-signature": header}, BODY, now)


def test_stripe_style_refuses_a_wrong_secret_and_a_changed_body() -> None:
    now = int(time.time())
    with pytest.raises(SignatureError, match="no signature matches"):
        stripe("whsec_a").verify(
            {"stripe-signature": stripe_signature("whsec_b", BODY, now)}, BODY, now
        )
    header = stripe_signature("whsec_a", BODY, now)
    with pytest.raises(SignatureError, match="no signature matches"):
        stripe("whsec_a").verify({"stripe-signature": header}, BODY + b" ", now)


def test_stripe_style_signs_the_timestamp_too() -> None:
    """Moving a captured signature to another timestamp must not verify."""
    now = int(time.time())
    sig = stripe_signature("whsec_a", BODY, now - 1000).split("v1=")[1]
    with pytest.raises(SignatureError, match="no signature matches"):
        stripe("whsec_a").verify({"stripe-signature": f"t={now},v1={sig}"}, BODY, now)


def test_generic_hmac_hex_with_prefix() -> None:
    verifier = HmacVerifier(lambda: ["s3cret"], header="X-Hub-Signature-256", prefix="sha256=")
    digest = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    verifier.verify({"x-hub-signature-256": f"sha256={digest}"}, BODY, 0)
    with pytest.raises(SignatureError):
        verifier.verify({"x-hub-signature-256": digest}, BODY, 0)
    with pytest.raises(SignatureError):
        verifier.verify({"x-hub-signature-256": f"sha256={digest}"}, BODY + b"x", 0)


def test_generic_hmac_base64_sha512_with_rotation() -> None:
    verifier = HmacVerifier(
        lambda: ["old", "new"], header="X-Sig", algorithm="sha512", encoding="base64"
    )
    for secret in (b"old", b"new"):
        digest = base64.b64encode(hmac.new(secret, BODY, hashlib.sha512).digest()).decode()
        verifier.verify({"x-sig": digest}, BODY, 0)
    wrong = base64.b64encode(hmac.new(b"other", BODY, hashlib.sha512).digest()).decode()
    with pytest.raises(SignatureError):
        verifier.verify({"x-sig": wrong}, BODY, 0)
