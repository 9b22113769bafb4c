"""Fixtures of the observability tests: log capture at info level."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from structlog.testing import LogCapture


@pytest.fixture
def logs() -> Iterator[list[dict[str, Any]]]:
    """Every structlog event (info and up) written during the test, as dicts."""
    capture = LogCapture()
    saved = dict(structlog.get_config())
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, capture],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    )
    try:
        yield capture.entries
    finally:
        structlog.configure(**saved)
