"""Unmodified AWS clients reach the emulator configured only as docs/emulator.md says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import WaiterError

from omics_emulator import EmulatorHandle
from tests.emulator.conftest import REFERENCE, ROLE, FakeClock

BOTO3_SCRIPT = f"""
import json, boto3
client = boto3.client("omics")
client.create_variant_store(name="cohort", reference={REFERENCE!r})
print(json.dumps([s["name"] for s in client.list_variant_stores()["variantStores"]]))
"""


def clean_env(home: Path, **settings: str) -> dict[str, str]:
    """This process's environment without AWS settings, a private home, dummy credentials."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_MAX_ATTEMPTS="1",
    )
    return {**env, **settings}


def by_environment(url: str, home: Path) -> dict[str, str]:
    return clean_env(
        home,
        AWS_ENDPOINT_URL_OMICS=url,
        AWS_DISABLE_HOST_PREFIX_INJECTION="true",
        AWS_DEFAULT_REGION="us-east-1",
    )


def by_config_file(url: str, home: Path) -> dict[str, str]:
    (home / "config").write_text(
        "[default]\n"
        "region = us-east-1\n"
        "disable_host_prefix_injection = true\n"
        "services = emulator\n"
        "\n"
        "[services emulator]\n"
        "omics =\n"
        f"  endpoint_url = {url}\n"
    )
    return clean_env(home)


def assert_created_and_listed_once(emulator: EmulatorHandle) -> None:
    """The client's two requests, and nothing else, reached the emulator."""
    assert emulator.backend.requests_by_operation() == {
        "CreateVariantStore": 1,
        "ListVariantStores": 1,
    }


def run_boto3(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BOTO3_SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("configure", [by_environment, by_config_file])
def test_unmodified_boto3_client_reaches_emulator(
    omics_emulator: EmulatorHandle,
    tmp_path: Path,
    configure: Callable[[str, Path], dict[str, str]],
) -> None:
    finished = run_boto3(configure(omics_emulator.url, tmp_path))
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout) == ["cohort"]
    assert_created_and_listed_once(omics_emulator)


def test_boto3_client_without_the_host_prefix_switch_misses_emulator(
    omics_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    env = by_environment(omics_emulator.url, tmp_path)
    del env["AWS_DISABLE_HOST_PREFIX_INJECTION"]
    finished = run_boto3(env)
    assert finished.returncode != 0
    assert f"analytics-{omics_emulator.host}" in finished.stderr
    assert omics_emulator.backend.request_count() == 0


AWS_CLI = [sys.executable, "-m", "awscli"]
"""The AWS CLI of the project's environment (the dev group installs it)."""


def aws_omics(env: dict[str, str], *args: str) -> Any:
    """The JSON output of ``aws omics ARGS``, which must succeed."""
    finished = subprocess.run(
        [*AWS_CLI, "omics", *args, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout or "{}")


@pytest.mark.parametrize("configure", [by_environment, by_config_file])
def test_aws_cli_reaches_emulator(
    omics_emulator: EmulatorHandle,
    tmp_path: Path,
    configure: Callable[[str, Path], dict[str, str]],
) -> None:
    env = configure(omics_emulator.url, tmp_path)
    arn = REFERENCE["referenceArn"]
    created = aws_omics(
        env, "create-variant-store", "--name", "cohort", "--reference", f"referenceArn={arn}"
    )
    assert created["name"] == "cohort"
    stores = aws_omics(env, "list-variant-stores")["variantStores"]
    assert [s["name"] for s in stores] == ["cohort"]
    assert_created_and_listed_once(omics_emulator)


def finished_job(
    omics_emulator: EmulatorHandle,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
    *sources: str,
) -> str:
    omics_emulator.backend.settings.fail_sources = ("*/bad*",)
    make_store()
    job_id = start_job("cohort", *sources)
    clock.advance(4.0)
    return job_id


def wait_for_created(omics_client: Any, job_id: str) -> None:
    """botocore's variant_import_job_created waiter (the AWS CLI's `wait`), without delays."""
    omics_client.get_waiter("variant_import_job_created").wait(
        jobId=job_id, WaiterConfig={"Delay": 0, "MaxAttempts": 3}
    )


def test_variant_import_job_created_waiter_returns_on_completed(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    job_id = finished_job(omics_emulator, make_store, start_job, clock, "s3://bucket/a.vcf")
    wait_for_created(omics_client, job_id)
    assert omics_emulator.backend.requests_by_operation()["GetVariantImportJob"] == 1


def test_variant_import_job_created_waiter_never_accepts_completed_with_failures(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    job_id = finished_job(
        omics_emulator, make_store, start_job, clock, "s3://bucket/a.vcf", "s3://bucket/bad.vcf"
    )
    assert omics_client.get_variant_import_job(jobId=job_id)["status"] == "COMPLETED_WITH_FAILURES"
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        wait_for_created(omics_client, job_id)


def test_aws_cli_drives_annotation_stores_versions_and_jobs(
    omics_emulator: EmulatorHandle, tmp_path: Path, clock: FakeClock
) -> None:
    env = by_environment(omics_emulator.url, tmp_path)

    def aws(*args: str) -> Any:
        return aws_omics(env, *args)

    generic = '{"tsvStoreOptions": {"annotationType": "GENERIC"}}'
    created = aws("create-annotation-store", "--name", "genes", "--store-format", "TSV",
                  "--store-options", generic)  # fmt: skip
    assert (created["status"], created["versionName"]) == ("CREATING", "genes")
    clock.advance(1.0)
    aws("create-annotation-store-version", "--name", "genes", "--version-name", "release_two")
    clock.advance(1.0)
    job = aws("start-annotation-import-job", "--destination-name", "genes",
              "--role-arn", ROLE, "--items", "source=s3://bucket/a.tsv",
              "--version-name", "release_two",
              "--format-options", '{"tsvOptions": {"readOptions": {"header": true}}}')  # fmt: skip
    aws("cancel-annotation-import-job", "--job-id", job["jobId"])
    clock.advance(1.0)
    shown = aws("get-annotation-import-job", "--job-id", job["jobId"])
    assert (shown["status"], shown["versionName"]) == ("CANCELLED", "release_two")
    versions = aws("list-annotation-store-versions", "--name", "genes")
    assert [v["versionName"] for v in versions["annotationStoreVersions"]] == [
        "genes",
        "release_two",
    ]
    refused = aws("delete-annotation-store-versions", "--name", "genes",
                  "--versions", "release_nine")  # fmt: skip
    assert [e["versionName"] for e in refused["errors"]] == ["release_nine"]
    assert omics_emulator.backend.requests_by_operation() == {
        "CreateAnnotationStore": 1,
        "CreateAnnotationStoreVersion": 1,
        "StartAnnotationImportJob": 1,
        "CancelAnnotationImportJob": 1,
        "GetAnnotationImportJob": 1,
        "ListAnnotationStoreVersions": 1,
        "DeleteAnnotationStoreVersions": 1,
    }
