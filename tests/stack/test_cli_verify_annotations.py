"""`omics-variant-import verify` of annotation batches against a moto S3 server."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from omics_stack.cli import main
from tests.stack.conftest import REFERENCE, STACK, put, stack_file

HEADER = b"chrom\tstart\tend\tgene\n1\t100\t200\tBRCA2\n"
GFF3 = b"##gff-version 3\n1\t.\tgene\t100\t200\t.\t+\t.\tID=BRCA2\n"
TSV_OPTIONS = """\
    storeOptions:
      tsvStoreOptions:
        annotationType: CHR_START_END_ONE_BASE
        formatToHeader: {CHR: chrom, START: start, END: end}
"""


def declare(
    project: Path, store_format: str, batches: list[str], variant: Sequence[str] = ()
) -> None:
    """A stack with one annotation store of store_format and the given annotation batch entries
    (YAML text of each list item), and variant batch sources if any."""
    lines = [
        "config:",
        "  omics-variant-import:storeName: cohort_store",
        f"  omics-variant-import:referenceArn: {REFERENCE}",
        "  omics-variant-import:annotationStore:",
        "    name: clinvar",
        f"    storeFormat: {store_format}",
        "    versionName: v2024_06",
        f"    referenceArn: {REFERENCE}",
    ]
    if store_format == "TSV":
        lines.append(TSV_OPTIONS.rstrip("\n"))
    lines.append("  omics-variant-import:annotationImports:")
    lines += [f"    - {entry}" for entry in batches]
    if variant:
        lines += ["  omics-variant-import:imports:", "    - name: variants", "      sources:"]
        lines += [f"        - {source}" for source in variant]
    stack_file(project).write_text("\n".join(lines) + "\n")


def test_verify_passes_annotation_files_their_store_reads(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [tsv, gz] = put(s3, bucket, "a.tsv", "b.tsv.gz", body=HEADER)
    s3.put_object(Bucket=bucket, Key="b.tsv.gz", Body=gzip.compress(HEADER))
    [csv] = put(s3, bucket, "c.csv", body=HEADER.replace(b"\t", b","))
    declare(
        project,
        "TSV",
        [f"{{name: june, sources: [{tsv}, {gz}]}}", f"{{name: july, sources: [{csv}]}}"],
    )

    assert main(["verify", "--stack", STACK]) == 0

    assert capsys.readouterr().out.startswith("verified 3 file(s) in 2 batch(es): no problem")


def test_verify_names_file_and_rule_of_bad_tsv_files(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [no_header] = put(s3, bucket, "no-header.tsv", body=b"1\t100\t200\tBRCA2\n")
    [semicolons] = put(s3, bucket, "semi.tsv", body=HEADER)
    [vcf] = put(s3, bucket, "variants.vcf")
    declare(
        project,
        "TSV",
        [
            f"{{name: june, sources: [{no_header}, {vcf}]}}",
            f"{{name: july, sources: [{semicolons}], formatOptions: {{tsvOptions: {{readOptions: "
            "{sep: ';'}}}}",
        ],
        variant=[vcf],
    )

    assert main(["verify", "--stack", STACK]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == [
        f"june: {no_header}: TSV header: the header line lacks the column(s) 'chrom' "
        "(formatToHeader CHR), 'start' (formatToHeader START), 'end' (formatToHeader END) that "
        "the store's tsvStoreOptions name; it has '1', '100', '200', 'BRCA2'",
        f"june: {vcf}: TSV header: the first line has no '\\t' separator (starts with "
        "'##fileformat=VCFv4.2'); separate the columns with it or set readOptions.sep",
        f"july: {semicolons}: TSV header: the first line has no ';' separator (starts with "
        "'chrom\\tstart\\tend\\tgene'); separate the columns with it or set readOptions.sep",
    ]  # the VCF in the variant batch passes: each batch by its own store's rule
    assert lines[-1].startswith("verified 4 file(s) in 3 batch(es): 3 problem(s)")


def test_verify_checks_the_gff3_first_line(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [good] = put(s3, bucket, "genes.gff3", body=GFF3)
    [bad] = put(s3, bucket, "genes.gtf", body=b"1\tensembl\tgene\t100\t200\t.\t+\t.\tgene_id x;\n")
    declare(project, "GFF", [f"{{name: genes, sources: [{good}, {bad}]}}"])

    assert main(["verify", "--stack", STACK]) == 1

    assert capsys.readouterr().out.splitlines()[0] == (
        f"genes: {bad}: GFF3 first line: the file must start with the line '##gff-version 3', "
        "and starts with '1\\tensembl\\tgene\\t100\\t200\\t.\\t+\\t.\\tgene_id x;'"
    )


def test_verify_checks_a_vcf_annotation_store_files_as_vcf(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [good] = put(s3, bucket, "clinvar.vcf")
    [bad] = put(s3, bucket, "clinvar.tsv", body=HEADER)
    declare(project, "VCF", [f"{{name: clinvar, sources: [{good}, {bad}]}}"])

    assert main(["verify", "--stack", STACK]) == 1

    assert capsys.readouterr().out.splitlines()[0] == (
        f"clinvar: {bad}: does not start with ##fileformat=VCF "
        "(starts with b'chrom\\tstart\\tend\\tgene\\n1\\t1')"
    )


def test_verify_exclude_keeps_annotation_files_in_their_batch(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [bad] = put(s3, bucket, "genes.gff3", body=b"not gff\n")
    declare(project, "GFF", [f"{{name: genes, sources: [{bad}]}}"])
    before = stack_file(project).read_text()

    assert main(["verify", "--stack", STACK, "--exclude"]) == 1

    out = capsys.readouterr().out
    assert (
        f"kept: {bad} of annotation batch genes (verify --exclude moves the files of variant "
        in out
    )
    assert stack_file(project).read_text() == before
