"""``colonnade serve`` with candidate fixes applied from outside, to measure them.

The harness may not edit the engine, so each fix the profile points at is applied here, at
start-up, to an otherwise unchanged ``colonnade serve``; the report compares a facade started
this way with a plain one under the same load. Each flag is a suggestion for the engine:

- ``--freeze-gc``: ``gc.collect(); gc.freeze()`` once the app is built, just before uvicorn
  runs it. Everything built at start-up (WSDL model, schema, pydantic validators) moves to
  the permanent generation, so full collections stop re-scanning it on every cycle.
- ``--doc-cache``: Strawberry's ``ParserCache`` and ``ValidationCache`` extensions added to
  the schema, so a repeated query string is parsed and validated once, not per request. For
  the validation cache to hit, the depth and alias limits' validation rules are built once
  (``schema/__init__.py`` passes them as factories, which build new rule classes per request).
- ``--sniffio``: makes ``import sniffio`` succeed (a stand-in module in ``sys.modules``).
  httpcore imports it on every connection-pool operation; when the package is missing the
  import fails, and a failed import is not cached, so each call searches ``sys.path`` again.
  The real fix is a dependency on ``sniffio``.
- ``--clear-loaders``: a schema extension that empties the request's DataLoaders when the
  operation ends, so the objects they hold are freed by reference counting rather than by
  the cyclic collector.

Usage: ``python bench/whatif.py [--freeze-gc] [--doc-cache] [--sniffio] [--clear-loaders]
-- serve --port N``
"""

from __future__ import annotations

import argparse
import gc
import sys
import types
from collections.abc import Iterator
from typing import Any


def apply_doc_cache() -> None:
    import strawberry
    from strawberry.extensions import (
        AddValidationRules,
        ParserCache,
        SchemaExtension,
        ValidationCache,
    )

    import colonnade.platform.graph as schema_package

    original = schema_package.build_schema

    def build_schema(parts: Any, *args: Any) -> strawberry.Schema:
        built = original(parts, *args)
        if doc_cache_in(built):
            return built
        # QueryDepthLimiter / MaxAliasesLimiter given as factories build a new validation-rule
        # *class* per request, so a validation cache keyed by the rules never hits. Build the
        # rules once and hand the same classes to every request.
        rules: list[Any] = []
        others: list[Any] = []
        for extension in built.extensions:
            probe = extension if isinstance(extension, SchemaExtension) else extension()
            if isinstance(probe, AddValidationRules):
                rules.extend(probe.validation_rules)
            else:
                others.append(extension)
        return strawberry.Schema(
            query=built.query,
            mutation=built.mutation,
            extensions=[
                lambda: AddValidationRules(rules),
                *others,
                lambda: ParserCache(maxsize=256),
                lambda: ValidationCache(maxsize=256),
            ],
        )

    schema_package.build_schema = build_schema


def doc_cache_in(schema: Any) -> bool:
    """Does the engine's schema already cache parsed and validated documents?"""
    from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

    found = set()
    for extension in schema.extensions:
        probe = extension if isinstance(extension, SchemaExtension) else extension()
        found.add(type(probe))
    return ParserCache in found and ValidationCache in found


def already_in_engine() -> dict[str, bool]:
    """Which of these fixes the engine already has (those variants are then not run)."""
    import inspect

    import colonnade.cli
    from colonnade.platform.graph import full_schema

    return {
        "freeze-gc": "gc.freeze(" in inspect.getsource(colonnade.cli),
        "doc-cache": doc_cache_in(full_schema()),
        "sniffio": _real_sniffio(),
        "clear-loaders": False,
    }


def _real_sniffio() -> bool:
    """The installed package, not this module's stand-in."""
    import importlib.util

    spec = importlib.util.find_spec("sniffio")
    return spec is not None and spec.origin is not None


def apply_clear_loaders() -> None:
    import strawberry
    from strawberry.extensions import SchemaExtension

    import colonnade.platform.graph as schema_package

    class ClearLoaders(SchemaExtension):
        """After each operation, empty the request's DataLoaders: what they hold (every
        domain object of the response) is otherwise reachable only through reference
        cycles, so it waits for a full garbage collection instead of being freed at once."""

        def on_operation(self) -> Iterator[None]:
            yield
            loaders = getattr(self.execution_context.context, "loaders", None)
            for loader in vars(loaders).values() if loaders is not None else ():
                loader.clear_all()

    original = schema_package.build_schema

    def build_schema(parts: Any, *args: Any) -> strawberry.Schema:
        built = original(parts, *args)
        return strawberry.Schema(
            query=built.query,
            mutation=built.mutation,
            extensions=[*built.extensions, ClearLoaders],
        )

    schema_package.build_schema = build_schema


def apply_freeze_gc() -> None:
    import uvicorn

    run = uvicorn.run

    def run_frozen(app: Any, **kwargs: Any) -> None:
        gc.collect()
        gc.freeze()
        run(app, **kwargs)

    uvicorn.run = run_frozen


def apply_sniffio() -> None:
    try:
        import sniffio  # noqa: F401
    except ImportError:
        stand_in = types.ModuleType("sniffio")
        stand_in.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
        sys.modules["sniffio"] = stand_in


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--freeze-gc", action="store_true")
    parser.add_argument("--doc-cache", action="store_true")
    parser.add_argument("--sniffio", action="store_true")
    parser.add_argument("--clear-loaders", action="store_true")
    parser.add_argument("colonnade_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.doc_cache:
        apply_doc_cache()
    if args.clear_loaders:
        apply_clear_loaders()
    if args.freeze_gc:
        apply_freeze_gc()
    if args.sniffio:
        apply_sniffio()
    from colonnade.cli import main as colonnade_main

    rest = [a for a in args.colonnade_args if a != "--"]
    return colonnade_main(rest)


if __name__ == "__main__":
    raise SystemExit(main())
