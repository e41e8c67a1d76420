"""The VCF reader: every form and shape of VCF gives exactly the rows the records make."""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pytest

from omics_provider.core import vcf_reader
from omics_provider.core.redaction import register_secret
from omics_provider.core.validation import QUOTED_CHARACTERS
from omics_provider.core.variant_schema import ARROW_SCHEMA
from omics_provider.core.vcf_reader import Provenance, VcfError, compression_of, read_variants
from tests.support.vcf_files import Genotype, Record, VcfFile, bgzf, cohort, expected_rows

PROVENANCE = Provenance("s3://bucket/cohort.vcf.gz", "etag-1", "v1", "batch-1")
PROVENANCE_COLUMNS = ("sourcefile", "sourceetag", "sourceversion", "batch")


def read_rows(data: bytes, batch_rows: int = 65_536) -> list[dict[str, Any]]:
    tables = list(read_variants(io.BytesIO(data), PROVENANCE, batch_rows))
    assert all(t.schema == ARROW_SCHEMA for t in tables)
    rows = pa.concat_tables(tables).to_pylist() if tables else []
    return [comparable(row) for row in rows]


def comparable(row: dict[str, Any]) -> dict[str, Any]:
    """A row with maps as dicts and the columns a record without genotypes leaves out dropped."""
    out = {
        k: dict(v) if k in ("attributes", "information") and v is not None else v
        for k, v in row.items()
    }
    return {k: v for k, v in out.items() if k not in PROVENANCE_COLUMNS}


def order(row: dict[str, Any]) -> tuple[str, str, int]:
    return (row["sampleid"] or "", row["contigname"], row["start"])


def without_nulls(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


@pytest.mark.parametrize("form", ["plain", "gzip", "bgzf"])
def test_read_variants_gives_one_row_per_sample_per_record(form: str) -> None:
    vcf = cohort(samples=3, records=120)
    rows = read_rows(vcf.encoded(form))
    assert len(rows) == 3 * 120
    assert without_nulls(rows) == without_nulls(expected_rows(vcf))


def test_read_variants_in_small_batches_gives_the_same_rows() -> None:
    vcf = cohort(samples=4, records=300)
    small = read_rows(vcf.encoded("bgzf"), batch_rows=64 * 4)
    assert sorted(small, key=order) == sorted(read_rows(vcf.encoded("bgzf")), key=order)


def test_read_variants_of_a_sites_only_vcf_keeps_every_record() -> None:
    vcf = cohort(samples=0, records=40)
    rows = read_rows(vcf.encoded("plain"))
    assert [r["sampleid"] for r in rows] == [None] * 40
    assert without_nulls(rows) == without_nulls(expected_rows(vcf))


def test_read_variants_converts_positions_to_zero_based_half_open() -> None:
    record = Record("chr1", 1, "ACG", ["A"], genotypes=[Genotype([0, 1])])
    symbolic = Record("chr1", 100, "N", ["<DEL>"], info={"END": 350}, genotypes=[Genotype([1])])
    rows = read_rows(VcfFile(["S1"], [record, symbolic]).encoded("plain"))
    assert [(r["start"], r["end"]) for r in rows] == [(0, 3), (99, 350)]


def test_read_variants_keeps_records_whose_genotypes_are_missing() -> None:
    genotypes = [Genotype(None), Genotype([-1, -1]), Genotype([1], depth=4)]
    rows = read_rows(
        VcfFile(["A", "B", "C"], [Record("chr2", 5, "C", ["T"], genotypes=genotypes)]).encoded(
            "gzip"
        )
    )
    assert [(r["sampleid"], r["calls"], r["phased"]) for r in rows] == [
        ("A", None, None),
        ("B", [-1, -1], False),
        ("C", [1], False),
    ]


def test_read_variants_writes_provenance_into_every_row() -> None:
    tables = read_variants(io.BytesIO(cohort(2, 10).encoded("plain")), PROVENANCE)
    table = pa.concat_tables(list(tables))
    assert set(table.column("sourcefile").to_pylist()) == {PROVENANCE.source}
    assert set(table.column("sourceetag").to_pylist()) == {"etag-1"}
    assert set(table.column("sourceversion").to_pylist()) == {"v1"}
    assert set(table.column("batch").to_pylist()) == {"batch-1"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"hello world\n", ""),
        (b"\x1f\x8b\x08\x00garbage", ""),
        (cohort(1, 50).encoded("bgzf")[:700], ""),
    ],
    ids=["empty", "not-vcf", "bad-gzip", "truncated-bgzf"],
)
def test_read_variants_of_a_bad_file_raises_naming_the_source(data: bytes, reason: str) -> None:
    with pytest.raises(VcfError) as raised:
        list(read_variants(io.BytesIO(data), PROVENANCE))
    assert str(raised.value).startswith(f"{PROVENANCE.source} is not a readable VCF: ")
    assert reason in str(raised.value)


def test_read_variants_of_a_bad_file_quotes_only_a_short_redacted_excerpt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "vcf-excerpt-SECRET-1b7e"
    register_secret(secret)
    content = f"chr1\t5\t{secret}\t" + "ACGT" * 200  # a parser quoting the record it refused

    def failing(*_: Any) -> Any:
        raise ValueError(f"invalid record: {content}")

    monkeypatch.setattr(vcf_reader, "record_batches", failing)
    with pytest.raises(VcfError) as raised:
        list(read_variants(io.BytesIO(b"##fileformat=VCFv4.2\n"), PROVENANCE))

    reason = str(raised.value).removeprefix(f"{PROVENANCE.source} is not a readable VCF: ")
    quoted = reason.split("... (")[0]
    assert len(quoted) <= QUOTED_CHARACTERS and reason.endswith(" characters)")
    assert secret not in str(raised.value) and "<redacted>" in quoted
    assert "ACGT" * 20 not in str(raised.value)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"##fileformat=VCFv4.2", None),
        (gzip_head := __import__("gzip").compress(b"x", mtime=0)[:18], "gzip"),
        (bgzf(b"x")[:18], "bgzf"),
    ],
    ids=["plain", "gzip", "bgzf"],
)
def test_compression_of_tells_the_three_forms_apart(head: bytes, expected: str | None) -> None:
    assert compression_of(head) == expected
