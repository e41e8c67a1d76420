"""Import a batch of S3 VCFs into an Iceberg table: each file one commit, never twice.

The unit is one file (`import_file`), run in worker processes: read the ledger, skip a file
already committed, else stream it into Parquet files and add them in one commit whose summary
names the file. A commit conflict re-reads the ledger and decides again; a commit whose answer
was lost is recognised by its attempt id. A failed file commits nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed

from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table

from omics_provider.aws.iceberg_catalog import open_catalog
from omics_provider.aws.s3_sources import S3Source, look_up, open_source, s3_client
from omics_provider.core.errors import ProviderError
from omics_provider.core.progress import Progress
from omics_provider.core.redaction import redact
from omics_provider.core.vcf_reader import Provenance, read_variants
from omics_provider.flows.table_files import DataFiles, delete_files, write_data_files
from omics_provider.flows.table_ledger import (
    Committed,
    already_message,
    committed_files,
    find_committed,
    summary_of,
)
from omics_provider.flows.table_outcomes import (
    ALREADY_COMMITTED,
    COMMITTED,
    FAILED,
    FileJob,
    FileOutcome,
)
from omics_provider.flows.variant_table import SINGLE_ATTEMPT, commits_once

_ONCE = ", ".join(f"{k}={v}" for k, v in SINGLE_ATTEMPT.items())
COMMIT_ATTEMPTS = 20
"""Commits tried per file while racing committers keep winning (each retry re-reads the ledger)."""


def import_file(job: FileJob) -> FileOutcome:
    """Import one file exactly once (see the module docstring); never raises for the file's
    own trouble (reported as FAILED), only for the catalog's."""
    table = open_catalog(job.catalog).load_table(job.table)
    if not commits_once(table):
        raise ProviderError(
            f"table {job.table} lets PyIceberg retry conflicting commits by itself, which could "
            f"append a file a racing run committed: set its property {_ONCE} (VariantTable does)"
        )
    if (done := find_committed(table, job.source)) is not None:
        return _already(done, job.batch)
    try:
        client = s3_client(job.profile, job.region)
        source = look_up(client, job.source)
        with open_source(client, source) as stream:
            provenance = Provenance(job.source, source.etag, source.version, job.batch)
            files = write_data_files(table, read_variants(stream, provenance))
    except (ProviderError, OSError) as error:
        return FileOutcome(job.source, FAILED, batch=job.batch, message=redact(str(error)))
    return _commit(table, job, source, files)


def _commit(table: Table, job: FileJob, source: S3Source, files: DataFiles) -> FileOutcome:
    attempt = uuid.uuid4().hex
    summary = summary_of(job.source, source.etag, source.version, job.batch, files.rows, attempt)
    for _ in range(COMMIT_ATTEMPTS):
        table.refresh()
        done = find_committed(table, job.source)
        if done is not None:
            if done.attempt == attempt:
                return _done(done, source)
            delete_files(table, files.paths)
            return _already(done, job.batch)
        try:
            table.add_files(files.paths, snapshot_properties=summary, check_duplicate_files=False)
        except CommitFailedException:
            continue  # someone else committed first: re-read the ledger and decide again
        except Exception:
            table.refresh()  # the answer may have been lost after the commit took effect
            done = committed_files(table).get(job.source)
            if done is not None and done.attempt == attempt:
                return _done(done, source)
            raise
        done = committed_files(table)[job.source]
        return _done(done, source)
    delete_files(table, files.paths)
    raise ProviderError(
        f"{job.source}: {COMMIT_ATTEMPTS} commits to {job.table} lost to other committers; "
        "nothing of the file is committed, run again"
    )


def _done(done: Committed, source: S3Source) -> FileOutcome:
    return FileOutcome(
        done.source, COMMITTED, done.snapshot_id, done.rows, done.etag, done.batch, source.size
    )


def _already(done: Committed, batch: str) -> FileOutcome:
    """A file found committed: by this batch (an earlier run of it) or by another one."""
    if done.batch == batch:
        return FileOutcome(done.source, COMMITTED, done.snapshot_id, done.rows, done.etag, batch)
    return FileOutcome(
        done.source,
        ALREADY_COMMITTED,
        done.snapshot_id,
        done.rows,
        done.etag,
        done.batch,
        message=already_message(done),
    )


def default_workers() -> int:
    """The machine's cores."""
    return os.cpu_count() or 1


def import_batch(
    jobs: Sequence[FileJob],
    workers: int,
    progress: Progress,
    run: Callable[[FileJob], FileOutcome] = import_file,
) -> list[FileOutcome]:
    """Every file's outcome, in the order of jobs; files run in up to `workers` processes
    (spawned: the plugin's gRPC threads must not be forked), one progress line per file."""
    outcomes: dict[int, FileOutcome] = {}
    count = min(workers, len(jobs))
    if count <= 1:
        for i, job in enumerate(jobs):
            outcomes[i] = run(job)
            _report(progress, outcomes, outcomes[i], len(jobs))
        return [outcomes[i] for i in range(len(jobs))]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        futures: dict[Future[FileOutcome], int] = {
            pool.submit(run, job): i for i, job in enumerate(jobs)
        }
        for future in as_completed(futures):
            outcomes[futures[future]] = future.result()
            _report(progress, outcomes, outcomes[futures[future]], len(jobs))
    return [outcomes[i] for i in range(len(jobs))]


def _report(
    progress: Progress, outcomes: Mapping[int, FileOutcome], latest: FileOutcome, total: int
) -> None:
    rows = sum(o.rows for o in outcomes.values() if o.status == COMMITTED)
    megabytes = sum(o.bytes for o in outcomes.values()) / 1e6
    rate = megabytes / max(progress.elapsed(), 1e-3)
    progress.line(
        f"{len(outcomes)}/{total} files done ({latest.source} {latest.status.lower()}); "
        f"{rows} rows committed; {rate:.1f} MB/s"
    )
