"""What one plugin process knows of its import jobs under one quota: start turns, statuses.

One plugin process serves every import job of a stack. Its creates share one JobBoard per quota
group, endpoint and resolved region (see board_for): variant and annotation import jobs count
against one quota (L-876AD0A2), so both kinds share one board. Its creates take turns to start,
so the concurrent-job quota admits them in order and each sees what the earlier ones started;
they share each destination's import history (read once per process, see store_history); and
their waits share status reads per kind (one list of up to 20 ids of a kind serves every waiter
of that kind). The board only keeps state and waits on its condition: it never calls AWS.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from omics_provider.core.kinds import Destination, JobKind
from omics_provider.core.service import JOB_ACTIVE, LIST_IDS_LIMIT
from omics_provider.core.timing import Clock
from omics_provider.flows.store_history import StoreHistory

OWN_JOBS_FALLBACK = 6.0
"""While own jobs run, their ends wake quota waiters; the timer then only covers others' jobs."""
RECHECK_SECONDS = 5.0
"""A caller waiting on the board is woken by every start and end; this bounds a missed wake-up."""


@dataclass
class CachedStatus:
    """A job summary and when it was read."""

    read_at: float
    summary: Mapping[str, Any]


class JobBoard:
    """The shared state of one process's import jobs under one quota, endpoint and region.

    Watched jobs and their statuses are keyed by kind and job id: each kind has its own list
    operation, so a batched read covers the jobs of one kind.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.changed = threading.Condition()
        self._turns: deque[object] = deque()
        self._watched: dict[tuple[JobKind, str], int] = {}
        self._statuses: dict[tuple[JobKind, str], CachedStatus] = {}
        self._histories: dict[tuple[JobKind, Destination], StoreHistory] = {}
        self._reading: set[JobKind] = set()
        self.last_progress_at = clock.monotonic()

    # --- taking turns to start ---------------------------------------------------------------
    @contextmanager
    def turn(self, stall_seconds: float) -> Iterator[None]:
        """Hold the start turn: wait until every earlier caller has started, then yield.

        Raises TimeoutError when no start and no job end happened for stall_seconds.
        """
        ticket = object()
        with self.changed:
            self._turns.append(ticket)
            try:
                while self._turns[0] is not ticket:
                    self._wait_for_progress(stall_seconds, RECHECK_SECONDS)
            except BaseException:
                self._release(ticket)
                raise
        try:
            yield
        finally:
            with self.changed:
                self._release(ticket)

    def _release(self, ticket: object) -> None:
        self._turns.remove(ticket)
        self.changed.notify_all()

    def waiting_starters(self) -> int:
        """How many creates hold or wait for a start turn."""
        with self.changed:
            return len(self._turns)

    def wait_for_capacity(self, stall_seconds: float, seconds: float) -> None:
        """Wait until one of this process's jobs ends, or seconds pass, then return.

        While this process watches running jobs, their ends wake the caller, so the timer is only
        a fallback for quota freed by jobs of others and waits OWN_JOBS_FALLBACK times longer.
        Raises TimeoutError when no start and no job end happened for stall_seconds.
        """
        with self.changed:
            if self._watched:
                seconds *= OWN_JOBS_FALLBACK
            self._wait_for_progress(stall_seconds, seconds)

    def record_start(self) -> None:
        """Note that a job started: the queue moved."""
        with self.changed:
            self.last_progress_at = self.clock.monotonic()
            self.changed.notify_all()

    def _wait_for_progress(self, stall_seconds: float, seconds: float) -> None:
        stalled_for = self.clock.monotonic() - self.last_progress_at
        if stalled_for >= stall_seconds:
            raise TimeoutError(f"no import job started or ended for {stall_seconds:.0f}s")
        self.clock.wait(self.changed, min(seconds, stall_seconds - stalled_for))

    # --- what each destination holds ---------------------------------------------------------
    def history(self, kind: JobKind, destination: Destination) -> StoreHistory:
        """The history of kind's jobs into destination shared by every create of this process."""
        with self.changed:
            found = self._histories.get((kind, destination))
            if found is None:
                found = self._histories[kind, destination] = StoreHistory(kind, destination)
            return found

    # --- watching statuses --------------------------------------------------------------------
    @contextmanager
    def watching(self, kind: JobKind, job_id: str) -> Iterator[None]:
        """Include job_id (of kind) in the shared status reads while the block runs."""
        key = (kind, job_id)
        with self.changed:
            self._watched[key] = self._watched.get(key, 0) + 1
        try:
            yield
        finally:
            with self.changed:
                self._watched[key] -= 1
                if not self._watched[key]:
                    del self._watched[key]
                    self._statuses.pop(key, None)

    def watched_count(self) -> int:
        """How many jobs are being waited for."""
        with self.changed:
            return len(self._watched)

    def shared_status(self, kind: JobKind, job_id: str, max_age: float) -> Mapping[str, Any] | None:
        """job_id's summary if read within max_age seconds (waiting for a read of its kind under
        way).

        None means the caller must read now: it then holds the read of kind, reads
        batch_for(kind, job_id) and must call end_read(kind, ...) with what it read, or with
        nothing if the read failed.
        """
        with self.changed:
            while (cached := self._fresh(kind, job_id, max_age)) is None and kind in self._reading:
                self.clock.wait(self.changed, RECHECK_SECONDS)
            if cached is None:
                self._reading.add(kind)
            return cached

    def batch_for(self, kind: JobKind, job_id: str) -> list[str]:
        """The ids to read together with job_id: it first, then other watched jobs of its kind,
        20 at most."""
        if not kind.list_by_ids:
            return [job_id]
        with self.changed:
            others = [j for k, j in self._watched if k == kind and j != job_id]
        return [job_id, *others][:LIST_IDS_LIMIT]

    def end_read(self, kind: JobKind, summaries: list[Mapping[str, Any]]) -> None:
        """Store freshly read summaries of kind's jobs, release the read, and wake waiters (and
        quota waiters when a job of this process ended)."""
        now = self.clock.monotonic()
        with self.changed:
            ended = False
            for summary in summaries:
                key = (kind, str(summary["id"]))
                before = self._statuses.get(key)
                was_active = before is None or before.summary.get("status") in JOB_ACTIVE
                ended |= was_active and summary.get("status") not in JOB_ACTIVE
                self._statuses[key] = CachedStatus(now, summary)
            if ended:
                self.last_progress_at = now
            self._reading.discard(kind)
            self.changed.notify_all()

    def _fresh(self, kind: JobKind, job_id: str, max_age: float) -> Mapping[str, Any] | None:
        cached = self._statuses.get((kind, job_id))
        if cached is None or self.clock.monotonic() - cached.read_at > max_age:
            return None
        return cached.summary


_boards: dict[object, JobBoard] = {}
_boards_lock = threading.Lock()


def board_for(kind: JobKind, endpoint: str, region: str | None, clock: Clock) -> JobBoard:
    """The process's JobBoard for kind's quota group at endpoint in the resolved region: kinds
    that count against one quota (variant and annotation import jobs) share it."""
    key = (kind.quota_group, endpoint, region)
    with _boards_lock:
        board = _boards.get(key)
        if board is None:
            board = _boards[key] = JobBoard(clock)
        return board
