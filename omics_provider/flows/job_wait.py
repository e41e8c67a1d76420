"""Waiting for an import job and reporting it: shared status reads, progress lines, outputs."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from omics_provider.aws.calls import call
from omics_provider.core.errors import ProviderError
from omics_provider.core.timing import Deadline
from omics_provider.flows.import_job import JobSession
from omics_provider.flows.job_board import ACTIVE_STATUSES

UNSUCCESSFUL = frozenset({"FAILED", "CANCELLED"})
"""Final statuses in which nothing was imported."""
FAILED_ITEMS_SHOWN = 20
"""How many failed items an error message lists before summarizing the rest."""


def wait_for_job(
    session: JobSession, job_id: str, deadline: Deadline, just_started: bool = False
) -> dict[str, Any]:
    """Poll job_id until it ends and return it in full; ProviderError when the deadline passes.

    A job just started is known to be SUBMITTED, so the first read waits one interval.
    """
    intervals = session.status_poll.intervals()
    slept = _pause(session, deadline, next(intervals)) if just_started else 0.0
    items: list[Any] = []
    with session.board.watching(job_id):
        while True:
            job = _read_status(session, job_id, max_age=slept / 2)
            status = str(job["status"])
            if "items" not in job and (status not in ACTIVE_STATUSES or _changed(session, status)):
                job = session.get_job(job_id)  # a batched summary has no items
            items = job.get("items", items)
            report_progress(session, job_id, status, items)
            if status not in ACTIVE_STATUSES:
                return job
            if deadline.expired():
                raise ProviderError(timeout_message(session.ctx.resource, job_id, status))
            slept = _pause(session, deadline, next(intervals))


def _changed(session: JobSession, status: str) -> bool:
    return status != session.ctx.progress.last_status


def _pause(session: JobSession, deadline: Deadline, interval: float) -> float:
    """Sleep about interval (shorter while starts wait for the quota); return the time slept.

    While other jobs are watched too, waking is aligned to multiples of interval on the shared
    clock, so waiters with the same interval wake together and one batched read serves them all.
    """
    if session.board.waiting_starters():
        interval = min(interval, session.quota_poll_seconds)
    if session.board.watched_count() > 1:
        interval = _until_next_multiple(session.ctx.clock.monotonic(), interval)
    deadline.sleep(interval)
    return interval


def _until_next_multiple(now: float, interval: float) -> float:
    """Seconds from now to the next multiple of interval at least half an interval away."""
    wake = (math.floor(now / interval) + 1) * interval
    return wake - now if wake - now >= interval / 2 else wake + interval - now


def _read_status(session: JobSession, job_id: str, max_age: float) -> dict[str, Any]:
    """The job as last read by any waiter within max_age seconds, else read now.

    One job watched alone is read in full (GetVariantImportJob, items included); several are
    read together (ListVariantImportJobs with up to 20 ids, summaries without items).
    """

    def read(ids: list[str]) -> list[dict[str, Any]]:
        if len(ids) == 1:
            return [session.get_job(ids[0])]
        page = call(
            session.ctx, "ListVariantImportJobs", session.client.list_variant_import_jobs, ids=ids
        )
        return [dict(job) for job in page.get("variantImportJobs", [])]

    return session.board.read_status(job_id, max_age, read) or session.get_job(job_id)


def report_progress(session: JobSession, job_id: str, status: str, items: list[Any]) -> None:
    """Print the job's status and how many of its items are done (as last read)."""
    done = sum(1 for item in items if item.get("jobStatus") not in ACTIVE_STATUSES)
    session.ctx.progress.status(status, f"job {job_id}: {status}, {done}/{len(items)} items done")


def timeout_message(resource: str, job_id: str, status: str) -> str:
    """Why create gave up waiting, and what the user can do."""
    return (
        f"{resource}: import job {job_id} is still {status} after timeoutSeconds; it was not "
        "cancelled: the next `pulumi up` adopts it and waits again (raise timeoutSeconds to "
        "wait longer), or cancel it with `aws omics cancel-variant-import-job`"
    )


def failure_message(resource: str, job: Mapping[str, Any]) -> str:
    """One line naming the job, its status and message, and each failed item."""
    failed = failed_items(job)
    shown = "; ".join(
        f"{item['source']}: {item['statusMessage']}" for item in failed[:FAILED_ITEMS_SHOWN]
    )
    more = len(failed) - FAILED_ITEMS_SHOWN
    rest = f"; and {more} more failed items" if more > 0 else ""
    message = job.get("statusMessage") or "no status message"
    return (
        f"{resource}: import job {job['id']} ended {job['status']} ({message}); "
        f"failed items: {shown or 'none reported'}{rest}"
    )


def failed_items(job: Mapping[str, Any]) -> list[dict[str, str]]:
    """The items of job that did not import, with their messages."""
    return [item for item in item_statuses(job) if item["jobStatus"] in UNSUCCESSFUL]


def item_statuses(job: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each item's source, status and message, as outputs."""
    return [
        {
            "source": str(item.get("source", "")),
            "jobStatus": str(item.get("jobStatus", "")),
            "statusMessage": str(item.get("statusMessage", "")),
        }
        for item in job.get("items", [])
    ]


def job_outputs(job: Mapping[str, Any]) -> dict[str, Any]:
    """The resource outputs that describe job."""
    outputs: dict[str, Any] = {
        "jobId": str(job["id"]),
        "status": str(job.get("status", "")),
        "statusMessage": str(job.get("statusMessage", "")),
        "itemStatuses": item_statuses(job),
    }
    for key in ("creationTime", "completionTime"):
        if isinstance(job.get(key), datetime):
            outputs[key] = job[key].isoformat()
    return outputs
