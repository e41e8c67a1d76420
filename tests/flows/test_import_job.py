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
from omics_provider.core.errors import ProviderError, ResourceMissingError
from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.core.timing import STATUS_POLL, SYSTEM_CLOCK
from omics_provider.flows.import_job import CreateRequest, ImportJobFlow, JobOwners, place_of
from omics_provider.flows.import_spec import ImportSpec
from omics_provider.flows.job_board import JobBoard
from tests.support.clock import FakeClock
from tests.support.job_kinds import KindCase
from tests.support.jobs import create_store, job_flow, job_inputs, jobs_into, progress_text
from tests.support.virtual_time import virtual_emulator

SPEC = ImportSpec.from_inputs(
    VARIANT_IMPORT, job_inputs("s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf")
)
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


# --- recording what the store holds -------------------------------------------------------
def test_create_records_a_running_job_with_the_same_files_in_any_order(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    job_id = start_directly(omics_client)
    reordered = ImportSpec.from_inputs(
        VARIANT_IMPORT, job_inputs("s3://samples-bucket/b.vcf", "s3://samples-bucket/a.vcf")
    )
    flow = job_flow(omics_emulator)
    job = flow.create(request(reordered, wait=False))
    assert job["id"] == job_id
    assert job["importedBy"] == {job_id: "0-1"}
    assert len(jobs_into(omics_emulator)) == 1
    assert "2 of 2 files" in progress_text(flow)
    assert "recorded, not imported again" in progress_text(flow)


@pytest.mark.parametrize(
    ("other", "started_with"),
    [
        (job_inputs("s3://samples-bucket/a.vcf"), ["s3://samples-bucket/b.vcf"]),
        (
            job_inputs(
                "s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf", runLeftNormalization=True
            ),
            None,
        ),
        (
            job_inputs(
                "s3://samples-bucket/a.vcf",
                "s3://samples-bucket/b.vcf",
                annotationFields={"k": "v"},
            ),
            None,
        ),
    ],
    ids=["some-files", "other-normalization", "other-annotation-fields"],
)
def test_create_imports_only_the_files_no_job_of_the_store_imports_whatever_its_settings(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    store: dict[str, Any],
    other: dict[str, Any],
    started_with: list[str] | None,
) -> None:
    existing = start_directly(omics_client, ImportSpec.from_inputs(VARIANT_IMPORT, other))
    job = job_flow(omics_emulator).create(request())
    jobs = {j["id"]: [i["source"] for i in j["items"]] for j in jobs_into(omics_emulator)}
    if started_with is None:
        assert list(jobs) == [existing] and job["id"] == existing
    else:
        [own] = [j for j in jobs if j != existing]
        assert jobs[own] == started_with and job["id"] == own
        assert job["importedBy"] == {existing: "0", own: "1"}
    assert job["status"] == "COMPLETED"
    assert set(omics_emulator.backend.imported_sources("test_store").values()) == {1}


@pytest.mark.parametrize("hours_ago", [1, 25, 24 * 400], ids=["1h", "25h", "400d"])
def test_create_records_files_the_store_took_any_time_ago(hours_ago: float) -> None:
    clock = FakeClock(start=time.time() - hours_ago * 3600)
    backend = OmicsBackend(EmulatorSettings(store_seconds=0, job_seconds=10), clock=clock)
    with start_emulator(backend=backend) as emulator:
        client = make_omics_client(emulator.url)
        create_store(client)
        finished = start_directly(client)
        clock.sleep(hours_ago * 3600)
        assert client.get_variant_import_job(jobId=finished)["status"] == "COMPLETED"
        job = job_flow(emulator).create(request())
        assert job["id"] == finished and job["status"] == "COMPLETED"
        assert job["importedBy"] == {finished: "0-1"}
        assert len(jobs_into(emulator)) == 1


def finished_job(emulator: EmulatorHandle, client: Any, *sources: str) -> str:
    """A job of sources into the store, waited until it ended."""
    spec = ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs(*sources))
    job_id = start_directly(client, spec)
    job_flow(emulator).wait(job_id)
    return job_id


