"""The import-job flow: start the import once (or adopt it), wait for it, cancel it.

This is the only module that talks to the process's JobBoard. A create goes one way down: take a
start turn for the region, adopt an identical import that is running or recently succeeded, else
start one (waiting through the quota, never repeating a start that may have taken effect), then
converge with a racing run that started the same import, then wait.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from omics_provider.aws.calls import CLOCK_SKEW
from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.errors import (
    OutcomeUnknownError,
    ProviderError,
    QuotaExceededError,
    ResourceMissingError,
    RetriesExhaustedError,
)
from omics_provider.core.service import JOB_ACTIVE, JOB_UNSUCCESSFUL
from omics_provider.core.timing import Backoff, Deadline, polls
from omics_provider.flows.import_spec import ImportSpec, earliest, may_duplicate
from omics_provider.flows.job_board import JobBoard, board_for
from omics_provider.flows.job_report import (
    failure_message,
    items_done,
    partial_warning,
    timeout_message,
)

CANCEL_CONFIRM_SECONDS = 300.0
"""How long a cancel waits for the job to report CANCELLED."""
CONVERGE_SECONDS = 10.0
"""How long a start waits for its own job to appear in the store's job list (eventual
consistency) before deciding whether a racing run started the same import first."""
CONVERGE_POLL = Backoff(initial=0.5, factor=2.0, cap=4.0)


@dataclass(frozen=True)
class JobPolicy:
    """How a flow waits: status polling, quota polling, and the operation's timeout."""

    status_poll: Backoff
    quota_poll_seconds: float
    timeout_seconds: float


@dataclass(frozen=True)
class CreateRequest:
    """What one create asks for: the import, the resource that owns it, and how to proceed."""

    spec: ImportSpec
    owner: str
    adopt_job_id: str | None = None
    allow_reimport: bool = False
    wait: bool = True


class JobOwners:
    """Which resource of this deployment owns each job: one plugin process serves one stack."""

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}
        self._lock = threading.Lock()

    def claim(self, job_id: str, owner: str) -> str | None:
        """Record owner as job_id's owner; the other owner if another resource has it already."""
        with self._lock:
            current = self._owners.setdefault(job_id, owner)
            return None if current == owner else current


OWNERS = JobOwners()


def note_owner(job_id: str, owner: str) -> None:
    """Remember that the resource named owner records job_id (seen in its state)."""
    OWNERS.claim(job_id, owner)


