"""run_program and OmicsMocks alone: the README example and the stack program, as users run them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from omics_provider.errors import OmicsCheckFailed, StackConfigError
from omics_provider.testing import OmicsMocks, run_program
from omics_provider.testing.mocks import JOB_TYPE, ROLE_POLICY_TYPE, ROLE_TYPE, SETTLE_TYPE

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
NAMESPACE = "omics-variant-import"


def readme_usage_example() -> str:
    """The first Python block of the README's Usage section."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Usage") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_run_program_runs_the_readme_usage_example_under_omics_mocks_alone(
    tmp_path: Path,
) -> None:
    program = tmp_path / "__main__.py"
    program.write_text(readme_usage_example())

    run = run_program(program, {"aws:region": "us-east-1"}, OmicsMocks())

    (role,) = run.of_type(ROLE_TYPE)
    assert re.fullmatch(
        r"arn:aws:iam::123456789012:role/import-role-role-[0-9a-f]{7}", role.outputs["arn"]
    )
    (job,) = run.of_type(JOB_TYPE)
    assert job.inputs["roleArn"] == role.outputs["arn"]
    assert run.exports["failedItems"] == []
    assert len(run.exports["jobId"]) == 36


def stack_values(**extra: Any) -> dict[str, Any]:
    values = {
        "aws:region": "us-east-1",
        f"{NAMESPACE}:storeName": "cohort_variants",
        f"{NAMESPACE}:referenceArn": REFERENCE,
        f"{NAMESPACE}:kmsKeyArns": [
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ],
        f"{NAMESPACE}:imports": [
            {"name": "june", "sources": ["s3://cohort/june/a.vcf.gz"]},
            {
                "name": "earlier",
                "sources": ["s3://cohort/may/b.vcf.gz"],
                "adoptJobId": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            },
        ],
    }
    values.update({f"{NAMESPACE}:{key}": value for key, value in extra.items()})
    return values


def test_run_program_runs_the_stack_program_and_returns_every_resource() -> None:
    run = run_program(ROOT / "__main__.py", stack_values())

    assert sorted(r.name for r in run.of_type(JOB_TYPE)) == ["earlier", "june"]
    assert len(run.of_type(ROLE_POLICY_TYPE)) == len(run.of_type(SETTLE_TYPE)) == 1
    assert run.exports["storeArn"].endswith(":variantStore/cohort_variants")
    assert run.exports["roleArn"] == run.of_type(ROLE_TYPE)[0].outputs["arn"]
    assert run.exports["jobIds"]["earlier"] == "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    assert run.resources["earlier"].inputs["adoptJobId"] == "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    policy = run.of_type(ROLE_POLICY_TYPE)[0].inputs["policy"]
    assert "kms:Decrypt" in policy and "key/1234abcd-12ab-34cd-56ef-1234567890ab" in policy


@pytest.mark.parametrize(
    ("extra", "error", "message"),
    [
        ({"storeName": "Bad"}, StackConfigError, f"{NAMESPACE}:storeName: 'Bad' does not match"),
        (
            {"kmsKeyArns": ["arn:aws:kms:us-east-1:123456789012:key/*"]},
            StackConfigError,
            f"{NAMESPACE}:kmsKeyArns: kmsKeyArns\\[0\\]: .* holds a wildcard",
        ),
        (
            {"imports": [{"name": "j", "sources": ["s3://c/a.vcf"], "adoptJobId": "job 1"}]},
            StackConfigError,
            r"imports\[0\]\.adoptJobId: 'job 1' ",
        ),
    ],
    ids=["store-name", "kms-wildcard", "adopt-job-id"],
)
def test_run_program_raises_what_the_program_raises(
    extra: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        run_program(ROOT / "__main__.py", stack_values(**extra))


def test_run_program_clears_the_configuration_after_the_run() -> None:
    run_program(ROOT / "__main__.py", stack_values())

    with pytest.raises(StackConfigError, match=f"{NAMESPACE}:storeName: is required"):
        run_program(ROOT / "__main__.py", {})


def test_omics_mocks_refuse_a_bad_job_input(tmp_path: Path) -> None:
    program = tmp_path / "__main__.py"
    program.write_text(readme_usage_example().replace("items=sources", 'items=["/local/file.vcf"]'))

    with pytest.raises(OmicsCheckFailed, match=r"VariantImportJob delivery-2024-06: items\[0\]"):
        run_program(program, {})


FAILING_TEST = f"""
import gc
import logging

import pulumi
import pytest
from omics_provider import VariantImportJob, VariantStore
from omics_provider.errors import OmicsCheckFailed
from omics_provider.testing import OmicsMocks


@pulumi.runtime.test
def failing_program():
    store = VariantStore("store", name="cohort_store", reference_arn="{REFERENCE}")
    job = VariantImportJob("job", destination_name=store.name, role_arn="bad", items=["s3://x"])
    return pulumi.Output.all(store.status, job.status, job.job_id)


@pytest.mark.parametrize("run", range(3))
def test_fails(run):
    pulumi.runtime.set_mocks(OmicsMocks(), "p", "test", False)
    with pytest.raises(OmicsCheckFailed):
        failing_program()


def test_zz_nothing_is_left_to_log(caplog):
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        gc.collect()
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]
"""


def test_pytest_plugin_leaves_nothing_of_a_failed_program_to_later_tests(tmp_path: Path) -> None:
    (tmp_path / "test_user_program.py").write_text(FAILING_TEST)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)

    assert "4 passed" in result.stdout, result.stdout + result.stderr
    assert "exception was never retrieved" not in result.stdout + result.stderr
