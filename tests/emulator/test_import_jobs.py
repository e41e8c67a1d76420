"""Variant import job operations through a real boto3 client: life cycle, cancel, quota, lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from omics_emulator import EmulatorHandle
from tests.emulator.conftest import ROLE, FakeClock, error_of


def test_get_variant_import_job_completed_grows_store(
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    make_store()
    start_job("cohort", "s3://bucket/a.vcf", "s3://bucket/b.vcf")
    clock.advance(4.0)
    assert omics_client.get_variant_store(name="cohort")["storeSizeBytes"] == 2 * 1_048_576


def test_start_variant_import_job_unknown_store_not_found(omics_client: Any) -> None:
    with pytest.raises(ClientError) as exc:
        omics_client.start_variant_import_job(
            destinationName="nostore", roleArn=ROLE, items=[{"source": "s3://bucket/a.vcf"}]
        )
    assert error_of(exc) == ("ResourceNotFoundException", 404)


def test_start_variant_import_job_store_not_active_validation(omics_client: Any) -> None:
    omics_client.create_variant_store(
        name="cohort", reference={"referenceArn": "arn:aws:omics:us-east-1:1:x"}
    )
    with pytest.raises(ClientError) as exc:
        omics_client.start_variant_import_job(
            destinationName="cohort", roleArn=ROLE, items=[{"source": "s3://bucket/a.vcf"}]
        )
    assert error_of(exc) == ("ValidationException", 400)
    assert "CREATING, not ACTIVE" in exc.value.response["Error"]["Message"]


def test_start_variant_import_job_quota_exceeded(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    omics_emulator.backend.settings.max_concurrent_jobs = 2
    make_store()
    start_job()
    start_job()
    with pytest.raises(ClientError) as exc:
        start_job()
    assert error_of(exc) == ("ServiceQuotaExceededException", 402)
    clock.advance(4.0)  # the two finish; starts are accepted again
    start_job()


def test_start_variant_import_job_default_quota_is_five(
    make_store: Callable[..., str], start_job: Callable[..., str]
) -> None:
    make_store()
    for _ in range(5):
        start_job()
    with pytest.raises(ClientError) as exc:
        start_job()
    assert error_of(exc) == ("ServiceQuotaExceededException", 402)


@pytest.fixture
def jobs_in_two_stores(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> list[str]:
    make_store("alpha")
    make_store("beta")
    done = start_job("alpha")
    clock.advance(4.0)
    cancelled = start_job("beta")
    omics_client.cancel_variant_import_job(jobId=cancelled)
    clock.advance(1.0)  # the cancel takes effect; the next two jobs are still SUBMITTED
    return [done, cancelled, start_job("alpha"), start_job("beta")]


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
def test_list_variant_import_jobs_filter(
    omics_client: Any, jobs_in_two_stores: list[str], filters: dict[str, str], expected: list[int]
) -> None:
    kwargs = {"filter": filters} if filters else {}
    jobs = omics_client.list_variant_import_jobs(**kwargs)["variantImportJobs"]
    assert [j["id"] for j in jobs] == [jobs_in_two_stores[i] for i in expected]


def test_list_variant_import_jobs_ids(omics_client: Any, jobs_in_two_stores: list[str]) -> None:
    ids = [jobs_in_two_stores[3], jobs_in_two_stores[0]]
    jobs = omics_client.list_variant_import_jobs(ids=ids)["variantImportJobs"]
    assert {j["id"] for j in jobs} == set(ids)


def test_list_variant_import_jobs_max_results_next_token(
    omics_client: Any, jobs_in_two_stores: list[str]
) -> None:
    seen: list[str] = []
    token: str | None = None
    while True:
        kwargs: dict[str, str] = {"nextToken": token} if token else {}
        page = omics_client.list_variant_import_jobs(maxResults=3, **kwargs)
        assert len(page["variantImportJobs"]) <= 3
        seen += [j["id"] for j in page["variantImportJobs"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == jobs_in_two_stores


def test_list_variant_import_jobs_backend_exposes_jobs(
    omics_emulator: EmulatorHandle, jobs_in_two_stores: list[str]
) -> None:
    held = omics_emulator.backend.jobs()
    assert [j["id"] for j in held] == jobs_in_two_stores
    assert held[1]["status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("elapsed", "status"), [(0.0, "SUBMITTED"), (2.0, "IN_PROGRESS")]
)  # fmt: skip
def test_cancel_variant_import_job_keeps_status_until_cancel_seconds(
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
    elapsed: float,
    status: str,
) -> None:
    make_store()
    job_id = start_job()
    clock.advance(elapsed)
    omics_client.cancel_variant_import_job(jobId=job_id)
    cancelled_at = clock.now
    clock.advance(0.99)  # cancel_seconds is 1 in these tests
    job = omics_client.get_variant_import_job(jobId=job_id)
    assert (job["status"], [i["jobStatus"] for i in job["items"]]) == (status, [status])
    clock.advance(0.01)
    job = omics_client.get_variant_import_job(jobId=job_id)
    assert (job["status"], [i["jobStatus"] for i in job["items"]]) == ("CANCELLED", ["CANCELLED"])
    assert job["completionTime"].timestamp() == pytest.approx(cancelled_at + 1.0)


def test_cancel_variant_import_job_wins_over_a_finish_due_first(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    omics_emulator.backend.settings.cancel_seconds = 10.0
    make_store()
    job_id = start_job()
    clock.advance(2.0)
    omics_client.cancel_variant_import_job(jobId=job_id)
    clock.advance(5.0)  # past the time the job would have finished
    assert omics_client.get_variant_import_job(jobId=job_id)["status"] == "IN_PROGRESS"
    clock.advance(5.0)
    assert omics_client.get_variant_import_job(jobId=job_id)["status"] == "CANCELLED"
    assert omics_emulator.backend.imported_sources("cohort") == {}
    assert omics_client.get_variant_store(name="cohort")["storeSizeBytes"] == 0


def test_cancel_variant_import_job_again_keeps_the_first_deadline(
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    make_store()
    job_id = start_job()
    omics_client.cancel_variant_import_job(jobId=job_id)
    clock.advance(0.6)
    omics_client.cancel_variant_import_job(jobId=job_id)  # still running: accepted
    clock.advance(0.4)
    assert omics_client.get_variant_import_job(jobId=job_id)["status"] == "CANCELLED"


def many_items(count: int) -> list[dict[str, str]]:
    return [{"source": f"s3://bucket/sample-{i}.vcf"} for i in range(count)]


def test_start_variant_import_job_with_quota_of_files_accepted(
    omics_emulator: EmulatorHandle, omics_client: Any, make_store: Callable[..., str]
) -> None:
    make_store()
    omics_client.start_variant_import_job(
        destinationName="cohort", roleArn=ROLE, items=many_items(1000)
    )
    [job] = omics_emulator.backend.jobs()
    assert len(job["items"]) == 1000


def test_start_variant_import_job_over_quota_of_files_refused(
    omics_emulator: EmulatorHandle, omics_client: Any, make_store: Callable[..., str]
) -> None:
    make_store()
    with pytest.raises(ClientError) as exc:
        omics_client.start_variant_import_job(
            destinationName="cohort", roleArn=ROLE, items=many_items(1001)
        )
    assert error_of(exc) == ("ServiceQuotaExceededException", 402)
    assert "files per variant import job (1000)" in exc.value.response["Error"]["Message"]
    assert "1001 items" in exc.value.response["Error"]["Message"]
    assert omics_emulator.backend.jobs() == []
