"""Time and waiting: an injectable clock, backoff schedules, deadlines and the poll schedule."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol


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

    def jittered(self, rand: Callable[[], float] = random.random) -> Iterator[float]:
        """The schedule with full jitter, as botocore's standard retries: rand() * interval.

        Spreads the retries of callers that failed together, so they do not come back together.
        """
        return (rand() * interval for interval in self.intervals())

    def scaled(self, scale: float) -> Backoff:
        """The same schedule with every interval multiplied by scale."""
        return Backoff(self.initial * scale, self.factor, self.cap * scale)


STATUS_POLL = Backoff(initial=2.0, factor=2.0, cap=120.0)
"""How often a job's or a store's status is read while waiting for it (no jitter: waiters that
wake together share one read)."""

RETRY_BACKOFF = Backoff(initial=1.0, factor=2.0, cap=20.0)
"""The ceiling of the (jittered) wait before repeating a call that failed transiently."""


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

    def within(self, seconds: float) -> Deadline:
        """A deadline seconds from now, or this one if it comes sooner."""
        return Deadline(self.clock, min(self.expires_at, self.clock.monotonic() + seconds))


def polls(backoff: Backoff, deadline: Deadline) -> Iterator[int]:
    """Yield the poll number at once, then after each of backoff's intervals, while time is left.

    A loop over it reads a state and returns when the state is final; when the loop ends without
    returning, the deadline passed after one last read.
    """
    intervals = backoff.intervals()
    count = 0
    yield count
    while not deadline.expired():
        deadline.sleep(next(intervals))
        count += 1
        yield count
