"""A generic wait loop: read a state until it is final, with backoff, progress and a deadline."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .errors import ProviderError
from .polling import Backoff, Deadline

T = TypeVar("T")


def poll_until(
    read: Callable[[], T],
    done: Callable[[T], bool],
    backoff: Backoff,
    deadline: Deadline,
    timeout_message: Callable[[T], str],
    report: Callable[[T], None] | None = None,
) -> T:
    """Call read() until done(state), sleeping backoff's intervals, and return the last state.

    report(state) sees every state read (e.g. to print a progress line when it changes). When the
    deadline passes first, raise a ProviderError with timeout_message(last state).
    """
    intervals = backoff.intervals()
    while True:
        state = read()
        if report is not None:
            report(state)
        if done(state):
            return state
        if deadline.expired():
            raise ProviderError(timeout_message(state))
        deadline.sleep(next(intervals))
