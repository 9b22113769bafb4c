"""The inbound gateway: who may ask what, and how much.

What a schema author uses, on each field declaration::

    @strawberry.field(extensions=[requires("invoices:read")],
                      directives=cost(1, slicing_argument="first", assumed_size=10))

``requires`` (``scopes.py``) is checked before the resolver runs; ``cost`` (``cost.py``) prices
the field for the static cost limit. Both are printed in the SDL as Apollo Federation's
``@requiresScopes`` / ``@cost`` / ``@listSize``. The rest is wired by ``colonnade.app``:
identity (``identity.py``, ``jwks.py``), per-client rate limits (``client_limits.py``),
persisted operations (``persisted.py``), the production profile (``profile.py``), all in front
of the GraphQL view (``http.py``).
"""

from colonnade.gateway.cost import cost
from colonnade.gateway.identity import Principal
from colonnade.gateway.scopes import requires

__all__ = ["Principal", "cost", "requires"]
