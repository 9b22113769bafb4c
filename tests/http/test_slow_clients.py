"""Slow and idle clients are cut off by a real ``colonnade serve`` (small bounds set for the test),
and everyone else keeps being answered meanwhile. Counted, not timed: each client sends far more
slowly than it could ever finish before the bound, and the test checks where it was cut off."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from support import Credentials, facade_env, served_facade

from colonnade.sandboxes import ServedSandbox

HEAD = b"GET /healthz HTTP/1.1\r\nHost: facade\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"


@pytest.fixture(scope="module")
def strict(providers_server: ServedSandbox, creds: Credentials) -> Iterator[str]:
    env = facade_env(
        providers_server.base_url,
        creds,
        COLONNADE_SERVER__HEADER_TIMEOUT_S="1",
        COLONNADE_SERVER__BODY_TIMEOUT_S="1",
        COLONNADE_SERVER__KEEP_ALIVE_S="1",
        COLONNADE_ADMIN_TOKEN="slow-test-admin-token",
    )
    with served_facade(env) as base:
        yield base


def _connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _closed_after(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (the 30 s socket timeout guards a hang)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_headers_sent_byte_by_byte_are_cut_off(strict) -> None:
    sock = _connect(strict)
    sock.settimeout(0.25)  # one byte per 0.25 s: the whole head would take ~55 s
    sent, answer, healthy = 0, b"", None
    try:
        for byte in HEAD:
            sock.sendall(bytes([byte]))
            sent += 1
            if sent == 3:
                healthy = httpx.get(f"{strict}/healthz", timeout=10).status_code
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            break  # the server answered or closed
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
    assert sent < len(HEAD) // 2
    assert healthy == 200
    assert answer.startswith(b"HTTP/1.1 408")
    assert (
        json.loads(answer.split(b"\r\n\r\n", 1)[1])["errors"][0]["extensions"]["code"]
        == "REQUEST_TIMEOUT"
    )


def test_idle_connections_are_closed(strict) -> None:
    socks = [_connect(strict) for _ in range(50)]
    try:
        assert httpx.get(f"{strict}/healthz", timeout=10).status_code == 200
        closed = sum(1 for s in socks if _closed_after(s) == b"")
    finally:
        for s in socks:
            s.close()
    assert closed == 50


@pytest.mark.parametrize("path", [b"/graphql", b"/admin/cache/invalidate"])
def test_a_slow_body_gets_a_json_408_and_a_close(strict, path) -> None:
    sock = _connect(strict)
    try:
        # The admin token opens /admin; on /graphql the gateway would refuse it as a client
        # credential (401) before reading any body, so the anonymous client sends none there.
        auth = b"Authorization: Bearer slow-test-admin-token\r\n" if b"admin" in path else b""
        sock.sendall(
            b"POST "
            + path
            + b" HTTP/1.1\r\nHost: facade\r\nContent-Type: application/json\r\n"
            + auth
            + b"Content-Length: 1000\r\n\r\n"
            + b'{"query": "'
        )
        assert httpx.get(f"{strict}/healthz", timeout=10).status_code == 200
        answer = _closed_after(sock)  # returns only because the server closes
    finally:
        sock.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert b"connection: close" in head.lower()
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


def test_an_idle_keep_alive_connection_is_closed(strict) -> None:
    sock = _connect(strict)
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: facade\r\n\r\n")
        data = _closed_after(sock)  # returns only because the server closes the idle connection
        assert data.startswith(b"HTTP/1.1 200")
        assert data.count(b"HTTP/1.1") == 1
        assert data.endswith(b'{"status":"ok"}')
    finally:
        sock.close()


def test_an_oversized_head_is_a_json_400(strict) -> None:
    sock = _connect(strict)
    try:
        # h11 refuses a head still incomplete past max_header_bytes (16 KB by default)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: facade\r\nX-Big: " + b"b" * 40_000)
        answer = _closed_after(sock)
    except ConnectionResetError:
        pytest.fail("reset instead of a 400")
    finally:
        sock.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_a_normal_client_is_unaffected(strict) -> None:
    with httpx.Client(base_url=strict, timeout=10) as client:
        for _ in range(3):
            assert client.post("/graphql", json={"query": "{ __typename }"}).status_code == 200
            time.sleep(0)  # same keep-alive connection, well within the bound


def test_connections_past_the_limit_get_a_json_503(providers_server, creds) -> None:
    env = facade_env(providers_server.base_url, creds, COLONNADE_SERVER__MAX_CONNECTIONS="4")
    with served_facade(env) as base:
        held = [_connect(base) for _ in range(4)]
        try:
            extra = _connect(base)  # answered as it opens, before it sends anything
            try:
                head, _, body = _closed_after(extra).partition(b"\r\n\r\n")
            finally:
                extra.close()
            assert head.startswith(b"HTTP/1.1 503")
            assert json.loads(body)["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        finally:
            for s in held:
                s.close()
        for _ in range(100):  # the server sees the held connections close
            if httpx.get(f"{base}/healthz", timeout=10).status_code == 200:
                break
            time.sleep(0.05)
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
