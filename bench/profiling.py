"""Sampling profiles (py-spy) of the process under test, summarised into named costs.

``py-spy record --native --format raw`` writes one line per distinct stack ("frame;frame;...
count"), Python and C frames interleaved. The native frames matter: CPython's cyclic garbage
collector runs inside whichever Python line allocated the object that tipped a generation
over its threshold, so without them its cost is smeared over innocent-looking frames (a
namedtuple's ``<lambda>`` in graphql-core's validator, for one).

From the stacks: the share of CPU samples in each component — the garbage collector when
``gc_collect_main`` is on the stack, otherwise the package of the deepest frame that belongs
to a known package (stdlib frames such as asyncio's socket write are charged to the package
that called them); the functions with the most own time (deepest Python frame); Colonnade's
functions with the most inclusive time; and, for GC samples, which Python code triggered
them. Idle time is not sampled (py-spy's default): shares are shares of CPU, not wall time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT_DIRS = ("colonnade/", "connectors/", "resolvers/", "schema/")
GC = "CPython cyclic garbage collector"
_GC_FRAMES = ("gc_collect_main", "gc_collect_with_callback", "gc_collect_generations")
_DRIVER = ("BaseEventLoop._run_once", "Handle._run")
_COMPONENTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("strawberry/",), "Strawberry (schema layer)"),
    (("graphql/",), "graphql-core (executor, validation, parser)"),
    (("zeep/", "lxml/"), "zeep/lxml (SOAP envelopes)"),
    (("pydantic/", "pydantic_core/"), "pydantic (validation, models)"),
    (("httpx/", "httpcore/", "anyio/", "sniffio/"), "HTTP client (httpx, httpcore)"),
    (("uvicorn/", "starlette/", "h11/"), "HTTP server (uvicorn, starlette, h11)"),
    (("aiodataloader/",), "aiodataloader"),
    (("colonnade/pipeline/",), "Colonnade pipeline (cache, breaker, retry, singleflight)"),
    (PROJECT_DIRS, "Colonnade (connectors, resolvers, schema, app)"),
    (("structlog/",), "structlog"),
    (("baseline.py",), "baseline's own code"),
)


def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return found if Path(found).exists() else None


def _base_argv(out: Path, rate: int) -> list[str]:
    exe = py_spy()
    if exe is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    return [exe, "record", "--rate", str(rate), "--format", "raw", "--output", str(out), "--native"]


def record_pid(pid: int, seconds: float, out: Path, rate: int = 200) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` for ``seconds`` (returns at once; ``wait()`` for the file)."""
    argv = [*_base_argv(out, rate), "--pid", str(pid), "--duration", str(int(seconds))]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _stacks(raw: Path) -> Iterator[tuple[list[str], int]]:
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def _is_python(frame: str) -> bool:
    return ".py:" in frame or "(<string>" in frame or "(<frozen" in frame


def _function(frame: str) -> str:
    """``"send (httpx/_client.py:1629)"`` -> ``"send (httpx/_client.py)"``."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


def _file(frame: str) -> str:
    return frame.partition(" (")[2].rsplit(":", 1)[0]


def _task_frames(python: list[str]) -> list[str]:
    """The frames below the event loop's driver (the running task's own), outermost first."""
    for i in range(len(python) - 1, -1, -1):
        if python[i].startswith(_DRIVER):
            return python[i + 1 :]
    return python


def component(stack: list[str]) -> str:
    """What the sample was doing (see the module docstring)."""
    if any(f.startswith(_GC_FRAMES) for f in stack):
        return GC
    python = [f for f in stack if _is_python(f)]
    if not python:
        return "native (no Python frame)"
    files = [_file(f) for f in python]
    if files[-1].startswith("<frozen importlib") and any("httpcore/" in f for f in files):
        return "failed `import sniffio` in httpcore (every call)"
    if files[-1].startswith("<frozen importlib"):
        return "import machinery"
    for frame in reversed(_task_frames(python)):
        where = _file(frame)
        for prefixes, name in _COMPONENTS:
            if where.startswith(prefixes) or any(f"/{p}" in where for p in prefixes):
                return name
    if files[-1].startswith(("asyncio/", "selectors.py")):
        return "asyncio event loop"
    if files[-1].startswith("json/"):
        return "json"
    return "other (stdlib)"


def summarize(raw: Path, top: int = 15) -> dict[str, Any]:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    components: Counter[str] = Counter()
    gc_from: Counter[str] = Counter()
    total = 0
    for stack, n in _stacks(raw):
        python = [f for f in stack if _is_python(f)]
        if not python:
            continue
        total += n
        what = component(stack)
        components[what] += n
        if what == GC:
            gc_from[_function(python[-1])] += n
        else:
            own[_function(python[-1])] += n
        for fn in {_function(f) for f in python}:
            inclusive[fn] += n
    if total == 0:
        return {"samples": 0}

    def pct(n: int) -> float:
        return round(100 * n / total, 1)

    project = [
        (fn, n)
        for fn, n in inclusive.most_common()
        if any(f"({d}" in fn for d in PROJECT_DIRS) and "cli.py" not in fn
    ]
    return {
        "samples": total,
        "components": [{"component": c, "cpu_pct": pct(n)} for c, n in components.most_common()],
        "top_own_excluding_gc": [
            {"function": fn, "cpu_pct": pct(n)} for fn, n in own.most_common(top)
        ],
        "top_project_inclusive": [{"function": fn, "cpu_pct": pct(n)} for fn, n in project[:top]],
        "gc_triggered_in": [
            {"function": fn, "cpu_pct": pct(n)} for fn, n in gc_from.most_common(5)
        ],
    }
