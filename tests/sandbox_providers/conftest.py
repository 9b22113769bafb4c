"""One sandbox server per test session, reset to the seed before every test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# The project is not necessarily installed; make `import sandboxes` work from any cwd.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from sandbox_support import CRM_CREDS, STRIPE_KEY  # noqa: E402

from colonnade.sandboxes import SandboxSet, ServedSandbox  # noqa: E402


@pytest.fixture(scope="session")
def sandbox_set() -> SandboxSet:
    return SandboxSet(customers=200)


@pytest.fixture(scope="session")
def served(sandbox_set: SandboxSet) -> Iterator[ServedSandbox]:
    with sandbox_set.serve() as server:
        yield server


@pytest.fixture(autouse=True)
def sandbox(sandbox_set: SandboxSet, served: ServedSandbox) -> SandboxSet:
    sandbox_set.reset()
    sandbox_set.crm.token_ttl_s = 3600
    sandbox_set.crm.rate_limiter.per_s = None
    sandbox_set.crm.query_batch_size = 2000
    sandbox_set.payments.processing_delay_s = 0.0
    return sandbox_set


@pytest.fixture
def client(served: ServedSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, timeout=10) as c:
        yield c


@pytest.fixture
def crm_auth(client: httpx.Client) -> dict[str, str]:
    token = client.post("/crm/services/oauth2/token", data=CRM_CREDS).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def stripe_auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {STRIPE_KEY}"}
