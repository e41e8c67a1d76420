"""The scheduled pipeline of docs/delivery-workflow.md, its script run as documented.

The script is taken from the page's `Plan new batches` step and run by bash in a git project,
against moto S3 and the HealthOmics emulator; `gh` is a stand-in that records its arguments.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from omics_emulator import EmulatorHandle
from tests.stack.conftest import REFERENCE, VCF
from tests.support.jobs import ROLE_ARN, create_store

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "my-genomics-bucket"
STORE = "cohort_variants"


def documented_script() -> str:
    """The `run: |` block of the step that plans new batches, dedented."""
    page = (ROOT / "docs" / "delivery-workflow.md").read_text()
    step = page[page.index("- name: Plan new batches") :]
    block = re.search(r"run: \|\n((?:          .*\n)+)", step)
    assert block is not None
    return "".join(line[10:] + "\n" for line in block.group(1).splitlines())


@pytest.fixture
def pipeline(
    tmp_path: Path, moto_url: str, omics_emulator: EmulatorHandle, omics_client: Any
) -> dict[str, Any]:
    """A git project with stacks/Pulumi.prod.yaml, a remote, a bucket and the store."""
    project, remote, bin_dir = tmp_path / "infra", tmp_path / "remote.git", tmp_path / "bin"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: infra\nruntime: python\nstackConfigDir: stacks\n")
    (project / "stacks" / "Pulumi.prod.yaml").write_text(
        "config:\n  aws:region: us-east-1\n"
        f"  omics-variant-import:omicsEndpoint: {omics_emulator.url}\n"
        f"  omics-variant-import:storeName: {STORE}\n"
        f"  omics-variant-import:referenceArn: {REFERENCE}\n"
    )
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/gh-calls\n')
    gh.chmod(0o755)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    for command in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "stack"]):
        subprocess.run([*git, *command], cwd=project, check=True)
    subprocess.run(["git", "remote", "add", "origin", str(remote)], cwd=project, check=True)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}",
        "AWS_ENDPOINT_URL_S3": moto_url,
    }
    create_store(omics_client, STORE)
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    return {"project": project, "env": env, "s3": s3, "gh": tmp_path / "gh-calls"}


def run_script(pipeline: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", documented_script()],
        cwd=pipeline["project"],
        env=pipeline["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_scheduled_script_stays_green_when_the_only_file_was_imported_outside_the_stack(
    pipeline: dict[str, Any], omics_client: Any
) -> None:
    pipeline["s3"].put_object(Bucket=BUCKET, Key="vcf/old.vcf", Body=VCF)
    omics_client.start_variant_import_job(
        destinationName=STORE, roleArn=ROLE_ARN, items=[{"source": f"s3://{BUCKET}/vcf/old.vcf"}]
    )

    result = run_script(pipeline)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing to add" in result.stdout
    assert not pipeline["gh"].exists()
    branches = subprocess.run(
        ["git", "branch", "--format=%(refname:short)"],
        cwd=pipeline["project"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert branches == ["main"]  # --check --store found nothing: no branch, no second plan


def test_scheduled_script_commits_new_files_and_opens_a_pull_request(
    pipeline: dict[str, Any],
) -> None:
    pipeline["s3"].put_object(Bucket=BUCKET, Key="vcf/2024-07/new.vcf", Body=VCF)

    result = run_script(pipeline)

    assert result.returncode == 0, result.stdout + result.stderr
    assert pipeline["gh"].read_text().startswith("pr create --title New VCF deliveries")
    log = subprocess.run(
        ["git", "log", "--oneline", "-1", "--name-only"],
        cwd=pipeline["project"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "New VCF deliveries as import batches" in log
    assert "stacks/manifests/prod/vcf-001.txt" in log
