"""Import job operations against the emulator over HTTP: guard, start, adopt, wait, cancel."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from omics_emulator import EmulatorHandle, EmulatorSettings, OmicsBackend, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider.core.errors import ProviderError
from omics_provider.core.timing import STATUS_POLL, Deadline
from omics_provider.flows.import_job import (
    ImportSpec,
    adopt_job,
    cancel_job,
    find_duplicate,
    matching_jobs,
    start_job,
)
from omics_provider.flows.job_wait import wait_for_job
from tests.support.clock import FakeClock
from tests.support.jobs import (
    create_store,
    job_inputs,
    job_session,
    jobs_into,
    progress_text,
)

SPEC = ImportSpec.from_inputs(job_inputs("s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf"))


def start_directly(client: Any, spec: ImportSpec = SPEC) -> str:
    return str(client.start_variant_import_job(**spec.start_request())["jobId"])


def test_find_duplicate_finds_a_running_job_with_the_same_files(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    job_id = start_directly(omics_client)
    reordered = ImportSpec.from_inputs(
        job_inputs("s3://samples-bucket/b.vcf", "s3://samples-bucket/a.vcf")
    )
    duplicate = find_duplicate(job_session(omics_emulator), reordered)
    assert duplicate is not None and duplicate["id"] == job_id


@pytest.mark.parametrize(
    "other",
    [
        job_inputs("s3://samples-bucket/a.vcf"),
        job_inputs(
            "s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf", runLeftNormalization=True
        ),
        job_inputs(
            "s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf", annotationFields={"k": "v"}
        ),
    ],
)
def test_find_duplicate_ignores_other_files_or_settings(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any], other: dict[str, Any]
) -> None:
    start_directly(omics_client, ImportSpec.from_inputs(other))
    assert find_duplicate(job_session(omics_emulator), SPEC) is None


def test_find_duplicate_finds_a_recently_completed_job(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    session = job_session(omics_emulator)
    job_id = start_directly(omics_client)
    assert (
        wait_for_job(session, job_id, Deadline.after(session.ctx.clock, 10))["status"]
        == "COMPLETED"
    )
    duplicate = find_duplicate(job_session(omics_emulator), SPEC)
    assert duplicate is not None and duplicate["id"] == job_id


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.1, fail_sources=("*",))]
)
def test_find_duplicate_ignores_a_failed_job(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    session = job_session(omics_emulator)
    job_id = start_directly(omics_client)
    assert (
        wait_for_job(session, job_id, Deadline.after(session.ctx.clock, 10))["status"] == "FAILED"
    )
    assert find_duplicate(job_session(omics_emulator), SPEC) is None


def test_start_job_into_a_missing_store_names_destination_name(
    omics_emulator: EmulatorHandle,
) -> None:
    with pytest.raises(ProviderError) as raised:
        start_job(job_session(omics_emulator), SPEC, stall_seconds=5)
    message = str(raised.value)
    assert "StartVariantImportJob failed (ResourceNotFoundException" in message
    assert "check destinationName" in message


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(role_unassumable_seconds=0.3)]
)
def test_start_job_waits_for_a_role_that_cannot_be_assumed_yet(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    session = job_session(omics_emulator)
    job_id = start_job(session, SPEC, stall_seconds=5)
    assert [job["id"] for job in jobs_into(omics_emulator)] == [job_id]
    assert "waiting for HealthOmics to be able to assume the role" in progress_text(session)


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.3, max_concurrent_jobs=1)]
)
def test_start_job_waits_through_a_full_quota_until_a_job_ends(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    session = job_session(omics_emulator)
    first = start_job(session, SPEC, stall_seconds=5)
    waiter = threading.Thread(
        target=wait_for_job, args=(session, first, Deadline.after(session.ctx.clock, 10))
    )
    waiter.start()
    second_spec = ImportSpec.from_inputs(job_inputs("s3://samples-bucket/c.vcf"))
    second = start_job(session, second_spec, stall_seconds=5)
    waiter.join(10)
    assert {job["id"] for job in jobs_into(omics_emulator)} == {first, second}
    assert "concurrent import job quota is full" in progress_text(session)
    assert omics_emulator.backend.requests_by_operation()["StartVariantImportJob"] >= 3


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=60, max_concurrent_jobs=1)]
)
def test_start_job_gives_up_when_the_quota_stays_full(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    start_directly(omics_client)
    with pytest.raises(ProviderError, match="quota stayed full"):
        start_job(job_session(omics_emulator, quota_poll_seconds=0.05), SPEC, stall_seconds=0.3)
    assert len(jobs_into(omics_emulator)) == 1


def test_adopt_job_into_another_store_is_refused(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    job_id = start_directly(omics_client)
    other = ImportSpec.from_inputs(job_inputs(destinationName="other_store"))
    with pytest.raises(ProviderError, match=f"adoptJobId {job_id} imports into store 'test_store'"):
        adopt_job(job_session(omics_emulator), job_id, other)


def test_wait_for_job_on_a_fake_clock_polls_with_backoff_and_reports_progress() -> None:
    clock = FakeClock()
    backend = OmicsBackend(EmulatorSettings(store_seconds=0, job_seconds=1800), clock=clock)
    with start_emulator(backend=backend) as emulator:
        client = make_omics_client(emulator.url)
        create_store(client)
        session = job_session(emulator, clock=clock, status_poll=STATUS_POLL, seconds=7200)
        job_id = start_directly(client)
        started = clock.now
        backend.reset_counters()
        job = wait_for_job(session, job_id, Deadline.after(clock, 7200), just_started=True)
        status_calls = sum(backend.requests_by_operation().values())
    assert job["status"] == "COMPLETED"
    assert 1800 <= clock.now - started <= 1800 + STATUS_POLL.cap
    assert status_calls <= 61 / 3  # fixed 30-second polling: 61 calls
    text = progress_text(session)
    assert f"job {job_id}: SUBMITTED, 0/2 items done (2s)" in text
    assert f"job {job_id}: COMPLETED, 2/2 items done" in text


def test_wait_for_job_times_out_with_advice(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 60
    job_id = start_directly(omics_client)
    session = job_session(omics_emulator)
    with pytest.raises(ProviderError) as raised:
        wait_for_job(session, job_id, Deadline.after(session.ctx.clock, 0.2))
    assert f"import job {job_id} is still" in str(raised.value)
    assert "next `pulumi up` adopts it" in str(raised.value)


def test_cancel_job_cancels_a_running_job_and_confirms_it(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 60
    job_id = start_directly(omics_client)
    cancel_job(job_session(omics_emulator), job_id)
    assert omics_client.get_variant_import_job(jobId=job_id)["status"] == "CANCELLED"


def test_cancel_job_leaves_a_finished_job_alone(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    session = job_session(omics_emulator)
    job_id = start_directly(omics_client)
    wait_for_job(session, job_id, Deadline.after(session.ctx.clock, 10))
    cancel_job(session, job_id)
    assert "CancelVariantImportJob" not in omics_emulator.backend.requests_by_operation()


def test_cancel_job_of_an_unknown_job_is_fine(omics_emulator: EmulatorHandle) -> None:
    cancel_job(job_session(omics_emulator), "00000000-0000-4000-8000-000000000000")


class AnswerLost:
    """A client whose first start reaches the service but whose answer is lost as error."""

    def __init__(self, client: Any, error: Exception) -> None:
        self.client, self.error, self.starts = client, error, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def start_variant_import_job(self, **request: Any) -> Any:
        self.starts += 1
        response = self.client.start_variant_import_job(**request)
        if self.starts == 1:
            raise self.error
        return response


SERVER_ERROR = ClientError(
    cast(
        Any,
        {
            "Error": {"Code": "InternalServerException", "Message": "failed after acting"},
            "ResponseMetadata": {"HTTPStatusCode": 500},
        },
    ),
    "StartVariantImportJob",
)


@pytest.mark.parametrize(
    "lost",
    [SERVER_ERROR, ReadTimeoutError(endpoint_url="http://127.0.0.1")],
    ids=["server-error-after-start", "read-timeout-after-start"],
)
def test_start_job_whose_answer_is_lost_adopts_the_started_job_instead_of_starting_again(
    omics_emulator: EmulatorHandle, store: dict[str, Any], lost: Exception
) -> None:
    session = job_session(omics_emulator)
    lossy = AnswerLost(session.client, lost)
    session.client = cast(Any, lossy)
    job_id = start_job(session, SPEC, stall_seconds=5)
    assert [job["id"] for job in jobs_into(omics_emulator)] == [job_id]
    assert lossy.starts == 1
    assert "the start got no clear answer" in progress_text(session)


def test_start_job_with_a_lost_answer_and_no_job_started_tries_again(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    session = job_session(omics_emulator)
    real = session.client

    class RefusedOnce(AnswerLost):
        def start_variant_import_job(self, **request: Any) -> Any:
            self.starts += 1
            if self.starts == 1:
                raise SERVER_ERROR
            return real.start_variant_import_job(**request)

    refused = RefusedOnce(real, SERVER_ERROR)
    session.client = cast(Any, refused)
    job_id = start_job(session, SPEC, stall_seconds=5)
    assert [job["id"] for job in jobs_into(omics_emulator)] == [job_id]
    assert refused.starts == 2


def test_start_job_after_a_lost_answer_ignores_an_older_identical_import(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    older = start_directly(omics_client)  # imported before; now again, with allowReimport
    session = job_session(omics_emulator)
    earlier = frozenset(matching_jobs(session, SPEC))
    session.client = cast(Any, AnswerLost(session.client, SERVER_ERROR))
    job_id = start_job(session, SPEC, stall_seconds=5, earlier=earlier)
    assert job_id != older
    assert {job["id"] for job in jobs_into(omics_emulator)} == {older, job_id}


def test_wait_for_jobs_watched_together_reads_them_in_batches(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 0.5
    session = job_session(omics_emulator)
    ids = [
        start_directly(omics_client, ImportSpec.from_inputs(job_inputs(f"s3://samples-bucket/{n}")))
        for n in range(3)
    ]
    omics_emulator.backend.reset_counters()
    deadline = Deadline.after(session.ctx.clock, 10)
    with ThreadPoolExecutor(3) as pool:
        jobs = list(pool.map(lambda job_id: wait_for_job(session, job_id, deadline), ids))
    assert {job["status"] for job in jobs} == {"COMPLETED"}
    calls = omics_emulator.backend.requests_by_operation()
    # Read one by one, the three waiters would make about 20 status reads; shared, about 9.
    assert 1 <= calls["ListVariantImportJobs"] < 15
