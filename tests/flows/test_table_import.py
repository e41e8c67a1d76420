"""Importing a batch into a variant table: each file one commit, never twice, failures commit
nothing, and the rows read back are the VCF's."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table

from omics_provider.core.errors import ProviderError
from omics_provider.core.progress import Progress
from omics_provider.core.variant_schema import (
    SUMMARY_BATCH,
    SUMMARY_ETAG,
    SUMMARY_ROWS,
    SUMMARY_SOURCE,
)
from omics_provider.flows import table_files, table_import
from omics_provider.flows.table_import import import_batch, import_file
from omics_provider.flows.table_ledger import committed_files
from omics_provider.flows.table_outcomes import ALREADY_COMMITTED, COMMITTED, FAILED, FileJob
from omics_provider.flows.variant_table import remove_batch_rows
from tests.support.tables import (
    TABLE,
    VcfBucket,
    appends_by_source,
    committed_paths,
    data_files_on_disk,
    reloaded,
    rows_by_source,
)
from tests.support.vcf_files import cohort, expected_rows


def jobs(catalog: dict[str, str], sources: list[str], batch: str = "batch-1") -> list[FileJob]:
    return [FileJob(catalog, TABLE, source, batch) for source in sources]


def quiet() -> Progress:
    return Progress("VariantTableImport", "test", stream=io.StringIO())


def test_import_batch_commits_each_file_in_one_snapshot_recording_it(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table
) -> None:
    sources = [
        vcf_bucket.put(f"cohort-{form}.vcf", cohort(3, 40, seed=i), form)
        for i, form in enumerate(["plain", "gzip", "bgzf"])
    ]
    outcomes = import_batch(jobs(catalog, sources), workers=1, progress=quiet())
    assert [o.status for o in outcomes] == [COMMITTED] * 3
    current = reloaded(catalog)
    assert appends_by_source(current) == dict.fromkeys(sources, 1)
    for outcome in outcomes:
        summary = current.snapshot_by_id(outcome.snapshotId or 0).summary.additional_properties  # type: ignore[union-attr]
        head = vcf_bucket.client.head_object(
            Bucket=vcf_bucket.name, Key=outcome.source.split("/", 3)[3]
        )
        assert summary[SUMMARY_SOURCE] == outcome.source
        assert summary[SUMMARY_ETAG] == head["ETag"].strip('"')
        assert summary[SUMMARY_BATCH] == "batch-1"
        assert summary[SUMMARY_ROWS] == str(outcome.rows) == "120"
    assert rows_by_source(current) == dict.fromkeys(sources, 120)


def test_import_batch_reads_back_the_vcf_rows(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table
) -> None:
    vcf = cohort(samples=5, records=200, seed=3)
    source = vcf_bucket.put("cohort.vcf.gz", vcf, "bgzf")
    import_batch(jobs(catalog, [source]), workers=1, progress=quiet())
    rows = reloaded(catalog).scan().to_arrow().to_pylist()
    provenance = {(r["sourcefile"], r["batch"]) for r in rows}
    assert provenance == {(source, "batch-1")}

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["sampleid"] or "", row["contigname"], row["start"])

    def plain(row: dict[str, Any]) -> dict[str, Any]:
        out = {k: dict(v) if k in ("attributes", "information") else v for k, v in row.items()}
        return {
            k: v
            for k, v in out.items()
            if v is not None and not k.startswith("source") and k != "batch"
        }

    got = sorted((plain(r) for r in rows), key=key)
    want = sorted(
        ({k: v for k, v in r.items() if v is not None} for r in expected_rows(vcf)), key=key
    )
    assert len(got) == 5 * 200
    assert got == want


def test_import_batch_again_under_any_batch_commits_nothing_new(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table
) -> None:
    sources = [vcf_bucket.put(f"s{i}.vcf", cohort(2, 10, seed=i)) for i in range(3)]
    first = import_batch(jobs(catalog, sources), workers=1, progress=quiet())
    again = import_batch(jobs(catalog, sources), workers=1, progress=quiet())
    renamed = import_batch(jobs(catalog, sources, "batch-renamed"), workers=1, progress=quiet())
    assert [o.status for o in again] == [COMMITTED] * 3  # found, recorded by this batch
    assert [o.snapshotId for o in again] == [o.snapshotId for o in first]
    assert [o.status for o in renamed] == [ALREADY_COMMITTED] * 3
    assert all("already committed by batch batch-1" in o.message for o in renamed)
    assert appends_by_source(reloaded(catalog)) == dict.fromkeys(sources, 1)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not a vcf at all\n", "is not a readable VCF"),
        (cohort(1, 300).encoded("bgzf")[:900], "is not a readable VCF"),
        (None, "no such object"),
    ],
    ids=["not-vcf", "truncated", "missing"],
)
def test_import_file_that_fails_commits_nothing_and_leaves_no_files(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table, body: bytes | None, reason: str
) -> None:
    good = vcf_bucket.put("good.vcf", cohort(1, 5))
    bad = (
        vcf_bucket.put("bad.vcf", body) if body is not None else f"s3://{vcf_bucket.name}/gone.vcf"
    )
    outcomes = import_batch(jobs(catalog, [good, bad]), workers=1, progress=quiet())
    assert [o.status for o in outcomes] == [COMMITTED, FAILED]
    assert reason in outcomes[1].message and bad in outcomes[1].message
    current = reloaded(catalog)
    assert set(appends_by_source(current)) == {good}
    assert data_files_on_disk(catalog) == committed_paths(current)


def test_import_file_racing_in_threads_commits_once(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table
) -> None:
    for round_ in range(5):
        source = vcf_bucket.put(f"race-{round_}.vcf", cohort(2, 30, seed=round_))
        with ThreadPoolExecutor(3) as pool:
            outcomes = list(pool.map(import_file, jobs(catalog, [source]) * 3))
        assert {o.snapshotId for o in outcomes} == {outcomes[0].snapshotId}
        current = reloaded(catalog)
        assert appends_by_source(current)[source] == 1
        assert rows_by_source(current)[source] == 60
    assert data_files_on_disk(catalog) == committed_paths(reloaded(catalog))


def test_commit_losing_to_a_racer_rereads_the_ledger_and_keeps_the_winner(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The racer commits while this run writes its files: this run's commit conflicts, it reads
    the history again, finds the file, and drops what it wrote."""
    source = vcf_bucket.put("contested.vcf", cohort(2, 20))
    job = jobs(catalog, [source])[0]
    real_write = table_files.write_data_files

    def write_then_lose(*args: Any) -> Any:
        written = real_write(*args)
        racer = FileJob(catalog, TABLE, source, "racer")
        monkeypatch.setattr(table_import, "write_data_files", real_write)
        assert import_file(racer).status == COMMITTED
        stale_next.append(True)  # this run's next ledger read misses the racer's commit
        return written

    monkeypatch.setattr(table_import, "write_data_files", write_then_lose)
    real_refresh = Table.refresh
    stale_next: list[bool] = []

    def stale_first_refresh(self: Table) -> Table:
        return self if stale_next and stale_next.pop() else real_refresh(self)

    monkeypatch.setattr(Table, "refresh", stale_first_refresh)
    conflicts: list[int] = []
    real_add = Table.add_files

    def counting_add(self: Table, *args: Any, **kwargs: Any) -> None:
        try:
            real_add(self, *args, **kwargs)
        except CommitFailedException:
            conflicts.append(1)
            raise

    monkeypatch.setattr(Table, "add_files", counting_add)
    outcome = import_file(job)
    assert conflicts == [1]
    assert outcome.status == ALREADY_COMMITTED and "batch racer" in outcome.message
    current = reloaded(catalog)
    assert appends_by_source(current) == {source: 1}
    assert data_files_on_disk(catalog) == committed_paths(current)


