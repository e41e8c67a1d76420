"""VariantImportRole under Pulumi's mocks: what it declares from plain and from Output inputs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockResourceArgs

from omics_provider import VariantImportRole
from omics_provider.core.role_policy import build_role_policy
from omics_provider.resources.policy_settle import policy_digest

CROWDED = [f"s3://bucket-a/crowded/sample-{i:04d}.vcf.gz" for i in range(200)]
QUIET = ["s3://bucket-a/quiet/one.vcf"]


class RecordingMocks(pulumi.runtime.Mocks):
    """Every resource's inputs by name; the role gets an ARN, the rest echo their inputs."""

    def __init__(self) -> None:
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[args.name] = dict(args.inputs)
        outputs = dict(args.inputs)
        if args.typ == "aws:iam/role:Role":
            outputs["arn"] = f"arn:aws:iam::123456789012:role/{args.name}"
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture
def mocks() -> Iterator[RecordingMocks]:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    recorded = RecordingMocks()
    pulumi.runtime.set_mocks(recorded, "omics-variant-import", "test", False)
    yield recorded
    asyncio.set_event_loop(None)
    loop.close()


def resolved(output: pulumi.Output[Any]) -> Any:
    found: list[Any] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def check() -> pulumi.Output[None]:
        return output.apply(found.append)

    check()
    return found[0]


@pytest.mark.parametrize("as_output", [False, True], ids=["plain", "output"])
def test_variant_import_role_declares_the_built_policy_and_its_prefixes(
    mocks: RecordingMocks, as_output: bool
) -> None:
    sources: Any = CROWDED + QUIET
    role = VariantImportRole(
        "role", sources=pulumi.Output.from_input(sources) if as_output else sources
    )

    prefixes = resolved(role.granted_prefixes)

    expected = build_role_policy(CROWDED + QUIET)
    assert prefixes == ["s3://bucket-a/crowded/"]
    assert resolved(role.policy_size) == expected.size
    assert mocks.inputs["role-policy"]["policy"] == expected.text
    assert mocks.inputs["role-settle"]["policyDigest"] == policy_digest(expected.text)


def test_variant_import_role_trust_condition_only_when_source_account_given(
    mocks: RecordingMocks,
) -> None:
    VariantImportRole("plain", sources=QUIET)
    VariantImportRole("guarded", sources=QUIET, source_account="123456789012")
    resolved(pulumi.Output.from_input("wait for registrations"))

    plain = json.loads(mocks.inputs["plain-role"]["assumeRolePolicy"])
    guarded = json.loads(mocks.inputs["guarded-role"]["assumeRolePolicy"])
    assert "Condition" not in plain["Statement"][0]
    assert guarded["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"}
    }


def test_variant_import_role_ready_is_the_policy_then_the_settle_wait(
    mocks: RecordingMocks,
) -> None:
    role = VariantImportRole("role", sources=QUIET, propagation_seconds=5)

    assert role.ready == [role.policy, role.settle]
    assert resolved(role.settle.seconds) == 5


def test_variant_import_role_with_a_bad_plain_input_fails_at_once(mocks: RecordingMocks) -> None:
    with pytest.raises(ValueError, match=r"^VariantImportRole role: kms_key_arns\[0\]: '\*'"):
        VariantImportRole("role", sources=QUIET, kms_key_arns=["*"])
