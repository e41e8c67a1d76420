"""The fault suite: throttling, outages, quota, new roles, crashes and interference, end to end.

Every case drives creates through the real dynamic-provider plugin against the emulator with a
fault switched on, and asserts the job's final state, exactly one job per resource (no duplicate
import), and the message a user sees.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider import VariantImportJobProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.jobs import (
    FAST_POLL_CONFIG,
    STORE,
    create_store,
    job_inputs,
    jobs_into,
    plugin_env,
)
from tests.support.waiting import LIMIT_SECONDS, wait_until

PROVIDER = VariantImportJobProvider()
SEED = 20261129


def create_many(plugin: DynamicProviderPlugin, count: int) -> list[dict[str, Any]]:
    """Create count jobs concurrently, each with its own file; return their outputs."""
    inputs = [
        job_inputs(f"s3://samples-bucket/{n}.vcf", resourceName=f"batch-{n}") for n in range(count)
    ]
    with ThreadPoolExecutor(count) as pool:
        return [outputs for _, outputs in pool.map(lambda i: plugin.create(PROVIDER, i), inputs)]


def assert_one_job_per_resource(emulator: EmulatorHandle, outputs: list[dict[str, Any]]) -> None:
    jobs = jobs_into(emulator)
    sources = sorted(item["source"] for job in jobs for item in job["items"])
    assert len(sources) == len(set(sources)), "a file was started twice"
    assert set(emulator.backend.imported_sources(STORE).values()) <= {1}, "imported twice"
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
    store: dict[str, Any],
    faults: dict[str, float],
) -> None:
    for name, rate in faults.items():  # after the store fixture, which does not retry
        setattr(omics_emulator.backend.settings, name, rate)
    count = 6
    outputs = create_many(plugin, count)
    assert {o["status"] for o in outputs} == {"COMPLETED"}
    assert_one_job_per_resource(omics_emulator, outputs)
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
    store: dict[str, Any],
) -> None:
    for n in range(2):  # someone else's jobs fill the quota
        omics_client.start_variant_import_job(
            destinationName=STORE,
            roleArn=job_inputs()["roleArn"],
            items=[{"source": f"s3://other-bucket/{n}.vcf"}],
        )
    outputs = create_many(plugin, 3)
    assert {o["status"] for o in outputs} == {"COMPLETED"}
    assert len(jobs_into(omics_emulator)) == 5
    assert plugin.printed("concurrent import job quota is full")


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, role_unassumable_seconds=1.0)]
)
def test_create_with_a_role_not_yet_assumable_waits_for_it(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    outputs = create_many(plugin, 1)
    assert outputs[0]["status"] == "COMPLETED"
    assert_one_job_per_resource(omics_emulator, outputs)
    assert plugin.printed("waiting for HealthOmics to be able to assume the role")


def test_create_killed_after_the_start_then_run_again_adopts_the_job(
    omics_emulator: EmulatorHandle, store: dict[str, Any], plugin: DynamicProviderPlugin
) -> None:
    omics_emulator.backend.settings.job_seconds = 1.0
    inputs = job_inputs()
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(plugin.create, PROVIDER, inputs)
        wait_until(lambda: bool(jobs_into(omics_emulator)), "the create to start its job")
        plugin.kill()
        with pytest.raises(PluginCallError):
            pending.result(LIMIT_SECONDS)
    [started] = jobs_into(omics_emulator)
    with DynamicProviderPlugin(env=plugin_env(omics_emulator), config=FAST_POLL_CONFIG) as again:
        job_id, outputs = again.create(PROVIDER, inputs)
        assert again.printed(f"by job(s) {started['id']}: recorded, not imported again")
    assert job_id == started["id"] and outputs["status"] == "COMPLETED"
    assert len(jobs_into(omics_emulator)) == 1


@pytest.mark.parametrize(
    ("interfere", "status", "says"),
    [
        (
            lambda client, job_id: client.cancel_variant_import_job(jobId=job_id),
            "CANCELLED",
            "ended CANCELLED",
        ),
        (
            lambda client, _: client.delete_variant_store(name=STORE, force=True),
            "FAILED",
            f"Variant store {STORE} was deleted while the job was running",
        ),
    ],
    ids=["job-cancelled-by-someone-else", "store-deleted-by-someone-else"],
)
def test_create_whose_job_is_ended_by_someone_else_fails_clearly(
    plugin: DynamicProviderPlugin,
    omics_emulator: EmulatorHandle,
    store: dict[str, Any],
    interfere: Callable[[Any, str], None],
    status: str,
    says: str,
) -> None:
    omics_emulator.backend.settings.job_seconds = 30
    client = make_omics_client(omics_emulator.url)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(plugin.create, PROVIDER, job_inputs())
        wait_until(lambda: bool(jobs_into(omics_emulator)), "the create to start its job")
        [job] = jobs_into(omics_emulator)
        interfere(client, job["id"])
        with pytest.raises(PluginCallError) as raised:
            pending.result(LIMIT_SECONDS)
    assert [j["status"] for j in omics_emulator.backend.jobs()] == [status]
    assert f"import job {job['id']} ended {status}" in raised.value.last_line
    assert says in raised.value.last_line


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*/1.vcf",))]
)
def test_create_with_some_items_failing_succeeds_reporting_each_failed_item(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    inputs = job_inputs("s3://samples-bucket/1.vcf", "s3://samples-bucket/2.vcf")
    _, outputs = plugin.create(PROVIDER, inputs)
    [job] = jobs_into(omics_emulator)
    assert job["status"] == outputs["status"] == "COMPLETED_WITH_FAILURES"
    assert [i["source"] for i in outputs["failedItems"]] == ["s3://samples-bucket/1.vcf"]
    assert outputs["itemCounts"] == {"COMPLETED": 1, "FAILED": 1}
    assert plugin.printed("COMPLETED_WITH_FAILURES")


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*",))]
)
def test_create_with_every_item_failing_fails_naming_each_item(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    inputs = job_inputs("s3://samples-bucket/1.vcf", "s3://samples-bucket/2.vcf")
    with pytest.raises(PluginCallError) as raised:
        plugin.create(PROVIDER, inputs)
    [job] = jobs_into(omics_emulator)
    assert job["status"] == "FAILED"
    message = raised.value.last_line
    assert f"import job {job['id']} ended FAILED" in message
    assert "s3://samples-bucket/1.vcf: " in message and "s3://samples-bucket/2.vcf: " in message


def test_create_survives_the_service_being_down_during_the_wait(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 1.0
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(plugin.create, PROVIDER, job_inputs())
        wait_until(lambda: bool(jobs_into(omics_emulator)), "the create to start its job")
        omics_emulator.stop()  # connection refused from now on
        wait_until(  # the outage lasts past the job's end, however slow the machine
            lambda: jobs_into(omics_emulator)[0]["status"] == "COMPLETED",
            "the job to end while the service is down",
        )
        omics_emulator.restart()
        job_id, outputs = pending.result(LIMIT_SECONDS)
    assert outputs["status"] == "COMPLETED"
    assert [job["id"] for job in jobs_into(omics_emulator)] == [job_id]


def test_emulator_and_plugin_leave_no_thread_behind_after_a_faulty_run() -> None:
    before = threading.active_count()
    settings = EmulatorSettings(job_seconds=0.2, throttle_rate=0.3, seed=SEED)
    with start_emulator(settings) as emulator:
        create_store(make_omics_client(emulator.url, retries={"max_attempts": 10}))
        with DynamicProviderPlugin(env=plugin_env(emulator), config=FAST_POLL_CONFIG) as plugin:
            assert {o["status"] for o in create_many(plugin, 3)} == {"COMPLETED"}
    wait_until(lambda: threading.active_count() <= before, "every thread to end")
