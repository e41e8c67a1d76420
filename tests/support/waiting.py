"""Waiting on a condition (never on a wall-clock duration) for tests that drive other processes."""

from __future__ import annotations

import time
from collections.abc import Callable

LIMIT_SECONDS = 60.0
"""A condition still false after this long fails the test (a hang, not a timing assumption)."""


def wait_until(condition: Callable[[], bool], what: str, seconds: float = LIMIT_SECONDS) -> None:
    """Return once condition() holds; AssertionError naming what when it never does."""
    give_up = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)