def test_create_of_a_merge_of_two_finished_batches_starts_nothing_and_names_both_jobs(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    p1, p2, p3 = (f"s3://samples-bucket/p{n}.vcf" for n in (1, 2, 3))
    first = finished_job(omics_emulator, omics_client, p1, p2)
    second = finished_job(omics_emulator, omics_client, p3)
    omics_emulator.backend.reset_counters()
    job = job_flow(omics_emulator).create(
        request(ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs(p1, p2, p3)))
    )
    assert "StartVariantImportJob" not in omics_emulator.backend.requests_by_operation()
    assert job["importedBy"] == {first: "0-1", second: "2"}
    assert job["status"] == "COMPLETED"
    assert [i["jobStatus"] for i in job["items"]] == ["COMPLETED"] * 3


def test_create_of_a_batch_mixing_held_and_new_files_imports_only_the_new_ones(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    held, new = "s3://samples-bucket/held.vcf", "s3://samples-bucket/new.vcf"
    earlier = finished_job(omics_emulator, omics_client, held)
    flow = job_flow(omics_emulator)
    job = flow.create(request(ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs(new, held))))
    own = job["id"]
    assert own != earlier
    assert [i["source"] for i in omics_client.get_variant_import_job(jobId=own)["items"]] == [new]
    assert job["importedBy"] == {own: "0", earlier: "1"}
    assert omics_emulator.backend.imported_sources("test_store") == {held: 1, new: 1}
    text = progress_text(flow)
    assert (
        f"1 of 2 files: 1 file(s) already in store test_store or being imported by job(s) {earlier}"
        in text
    )
    assert f"started job {own} into test_store (1 new files)" in text