class ImportJobFlow:
    """One resource's import job: create (start or adopt, then wait), wait, refresh, cancel."""

    def __init__(
        self, api: OmicsApi, board: JobBoard, policy: JobPolicy, owners: JobOwners = OWNERS
    ) -> None:
        self.api = api
        self.board = board
        self.policy = policy
        self.owners = owners
        self.ctx = api.ctx
        self.progress = api.ctx.progress
        self.clock = api.ctx.clock

    @classmethod
    def on_shared_board(cls, api: OmicsApi, policy: JobPolicy) -> ImportJobFlow:
        """A flow on the process's board for api's endpoint and resolved region."""
        meta = api.client.meta
        return cls(api, board_for((meta.endpoint_url, meta.region_name), api.ctx.clock), policy)

    # --- create -------------------------------------------------------------------------------
    def create(self, request: CreateRequest) -> dict[str, Any]:
        """The job this resource manages, started or adopted, waited for if asked, and settled.

        If this raises, no job of this resource is left running unrecorded that the next create
        would not adopt: a job still running after the timeout is adopted by the next `up`.
        """
        if request.adopt_job_id:
            job, started = self._adopt(request), False
        else:
            job, started = self._start_or_adopt(request)
        if request.wait and job["status"] in JOB_ACTIVE:
            job = self.wait(str(job["id"]), just_started=started)
        return self.settle(job)

    def _adopt(self, request: CreateRequest) -> dict[str, Any]:
        """The job adoptJobId names, after checking that it imports into the declared store."""
        job_id, spec = str(request.adopt_job_id), request.spec
        job = dict(self.api.get_job(job_id))
        if job.get("destinationName") != spec.destination_name:
            raise ProviderError(
                f"{self.ctx.resource}: adoptJobId {job_id} imports into store "
                f"{job.get('destinationName')!r}, not {spec.destination_name!r}; set "
                "destinationName to the job's store or adopt a job that imports into this one"
            )
        self._claim(job_id, request.owner)
        if not spec.same_import(job):
            self.progress.warn(f"adopted job {job_id} imports other files or settings than items")
        self.progress.line(f"adopted job {job_id} ({job['status']}) as adoptJobId asks")
        return job

    def _start_or_adopt(self, request: CreateRequest) -> tuple[dict[str, Any], bool]:
        """Within this region's start turn: an identical import to adopt, else a new job."""
        queued = self.board.waiting_starters()
        if queued:
            self.progress.line(f"queued behind {queued} imports waiting to start (job quota)")
        try:
            with self.board.turn(self.policy.timeout_seconds):
                return self._adopt_identical_or_start(request)
        except TimeoutError as stalled:
            raise ProviderError(
                f"{self.ctx.resource}: gave up waiting for a turn to start: {stalled}"
            ) from None

    def _adopt_identical_or_start(self, request: CreateRequest) -> tuple[dict[str, Any], bool]:
        spec = request.spec
        self._restart_clock()  # time queued for the turn does not count
        earlier: frozenset[str] = frozenset()
        if request.allow_reimport:
            earlier = frozenset(str(s["id"]) for s in self._identical(spec))
        elif twins := self._identical(spec):
            job = dict(self.api.get_job(str(earliest(twins)["id"])))
            self._claim(str(job["id"]), request.owner)
            self.progress.line(
                f"adopted job {job['id']} ({job['status']}): it already imports the same files "
                f"into {spec.destination_name}; set allowReimport to import again"
            )
            return job, False
        job_id = self._start(spec, earlier)
        self.progress.line(
            f"started job {job_id} into {spec.destination_name} ({len(spec.sources)} items)"
        )
        job_id = self._converge(spec, job_id, earlier)
        self._claim(job_id, request.owner)
        return submitted(job_id, spec), True

    def _start(self, spec: ImportSpec, earlier: frozenset[str]) -> str:
        """Start the import once and return its job id, waiting through the quota.

        StartVariantImportJob has no client token, so a start that failed in a way that may have
        started the job (a 5xx, or no answer) is never simply repeated: the job is looked for
        first, and adopted when it exists. earlier names identical jobs that existed before this
        start (allowReimport), which are never taken for it.
        """
        delays = self.ctx.retry_backoff.jittered(self.ctx.rand)
        while True:
            attempted_at = datetime.now(UTC)
            try:
                job_id = self.api.start_job(spec.start_request())
                break
            except QuotaExceededError:
                self._wait_for_quota()
            except OutcomeUnknownError as unknown:
                self.progress.line(
                    "the start got no clear answer; looking for the job before trying again"
                )
                self.ctx.deadline.sleep(next(delays))
                since = attempted_at - CLOCK_SKEW
                found = [s for s in self._identical(spec, since) if str(s["id"]) not in earlier]
                if found:
                    job_id = str(earliest(found)["id"])
                    break
                if self.ctx.deadline.expired():
                    raise ProviderError(str(unknown)) from None
        self.board.record_start(job_id, frozenset(spec.sources))
        return job_id

    def _wait_for_quota(self) -> None:
        """Wait until a job of this process ends (or the quota poll passes); the clock restarts."""
        self.progress.status(
            "quota", "waiting: the concurrent import job quota is full in this region"
        )
        try:
            self.board.wait_for_capacity(
                self.policy.timeout_seconds, self.policy.quota_poll_seconds
            )
        except TimeoutError as stalled:
            raise ProviderError(
                f"{self.ctx.resource}: StartVariantImportJob could not start: the concurrent "
                f"import job quota stayed full ({stalled}); wait for running jobs to end, raise "
                "the quota, or raise timeoutSeconds"
            ) from None
        self._restart_clock()  # the queue moved: time waiting in it does not count

    def _converge(self, spec: ImportSpec, job_id: str, earlier: frozenset[str]) -> str:
        """The job to keep: ours, unless a racing run started the same import first.

        There is no client token and no lock in the API, so two runs may both find nothing and
        both start. Every run then lists the store's jobs and keeps the earliest identical one
        (creation time, then id): the later run cancels its own job and adopts the earlier.
        """
        for _ in polls(CONVERGE_POLL, Deadline.after(self.clock, CONVERGE_SECONDS)):
            twins = [s for s in self._identical(spec) if str(s["id"]) not in earlier]
            if any(str(s["id"]) == job_id for s in twins):
                break
        else:
            self.progress.warn(f"job {job_id} does not appear in the store's job list yet")
            return job_id
        winner = str(earliest(twins)["id"])
        if winner != job_id:
            self.progress.line(
                f"job {winner} imports the same files into {spec.destination_name} and started "
                f"first (another run raced this one): cancelling job {job_id}, adopting {winner}"
            )
            self._cancel_race_loser(job_id)
        return winner

    def _cancel_race_loser(self, job_id: str) -> None:
        job = self.cancel(job_id)
        if job is not None and job.get("status") not in JOB_UNSUCCESSFUL:
            self.progress.warn(
                f"job {job_id} ended {job.get('status')} before it could be cancelled: "
                "its files were imported by both racing jobs"
            )

    def _identical(
        self, spec: ImportSpec, created_after: datetime | None = None
    ) -> list[Mapping[str, Any]]:
        """Summaries of running or recently successful jobs importing exactly spec's files."""
        now = datetime.now(UTC)
        return [
            summary
            for summary in self.api.jobs_into(spec.destination_name)
            if may_duplicate(summary, now, created_after)
            and spec.same_settings(summary)
            and self._sources_of(str(summary["id"])) == frozenset(spec.sources)
        ]

    def _sources_of(self, job_id: str) -> frozenset[str]:
        """The files job_id imports: remembered by the board, else read once."""
        known = self.board.known_sources(job_id)
        if known is None:
            known = frozenset(item["source"] for item in self.api.get_job(job_id)["items"])
            self.board.remember_sources(job_id, known)
        return known

    def _claim(self, job_id: str, owner: str) -> None:
        """Make owner the job's one owner; refuse a job another resource of this stack owns."""
        other = self.owners.claim(job_id, owner)
        if other is not None:
            raise ProviderError(
                f"{self.ctx.resource}: import job {job_id} already belongs to {other} of this "
                "stack (the same files into the same store); each file belongs to exactly one "
                "batch: remove one of the two resources or give them different files"
            )

    def _restart_clock(self) -> None:
        self.ctx.deadline = Deadline.after(self.clock, self.policy.timeout_seconds)

    # --- wait, settle, refresh, cancel ---------------------------------------------------------
    def wait(self, job_id: str, just_started: bool = False) -> dict[str, Any]:
        """Poll job_id until it ends and return it in full; ProviderError at the timeout.

        A job just started is known to be SUBMITTED, so the first read waits one interval. A
        status read that keeps failing transiently does not end the wait before the timeout.
        """
        self._restart_clock()
        deadline = self.ctx.deadline
        intervals = self.policy.status_poll.intervals()
        slept = self._pause(deadline, next(intervals)) if just_started else 0.0
        job: dict[str, Any] = {"id": job_id, "status": "SUBMITTED", "items": []}
        with self.board.watching(job_id):
            while True:
                job = self._read(job_id, max_age=slept / 2, last=job)
                status = str(job["status"])
                self.progress.status(status, f"job {job_id}: {status}, {items_done(job)}")
                if status not in JOB_ACTIVE:
                    return job
                if deadline.expired():
                    raise ProviderError(timeout_message(self.ctx.resource, job_id, status))
                slept = self._pause(deadline, next(intervals))

    def _read(self, job_id: str, max_age: float, last: dict[str, Any]) -> dict[str, Any]:
        """The job's latest status, items included when they matter; last when reads fail."""
        try:
            job = dict(self._shared_status(job_id, max_age))
            status_changed = job["status"] != self.progress.last_status
            if "items" not in job and (job["status"] not in JOB_ACTIVE or status_changed):
                job = dict(self.api.get_job(job_id))  # a batched summary has no items
        except RetriesExhaustedError:
            return last
        return {**job, "items": job.get("items", last.get("items", []))}

    def _pause(self, deadline: Deadline, interval: float) -> float:
        """Sleep about interval (shorter while starts wait for the quota); return the time slept.

        While other jobs are watched too, waking is aligned to multiples of interval on the shared
        clock, so waiters with the same interval wake together and one read serves them all.
        """
        if self.board.waiting_starters():
            interval = min(interval, self.policy.quota_poll_seconds)
        if self.board.watched_count() > 1:
            interval = until_next_multiple(self.clock.monotonic(), interval)
        deadline.sleep(interval)
        return interval

    def _shared_status(self, job_id: str, max_age: float) -> Mapping[str, Any]:
        """The job as read by any waiter within max_age seconds, else read now.

        One job watched alone is read in full (GetVariantImportJob, items included); several are
        read together (ListVariantImportJobs with up to 20 ids, summaries without items).
        """
        cached = self.board.shared_status(job_id, max_age)
        if cached is not None:
            return cached
        summaries: list[Mapping[str, Any]] = []
        try:
            ids = self.board.batch_for(job_id)
            if len(ids) == 1:
                summaries = [self.api.get_job(job_id)]
            else:
                summaries = list(self.api.jobs_by_id(ids))
        finally:
            self.board.end_read(summaries)
        found = next((s for s in summaries if str(s["id"]) == job_id), None)
        return found if found is not None else self.api.get_job(job_id)

    def settle(self, job: dict[str, Any]) -> dict[str, Any]:
        """job, once it imported something; ProviderError naming every failed item otherwise."""
        if job.get("status") in JOB_UNSUCCESSFUL:
            raise ProviderError(failure_message(self.ctx.resource, job))
        if job.get("status") == "COMPLETED_WITH_FAILURES":
            self.progress.warn(partial_warning(job))
        return job

    def refresh(self, job_id: str) -> dict[str, Any] | None:
        """The job in full, or None when the service no longer knows it."""
        try:
            return dict(self.api.get_job(job_id))
        except ResourceMissingError:
            return None

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Cancel job_id if it still runs and wait until it ended; return it as it ended.

        A finished or unknown job needs nothing (None when unknown). ProviderError when it does
        not report an end within CANCEL_CONFIRM_SECONDS.
        """
        self.ctx.deadline = Deadline.after(self.clock, CANCEL_CONFIRM_SECONDS)
        job = self.refresh(job_id)
        if job is None or job["status"] not in JOB_ACTIVE:
            return job
        try:
            self.api.cancel_job(job_id)
        except ResourceMissingError:
            return None
        except ProviderError:
            job = self.refresh(job_id)  # it may have finished between the read and the cancel
            if job is None or job["status"] not in JOB_ACTIVE:
                return job
            raise
        self.progress.line(f"cancelling job {job_id}")
        for _ in polls(self.policy.status_poll, self.ctx.deadline):
            job = self.refresh(job_id)
            if job is None or job["status"] not in JOB_ACTIVE:
                return job
        raise ProviderError(
            f"{self.ctx.resource}: import job {job_id} was cancelled but did not report "
            f"CANCELLED within {CANCEL_CONFIRM_SECONDS:.0f}s; check it with "
            "`aws omics get-variant-import-job` and run destroy again"
        )


def submitted(job_id: str, spec: ImportSpec) -> dict[str, Any]:
    """What a job just started is known to be, without reading it back."""
    items = [{"source": s, "jobStatus": "SUBMITTED", "statusMessage": ""} for s in spec.sources]
    return {"id": job_id, "status": "SUBMITTED", "statusMessage": "", "items": items}


def until_next_multiple(now: float, interval: float) -> float:
    """Seconds from now to the next multiple of interval at least half an interval away."""
    wake = (now // interval + 1) * interval
    return wake - now if wake - now >= interval / 2 else wake + interval - now
