"""Annotation import jobs through a real boto3 client: life cycle, versions, cancel, one quota."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from omics_emulator import EmulatorHandle
from tests.emulator.conftest import ROLE, FakeClock, error_of
from tests.emulator.test_import_job_kinds import UUID4

TSV_OPTIONS = {"tsvOptions": {"readOptions": {"sep": "\t", "header": True}}}
VCF_OPTIONS = {"vcfOptions": {"ignoreQualField": True}}


def test_get_annotation_import_job_completed_fills_its_version_only(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    make_annotation_store()
    omics_client.create_annotation_store_version(name="genes", versionName="release_two")
    clock.advance(1.0)
    start_annotation_job("genes", "s3://bucket/a.vcf", versionName="release_two")
    clock.advance(4.0)
    annotations = omics_emulator.backend.annotations
    assert annotations.imported_sources("genes", "release_two") == Counter(["s3://bucket/a.vcf"])
    assert annotations.imported_sources("genes") == Counter()
    version = omics_client.get_annotation_store_version(name="genes", versionName="release_two")
    assert version["versionSizeBytes"] == 1_048_576
    assert omics_client.get_annotation_store(name="genes")["storeSizeBytes"] == 1_048_576


def test_get_annotation_import_job_failed_items_import_nothing(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    omics_emulator.backend.settings.fail_sources = ("*/bad*",)
    make_annotation_store()
    job_id = start_annotation_job("genes", "s3://bucket/a.vcf", "s3://bucket/bad.vcf")
    clock.advance(4.0)
    job = omics_client.get_annotation_import_job(jobId=job_id)
    assert job["status"] == "COMPLETED_WITH_FAILURES"
    assert job["statusMessage"] == "1 of 2 items failed to import"
    assert [i["jobStatus"] for i in job["items"]] == ["COMPLETED", "FAILED"]
    assert omics_emulator.backend.annotations.imported_sources("genes") == Counter(
        ["s3://bucket/a.vcf"]
    )


def test_start_annotation_import_job_echoes_format_options(
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
) -> None:
    make_annotation_store()
    job_id = start_annotation_job("genes", formatOptions=VCF_OPTIONS, annotationFields={"k": "v"})
    job = omics_client.get_annotation_import_job(jobId=job_id)
    assert job["formatOptions"] == VCF_OPTIONS
    assert job["annotationFields"] == {"k": "v"}


@pytest.mark.parametrize(
    ("store_format", "format_options"),
    [("VCF", TSV_OPTIONS), ("TSV", VCF_OPTIONS), ("GFF", TSV_OPTIONS), ("GFF", VCF_OPTIONS)],
)
def test_start_annotation_import_job_format_options_not_of_the_store_validation(
    omics_emulator: EmulatorHandle,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    store_format: str,
    format_options: dict[str, Any],
) -> None:
    make_annotation_store(store_format=store_format)
    with pytest.raises(ClientError) as exc:
        start_annotation_job("genes", formatOptions=format_options)
    assert error_of(exc) == ("ValidationException", 400)
    assert f"a {store_format} store takes" in exc.value.response["Error"]["Message"]
    assert omics_emulator.backend.annotations.jobs() == []


def test_start_annotation_import_job_unknown_store_not_found(omics_client: Any) -> None:
    with pytest.raises(ClientError) as exc:
        omics_client.start_annotation_import_job(
            destinationName="nostore", roleArn=ROLE, items=[{"source": "s3://bucket/a.vcf"}]
        )
    assert error_of(exc) == ("ResourceNotFoundException", 404)


def test_start_annotation_import_job_unknown_version_not_found(
    make_annotation_store: Callable[..., str], start_annotation_job: Callable[..., str]
) -> None:
    make_annotation_store()
    with pytest.raises(ClientError) as exc:
        start_annotation_job("genes", versionName="release_nine")
    assert error_of(exc) == ("ResourceNotFoundException", 404)
    assert "release_nine" in exc.value.response["Error"]["Message"]


def test_start_annotation_import_job_into_a_variant_store_not_found(
    make_store: Callable[..., str], start_annotation_job: Callable[..., str]
) -> None:
    make_store("cohort")
    with pytest.raises(ClientError) as exc:
        start_annotation_job("cohort")
    assert error_of(exc) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize("creating", ["store", "version"])
def test_start_annotation_import_job_not_active_validation(
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    creating: str,
) -> None:
    if creating == "store":
        omics_client.create_annotation_store(
            name="genes", storeFormat="VCF", reference={"referenceArn": "arn:aws:omics:x"}
        )
        kwargs = {}
    else:
        make_annotation_store()
        omics_client.create_annotation_store_version(name="genes", versionName="release_two")
        kwargs = {"versionName": "release_two"}
    with pytest.raises(ClientError) as exc:
        start_annotation_job("genes", **kwargs)
    assert error_of(exc) == ("ValidationException", 400)
    assert "CREATING, not ACTIVE" in exc.value.response["Error"]["Message"]


@pytest.mark.parametrize("operation", ["get_annotation_import_job", "cancel_annotation_import_job"])
def test_annotation_import_job_operation_unknown_or_variant_job_not_found(
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    operation: str,
) -> None:
    make_store()
    variant_job = start_job()
    for job_id in ("00000000-0000-4000-8000-000000000000", variant_job):
        with pytest.raises(ClientError) as exc:
            getattr(omics_client, operation)(jobId=job_id)
        assert error_of(exc) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize("first", ["variant", "annotation"])
def test_start_import_job_concurrent_quota_is_shared_by_both_kinds(
    omics_emulator: EmulatorHandle,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    clock: FakeClock,
    first: str,
) -> None:
    omics_emulator.backend.settings.max_concurrent_jobs = 2
    make_store("cohort")
    make_annotation_store("genes")
    starts = {"variant": lambda: start_job("cohort"), "annotation": start_annotation_job}
    starts[first]()
    starts[first]()
    for kind in starts:
        with pytest.raises(ClientError) as exc:
            starts[kind]()
        assert error_of(exc) == ("ServiceQuotaExceededException", 402)
        assert (
            "variant or annotation store import jobs (2)" in exc.value.response["Error"]["Message"]
        )
    clock.advance(4.0)  # both finish; either kind starts again
    starts["variant"]()
    starts["annotation"]()


def test_delete_annotation_store_running_job_conflict_unless_forced(
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
) -> None:
    make_annotation_store()
    job_id = start_annotation_job()
    with pytest.raises(ClientError) as exc:
        omics_client.delete_annotation_store(name="genes")
    assert error_of(exc) == ("ConflictException", 409)
    assert job_id in exc.value.response["Error"]["Message"]
    omics_client.delete_annotation_store(name="genes", force=True)
    job = omics_client.get_annotation_import_job(jobId=job_id)
    assert job["status"] == "FAILED"
    assert "genes was deleted" in job["statusMessage"]


def test_delete_annotation_store_versions_with_data_refused_unless_forced(
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    make_annotation_store()
    start_annotation_job()
    clock.advance(4.0)
    refused = omics_client.delete_annotation_store_versions(name="genes", versions=["genes"])
    assert [e["versionName"] for e in refused["errors"]] == ["genes"]
    assert "contains data (1048576 bytes)" in refused["errors"][0]["message"]
    forced = omics_client.delete_annotation_store_versions(
        name="genes", versions=["genes"], force=True
    )
    assert forced["errors"] == []
    clock.advance(1.0)
    assert omics_client.get_annotation_store(name="genes")["numVersions"] == 0


def test_delete_annotation_store_versions_running_job_fails_when_forced(
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
) -> None:
    make_annotation_store()
    job_id = start_annotation_job()
    refused = omics_client.delete_annotation_store_versions(name="genes", versions=["genes"])
    assert job_id in refused["errors"][0]["message"]
    omics_client.delete_annotation_store_versions(name="genes", versions=["genes"], force=True)
    assert omics_client.get_annotation_import_job(jobId=job_id)["status"] == "FAILED"


@pytest.fixture
def annotation_jobs_in_two_stores(
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    clock: FakeClock,
) -> list[str]:
    make_annotation_store("alpha")
    make_annotation_store("beta")
    done = start_annotation_job("alpha")
    clock.advance(4.0)
    cancelled = start_annotation_job("beta")
    omics_client.cancel_annotation_import_job(jobId=cancelled)
    clock.advance(1.0)
    return [done, cancelled, start_annotation_job("alpha"), start_annotation_job("beta")]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [0, 1, 2, 3]),
        ({"storeName": "alpha"}, [0, 2]),
        ({"status": "COMPLETED"}, [0]),
        ({"status": "CANCELLED"}, [1]),
        ({"status": "SUBMITTED", "storeName": "beta"}, [3]),
        ({"storeName": "nostore"}, []),
    ],
)
def test_list_annotation_import_jobs_filter(
    omics_client: Any,
    annotation_jobs_in_two_stores: list[str],
    filters: dict[str, str],
    expected: list[int],
) -> None:
    kwargs = {"filter": filters} if filters else {}
    jobs = omics_client.list_annotation_import_jobs(**kwargs)["annotationImportJobs"]
    assert [j["id"] for j in jobs] == [annotation_jobs_in_two_stores[i] for i in expected]
    assert all(j["versionName"] == j["destinationName"] for j in jobs)


def test_list_annotation_import_jobs_ids_and_pages(
    omics_client: Any, annotation_jobs_in_two_stores: list[str]
) -> None:
    wanted = [annotation_jobs_in_two_stores[3], annotation_jobs_in_two_stores[0]]
    jobs = omics_client.list_annotation_import_jobs(ids=wanted)["annotationImportJobs"]
    assert {j["id"] for j in jobs} == set(wanted)
    first = omics_client.list_annotation_import_jobs(maxResults=3)
    second = omics_client.list_annotation_import_jobs(maxResults=3, nextToken=first["nextToken"])
    seen = [j["id"] for j in first["annotationImportJobs"] + second["annotationImportJobs"]]
    assert seen == annotation_jobs_in_two_stores


def test_list_import_jobs_each_kind_lists_only_its_own(
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
) -> None:
    make_store("cohort")
    make_annotation_store("genes")
    variant, annotation = start_job("cohort"), start_annotation_job("genes")
    variants = omics_client.list_variant_import_jobs()["variantImportJobs"]
    annotations = omics_client.list_annotation_import_jobs()["annotationImportJobs"]
    assert [j["id"] for j in variants] == [variant]
    assert [j["id"] for j in annotations] == [annotation]


def test_start_annotation_import_job_role_not_yet_assumable_validation(
    omics_emulator: EmulatorHandle,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    omics_emulator.backend.settings.role_unassumable_seconds = 5.0
    make_annotation_store()
    with pytest.raises(ClientError) as exc:
        start_annotation_job()
    assert error_of(exc) == ("ValidationException", 400)
    assert "Unable to assume role" in exc.value.response["Error"]["Message"]
    clock.advance(5.0)
    assert UUID4.fullmatch(start_annotation_job())


def test_start_import_job_pending_annotation_cancel_still_counts_against_quota(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    omics_emulator.backend.settings.max_concurrent_jobs = 1
    make_store("cohort")
    make_annotation_store("genes")
    omics_client.cancel_annotation_import_job(jobId=start_annotation_job())
    with pytest.raises(ClientError) as exc:
        start_job("cohort")
    assert error_of(exc) == ("ServiceQuotaExceededException", 402)
    clock.advance(1.0)  # the cancel takes effect and frees the quota
    start_job("cohort")


def test_start_annotation_import_job_over_the_variant_files_quota_accepted(
    omics_emulator: EmulatorHandle,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
) -> None:
    """The API reference gives StartAnnotationImportJob's items a minimum of 1 and no maximum,
    and no quota caps files per annotation job: the variant job's 1,000 does not apply."""
    store = make_annotation_store()
    sources = [f"s3://bucket/part-{i}.vcf" for i in range(1001)]
    start_annotation_job(store, *sources)
    [job] = omics_emulator.backend.annotations.jobs(store)
    assert len(job["items"]) == 1001
