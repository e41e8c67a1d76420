"""What every import job kind does alike, through a real boto3 client: ids, statuses, cancel,
quota; each case runs for variant and annotation import jobs (the `job_ops` fixture)."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from omics_emulator import EmulatorHandle
from tests.emulator.conftest import FakeClock, JobOps, error_of

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
UNKNOWN_JOB = "00000000-0000-4000-8000-000000000000"


def test_start_import_job_returns_uuid4(job_ops: JobOps) -> None:
    job_ops.store()
    assert UUID4.fullmatch(job_ops.start())


@pytest.mark.parametrize(
    ("elapsed", "status"),
    [(0.0, "SUBMITTED"), (1.0, "IN_PROGRESS"), (3.9, "IN_PROGRESS"), (4.0, "COMPLETED")],
)
def test_get_import_job_status_follows_clock(
    job_ops: JobOps, clock: FakeClock, elapsed: float, status: str
) -> None:
    store = job_ops.store()
    job_id = job_ops.start(store, "s3://bucket/a.vcf", "s3://bucket/b.vcf")
    clock.advance(elapsed)
    job = job_ops.call("get", jobId=job_id)
    assert job["status"] == status
    assert [i["jobStatus"] for i in job["items"]] == [status, status]
    assert all(("statusMessage" in i) == job_ops.item_messages for i in job["items"])
    assert ("completionTime" in job) == (status == "COMPLETED")


@pytest.mark.parametrize("elapsed", [0.0, 2.0])
def test_cancel_import_job_running_cancelled(
    job_ops: JobOps, clock: FakeClock, elapsed: float
) -> None:
    store = job_ops.store()
    job_id = job_ops.start()
    clock.advance(elapsed)
    answer = job_ops.call("cancel", jobId=job_id)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert job_ops.call("get", jobId=job_id)["status"] != "CANCELLED"
    clock.advance(10)  # the cancel takes effect; the job must not complete later
    job = job_ops.call("get", jobId=job_id)
    assert job["status"] == "CANCELLED"
    assert [i["jobStatus"] for i in job["items"]] == ["CANCELLED"]
    assert job_ops.imported(store) == {}


def test_cancel_import_job_finished_refused(job_ops: JobOps, clock: FakeClock) -> None:
    job_ops.store()
    job_id = job_ops.start()
    clock.advance(4.0)
    with pytest.raises(ClientError) as exc:
        job_ops.call("cancel", jobId=job_id)
    assert error_of(exc) == ("ValidationException", 400)
    assert job_ops.call("get", jobId=job_id)["status"] == "COMPLETED"


@pytest.mark.parametrize("verb", ["get", "cancel"])
def test_import_job_operation_unknown_not_found(job_ops: JobOps, verb: str) -> None:
    with pytest.raises(ClientError) as exc:
        job_ops.call(verb, jobId=UNKNOWN_JOB)
    assert error_of(exc) == ("ResourceNotFoundException", 404)


def test_cancel_import_job_pending_cancel_still_holds_a_quota_slot(
    omics_emulator: EmulatorHandle, job_ops: JobOps, clock: FakeClock
) -> None:
    omics_emulator.backend.settings.max_concurrent_jobs = 1
    job_ops.store()
    job_ops.call("cancel", jobId=job_ops.start())
    with pytest.raises(ClientError) as exc:
        job_ops.start()
    assert error_of(exc) == ("ServiceQuotaExceededException", 402)
    clock.advance(1.0)  # the cancel takes effect and frees the quota
    job_ops.start()
