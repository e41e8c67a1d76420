"""VariantImportJob through the real dynamic-provider plugin over gRPC, against the emulator."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pulumi.output import Unknown

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_provider import VariantImportJobProvider
from omics_provider.core.properties import UNKNOWN
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.clock import FakeClock
from tests.support.jobs import FAST_POLL_CONFIG, STORE, job_inputs, jobs_into, plugin_env
from tests.support.virtual_time import virtual_emulator
from tests.support.waiting import LIMIT_SECONDS, wait_until

PROVIDER = VariantImportJobProvider()


def checked(plugin: DynamicProviderPlugin, news: dict[str, Any]) -> dict[str, Any]:
    outcome = plugin.check(PROVIDER, {}, news)
    assert outcome.failures == []
    return outcome.inputs


def test_check_of_a_new_batch_says_held_files_will_be_recorded_not_imported(
    plugin: DynamicProviderPlugin,
) -> None:
    """Preview cannot read the store: the new batch's summary line says what `up` will do."""
    news = job_inputs("s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf", resourceName="new")
    assert not plugin.check(PROVIDER, {}, news).failures
    assert plugin.printed(
        f"[VariantImportJob new] new batch: 2 file(s) into store {STORE}; files the store already "
        "holds (or is importing) will be recorded, not imported again"
    )
    olds = {**news, "resourceName": "ran"}
    assert not plugin.check(PROVIDER, olds, olds).failures
    assert "[VariantImportJob ran] new batch" not in plugin.stderr_text()


def test_check_reports_failures_by_property(plugin: DynamicProviderPlugin) -> None:
    outcome = plugin.check(PROVIDER, {}, job_inputs(destinationName="Bad-Name", items=[]))
    assert {prop for prop, _ in outcome.failures} == {"destinationName", "items"}


@pytest.mark.parametrize("key", ["destinationName", "roleArn", "items"])
def test_check_passes_a_value_unknown_at_preview_over_grpc(
    plugin: DynamicProviderPlugin, key: str
) -> None:
    # The first preview of a stack: the role (or store) is not created yet, so its output is
    # sent as UNKNOWN and the plugin hands check an Unknown object; check leaves it to `up`.
    outcome = plugin.check(PROVIDER, {}, job_inputs(**{key: UNKNOWN}))

    assert outcome.failures == []
    assert isinstance(outcome.inputs[key], Unknown)


