"""The first-bytes rules of annotation files: TSV/CSV header, GFF3 first line, VCF."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from omics_stack.annotation_files import annotation_rule, gff3_problem
from omics_stack.config import AnnotationBatch, AnnotationStoreConfig
from omics_stack.verification import VCF_RULE, Problem

COLUMNS = {"CHR": "chrom", "START": "start", "END": "end"}
TSV_STORE = AnnotationStoreConfig(
    "clinvar",
    "TSV",
    "v2024_06",
    store_options={
        "tsvStoreOptions": {
            "annotationType": "CHR_START_END_ONE_BASE",
            "formatToHeader": COLUMNS,
            "schema": [{"chrom": "STRING"}, {"start": "LONG"}, {"end": "LONG"}, {"gene": "STRING"}],
        }
    },
)
TSV = b"chrom\tstart\tend\tgene\n1\t100\t200\tBRCA2\n"
CSV = b"chrom,start,end,gene\n1,100,200,BRCA2\n"


def tsv_problem(head: bytes, source: str = "s3://b/a.tsv", whole: bool = True, **read: Any) -> Any:
    """The TSV rule's verdict on head, for a batch with readOptions read."""
    options = {"tsvOptions": {"readOptions": read}} if read else None
    batch = AnnotationBatch("b", (source,), version="v2024_06", format_options=options)
    return annotation_rule(TSV_STORE, batch).problem(source, head, whole)


@pytest.mark.parametrize(
    ("head", "source", "read"),
    [
        pytest.param(TSV, "s3://b/a.tsv", {}, id="tsv-tab-by-default"),
        pytest.param(CSV, "s3://b/a.csv", {}, id="csv-comma-by-name"),
        pytest.param(CSV, "s3://b/a.txt", {"sep": ","}, id="sep-given"),
        pytest.param(gzip.compress(TSV), "s3://b/a.tsv.gz", {}, id="gzip"),
        pytest.param(b"# from ClinVar\n" + TSV, "s3://b/a.tsv", {"comment": "#"}, id="comment"),
        pytest.param(
            b'"chrom","start","end","gene"\n', "s3://b/a.csv", {"quote": '"'}, id="quoted-header"
        ),
        pytest.param(b"1\t100\t200\tBRCA2\n", "s3://b/a.tsv", {"header": False}, id="no-header"),
    ],
)
def test_tsv_rule_accepts_a_header_with_the_store_columns(
    head: bytes, source: str, read: dict[str, Any]
) -> None:
    assert tsv_problem(head, source, **read) is None


@pytest.mark.parametrize(
    ("head", "source", "read", "problem"),
    [
        pytest.param(
            CSV,
            "s3://b/a.tsv",
            {},
            "TSV header: the first line has no '\\t' separator (starts with "
            "'chrom,start,end,gene'); separate the columns with it or set readOptions.sep",
            id="csv-named-tsv",
        ),
        pytest.param(
            TSV,
            "s3://b/a.tsv",
            {"sep": ";"},
            "TSV header: the first line has no ';' separator",
            id="sep-not-in-header",
        ),
        pytest.param(
            b"chr\tpos\tend\n",
            "s3://b/a.tsv",
            {},
            "TSV header: the header line lacks the column(s) 'chrom' (formatToHeader CHR), "
            "'start' (formatToHeader START), 'gene' (schema) that the store's tsvStoreOptions "
            "name; it has 'chr', 'pos', 'end'",
            id="columns-missing",
        ),
        pytest.param(b"", "s3://b/a.tsv", {}, "is empty;", id="empty"),
        pytest.param(
            b"# only\n",
            "s3://b/a.tsv",
            {"comment": "#"},
            "TSV header: the file holds no line",
            id="only-comments",
        ),
        pytest.param(b"BZh91AY", "s3://b/a.tsv.bz2", {}, "is bzip2-compressed;", id="bzip2"),
        pytest.param(
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x07garbage",
            "s3://b/a.tsv.gz",
            {},
            "is gzip-compressed but cannot be decompressed",
            id="bad-gzip",
        ),
    ],
)
def test_tsv_rule_names_what_is_wrong(
    head: bytes, source: str, read: dict[str, Any], problem: str
) -> None:
    found = tsv_problem(head, source, **read)

    assert found is not None and found.startswith(problem)


def test_tsv_rule_quotes_at_most_a_short_excerpt_of_a_header() -> None:
    found = tsv_problem(b"x" * 5000 + b"\tpos\tend\n", "s3://b/a.tsv")

    assert found is not None and found.endswith("it has '" + "x" * 79 + " ...")


def test_verify_problem_line_is_redacted() -> None:
    key = "AKIA" + "ABCDEFGHIJKLMNOP"
    line = Problem("june", "s3://b/a.gff3", f"starts with {key!r}").line()

    assert key not in line and line.startswith("june: s3://b/a.gff3: starts with ")


def test_tsv_rule_leaves_a_header_longer_than_the_head_to_the_service() -> None:
    cut = b"chrom\tstart\tend\tge"  # the head ends inside the header line

    assert tsv_problem(cut, whole=False) is None
    assert "lacks the column(s) 'gene'" in tsv_problem(cut, whole=True)


@pytest.mark.parametrize(
    ("head", "problem"),
    [
        pytest.param(b"##gff-version 3\n1\t.\tgene\t1\t9\t.\t+\t.\tID=g\n", None, id="gff3"),
        pytest.param(b"##gff-version 3.1.26\r\n", None, id="minor-version-crlf"),
        pytest.param(gzip.compress(b"##gff-version 3\n", mtime=0), None, id="gzip"),
        pytest.param(
            b"##gff-version 2\n",
            "GFF3 first line: the file must start with the line '##gff-version 3', and starts "
            "with '##gff-version 2'",
            id="gff2",
        ),
        pytest.param(
            b"1\t.\tgene\t1\t9\n",
            "GFF3 first line: the file must start with the line '##gff-version 3', and starts "
            "with '1\\t.\\tgene\\t1\\t9'",
            id="no-directive",
        ),
        pytest.param(
            b"", "is empty; a GFF annotation store reads plain or gzip-compressed GFF3", id="empty"
        ),
    ],
)
def test_gff3_problem_checks_the_first_line(head: bytes, problem: str | None) -> None:
    assert gff3_problem(head) == problem


def test_annotation_rule_of_a_vcf_store_is_the_variant_rule() -> None:
    store = AnnotationStoreConfig("clinvar", "VCF", "v2024_06", reference_arn="arn")
    batch = AnnotationBatch("b", ("s3://b/a.vcf",), version="v2024_06")

    assert annotation_rule(store, batch) is VCF_RULE