def test_create_with_allow_reimport_imports_every_file_again(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    earlier = finished_job(omics_emulator, omics_client, "s3://samples-bucket/a.vcf")
    job = job_flow(omics_emulator).create(request(allow_reimport=True))
    assert job["id"] != earlier and job["importedBy"] == {job["id"]: "0-1"}
    assert omics_emulator.backend.imported_sources("test_store")["s3://samples-bucket/a.vcf"] == 2


class CancelledAfterTheFirstListing(Wrapped):
    """A client whose first job listing shows a running job, which someone cancels right then."""

    def __init__(self, client: Any, cancel: Any) -> None:
        super().__init__(client)
        self.cancel, self.listings = cancel, 0

    def list_variant_import_jobs(self, **kwargs: Any) -> Any:
        response = self.client.list_variant_import_jobs(**kwargs)
        self.listings += 1
        if self.listings == 1:
            self.cancel()
        return response


@pytest.mark.parametrize("omics_emulator_settings", [EmulatorSettings(job_seconds=60)])
def test_create_imports_a_file_again_when_the_job_importing_it_was_cancelled(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    running = start_directly(omics_client)
    flow = job_flow(omics_emulator)

    def cancel_it() -> None:
        omics_client.cancel_variant_import_job(jobId=running)
        omics_emulator.backend.settings.job_seconds = 0.2  # the create's own job ends soon

    flow.api.client = cast(Any, CancelledAfterTheFirstListing(flow.api.client, cancel_it))
    job = flow.create(request())
    assert job["id"] != running and job["importedBy"] == {job["id"]: "0-1"}
    assert job["status"] == "COMPLETED"
    assert omics_emulator.backend.imported_sources("test_store") == {s: 1 for s in SPEC.sources}
    assert "ended without importing them: planning again" in progress_text(flow)


def test_creates_of_one_process_read_each_past_job_and_each_list_page_once() -> None:
    """On the fake clock every wait takes the same polls however busy the machine is."""
    clock = FakeClock()
    with virtual_emulator(clock, job_seconds=0.1, max_concurrent_jobs=200) as (emulator, client):
        past = [
            start_directly(
                client,
                ImportSpec.from_inputs(
                    VARIANT_IMPORT, job_inputs(f"s3://samples-bucket/old-{n}.vcf")
                ),
            )
            for n in range(120)
        ]
        clock.sleep(1.0)  # every past job ends
        emulator.backend.reset_counters()
        board = JobBoard(clock)
        for n in range(3):
            spec = ImportSpec.from_inputs(
                VARIANT_IMPORT, job_inputs(f"s3://samples-bucket/new-{n}.vcf")
            )
            job_flow(emulator, clock=clock, board=board).create(request(spec))
        calls = emulator.backend.requests_by_operation()
    assert calls["StartVariantImportJob"] == 3
    # every past job read once, each new job's end once more (besides the waits); the 2 pages
    # of 100 listed once, then only the running jobs (2 statuses, one short page each)
    gets = calls["GetVariantImportJob"]
    assert len(past) <= gets <= len(past) + 3 * 4
    assert calls["ListVariantImportJobs"] <= 2 + 3 * 2 * 4


@pytest.mark.parametrize(
    ("declared", "difference"),
    [
        (
            job_inputs("s3://samples-bucket/a.vcf"),
            "it imports 1 file(s) (s3://samples-bucket/b.vcf) that items does not list",
        ),
        (
            job_inputs(
                "s3://samples-bucket/a.vcf",
                "s3://samples-bucket/b.vcf",
                "s3://samples-bucket/c.vcf",
            ),
            "it does not import 1 file(s) (s3://samples-bucket/c.vcf) that items lists",
        ),
        (
            job_inputs(
                "s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf", runLeftNormalization=True
            ),
            "its runLeftNormalization is False, not True",
        ),
        (
            job_inputs(
                "s3://samples-bucket/a.vcf",
                "s3://samples-bucket/b.vcf",
                annotationFields={"k": "v"},
            ),
            "its annotationFields are {}, not {'k': 'v'}",
        ),
        (
            job_inputs(
                "s3://samples-bucket/a.vcf",
                "s3://samples-bucket/b.vcf",
                destinationName="other_store",
            ),
            "it imports into store 'test_store', not 'other_store'",
        ),
    ],
    ids=["extra-file", "missing-file", "normalization", "annotation-fields", "other-store"],
)
def test_create_with_adopt_job_id_of_another_import_fails_naming_the_difference(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    store: dict[str, Any],
    declared: dict[str, Any],
    difference: str,
) -> None:
    job_id = start_directly(omics_client)
    owners = JobOwners()
    flow = job_flow(omics_emulator, owners=owners)
    with pytest.raises(ProviderError) as raised:
        flow.create(request(ImportSpec.from_inputs(VARIANT_IMPORT, declared), adopt_job_id=job_id))
    refused = raised.value
    assert refused.problem.startswith(
        f"adoptJobId {job_id} does not import what this resource declares: "
    )
    assert difference in refused.problem and refused.operation is None
    spec = ImportSpec.from_inputs(VARIANT_IMPORT, declared)
    place = place_of(VARIANT_IMPORT, spec.destination, "us-east-1")
    assert owners.claim("someone-else", place, spec.sources) is None
    assert len(jobs_into(omics_emulator)) == 1


def test_create_with_adopt_job_id_of_the_same_import_records_it(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    job_id = start_directly(omics_client)
    job = job_flow(omics_emulator).create(request(adopt_job_id=job_id))
    assert job["id"] == job_id and job["status"] == "COMPLETED"
    assert job["importedBy"] == {job_id: "0-1"}


# --- starting ---------------------------------------------------------------------------------
def test_create_into_a_missing_store_names_destination_name(
    omics_emulator: EmulatorHandle,
) -> None:
    with pytest.raises(ProviderError) as raised:
        job_flow(omics_emulator).create(request())
    failed = raised.value
    assert type(failed) is ResourceMissingError
    assert (failed.operation, failed.code) == ("StartVariantImportJob", "ResourceNotFoundException")
    assert failed.advice is not None and failed.advice.startswith(
        "no variant store named 'test_store' exists in this account and region: check "
        "destinationName"
    )


def test_create_waits_for_a_role_that_cannot_be_assumed_yet() -> None:
    """On one fake clock the role stays unassumable until the flow itself has waited."""
    clock = FakeClock()
    with virtual_emulator(clock, role_unassumable_seconds=0.3) as (emulator, _):
        flow = job_flow(emulator, clock=clock, board=JobBoard(clock))
        job = flow.create(request(wait=False))
        assert [j["id"] for j in jobs_into(emulator)] == [job["id"]]
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
        second_spec = ImportSpec.from_inputs(
            VARIANT_IMPORT, job_inputs("s3://samples-bucket/c.vcf")
        )
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
    start_directly(
        omics_client,
        ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs("s3://samples-bucket/z.vcf")),
    )
    flow = job_flow(omics_emulator, quota_poll_seconds=0.05, timeout_seconds=0.3)
    with pytest.raises(ProviderError) as raised:
        flow.create(request())
    assert raised.value.operation == "StartVariantImportJob" and raised.value.code is None
    assert raised.value.problem.startswith("the concurrent import job quota stayed full")
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
                board.record_start()

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


def test_create_that_raced_another_run_keeps_the_smaller_job_id(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 2
    raced: list[str] = []
    flow = job_flow(omics_emulator)
    flow.api.client = cast(
        Any,
        ListedBeforeTheRace(flow.api.client, lambda: raced.append(start_directly(omics_client))),
    )
    job = flow.create(request())
    jobs = {j["id"]: j for j in jobs_into(omics_emulator)}
    [own] = [job_id for job_id in jobs if job_id != raced[0]]
    winner = min(own, raced[0])
    assert job["id"] == winner and job["status"] == "COMPLETED"
    assert job["importedBy"] == {winner: "0-1"}
    if winner == raced[0]:  # this run lost: it cancelled its own job while SUBMITTED
        assert jobs[own]["status"] == "CANCELLED"
        assert f"cancelling job {own} while it is SUBMITTED" in progress_text(flow)
    else:  # this run won: the other run's job is the other run's to cancel
        assert jobs[raced[0]]["status"] != "CANCELLED"


def test_create_refuses_a_job_another_resource_of_this_process_owns(
    omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    board, owners = JobBoard(SYSTEM_CLOCK), JobOwners()
    spec = ImportSpec.from_inputs(kind_store.kind, kind_store.inputs())
    flows = [
        job_flow(omics_emulator, board=board, owners=owners, kind=kind_store.kind) for _ in range(2)
    ]
    first = flows[0].create(request(spec, owner="batch-a", wait=False))
    with pytest.raises(ProviderError) as raised:
        flows[1].create(request(spec, owner="batch-b", wait=False))
    problem = raised.value.problem
    assert problem.startswith(f"import job {first['id']} already belongs to batch-a of this stack")
    assert kind_store.kind.label(spec.destination) in problem
    assert len(kind_store.jobs(omics_emulator)) == 1


def test_create_of_a_file_owned_in_another_destination_imports_it_there(
    omics_emulator: EmulatorHandle, omics_client: Any, kind_store: KindCase
) -> None:
    """The same file into two stores (annotations: two versions of one store) from one stack
    is two imports, each owned by its own resource."""
    kind_store.make_other(omics_client)
    board, owners = JobBoard(SYSTEM_CLOCK), JobOwners()
    specs = [
        ImportSpec.from_inputs(kind_store.kind, kind_store.inputs(**where))
        for where in ({}, kind_store.other)
    ]
    jobs = [
        job_flow(omics_emulator, board=board, owners=owners, kind=kind_store.kind).create(
            request(spec, owner=f"batch-{n}")
        )
        for n, spec in enumerate(specs)
    ]
    assert [job["status"] for job in jobs] == ["COMPLETED", "COMPLETED"]
    assert jobs[0]["id"] != jobs[1]["id"]
    assert [job["importedBy"] for job in jobs] == [{job["id"]: "0"} for job in jobs]


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
    assert raised.value.problem == (
        f"import job {job_id} is still SUBMITTED after timeoutSeconds; it was not cancelled"
    )
    assert str(raised.value.advice).startswith("the next `pulumi up` adopts it")


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
        specs = [
            ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs(f"s3://samples-bucket/{n}"))
            for n in range(3)
        ]
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