def test_create_starts_once_waits_and_reports_every_item(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    inputs = checked(plugin, job_inputs("s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf"))
    job_id, outputs = plugin.create(PROVIDER, inputs)
    assert outputs["jobId"] == job_id
    assert outputs["status"] == "COMPLETED"
    assert outputs["destinationName"] == STORE and outputs["items"] == inputs["items"]
    assert outputs["itemCounts"] == {"COMPLETED": 2} and outputs["failedItems"] == []
    assert outputs["creationTime"] and outputs["completionTime"]
    assert [job["id"] for job in jobs_into(omics_emulator)] == [job_id]
    assert plugin.printed(f"[VariantImportJob batch] started job {job_id}")


def test_create_without_waiting_returns_the_submitted_job(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 30
    inputs = checked(plugin, job_inputs(waitForCompletion=False))
    job_id, outputs = plugin.create(PROVIDER, inputs)
    assert outputs["status"] == "SUBMITTED" and outputs["jobId"] == job_id
    assert omics_emulator.backend.requests_by_operation().get("GetVariantImportJob", 0) == 0


def test_second_up_is_a_no_op_diff(plugin: DynamicProviderPlugin, store: dict[str, Any]) -> None:
    inputs = checked(plugin, job_inputs())
    job_id, outputs = plugin.create(PROVIDER, inputs)
    again = plugin.check(PROVIDER, inputs, job_inputs())
    assert plugin.diff(PROVIDER, job_id, outputs, again.inputs).changes == "DIFF_NONE"


def test_diff_over_grpc_replaces_on_new_items_and_updates_wait_settings(
    plugin: DynamicProviderPlugin, store: dict[str, Any]
) -> None:
    inputs = checked(plugin, job_inputs())
    job_id, outputs = plugin.create(PROVIDER, inputs)
    replaced = plugin.diff(PROVIDER, job_id, outputs, job_inputs("s3://samples-bucket/z.vcf"))
    assert (replaced.changes, replaced.replaces) == ("DIFF_SOME", ["items"])
    updated = plugin.diff(PROVIDER, job_id, outputs, job_inputs(timeoutSeconds=60))
    assert (updated.changes, updated.replaces) == ("DIFF_SOME", [])


def test_check_with_olds_refuses_a_reimport_over_grpc(plugin: DynamicProviderPlugin) -> None:
    outcome = plugin.check(PROVIDER, job_inputs(), job_inputs("s3://samples-bucket/z.vcf"))
    [(prop, reason)] = outcome.failures
    assert prop == "items" and "same data again" in reason


def test_create_with_allow_reimport_starts_a_second_job(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    inputs = checked(plugin, job_inputs())
    first, _ = plugin.create(PROVIDER, inputs)
    second, _ = plugin.create(PROVIDER, checked(plugin, job_inputs(allowReimport=True)))
    assert first != second
    assert len(jobs_into(omics_emulator)) == 2


def test_create_adopts_the_job_named_by_adopt_job_id(
    plugin: DynamicProviderPlugin, omics_client: Any, store: dict[str, Any]
) -> None:
    existing = omics_client.start_variant_import_job(
        destinationName=STORE,
        roleArn=job_inputs()["roleArn"],
        items=[{"source": "s3://samples-bucket/old.vcf"}],
    )["jobId"]
    inputs = checked(plugin, job_inputs("s3://samples-bucket/old.vcf", adoptJobId=existing))
    job_id, outputs = plugin.create(PROVIDER, inputs)
    assert job_id == existing and outputs["status"] == "COMPLETED"


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*bad*",))]
)
def test_create_with_some_items_failing_succeeds_with_a_warning(
    plugin: DynamicProviderPlugin, store: dict[str, Any]
) -> None:
    inputs = checked(
        plugin, job_inputs("s3://samples-bucket/good.vcf", "s3://samples-bucket/bad.vcf")
    )
    _, outputs = plugin.create(PROVIDER, inputs)
    assert outputs["status"] == "COMPLETED_WITH_FAILURES"
    failed = outputs["failedItems"]
    assert [i["source"] for i in failed] == ["s3://samples-bucket/bad.vcf"]
    assert failed[0]["statusMessage"]
    assert plugin.printed("warning: job") and plugin.printed("1 of 2 items failed")


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*",))]
)
def test_create_with_every_item_failing_raises_naming_job_and_items(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    inputs = checked(plugin, job_inputs("s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf"))
    with pytest.raises(PluginCallError) as raised:
        plugin.create(PROVIDER, inputs)
    [job] = jobs_into(omics_emulator)
    line = raised.value.last_line
    # Newer Pulumi SDKs put the exception's class before the message; 3.216 does not.
    assert f"VariantImportJob batch: import job {job['id']} ended FAILED" in line
    assert "s3://samples-bucket/a.vcf: " in line and "s3://samples-bucket/b.vcf: " in line
    assert len(raised.value.details.splitlines()) < 15


def test_create_into_a_missing_store_fails_clearly(plugin: DynamicProviderPlugin) -> None:
    inputs = checked(plugin, job_inputs(destinationName="no_such_store"))
    with pytest.raises(PluginCallError) as raised:
        plugin.create(PROVIDER, inputs)
    assert "ResourceNotFoundException" in raised.value.last_line
    assert "no variant store named 'no_such_store'" in raised.value.last_line


def test_read_refreshes_status_keeps_inputs_and_the_next_up_changes_nothing(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    inputs = checked(plugin, job_inputs(waitForCompletion=False))
    job_id, outputs = plugin.create(PROVIDER, inputs)
    wait_until(lambda: jobs_into(omics_emulator)[0]["status"] == "COMPLETED", "the job to end")
    read_id, refreshed, read_inputs = plugin.read(PROVIDER, job_id, outputs)
    assert read_id == job_id and refreshed["status"] == "COMPLETED"
    assert read_inputs == inputs
    assert {key: refreshed[key] for key in inputs} == inputs  # outputs carry every input
    omics_emulator.backend.reset_counters()
    again = checked(plugin, job_inputs(waitForCompletion=False))
    assert plugin.diff(PROVIDER, job_id, refreshed, again).changes == "DIFF_NONE"
    assert omics_emulator.backend.request_count() == 0


def test_read_of_a_vanished_job_keeps_the_last_outputs(
    omics_emulator: EmulatorHandle, store: dict[str, Any], plugin: DynamicProviderPlugin
) -> None:
    inputs = checked(plugin, job_inputs())
    _, outputs = plugin.create(PROVIDER, inputs)
    missing = "00000000-0000-4000-8000-000000000000"
    read_id, refreshed, _ = plugin.read(PROVIDER, missing, {**outputs, "jobId": missing})
    assert read_id == missing
    assert refreshed["status"] == "COMPLETED"
    assert "no longer found" in refreshed["statusMessage"]


def test_update_of_wait_settings_waits_for_a_running_job_and_keeps_outputs(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 0.5
    inputs = checked(plugin, job_inputs(waitForCompletion=False))
    job_id, outputs = plugin.create(PROVIDER, inputs)
    news = checked(plugin, job_inputs(waitForCompletion=True))
    updated = plugin.update(PROVIDER, job_id, outputs, news)
    assert updated["status"] == "COMPLETED" and updated["jobId"] == job_id
    assert updated["waitForCompletion"] is True


def test_update_of_timeout_only_calls_nothing(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    inputs = checked(plugin, job_inputs())
    job_id, outputs = plugin.create(PROVIDER, inputs)
    before = omics_emulator.backend.request_count()
    updated = plugin.update(
        PROVIDER, job_id, outputs, checked(plugin, job_inputs(timeoutSeconds=99))
    )
    assert omics_emulator.backend.request_count() == before
    assert updated == {**outputs, "timeoutSeconds": 99}


def test_delete_cancels_a_running_job(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    omics_emulator.backend.settings.job_seconds = 60
    job_id, outputs = plugin.create(PROVIDER, checked(plugin, job_inputs(waitForCompletion=False)))
    plugin.delete(PROVIDER, job_id, outputs)
    [job] = jobs_into(omics_emulator)
    assert job["status"] == "CANCELLED"
    assert plugin.printed(f"cancelling job {job_id}")


def test_delete_of_a_finished_job_keeps_it(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    job_id, outputs = plugin.create(PROVIDER, checked(plugin, job_inputs()))
    plugin.delete(PROVIDER, job_id, outputs)
    assert [job["status"] for job in jobs_into(omics_emulator)] == ["COMPLETED"]


def test_more_waiting_creates_than_plugin_workers_are_served_at_once() -> None:
    """The plugin's own pool has 4 workers: without widening, only 4 creates would run and the
    5th would start only after a job ended. The emulator's time stands still until 5 jobs run
    at once (the quota), so only a widened pool passes, however slow the machine."""
    clock = FakeClock(start=float(int(time.time())))
    with (
        virtual_emulator(clock, job_seconds=1.0, max_concurrent_jobs=5) as (emulator, _),
        DynamicProviderPlugin(env=plugin_env(emulator), config=FAST_POLL_CONFIG) as plugin,
    ):
        many = [
            checked(plugin, job_inputs(f"s3://samples-bucket/{n}.vcf", resourceName=f"b{n}"))
            for n in range(8)
        ]
        with ThreadPoolExecutor(len(many)) as pool:
            creates = [pool.submit(plugin.create, PROVIDER, inputs) for inputs in many]
            wait_until(lambda: len(jobs_into(emulator)) == 5, "5 jobs started before any ended")
            clock.sleep(2.0)  # the first 5 end: the other 3 start
            wait_until(lambda: len(jobs_into(emulator)) == 8, "the other 3 jobs to start")
            clock.sleep(2.0)
            results = [create.result(LIMIT_SECONDS) for create in creates]
    assert {outputs["status"] for _, outputs in results} == {"COMPLETED"}
