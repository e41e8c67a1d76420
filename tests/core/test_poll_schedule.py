"""polls(): the first read at once, then one after each interval, until the deadline."""

from __future__ import annotations

from omics_provider.core.timing import Backoff, Deadline, polls
from tests.support.clock import FakeClock


def test_polls_reads_first_at_once_then_after_each_interval() -> None:
    clock = FakeClock()
    start = clock.now
    read_at = [clock.now - start for _ in polls(Backoff(1, 2, 4), Deadline.after(clock, 12))]
    assert read_at == [0, 1, 3, 7, 11, 12]


def test_polls_with_no_time_left_still_reads_once() -> None:
    clock = FakeClock()
    assert list(polls(Backoff(1, 2, 4), Deadline.after(clock, 0))) == [0]
    assert clock.sleeps == []
