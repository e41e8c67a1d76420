"""Backoff schedules, deadlines and progress lines, on a fake clock."""

from __future__ import annotations

import io
import itertools

import pytest

from omics_provider.core.progress import HEARTBEAT_SECONDS, Progress, format_elapsed
from omics_provider.core.timing import STATUS_POLL, Backoff, Deadline
from tests.support.clock import FakeClock


def test_backoff_grows_by_factor_then_stays_at_cap() -> None:
    schedule = list(itertools.islice(Backoff(1, 2, 10).intervals(), 6))
    assert schedule == [1, 2, 4, 8, 10, 10]


def test_backoff_scaled_scales_initial_and_cap() -> None:
    assert Backoff(2, 2, 120).scaled(0.5) == Backoff(1, 2, 60)


def test_status_poll_starts_short_and_caps_at_two_minutes() -> None:
    schedule = list(itertools.islice(STATUS_POLL.intervals(), 20))
    assert schedule[0] <= 5
    assert max(schedule) == 120


def test_deadline_sleep_never_passes_the_deadline() -> None:
    clock = FakeClock()
    deadline = Deadline.after(clock, 10)
    deadline.sleep(7)
    deadline.sleep(7)
    assert clock.sleeps == [7, 3]
    assert deadline.expired()
    assert deadline.remaining() == 0


@pytest.mark.parametrize(("seconds", "text"), [(5, "5s"), (65, "1m05s"), (3600 * 2 + 180, "2h03m")])
def test_format_elapsed_reads_naturally(seconds: float, text: str) -> None:
    assert format_elapsed(seconds) == text


def test_progress_status_prints_on_change_and_on_heartbeat_only() -> None:
    clock, stream = FakeClock(), io.StringIO()
    progress = Progress("VariantImportJob", "batch-1", clock, stream)
    progress.status("SUBMITTED", "job j: SUBMITTED")
    progress.status("SUBMITTED", "job j: SUBMITTED again")
    clock.sleep(HEARTBEAT_SECONDS)
    progress.status("SUBMITTED", "job j: still SUBMITTED")
    progress.status("IN_PROGRESS", "job j: IN_PROGRESS")
    lines = stream.getvalue().splitlines()
    assert lines == [
        "[VariantImportJob batch-1] job j: SUBMITTED (0s)",
        "[VariantImportJob batch-1] job j: still SUBMITTED (3m00s)",
        "[VariantImportJob batch-1] job j: IN_PROGRESS (3m00s)",
    ]
