"""`python -m sandboxes`: run every sandbox in the foreground (demo, benchmarks)."""

from __future__ import annotations

import argparse

import uvicorn

from colonnade.sandboxes.app import SandboxSet


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandboxes", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="fixed latency per request")
    parser.add_argument("--customers", type=int, default=200)
    args = parser.parse_args(argv)
    sandboxes = SandboxSet(customers=args.customers)
    sandboxes.set_base_latency(args.latency_ms / 1000)
    names = ", ".join(f"/{n}" for n in sandboxes.providers)
    print(f"sandboxes on http://{args.host}:{args.port}  ({names}, /__sandbox)")
    uvicorn.run(
        sandboxes.app, host=args.host, port=args.port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
