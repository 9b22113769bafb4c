"""The ``colonnade federation`` subcommands (kept here so cli.py only dispatches)."""

from __future__ import annotations

import argparse
from pathlib import Path

from colonnade.federation.compose import FEDERATION_DIR, compose, subgraphs


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    federation = sub.add_parser("federation", help="subgraph SDL and the composed supergraph")
    federation_sub = federation.add_subparsers(dest="federation_command", required=True)
    composer = federation_sub.add_parser(
        "compose",
        help="export each subgraph's SDL and compose them (Apollo's composition, on node); "
        "exit 1 on composition errors",
    )
    composer.add_argument(
        "--subgraph",
        action="append",
        default=[],
        metavar="NAME=SOURCE",
        help="a Colonnade config (*.toml: its SDL and [server] address), an SDL file, or a "
        "subgraph's URL (asked for _service { sdl })",
    )
    composer.add_argument(
        "--routing-url",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="where the router sends NAME's fetches (default: from its config, or its URL)",
    )
    composer.add_argument("--out", type=Path, required=True, help="directory for the SDL files")
    composer.add_argument("--federation-dir", type=Path, default=FEDERATION_DIR)


def run(args: argparse.Namespace) -> int:
    wanted = subgraphs(args.subgraph, args.routing_url)
    return compose(wanted, args.out, args.federation_dir)
