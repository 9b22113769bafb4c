"""One structured line per upstream attempt, with the facts and without the secrets."""

from __future__ import annotations

import logging

import structlog

from colonnade.sandboxes import Fault


async def test_every_upstream_attempt_is_one_line_with_no_secret(
    make_facade, providers, creds
) -> None:
    facade = await make_facade()
    providers.erp.faults.add(Fault("status", status=503, times=1))
    previous = structlog.get_config()["wrapper_class"]
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    try:
        with structlog.testing.capture_logs() as logs:
            await facade.query(
                '{ customer(id: "001000000000002AAA") { salesOrders { number } payments { id } } }'
            )
    finally:
        structlog.configure(wrapper_class=previous)
    lines = [entry for entry in logs if entry["event"] == "upstream_call"]
    assert {(e["connector"], e["operation"]) for e in lines} == {
        ("crm", "token"),
        ("crm", "accounts_by_id"),
        ("erp", "orders_by_customer"),
        ("payments", "payments_by_customer"),
    }
    erp = [e for e in lines if e["connector"] == "erp"]
    assert [(e["attempt"], e["status"], e["outcome"]) for e in erp] == [
        (1, 503, "UPSTREAM_UNAVAILABLE"),
        (2, 200, "ok"),
    ]
    assert all(isinstance(e["latency_ms"], float) for e in lines)
    text = repr(logs)
    for secret in (creds.api_key, creds.client_secret, creds.erp_password):
        assert secret not in text
    tokens = list(providers.crm._tokens)
    assert tokens
    assert not any(t in text for t in tokens)
