"""The import-job flow: import what the store lacks once, record what it holds, wait, cancel.

This is the only module that talks to the process's JobBoard. A create goes one way down: take a
start turn for the region, read the store's import history (shared by the process), record the
declared files the store holds or is importing, start one job with only the others (waiting
through the quota, never repeating a start that may have taken effect), converge with a racing
run that started some of the same files (the smallest job id wins), then wait.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.errors import (
    OutcomeUnknownError,
    ProviderError,
    QuotaExceededError,
    ResourceMissingError,
    RetriesExhaustedError,
)
from omics_provider.core.kinds import Destination, JobKind
from omics_provider.core.service import JOB_ACTIVE, JOB_UNSUCCESSFUL
from omics_provider.core.timing import Backoff, Deadline, polls
from omics_provider.flows.import_spec import ImportSpec
from omics_provider.flows.job_board import JobBoard, board_for
from omics_provider.flows.job_report import (
    failure,
    imported_by,
    items_done,
    overall_status,
    partial_warning,
    recorded_note,
    timed_out,
)
from omics_provider.flows.store_history import StoreHistory, refresh

CANCEL_CONFIRM_SECONDS = 300.0
"""How long a cancel waits for the job to report CANCELLED."""
CONVERGE_SECONDS = 10.0
"""How long after its start a create watches the store's running jobs for a racing run that
started some of the same files (lists are eventually consistent: a new job may be missing from
them for a while). A racer seen in this window while the own job is still SUBMITTED is settled
by the rule; past it, the own job is kept."""
CONVERGE_POLL = Backoff(initial=0.5, factor=2.0, cap=4.0)
MAX_ROUNDS = 4
"""How often one create plans again: after a racing run won, or after a job it counted on for
some files ended without importing them."""


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


@dataclass
class Placement:
    """Where each declared file is: the job that holds it, imports it, or will; which job this
    create started (if any); and which of those jobs had ended when the history was read."""

    holders: dict[str, str] = field(default_factory=dict)
    started: str | None = None
    ended: frozenset[str] = frozenset()
    statuses: Mapping[str, str] = field(default_factory=dict)


Place = tuple[str, Destination, str | None]
"""Where a job lands, as ownership is judged: the kind's resource type, its destination (store;
and version) and the resolved region. The same file may go to two places from one stack."""


def place_of(kind: JobKind, destination: Destination, region: str | None) -> Place:
    """The place a job of kind lands in: destination in region."""
    return kind.resource, destination, region


class JobOwners:
    """Which resource of this deployment imports each file into each place: one plugin process
    serves one stack."""

    def __init__(self) -> None:
        self._owners: dict[tuple[Place, str], str] = {}
        self._lock = threading.Lock()

    def claim(self, owner: str, place: Place, sources: Iterable[str]) -> tuple[str, str] | None:
        """Record owner as the owner of sources in place; (a file, its other owner) if another
        resource imports one of them into place already, and then nothing is recorded."""
        with self._lock:
            wanted = [(place, source) for source in sources]
            for key in wanted:
                current = self._owners.get(key, owner)
                if current != owner:
                    return key[1], current
            self._owners.update(dict.fromkeys(wanted, owner))
            return None


OWNERS = JobOwners()


def note_owner(owner: str, place: Place, sources: Iterable[str]) -> None:
    """Remember that the resource named owner records sources in place (seen in its state)."""
    OWNERS.claim(owner, place, sources)


class ImportJobFlow:
    """One resource's import job of kind: create (record, start, converge, wait), wait, refresh,
    cancel."""

    def __init__(
        self,
        api: OmicsApi,
        kind: JobKind,
        board: JobBoard,
        policy: JobPolicy,
        owners: JobOwners = OWNERS,
        destination: Destination = (),
    ) -> None:
        self.api = api
        self.kind = kind
        self.destination = destination
        """Where this resource's jobs land: what names a job for a kind whose operations name
        the store (JobKind.store_in_path); the other kinds name a job by its id alone."""
        self.board = board
        self.policy = policy
        self.owners = owners
        self.ctx = api.ctx
        self.progress = api.ctx.progress
        self.clock = api.ctx.clock

    @classmethod
    def on_shared_board(
        cls, api: OmicsApi, kind: JobKind, policy: JobPolicy, destination: Destination
    ) -> ImportJobFlow:
        """A flow into destination on the process's board for kind's quota at api's endpoint
        and resolved region."""
        meta = api.client.meta
        board = board_for(kind, meta.endpoint_url, meta.region_name, api.ctx.clock)
        return cls(api, kind, board, policy, destination=destination)

    # --- create -------------------------------------------------------------------------------
    def create(self, request: CreateRequest) -> dict[str, Any]:
        """What this resource records, settled: one entry per declared file (`items`), the job
        that imported each (`importedBy`), and the job it started or adopted (`id`).

        A file the store already holds, or a running job already imports, is recorded, not
        imported again (unless allow_reimport). If this raises, no job of this resource is left
        running unrecorded that the next create would not find: a job still running after the
        timeout is recorded by the next `up`.
        """
        if request.spec.kind != self.kind:
            raise ValueError(f"a {self.kind.noun} flow cannot import a {request.spec.kind.noun}")
        if request.adopt_job_id:
            return self.settle(self._adopt(request))
        return self.settle(self._import(request))

    def _adopt(self, request: CreateRequest) -> dict[str, Any]:
        """The job adoptJobId names, after checking it imports exactly what the resource says."""
        job_id, spec = str(request.adopt_job_id), request.spec
        job = dict(self.api.get_job(self.kind, job_id, self.destination, deadline=self.deadline()))
        differences = spec.differences(job)
        if differences:
            raise self.ctx.error(
                f"adoptJobId {job_id} does not import what this resource declares: "
                f"{'; '.join(differences)}",
                "adopt the job that imported these files with these settings, or declare the "
                "job's own files and settings",
            )
        self._claim(job_id, request.owner, spec.destination, spec.sources)
        self.progress.line(f"adopted job {job_id} ({job['status']}) as adoptJobId asks")
        if request.wait and job["status"] in JOB_ACTIVE:
            job = self.wait(job_id)
        placement = Placement(dict.fromkeys(spec.sources, job_id), started=job_id)
        return self._record(spec, placement, {job_id: job})

    def _import(self, request: CreateRequest) -> dict[str, Any]:
        """Record what the store holds, import the rest once, and wait if asked.

        Each round places every file (in the start turn), converges a started job with racing
        runs (outside it: other creates of the process may start meanwhile), then waits. A round
        is planned again when this run lost a race or a job it recorded ended without a file.
        """
        spec = request.spec
        history = self.board.history(self.kind, spec.destination)
        ignore: frozenset[str] | None = None
        for _ in range(MAX_ROUNDS):
            placement, ignore, known, deadline = self._place_in_turn(request, history, ignore)
            started = placement.started
            if started is not None:
                mine = frozenset(s for s, job in placement.holders.items() if job == started)
                if not self._converge(spec.only(tuple(mine)), started, known, history, deadline):
                    continue
            jobs = self._follow(placement, request.wait)
            record = self._record(spec, placement, jobs)
            if not request.wait or not self._lost_files(record, placement):
                return record
            self.progress.line(
                "a job that was importing some of these files ended without importing them: "
                "planning again"
            )
        raise self.ctx.error(
            f"planned {MAX_ROUNDS} times without settling (racing runs or jobs ending without "
            "their files)",
            "run `pulumi up` again",
        )

    def _place_in_turn(
        self,
        request: CreateRequest,
        history: StoreHistory,
        ignore: frozenset[str] | None,
    ) -> tuple[Placement, frozenset[str], frozenset[str], Deadline]:
        """Within this region's start turn: each file's job, starting one for the new files.

        Creates queued together share the history refresh made after they all arrived. The
        calls are bounded by timeoutSeconds from the turn (time queued for it does not count);
        that deadline is returned with the placement.
        """
        arrived = self.clock.monotonic()
        queued = self.board.waiting_starters()
        if queued:
            self.progress.line(f"queued behind {queued} imports waiting to start (job quota)")
        try:
            with self.board.turn(self.policy.timeout_seconds):
                deadline = self.deadline()  # time queued for the turn does not count
                placement, ignore, known = self._place(request, history, ignore, arrived, deadline)
                return placement, ignore, known, deadline
        except TimeoutError as stalled:
            raise self.ctx.error(
                f"gave up waiting for a turn to start: {stalled}",
                "run `pulumi up` again, or raise timeoutSeconds",
            ) from None

    def _place(
        self,
        request: CreateRequest,
        history: StoreHistory,
        ignore: frozenset[str] | None,
        arrived: float,
        deadline: Deadline,
    ) -> tuple[Placement, frozenset[str], frozenset[str]]:
        """Read the store's history (a refresh made since arrived serves), record what it
        holds, start one job for the rest.

        ignore names the jobs whose files do not count (allowReimport: every job seen first).
        Returns the placement, ignore, and the jobs known before the start (not racers).
        """
        spec = request.spec
        holdings = refresh(self.api, history, deadline, since=arrived)
        known = frozenset(holdings.finished) | frozenset(holdings.active)
        if ignore is None:
            ignore = known if request.allow_reimport else frozenset()
        holders = holdings.holders(ignore)
        placement = Placement(
            {s: holders[s] for s in spec.sources if s in holders},
            ended=frozenset(holdings.finished),
            statuses=holdings.statuses,
        )
        new = tuple(s for s in spec.sources if s not in placement.holders)
        self._claim_placed(request, placement)
        if new:
            job_id = self._start(spec.only(new), known, history, deadline)
            self._claim(job_id, request.owner, spec.destination, new)
            placement.holders.update(dict.fromkeys(new, job_id))
            placement.started = job_id
        return placement, ignore, known

    def _claim_placed(self, request: CreateRequest, placement: Placement) -> None:
        """Claim the files the store holds or imports; say which jobs they are recorded from."""
        by_job: dict[str, list[str]] = {}
        for source, job_id in placement.holders.items():
            by_job.setdefault(job_id, []).append(source)
        for job_id, sources in sorted(by_job.items()):
            self._claim(job_id, request.owner, request.spec.destination, sources)
        if by_job:
            counts = {job_id: len(sources) for job_id, sources in by_job.items()}
            self.progress.line(
                f"{len(placement.holders)} of {len(request.spec.sources)} files: "
                f"{recorded_note(request.spec.destination_name, counts)}"
            )

    def _start(
        self, spec: ImportSpec, known: frozenset[str], history: StoreHistory, deadline: Deadline
    ) -> str:
        """Start the import once and return its job id, waiting through the quota (each wait
        gives the calls after it a new deadline: time queued does not count).

        The start operations have no client token, so a start that failed in a way that may have
        started the job (a 5xx, or no answer) is never simply repeated: the job is looked for
        first (a running job, not in known, importing exactly spec's files), and taken when it
        exists. A job a lagging list still hides is started again; converge then keeps one.
        """
        delays = self.ctx.retry_backoff.jittered(self.ctx.rand)
        while True:
            try:
                job_id = self.api.start_job(self.kind, spec.start_request(), deadline=deadline)
                break
            except QuotaExceededError:
                deadline = self._wait_for_quota()
            except OutcomeUnknownError as unknown:
                self.progress.line(
                    "the start got no clear answer; looking for the job before trying again"
                )
                deadline.sleep(next(delays))
                found = self._started_unseen(spec, known, history, deadline)
                if found is not None:
                    job_id = found
                    break
                if deadline.expired():
                    raise ProviderError(**unknown.fields()) from None
        self.board.record_start()
        history.note_start(job_id, spec.sources)
        self.progress.line(
            f"started job {job_id} into {spec.destination_name} ({len(spec.sources)} new files)"
        )
        return job_id

    def _started_unseen(
        self, spec: ImportSpec, known: frozenset[str], history: StoreHistory, deadline: Deadline
    ) -> str | None:
        """The job a start without a clear answer started, if the store's jobs show it: one not
        known before the start, running with exactly spec's files, or already ended having
        imported only spec's files (a quick job may end before the answer is given up on)."""
        holdings = refresh(self.api, history, deadline, full=True)  # it may have ended unseen
        wanted = frozenset(spec.sources)
        running = [j for j, s in holdings.active.items() if j not in known and s == wanted]
        ended = [j for j, s in holdings.finished.items() if j not in known and s and s <= wanted]
        return min(running or ended, default=None)

    def _wait_for_quota(self) -> Deadline:
        """Wait until a job of this process ends (or the quota poll passes); the deadline of the
        calls after it (time waiting in the queue does not count)."""
        self.progress.status(
            "quota", "waiting: the concurrent import job quota is full in this region"
        )
        try:
            self.board.wait_for_capacity(
                self.policy.timeout_seconds, self.policy.quota_poll_seconds
            )
        except TimeoutError as stalled:
            raise self.ctx.error(
                f"the concurrent import job quota stayed full ({stalled})",
                "wait for running jobs to end, raise the quota, or raise timeoutSeconds",
                operation=self.kind.start,
            ) from None
        return self.deadline()

    def _converge(
        self,
        spec: ImportSpec,
        job_id: str,
        known: frozenset[str],
        history: StoreHistory,
        deadline: Deadline,
    ) -> bool:
        """True to keep job_id; False when a racing run's job won and job_id was cancelled.

        There is no client token and no lock in the API, so racing runs may each find nothing
        and each start. A racer is a running job this create did not know before its start that
        lists some of the same files. The rule, the same from any order of observation and
        blind to timestamps: the smallest job id wins. Each run watches the running jobs while
        its own is SUBMITTED (up to CONVERGE_SECONDS); one that sees a smaller racer cancels its
        own job while it is still SUBMITTED and plans again (recording the winner). The
        smallest never cancels, so one of the racers always imports. Its reads are bounded by
        deadline (the start's); the watching itself lasts CONVERGE_SECONDS.
        """
        wanted = frozenset(spec.sources)
        for _ in polls(self._converge_poll(), Deadline.after(self.clock, CONVERGE_SECONDS)):
            holdings = refresh(self.api, history, deadline)
            racers = sorted(
                other
                for other, sources in holdings.active.items()
                if other not in known and other != job_id and sources & wanted
            )
            if racers and racers[0] < job_id:
                return not self._yield_to(spec, job_id, racers[0], history, deadline)
            if job_id in holdings.finished or holdings.statuses.get(job_id) != "SUBMITTED":
                return True
        return True

    def _converge_poll(self) -> Backoff:
        poll = self.policy.status_poll
        return Backoff(
            min(poll.initial, CONVERGE_POLL.initial),
            CONVERGE_POLL.factor,
            min(poll.cap, CONVERGE_POLL.cap),
        )

    def _yield_to(
        self, spec: ImportSpec, job_id: str, winner: str, history: StoreHistory, deadline: Deadline
    ) -> bool:
        """Cancel job_id, which lost the race to winner, if it is still SUBMITTED; True if so."""
        job = self.refresh(job_id, deadline)
        if job is not None and (job.get("status") != "SUBMITTED" or self.kind.cancel is None):
            why = "cannot be cancelled" if self.kind.cancel is None else f"is {job.get('status')}"
            self.progress.warn(
                f"job {winner} of a racing run imports some of the same files and wins (smaller "
                f"id), but job {job_id} {why} already: keeping it, so both import those files"
            )
            return False
        self.progress.line(
            f"job {winner} imports some of the same files into {spec.destination_name} (another "
            f"run raced this one; the smaller job id wins): cancelling job {job_id} while it is "
            "SUBMITTED, recording the files from the winner"
        )
        history.abandon(job_id)
        self._cancel_race_loser(job_id)
        return True

    def _cancel_race_loser(self, job_id: str) -> None:
        job = self.cancel(job_id)
        if job is not None and job.get("status") not in JOB_UNSUCCESSFUL:
            self.progress.warn(
                f"job {job_id} ended {job.get('status')} before it could be cancelled: "
                "its files were imported by both racing jobs"
            )

    def _follow(self, placement: Placement, wait: bool) -> dict[str, dict[str, Any]]:
        """The jobs still running that hold some of the files: waited for if asked."""
        running = sorted(set(placement.holders.values()) - placement.ended)
        jobs: dict[str, dict[str, Any]] = {}
        for job_id in running:
            if wait:
                jobs[job_id] = self.wait(job_id, just_started=job_id == placement.started)
            else:
                status = placement.statuses.get(job_id, "SUBMITTED")
                jobs[job_id] = {"id": job_id, "status": status, "items": []}
        return jobs

    def _record(
        self, spec: ImportSpec, placement: Placement, jobs: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, Any]:
        """What the resource records: per declared file its item (its own job's or the holding
        job's), the overall status, and the job that imported each file."""
        by_job = {job_id: _items_by_source(job) for job_id, job in jobs.items()}
        items = [
            _item_of(source, jobs.get(job_id), by_job.get(job_id, {}))
            for source, job_id in ((s, placement.holders[s]) for s in spec.sources)
        ]
        primary = placement.started or placement.holders[spec.sources[0]]
        own = dict(jobs.get(primary, {"id": primary, "status": "COMPLETED"}))
        imported = {
            item["source"]: placement.holders[item["source"]]
            for item in items
            if item["jobStatus"] not in JOB_UNSUCCESSFUL
        }
        recorded = {
            j: n for j, n in Counter(placement.holders.values()).items() if j != placement.started
        }
        message = str(own.get("statusMessage") or "")
        if recorded:
            note = recorded_note(spec.destination_name, recorded)
            message = f"{message}; {note}" if message else note
        return {
            **own,
            "id": primary,
            "status": overall_status(items, str(own.get("status", "SUBMITTED"))),
            "statusMessage": message,
            "items": items,
            "importedBy": imported_by(spec.sources, imported),
        }

    def _lost_files(self, record: Mapping[str, Any], placement: Placement) -> bool:
        """True when a file recorded from another job did not get imported by it."""
        return any(
            item["jobStatus"] in JOB_UNSUCCESSFUL
            and placement.holders[item["source"]] != placement.started
            for item in record["items"]
        )

    def _claim(
        self, job_id: str, owner: str, destination: Destination, sources: Iterable[str]
    ) -> None:
        """Make owner the one owner of sources in destination; refuse files another resource of
        this stack imports there."""
        place = place_of(self.kind, destination, self.api.client.meta.region_name)
        taken = self.owners.claim(owner, place, sources)
        if taken is not None:
            source, other = taken
            raise self.ctx.error(
                f"import job {job_id} already belongs to {other} of this stack for {source} (the "
                f"same file into the same {self.kind.store_noun}, {self.kind.label(destination)})",
                "each file belongs to exactly one batch per destination: remove one of the two "
                "resources or give them different files",
            )

    def deadline(self) -> Deadline:
        """A deadline timeoutSeconds from now: what bounds one phase of an operation (the
        placement after the start turn, the wait, a refresh)."""
        return Deadline.after(self.clock, self.policy.timeout_seconds)

    # --- wait, settle, refresh, cancel ---------------------------------------------------------
    def wait(self, job_id: str, just_started: bool = False) -> dict[str, Any]:
        """Poll job_id until it ends and return it in full; ProviderError at the timeout.

        A job just started is known to be SUBMITTED, so the first read waits one interval. A
        status read that keeps failing transiently does not end the wait before the timeout.
        """
        deadline = self.deadline()
        intervals = self.policy.status_poll.intervals()
        slept = self._pause(deadline, next(intervals)) if just_started else 0.0
        job: dict[str, Any] = {"id": job_id, "status": "SUBMITTED", "items": []}
        with self.board.watching(self.kind, job_id):
            while True:
                job = self._read(job_id, deadline, max_age=slept / 2, last=job)
                status = str(job["status"])
                self.progress.status(status, f"job {job_id}: {status}, {items_done(job)}")
                if status not in JOB_ACTIVE:
                    return job
                if deadline.expired():
                    raise self.ctx.error(*timed_out(self.kind, job_id, status))
                slept = self._pause(deadline, next(intervals))

    def _read(
        self, job_id: str, deadline: Deadline, max_age: float, last: dict[str, Any]
    ) -> dict[str, Any]:
        """The job's latest status, items included when they matter; last when reads fail."""
        try:
            job = dict(self._shared_status(job_id, deadline, max_age))
            status_changed = job["status"] != self.progress.last_status
            if "items" not in job and (job["status"] not in JOB_ACTIVE or status_changed):
                job = dict(
                    self.api.get_job(self.kind, job_id, self.destination, deadline=deadline)
                )  # no items
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

    def _shared_status(self, job_id: str, deadline: Deadline, max_age: float) -> Mapping[str, Any]:
        """The job as read by any waiter within max_age seconds, else read now.

        One job watched alone is read in full (the kind's get, items included); several of a kind
        are read together (its list with up to 20 ids, summaries without items).
        """
        cached = self.board.shared_status(self.kind, job_id, max_age)
        if cached is not None:
            return cached
        summaries: list[Mapping[str, Any]] = []
        try:
            ids = self.board.batch_for(self.kind, job_id)
            if len(ids) == 1:
                summaries = [
                    self.api.get_job(self.kind, job_id, self.destination, deadline=deadline)
                ]
            else:
                summaries = list(self.api.jobs_by_id(self.kind, ids, deadline=deadline))
        finally:
            self.board.end_read(self.kind, summaries)
        found = next((s for s in summaries if str(s["id"]) == job_id), None)
        if found is not None:
            return found
        return self.api.get_job(self.kind, job_id, self.destination, deadline=deadline)

    def settle(self, job: dict[str, Any]) -> dict[str, Any]:
        """job, once it imported something; ProviderError naming every failed item otherwise."""
        if job.get("status") in JOB_UNSUCCESSFUL:
            raise self.ctx.error(failure(job))
        if job.get("status") == "COMPLETED_WITH_FAILURES":
            self.progress.warn(partial_warning(self.kind, job))
        return job

    def refresh(self, job_id: str, deadline: Deadline | None = None) -> dict[str, Any] | None:
        """The job in full, or None when the service no longer knows it; the read is bounded by
        deadline (by default timeoutSeconds from now)."""
        try:
            return dict(
                self.api.get_job(
                    self.kind, job_id, self.destination, deadline=deadline or self.deadline()
                )
            )
        except ResourceMissingError:
            return None

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Cancel job_id if it still runs and wait until it ended; return it as it ended.

        A finished or unknown job needs nothing (None when unknown); a job of a kind HealthOmics
        cannot cancel is left running, with a warning. ProviderError when it does not report an
        end within CANCEL_CONFIRM_SECONDS.
        """
        deadline = Deadline.after(self.clock, CANCEL_CONFIRM_SECONDS)
        job = self.refresh(job_id, deadline)
        if job is None or job["status"] not in JOB_ACTIVE:
            return job
        if self.kind.cancel is None:
            self.progress.warn(
                f"job {job_id} is {job['status']}: HealthOmics cannot cancel a {self.kind.noun}, "
                "so it runs on"
            )
            return job
        try:
            self.api.cancel_job(self.kind, job_id, self.destination, deadline=deadline)
        except ResourceMissingError:
            return None
        except ProviderError:
            job = self.refresh(job_id, deadline)  # it may have ended between the read and cancel
            if job is None or job["status"] not in JOB_ACTIVE:
                return job
            raise
        self.progress.line(f"cancelling job {job_id}")
        for _ in polls(self.policy.status_poll, deadline):
            job = self.refresh(job_id, deadline)
            if job is None or job["status"] not in JOB_ACTIVE:
                return job
        raise self.ctx.error(
            f"import job {job_id} was cancelled but did not report CANCELLED within "
            f"{CANCEL_CONFIRM_SECONDS:.0f}s",
            f"check it with `aws omics {self.kind.command(self.kind.get)}` and run destroy again",
        )


def _items_by_source(job: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(item.get("source")): item for item in job.get("items", ())}


def _item_of(
    source: str, job: Mapping[str, Any] | None, items: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """source's item in job (read in full); COMPLETED when no running job holds it (the store
    has it); the job's status when job was not read item by item."""
    if job is None:
        return {"source": source, "jobStatus": "COMPLETED", "statusMessage": ""}
    item = items.get(source)
    if item is None:
        return {"source": source, "jobStatus": str(job.get("status", "")), "statusMessage": ""}
    return {
        "source": source,
        "jobStatus": str(item.get("jobStatus", "")),
        "statusMessage": str(item.get("statusMessage", "")),
    }


def until_next_multiple(now: float, interval: float) -> float:
    """Seconds from now to the next multiple of interval at least half an interval away."""
    wake = (now // interval + 1) * interval
    return wake - now if wake - now >= interval / 2 else wake + interval - now
