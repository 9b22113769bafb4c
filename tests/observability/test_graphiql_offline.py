"""GraphiQL at /graphql renders and runs a query with no network beyond loopback."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from browser_kit import offline_page, screenshot
from support import Credentials, facade_env, served_facade

from colonnade.sandboxes import SandboxSet, ServedSandbox

QUERY = "{ customers(first: 2) { edges { node { name } } } }"


@pytest.fixture
def facade_url(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> Iterator[str]:
    with served_facade(facade_env(providers_server.base_url, creds)) as base:
        yield base


def test_graphiql_page_points_at_local_assets_only(facade_url: str) -> None:
    page = httpx.get(f"{facade_url}/graphql", headers={"accept": "text/html"}).text
    assert "unpkg.com" not in page
    assert 'src="/_assets/graphiql/graphiql.min.js"' in page
    assert "integrity=" in page  # the browser still checks the bytes we serve
    assert httpx.get(f"{facade_url}/_assets/graphiql/graphiql.min.js").status_code == 200
    # Only what the page names is served: the rest of node_modules is not reachable.
    assert httpx.get(f"{facade_url}/_assets/graphiql/package.json").status_code == 404
    # httpx would normalise "..": send the literal paths, as a hostile client would.
    host, port = facade_url.removeprefix("http://").split(":")
    for path in ("/_assets/graphiql/../package.json", "/_assets/%2e%2e/%2e%2e/package.json"):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            conn.request("GET", path)
            assert conn.getresponse().status == 404, path
        finally:
            conn.close()


def test_graphiql_renders_and_runs_a_query_offline(facade_url: str, providers: SandboxSet) -> None:
    answer = httpx.post(f"{facade_url}/graphql", json={"query": QUERY}).json()
    expected = answer["data"]["customers"]["edges"][0]["node"]["name"]
    with offline_page() as (page, traffic):
        page.goto(f"{facade_url}/graphql?q={quote(QUERY)}")  # type: ignore[attr-defined]
        page.wait_for_selector(".graphiql-container", timeout=20_000)  # type: ignore[attr-defined]
        page.click(".graphiql-execute-button")  # type: ignore[attr-defined]
        result = page.locator(".result-window")  # type: ignore[attr-defined]
        result.get_by_text('"edges"').wait_for(timeout=20_000)
        text = result.inner_text()
        shot = screenshot(page, "graphiql-offline.png")
    assert expected in text
    assert "Loading" not in text
    assert traffic.left_loopback() == []
    assert traffic.blocked == []
    assert any(u.endswith("/_assets/graphiql/graphiql.min.js") for u in traffic.requests)
    assert shot.stat().st_size > 10_000
