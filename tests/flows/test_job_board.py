"""The JobBoard: start turns in arrival order, batched status reads, stall detection."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack

import pytest

from omics_provider.core.timing import SYSTEM_CLOCK
from omics_provider.flows.job_board import LIST_IDS_LIMIT, JobBoard
from tests.support.clock import FakeClock


def test_turn_admits_callers_in_arrival_order() -> None:
    board = JobBoard(SYSTEM_CLOCK)
    order: list[int] = []
    first_holds = threading.Event()

    def take_turn(n: int) -> None:
        with board.turn(stall_seconds=30):
            order.append(n)
            if n == 0:
                first_holds.wait(5)

    threads = [threading.Thread(target=take_turn, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    assert board.waiting_starters() == 4
    first_holds.set()
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2, 3]
    assert board.waiting_starters() == 0


def test_wait_for_capacity_raises_when_nothing_moved_for_stall_seconds() -> None:
    clock = FakeClock()
    board = JobBoard(clock)
    with pytest.raises(TimeoutError, match="no import job started or ended for 30s"):
        for _ in range(10):
            board.wait_for_capacity(stall_seconds=30, seconds=10)


def test_record_statuses_of_an_ended_job_counts_as_progress() -> None:
    clock = FakeClock()
    board = JobBoard(clock)
    with board.watching("job-1"):
        board.record_statuses([{"id": "job-1", "status": "IN_PROGRESS"}])
        clock.sleep(25)
        assert board.last_progress_at == clock.now - 25
        board.record_statuses([{"id": "job-1", "status": "COMPLETED"}])
        assert board.last_progress_at == clock.now
        clock.sleep(25)
        board.wait_for_capacity(stall_seconds=30, seconds=1)  # 25s since the end: no timeout


def test_batch_for_puts_the_job_first_and_caps_at_the_list_limit() -> None:
    board = JobBoard(FakeClock())
    with ExitStack() as watching:
        for n in range(30):
            watching.enter_context(board.watching(f"job-{n}"))
        batch = board.batch_for("job-29")
    assert batch[0] == "job-29"
    assert len(batch) == LIST_IDS_LIMIT
    assert len(set(batch)) == LIST_IDS_LIMIT


def test_fresh_status_expires_after_max_age() -> None:
    clock = FakeClock()
    board = JobBoard(clock)
    with board.watching("job-1"):
        board.record_statuses([{"id": "job-1", "status": "SUBMITTED"}])
        assert board.fresh_status("job-1", max_age=5) == {"id": "job-1", "status": "SUBMITTED"}
        clock.sleep(6)
        assert board.fresh_status("job-1", max_age=5) is None


def test_watching_forgets_the_status_when_the_last_watcher_leaves() -> None:
    board = JobBoard(FakeClock())
    with board.watching("job-1"):
        board.record_statuses([{"id": "job-1", "status": "SUBMITTED"}])
    assert board.fresh_status("job-1", max_age=100) is None
    assert board.batch_for("job-2") == ["job-2"]
