"""The import-job flow against the emulator over HTTP: adopt, start, converge, wait, cancel."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from omics_emulator import EmulatorHandle, EmulatorSettings, OmicsBackend, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider.core.errors import ProviderError
from omics_provider.core.timing import STATUS_POLL, SYSTEM_CLOCK
from omics_provider.flows.import_job import CreateRequest, ImportJobFlow, JobOwners
from omics_provider.flows.import_spec import DUPLICATE_WINDOW, ImportSpec
from omics_provider.flows.job_board import JobBoard
from tests.support.clock import FakeClock
from tests.support.jobs import create_store, job_flow, job_inputs, jobs_into, progress_text
from tests.support.virtual_time import virtual_emulator

SPEC = ImportSpec.from_inputs(job_inputs("s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf"))
_owners = iter(range(1_000_000))


def request(spec: ImportSpec = SPEC, **options: Any) -> CreateRequest:
    """A create of spec by a resource of its own (each test's owners differ)."""
    options.setdefault("owner", f"batch-{next(_owners)}")
    return CreateRequest(spec=spec, **options)


def start_directly(client: Any, spec: ImportSpec = SPEC) -> str:
    return str(client.start_variant_import_job(**spec.start_request())["jobId"])


def client_error(code: str, status: int) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": "m"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(cast(Any, response), "StartVariantImportJob")


class Wrapped:
    """A client that behaves like the real one except where a test overrides a method."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


# --- adopting an identical import ------------------------------------------------------------
def test_create_adopts_a_running_job_with_the_same_files_in_any_order(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    job_id = start_directly(omics_client)
    reordered = ImportSpec.from_inputs(
        job_inputs("s3://samples-bucket/b.vcf", "s3://samples-bucket/a.vcf")
    )
    flow = job_flow(omics_emulator)
    job = flow.create(request(reordered, wait=False))
    assert job["id"] == job_id
    assert len(jobs_into(omics_emulator)) == 1
    assert f"adopted job {job_id}" in progress_text(flow)


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
def test_create_starts_its_own_job_beside_other_files_or_settings(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any], other: dict[str, Any]
) -> None:
    existing = start_directly(omics_client, ImportSpec.from_inputs(other))
    job = job_flow(omics_emulator).create(request(wait=False))
    assert job["id"] != existing
    assert len(jobs_into(omics_emulator)) == 2


@pytest.mark.parametrize(
    ("hours_ago", "adopted"),
    [
        (DUPLICATE_WINDOW.total_seconds() / 3600 - 1, True),
        (DUPLICATE_WINDOW.total_seconds() / 3600 + 1, False),
    ],
    ids=["inside-the-window", "outside-the-window"],
)
def test_create_adopts_a_successful_job_only_within_the_duplicate_window(
    hours_ago: float, adopted: bool
) -> None:
    clock = FakeClock(start=time.time() - hours_ago * 3600)
    backend = OmicsBackend(EmulatorSettings(store_seconds=0, job_seconds=10), clock=clock)
    with start_emulator(backend=backend) as emulator:
        client = make_omics_client(emulator.url)
        create_store(client)
        finished = start_directly(client)
        clock.sleep(60)
        assert client.get_variant_import_job(jobId=finished)["status"] == "COMPLETED"
        job = job_flow(emulator).create(request(wait=False))
        assert (job["id"] == finished) is adopted
        assert len(jobs_into(emulator)) == (1 if adopted else 2)


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.1, fail_sources=("*",))]
)
def test_create_never_adopts_a_failed_job(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    failed = start_directly(omics_client)
    assert job_flow(omics_emulator).wait(failed)["status"] == "FAILED"
    job = job_flow(omics_emulator).create(request(wait=False))
    assert job["id"] != failed


def test_create_with_adopt_job_id_into_another_store_is_refused(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    job_id = start_directly(omics_client)
    other = ImportSpec.from_inputs(job_inputs(destinationName="other_store"))
    with pytest.raises(ProviderError, match=f"adoptJobId {job_id} imports into store 'test_store'"):
        job_flow(omics_emulator).create(request(other, adopt_job_id=job_id))


# --- starting ---------------------------------------------------------------------------------
def test_create_into_a_missing_store_names_destination_name(
    omics_emulator: EmulatorHandle,
) -> None:
    with pytest.raises(ProviderError) as raised:
        job_flow(omics_emulator).create(request())
    message = str(raised.value)
    assert "StartVariantImportJob failed (ResourceNotFoundException" in message
    assert "check destinationName" in message


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(role_unassumable_seconds=0.3)]
)
def test_create_waits_for_a_role_that_cannot_be_assumed_yet(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    flow = job_flow(omics_emulator)
    job = flow.create(request(wait=False))
    assert [j["id"] for j in jobs_into(omics_emulator)] == [job["id"]]
    assert "waiting for HealthOmics to be able to assume the role" in progress_text(flow)


def test_create_waits_through_a_full_quota_until_a_job_ends() -> None:
    """The emulator's time stands still until the second start has been refused: the first job
    ends only then, however slow the machine (no race with a one-second job)."""
    emulator_time = FakeClock()
    with virtual_emulator(emulator_time, job_seconds=1.0, max_concurrent_jobs=1) as (emulator, _):
        board = JobBoard(SYSTEM_CLOCK)
        first = job_flow(emulator, board=board).create(request(wait=False))
        waiter = threading.Thread(target=job_flow(emulator, board=board).wait, args=(first["id"],))
        waiter.start()
        flow = job_flow(emulator, board=board)
        second_spec = ImportSpec.from_inputs(job_inputs("s3://samples-bucket/c.vcf"))
        created: list[dict[str, Any]] = []
        second = threading.Thread(
            target=lambda: created.append(flow.create(request(second_spec, wait=False)))
        )
        second.start()
        assert wait_until(lambda: starts(emulator) >= 2)  # the second start was refused
        emulator_time.sleep(2.0)  # now the first job ends
        second.join(CONDITION_SECONDS)
        waiter.join(CONDITION_SECONDS)
        assert {j["id"] for j in jobs_into(emulator)} == {first["id"], created[0]["id"]}
        assert starts(emulator) >= 3
    assert "concurrent import job quota is full" in progress_text(flow)


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=60, max_concurrent_jobs=1)]
)
def test_create_gives_up_when_the_quota_stays_full(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    start_directly(omics_client, ImportSpec.from_inputs(job_inputs("s3://samples-bucket/z.vcf")))
    flow = job_flow(omics_emulator, quota_poll_seconds=0.05, timeout_seconds=0.3)
    with pytest.raises(ProviderError, match="quota stayed full"):
        flow.create(request())
    assert len(jobs_into(omics_emulator)) == 1
    assert "concurrent import job quota is full" in progress_text(flow)


def test_create_after_a_queue_longer_than_its_timeout_still_retries_a_throttled_start(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    """The 40th of 50 one-hour batches queues for hours: its start gets a window of its own."""
    board = JobBoard(SYSTEM_CLOCK)
    holding = threading.Event()

    def hold_the_turn_while_the_queue_moves() -> None:
        with board.turn(stall_seconds=10):
            holding.set()
            for _ in range(8):  # 0.8 s of a moving queue: starts keep happening
                time.sleep(0.1)
                board.record_start("other", frozenset())

    holder = threading.Thread(target=hold_the_turn_while_the_queue_moves)
    holder.start()
    holding.wait(5)
    flow = job_flow(omics_emulator, board=board, timeout_seconds=0.5)
    throttled_once = Wrapped(flow.api.client)

    def start(**kwargs: Any) -> Any:
        throttled_once.calls.append("start")
        if len(throttled_once.calls) == 1:
            raise client_error("ThrottlingException", 429)
        return throttled_once.client.start_variant_import_job(**kwargs)

    throttled_once.start_variant_import_job = start  # type: ignore[attr-defined]
    flow.api.client = cast(Any, throttled_once)
    job = flow.create(request(wait=False))
    holder.join(5)
    assert [j["id"] for j in jobs_into(omics_emulator)] == [job["id"]]
    assert throttled_once.calls == ["start", "start"]


# --- answers lost, and racing runs ------------------------------------------------------------
class AnswerLost(Wrapped):
    """A client whose first start reaches the service but whose answer is lost as error."""

    def __init__(self, client: Any, error: Exception) -> None:
        super().__init__(client)
        self.error, self.starts = error, 0

    def start_variant_import_job(self, **request: Any) -> Any:
        self.starts += 1
        response = self.client.start_variant_import_job(**request)
        if self.starts == 1:
            raise self.error
        return response


SERVER_ERROR = client_error("InternalServerException", 500)


@pytest.mark.parametrize(
    "lost",
    [
        SERVER_ERROR,
        client_error("RequestTimeoutException", 408),
        ReadTimeoutError(endpoint_url="http://127.0.0.1"),
    ],
    ids=["server-error-after-start", "request-timeout-after-start", "read-timeout-after-start"],
)
def test_create_whose_start_answer_is_lost_adopts_the_started_job_instead_of_starting_again(
    omics_emulator: EmulatorHandle, store: dict[str, Any], lost: Exception
) -> None:
    flow = job_flow(omics_emulator)
    lossy = AnswerLost(flow.api.client, lost)
    flow.api.client = cast(Any, lossy)
    job = flow.create(request(wait=False))
    assert [j["id"] for j in jobs_into(omics_emulator)] == [job["id"]]
    assert lossy.starts == 1
    assert "the start got no clear answer" in progress_text(flow)


def test_create_with_a_lost_answer_and_no_job_started_tries_again(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    flow = job_flow(omics_emulator)

    class RefusedOnce(AnswerLost):
        def start_variant_import_job(self, **request: Any) -> Any:
            self.starts += 1
            if self.starts == 1:
                raise SERVER_ERROR
            return self.client.start_variant_import_job(**request)

    refused = RefusedOnce(flow.api.client, SERVER_ERROR)
    flow.api.client = cast(Any, refused)
    job = flow.create(request(wait=False))
    assert [j["id"] for j in jobs_into(omics_emulator)] == [job["id"]]
    assert refused.starts == 2


def test_create_with_allow_reimport_after_a_lost_answer_ignores_the_older_identical_import(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    older = start_directly(omics_client)  # imported before; now again, with allowReimport
    flow = job_flow(omics_emulator)
    flow.api.client = cast(Any, AnswerLost(flow.api.client, SERVER_ERROR))
    job = flow.create(request(allow_reimport=True, wait=False))
    assert job["id"] != older
    assert {j["id"] for j in jobs_into(omics_emulator)} == {older, job["id"]}


class ListedBeforeTheRace(Wrapped):
    """A client whose first job listing predates a racing run's start: it finds nothing."""

    def __init__(self, client: Any, race: Any) -> None:
        super().__init__(client)
        self.race, self.listings = race, 0

    def list_variant_import_jobs(self, **kwargs: Any) -> Any:
        self.listings += 1
        response = self.client.list_variant_import_jobs(**kwargs)
        if self.listings == 1:
            self.race()  # the other run starts right after this run's duplicate check
            return {**response, "variantImportJobs": []}
        return response


def test_create_that_raced_another_run_cancels_its_own_job_and_adopts_the_earlier_one(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 2
    raced: list[str] = []
    flow = job_flow(omics_emulator)
    flow.api.client = cast(
        Any,
        ListedBeforeTheRace(flow.api.client, lambda: raced.append(start_directly(omics_client))),
    )
    job = flow.settle(flow.wait(flow.create(request(wait=False))["id"]))
    jobs = {j["id"]: j for j in jobs_into(omics_emulator)}
    [own] = [job_id for job_id in jobs if job_id != raced[0]]
    assert job["id"] == raced[0] and job["status"] == "COMPLETED"
    assert jobs[own]["status"] == "CANCELLED"
    assert f"cancelling job {own}, adopting {raced[0]}" in progress_text(flow)


def test_create_that_started_first_keeps_its_job_when_another_run_races_it(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    flow = job_flow(omics_emulator)
    racing: list[str] = []

    class RacedRightAfterTheStart(Wrapped):
        def start_variant_import_job(self, **kwargs: Any) -> Any:
            response = self.client.start_variant_import_job(**kwargs)
            racing.append(start_directly(omics_client))  # the other run starts just after
            return response

    flow.api.client = cast(Any, RacedRightAfterTheStart(flow.api.client))
    job = flow.create(request(wait=False))
    assert job["id"] != racing[0]
    statuses = {j["id"]: j["status"] for j in jobs_into(omics_emulator)}
    assert statuses[racing[0]] != "CANCELLED"  # the other run cancels its own job, not this one


def test_create_refuses_a_job_another_resource_of_this_process_owns(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    board, owners = JobBoard(SYSTEM_CLOCK), JobOwners()
    first = job_flow(omics_emulator, board=board, owners=owners).create(
        request(owner="batch-a", wait=False)
    )
    with pytest.raises(ProviderError) as raised:
        job_flow(omics_emulator, board=board, owners=owners).create(
            request(owner="batch-b", wait=False)
        )
    assert f"import job {first['id']} already belongs to batch-a of this stack" in str(raised.value)
    assert len(jobs_into(omics_emulator)) == 1


# --- waiting ----------------------------------------------------------------------------------
def test_wait_on_a_fake_clock_polls_with_backoff_and_reports_progress() -> None:
    clock = FakeClock()
    backend = OmicsBackend(EmulatorSettings(store_seconds=0, job_seconds=1800), clock=clock)
    with start_emulator(backend=backend) as emulator:
        client = make_omics_client(emulator.url)
        create_store(client)
        flow = job_flow(emulator, clock=clock, status_poll=STATUS_POLL, timeout_seconds=7200)
        job_id = start_directly(client)
        started = clock.now
        backend.reset_counters()
        job = flow.wait(job_id, just_started=True)
        status_calls = sum(backend.requests_by_operation().values())
    assert job["status"] == "COMPLETED"
    assert 1800 <= clock.now - started <= 1800 + STATUS_POLL.cap
    assert status_calls <= 61 / 3  # fixed 30-second polling: 61 calls
    text = progress_text(flow)
    assert f"job {job_id}: SUBMITTED, 0/2 items done (2s)" in text
    assert f"job {job_id}: COMPLETED, 2/2 items done" in text


def test_wait_times_out_with_advice(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 60
    job_id = start_directly(omics_client)
    with pytest.raises(ProviderError) as raised:
        job_flow(omics_emulator, timeout_seconds=0.2).wait(job_id)
    assert f"import job {job_id} is still" in str(raised.value)
    assert "next `pulumi up` adopts it" in str(raised.value)


def test_wait_keeps_going_through_status_reads_that_keep_failing(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 0.5
    job_id = start_directly(omics_client)
    flow = job_flow(omics_emulator, timeout_seconds=10)
    flow.ctx.call_retry_seconds = 0.05  # each read gives up quickly: the wait must not
    flow.ctx.quiet_seconds = 0.01
    flaky = Wrapped(flow.api.client)

    def get(**kwargs: Any) -> Any:
        flaky.calls.append("get")
        if len(flaky.calls) <= 6:
            raise client_error("ThrottlingException", 429)
        return flaky.client.get_variant_import_job(**kwargs)

    flaky.get_variant_import_job = get  # type: ignore[attr-defined]
    flow.api.client = cast(Any, flaky)
    assert flow.wait(job_id)["status"] == "COMPLETED"
    assert "GetVariantImportJob failing since" in progress_text(flow)


def test_wait_for_jobs_watched_together_reads_them_in_batches() -> None:
    """Three waiters on one board read their jobs together: every status read, once all three
    wait, is one ListVariantImportJobs of all three ids; each job is read alone only once, for
    its items."""
    emulator_time = FakeClock()
    with virtual_emulator(emulator_time, job_seconds=1.0) as (emulator, client):
        specs = [ImportSpec.from_inputs(job_inputs(f"s3://samples-bucket/{n}")) for n in range(3)]
        ids = [start_directly(client, spec) for spec in specs]
        board = JobBoard(SYSTEM_CLOCK)
        listed: list[frozenset[str]] = []
        flows = [job_flow(emulator, board=board) for _ in ids]
        for flow in flows:
            flow.api.client = cast(Any, RecordingLists(flow.api.client, listed))
        emulator.backend.reset_counters()
        with ThreadPoolExecutor(len(ids)) as pool:
            waits = pool.map(ImportJobFlow.wait, flows, ids)
            assert wait_until(lambda: frozenset(ids) in listed)  # all three are watched
            together = listed.index(frozenset(ids))
            assert wait_until(lambda: len(listed) >= together + 6)
            reads_while_running = emulator.backend.requests_by_operation()
            emulator_time.sleep(2.0)  # now the jobs end
            jobs = list(waits)
    assert {job["status"] for job in jobs} == {"COMPLETED"}
    assert set(listed[together : together + 6]) == {frozenset(ids)}
    assert reads_while_running.get("GetVariantImportJob", 0) <= len(ids)  # items, once per job


class RecordingLists:
    """A client that notes the ids of every ListVariantImportJobs call in a shared list."""

    def __init__(self, client: Any, listed: list[frozenset[str]]) -> None:
        self.client, self.listed = client, listed

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def list_variant_import_jobs(self, **request: Any) -> Any:
        self.listed.append(frozenset(request.get("ids", ())))
        return self.client.list_variant_import_jobs(**request)


CONDITION_SECONDS = 30.0
"""An upper bound for waiting on a condition; reaching it is a failure, never a pass."""


def wait_until(condition: Any) -> bool:
    """True once condition() holds (checked every 10 ms); False after CONDITION_SECONDS."""
    deadline = time.monotonic() + CONDITION_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def starts(emulator: EmulatorHandle) -> int:
    return int(emulator.backend.requests_by_operation().get("StartVariantImportJob", 0))


@pytest.mark.parametrize(
    ("failed_count", "suffix"), [(20, None), (23, "; and 3 more failed items")]
)
def test_settle_names_twenty_failed_items_and_counts_the_rest(
    failed_count: int, suffix: str | None, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    job = {
        "id": "job-1",
        "status": "FAILED",
        "statusMessage": "All items failed",
        "items": [
            {"source": f"s3://b/{n}.vcf", "jobStatus": "FAILED", "statusMessage": "bad"}
            for n in range(failed_count)
        ],
    }
    with pytest.raises(ProviderError) as raised:
        job_flow(omics_emulator).settle(job)
    message = str(raised.value)
    assert message.count(": bad") == 20
    assert message.endswith(suffix) if suffix else "more failed items" not in message


# --- cancelling -------------------------------------------------------------------------------
def test_cancel_cancels_a_running_job_and_confirms_it(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 60
    job_id = start_directly(omics_client)
    ended = job_flow(omics_emulator).cancel(job_id)
    assert ended is not None and ended["status"] == "CANCELLED"
    assert omics_client.get_variant_import_job(jobId=job_id)["status"] == "CANCELLED"


def test_cancel_leaves_a_finished_job_alone(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    job_id = start_directly(omics_client)
    job_flow(omics_emulator).wait(job_id)
    job_flow(omics_emulator).cancel(job_id)
    assert "CancelVariantImportJob" not in omics_emulator.backend.requests_by_operation()


def test_cancel_of_an_unknown_job_sends_no_cancel(omics_emulator: EmulatorHandle) -> None:
    assert job_flow(omics_emulator).cancel("00000000-0000-4000-8000-000000000000") is None
    calls = omics_emulator.backend.requests_by_operation()
    assert calls == {"GetVariantImportJob": 1}
