"""OmicsMocks: a user's program under Pulumi's mocks gets real checks and realistic outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from omics_provider import AnnotationStore, AnnotationStoreVersion, VariantImportJob, VariantStore
from omics_provider.testing.mocks import (
    ANNOTATION_STORE_TYPE,
    JOB_TYPE,
    STORE_TYPE,
    VERSION_TYPE,
    OmicsCheckFailed,
    OmicsMocks,
)
from tests.support.jobs import REFERENCE_ARN, ROLE_ARN

pytestmark = pytest.mark.usefixtures("pulumi_event_loop")


class RecordingMocks(pulumi.runtime.Mocks):
    """A user's own mocks: records what reaches them."""

    def __init__(self) -> None:
        self.types: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.types.append(args.typ)
        return f"{args.name}-id", {**args.inputs, "arn": f"arn:aws:iam::1:role/{args.name}"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def run_program(mocks: pulumi.runtime.Mocks, store_name: str) -> dict[str, Any]:
    """A small user program: a store and one import into it; returns its resolved outputs."""
    pulumi.runtime.set_mocks(mocks, "users-project", "test", False)
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> pulumi.Output[None]:
        store = VariantStore("store", name=store_name, reference_arn=REFERENCE_ARN)
        job = VariantImportJob(
            "june",
            destination_name=store.name,
            role_arn=ROLE_ARN,
            items=["s3://cohort-bucket/june/a.vcf"],
        )
        outputs = {
            "storeArn": store.store_arn,
            "storeStatus": store.status,
            "jobId": job.job_id,
            "jobStatus": job.status,
            "itemCounts": job.item_counts,
        }
        return pulumi.Output.all(**outputs).apply(resolved.update)

    program()
    return resolved


def test_mocks_give_omics_resources_realistic_outputs() -> None:
    outputs = run_program(OmicsMocks(), "cohort_store")
    assert outputs["storeArn"] == "arn:aws:omics:us-east-1:123456789012:variantStore/cohort_store"
    assert outputs["storeStatus"] == "ACTIVE" and outputs["jobStatus"] == "COMPLETED"
    assert len(outputs["jobId"]) == 36
    assert outputs["itemCounts"] == {"COMPLETED": 1}


def test_mocks_fail_a_bad_input_with_the_message_preview_gives() -> None:
    with pytest.raises(OmicsCheckFailed) as raised:
        run_program(OmicsMocks(), "Bad-Store")
    assert "VariantStore store: name: 'Bad-Store' does not match the pattern" in str(raised.value)


def test_mocks_hand_other_resources_to_the_wrapped_mocks() -> None:
    inner = RecordingMocks()

    pulumi.runtime.set_mocks(OmicsMocks(inner), "users-project", "test", False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> pulumi.Output[Any]:
        user = aws.iam.User("user")
        store = VariantStore("store", name="s_store", reference_arn=REFERENCE_ARN)
        return pulumi.Output.all(user.arn, store.status)

    program()
    assert inner.types == ["aws:iam/user:User"]


def test_type_tokens_are_the_ones_pulumi_registers() -> None:
    assert JOB_TYPE == "pulumi-python:dynamic/omics:VariantImportJob"
    assert STORE_TYPE == "pulumi-python:dynamic/omics:VariantStore"


def test_mocks_check_an_annotation_store_and_version_and_give_them_realistic_outputs() -> None:
    pulumi.runtime.set_mocks(OmicsMocks(), "users-project", "test", False)
    resolved: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> pulumi.Output[None]:
        store = AnnotationStore(
            "notes", name="clinvar", store_format="VCF", reference_arn=REFERENCE_ARN
        )
        version = AnnotationStoreVersion("v2024", store_name=store.name, version_name="v2024")
        outputs = pulumi.Output.all(
            arn=store.store_arn,
            status=store.status,
            version_arn=version.version_arn,
            version_status=version.status,
        )
        return outputs.apply(resolved.update)

    program()
    assert resolved == {
        "arn": "arn:aws:omics:us-east-1:123456789012:annotationStore/clinvar",
        "status": "ACTIVE",
        "version_arn": "arn:aws:omics:us-east-1:123456789012:annotationStore/clinvar/version/v2024",
        "version_status": "ACTIVE",
    }
    assert ANNOTATION_STORE_TYPE == "pulumi-python:dynamic/omics:AnnotationStore"
    assert VERSION_TYPE == "pulumi-python:dynamic/omics:AnnotationStoreVersion"


def test_mocks_refuse_an_annotation_store_without_the_reference_its_format_needs() -> None:
    pulumi.runtime.set_mocks(OmicsMocks(), "users-project", "test", False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> pulumi.Output[Any]:
        return AnnotationStore("notes", name="gff_notes", store_format="GFF").status

    with pytest.raises(OmicsCheckFailed, match="AnnotationStore notes: referenceArn: is required"):
        program()
