"""The table's import ledger: which source files its history says are committed, and by whom.

Each append names its one source file in its snapshot summary; a batch delete names its batch.
Replaying the main branch's snapshots from the oldest gives the files the table holds now, for
every committer alike (no lock, no side table). Snapshots expire (S3 Tables expires them by
default), so a file the retained history does not name is looked for in the data as well: its
provenance columns, pruned to the files whose statistics can hold it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pyiceberg.expressions import EqualTo, In
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
from omics_provider.flows.table_outcomes import (
    ALREADY_COMMITTED,
    COMMITTED,
    FAILED,
    NOT_IN_TABLE,
    FileOutcome,
)

EQUAL_TO, IS_IN = cast(Any, EqualTo), cast(Any, In)
"""Filters built as (column, value): their pydantic models hide that form from type checkers."""
EXPIRED = 0
"""The snapshot id reported for a file whose commit's snapshot has expired."""
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


def find_committed(table: Table, source: str) -> Committed | None:
    """source's commit: from the retained history, else from the rows' provenance (a commit
    whose snapshot expired: snapshot id EXPIRED, no attempt id); None when the table lacks it."""
    if (done := committed_files(table).get(source)) is not None:
        return done
    rows = table.scan(
        row_filter=EQUAL_TO("sourcefile", source),
        selected_fields=("sourcefile", "sourceetag", "sourceversion", "batch"),
        limit=1,
    ).to_arrow()
    if rows.num_rows == 0:
        return None
    row = rows.to_pylist()[0]
    return Committed(
        source=source,
        etag=row["sourceetag"] or "",
        version=row["sourceversion"],
        batch=row["batch"] or "",
        rows=0,
        snapshot_id=EXPIRED,
        attempt="",
    )


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


def refreshed_outcomes(
    table: Table, batch: str, previous: Sequence[Mapping[str, Any]]
) -> list[FileOutcome]:
    """The previous per-file outcomes (output rows) as the table's history tells them now:
    a file committed since (by this batch or another) is COMMITTED or ALREADY_COMMITTED with its
    snapshot; one whose rows were removed is NOT_IN_TABLE; a failed file not committed since
    keeps its failure."""
    ledger = committed_files(table)
    outcomes = []
    for row in previous:
        source = str(row.get("source"))
        done = ledger.get(source) or find_committed(table, source)
        size = int(row.get("bytes") or 0)
        if done is not None:
            status = COMMITTED if done.batch == batch else ALREADY_COMMITTED
            message = "" if status == COMMITTED else already_message(done)
            outcomes.append(
                FileOutcome(
                    source,
                    status,
                    done.snapshot_id,
                    done.rows,
                    done.etag,
                    done.batch,
                    size,
                    message,
                )
            )
        elif row.get("status") == FAILED:
            outcomes.append(FileOutcome(source, FAILED, batch=batch, message=str(row["message"])))
        else:
            message = f"committed in snapshot {row.get('snapshotId')}, no longer in the table"
            outcomes.append(FileOutcome(source, NOT_IN_TABLE, batch=batch, message=message))
    return outcomes


def already_message(done: Committed) -> str:
    """The message of a file another batch committed."""
    return f"already committed by batch {done.batch} in snapshot {done.snapshot_id}"
