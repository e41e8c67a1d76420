"""The fault suite: throttling, outages, quota, new roles, crashes and interference, end to end.

Every case drives creates through the real dynamic-provider plugin against the emulator with a
fault switched on, and asserts the job's final state, exactly one job per resource (no duplicate
import), and the message a user sees.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_emulator.protocol import service_model
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.job_kinds import KINDS, KindCase
from tests.support.jobs import FAST_POLL_CONFIG, plugin_env
from tests.support.lost_answers import answer_lost
from tests.support.waiting import LIMIT_SECONDS, wait_until

SEED = 20261129


def create_many(plugin: DynamicProviderPlugin, case: KindCase, count: int) -> list[dict[str, Any]]:
    """Create count jobs of case's kind concurrently, each with its own file; their outputs."""
    inputs = [
        case.inputs(f"s3://samples-bucket/{n}.vcf", resourceName=f"batch-{n}") for n in range(count)
    ]
    with ThreadPoolExecutor(count) as pool:
        created = pool.map(lambda i: plugin.create(case.provider, i), inputs)
        return [outputs for _, outputs in created]


def assert_one_job_per_resource(
    emulator: EmulatorHandle, case: KindCase, outputs: list[dict[str, Any]]
) -> None:
    jobs = case.jobs(emulator)
    sources = sorted(item["source"] for job in jobs for item in job["items"])
    assert len(sources) == len(set(sources)), "a file was started twice"
    assert set(case.imported(emulator).values()) <= {1}, "imported twice"
    assert {job["id"] for job in jobs} == {o["jobId"] for o in outputs}


