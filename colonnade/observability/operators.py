"""Who may see the operator pages: the admin token, for now, in one function.

The gateway's client identity is built elsewhere; until it names operators, ``/ops`` accepts
the ``COLONNADE_ADMIN_TOKEN`` as a bearer token, as the password of HTTP Basic (so a browser
asks for it by itself), or in the ``colonnade_ops`` cookie. Compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.requests import Request

from colonnade.auth import Secret

COOKIE = "colonnade_ops"
REALM = 'Basic realm="colonnade ops", charset="UTF-8"'


def is_operator(request: Request, token: Secret | None) -> bool:
    if token is None:
        return False
    expected = token.get().encode()
    if not expected:
        return False
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    given: bytes | None = None
    if scheme.lower() == "bearer":
        given = value.strip().encode()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).partition(b":")[2]
        except (binascii.Error, ValueError):
            given = None
    elif cookie := request.cookies.get(COOKIE):
        given = cookie.encode()
    return given is not None and hmac.compare_digest(given, expected)
