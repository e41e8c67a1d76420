"""`verify --exclude` and `plan` with exclusions, against moto S3 and the HealthOmics emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from omics_emulator import EmulatorHandle
from omics_stack.cli import main
from tests.stack.conftest import REFERENCE, STACK, put, stack_file
from tests.support.jobs import ROLE_ARN, create_store

STORE = "exclude_store"


def write_stack(project: Path, endpoint: str, body: str) -> None:
    """The test stack: the store on the emulator, then body (indented config lines)."""
    stack_file(project).write_text(
        "config:\n"
        "  aws:region: us-east-1\n"
        f"  omics-variant-import:omicsEndpoint: {endpoint}\n"
        f"  omics-variant-import:storeName: {STORE}\n"
        f"  omics-variant-import:referenceArn: {REFERENCE}\n" + body
    )


def namespace(project: Path) -> dict[str, Any]:
    config = yaml.safe_load(stack_file(project).read_text())["config"]
    return {k.removeprefix("omics-variant-import:"): v for k, v in config.items()}


def test_verify_exclude_moves_failing_files_of_a_new_batch_and_plan_leaves_them_out(
    project: Path,
    s3: Any,
    bucket: str,
    omics_emulator: EmulatorHandle,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good, bad = put(s3, bucket, "new/good.vcf", "new/bad.vcf")
    put(s3, bucket, "new/bad.vcf", body=b"not a vcf\n")
    manifest = project / "stacks" / "manifests" / "new.txt"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(f"# the new batch\n{good}\n{bad}\n")
    inline_good, inline_bad = put(s3, bucket, "inline/a.vcf", "inline/b.vcf")
    put(s3, bucket, "inline/b.vcf", body=b"")
    write_stack(
        project,
        omics_emulator.url,
        "  omics-variant-import:imports:\n"
        "    - name: new\n"
        "      manifest: stacks/manifests/new.txt\n"
        "    - name: inline  # a hand-written batch\n"
        "      sources:\n"
        f"        - {inline_good}\n"
        f"        - {inline_bad}\n",
    )

    assert main(["verify", "--stack", STACK, "--exclude"]) == 0

    out = capsys.readouterr().out
    assert "moved 2 file(s) to omics-variant-import:exclusions" in out
    assert manifest.read_text() == f"# the new batch\n{good}\n"
    values = namespace(project)
    assert values["imports"][1]["sources"] == [inline_good]
    reasons = {e["source"]: e["reason"] for e in values["exclusions"]}
    assert reasons.keys() == {bad, inline_bad}
    assert reasons[inline_bad] == "verify: is empty; an import job fails on it"
    assert reasons[bad].startswith("verify: ") and "##fileformat=VCF" in reasons[bad]
    assert "# a hand-written batch" in stack_file(project).read_text()
    assert main(["verify", "--stack", STACK]) == 0
    assert main(["plan", "--stack", STACK, "--check", f"s3://{bucket}/"]) == 0
    assert "1 excluded by the stack (exclusions)" in capsys.readouterr().out  # and 1 empty


def test_verify_exclude_keeps_the_failing_files_of_a_batch_that_ran(
    project: Path,
    s3: Any,
    bucket: str,
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good, bad = put(s3, bucket, "ran/good.vcf", "ran/bad.vcf")
    put(s3, bucket, "ran/bad.vcf", body=b"")
    create_store(omics_client, STORE)
    omics_client.start_variant_import_job(
        destinationName=STORE, roleArn=ROLE_ARN, items=[{"source": good}, {"source": bad}]
    )
    write_stack(
        project,
        omics_emulator.url,
        f"  omics-variant-import:imports:\n    - name: ran\n      sources: [{good}, {bad}]\n",
    )
    before = stack_file(project).read_text()

    assert main(["verify", "--stack", STACK, "--exclude"]) == 1

    assert f"kept: ran ran already, so {bad} stays in it" in capsys.readouterr().out
    assert stack_file(project).read_text() == before


def test_plan_leaves_out_excluded_files(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, excluded = put(s3, bucket, "d/kept.vcf", "d/excluded.vcf")
    text = stack_file(project).read_text()
    stack_file(project).write_text(
        text + f"  omics-variant-import:exclusions:\n"
        f"    - source: {excluded}\n      reason: truncated upload\n"
    )

    assert main(["plan", "--stack", STACK, "--dry-run", f"s3://{bucket}/"]) == 0

    out = capsys.readouterr().out
    assert "1 new file(s) in 1 batch(es)" in out and "1 excluded by the stack" in out
