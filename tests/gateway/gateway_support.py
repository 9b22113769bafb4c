"""Gateway test helpers: an issuer's JWKS served over loopback HTTP, signing keys and
tokens, API keys, and facade overrides with anonymous access off."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from colonnade.gateway.identity import generate_key

ISSUER = "https://issuer.test/"
AUDIENCE = "colonnade-api"
PAYMENT_INPUT = {
    "customerId": "001000000000002AAA",
    "amount": "12.50",
    "currency": "EUR",
    "idempotencyKey": "gateway-test",
}
CREATE_PAYMENT = (
    "mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id status } }"
)


class SigningKey:
    def __init__(self, kid: str, alg: str) -> None:
        self.kid, self.alg = kid, alg
        if alg.startswith("RS"):
            self.private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            public = jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**public, "kid": kid, "use": "sig", "alg": alg}

    def token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "client-42",
            "iat": now,
            "exp": now + 300,
            "scope": "customers:read payments:read",
            **claims,
        }
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, self.private, algorithm=self.alg, headers={"kid": self.kid})


class JwksServer:
    """The issuer's JWKS endpoint on loopback; ``keys`` is what it publishes, ``fetches``
    how often it was asked."""

    def __init__(self) -> None:
        self.keys: list[SigningKey] = []
        self.fetches = 0
        self.failing = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                if outer.failing:
                    self.send_response(503)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"keys": [k.jwk for k in outer.keys]}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def jwt_settings(server: JwksServer, **extra: Any) -> dict[str, Any]:
    return {
        "jwks_url": server.url,
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "leeway_s": 30,
        "min_refetch_s": 0,
        **extra,
    }


def client_key(scopes: list[str]) -> tuple[str, dict[str, Any]]:
    """A new API key and the ``gateway.api_keys`` entry granting it ``scopes``."""
    key, digest = generate_key()
    return key, {"key_sha256": [digest], "scopes": scopes}


def locked(**gateway: Any) -> dict[str, Any]:
    """Facade overrides: anonymous off (production's default) plus ``gateway`` settings."""
    return {"gateway": {"anonymous": "off", **gateway}}
