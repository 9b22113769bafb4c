"""The ``colonnade`` command line: serve, schema (and schema diff), check, invalidate, sandbox.

argparse rather than a framework: five subcommands do not justify a dependency, and the
standard library's help output is what operators expect.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path
from typing import Any

from colonnade.config import Settings, load_settings
from colonnade.errors import ConfigError, StateUnavailable
from colonnade.events import cli as events_cli
from colonnade.federation import cli as federation_cli


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
    serve.add_argument(
        "--shared-port",
        type=int,
        default=None,
        help="also listen on this port, shared (SO_REUSEPORT) with the other replicas on this "
        "host: the kernel spreads new connections across them; --port stays this one's own",
    )

    schema = sub.add_parser("schema", help="print the GraphQL SDL to stdout (or compare two)")
    schema.add_argument(
        "--config",
        type=Path,
        default=None,
        help="also the connectors this configuration makes from a table alone (wsdl = …)",
    )
    schema_sub = schema.add_subparsers(dest="schema_command")
    diff = schema_sub.add_parser(
        "diff", help="breaking and dangerous changes from OLD to NEW (exit 1 if any breaking)"
    )
    diff.add_argument("old", type=Path, help="the SDL clients rely on (e.g. schema.graphql)")
    diff.add_argument("new", type=Path, nargs="?", help="default: this build's schema")
    schema_check = schema_sub.add_parser(
        "check",
        help="schema.graphql matches this build, and every breaking change since the baseline "
        "(newest v* tag, else the first schema.graphql) is acknowledged in CHANGELOG.md",
    )
    schema_check.add_argument("--repo", type=Path, default=Path("."))
    schema_check.add_argument("--current", type=Path, help="compare this SDL, not this build's")
    diff.add_argument(
        "--changelog",
        type=Path,
        help="exit 1 only for breaking changes not acknowledged (a BREAKING line naming the "
        "type or Type.field) under ## Unreleased in this file",
    )

    check = sub.add_parser(
        "check", help="validate the configuration and load every WSDL, then exit"
    )
    check.add_argument("--config", type=Path, default=None)

    contracts = sub.add_parser(
        "contracts",
        help="record or verify what each connector depends on in its provider's answers",
    )
    contracts.add_argument("action", choices=["record", "verify"])
    contracts.add_argument(
        "--live", action="store_true", help="against the configured real providers, not sandboxes"
    )
    contracts.add_argument("--connector", action="append", default=[], help="only these")
    contracts.add_argument("--config", type=Path, default=None)

    invalidate = sub.add_parser(
        "invalidate", help="drop cached answers by tag or key in the shared (Redis) cache"
    )
    invalidate.add_argument("--tag", action="append", default=[], help="e.g. acme:invoice:42")
    invalidate.add_argument("--key", action="append", default=[])
    invalidate.add_argument("--config", type=Path, default=None)

    versions = sub.add_parser(
        "versions",
        help="the API version each connector speaks; with --url, the deprecation and sunset "
        "notices a running instance has seen",
    )
    versions.add_argument("--config", type=Path, default=None)
    versions.add_argument(
        "--url", default=None, help="a running instance, e.g. http://127.0.0.1:8000"
    )
    versions.add_argument("--json", action="store_true", help="JSON instead of a table")
    keys = sub.add_parser("keys", help="API keys for clients of the graph")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    generate = keys_sub.add_parser(
        "generate", help="print a new API key (give it to the client) and its digest (config)"
    )
    generate.add_argument("--client", default="my-client", help="client id for the snippet")
    generate.add_argument(
        "--scope", action="append", default=[], help="scope to grant, e.g. invoices:read"
    )
    register = keys_sub.add_parser(
        "register",
        help="store a key's digest in the shared (Redis) state: live on every replica at once "
        "(needs gateway.api_keys_in_state = true)",
    )
    register.add_argument("digest", help="the key's SHA-256 (from keys generate)")
    register.add_argument("--client", required=True)
    register.add_argument("--scope", action="append", default=[])
    register.add_argument("--ttl-days", type=float, default=365.0)
    register.add_argument("--config", type=Path, default=None)
    revoke = keys_sub.add_parser("revoke", help="remove a key's digest from the shared state")
    revoke.add_argument("digest")
    revoke.add_argument("--config", type=Path, default=None)

    sandbox = sub.add_parser(
        "sandbox", help="run only the sandbox providers (for demos and benchmarks)"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8100)
    sandbox.add_argument("--latency-ms", type=float, default=0.0)
    sandbox.add_argument("--customers", type=int, default=200)
    sandbox.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help="write the COLONNADE_CONNECTORS__* variables that point a facade at these "
        "sandboxes (shell syntax, mode 0600) before serving",
    )

    events_cli.add_parsers(sub)
    federation_cli.add_parsers(sub)
    _add_import_parser(sub)

    args = parser.parse_args(argv)
    try:
        if args.command == "import":
            return _import(args)
        if args.command == "federation":
            return federation_cli.run(args)
        if args.command == "schema":
            if args.schema_command == "check":
                return _schema_check(args.repo, args.current)
            if args.schema_command == "diff":
                return _schema_diff(args.old, args.new, args.changelog)
            sys.stdout.write(_current_sdl(load_settings(args.config) if args.config else None))
            return 0
        if args.command == "sandbox":
            return _sandbox(args)
        if args.command == "keys" and args.keys_command == "generate":
            return _keys_generate(args.client, args.scope)
        settings = load_settings(args.config)
        if args.command == "check":
            return _check(settings)
        if args.command == "contracts":
            return asyncio.run(_contracts(settings, args.action, args.live, args.connector))
        if args.command == "versions":
            from colonnade.observability.versions_cli import versions_command

            return versions_command(settings, args.url, as_json=args.json)
        if args.command == "invalidate":
            return asyncio.run(_invalidate(settings, args.tag, args.key))
        if args.command == "keys":
            return asyncio.run(_keys_in_state(settings, args))
        if args.command in ("events", "audit"):
            return events_cli.run(args, settings)
        return _serve(settings, args.host, args.port, args.shared_port)
    except ConfigError as exc:
        sys.stderr.write(f"colonnade: {exc}\n")
        return 2


def _current_sdl(settings: Settings | None = None) -> str:
    """Every installed graph part, whatever this deployment configures: the published graph;
    with ``settings``, also the zero-code connectors its tables make — and with
    ``graph.serve``, the subgraph that deployment serves (what a router composes)."""
    from colonnade.platform import discover, every_part
    from colonnade.platform.assembly import buildable
    from colonnade.platform.graph import build_schema
    from colonnade.platform.kinds import configured
    from colonnade.platform.subgraph import served_parts

    registry = discover() if settings is None else configured(settings.connectors, discover())
    known = every_part(registry)
    if settings is None or settings.graph.serve is None:
        return build_schema(known).as_str() + "\n"
    parts = served_parts(settings, registry, buildable(settings, registry))
    return build_schema(parts, known=known).as_str() + "\n"


def _schema_diff(old: Path, new: Path | None, changelog: Path | None) -> int:
    from colonnade.schema_contract import diff, unacknowledged

    try:
        old_sdl = old.read_text()
        new_sdl = new.read_text() if new is not None else _current_sdl()
        changes = diff(old_sdl, new_sdl)
    except (OSError, TypeError, ValueError) as exc:  # graphql's syntax errors are ValueErrors
        sys.stderr.write(f"colonnade: cannot compare schemas: {exc}\n")
        return 2
    for change in changes:
        sys.stdout.write(f"{change}\n")
    blocking = [c for c in changes if c.breaking]
    if changelog is not None:
        blocking = unacknowledged(changes, changelog.read_text())
        for change in blocking:
            sys.stderr.write(
                f"colonnade: not acknowledged in {changelog}: {change.coordinate} (add a line "
                f"'BREAKING: {change.coordinate} ...' under ## Unreleased)\n"
            )
    if not changes:
        sys.stdout.write("no breaking or dangerous changes\n")
    return 1 if blocking else 0


def _schema_check(repo: Path, current: Path | None) -> int:
    from colonnade.schema_contract import check

    problems, changes = check(repo, current.read_text() if current else _current_sdl())
    for change in changes:
        sys.stdout.write(f"  since the baseline: {change}\n")
    for problem in problems:
        sys.stderr.write(f"colonnade: {problem}\n")
    if not problems:
        sys.stdout.write(
            f"colonnade: schema contract holds ({len(changes)} changes since baseline)\n"
        )
    return 1 if problems else 0


def _serve(
    settings: Settings, host: str | None, port: int | None, shared_port: int | None = None
) -> int:
    from colonnade.app import create_app
    from colonnade.embedded import start_sandbox, wants_sandbox
    from colonnade.serving import listeners, serve
    from colonnade.telemetry import configure_logging

    configure_logging(settings.server.log_level, settings.server.log_format)
    served = None
    host = host or settings.server.host
    port = settings.server.port if port is None else port
    sockets = None if shared_port is None else listeners(host, port, shared_port)
    if wants_sandbox(settings):
        settings, served = start_sandbox(settings, f"http://{host}:{port}/webhooks")
        sys.stderr.write(
            "colonnade: no connector has a base_url; serving the embedded sandboxes "
            "(a WSDL connector's is made from its WSDL)\n"
        )
        settings, dev_key = demo_gateway(settings)
        if dev_key:
            sys.stderr.write(
                f"colonnade: development API key (all scopes): {dev_key}\n"
                "colonnade: send it as 'X-API-Key: <key>'; without it only reads are allowed\n"
            )
    app = create_app(settings)
    sys.stderr.write(f"colonnade: GraphQL at http://{host}:{port}/graphql\n")
    if shared_port is not None:
        sys.stderr.write(
            f"colonnade: and, shared with other replicas, http://{host}:{shared_port}\n"
        )
    tune_gc()
    try:
        serve(app, settings.server, host, port, sockets)
    finally:
        if served is not None:
            served.stop()
    return 0


def demo_gateway(settings: Settings) -> tuple[Settings, str | None]:
    """The demo: anonymous reads (unless the operator chose otherwise or runs the production
    profile) and a development key, generated per process, that may do everything."""
    from colonnade.config import ApiClientSettings
    from colonnade.gateway.identity import generate_key

    if settings.server.profile == "production":
        return settings, None
    key, key_digest = generate_key()
    gateway = settings.gateway
    update = {
        "anonymous": "on" if gateway.anonymous == "auto" else gateway.anonymous,
        "api_keys": {
            **gateway.api_keys,
            "development": ApiClientSettings(key_sha256=[key_digest], scopes=["*"]),
        },
    }
    return settings.model_copy(update={"gateway": gateway.model_copy(update=update)}), key


def _keys_generate(client: str, scopes: list[str]) -> int:
    import json

    from colonnade.gateway.identity import generate_key

    key, key_digest = generate_key()
    sys.stdout.write(
        f"API key (give it to the client, once; it is not stored anywhere):\n  {key}\n\n"
        f"colonnade.toml:\n  [gateway.api_keys.{json.dumps(client)}]\n"
        f"  key_sha256 = [{json.dumps(key_digest)}]\n"
        f"  scopes = {json.dumps(scopes or ['*:read'])}\n"
    )
    return 0


async def _keys_in_state(settings: Settings, args: argparse.Namespace) -> int:
    from colonnade.gateway.identity import STATE_KEY, register_key
    from colonnade.runtime import Runtime

    digest = args.digest.lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        sys.stderr.write("colonnade: the digest must be 64 hex digits (colonnade keys generate)\n")
        return 2
    if not settings.redis_url:
        sys.stderr.write(
            "colonnade: no COLONNADE_REDIS_URL: keys in the state backend need the shared "
            "Redis; use gateway.api_keys or gateway.api_keys_file instead\n"
        )
        return 1
    runtime = Runtime.create(settings)
    try:
        if args.keys_command == "register":
            ttl_s = args.ttl_days * 86_400
            await register_key(runtime.backend, digest, args.client, args.scope, ttl_s)
            done = f"registered a key for {args.client} ({', '.join(args.scope) or 'no scopes'})"
        else:
            removed = await runtime.backend.delete([STATE_KEY + digest])
            done = "revoked the key" if removed else "no such key"
    except StateUnavailable:
        sys.stderr.write("colonnade: Redis did not answer; nothing was changed\n")
        return 1
    finally:
        await runtime.aclose()
    sys.stdout.write(f"colonnade: {done}\n")
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
    from colonnade.gateway.http import anonymous_allowed
    from colonnade.platform import assemble
    from colonnade.runtime import Runtime

    anonymous_allowed(settings)  # production + anonymous is refused here too
    served = None
    if wants_sandbox(settings):
        settings, served = start_sandbox(settings)
    try:
        services = assemble(settings, Runtime.create(settings)).services
        check_sources(settings)
    finally:
        if served is not None:
            served.stop()
    idle = _without_operations(services)
    if idle:
        for name in idle:
            sys.stderr.write(
                f"colonnade: connector {name}: its WSDL binds no operation it can call (no "
                "portType operation is bound on a SOAP port): it would serve nothing. Check "
                f"connectors.{name}.wsdl, or `colonnade import wsdl` it for the reasons\n"
            )
        return 1
    names = ", ".join(sorted(c.name for c in services.closers)) or "none"
    sys.stdout.write(f"colonnade: configuration is valid; connectors {names} loaded\n")
    for name, why in sorted(services.unavailable.items()):
        sys.stdout.write(f"colonnade: connector {name} is off: {why}\n")
    return 0


def _without_operations(services: Any) -> list[str]:
    """SOAP connectors that loaded a WSDL but can call none of its operations."""
    idle = []
    for connector in services.closers:
        reachable = getattr(connector, "reachable_operations", None)
        if callable(reachable) and not reachable():
            idle.append(str(connector.name))
    return sorted(idle)


async def _contracts(settings: Settings, action: str, live: bool, only: list[str]) -> int:
    from colonnade.contracts import run
    from colonnade.embedded import start_sandbox
    from colonnade.platform import assemble
    from colonnade.runtime import Runtime
    from colonnade.telemetry import configure_logging

    configure_logging("warning", settings.server.log_format)

    served = None
    settings = settings.model_copy(
        update={"cache": settings.cache.model_copy(update={"enabled": False})}
    )
    if not live:
        settings, served = start_sandbox(settings)
    services = assemble(settings, Runtime.create(settings)).services
    failed = 0
    try:
        for connector in services.closers:
            if only and connector.name not in only:
                continue
            try:
                current = await run.probe(connector)
            except NotImplementedError as exc:
                sys.stderr.write(f"colonnade: {exc}\n")
                failed += 1
                continue
            if action == "record":
                path = run.write(connector, current, live=live)
                sys.stdout.write(f"{connector.name}: {len(current)} interactions → {path}\n")
                continue
            path, drifts = run.verify(connector, current, live=live)
            errors = [d for d in drifts if d.severity == "error"]
            for drift in drifts:
                sys.stdout.write(f"{connector.name}: {drift}\n")
            verdict = f"{len(errors)} breaking" if errors else "holds"
            sys.stdout.write(f"{connector.name}: contract {verdict} ({path.name})\n")
            failed += bool(errors)
    finally:
        await services.aclose()
        if served is not None:
            served.stop()
    return 1 if failed else 0


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

    from colonnade.embedded import sandbox_env, sandbox_group

    sandbox = sandbox_group(args.customers, fresh=False)  # the documented demo credentials
    sandbox.set_base_latency(args.latency_ms / 1000)
    if args.env_file is not None:
        _write_env_file(args.env_file, sandbox_env(sandbox, f"http://{args.host}:{args.port}"))
    uvicorn.run(sandbox.app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def _write_env_file(path: Path, env: dict[str, str]) -> None:
    """Shell ``KEY=value`` lines, quoted; readable by this user only (they hold the
    sandboxes' demo credentials, and a habit of 0600 costs nothing)."""
    import os
    import shlex

    text = "".join(f"{key}={shlex.quote(value)}\n" for key, value in sorted(env.items()))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


# -- colonnade import wsdl (issue 10; kept in one block so it merges beside other commands) --


def _add_import_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser(
        "import",
        help="turn a provider contract into a GraphQL connector package",
    )
    kinds = imp.add_subparsers(dest="import_kind", required=True)
    wsdl = kinds.add_parser(
        "wsdl",
        help="WSDL → typed GraphQL SDL and an import report",
        description="Reads the WSDL offline (imports from local copies, well-known W3C/SOAP "
        "schemas shipped), prints the report (stderr) and, with --out, writes a connector "
        "package you own (settings, connector, graph, sandbox, kit test; pip install it) or, "
        "with --sdl, prints the GraphQL SDL (stdout). For no code at all, configure "
        "[connectors.<name>] wsdl = PATH instead. Exit 0 when the import is usable, 1 when not.",
    )
    wsdl.add_argument("path", type=Path)
    wsdl.add_argument("--name", help="connector name: prefixes types and fields (default: file)")
    wsdl.add_argument(
        "--operations", nargs="+", metavar="OP", help="only these WSDL operations (default: all)"
    )
    wsdl.add_argument(
        "--query", nargs="+", default=[], metavar="OP", help="expose these as Query fields"
    )
    wsdl.add_argument(
        "--mutation", nargs="+", default=[], metavar="OP", help="expose these as Mutation fields"
    )
    wsdl.add_argument(
        "--url-map",
        action="append",
        default=[],
        metavar="URL=FILE",
        help="a remote import's saved local copy (relative to the WSDL's folder)",
    )
    wsdl.add_argument("--sdl", action="store_true", help="print the generated SDL to stdout")
    wsdl.add_argument(
        "--out", type=Path, help="write the connector package (colonnade-<name>) into this folder"
    )
    wsdl.add_argument("--force", action="store_true", help="overwrite a non-empty --out")


def _import(args: argparse.Namespace) -> int:
    from colonnade.wsdl_import import import_wsdl
    from colonnade.wsdl_import.model import RootKind
    from colonnade.wsdl_import.package import write_package
    from colonnade.wsdl_import.plugin import CONNECTOR_NAME
    from colonnade.wsdl_import.types import graphql_name

    url_map: dict[str, Path] = {}
    for item in args.url_map:
        url, sep, local = item.rpartition("=")  # a WCF URL has its own: ?wsdl=wsdl0
        if not sep:
            raise ConfigError(f"--url-map {item!r}: give URL=FILE")
        url_map[url] = Path(local)
    overrides: dict[str, RootKind] = dict.fromkeys(args.query, "query")
    overrides.update(dict.fromkeys(args.mutation, "mutation"))
    name = args.name if args.name is not None else graphql_name(args.path.stem).lower()
    if not CONNECTOR_NAME.fullmatch(name):
        raise ConfigError(f"--name {name!r}: use lower case letters, digits and _ (e.g. epm)")
    report = import_wsdl(
        args.path,
        url_map,
        name=name,
        operations=set(args.operations) if args.operations else None,
        overrides=overrides,
    )
    sys.stderr.write(report.text())
    if args.sdl and report.sdl:
        sys.stdout.write(report.sdl)
    if args.out is not None and report.ok:
        written = write_package(
            report, args.path, url_map, name=name, out=args.out, force=args.force
        )
        sys.stderr.write(
            f"# wrote {written.package} into {written.root} ({len(written.files)} files): "
            f"pip install -e {written.root}, then pytest {written.root / 'tests'}\n"
        )
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
