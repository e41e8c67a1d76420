"""declare_stack as a library call, and the schema of the keys it added (kmsKeyArns, adoptJobId,
exclusions), under OmicsMocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omics_provider.errors import StackConfigError
from omics_provider.testing import run_program
from omics_stack import DESTINATIONS, Exclusion, parse_stack_config
from omics_stack.config import DESTINATION_NAMES
from omics_stack.program import destination_of

REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
JOB_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
BASE = {"storeName": "cohort_variants", "referenceArn": REFERENCE}
PROGRAM = """
import pulumi
from omics_stack import declare_stack

stack = declare_stack(export=False)
pulumi.export("mine", {"store": stack.destination.store_arn, "jobs": sorted(stack.jobs)})
pulumi.export("role", stack.role_arn)
"""


def test_declare_stack_returns_the_resources_for_the_program_to_build_on(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text(PROGRAM)
    config: dict[str, Any] = {f"omics-variant-import:{k}": v for k, v in BASE.items()}
    config["omics-variant-import:imports"] = [{"name": "june", "sources": ["s3://cohort-b/a.vcf"]}]

    run = run_program(tmp_path / "__main__.py", config)

    assert set(run.exports) == {"mine", "role"}  # export=False: only the program's own
    assert run.exports["mine"] == {
        "store": "arn:aws:omics:us-east-1:123456789012:variantStore/cohort_variants",
        "jobs": ["june"],
    }
    assert run.exports["role"].startswith("arn:aws:iam::123456789012:role/import-role-role-")


def test_declare_stack_has_a_function_for_every_destination_the_schema_accepts() -> None:
    assert sorted(DESTINATIONS) == sorted(DESTINATION_NAMES)


@pytest.mark.parametrize("destination", DESTINATION_NAMES)
def test_destination_of_picks_the_function_the_destination_key_names(destination: str) -> None:
    table = {"table": {"name": "genomics.variants"}} if destination == "table" else {}
    config = parse_stack_config({**BASE, "destination": destination, **table})

    assert destination_of(config) is DESTINATIONS[destination]


def test_parse_stack_config_reads_kms_keys_adopt_job_id_and_exclusions() -> None:
    config = parse_stack_config(
        {
            **BASE,
            "kmsKeyArns": [KEY],
            "imports": [{"name": "june", "sources": ["s3://cohort-b/a.vcf"], "adoptJobId": JOB_ID}],
            "exclusions": [{"source": "s3://cohort-b/bad.vcf", "reason": "truncated"}],
        }
    )

    assert config.kms_key_arns == (KEY,)
    assert config.imports[0].adopt_job_id == JOB_ID
    assert config.exclusions == (Exclusion("s3://cohort-b/bad.vcf", "truncated"),)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kmsKeyArns": KEY}, "kmsKeyArns: must be a list of KMS key ARNs"),
        ({"exclusions": {"source": "s3://cohort-b/a.vcf"}}, "exclusions: must be a list"),
        ({"exclusions": [{"source": "s3://cohort-b/a.vcf"}]}, "exclusions[0]: must be a map"),
        (
            {"exclusions": [{"source": "s3://cohort-b/a.vcf", "reason": " "}]},
            "exclusions[0].reason: must say why",
        ),
        (
            {
                "exclusions": [
                    {"source": "s3://cohort-b/a.vcf", "reason": "x"},
                    {"source": "s3://cohort-b/a.vcf", "reason": "y"},
                ]
            },
            "exclusions[1].source: s3://cohort-b/a.vcf is excluded twice",
        ),
        (
            {"imports": [{"name": "j", "sources": ["s3://cohort-b/a.vcf"], "adoptJobId": 7}]},
            "imports[0].adoptJobId: must be a string",
        ),
    ],
    ids=["kms-not-list", "exclusions-not-list", "exclusion-keys", "no-reason", "twice", "job-id"],
)
def test_parse_stack_config_refuses_bad_new_keys_naming_them(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(StackConfigError) as raised:
        parse_stack_config({**BASE, **values})

    assert f"omics-variant-import:{message}" in str(raised.value)
