"""In-memory HealthOmics analytics backend: stores, import jobs, virtual time, faults (no HTTP).

Status is derived lazily: every call first applies the scheduled changes that are due by
the injected clock, so no background thread is needed and tests can fake time. Annotation
stores, their versions and annotation import jobs live in ``annotations``, on the same clock,
timeline, quota and job machinery.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from omics_emulator.exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from omics_emulator.faults import Faults
from omics_emulator.iam_view import IamView
from omics_emulator.lifecycle import Lifecycle, Stateful, Timeline, Tracked
from omics_emulator.settings import EmulatorSettings
from omics_emulator.sources import SourceCheck, check_source, s3_client

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
BYTES_PER_ITEM_WITHOUT_S3 = 1_048_576
DEFAULT_MAX_RESULTS = 100

# Pseudo-targets the timeline carries besides real statuses.
GONE = "<gone>"
FINISH = "<finish>"

STORE_LIFECYCLE = Lifecycle(
    "store",
    {
        "CREATING": frozenset({"ACTIVE", "FAILED", "DELETING"}),
        "ACTIVE": frozenset({"UPDATING", "DELETING"}),
        "UPDATING": frozenset({"ACTIVE", "DELETING"}),
        "FAILED": frozenset({"DELETING"}),
        "DELETING": frozenset(),
    },
)
JOB_LIFECYCLE = Lifecycle(
    "import job",
    {
        "SUBMITTED": frozenset({"IN_PROGRESS", "CANCELLED", "FAILED"}),
        "IN_PROGRESS": frozenset({"COMPLETED", "COMPLETED_WITH_FAILURES", "FAILED", "CANCELLED"}),
        "COMPLETED": frozenset(),
        "COMPLETED_WITH_FAILURES": frozenset(),
        "FAILED": frozenset(),
        "CANCELLED": frozenset(),
    },
)
RUNNING = frozenset({"SUBMITTED", "IN_PROGRESS"})
CANCELLED_MESSAGE = "Cancelled by the user"

Clock = Callable[[], float]


def timestamp(seconds: float) -> dt.datetime:
    """A UTC datetime for epoch ``seconds``."""
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@dataclass
class Store(Stateful):
    """A variant store."""

    lifecycle = STORE_LIFECYCLE

    id: str
    name: str
    arn: str
    reference: dict[str, str]
    description: str
    sse_config: dict[str, str]
    tags: dict[str, str]
    creation_time: float
    status: str = "CREATING"
    status_message: str = ""
    size_bytes: int = 0
    update_time: float = 0.0
    epoch: int = 0
    imported: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        """The store as ListVariantStores shows it."""
        return {
            "id": self.id,
            "reference": dict(self.reference),
            "status": self.status,
            "storeArn": self.arn,
            "name": self.name,
            "description": self.description,
            "sseConfig": dict(self.sse_config),
            "creationTime": timestamp(self.creation_time),
            "updateTime": timestamp(self.update_time),
            "statusMessage": self.status_message,
            "storeSizeBytes": self.size_bytes,
        }

    def detail(self) -> dict[str, Any]:
        """The store as GetVariantStore shows it."""
        return {**self.summary(), "tags": dict(self.tags)}


class Destination(Protocol):
    """What a finished import job's items land in: a variant store, an annotation store version."""

    status: str
    size_bytes: int
    update_time: float
    imported: Counter[str]


