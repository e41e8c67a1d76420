"""The table's import ledger: which source files its history says are committed, and by whom.

Each append names its one source file in its snapshot summary; a batch delete names its batch.
Replaying the main branch's snapshots from the oldest gives the files the table holds now, for
every committer alike (no lock, no side table).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyiceberg.table import Table
from pyiceberg.table.snapshots import ancestors_of

from omics_provider.core.variant_schema import (
    SUMMARY_BATCH,
    SUMMARY_ETAG,
    SUMMARY_REMOVED_BATCH,
    SUMMARY_ROWS,
    SUMMARY_SOURCE,
    SUMMARY_VERSION,
)

SUMMARY_ATTEMPT = "omics.attempt"
"""A committer's own random id: tells a commit whose answer was lost from someone else's."""


@dataclass(frozen=True)
class Committed:
    """One source file as the table's history records it."""

    source: str
    etag: str
    version: str | None
    batch: str
    rows: int
    snapshot_id: int
    attempt: str


def committed_files(table: Table) -> dict[str, Committed]:
    """Source URI -> its commit, from the current snapshot's ancestry (as of table's metadata)."""
    current = table.current_snapshot()
    if current is None:
        return {}
    ledger: dict[str, Committed] = {}
    for snapshot in reversed(list(ancestors_of(current, table.metadata))):
        summary = snapshot.summary.additional_properties if snapshot.summary else {}
        if removed := summary.get(SUMMARY_REMOVED_BATCH):
            ledger = {uri: c for uri, c in ledger.items() if c.batch != removed}
        elif source := summary.get(SUMMARY_SOURCE):
            ledger[source] = Committed(
                source=source,
                etag=summary.get(SUMMARY_ETAG, ""),
                version=summary.get(SUMMARY_VERSION) or None,
                batch=summary.get(SUMMARY_BATCH, ""),
                rows=int(summary.get(SUMMARY_ROWS, "0")),
                snapshot_id=snapshot.snapshot_id,
                attempt=summary.get(SUMMARY_ATTEMPT, ""),
            )
    return ledger


def summary_of(
    source: str, etag: str, version: str | None, batch: str, rows: int, attempt: str
) -> dict[str, str]:
    """The snapshot-summary properties of one file's append."""
    summary = {
        SUMMARY_SOURCE: source,
        SUMMARY_ETAG: etag,
        SUMMARY_BATCH: batch,
        SUMMARY_ROWS: str(rows),
        SUMMARY_ATTEMPT: attempt,
    }
    if version:
        summary[SUMMARY_VERSION] = version
    return summary
