"""`omics-variant-import plan --annotations` against a moto S3 server (and the emulator for
--store)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_stack.cli import main
from tests.stack.conftest import REFERENCE, STACK, STACK_TEXT, put, stack_file
from tests.stack.test_cli_plan import only_insertions, stack_config, use_endpoint
from tests.support.waiting import wait_until

GFF3 = b"##gff-version 3\n"


def declare_store(project: Path, store_format: str) -> str:
    """The test stack with an annotation store of store_format; its text."""
    store = (
        "  omics-variant-import:annotationStore:\n"
        "    name: annotations\n"
        f"    storeFormat: {store_format}\n"
        "    versionName: v2024_06\n"
        f"    referenceArn: {REFERENCE}\n"
    )
    anchor = "\n  # Each batch is imported once.\n"
    text = STACK_TEXT.replace(anchor, "\n" + store + anchor)
    stack_file(project).write_text(text)
    return text


@pytest.mark.parametrize(
    ("store_format", "taken", "left"),
    [
        pytest.param(
            "TSV",
            ["clinvar/a.csv", "clinvar/b.tsv", "clinvar/c.tsv.gz"],
            ["clinvar/d.vcf.gz", "clinvar/e.gff3", "clinvar/f.txt"],
            id="tsv",
        ),
        pytest.param(
            "GFF",
            ["clinvar/a.gff", "clinvar/b.gff3", "clinvar/c.gff3.gz"],
            ["clinvar/d.tsv", "clinvar/e.vcf", "clinvar/f.gtf"],
            id="gff",
        ),
        pytest.param(
            "VCF",
            ["clinvar/a.vcf", "clinvar/b.vcf.gz"],
            ["clinvar/c.tsv", "clinvar/d.gff3"],
            id="vcf",
        ),
    ],
)
def test_plan_annotations_adds_batches_of_the_files_the_store_format_reads(
    project: Path, s3: Any, bucket: str, store_format: str, taken: list[str], left: list[str]
) -> None:
    before = declare_store(project, store_format)
    uris = put(s3, bucket, *taken, body=GFF3)
    put(s3, bucket, *left)

    assert main(["plan", "--stack", STACK, "--annotations", f"s3://{bucket}/clinvar/"]) == 0

    _, config = stack_config(project)
    [batch] = config.annotations.imports
    assert (batch.name, list(batch.sources), batch.version) == ("clinvar-001", uris, "v2024_06")
    assert batch.manifest == "stacks/manifests/test/annotations/clinvar-001.txt"
    assert [b.name for b in config.imports] == ["hand-written"]  # variant batches untouched
    assert only_insertions(before, stack_file(project).read_text())


def test_plan_annotations_run_twice_adds_nothing_the_second_time(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    declare_store(project, "GFF")
    put(s3, bucket, "genes/a.gff3", body=GFF3)
    assert main(["plan", "--stack", STACK, "--annotations", f"s3://{bucket}/genes/"]) == 0
    text = stack_file(project).read_text()
    capsys.readouterr()

    assert main(["plan", "--stack", STACK, "--annotations", f"s3://{bucket}/genes/"]) == 0

    assert stack_file(project).read_text() == text
    assert "1 already in a batch of this stack" in capsys.readouterr().out


def test_plan_annotations_without_an_annotation_store_fails_in_one_line(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put(s3, bucket, "genes/a.gff3", body=GFF3)

    assert main(["plan", "--stack", STACK, "--annotations", f"s3://{bucket}/genes/"]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "declare omics-variant-import:annotationStore first" in err
    assert stack_file(project).read_text() == STACK_TEXT


@pytest.fixture
def omics_emulator_settings() -> EmulatorSettings:
    """Jobs that take 0.2 s."""
    return EmulatorSettings(job_seconds=0.2)


def test_plan_annotations_with_store_leaves_out_what_the_version_imported(
    project: Path,
    s3: Any,
    bucket: str,
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    declare_store(project, "GFF")
    imported, new = put(s3, bucket, "genes/a.gff3", "genes/b.gff3", body=GFF3)
    omics_client.create_annotation_store(
        name="annotations",
        storeFormat="GFF",
        versionName="v2024_06",
        reference={"referenceArn": REFERENCE},
    )
    wait_until(
        lambda: omics_client.get_annotation_store(name="annotations")["status"] == "ACTIVE",
        "the annotation store is ACTIVE",
    )
    job = omics_client.start_annotation_import_job(
        destinationName="annotations",
        versionName="v2024_06",
        roleArn="arn:aws:iam::123456789012:role/import",
        items=[{"source": imported}],
    )["jobId"]
    wait_until(
        lambda: omics_client.get_annotation_import_job(jobId=job)["status"] == "COMPLETED",
        "the annotation import job COMPLETED",
    )
    use_endpoint(project, omics_emulator.url)

    argv = ["plan", "--stack", STACK, "--annotations", "--store", "annotations"]
    assert main([*argv, f"s3://{bucket}/genes/"]) == 0

    _, config = stack_config(project)
    assert [b.sources for b in config.annotations.imports] == [(new,)]
    assert "1 already imported into store annotations" in capsys.readouterr().out
