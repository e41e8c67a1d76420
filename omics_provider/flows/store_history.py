"""A destination's import history: which files its jobs imported or are importing, read once.

The store's own jobs are the ground truth of what it holds. A file is *held* when an item of a
COMPLETED or COMPLETED_WITH_FAILURES job of the kind into the destination (a variant store; an
annotation store version) ended COMPLETED (of any age), and *being
imported* while a SUBMITTED or IN_PROGRESS job lists it. Finished jobs never change, so one
process lists the store's jobs once (every page once) and reads each finished job once; later
refreshes list only the running jobs (a status filter: one short page each) and read a job again
only when it ends. One StoreHistory per kind and destination is shared by every create of the
process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.errors import ResourceMissingError
from omics_provider.core.kinds import Destination, JobKind
from omics_provider.core.service import JOB_ACTIVE, JOB_SUCCEEDED
from omics_provider.core.timing import Deadline

IMPORTED = "COMPLETED"
"""An item with this status is in the store (in a COMPLETED_WITH_FAILURES job too)."""
READERS = 4
"""Finished jobs read at once (the get operations have a low request-rate quota)."""


@dataclass(frozen=True)
class Holdings:
    """A store's import jobs as last read: what each ended job imported, what each running job
    lists and its status. A file in several jobs is credited to the smallest job id."""

    store: str
    finished: Mapping[str, frozenset[str]]
    active: Mapping[str, frozenset[str]]
    statuses: Mapping[str, str]

    @property
    def jobs(self) -> int:
        """How many jobs the store has (as far as they were listed)."""
        return len(self.finished) + len(self.active)

    @property
    def held(self) -> dict[str, str]:
        """Each file in the store and the (first listed) job that imported it."""
        return _first_job(self.finished, frozenset())

    @property
    def running(self) -> dict[str, str]:
        """Each file a running job lists and that job (the first listed)."""
        return _first_job(self.active, frozenset())

    def holders(self, ignore: frozenset[str] = frozenset()) -> dict[str, str]:
        """Each file held or being imported, and the job that did it (ended jobs first), leaving
        out the jobs in ignore."""
        return {**_first_job(self.active, ignore), **_first_job(self.finished, ignore)}


def _first_job(jobs: Mapping[str, frozenset[str]], ignore: frozenset[str]) -> dict[str, str]:
    """Each file and the job (smallest id first, as racing runs pick their winner) listing it."""
    found: dict[str, str] = {}
    for job_id in sorted(jobs):
        if job_id not in ignore:
            for source in jobs[job_id]:
                found.setdefault(source, job_id)
    return found


@dataclass
class StoreHistory:
    """What one process knows of one destination's import jobs of kind (thread-safe); never
    calls AWS.

    finished: job id -> the files the job imported (an ended job never changes).
    active: job id -> the files a running job lists, in the order its id was first seen.
    """

    kind: JobKind
    destination: Destination
    listed: bool = False
    finished: dict[str, frozenset[str]] = field(default_factory=dict)
    active: dict[str, frozenset[str]] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    abandoned: set[str] = field(default_factory=set)
    refreshed_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def store(self) -> str:
        """The store the destination is in."""
        return dict(self.destination)[self.kind.store_key]

    def note_start(self, job_id: str, sources: Iterable[str]) -> None:
        """Record a job this process started: running, listing sources (lists may lag)."""
        with self.lock:
            self.active[job_id] = frozenset(sources)
            self.statuses[job_id] = "SUBMITTED"

    def abandon(self, job_id: str) -> None:
        """Record that this process cancelled job_id: it imports nothing, whatever its status."""
        with self.lock:
            self.abandoned.add(job_id)
            self.active.pop(job_id, None)
            self.statuses.pop(job_id, None)
            self.finished[job_id] = frozenset()

    def holdings(self) -> Holdings:
        """What the jobs known so far hold and import (call under a refresh for fresh data)."""
        return Holdings(self.store, dict(self.finished), dict(self.active), dict(self.statuses))


def refresh(
    api: OmicsApi,
    history: StoreHistory,
    deadline: Deadline,
    since: float | None = None,
    full: bool = False,
) -> Holdings:
    """The store's holdings now: every page listed the first time (or when full), only running
    jobs after; every call bounded by deadline.

    A job is read (the kind's get) when its files are not known yet and once more when it
    ends; never again. Creates of one process share history, so the lock makes them take turns;
    with since (a monotonic time), a refresh made at or after it serves again: creates queued
    together share one read that is no older than their own arrival.
    """
    clock = api.ctx.clock
    with history.lock:
        last = history.refreshed_at
        if since is not None and last is not None and last >= since:
            return history.holdings()
        if history.listed and not full:
            summaries = [
                s
                for status in JOB_ACTIVE
                for s in api.jobs_into(history.kind, history.destination, status, deadline=deadline)
            ]
        else:
            summaries = list(api.jobs_into(history.kind, history.destination, deadline=deadline))
        _merge(api, history, summaries, deadline, full=full or not history.listed)
        history.listed = True
        history.refreshed_at = clock.monotonic()
        return history.holdings()


def _merge(
    api: OmicsApi,
    history: StoreHistory,
    summaries: Sequence[Mapping[str, Any]],
    deadline: Deadline,
    full: bool,
) -> None:
    """Fold a listing into history: new finished jobs read, running jobs' files read once, and
    jobs that were running but are not in a running list any more read as ended."""
    running: dict[str, Mapping[str, Any]] = {}
    ended: list[str] = []
    for summary in summaries:
        job_id = str(summary["id"])
        if job_id in history.finished or not _lands_in(summary, history.destination):
            continue
        if summary.get("status") in JOB_ACTIVE:
            running[job_id] = summary
            if job_id in history.active:
                history.statuses[job_id] = str(summary["status"])
        elif summary.get("status") in JOB_SUCCEEDED:
            ended.append(job_id)
        else:  # FAILED or CANCELLED: nothing of it is in the store
            history.finished[job_id] = frozenset()
            history.active.pop(job_id, None)
            history.statuses.pop(job_id, None)
    if not full:
        ended += [job_id for job_id in history.active if job_id not in running]
    unknown = [job_id for job_id in running if job_id not in history.active]
    for job in _read_all(api, history, [*ended, *unknown], deadline):
        _record(history, job)


def _lands_in(summary: Mapping[str, Any], destination: Destination) -> bool:
    """Whether the job summary names destination (a store's list holds every version's jobs)."""
    return all(summary.get(key) == value for key, value in destination)


def _read_all(
    api: OmicsApi, history: StoreHistory, job_ids: list[str], deadline: Deadline
) -> list[Mapping[str, Any]]:
    """Each job read in full, READERS at a time; a job the service no longer knows is left out."""

    def read(job_id: str) -> Mapping[str, Any] | None:
        try:
            return api.get_job(history.kind, job_id, history.destination, deadline=deadline)
        except ResourceMissingError:
            return {"id": job_id, "status": "FAILED", "items": []}

    if len(job_ids) <= 1:
        jobs = [read(job_id) for job_id in job_ids]
    else:
        with ThreadPoolExecutor(READERS) as pool:
            jobs = list(pool.map(read, job_ids))
    return [job for job in jobs if job is not None]


def _record(history: StoreHistory, job: Mapping[str, Any]) -> None:
    job_id = str(job["id"])
    if job.get("status") in JOB_ACTIVE and job_id not in history.abandoned:
        history.active[job_id] = frozenset(str(item["source"]) for item in job.get("items", ()))
        history.statuses[job_id] = str(job["status"])
        return
    history.active.pop(job_id, None)
    history.statuses.pop(job_id, None)
    history.finished[job_id] = imported_sources(job)


def imported_sources(job: Mapping[str, Any]) -> frozenset[str]:
    """The files an ended job (read in full) put into the store: its items that COMPLETED."""
    if job.get("status") not in JOB_SUCCEEDED:
        return frozenset()
    return frozenset(
        str(item["source"]) for item in job.get("items", ()) if item.get("jobStatus") == IMPORTED
    )


def read_store(
    api: OmicsApi, kind: JobKind, destination: Destination, deadline: Deadline
) -> Holdings:
    """Every job of kind into destination, read once within deadline: for
    `omics-variant-import plan --store`."""
    return refresh(api, StoreHistory(kind, destination), deadline)
