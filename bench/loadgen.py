"""An open-loop HTTP/1.1 load generator that corrects for coordinated omission.

Every request has a *scheduled* send time fixed before the run starts (a constant rate, or
"all at once" for a herd). Latency is measured from that scheduled time, not from when the
request actually left: if the server (or this generator) falls behind, the wait shows up in
the latency instead of silently lowering the offered rate.

The client is a deliberately small keep-alive HTTP/1.1 client over asyncio streams, because on
a 2-core machine the load generator shares the CPU with the system under test and httpx costs
several times more per request. It handles ``Content-Length`` and chunked bodies, which is all
uvicorn sends.

``closed_loop`` is the other mode, used only to find a maximum throughput: N workers each send
the next request as soon as the previous one answered. Its latencies are *not* corrected and
are reported as such.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Request:
    """One request to send; ``label`` groups samples (e.g. touching vs not touching)."""

    method: str
    path: str
    body: bytes = b""
    content_type: str = "application/json"
    label: str = "default"

    def encode(self, host: str) -> bytes:
        head = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
        if self.body or self.method == "POST":
            head += [f"Content-Type: {self.content_type}", f"Content-Length: {len(self.body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + self.body


@dataclass(slots=True)
class Sample:
    label: str
    scheduled: float
    """Loop time the request was due (latency is measured from here)."""
    sent: float
    done: float
    status: int
    """HTTP status; 0 for a transport failure or timeout."""
    outcome: str
    """ok | partial (a 200 carrying GraphQL "errors") | error | timeout."""
    size: int = 0

    @property
    def latency(self) -> float:
        return self.done - self.scheduled


@dataclass(slots=True)
class Run:
    """The samples of one load phase and the loop-time window they cover."""

    samples: list[Sample]
    started: float
    finished: float
    mode: str
    """open | closed"""
    offered_rps: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return max(self.finished - self.started, 1e-9)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def exchange(self, payload: bytes) -> tuple[int, bytes, bool]:
        """Send one request, read one response: (status, body, keep-alive)."""
        self.writer.write(payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length: int | None = None
        chunked = False
        keep = True
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.strip().lower() == "close":
                keep = False
        if chunked:
            body = await self._read_chunked()
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            keep = False
        return status, body, keep

    async def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        self.writer.close()


class Client:
    """A pool of keep-alive connections to one host:port; opens more as concurrency needs."""

    def __init__(self, host: str, port: int, *, max_connections: int = 256) -> None:
        self.host = host
        self.port = port
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)
        self._encoded: dict[Request, bytes] = {}

    async def send(self, request: Request, time_limit: float) -> tuple[int, bytes]:
        payload = self._encoded.get(request)
        if payload is None:
            payload = self._encoded[request] = request.encode(f"{self.host}:{self.port}")
        async with self._slots, asyncio.timeout(time_limit):
            while True:
                reused = bool(self._idle)
                conn = self._idle.pop() if reused else await self._connect()
                try:
                    status, body, keep = await conn.exchange(payload)
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    conn.close()
                    # The server closes keep-alive connections it found idle too long; a
                    # reused connection that died before answering is retried on a new one.
                    if reused and not (
                        isinstance(exc, asyncio.IncompleteReadError) and exc.partial
                    ):
                        continue
                    raise
                except BaseException:
                    conn.close()
                    raise
                if keep:
                    self._idle.append(conn)
                else:
                    conn.close()
                return status, body

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=2**22)
        return _Connection(reader, writer)

    async def aclose(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
        await asyncio.sleep(0)


def classify(status: int, body: bytes) -> str:
    if status != 200:
        return "error"
    return "partial" if b'"errors"' in body else "ok"


async def _one(client: Client, request: Request, due: float, time_limit: float) -> Sample:
    loop = asyncio.get_running_loop()
    sent = loop.time()
    try:
        status, body = await client.send(request, time_limit)
    except TimeoutError:
        return Sample(request.label, due, sent, loop.time(), 0, "timeout")
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        return Sample(request.label, due, sent, loop.time(), 0, "error")
    return Sample(request.label, due, sent, loop.time(), status, classify(status, body), len(body))


def fixed_rate(
    requests: Sequence[Request], rate: float, duration: float
) -> list[tuple[float, Request]]:
    """A constant-rate schedule: request ``i`` is due at ``i / rate`` seconds (cycling)."""
    n = max(1, round(rate * duration))
    return [(i / rate, requests[i % len(requests)]) for i in range(n)]


def merge(*schedules: list[tuple[float, Request]]) -> list[tuple[float, Request]]:
    return sorted((s for schedule in schedules for s in schedule), key=lambda s: s[0])


async def open_loop(
    client: Client,
    schedule: Sequence[tuple[float, Request]],
    *,
    time_limit: float = 30.0,
    offered_rps: float | None = None,
) -> Run:
    """Send each request at its scheduled offset (seconds from start), whatever happens to
    the ones before it; wait for all of them."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.02
    tasks: list[asyncio.Task[Sample]] = []
    i = 0
    while i < len(schedule):
        now = loop.time()
        # Launch everything already due (if we are late, they go out at once: the lateness
        # is charged to latency because it is measured from the due time).
        while i < len(schedule) and start + schedule[i][0] <= now:
            offset, request = schedule[i]
            tasks.append(asyncio.create_task(_one(client, request, start + offset, time_limit)))
            i += 1
        if i < len(schedule):
            await asyncio.sleep(max(0.0, start + schedule[i][0] - loop.time()))
    samples = list(await asyncio.gather(*tasks))
    finished = max((s.done for s in samples), default=start)
    return Run(samples, start, finished, "open", offered_rps)


async def closed_loop(
    client: Client,
    request: Request,
    *,
    workers: int,
    duration: float,
    max_requests: int | None = None,
    time_limit: float = 30.0,
) -> Run:
    """Max throughput: ``workers`` back-to-back senders for ``duration`` seconds (or until
    ``max_requests`` were sent)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    stop = start + duration
    samples: list[Sample] = []
    budget = [max_requests if max_requests is not None else -1]

    async def worker() -> None:
        while loop.time() < stop and budget[0] != 0:
            budget[0] -= 1
            samples.append(await _one(client, request, loop.time(), time_limit))

    await asyncio.gather(*(worker() for _ in range(workers)))
    return Run(samples, start, max(loop.time(), start), "closed", extra={"workers": workers})


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-q * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def summarize(samples: Sequence[Sample], duration: float) -> dict[str, Any]:
    """Throughput and latency (ms) of a set of samples."""
    lat = sorted(s.latency * 1000 for s in samples)
    outcomes = {k: sum(1 for s in samples if s.outcome == k) for k in ("ok", "partial")}
    outcomes["error"] = sum(1 for s in samples if s.outcome in ("error", "timeout"))
    answered = outcomes["ok"] + outcomes["partial"]
    return {
        "requests": len(samples),
        **outcomes,
        "throughput_rps": round(answered / duration, 2) if duration > 0 else None,
        "p50_ms": round(percentile(lat, 50), 2),
        "p90_ms": round(percentile(lat, 90), 2),
        "p99_ms": round(percentile(lat, 99), 2),
        "max_ms": round(lat[-1], 2) if lat else None,
        "mean_ms": round(sum(lat) / len(lat), 2) if lat else None,
    }
