"""Process-wide coordination of import jobs: FIFO starts through the quota, batched status reads.

One plugin process serves every VariantImportJob of a stack. Its creates share one JobBoard per
account endpoint and region: they take turns to start (so the concurrent-job quota admits them in
order and a refused start waits for one of this process's jobs to end, not for a blind timer), and
they read job statuses through ListVariantImportJobs with up to 20 job ids per call, so many
waiting creates cost about one status call per interval between them.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from omics_provider.core.timing import Clock

LIST_IDS_LIMIT = 20
"""ListVariantImportJobs accepts at most this many job ids per call."""

ACTIVE_STATUSES = frozenset({"SUBMITTED", "IN_PROGRESS"})
OWN_JOBS_FALLBACK = 6.0
TURN_RECHECK_SECONDS = 5.0
"""A caller waiting for its turn is woken by every start and end; this bounds a missed wake-up."""


@dataclass
class CachedStatus:
    """A job summary and when it was read."""

    read_at: float
    summary: dict[str, Any]


class JobBoard:
    """The shared state of one process's import jobs for one client (endpoint and region)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.changed = threading.Condition()
        self._turns: deque[object] = deque()
        self._watched: dict[str, int] = {}
        self._statuses: dict[str, CachedStatus] = {}
        self._sources: dict[str, frozenset[str]] = {}
        self._reading = False
        self.last_progress_at = clock.monotonic()

    # --- taking turns to start -------------------------------------------------------------
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
                    self._wait_for_progress(stall_seconds, TURN_RECHECK_SECONDS)
            except BaseException:
                self._turns.remove(ticket)
                self.changed.notify_all()
                raise
        try:
            yield
        finally:
            with self.changed:
                self._turns.remove(ticket)
                self.changed.notify_all()

    def waiting_starters(self) -> int:
        """How many creates are waiting for their turn or for quota."""
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

    # --- what each job imports (it never changes) ---------------------------------------------
    def remember_sources(self, job_id: str, sources: frozenset[str]) -> None:
        """Note the files job_id imports, so duplicate checks need not read it again."""
        with self.changed:
            self._sources[job_id] = sources

    def known_sources(self, job_id: str) -> frozenset[str] | None:
        """The files job_id imports, if this process has seen them."""
        with self.changed:
            return self._sources.get(job_id)

    # --- watching statuses ------------------------------------------------------------------
    @contextmanager
    def watching(self, job_id: str) -> Iterator[None]:
        """Include job_id in the batched status reads while the block runs."""
        with self.changed:
            self._watched[job_id] = self._watched.get(job_id, 0) + 1
        try:
            yield
        finally:
            with self.changed:
                self._watched[job_id] -= 1
                if not self._watched[job_id]:
                    del self._watched[job_id]
                    self._statuses.pop(job_id, None)

    def watched_count(self) -> int:
        """How many jobs are being waited for."""
        with self.changed:
            return len(self._watched)

    def read_status(
        self, job_id: str, max_age: float, read: Callable[[list[str]], list[dict[str, Any]]]
    ) -> dict[str, Any] | None:
        """job_id's summary as read within max_age seconds, else from one read shared by all.

        read(ids) reads up to LIST_IDS_LIMIT jobs at once; while one waiter's read is under way,
        the others wait for it rather than send their own. None when the service omits job_id.
        """
        with self.changed:
            while (cached := self.fresh_status(job_id, max_age)) is None and self._reading:
                self.clock.wait(self.changed, TURN_RECHECK_SECONDS)
            if cached is not None:
                return cached
            ids = self.batch_for(job_id)
            self._reading = True
        try:
            self.record_statuses(read(ids))
        finally:
            with self.changed:
                self._reading = False
                self.changed.notify_all()
        return self.fresh_status(job_id, math.inf)

    def fresh_status(self, job_id: str, max_age: float) -> dict[str, Any] | None:
        """The cached summary of job_id if read within max_age seconds, else None."""
        with self.changed:
            cached = self._statuses.get(job_id)
            if cached is None or self.clock.monotonic() - cached.read_at > max_age:
                return None
            return cached.summary

    def batch_for(self, job_id: str) -> list[str]:
        """The ids to read together with job_id: it first, then other watched jobs, 20 at most."""
        with self.changed:
            others = [j for j in self._watched if j != job_id]
        return [job_id, *others][:LIST_IDS_LIMIT]

    def record_statuses(self, summaries: list[dict[str, Any]]) -> None:
        """Store freshly read summaries; wake waiters when a job of this process ended."""
        now = self.clock.monotonic()
        with self.changed:
            ended = False
            for summary in summaries:
                job_id = str(summary["id"])
                before = self._statuses.get(job_id)
                was_active = before is None or before.summary.get("status") in ACTIVE_STATUSES
                ended |= was_active and summary.get("status") not in ACTIVE_STATUSES
                self._statuses[job_id] = CachedStatus(now, summary)
            if ended:
                self.last_progress_at = now
                self.changed.notify_all()


_boards: dict[object, JobBoard] = {}
_boards_lock = threading.Lock()


def board_for(key: object, clock: Clock) -> JobBoard:
    """The process's JobBoard for key (one per client endpoint and region)."""
    with _boards_lock:
        board = _boards.get(key)
        if board is None:
            board = _boards[key] = JobBoard(clock)
        return board
