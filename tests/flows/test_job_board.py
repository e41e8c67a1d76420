"""The JobBoard: start turns in arrival order, shared status reads, stall detection."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from functools import partial

import pytest

from omics_provider.core.kinds import ANNOTATION_IMPORT
from omics_provider.core.kinds import VARIANT_IMPORT as V
from omics_provider.core.service import LIST_IDS_LIMIT
from omics_provider.core.timing import SYSTEM_CLOCK
from omics_provider.flows.job_board import JobBoard, board_for
from tests.support.clock import FakeClock
from tests.support.waiting import LIMIT_SECONDS, wait_until


def test_turn_admits_callers_in_arrival_order() -> None:
    board = JobBoard(SYSTEM_CLOCK)
    order: list[int] = []
    first_holds = threading.Event()

    def take_turn(n: int) -> None:
        with board.turn(stall_seconds=30):
            order.append(n)
            if n == 0:
                first_holds.wait(LIMIT_SECONDS)

    threads = [threading.Thread(target=take_turn, args=(n,)) for n in range(4)]
    for arrived, thread in enumerate(threads, start=1):
        thread.start()  # the next one starts only once this one is in the queue
        wait_until(partial(queued, board, arrived), f"caller {arrived} to queue")
    first_holds.set()
    for thread in threads:
        thread.join(LIMIT_SECONDS)
    assert order == [0, 1, 2, 3]
    assert board.waiting_starters() == 0


def queued(board: JobBoard, callers: int) -> bool:
    return board.waiting_starters() == callers


def test_wait_for_capacity_raises_when_nothing_moved_for_stall_seconds() -> None:
    clock = FakeClock()
    board = JobBoard(clock)
    with pytest.raises(TimeoutError, match="no import job started or ended for 30s"):
        for _ in range(10):
            board.wait_for_capacity(stall_seconds=30, seconds=10)


def read(board: JobBoard, *summaries: dict[str, str]) -> None:
    """One status read by a waiter: take the read, record what it returned."""
    assert board.shared_status(V, summaries[0]["id"], max_age=0) is None
    board.end_read(V, list(summaries))


def test_end_read_of_an_ended_job_counts_as_progress() -> None:
    clock = FakeClock()
    board = JobBoard(clock)
    with board.watching(V, "job-1"):
        read(board, {"id": "job-1", "status": "IN_PROGRESS"})
        clock.sleep(25)
        assert board.last_progress_at == clock.now - 25
        read(board, {"id": "job-1", "status": "COMPLETED"})
        assert board.last_progress_at == clock.now
        clock.sleep(25)
        board.wait_for_capacity(stall_seconds=30, seconds=1)  # 25s since the end: no timeout


def test_batch_for_puts_the_job_first_and_caps_at_the_list_limit() -> None:
    board = JobBoard(FakeClock())
    with ExitStack() as watching:
        for n in range(30):
            watching.enter_context(board.watching(V, f"job-{n}"))
        batch = board.batch_for(V, "job-29")
    assert batch[0] == "job-29"
    assert len(batch) == LIST_IDS_LIMIT
    assert len(set(batch)) == LIST_IDS_LIMIT


def test_shared_status_serves_a_fresh_read_and_expires_after_max_age() -> None:
    clock = FakeClock()
    board = JobBoard(clock)
    with board.watching(V, "job-1"):
        read(board, {"id": "job-1", "status": "SUBMITTED"})
        assert board.shared_status(V, "job-1", max_age=5) == {"id": "job-1", "status": "SUBMITTED"}
        clock.sleep(6)
        assert board.shared_status(V, "job-1", max_age=5) is None  # the caller reads now
        board.end_read(V, [])


def test_shared_status_waits_for_the_read_under_way_instead_of_reading_again() -> None:
    board = JobBoard(SYSTEM_CLOCK)
    with board.watching(V, "job-1"), board.watching(V, "job-2"):
        assert board.shared_status(V, "job-1", max_age=5) is None  # this waiter reads
        seen: list[object] = []
        other = threading.Thread(target=lambda: seen.append(board.shared_status(V, "job-2", 5)))
        other.start()
        time.sleep(0.1)
        assert seen == []  # the second waiter waits for the first one's read
        board.end_read(
            V, [{"id": "job-1", "status": "SUBMITTED"}, {"id": "job-2", "status": "DONE"}]
        )
        other.join(5)
    assert seen == [{"id": "job-2", "status": "DONE"}]


def test_watching_forgets_the_status_when_the_last_watcher_leaves() -> None:
    board = JobBoard(FakeClock())
    with board.watching(V, "job-1"):
        read(board, {"id": "job-1", "status": "SUBMITTED"})
    assert board.shared_status(V, "job-1", max_age=100) is None
    board.end_read(V, [])
    assert board.batch_for(V, "job-2") == ["job-2"]


def test_board_for_shares_one_board_between_kinds_that_share_a_quota() -> None:
    clock = FakeClock()
    board = board_for(V, "http://127.0.0.1:1", "eu-west-1", clock)
    assert V.quota_group == ANNOTATION_IMPORT.quota_group
    assert board_for(ANNOTATION_IMPORT, "http://127.0.0.1:1", "eu-west-1", clock) is board
    assert board_for(V, "http://127.0.0.1:1", "eu-west-2", clock) is not board
    assert board_for(V, "http://127.0.0.1:2", "eu-west-1", clock) is not board


def test_batch_for_reads_only_the_watched_jobs_of_its_kind() -> None:
    board = JobBoard(FakeClock())
    with board.watching(V, "job-1"), board.watching(ANNOTATION_IMPORT, "job-2"):
        assert board.batch_for(V, "job-3") == ["job-3", "job-1"]
        assert board.batch_for(ANNOTATION_IMPORT, "job-3") == ["job-3", "job-2"]


def test_shared_status_of_one_kind_is_not_served_to_the_other() -> None:
    board = JobBoard(FakeClock())
    with board.watching(V, "job-1"), board.watching(ANNOTATION_IMPORT, "job-1"):
        read(board, {"id": "job-1", "status": "SUBMITTED"})
        assert board.shared_status(ANNOTATION_IMPORT, "job-1", max_age=100) is None
        board.end_read(ANNOTATION_IMPORT, [])
