"""Every operation's responses, as sent on the wire, match botocore's output shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omics_emulator.conformance import response_violations
from omics_emulator.protocol import service_model
from omics_emulator.pytest_plugin import ConformanceRecorder
from omics_emulator.responses import HANDLERS
from tests.emulator.conftest import GENERIC_TSV, REFERENCE, ROLE, FakeClock


def test_every_operation_response_conforms_to_output_shape(
    omics_client: Any, omics_conformance: ConformanceRecorder, clock: FakeClock
) -> None:
    c = omics_client
    c.create_variant_store(
        name="cohort",
        reference=REFERENCE,
        description="d",
        tags={"team": "g"},
        sseConfig={"type": "KMS"},
    )
    c.get_variant_store(name="cohort")
    clock.advance(1.0)
    c.update_variant_store(name="cohort", description="e")
    items = [{"source": "s3://bucket/a.vcf"}, {"source": "s3://bucket/b.vcf"}]
    job = c.start_variant_import_job(
        destinationName="cohort",
        roleArn=ROLE,
        items=items,
        runLeftNormalization=True,
        annotationFields={"k": "v"},
    )["jobId"]
    second = c.start_variant_import_job(destinationName="cohort", roleArn=ROLE, items=items)[
        "jobId"
    ]
    c.cancel_variant_import_job(jobId=second)
    c.start_variant_import_job(destinationName="cohort", roleArn=ROLE, items=items)
    for _ in range(3):
        c.get_variant_import_job(jobId=job)
        c.list_variant_import_jobs(maxResults=1)
        c.list_variant_import_jobs(filter={"storeName": "cohort"})
        c.list_variant_stores(maxResults=1)
        clock.advance(2.0)
    c.delete_variant_store(name="cohort", force=True)
    c.list_variant_stores(filter={"status": "DELETING"})
    assert omics_conformance.checked == 21
    assert not omics_conformance.violations


def test_every_annotation_operation_response_conforms_to_output_shape(
    omics_client: Any, omics_conformance: ConformanceRecorder, clock: FakeClock
) -> None:
    c = omics_client
    c.create_annotation_store(
        name="genes",
        storeFormat="TSV",
        storeOptions=GENERIC_TSV,
        versionName="first",
        description="d",
        tags={"team": "g"},
        sseConfig={"type": "KMS"},
    )
    c.create_annotation_store(name="clinvar", storeFormat="VCF", reference=REFERENCE)
    c.get_annotation_store(name="genes")
    clock.advance(1.0)
    c.update_annotation_store(name="genes", description="e")
    c.create_annotation_store_version(name="genes", versionName="second", tags={"t": "v"})
    c.update_annotation_store_version(name="genes", versionName="first", description="f")
    items = [{"source": "s3://bucket/a.tsv"}, {"source": "s3://bucket/b.tsv"}]
    job = c.start_annotation_import_job(
        destinationName="genes",
        roleArn=ROLE,
        items=items,
        versionName="first",
        formatOptions={"tsvOptions": {"readOptions": {"sep": "\t", "header": True}}},
        runLeftNormalization=True,
        annotationFields={"k": "v"},
    )["jobId"]
    other = c.start_annotation_import_job(destinationName="clinvar", roleArn=ROLE, items=items)
    c.cancel_annotation_import_job(jobId=other["jobId"])
    for _ in range(3):
        c.get_annotation_import_job(jobId=job)
        c.get_annotation_import_job(jobId=other["jobId"])
        c.list_annotation_import_jobs(maxResults=1)
        c.list_annotation_stores(maxResults=1)
        c.list_annotation_store_versions(name="genes", maxResults=1)
        c.get_annotation_store_version(name="genes", versionName="second")
        clock.advance(2.0)
    c.delete_annotation_store_versions(name="genes", versions=["second", "third"])
    c.delete_annotation_store(name="genes", force=True)
    assert omics_conformance.checked == 29
    assert not omics_conformance.violations


def test_cancel_response_conforms(
    omics_client: Any,
    omics_conformance: ConformanceRecorder,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
) -> None:
    make_store()
    omics_client.cancel_variant_import_job(jobId=start_job())
    assert omics_conformance.checked == 3
    assert not omics_conformance.violations


def test_emulated_operations_all_exist_in_model() -> None:
    assert set(HANDLERS) <= set(service_model().operation_names)


@pytest.mark.parametrize(
    ("operation", "body", "needle"),
    [
        ("GetVariantStore", {"id": "x"}, "required member"),
        (
            "CreateVariantStore",
            {
                "id": "abc",
                "status": "CREATING",
                "name": "n",
                "creationTime": "2024-01-01T00:00:00.000Z",
                "extra": 1,
            },
            "not a member",
        ),
        ("DeleteVariantStore", {"status": "GONE"}, "is not one of"),
        ("StartVariantImportJob", {"jobId": 5}, "expected string"),
        ("StartVariantImportJob", {"jobId": "abc"}, "does not match"),
        (
            "ListVariantImportJobs",
            {
                "variantImportJobs": [
                    {
                        "id": "x",
                        "destinationName": "d",
                        "roleArn": ROLE,
                        "status": "COMPLETED",
                        "creationTime": 1700000000,
                        "updateTime": "2024-01-01T00:00:00.000Z",
                    }
                ]
            },
            "ISO 8601",
        ),
    ],
)
def test_response_violations_detects_drift(
    operation: str, body: dict[str, Any], needle: str
) -> None:
    violations = response_violations(service_model().operation_model(operation), body)
    assert any(needle in v for v in violations), violations


@pytest.mark.parametrize(
    ("operation", "body", "needle"),
    [
        ("GetAnnotationImportJob", {"id": "x"}, "required member"),
        (
            "GetVariantStore",
            {"id": "4fa5ec8be6c3", "status": "ACTIVE", "name": "n", "storeSizeBytes": 0},
            "reference: required member",
        ),
        ("GetVariantImportJob", {"items": [{}, {}]}, "required member"),
        ("StartAnnotationImportJob", {"jobId": "4fa5ec8be6c3"}, "does not match"),
        (
            "ListAnnotationImportJobs",
            {"annotationImportJobs": [{"id": "x", "versionName": "v"}]},
            "status: required member",
        ),
    ],
)
def test_response_violations_known_deviations_stay_narrow(
    operation: str, body: dict[str, Any], needle: str
) -> None:
    violations = response_violations(service_model().operation_model(operation), body)
    assert any(needle in v for v in violations), violations
