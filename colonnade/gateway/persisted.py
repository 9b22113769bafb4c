"""Persisted operations: Automatic Persisted Queries, and trusted documents only.

APQ is Apollo's protocol: the client sends ``extensions.persistedQuery.sha256Hash`` without the
document; an unknown hash answers ``PERSISTED_QUERY_NOT_FOUND`` and the client resends hash and
document, which we check (the hash must be the document's SHA-256) and store in the state
backend for every replica (``gateway:apq:<hash>``, ``gateway.apq_ttl_s``). Over POST and GET.

Trusted documents (``gateway.persisted_queries = "trusted"``): only the operations of a
manifest run — Apollo's persisted-query manifest (``{"format":
"apollo-persisted-query-manifest", "operations": [{"id", "body", …}]}``, what
``generate-persisted-query-manifest`` emits) or a plain ``{id: document}`` map (Relay's, GraphQL
Codegen's). A client may send the id or the full text of a listed document; anything else is
``PERSISTED_QUERY_NOT_IN_LIST`` and nothing is parsed. The manifest ships with the deployment
(it is the build's output), so it is read from the file at start, not from Redis.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import structlog

from colonnade.errors import (
    BadUserInput,
    ConfigError,
    PersistedQueryNotFound,
    PersistedQueryNotInList,
    StateUnavailable,
)
from colonnade.state import StateBackend

_log = structlog.get_logger("colonnade.gateway")
KEY = "gateway:apq:"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """id → document, plus each document's own SHA-256 → document."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"gateway.trusted_documents: cannot read {str(path)!r}: {exc}") from None
    documents: dict[str, str] = {}
    if isinstance(raw, dict) and raw.get("format") == "apollo-persisted-query-manifest":
        for op in raw.get("operations", []):
            if not isinstance(op, dict) or not isinstance(op.get("body"), str):
                raise ConfigError(f"gateway.trusted_documents: bad operation in {path}")
            documents[str(op.get("id") or sha256(op["body"]))] = op["body"]
    elif isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
        documents.update(raw)
    else:
        raise ConfigError(
            f"gateway.trusted_documents: {path} is neither an Apollo persisted-query manifest "
            "nor a {id: document} map"
        )
    for document in list(documents.values()):
        documents.setdefault(sha256(document), document)
    return documents


class PersistedOperations:
    def __init__(
        self,
        mode: Literal["off", "apq", "trusted"],
        backend: StateBackend,
        *,
        ttl_s: float,
        manifest: Path | None = None,
    ) -> None:
        if mode == "trusted" and manifest is None:
            raise ConfigError(
                "gateway.persisted_queries = 'trusted' needs gateway.trusted_documents "
                "(the manifest your client build emits)"
            )
        self.mode = mode
        self._backend = backend
        self._ttl_s = ttl_s
        self._trusted = load_manifest(manifest) if mode == "trusted" and manifest else {}

    @property
    def active(self) -> bool:
        return self.mode != "off"

    async def document(self, query: str | None, extensions: Any) -> str | None:
        """The document to run (None: leave the request as it is), or a refusal."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        wanted = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if persisted is not None and (not isinstance(wanted, str) or persisted.get("version") != 1):
            raise BadUserInput("extensions.persistedQuery needs version 1 and a sha256Hash")
        if self.mode == "trusted":
            return self._trusted_document(query, wanted)
        if wanted is None or self.mode == "off":
            return None
        if query is not None:
            if sha256(query) != wanted:
                raise BadUserInput("provided sha256Hash does not match the query")
            try:
                await self._backend.set(KEY + wanted, query.encode(), self._ttl_s)
            except StateUnavailable:
                _log.warning("apq_store_unavailable")
            return None
        try:
            stored = await self._backend.get(KEY + wanted)
        except StateUnavailable:
            stored = None
        if stored is None:
            raise PersistedQueryNotFound("PersistedQueryNotFound")
        return stored.decode()

    def _trusted_document(self, query: str | None, wanted: str | None) -> str:
        if wanted is not None:
            found = self._trusted.get(wanted)
            if found is None or (query is not None and query != found):
                raise PersistedQueryNotInList(
                    "this operation is not in the trusted documents of this deployment"
                )
            return found
        if query is not None and sha256(query) in self._trusted:
            return query
        raise PersistedQueryNotInList(
            "only trusted documents run here: send a registered operation's id "
            "(extensions.persistedQuery.sha256Hash)"
        )
