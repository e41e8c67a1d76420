"""Variant import jobs as plain operations: find a duplicate, start, adopt, wait, cancel, report."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from omics_provider.aws.calls import CLOCK_SKEW, CallContext, call
from omics_provider.core.errors import OutcomeUnknownError, ProviderError, ResourceMissingError
from omics_provider.core.timing import Backoff, Deadline, poll_until
from omics_provider.flows.job_board import ACTIVE_STATUSES, JobBoard

if TYPE_CHECKING:
    from mypy_boto3_omics import OmicsClient

DUPLICATE_WINDOW = timedelta(hours=24)
"""A successful job that ended this recently counts as a duplicate of the same import."""

SUCCEEDED = frozenset({"COMPLETED", "COMPLETED_WITH_FAILURES"})
CANCEL_CONFIRM_SECONDS = 300.0
"""How long delete waits for a cancelled job to report CANCELLED."""


@dataclass(frozen=True)
class ImportSpec:
    """What an import job imports, normalized so that the same data compares equal."""

    destination_name: str
    role_arn: str
    sources: tuple[str, ...]
    run_left_normalization: bool
    annotation_fields: tuple[tuple[str, str], ...]

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> ImportSpec:
        """The spec of checked, normalized resource inputs."""
        return cls(
            destination_name=inputs["destinationName"],
            role_arn=inputs["roleArn"],
            sources=tuple(item["source"] for item in inputs["items"]),
            run_left_normalization=bool(inputs.get("runLeftNormalization", False)),
            annotation_fields=tuple(sorted((inputs.get("annotationFields") or {}).items())),
        )

    def start_request(self) -> dict[str, Any]:
        """The StartVariantImportJob arguments for this spec."""
        request: dict[str, Any] = {
            "destinationName": self.destination_name,
            "roleArn": self.role_arn,
            "items": [{"source": source} for source in self.sources],
        }
        if self.run_left_normalization:
            request["runLeftNormalization"] = True
        if self.annotation_fields:
            request["annotationFields"] = dict(self.annotation_fields)
        return request

    def same_settings(self, job: Mapping[str, Any]) -> bool:
        """True when job imports into the same store with the same settings (items not compared)."""
        fields = tuple(sorted((job.get("annotationFields") or {}).items()))
        return (
            job.get("destinationName") == self.destination_name
            and bool(job.get("runLeftNormalization", False)) == self.run_left_normalization
            and fields == self.annotation_fields
        )

    def same_import(self, job: Mapping[str, Any]) -> bool:
        """True when job imports the same files into the same store with the same settings."""
        job_sources = {item["source"] for item in job.get("items", [])}
        return self.same_settings(job) and job_sources == set(self.sources)


@dataclass
class JobSession:
    """What the operations on one resource's job share: client, board, messages, deadline."""

    client: OmicsClient
    board: JobBoard
    ctx: CallContext
    status_poll: Backoff
    quota_poll_seconds: float

    def get_job(self, job_id: str) -> dict[str, Any]:
        """GetVariantImportJob, retried on transient failures."""
        job = call(
            self.ctx, "GetVariantImportJob", self.client.get_variant_import_job, jobId=job_id
        )
        return dict(job)


def matching_jobs(
    session: JobSession, spec: ImportSpec, created_after: datetime | None = None
) -> Iterator[str]:
    """Ids of running, or recently successful, jobs importing spec's files into its store.

    With created_after, only jobs created since then count.
    """
    cutoff = datetime.now(UTC) - DUPLICATE_WINDOW
    wanted = frozenset(spec.sources)
    for summary in _jobs_into(session, spec.destination_name):
        if _may_duplicate(summary, cutoff, created_after) and spec.same_settings(summary):
            job_id = str(summary["id"])
            if _sources_of(session, job_id) == wanted:
                yield job_id


