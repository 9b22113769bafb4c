"""/readyz reports each component as it is, and is 503 only when the process cannot serve."""

from __future__ import annotations

from colonnade.sandboxes import Fault


async def test_readyz_lists_the_built_connectors_with_their_state(facade) -> None:
    ready = (await facade.client.get("/readyz")).json()
    services = facade.app.state.services
    built = {n for n, r in ready["connectors"].items() if r["status"] != "off"}
    assert built == {c.name for c in services.closers}
    erp = ready["connectors"]["erp"]
    assert erp["constructed"] is True
    assert erp["wsdl"] == "loaded"
    assert erp["breakers"] == {"cb:erp": "closed"}
    assert erp["last_call"] is None
    assert "wsdl" not in ready["connectors"]["payments"]


async def test_a_provider_down_is_degraded_not_unready(make_facade, providers) -> None:
    facade = await make_facade(connectors={"erp": {"breaker": {"min_calls": 2, "window_s": 30}}})
    providers.erp.faults.add(Fault("status", status=503))
    for _ in range(3):
        await facade.query('{ salesOrder(number: "0000500001") { number } }')
    response = await facade.client.get("/readyz")
    assert response.status_code == 200
    ready = response.json()
    assert ready["status"] == "degraded"
    erp = ready["connectors"]["erp"]
    assert erp["status"] == "degraded"
    assert erp["breakers"]["cb:erp"] == "open"
    assert erp["last_call"]["outcome"] in ("UPSTREAM_UNAVAILABLE", "CIRCUIT_OPEN")
    assert ready["connectors"]["crm"]["status"] == "ok"


async def test_state_backend_down_is_degraded(make_facade, monkeypatch) -> None:
    from colonnade.errors import StateUnavailable

    facade = await make_facade()

    async def down() -> None:
        raise StateUnavailable("redis did not answer")

    monkeypatch.setattr(facade.runtime.backend, "ping", down)
    response = await facade.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["state"]["status"] == "degraded"


async def test_draining_process_is_503(facade) -> None:
    facade.app.state.lifecycle.draining = True
    response = await facade.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "shutting_down"
    assert response.json()["draining"] is True