def test_commit_whose_answer_was_lost_is_recognised_not_repeated(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = vcf_bucket.put("lost-answer.vcf", cohort(1, 8))
    real_add = Table.add_files

    def commit_then_lose_answer(self: Table, *args: Any, **kwargs: Any) -> None:
        real_add(self, *args, **kwargs)
        raise ConnectionResetError("connection reset while reading the commit's answer")

    monkeypatch.setattr(Table, "add_files", commit_then_lose_answer)
    outcome = import_file(jobs(catalog, [source])[0])
    assert outcome.status == COMMITTED and outcome.rows == 8
    assert appends_by_source(reloaded(catalog)) == {source: 1}


def test_import_file_refuses_a_table_that_retries_commits_by_itself(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table
) -> None:
    with table.transaction() as transaction:
        transaction.remove_properties("commit.retry.num-retries")
    source = vcf_bucket.put("x.vcf", cohort(1, 3))
    with pytest.raises(ProviderError, match=r"commit\.retry\.num-retries=0"):
        import_file(jobs(catalog, [source])[0])
    assert appends_by_source(reloaded(catalog)) == {}


def test_remove_batch_rows_removes_exactly_the_batch_and_the_ledger_forgets_it(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table
) -> None:
    mine = [vcf_bucket.put(f"mine-{i}.vcf", cohort(2, 6, seed=i)) for i in range(2)]
    theirs = vcf_bucket.put("theirs.vcf", cohort(2, 6, seed=9))
    import_batch(jobs(catalog, mine), workers=1, progress=quiet())
    import_batch(jobs(catalog, [theirs], "other"), workers=1, progress=quiet())
    assert remove_batch_rows(catalog, TABLE, "batch-1", [*mine, theirs]) == 2
    current = reloaded(catalog)
    assert rows_by_source(current) == {theirs: 12}
    assert set(committed_files(current)) == {theirs}
    again = import_batch(jobs(catalog, mine), workers=1, progress=quiet())
    assert [o.status for o in again] == [COMMITTED] * 2
    assert rows_by_source(reloaded(catalog)) == {theirs: 12, mine[0]: 12, mine[1]: 12}


def test_import_batch_in_worker_processes_prints_progress(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table
) -> None:
    sources = [vcf_bucket.put(f"p{i}.vcf.gz", cohort(2, 20, seed=i), "gzip") for i in range(3)]
    stream = io.StringIO()
    outcomes = import_batch(
        jobs(catalog, sources),
        workers=2,
        progress=Progress("VariantTableImport", "b", stream=stream),
    )
    assert [o.source for o in outcomes] == sources
    assert [o.status for o in outcomes] == [COMMITTED] * 3
    lines = stream.getvalue().splitlines()
    assert [line.split("] ")[1].split(" files done")[0] for line in lines] == ["1/3", "2/3", "3/3"]
    assert "120 rows committed" in lines[-1] and "MB/s" in lines[-1]


def test_import_batch_after_snapshots_expired_finds_the_files_in_the_data(
    vcf_bucket: VcfBucket, catalog: dict[str, str], table: Table
) -> None:
    """S3 Tables expires snapshots: the ledger loses the old appends, the rows still say."""
    sources = [vcf_bucket.put(f"old-{i}.vcf", cohort(2, 10, seed=i)) for i in range(3)]
    import_batch(jobs(catalog, sources), workers=1, progress=quiet())
    current = reloaded(catalog)
    older = [s.snapshot_id for s in current.snapshots() if s != current.current_snapshot()]
    current.maintenance.expire_snapshots().by_ids(older).commit()
    assert len(committed_files(reloaded(catalog))) == 1  # only the newest append is left
    again = import_batch(jobs(catalog, sources, "batch-later"), workers=1, progress=quiet())
    assert [o.status for o in again] == [ALREADY_COMMITTED] * 3
    assert rows_by_source(reloaded(catalog)) == dict.fromkeys(sources, 20)
