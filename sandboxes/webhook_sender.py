"""The payment sandbox's webhook sender: Stripe-signed deliveries, retried, with chaos on demand.

Like Stripe: each event is POSTed as JSON to the configured endpoint with
``Stripe-Signature: t=<now>,v1=<HMAC-SHA256(secret, "<t>.<body>")>`` (signed afresh on each
attempt), and retried with exponential backoff until a 2xx. Chaos, for tests and demos:
``duplicates`` (probability of sending a genuine event twice), ``reorder`` (hold events and
release them shuffled), ``forged`` (probability of also sending a forged event: a new id
signed with a wrong secret), ``stale`` (a new id correctly signed with a timestamp 10 minutes
old), ``replays`` (resend an earlier delivery byte for byte, header included). Counters say
what was sent and what the receiver answered, so a test can prove 0 lost and 0 forged
accepted. Runs on its own thread (the sandbox's event loop never waits on a receiver).
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx


def stripe_signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


@dataclass
class Chaos:
    duplicates: float = 0.0
    reorder: int = 0
    """Hold this many events, then release them shuffled (0: in order)."""
    forged: float = 0.0
    stale: float = 0.0
    replays: float = 0.0

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Chaos:
        return cls(
            duplicates=float(body.get("duplicates", 0)),
            reorder=int(body.get("reorder", 0)),
            forged=float(body.get("forged", 0)),
            stale=float(body.get("stale", 0)),
            replays=float(body.get("replays", 0)),
        )


@dataclass(order=True)
class _Job:
    due: float
    order: int
    kind: str = field(compare=False)  # genuine | duplicate | forged | stale | replay
    event_id: str = field(compare=False)
    body: bytes = field(compare=False)
    header: str | None = field(compare=False, default=None)
    attempts: int = field(compare=False, default=0)


class WebhookSender:
    def __init__(self) -> None:
        self.url: str | None = None
        self.secret = ""
        self.chaos = Chaos()
        self.retry_base_s = 0.05
        self.retry_max_s = 2.0
        self.max_attempts = 200
        self._heap: list[_Job] = []
        self._held: list[_Job] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._busy = 0
        self._rng = random.Random(7)
        self._sent: list[tuple[bytes, str]] = []
        self.stats: Counter[str] = Counter()
        self.emitted: list[str] = []
        """Genuine event ids, in the order the sandbox produced them."""
        self.delivered: set[str] = set()
        self.refused: dict[str, int] = {}
        """Non-genuine ids (forged, stale) and the status the receiver answered."""

    def configure(
        self,
        url: str | None,
        secret: str,
        chaos: Chaos | None = None,
        *,
        retry_base_s: float = 0.05,
        retry_max_s: float = 2.0,
    ) -> None:
        with self._cond:
            self.url, self.secret = url, secret
            self.chaos = chaos or Chaos()
            self.retry_base_s, self.retry_max_s = retry_base_s, retry_max_s
            self._cond.notify_all()

    def reset(self) -> None:
        with self._cond:
            self._heap.clear()
            self._held.clear()
            self._sent.clear()
            self.stats.clear()
            self.emitted.clear()
            self.delivered.clear()
            self.refused.clear()
            self.url = None
            self.chaos = Chaos()

    # ------------------------------------------------------------------ producing
    def emit(self, event: dict[str, Any]) -> None:
        if self.url is None:
            return
        body = json.dumps(event).encode()
        with self._cond:
            self.emitted.append(event["id"])
            self.stats["emitted"] += 1
            jobs = [self._job("genuine", event["id"], body)]
            c, rng = self.chaos, self._rng
            if rng.random() < c.duplicates:
                jobs.append(self._job("duplicate", event["id"], body))
            if rng.random() < c.forged:
                fake = {**event, "id": f"evt_forged_{next(self._order)}"}
                jobs.append(self._job("forged", fake["id"], json.dumps(fake).encode()))
            if rng.random() < c.stale:
                old = {**event, "id": f"evt_stale_{next(self._order)}"}
                jobs.append(self._job("stale", old["id"], json.dumps(old).encode()))
            if c.reorder > 0:
                self._held.extend(jobs)
                if len(self._held) >= c.reorder:
                    self._release()
            else:
                for job in jobs:
                    heapq.heappush(self._heap, job)
            self._cond.notify_all()
        self._ensure_thread()

    def flush(self) -> None:
        """Release events held for reordering."""
        with self._cond:
            self._release()
            self._cond.notify_all()

    def _release(self) -> None:
        self._rng.shuffle(self._held)
        for job in self._held:
            job.due = time.monotonic()
            job.order = next(self._order)
            heapq.heappush(self._heap, job)
        self._held.clear()

    def _job(self, kind: str, event_id: str, body: bytes, header: str | None = None) -> _Job:
        return _Job(time.monotonic(), next(self._order), kind, event_id, body, header)

    def idle(self) -> bool:
        with self._cond:
            return not self._heap and not self._held and self._busy == 0

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout_s
        self.flush()
        while time.monotonic() < deadline:
            if self.idle():
                return True
            time.sleep(0.02)
        return False

    # ------------------------------------------------------------------ delivering
    def _ensure_thread(self) -> None:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while True:
                with self._cond:
                    while not self._heap or self._heap[0].due > time.monotonic():
                        wait = self._heap[0].due - time.monotonic() if self._heap else 1.0
                        self._cond.wait(max(0.005, min(wait, 1.0)))
                    job = heapq.heappop(self._heap)
                    self._busy += 1
                    url, secret = self.url, self.secret
                try:
                    if url is not None:
                        self._deliver(client, url, secret, job)
                finally:
                    with self._cond:
                        self._busy -= 1

    def _deliver(self, client: httpx.Client, url: str, secret: str, job: _Job) -> None:
        now = int(time.time())
        if job.header is not None:
            header = job.header
        elif job.kind == "forged":
            header = stripe_signature("whsec_" + "not-the-secret", job.body, now)
        elif job.kind == "stale":
            header = stripe_signature(secret, job.body, now - 600)
        else:
            header = stripe_signature(secret, job.body, now)
        self.stats[f"sent_{job.kind}"] += 1
        try:
            response = client.post(
                url,
                content=job.body,
                headers={"Stripe-Signature": header, "Content-Type": "application/json"},
            )
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        with self._cond:
            self.stats[f"status_{status}"] += 1
            if job.kind in ("forged", "stale"):
                self.refused[job.event_id] = status
                if 200 <= status < 300:
                    self.stats[f"{job.kind}_accepted"] += 1
                return
            if 200 <= status < 300:
                if job.kind == "genuine":
                    self.delivered.add(job.event_id)
                    self._sent.append((job.body, header))
                    if self._rng.random() < self.chaos.replays:
                        # A captured delivery sent again byte for byte, header included.
                        body, old = self._rng.choice(self._sent)
                        event_id = json.loads(body)["id"]
                        heapq.heappush(self._heap, self._job("replay", event_id, body, old))
                return
            if job.kind != "genuine" or job.attempts + 1 >= self.max_attempts:
                self.stats[f"gave_up_{job.kind}"] += 1
                return
            job.attempts += 1
            self.stats["retries"] += 1
            delay = min(self.retry_max_s, self.retry_base_s * 2 ** min(job.attempts, 10))
            job.due = time.monotonic() + self._rng.uniform(delay / 2, delay)
            job.order = next(self._order)
            heapq.heappush(self._heap, job)
            self._cond.notify_all()
