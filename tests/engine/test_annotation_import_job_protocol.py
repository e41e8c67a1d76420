"""AnnotationImportJob through the real dynamic-provider plugin over gRPC, against the emulator."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_provider import AnnotationImportJobProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.jobs import REFERENCE_ARN, ROLE_ARN
from tests.support.waiting import wait_until

PROVIDER = AnnotationImportJobProvider()
GENES = "genes"
BUCKET = "s3://samples-bucket"


def annotation_inputs(*names: str, **overrides: Any) -> dict[str, Any]:
    """Inputs of one AnnotationImportJob of names into version v01 of GENES."""
    return {
        "resourceName": "annotations",
        "destinationName": GENES,
        "versionName": "v01",
        "roleArn": ROLE_ARN,
        "items": [{"source": f"{BUCKET}/{name}.vcf"} for name in names or ("clinvar",)],
        "formatOptions": {"vcfOptions": {"ignoreQualField": True}},
        **overrides,
    }


def checked(plugin: DynamicProviderPlugin, news: dict[str, Any]) -> dict[str, Any]:
    outcome = plugin.check(PROVIDER, {}, news)
    assert outcome.failures == []
    return outcome.inputs


def jobs_into_version(client: Any, version: str = "v01") -> list[dict[str, Any]]:
    """Every annotation import job into version of GENES, read in full."""
    listed = client.list_annotation_import_jobs(filter={"storeName": GENES})
    ids = [job["id"] for job in listed["annotationImportJobs"] if job["versionName"] == version]
    return [client.get_annotation_import_job(jobId=job_id) for job_id in ids]


@pytest.fixture
def versions(omics_client: Any) -> None:
    """GENES, an ACTIVE VCF annotation store with the ACTIVE versions v1 and v2."""
    omics_client.create_annotation_store(
        name=GENES, storeFormat="VCF", reference={"referenceArn": REFERENCE_ARN}, versionName="v01"
    )
    wait_until(
        lambda: omics_client.get_annotation_store(name=GENES)["status"] == "ACTIVE",
        "the annotation store to become ACTIVE",
    )
    omics_client.create_annotation_store_version(name=GENES, versionName="v02")
    for version in ("v01", "v02"):
        wait_until(partial(version_active, omics_client, version), f"{version} to be ACTIVE")


def version_active(client: Any, version: str) -> bool:
    """Whether version of GENES is ACTIVE."""
    found = client.get_annotation_store_version(name=GENES, versionName=version)
    return bool(found["status"] == "ACTIVE")


@pytest.mark.usefixtures("versions")
def test_create_starts_once_into_the_version_and_reports_every_item(
    plugin: DynamicProviderPlugin, omics_client: Any
) -> None:
    inputs = checked(plugin, annotation_inputs("clinvar", "gnomad"))
    job_id, outputs = plugin.create(PROVIDER, inputs)
    assert outputs["status"] == "COMPLETED" and outputs["jobId"] == job_id
    assert outputs["itemCounts"] == {"COMPLETED": 2} and outputs["failedItems"] == []
    [job] = jobs_into_version(omics_client)
    assert job["id"] == job_id and job["formatOptions"] == inputs["formatOptions"]
    assert jobs_into_version(omics_client, "v02") == []
    assert plugin.printed(f"[AnnotationImportJob annotations] started job {job_id}")


@pytest.mark.usefixtures("versions")
def test_create_never_imports_a_file_twice_into_one_store_version(
    plugin: DynamicProviderPlugin, omics_client: Any
) -> None:
    """A file another run imported into the version is recorded from its job, not imported."""
    earlier = omics_client.start_annotation_import_job(
        destinationName=GENES,
        versionName="v01",
        roleArn=ROLE_ARN,
        items=[{"source": f"{BUCKET}/clinvar.vcf"}, {"source": f"{BUCKET}/gnomad.vcf"}],
    )["jobId"]
    # The same file in another version of the store is not held by v01.
    omics_client.start_annotation_import_job(
        destinationName=GENES,
        versionName="v02",
        roleArn=ROLE_ARN,
        items=[{"source": f"{BUCKET}/vep.vcf"}],
    )
    later = checked(plugin, annotation_inputs("gnomad", "vep", resourceName="later"))
    later_id, outputs = plugin.create(PROVIDER, later)
    assert outputs["importedBy"] == {earlier: "0", later_id: "1"}
    imported = {
        job["id"]: [item["source"] for item in job["items"]]
        for job in jobs_into_version(omics_client)
    }
    assert imported == {
        earlier: [f"{BUCKET}/clinvar.vcf", f"{BUCKET}/gnomad.vcf"],
        later_id: [f"{BUCKET}/vep.vcf"],
    }


@pytest.mark.parametrize("omics_emulator_settings", [EmulatorSettings(fail_sources=("*bad*",))])
@pytest.mark.usefixtures("versions")
def test_create_reports_every_failed_item(plugin: DynamicProviderPlugin) -> None:
    _, outputs = plugin.create(PROVIDER, checked(plugin, annotation_inputs("good", "bad")))
    assert outputs["status"] == "COMPLETED_WITH_FAILURES"
    assert [item["source"] for item in outputs["failedItems"]] == [f"{BUCKET}/bad.vcf"]
    assert plugin.printed("with a new AnnotationImportJob once fixed")
    with pytest.raises(PluginCallError) as raised:
        plugin.create(PROVIDER, checked(plugin, annotation_inputs("bad-2", resourceName="all")))
    assert "ended FAILED" in raised.value.last_line
    assert f"failed items: {BUCKET}/bad-2.vcf" in raised.value.last_line


@pytest.mark.usefixtures("versions")
def test_delete_cancels_a_running_job(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    omics_emulator.backend.settings.job_seconds = 60
    inputs = checked(plugin, annotation_inputs(waitForCompletion=False))
    job_id, outputs = plugin.create(PROVIDER, inputs)
    assert outputs["status"] == "SUBMITTED"
    plugin.delete(PROVIDER, job_id, outputs)
    assert omics_client.get_annotation_import_job(jobId=job_id)["status"] == "CANCELLED"
    assert plugin.printed(f"[AnnotationImportJob annotations] cancelling job {job_id}")