def find_duplicate(
    session: JobSession,
    spec: ImportSpec,
    created_after: datetime | None = None,
    excluding: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """The first job matching_jobs finds, outside excluding, read in full; None if there is none."""
    for job_id in matching_jobs(session, spec, created_after):
        if job_id not in excluding:
            return session.get_job(job_id)
    return None


def _sources_of(session: JobSession, job_id: str) -> frozenset[str]:
    """The files job_id imports: remembered by the board, else read once."""
    known = session.board.known_sources(job_id)
    if known is None:
        known = frozenset(item["source"] for item in session.get_job(job_id).get("items", []))
        session.board.remember_sources(job_id, known)
    return known


def _jobs_into(session: JobSession, store_name: str) -> Iterator[dict[str, Any]]:
    """Summaries of every import job into store_name, page by page."""
    kwargs: dict[str, Any] = {"filter": {"storeName": store_name}}
    while True:
        page = call(
            session.ctx, "ListVariantImportJobs", session.client.list_variant_import_jobs, **kwargs
        )
        yield from (dict(job) for job in page.get("variantImportJobs", []))
        if not page.get("nextToken"):
            return
        kwargs["nextToken"] = page["nextToken"]


def _may_duplicate(
    summary: Mapping[str, Any], cutoff: datetime, created_after: datetime | None
) -> bool:
    """True for a job running, or ended successfully since cutoff (created after created_after)."""
    if created_after is not None and not _at_or_after(summary.get("creationTime"), created_after):
        return False
    if summary.get("status") in ACTIVE_STATUSES:
        return True
    return summary.get("status") in SUCCEEDED and _at_or_after(
        summary.get("completionTime"), cutoff
    )


def _at_or_after(moment: Any, cutoff: datetime) -> bool:
    return isinstance(moment, datetime) and moment >= cutoff


def start_job(
    session: JobSession,
    spec: ImportSpec,
    stall_seconds: float,
    earlier: frozenset[str] = frozenset(),
) -> str:
    """Start the import once and return its job id, waiting through the quota and a new role.

    StartVariantImportJob has no client token, so a start that failed in a way that may have
    started the job (a 5xx, or no answer) is never simply repeated: the job is looked for first,
    and adopted when it exists. earlier names identical jobs that existed before this start
    (allowReimport), which are never taken for it.
    """
    delays = session.ctx.retry_backoff.intervals()
    while True:
        attempted_at = datetime.now(UTC)
        try:
            job_id = _request_start(session, spec, stall_seconds)
            break
        except OutcomeUnknownError as unknown:
            session.ctx.progress.line(
                "the start got no clear answer; looking for the job before trying again"
            )
            session.ctx.deadline.sleep(next(delays))
            since = attempted_at - CLOCK_SKEW
            started = find_duplicate(session, spec, created_after=since, excluding=earlier)
            if started is not None:
                job_id = str(started["id"])
                break
            if session.ctx.deadline.expired():
                raise ProviderError(str(unknown)) from None
    session.board.record_start()
    session.board.remember_sources(job_id, frozenset(spec.sources))
    return job_id


def _request_start(session: JobSession, spec: ImportSpec, stall_seconds: float) -> str:
    """One StartVariantImportJob, retried only where no job can have started."""
    hint_not_found = (
        f"no variant store named {spec.destination_name!r} exists in this account and region: "
        "check destinationName, or declare the store first"
    )

    def wait_for_quota() -> None:
        session.ctx.progress.status(
            "quota", "waiting: the concurrent import job quota is full in this region"
        )
        session.board.wait_for_capacity(stall_seconds, session.quota_poll_seconds)
        # Transient failures after a long wait in the queue get a fresh allowance of retries.
        session.ctx.deadline = Deadline.after(session.ctx.clock, stall_seconds)

    try:
        response = call(
            session.ctx,
            "StartVariantImportJob",
            session.client.start_variant_import_job,
            hints={"ResourceNotFoundException": hint_not_found},
            wait_for_role=True,
            on_quota=wait_for_quota,
            idempotent=False,
            **spec.start_request(),
        )
    except TimeoutError as stalled:
        raise ProviderError(
            f"{session.ctx.resource}: StartVariantImportJob could not start: the concurrent "
            f"import job quota stayed full ({stalled}); wait for running jobs to end, raise the "
            "quota, or raise timeoutSeconds"
        ) from None
    return str(response["jobId"])


def adopt_job(session: JobSession, job_id: str, spec: ImportSpec) -> dict[str, Any]:
    """The existing job job_id, after checking that it imports into spec's store."""
    job = session.get_job(job_id)
    if job.get("destinationName") != spec.destination_name:
        raise ProviderError(
            f"{session.ctx.resource}: adoptJobId {job_id} imports into store "
            f"{job.get('destinationName')!r}, not {spec.destination_name!r}; set destinationName "
            "to the job's store or adopt a job that imports into this one"
        )
    if not spec.same_import(job):
        session.ctx.progress.warn(
            f"adopted job {job_id} imports other files or settings than items"
        )
    return job


def find_job(session: JobSession, job_id: str) -> dict[str, Any] | None:
    """The job in full, or None when the service no longer knows it."""
    try:
        return session.get_job(job_id)
    except ResourceMissingError:
        return None


def cancel_job(session: JobSession, job_id: str) -> None:
    """Cancel job_id if it still runs and confirm it ended; a finished or missing job is fine."""
    if _ended(session, job_id):
        return
    try:
        call(
            session.ctx,
            "CancelVariantImportJob",
            session.client.cancel_variant_import_job,
            jobId=job_id,
        )
    except ResourceMissingError:
        return
    except ProviderError:
        if _ended(session, job_id):  # it finished between the read and the cancel
            return
        raise
    session.ctx.progress.line(f"cancelling job {job_id}")
    poll_until(
        read=lambda: _ended(session, job_id),
        done=bool,
        backoff=session.status_poll,
        deadline=Deadline.after(session.ctx.clock, CANCEL_CONFIRM_SECONDS),
        timeout_message=lambda _: (
            f"{session.ctx.resource}: import job {job_id} was cancelled but did not report "
            f"CANCELLED within {CANCEL_CONFIRM_SECONDS:.0f}s; check it with "
            "`aws omics get-variant-import-job` and run destroy again"
        ),
    )


def _ended(session: JobSession, job_id: str) -> bool:
    job = find_job(session, job_id)
    return job is None or job.get("status") not in ACTIVE_STATUSES
