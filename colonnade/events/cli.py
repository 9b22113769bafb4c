"""Operators' commands: ``colonnade events …`` (list, dead-letter list|replay) and
``colonnade audit list|verify``. They open the same store the server uses (the SQLite files
under ``events.data_dir``, or Redis), print JSON lines, and exit 1 when something is wrong."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from colonnade.config import Settings
from colonnade.errors import StateUnavailable
from colonnade.events.audit import verify
from colonnade.events.feature import open_audit, open_store


def add_parsers(sub: Any) -> None:
    events = sub.add_parser("events", help="inspect stored webhook events; replay dead letters")
    events.add_argument("--config", type=Path, default=None)
    ev = events.add_subparsers(dest="events_command", required=True)
    listing = ev.add_parser("list", help="stored events (oldest first)")
    listing.add_argument("--status", choices=["pending", "done", "dead"], default=None)
    listing.add_argument("--limit", type=int, default=100)
    dead = ev.add_parser("dead-letter", help="events that exhausted their attempts")
    dl = dead.add_subparsers(dest="dead_command", required=True)
    dl.add_parser("list", help="show dead letters with their last error")
    replay = dl.add_parser("replay", help="put dead letters back in the queue")
    replay.add_argument("ids", nargs="*")
    replay.add_argument("--all", action="store_true")

    audit = sub.add_parser("audit", help="the tamper-evident audit log of payment changes")
    audit.add_argument("--config", type=Path, default=None)
    au = audit.add_subparsers(dest="audit_command", required=True)
    alist = au.add_parser("list", help="records, oldest first")
    alist.add_argument("--limit", type=int, default=None)
    alist.add_argument("--action", default=None)
    au.add_parser("verify", help="check the hash chain; exit 1 at the first bad record")


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.command == "events":
            return asyncio.run(_events(args, settings))
        return asyncio.run(_audit(args, settings))
    except StateUnavailable as exc:
        sys.stderr.write(f"colonnade: {exc}\n")
        return 1


def _print(row: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(row, sort_keys=True) + "\n")


async def _events(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        if args.events_command == "list":
            for row in await store.events(args.status, args.limit):
                _print(row)
            return 0
        if args.dead_command == "list":
            for row in await store.dead_letters(1000):
                _print(row)
            return 0
        ids = list(args.ids)
        if args.all:
            ids += [row["id"] for row in await store.dead_letters(10_000)]
        if not ids:
            sys.stderr.write("colonnade: give event ids or --all\n")
            return 2
        replayed = await store.replay(ids, time.time())
        sys.stdout.write(f"colonnade: {replayed} of {len(ids)} dead letters queued again\n")
        return 0 if replayed == len(ids) else 1
    finally:
        await store.aclose()


async def _audit(args: argparse.Namespace, settings: Settings) -> int:
    log = open_audit(settings)
    try:
        if args.audit_command == "list":
            for record in await log.records(args.limit):
                if args.action is None or record.get("action") == args.action:
                    _print(record)
            return 0
        problem = await verify(log)
        if problem is None:
            head = await log.head()
            sys.stdout.write(f"colonnade: audit log intact ({head[0] if head else 0} records)\n")
            return 0
        sys.stdout.write(f"colonnade: audit log broken at record {problem.seq}: {problem.reason}\n")
        return 1
    finally:
        await log.aclose()