@dataclass
class Item:
    """One source of an import job with its own status."""

    source: str
    status: str = "SUBMITTED"
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The item as GetVariantImportJob shows it."""
        return {"source": self.source, "jobStatus": self.status, "statusMessage": self.message}


@dataclass
class ImportJob:
    """An import job into a store."""

    id: str
    destination_name: str
    role_arn: str
    items: list[Item]
    run_left_normalization: bool
    annotation_fields: dict[str, str]
    creation_time: float
    status: str = "SUBMITTED"
    status_message: str = ""
    update_time: float = 0.0
    completion_time: float | None = None
    cancel_requested_at: float | None = None
    listed_from: float = 0.0
    """When the job starts to appear in ListVariantImportJobs answers (list_delay_seconds)."""
    epoch: int = 0

    def move(self, status: str, at: float, message: str = "", scheduled: bool = False) -> None:
        """Take a declared transition at ``at``; items still running follow the job.

        Unless the transition is the scheduled one, the job's pending transitions are dropped.
        """
        JOB_LIFECYCLE.check(self.status, status)
        self.status, self.status_message, self.update_time = status, message, at
        if JOB_LIFECYCLE.is_final(status):
            self.completion_time = at
        for item in self.items:
            if item.status in RUNNING:
                item.status, item.message = status, message if status != "IN_PROGRESS" else ""
        self.epoch += 0 if scheduled else 1

    def request_cancel(self, at: float) -> None:
        """Note a cancel requested at ``at``: the job keeps its status, its pending changes drop.

        The caller schedules the CANCELLED transition; until it is due, the job stays
        SUBMITTED or IN_PROGRESS, and it never finishes (nor imports) on its own.
        """
        self.cancel_requested_at = at
        self.epoch += 1

    def destination(self, stores: Mapping[str, Store]) -> Destination | None:
        """Where the job's imported items land when it finishes: its store, if still held."""
        return stores.get(self.destination_name)

    def content_format(self) -> str:
        """The file format the job's sources must have (checked when read from S3)."""
        return "VCF"

    def summary(self) -> dict[str, Any]:
        """The job as ListVariantImportJobs shows it."""
        out: dict[str, Any] = {
            "id": self.id,
            "destinationName": self.destination_name,
            "roleArn": self.role_arn,
            "status": self.status,
            "creationTime": timestamp(self.creation_time),
            "updateTime": timestamp(self.update_time),
            "runLeftNormalization": self.run_left_normalization,
        }
        if self.completion_time is not None:
            out["completionTime"] = timestamp(self.completion_time)
        if self.annotation_fields:
            out["annotationFields"] = dict(self.annotation_fields)
        return out

    def detail(self) -> dict[str, Any]:
        """The job as GetVariantImportJob shows it."""
        out = {**self.summary(), "statusMessage": self.status_message}
        out["items"] = [item.as_dict() for item in self.items]
        return out


Job = TypeVar("Job", bound=ImportJob)
"""An import job of either kind."""


@dataclass
class Page:
    """One page of a list and the token of the next one."""

    items: list[dict[str, Any]]
    next_token: str | None = None


@dataclass
class _Counters:
    by_operation: Counter[str] = field(default_factory=Counter)


