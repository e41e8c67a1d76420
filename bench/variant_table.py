"""The table import's figures: MB/s of gzipped VCF per core beside `gzip -dc` and beside the AWS
sample's approach, peak memory per worker (two file sizes), snapshots per file."""

from __future__ import annotations

import multiprocessing
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.aws_sample_import import import_lines
from bench.delivery import BUCKET, moto_s3
from bench.report import Row
from omics_provider.aws.iceberg_catalog import local_catalog, open_catalog
from omics_provider.core.variant_schema import SUMMARY_SOURCE
from omics_provider.core.vcf_reader import record_batches
from omics_provider.flows.table_import import import_file
from omics_provider.flows.table_outcomes import FileJob, FileOutcome
from omics_provider.flows.variant_table import create_or_adopt
from tests.support.vcf_files import cohort

SAMPLES = 3
RECORDS = 40_000
"""The measured file: 3 samples x 40,000 records (120,000 rows), gzipped."""
BIG_FACTOR = 4
TABLE = "bench.variants"


@dataclass
class Run:
    """One file imported in a fresh worker process."""

    outcome: FileOutcome
    seconds: float
    peak_mb: float


@dataclass
class TableFigures:
    gz_mb: float
    gzip_mb_s: float
    ours_mb_s: float
    sample_mb_s: float
    reader_mb_s: float
    peak_mb: float
    peak_big_mb: float
    big_gz_mb: float
    snapshots_per_file: set[int]
    rows: int


def _timed_import(warm_up: FileJob, job: FileJob) -> tuple[FileOutcome, float, float]:
    """In the worker: one file to warm it up (catalog opened, first calls made), then job."""
    import_file(warm_up)
    started = time.perf_counter()
    outcome = import_file(job)
    seconds = time.perf_counter() - started
    return outcome, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_fresh_worker(warm_up: FileJob, job: FileJob) -> Run:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        outcome, seconds, peak = pool.apply(_timed_import, (warm_up, job))
    return Run(outcome, seconds, peak)


def _gzip_seconds(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["gzip", "-dc", str(path)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _reader_seconds(path: Path) -> float:
    """oxbow's scan of the file alone (every field parsed, nothing reshaped or written)."""
    started = time.perf_counter()
    with path.open("rb") as stream:
        _samples, batches = record_batches(stream)
        for _batch in batches:
            pass
    return time.perf_counter() - started


def measure_table_import() -> TableFigures:
    """Import the measured file, a 4x one and a copy with the AWS sample's approach."""
    folder = Path(tempfile.mkdtemp(prefix="bench-table-"))
    try:
        return _measure(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure(folder: Path) -> TableFigures:
    small = cohort(SAMPLES, RECORDS, seed=1).encoded("gzip")
    big = cohort(SAMPLES, RECORDS * BIG_FACTOR, seed=2).encoded("gzip")
    (folder / "small.vcf.gz").write_bytes(small)
    catalog = local_catalog(folder / "tables")
    _table, _ = create_or_adopt(catalog, TABLE)
    with moto_s3() as s3:
        s3.put_object(Bucket=BUCKET, Key="small.vcf.gz", Body=small)
        s3.put_object(Bucket=BUCKET, Key="big.vcf.gz", Body=big)
        s3.put_object(Bucket=BUCKET, Key="warm-1.vcf.gz", Body=cohort(1, 10).encoded("gzip"))
        s3.put_object(Bucket=BUCKET, Key="warm-2.vcf.gz", Body=cohort(1, 10, 3).encoded("gzip"))

        def job(key: str) -> FileJob:
            return FileJob(catalog, TABLE, f"s3://{BUCKET}/{key}", "bench")

        ours = _in_fresh_worker(job("warm-1.vcf.gz"), job("small.vcf.gz"))
        biggest = _in_fresh_worker(job("warm-2.vcf.gz"), job("big.vcf.gz"))
    gzip_seconds = min(_gzip_seconds(folder / "small.vcf.gz") for _ in range(3))
    reader_seconds = min(_reader_seconds(folder / "small.vcf.gz") for _ in range(3))
    sample_seconds = _sample_seconds(folder, catalog)
    mb = len(small) / 1e6
    return TableFigures(
        gz_mb=mb,
        gzip_mb_s=mb / gzip_seconds,
        ours_mb_s=mb / ours.seconds,
        sample_mb_s=mb / sample_seconds,
        reader_mb_s=mb / reader_seconds,
        peak_mb=ours.peak_mb,
        peak_big_mb=biggest.peak_mb,
        big_gz_mb=len(big) / 1e6,
        snapshots_per_file=set(_appends(catalog).values()),
        rows=ours.outcome.rows,
    )


def _sample_seconds(folder: Path, catalog: dict[str, str]) -> float:
    baseline, _ = create_or_adopt(catalog, "bench.aws_sample")
    started = time.perf_counter()
    import_lines(baseline, str(folder / "small.vcf.gz"), "s3://bench/small.vcf.gz", "b")
    return time.perf_counter() - started


def _appends(catalog: dict[str, Any]) -> dict[str, int]:
    table = open_catalog(catalog).load_table(TABLE)
    counts: dict[str, int] = {}
    for snapshot in table.snapshots():
        source = (snapshot.summary.additional_properties if snapshot.summary else {}).get(
            SUMMARY_SOURCE
        )
        if source:
            counts[source] = counts.get(source, 0) + 1
    return counts


GZIP_TARGET = 1 / 3
SAMPLE_TARGET = 3.0


def table_rows() -> list[Row]:
    """Section 7: the table import's throughput, memory and commits per file."""
    f = measure_table_import()
    of_gzip = f.ours_mb_s / f.gzip_mb_s
    over_sample = f.ours_mb_s / f.sample_mb_s
    return [
        Row(
            "7 table import per core vs gzip -dc (MB/s of .vcf.gz)",
            f"{of_gzip:.2f}  (ours {f.ours_mb_s:.2f}, gzip -dc {f.gzip_mb_s:.1f}; "
            f"{f.gz_mb:.1f} MB, {f.rows} rows)",
            f">= {GZIP_TARGET:.2f}",
            of_gzip >= GZIP_TARGET,
            aspiration=True,  # issue 22's goal, not reached yet: reported, never failing
        ),
        Row(
            "7 bound: oxbow's scan alone vs gzip -dc (what no import with this reader passes)",
            f"{f.reader_mb_s / f.gzip_mb_s:.2f}  (scan {f.reader_mb_s:.2f} MB/s; the import "
            f"is {f.ours_mb_s / f.reader_mb_s:.2f} of it)",
        ),
        Row(
            "7 table import vs the AWS sample's approach (line parsing, chunked appends)",
            f"{over_sample:.1f}x  (sample {f.sample_mb_s:.2f} MB/s)",
            f">= {SAMPLE_TARGET:.0f}x",
            over_sample >= SAMPLE_TARGET,
        ),
        Row(
            "7 peak memory per worker (RSS)",
            f"{f.peak_mb:.0f} MB for {f.gz_mb:.1f} MB, {f.peak_big_mb:.0f} MB for "
            f"{f.big_gz_mb:.1f} MB (imports alone ~210 MB)",
        ),
        Row(
            "7 snapshots per file",
            ", ".join(str(n) for n in sorted(f.snapshots_per_file)),
            "exactly 1",
            f.snapshots_per_file == {1},
        ),
    ]
