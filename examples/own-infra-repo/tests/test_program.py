"""The stack program under the package's mocks, with the dev stack's own configuration."""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from omics_provider.errors import StackConfigError
from omics_provider.testing import run_program

PROJECT = Path(__file__).resolve().parents[1]
JOB = "pulumi-python:dynamic/omics:VariantImportJob"
ROLE = "aws:iam/role:Role"


def stack_config(stack: str = "dev") -> dict:
    """The keys of stacks/Pulumi.<stack>.yaml, as the engine hands them to the program."""
    text = (PROJECT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    return dict(YAML(typ="safe").load(text)["config"])


def test_dev_stack_declares_the_store_the_role_and_one_job_per_batch() -> None:
    run = run_program(PROJECT / "__main__.py", stack_config())

    assert [job.name for job in run.of_type(JOB)] == ["vcf-2024-06-001"]
    (job,) = run.of_type(JOB)
    assert job.inputs["items"] == [
        "s3://my-genomics-bucket/vcf/2024-06/patient-0001.vcf.gz",
        "s3://my-genomics-bucket/vcf/2024-06/patient-0002.vcf.gz",
    ]
    assert job.inputs["roleArn"] == run.of_type(ROLE)[0].outputs["arn"]
    assert run.exports["storeArn"].endswith(":variantStore/cohort_variants")
    assert run.exports["batches"] == ["vcf-2024-06-001"]


def test_a_misspelt_key_fails_before_anything_is_declared() -> None:
    config = {**stack_config(), "omics-variant-import:protectStor": True}

    with pytest.raises(StackConfigError, match="omics-variant-import:protectStor: is not a key"):
        run_program(PROJECT / "__main__.py", config)
