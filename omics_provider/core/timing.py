"""Time and waiting: an injectable clock, backoff schedules, deadlines and the poll loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from omics_provider.core.errors import ProviderError

T = TypeVar("T")


class Clock(Protocol):
    """Monotonic time and sleep; tests inject a fake one so nothing really waits."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def wait(self, condition: threading.Condition, seconds: float) -> None:
        """Wait on condition (held by the caller) until notified or seconds pass."""


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def wait(self, condition: threading.Condition, seconds: float) -> None:
        condition.wait(max(0.0, seconds))


SYSTEM_CLOCK: Clock = SystemClock()


@dataclass(frozen=True)
class Backoff:
    """Intervals that start at initial, grow by factor, and stay at cap."""

    initial: float = 2.0
    factor: float = 2.0
    cap: float = 120.0

    def intervals(self) -> Iterator[float]:
        """The endless schedule of intervals."""
        interval = self.initial
        while True:
            yield min(interval, self.cap)
            interval = min(interval * self.factor, self.cap)

    def scaled(self, scale: float) -> Backoff:
        """The same schedule with every interval multiplied by scale."""
        return Backoff(self.initial * scale, self.factor, self.cap * scale)


STATUS_POLL = Backoff(initial=2.0, factor=2.0, cap=120.0)
"""How often a job's or a store's status is read while waiting for it."""

RETRY_BACKOFF = Backoff(initial=0.5, factor=2.0, cap=20.0)
"""How long to wait before repeating a call that was throttled or failed on the server side."""


@dataclass
class Deadline:
    """A point in time on a clock, after which waiting stops."""

    clock: Clock
    expires_at: float

    @classmethod
    def after(cls, clock: Clock, seconds: float) -> Deadline:
        """A deadline seconds from now."""
        return cls(clock, clock.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.expires_at - self.clock.monotonic())

    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self.remaining() <= 0.0

    def sleep(self, seconds: float) -> None:
        """Sleep seconds, or until the deadline if it comes sooner."""
        self.clock.sleep(min(seconds, self.remaining()))


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
