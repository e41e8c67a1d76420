"""What a job's items came to, and the messages that tell a user about a job: pure functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from omics_provider.core.kinds import JobKind
from omics_provider.core.service import JOB_ACTIVE, JOB_UNSUCCESSFUL

FAILED_ITEMS_SHOWN = 20
"""How many failed items an error message lists before summarizing the rest."""


def item_counts(job: Mapping[str, Any]) -> dict[str, int]:
    """How many of the job's items are in each status, e.g. {"COMPLETED": 998, "FAILED": 2}."""
    counts = Counter(str(item.get("jobStatus")) for item in job.get("items", []))
    return dict(sorted(counts.items()))


def failed_items(job: Mapping[str, Any]) -> list[dict[str, str]]:
    """The items of job that did not import: source, status and message of each."""
    return [
        {
            "source": str(item.get("source", "")),
            "jobStatus": str(item.get("jobStatus", "")),
            "statusMessage": str(item.get("statusMessage", "")),
        }
        for item in job.get("items", [])
        if item.get("jobStatus") in JOB_UNSUCCESSFUL
    ]


def items_done(job: Mapping[str, Any]) -> str:
    """`3/5 items done`: how many items reached a final status."""
    items = job.get("items", [])
    done = sum(1 for item in items if item.get("jobStatus") not in JOB_ACTIVE)
    return f"{done}/{len(items)} items done"


def failure(job: Mapping[str, Any]) -> str:
    """What went wrong with a job that imported nothing: the job, its status and message, and
    each failed item (the first 20)."""
    failed = failed_items(job)
    shown = "; ".join(_item_line(item) for item in failed[:FAILED_ITEMS_SHOWN])
    more = len(failed) - FAILED_ITEMS_SHOWN
    rest = f"; and {more} more failed items" if more > 0 else ""
    message = job.get("statusMessage") or "no status message"
    return (
        f"import job {job['id']} ended {job['status']} ({message}); "
        f"failed items: {shown or 'none reported'}{rest}"
    )


def _item_line(item: Mapping[str, str]) -> str:
    """`source: message`, or the source alone where the kind's items carry no message."""
    message = item["statusMessage"]
    return f"{item['source']}: {message}" if message else item["source"]


def partial_warning(kind: JobKind, job: Mapping[str, Any]) -> str:
    """The warning for a job of kind that COMPLETED_WITH_FAILURES."""
    failed = failed_items(job)
    return (
        f"job {job['id']} COMPLETED_WITH_FAILURES: {len(failed)} of {len(job.get('items', []))} "
        "items failed (see failedItems); the others are in the store. Import the failed files "
        f"with a new {kind.resource} once fixed."
    )


def timed_out(kind: JobKind, job_id: str, status: str) -> tuple[str, str]:
    """Why create gave up waiting for a job of kind, and what the user can do."""
    advice = "the next `pulumi up` adopts it and waits again (raise timeoutSeconds to wait longer)"
    if kind.cancel is not None:
        advice = f"{advice}, or cancel it with `aws omics {kind.command(kind.cancel)}`"
    return (
        f"import job {job_id} is still {status} after timeoutSeconds; it was not cancelled",
        advice,
    )


def index_ranges(indexes: list[int]) -> str:
    """Sorted indexes as ranges, e.g. [0, 1, 2, 5] -> "0-2,5" (compact in the state)."""
    parts: list[str] = []
    start = previous = -2
    for index in sorted(indexes):
        if index != previous + 1:
            if start >= 0:
                parts.append(_range(start, previous))
            start = index
        previous = index
    if start >= 0:
        parts.append(_range(start, previous))
    return ",".join(parts)


def _range(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def expand_ranges(text: str) -> list[int]:
    """The indexes index_ranges wrote, e.g. "0-2,5" -> [0, 1, 2, 5]."""
    indexes: list[int] = []
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        indexes.extend(range(int(first), int(last or first) + 1))
    return indexes


def imported_by(sources: tuple[str, ...], holders: Mapping[str, str]) -> dict[str, str]:
    """For each job, the positions in sources of the files it imported, as index ranges."""
    positions: dict[str, list[int]] = {}
    for index, source in enumerate(sources):
        if source in holders:
            positions.setdefault(holders[source], []).append(index)
    return {job_id: index_ranges(found) for job_id, found in positions.items()}


def overall_status(items: Sequence[Mapping[str, Any]], running: str) -> str:
    """The status of a batch from its items: running while one runs, else COMPLETED when all
    imported, CANCELLED when every item was cancelled, FAILED when none imported otherwise,
    COMPLETED_WITH_FAILURES in between."""
    statuses = [item.get("jobStatus") for item in items]
    if any(status in JOB_ACTIVE for status in statuses):
        return running
    done = statuses.count("COMPLETED")
    if done == len(statuses):
        return "COMPLETED"
    if done:
        return "COMPLETED_WITH_FAILURES"
    return "CANCELLED" if set(statuses) == {"CANCELLED"} else "FAILED"


def recorded_note(store: str, recorded: Mapping[str, int]) -> str:
    """Why some files have no item in the resource's own job: the store had them already."""
    count = sum(recorded.values())
    jobs = ", ".join(sorted(recorded))
    return (
        f"{count} file(s) already in store {store} or being imported by job(s) {jobs}: "
        "recorded, not imported again"
    )
