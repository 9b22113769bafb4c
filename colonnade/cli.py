"""The ``colonnade`` command line: serve, schema, check, invalidate, sandbox.

argparse rather than a framework: five subcommands do not justify a dependency, and the
standard library's help output is what operators expect.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path

from colonnade.config import Settings, load_settings
from colonnade.errors import ConfigError, StateUnavailable
from colonnade.events import cli as events_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="colonnade", description="A GraphQL facade over legacy and third-party APIs."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser(
        "serve", help="run the facade (with the embedded sandboxes if no provider is configured)"
    )
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--config", type=Path, default=None, help="path to colonnade.toml")

    sub.add_parser("schema", help="print the GraphQL SDL to stdout")

    check = sub.add_parser(
        "check", help="validate the configuration and load every WSDL, then exit"
    )
    check.add_argument("--config", type=Path, default=None)

    invalidate = sub.add_parser(
        "invalidate", help="drop cached answers by tag or key in the shared (Redis) cache"
    )
    invalidate.add_argument(
        "--tag", action="append", default=[], help="e.g. erp:customer:0000100002"
    )
    invalidate.add_argument("--key", action="append", default=[])
    invalidate.add_argument("--config", type=Path, default=None)

    sandbox = sub.add_parser(
        "sandbox", help="run only the sandbox providers (for demos and benchmarks)"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8100)
    sandbox.add_argument("--latency-ms", type=float, default=0.0)
    sandbox.add_argument("--customers", type=int, default=200)

    events_cli.add_parsers(sub)

    args = parser.parse_args(argv)
    try:
        if args.command == "schema":
            from schema import build_schema

            sys.stdout.write(build_schema().as_str() + "\n")
            return 0
        if args.command == "sandbox":
            return _sandbox(args)
        settings = load_settings(args.config)
        if args.command == "check":
            return _check(settings)
        if args.command == "invalidate":
            return asyncio.run(_invalidate(settings, args.tag, args.key))
        if args.command in ("events", "audit"):
            return events_cli.run(args, settings)
        return _serve(settings, args.host, args.port)
    except ConfigError as exc:
        sys.stderr.write(f"colonnade: {exc}\n")
        return 2


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn

    from colonnade.app import create_app
    from colonnade.embedded import start_sandbox, wants_sandbox
    from colonnade.telemetry import configure_logging

    configure_logging(settings.server.log_level, settings.server.log_format)
    served = None
    host = host or settings.server.host
    port = settings.server.port if port is None else port
    if wants_sandbox(settings):
        settings, served = start_sandbox(settings, f"http://{host}:{port}/webhooks/payments")
        sys.stderr.write("colonnade: no providers configured; serving the embedded sandboxes\n")
    app = create_app(settings)
    sys.stderr.write(f"colonnade: GraphQL at http://{host}:{port}/graphql\n")
    tune_gc()
    try:
        uvicorn.run(
            app, host=host, port=port, log_level=settings.server.log_level, access_log=False
        )
    finally:
        if served is not None:
            served.stop()  # type: ignore[attr-defined]
    return 0


def tune_gc() -> None:
    """The schema, the WSDL models and the config live as long as the process: freeze them
    so the cyclic collector stops rescanning them, and collect the young generation less
    often (each GraphQL request allocates thousands of short-lived objects). The benchmark
    measured the collector at 40 % of a cached request's CPU before this."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _check(settings: Settings) -> int:
    from colonnade.embedded import start_sandbox, wants_sandbox
    from colonnade.events.signatures import check_sources
    from colonnade.runtime import Runtime
    from resolvers.services import build_services

    served = None
    if wants_sandbox(settings):
        settings, served = start_sandbox(settings)
    try:
        build_services(Runtime.create(settings))
        check_sources(settings)
    finally:
        if served is not None:
            served.stop()  # type: ignore[attr-defined]
    sys.stdout.write("colonnade: configuration is valid; connectors crm, erp, payments loaded\n")
    return 0


async def _invalidate(settings: Settings, tags: list[str], keys: list[str]) -> int:
    from colonnade.runtime import Runtime

    if not settings.redis_url:
        sys.stderr.write(
            "colonnade: no COLONNADE_REDIS_URL: each process keeps its own in-memory cache; "
            "use POST /admin/cache/invalidate on each, or configure Redis\n"
        )
        return 1
    if not tags and not keys:
        sys.stderr.write("colonnade: give --tag and/or --key\n")
        return 2
    runtime = Runtime.create(settings)
    try:
        removed = await runtime.cache.invalidate(keys=keys, tags=tags, strict=True)
    except StateUnavailable:
        sys.stderr.write("colonnade: Redis did not answer; nothing was invalidated\n")
        return 1
    finally:
        await runtime.aclose()
    sys.stdout.write(f"colonnade: removed {removed} cached entries\n")
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    import uvicorn

    from sandboxes.app import SandboxSet

    sandbox = SandboxSet(args.customers)
    sandbox.set_base_latency(args.latency_ms / 1000)
    uvicorn.run(sandbox.app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
