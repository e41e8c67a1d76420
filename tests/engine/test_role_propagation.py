"""A policy change then a job, through the real plugin, against an emulator that sees IAM late.

The emulator reads the role's policy from moto and lets a change count only PROPAGATION seconds
after it first sees it, as IAM's eventual consistency may. The PolicySettle wait the stack
program puts between the role's policy and its jobs is what keeps the new files readable.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from omics_emulator import EmulatorHandle
from omics_provider import VariantImportJobProvider
from omics_provider.core.role_policy import build_role_policy, trust_policy
from omics_provider.resources.policy_settle import PolicySettleProvider, policy_digest
from omics_provider.testing.plugin import DynamicProviderPlugin
from tests.support.jobs import job_inputs

PROPAGATION = 1.5
SETTLED = PROPAGATION + 1.0
FIRST = ["s3://genomes/run-1/a.vcf"]
ADDED = ["s3://genomes/run-2/b.vcf"]
SETTLE = PolicySettleProvider()
JOB = VariantImportJobProvider()


@pytest.fixture
def late_iam(omics_emulator: EmulatorHandle, moto_url: str) -> Iterator[EmulatorHandle]:
    settings = omics_emulator.backend.settings
    settings.iam_endpoint, settings.iam_propagation_seconds = moto_url, PROPAGATION
    omics_emulator.backend.iam_view()
    yield omics_emulator
    omics_emulator.backend.close()


def put_policy(iam: Any, role_name: str, sources: list[str]) -> str:
    """Put the role's one inline policy for sources, as VariantImportRole builds it."""
    text = build_role_policy(sources).text
    iam.put_role_policy(RoleName=role_name, PolicyName="import", PolicyDocument=text)
    return policy_digest(text)


def settle_inputs(digest: str, seconds: float) -> dict[str, Any]:
    return {"resourceName": "import-role-settle", "policyDigest": digest, "seconds": seconds}


@pytest.mark.parametrize(
    ("settle_seconds", "status", "added_status"),
    [(SETTLED, "COMPLETED", "COMPLETED"), (0.0, "COMPLETED_WITH_FAILURES", "FAILED")],
    ids=["settle-wait", "no-wait"],
)
def test_job_after_a_policy_change_reads_the_added_files_only_after_the_settle_wait(
    late_iam: EmulatorHandle,
    plugin: DynamicProviderPlugin,
    store: dict[str, Any],
    iam: Any,
    settle_seconds: float,
    status: str,
    added_status: str,
) -> None:
    role_name = f"import-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust_policy()))
    first = settle_inputs(put_policy(iam, role_name, FIRST), SETTLED)
    settle_id, settled = plugin.create(SETTLE, first)

    changed = settle_inputs(put_policy(iam, role_name, FIRST + ADDED), settle_seconds)
    plugin.update(SETTLE, settle_id, settled, changed)
    _, outputs = plugin.create(JOB, job_inputs(*FIRST, *ADDED, roleArn=role["Role"]["Arn"]))

    failed = {item["source"]: item for item in outputs["failedItems"]}
    assert outputs["status"] == status
    assert FIRST[0] not in failed  # imported
    assert (ADDED[0] in failed) is (added_status == "FAILED")
    if added_status == "FAILED":
        assert "access denied" in failed[ADDED[0]]["statusMessage"]