@pytest.mark.parametrize(
    ("omics_emulator_settings", "faults"),
    [
        (EmulatorSettings(job_seconds=0.2, seed=SEED), {"throttle_rate": 0.3}),
        (EmulatorSettings(job_seconds=0.2, seed=SEED), {"error_rate": 0.1}),
    ],
    ids=["throttling-30pct", "server-errors-10pct"],
)
def test_create_under_request_faults_completes_every_job_once(
    plugin: DynamicProviderPlugin,
    omics_emulator: EmulatorHandle,
    kind_store: KindCase,
    faults: dict[str, float],
) -> None:
    # After the store fixture, which does not retry; on a copy: the parametrized settings are
    # shared by both kinds' cases.
    backend = omics_emulator.backend
    backend.settings = copy.copy(backend.settings)
    for name, rate in faults.items():
        setattr(backend.settings, name, rate)
    count = 6
    outputs = create_many(plugin, kind_store, count)
    assert {o["status"] for o in outputs} == {"COMPLETED"}
    assert_one_job_per_resource(omics_emulator, kind_store, outputs)
    shown = [line.text for line in plugin.stderr if "Exception" in line.text]
    assert shown == [], "retried faults are not the user's concern"
    assert sum(omics_emulator.backend.injected_faults().values()) > 0


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.6, max_concurrent_jobs=2)]
)
def test_create_with_the_quota_full_for_a_while_waits_then_starts_once(
    plugin: DynamicProviderPlugin,
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    kind_store: KindCase,
) -> None:
    for n in range(2):  # someone else's jobs fill the quota
        kind_store.start(omics_client, f"s3://other-bucket/{n}.vcf")
    outputs = create_many(plugin, kind_store, 3)
    assert {o["status"] for o in outputs} == {"COMPLETED"}
    assert len(kind_store.jobs(omics_emulator)) == 5
    assert plugin.printed("concurrent import job quota is full")


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, role_unassumable_seconds=1.0)]
)
def test_create_with_a_role_not_yet_assumable_waits_for_it(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    outputs = create_many(plugin, kind_store, 1)
    assert outputs[0]["status"] == "COMPLETED"
    assert_one_job_per_resource(omics_emulator, kind_store, outputs)
    assert plugin.printed("waiting for HealthOmics to be able to assume the role")


def test_create_whose_start_answer_is_lost_adopts_the_job_it_started(
    omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    """The start reached the service but its answer never came back: the create finds the job
    it started (running, not known before, exactly its files) instead of starting another."""
    uri = service_model().operation_model(kind_store.kind.start).http["requestUri"]
    with answer_lost(omics_emulator.url, f"POST {uri} HTTP".encode()) as (url, loser):
        env = plugin_env(omics_emulator, AWS_ENDPOINT_URL_OMICS=url)
        with DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as plugin:
            job_id, outputs = plugin.create(kind_store.provider, kind_store.inputs())
            assert plugin.printed("the start got no clear answer")
    assert loser.lost == 1
    assert [job["id"] for job in kind_store.jobs(omics_emulator)] == [job_id]
    assert outputs["status"] == "COMPLETED"
    assert omics_emulator.backend.requests_by_operation()[kind_store.kind.start] == 1


def test_create_killed_after_the_start_then_run_again_adopts_the_job(
    omics_emulator: EmulatorHandle, kind_store: KindCase, plugin: DynamicProviderPlugin
) -> None:
    omics_emulator.backend.settings.job_seconds = 1.0
    inputs = kind_store.inputs()
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(plugin.create, kind_store.provider, inputs)
        wait_until(lambda: bool(kind_store.jobs(omics_emulator)), "the create to start its job")
        plugin.kill()
        with pytest.raises(PluginCallError):
            pending.result(LIMIT_SECONDS)
    [started] = kind_store.jobs(omics_emulator)
    with DynamicProviderPlugin(env=plugin_env(omics_emulator), config=FAST_POLL_CONFIG) as again:
        job_id, outputs = again.create(kind_store.provider, inputs)
        assert again.printed(f"by job(s) {started['id']}: recorded, not imported again")
    assert job_id == started["id"] and outputs["status"] == "COMPLETED"
    assert len(kind_store.jobs(omics_emulator)) == 1


def cancel_the_job(case: KindCase, client: Any, job_id: str) -> None:
    case.call(client, case.kind.cancel, jobId=job_id)


def delete_the_store(case: KindCase, client: Any, job_id: str) -> None:
    case.delete_store(client)


@pytest.mark.parametrize(
    ("interfere", "status", "says"),
    [
        (cancel_the_job, "CANCELLED", lambda case: "ended CANCELLED"),
        (delete_the_store, "FAILED", lambda case: case.deleted_message),
    ],
    ids=["job-cancelled-by-someone-else", "store-deleted-by-someone-else"],
)
def test_create_whose_job_is_ended_by_someone_else_fails_clearly(
    plugin: DynamicProviderPlugin,
    omics_emulator: EmulatorHandle,
    kind_store: KindCase,
    interfere: Callable[[KindCase, Any, str], None],
    status: str,
    says: Callable[[KindCase], str],
) -> None:
    omics_emulator.backend.settings.job_seconds = 30
    client = make_omics_client(omics_emulator.url)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(plugin.create, kind_store.provider, kind_store.inputs())
        wait_until(lambda: bool(kind_store.jobs(omics_emulator)), "the create to start its job")
        [job] = kind_store.jobs(omics_emulator)
        interfere(kind_store, client, job["id"])
        with pytest.raises(PluginCallError) as raised:
            pending.result(LIMIT_SECONDS)
    assert [j["status"] for j in kind_store.jobs(omics_emulator)] == [status]
    assert f"import job {job['id']} ended {status}" in raised.value.last_line
    assert says(kind_store) in raised.value.last_line


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*/1.vcf",))]
)
def test_create_with_some_items_failing_succeeds_reporting_each_failed_item(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    inputs = kind_store.inputs("s3://samples-bucket/1.vcf", "s3://samples-bucket/2.vcf")
    _, outputs = plugin.create(kind_store.provider, inputs)
    [job] = kind_store.jobs(omics_emulator)
    assert job["status"] == outputs["status"] == "COMPLETED_WITH_FAILURES"
    assert [i["source"] for i in outputs["failedItems"]] == ["s3://samples-bucket/1.vcf"]
    assert outputs["itemCounts"] == {"COMPLETED": 1, "FAILED": 1}
    assert plugin.printed("COMPLETED_WITH_FAILURES")


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*",))]
)
def test_create_with_every_item_failing_fails_naming_each_item(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    inputs = kind_store.inputs("s3://samples-bucket/1.vcf", "s3://samples-bucket/2.vcf")
    with pytest.raises(PluginCallError) as raised:
        plugin.create(kind_store.provider, inputs)
    [job] = kind_store.jobs(omics_emulator)
    assert job["status"] == "FAILED"
    message = raised.value.last_line
    assert f"import job {job['id']} ended FAILED" in message
    sources = [item["source"] for item in inputs["items"]]
    if kind_store.kind.item_status_messages:
        assert all(f"{source}: failed to import" in message for source in sources)
    else:  # annotation import job items carry no message: each file is named alone
        assert message.endswith(f"failed items: {'; '.join(sources)}")


def test_create_survives_the_service_being_down_during_the_wait(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    omics_emulator.backend.settings.job_seconds = 1.0
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(plugin.create, kind_store.provider, kind_store.inputs())
        wait_until(lambda: bool(kind_store.jobs(omics_emulator)), "the create to start its job")
        omics_emulator.stop()  # connection refused from now on
        wait_until(  # the outage lasts past the job's end, however slow the machine
            lambda: kind_store.jobs(omics_emulator)[0]["status"] == "COMPLETED",
            "the job to end while the service is down",
        )
        omics_emulator.restart()
        job_id, outputs = pending.result(LIMIT_SECONDS)
    assert outputs["status"] == "COMPLETED"
    assert [job["id"] for job in kind_store.jobs(omics_emulator)] == [job_id]


@pytest.mark.parametrize("case", KINDS, ids=[case.id for case in KINDS])
def test_emulator_and_plugin_leave_no_thread_behind_after_a_faulty_run(case: KindCase) -> None:
    before = threading.active_count()
    settings = EmulatorSettings(job_seconds=0.2, throttle_rate=0.3, seed=SEED)
    with start_emulator(settings) as emulator:
        case.make_store(make_omics_client(emulator.url, retries={"max_attempts": 10}))
        with DynamicProviderPlugin(env=plugin_env(emulator), config=FAST_POLL_CONFIG) as plugin:
            assert {o["status"] for o in create_many(plugin, case, 3)} == {"COMPLETED"}
    wait_until(lambda: threading.active_count() <= before, "the threads to end")