class OmicsBackend:
    """The emulated service state; every public method is thread-safe."""

    def __init__(self, settings: EmulatorSettings | None = None, clock: Clock = time.time) -> None:
        self.settings = settings or EmulatorSettings()
        self.clock = clock
        self.faults = Faults(self.settings)
        self._ids = random.Random(self.settings.seed)
        self._lock = threading.RLock()
        self._stores: dict[str, Store] = {}
        self._jobs: dict[str, ImportJob] = {}
        self._timeline = Timeline()
        self._counters = _Counters()
        self._iam: IamView | None = None
        self.iam_view()
        # The annotation side builds on this module's jobs and stores, so it is imported here.
        from omics_emulator.annotations import AnnotationStores

        self.annotations = AnnotationStores(self)

    # -- observability -------------------------------------------------------------------

    def record_request(self, operation: str) -> None:
        """Count one request and raise the injected throttling or internal error, if any."""
        with self._lock:
            self._counters.by_operation[operation] += 1
            self.faults.settings = self.settings
            self.faults.check_request(operation)

    def request_count(self) -> int:
        """How many requests reached an omics operation so far."""
        with self._lock:
            return sum(self._counters.by_operation.values())

    def requests_by_operation(self) -> dict[str, int]:
        """Requests received per operation name."""
        with self._lock:
            return dict(self._counters.by_operation)

    def injected_faults(self) -> dict[str, int]:
        """Requests answered with an injected fault so far, per error code."""
        with self._lock:
            return dict(self.faults.injected)

    def reset_counters(self) -> None:
        """Forget the request counts."""
        with self._lock:
            self._counters.by_operation.clear()

    def stores(self) -> list[dict[str, Any]]:
        """Every store held, as GetVariantStore shows it."""
        with self._lock:
            self._tick()
            return [s.detail() for s in self._stores.values()]

    def set_store_status_message(self, name: str, message: str) -> None:
        """Give the store a status message, as the service does to explain a status (tests)."""
        with self._lock:
            self._store(name).status_message = message

    def jobs(self, store_name: str | None = None) -> list[dict[str, Any]]:
        """Import jobs held (into ``store_name`` if given), in creation order, with their items.

        Each job is shown as GetVariantImportJob shows it.
        """
        with self._lock:
            self._tick()
            return [
                j.detail()
                for j in self._jobs.values()
                if store_name is None or j.destination_name == store_name
            ]

    def imported_sources(self, store_name: str) -> Counter[str]:
        """How many times each source was imported into the store named ``store_name``.

        A job's items are imported when the job finishes: the items that succeeded in a
        COMPLETED or COMPLETED_WITH_FAILURES job count once each; a job that was CANCELLED
        or FAILED imported nothing. The count belongs to the store: a store deleted and
        created again under the same name starts empty. Raises ResourceNotFoundException
        for a store that does not exist (any more).
        """
        with self._lock:
            self._tick()
            return Counter(self._store(store_name).imported)

    # -- variant stores ------------------------------------------------------------------

    def create_variant_store(
        self,
        name: str | None,
        reference: dict[str, str],
        description: str = "",
        tags: dict[str, str] | None = None,
        sse_config: dict[str, str] | None = None,
        region: str = DEFAULT_REGION,
    ) -> dict[str, Any]:
        """Create a store in CREATING; it turns ACTIVE after ``store_seconds``."""
        if not name:
            raise ValidationException("name is required to create a variant store")
        with self._lock:
            now = self._tick()
            if name in self._stores:
                raise ConflictException(f"A variant store named {name} already exists")
            store = Store(
                id=self._store_id(),
                name=name,
                arn=f"arn:aws:omics:{region}:{ACCOUNT_ID}:variantStore/{name}",
                reference=dict(reference),
                description=description,
                sse_config=dict(sse_config or {"type": "KMS"}),
                tags=dict(tags or {}),
                creation_time=now,
                update_time=now,
            )
            self._stores[name] = store
            self._timeline.schedule(now + self.settings.store_seconds, store, "ACTIVE")
            return {
                k: store.detail()[k] for k in ("id", "reference", "status", "name", "creationTime")
            }

    def get_variant_store(self, name: str) -> dict[str, Any]:
        """The store named ``name``."""
        with self._lock:
            self._tick()
            return self._store(name).detail()

    def list_variant_stores(
        self,
        ids: Sequence[str] | None = None,
        status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page:
        """Stores in creation order, filtered by ids and status, one page at a time."""
        with self._lock:
            self._tick()
            stores = [
                s.summary()
                for s in self._stores.values()
                if (not ids or s.id in ids) and (not status or s.status == status)
            ]
            return paginate(stores, max_results, next_token)

    def update_variant_store(self, name: str, description: str | None) -> dict[str, Any]:
        """Change the store's description."""
        with self._lock:
            now = self._tick()
            store = self._store(name)
            if store.status == "DELETING":
                raise ValidationException(f"Variant store {name} is being deleted")
            if description is not None:
                store.description, store.update_time = description, now
            keys = (
                "id",
                "reference",
                "status",
                "name",
                "description",
                "creationTime",
                "updateTime",
            )
            return {k: store.detail()[k] for k in keys}

    def delete_variant_store(self, name: str, force: bool = False) -> dict[str, Any]:
        """Start deleting the store; it disappears after ``store_seconds``.

        A store holding data or with a running import job is only deleted with ``force``;
        its running jobs then fail.
        """
        with self._lock:
            now = self._tick()
            store = self._store(name)
            if store.status == "DELETING":
                return {"status": store.status}
            running = [
                j for j in self._jobs.values() if j.destination_name == name and j.status in RUNNING
            ]
            if not force:
                refuse_delete(f"Variant store {name}", store.size_bytes, running)
            for job in running:
                job.move(
                    "FAILED", now, f"Variant store {name} was deleted while the job was running"
                )
            store.move("DELETING", now)
            self._timeline.schedule(now + self.settings.store_seconds, store, GONE)
            return {"status": store.status}

    # -- variant import jobs -------------------------------------------------------------

    def start_variant_import_job(
        self,
        destination_name: str,
        role_arn: str,
        items: Iterable[str],
        run_left_normalization: bool = False,
        annotation_fields: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Submit an import job of ``items`` (S3 URIs) into an ACTIVE store."""
        sources = list(items)
        self._check_files_per_job(len(sources))
        with self._lock:
            now = self._tick()
            store = self._stores.get(destination_name)
            if store is None:
                raise ResourceNotFoundException(f"Variant store {destination_name} not found")
            if store.status != "ACTIVE":
                raise ValidationException(
                    f"Variant store {destination_name} is {store.status}, not ACTIVE: "
                    "imports need an ACTIVE store"
                )
            return self.submit_job(
                self._jobs,
                ImportJob,
                role_arn,
                sources,
                now,
                destination_name=destination_name,
                run_left_normalization=run_left_normalization,
                annotation_fields=dict(annotation_fields or {}),
            )

    def get_variant_import_job(self, job_id: str) -> dict[str, Any]:
        """The import job ``job_id``."""
        with self._lock:
            self._tick()
            return self._job(job_id).detail()

    def list_variant_import_jobs(
        self,
        ids: Sequence[str] | None = None,
        status: str | None = None,
        store_name: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page:
        """Import jobs in creation order, filtered by ids, status and store name.

        A job started less than ``list_delay_seconds`` ago is not listed yet.
        """
        return self.list_jobs(self._jobs, ids, status, store_name, max_results, next_token)

    def cancel_variant_import_job(self, job_id: str) -> dict[str, Any]:
        """Cancel the job ``job_id`` as ``cancel_job`` says."""
        with self._lock:
            now = self._tick()
            self.cancel_job(self._job(job_id), now)
            return {}

    # -- the job machinery both job kinds share -------------------------------------------

    @property
    def lock(self) -> threading.RLock:
        """The lock every public method holds (re-entrant)."""
        return self._lock

    def tick(self) -> float:
        """Apply the scheduled changes due by the clock; return the clock's time."""
        return self._tick()

    def schedule(self, at: float, resource: Tracked, target: str) -> None:
        """Queue ``resource``'s change to ``target`` at time ``at``."""
        self._timeline.schedule(at, resource, target)

    def new_store_id(self) -> str:
        """A store id as AWS gives them: 12 hex characters (reproducible with a seed)."""
        return self._store_id()

    def new_job_id(self) -> str:
        """An import job id: a UUID4 (reproducible with a seed)."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def admit_job(self, role_arn: str, now: float) -> None:
        """Raise unless a new import job may start: its role is assumable, the quota has room.

        Variant and annotation import jobs share the concurrent-jobs quota ("Analytics -
        Maximum concurrent variant or annotation store import jobs").
        """
        self.faults.check_role(role_arn, now)
        self.iam_view()
        self._check_quota()

    def submit_job(
        self,
        held: dict[str, Job],
        job_type: type[Job],
        role_arn: str,
        sources: Iterable[str],
        now: float,
        **fields: Any,
    ) -> dict[str, Any]:
        """Admit a new job of job_type (built from fields), hold it in held and run it; the
        start operation's answer. The caller holds the lock and has checked the destination.

        Both kinds' jobs take the same path: the shared quota and role check, ids, creation
        times cut to whole seconds when whole_second_times is set, and list_delay_seconds.
        """
        self.admit_job(role_arn, now)
        created = float(int(now)) if self.settings.whole_second_times else now
        job = job_type(
            id=self.new_job_id(),
            role_arn=role_arn,
            items=[Item(source) for source in sources],
            creation_time=created,
            update_time=created,
            listed_from=now + self.settings.list_delay_seconds,
            **fields,
        )
        held[job.id] = job
        self.run_job(job, now)
        return {"jobId": job.id}

    def list_jobs(
        self,
        held: Mapping[str, ImportJob],
        ids: Sequence[str] | None,
        status: str | None,
        store_name: str | None,
        max_results: int | None,
        next_token: str | None,
    ) -> Page:
        """One page of held jobs as a List*ImportJobs call shows them, in creation order,
        filtered by ids, status and store name; a job started less than list_delay_seconds ago
        is not listed yet."""
        with self._lock:
            now = self._tick()
            visible = [j for j in held.values() if j.listed_from <= now]
            return paginate(listed_jobs(visible, ids, status, store_name), max_results, next_token)

    def run_job(self, job: ImportJob, now: float) -> None:
        """Schedule an admitted job: IN_PROGRESS after a quarter of ``job_seconds``, then done."""
        seconds = self.settings.job_seconds
        self._timeline.schedule(now + seconds / 4, job, "IN_PROGRESS")
        self._timeline.schedule(now + seconds, job, FINISH)

    def cancel_job(self, job: ImportJob, now: float) -> None:
        """Cancel a SUBMITTED or IN_PROGRESS job; a finished job refuses (ValidationException).

        The cancel takes ``cancel_seconds`` to take effect: until then the job keeps its
        status, then it turns CANCELLED without importing anything. Cancelling a job whose
        cancel is pending is accepted and changes nothing.
        """
        if job.status not in RUNNING:
            raise ValidationException(
                f"Import job {job.id} is {job.status} and can no longer be cancelled"
            )
        if job.cancel_requested_at is None:
            job.request_cancel(now)
            self._timeline.schedule(now + self.settings.cancel_seconds, job, "CANCELLED")

    # -- IAM -----------------------------------------------------------------------------

    def iam_view(self) -> IamView | None:
        """The view of IAM at settings.iam_endpoint, polling in the background; None if unset."""
        endpoint = self.settings.iam_endpoint
        if self._iam is not None and self._iam.endpoint != endpoint:
            self._iam.stop()
            self._iam = None
        if endpoint and self._iam is None:
            self._iam = IamView(endpoint, clock=self.clock)
        if self._iam is not None:
            self._iam.propagation_seconds = self.settings.iam_propagation_seconds
            self._iam.start()
        return self._iam

    def close(self) -> None:
        """Stop the IAM view's background polling, if any; it resumes on the next job."""
        if self._iam is not None:
            self._iam.stop()

    # -- internals -----------------------------------------------------------------------

    def _tick(self) -> float:
        now = self.clock()
        for event in self._timeline.due(now):
            if isinstance(event.resource, Store):
                self._apply_store(event.resource, event.target, event.at)
            elif isinstance(event.resource, ImportJob):
                self._apply_job(event.resource, event.target, event.at)
            else:
                self.annotations.apply(event.resource, event.target, event.at)
        return now

    def _apply_store(self, store: Store, target: str, at: float) -> None:
        if target == GONE:
            self._stores.pop(store.name, None)
        else:
            store.move(target, at, scheduled=True)

    def _apply_job(self, job: ImportJob, target: str, at: float) -> None:
        if target == "CANCELLED":
            job.move(target, at, CANCELLED_MESSAGE, scheduled=True)
            return
        if target != FINISH:
            job.move(target, at, scheduled=True)
            return
        view = self.iam_view()
        if view is not None:
            view.refresh()
        checks = [self._check_item(job, item.source, at) for item in job.items]
        for item, check in zip(job.items, checks, strict=True):
            item.status, item.message = ("COMPLETED", "") if check.ok else ("FAILED", check.message)
        failed = sum(not c.ok for c in checks)
        status, message = _outcome(failed, len(checks))
        job.move(status, at, message, scheduled=True)
        store = job.destination(self._stores)
        if store is not None and store.status != "DELETING":
            store.size_bytes += sum(c.size for c in checks if c.ok)
            store.imported.update(i.source for i, c in zip(job.items, checks, strict=True) if c.ok)
            store.update_time = at

    def _check_item(self, job: ImportJob, source: str, at: float) -> SourceCheck:
        refused = self._iam.refusal(job.role_arn, source, at) if self._iam else None
        if refused is not None:
            return SourceCheck(False, refused)
        pattern = self.faults.failing_pattern(source)
        if pattern is not None:
            return SourceCheck(
                False,
                f"{source}: failed to import (matches the emulator's fail_sources pattern "
                f"{pattern!r})",
            )
        if not self.settings.s3_endpoint:
            return SourceCheck(True, "", BYTES_PER_ITEM_WITHOUT_S3)
        client = s3_client(self.settings.s3_endpoint)
        return check_source(client, source, job.content_format())

    def _check_files_per_job(self, count: int) -> None:
        limit = self.settings.max_files_per_job
        if count > limit:
            raise ServiceQuotaExceededException(
                f"Maximum number of files per variant import job ({limit}) exceeded: the "
                f"request has {count} items; split them into jobs of at most {limit} files "
                "or request a quota increase"
            )

    def _check_quota(self) -> None:
        jobs = [*self._jobs.values(), *self.annotations.held_jobs()]
        running = sum(j.status in RUNNING for j in jobs)
        limit = self.settings.max_concurrent_jobs
        if running >= limit:
            raise ServiceQuotaExceededException(
                f"Maximum number of concurrent variant or annotation store import jobs ({limit}) "
                "reached; wait for a job to finish or request a quota increase"
            )

    def _store(self, name: str) -> Store:
        store = self._stores.get(name)
        if store is None:
            raise ResourceNotFoundException(f"Variant store {name} not found")
        return store

    def _job(self, job_id: str) -> ImportJob:
        job = self._jobs.get(job_id)
        if job is None:
            raise ResourceNotFoundException(f"Variant import job {job_id} not found")
        return job

    def _store_id(self) -> str:
        return f"{self._ids.getrandbits(48):012x}"


def listed_jobs(
    jobs: Iterable[ImportJob],
    ids: Sequence[str] | None,
    status: str | None,
    store_name: str | None,
) -> list[dict[str, Any]]:
    """The jobs a List*ImportJobs call shows: by ids, status and store name (each if given)."""
    return [
        j.summary()
        for j in jobs
        if (not ids or j.id in ids)
        and (not status or j.status == status)
        and (not store_name or j.destination_name == store_name)
    ]


def refuse_delete(what: str, size_bytes: int, running: Sequence[ImportJob]) -> None:
    """Raise ConflictException when ``what`` (a store or version) has running jobs or data."""
    if running:
        raise ConflictException(
            f"{what} has running import jobs ({', '.join(j.id for j in running)}); "
            "cancel them or delete with force"
        )
    if size_bytes > 0:
        raise ConflictException(
            f"{what} contains data ({size_bytes} bytes); delete it with force to remove the data"
        )


def _outcome(failed: int, total: int) -> tuple[str, str]:
    if failed == 0:
        return "COMPLETED", ""
    if failed == total:
        return "FAILED", f"All {total} items failed to import"
    return "COMPLETED_WITH_FAILURES", f"{failed} of {total} items failed to import"


def paginate(rows: list[dict[str, Any]], max_results: int | None, token: str | None) -> Page:
    """The page of ``rows`` that ``token`` (from the previous page) starts, at most max_results."""
    start = _decode_token(token) if token else 0
    size = max_results or DEFAULT_MAX_RESULTS
    end = start + size
    next_token = _encode_token(end) if end < len(rows) else None
    return Page(rows[start:end], next_token)


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ValidationException(
            "Invalid nextToken: pass the token from the previous page"
        ) from None
    if not isinstance(offset, int) or offset < 0:
        raise ValidationException("Invalid nextToken: pass the token from the previous page")
    return offset
