"""Each import job kind through the real dynamic-provider plugin over gRPC, against the emulator.

Every case runs for VariantImportJob and AnnotationImportJob (the job_kind fixture); what only
annotation jobs have (store versions) is at the end.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pulumi.output import Unknown

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_provider.core.properties import UNKNOWN
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.clock import FakeClock
from tests.support.job_kinds import ANNOTATION, OTHER_VERSION, VERSION, KindCase
from tests.support.jobs import FAST_POLL_CONFIG, STORE, plugin_env
from tests.support.virtual_time import virtual_emulator
from tests.support.waiting import LIMIT_SECONDS, wait_until

TWO_FILES = ("s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf")


def checked(plugin: DynamicProviderPlugin, case: KindCase, news: dict[str, Any]) -> dict[str, Any]:
    outcome = plugin.check(case.provider, {}, news)
    assert outcome.failures == []
    return outcome.inputs


def create_running(
    plugin: DynamicProviderPlugin, emulator: EmulatorHandle, case: KindCase, seconds: float
) -> tuple[str, dict[str, Any]]:
    """Create a job of case's kind without waiting; its jobs take seconds. Its id and outputs."""
    emulator.backend.settings.job_seconds = seconds
    inputs = checked(plugin, case, case.inputs(waitForCompletion=False))
    return plugin.create(case.provider, inputs)


def test_check_of_a_new_batch_says_held_files_will_be_recorded_not_imported(
    plugin: DynamicProviderPlugin, job_kind: KindCase
) -> None:
    """Preview cannot read the store: the new batch's summary line says what `up` will do."""
    news = job_kind.inputs(
        "s3://samples-bucket/a.vcf", "s3://samples-bucket/b.vcf", resourceName="new"
    )
    assert not plugin.check(job_kind.provider, {}, news).failures
    assert plugin.printed(
        f"[{job_kind.kind.resource} new] new batch: 2 file(s) into store {STORE}; files the store "
        "already holds (or is importing) will be recorded, not imported again"
    )
    olds = {**news, "resourceName": "ran"}
    assert not plugin.check(job_kind.provider, olds, olds).failures
    assert "[{job_kind.kind.resource} ran] new batch" not in plugin.stderr_text()


def test_check_reports_failures_by_property(
    plugin: DynamicProviderPlugin, job_kind: KindCase
) -> None:
    outcome = plugin.check(
        job_kind.provider, {}, job_kind.inputs(destinationName="Bad-Name", items=[])
    )
    assert {prop for prop, _ in outcome.failures} == {"destinationName", "items"}


@pytest.mark.parametrize("key", ["destinationName", "roleArn", "items"])
def test_check_passes_a_value_unknown_at_preview_over_grpc(
    plugin: DynamicProviderPlugin, job_kind: KindCase, key: str
) -> None:
    # The first preview of a stack: the role (or store) is not created yet, so its output is
    # sent as UNKNOWN and the plugin hands check an Unknown object; check leaves it to `up`.
    outcome = plugin.check(job_kind.provider, {}, job_kind.inputs(**{key: UNKNOWN}))

    assert outcome.failures == []
    assert isinstance(outcome.inputs[key], Unknown)


def test_create_starts_once_waits_and_reports_every_item(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    inputs = checked(plugin, kind_store, kind_store.inputs(*TWO_FILES))
    job_id, outputs = plugin.create(kind_store.provider, inputs)
    assert outputs["jobId"] == job_id
    assert outputs["status"] == "COMPLETED"
    assert outputs["destinationName"] == STORE and outputs["items"] == inputs["items"]
    assert outputs["itemCounts"] == {"COMPLETED": 2} and outputs["failedItems"] == []
    assert outputs["creationTime"] and outputs["completionTime"]
    assert [job["id"] for job in kind_store.jobs(omics_emulator)] == [job_id]
    assert plugin.printed(f"[{kind_store.kind.resource} batch] started job {job_id}")


def test_create_without_waiting_returns_the_submitted_job(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    job_id, outputs = create_running(plugin, omics_emulator, kind_store, seconds=30)
    assert outputs["status"] == "SUBMITTED" and outputs["jobId"] == job_id
    assert omics_emulator.backend.requests_by_operation().get(kind_store.kind.get, 0) == 0


def test_second_up_is_a_no_op_diff(plugin: DynamicProviderPlugin, kind_store: KindCase) -> None:
    inputs = checked(plugin, kind_store, kind_store.inputs())
    job_id, outputs = plugin.create(kind_store.provider, inputs)
    again = plugin.check(kind_store.provider, inputs, kind_store.inputs())
    assert plugin.diff(kind_store.provider, job_id, outputs, again.inputs).changes == "DIFF_NONE"


def test_diff_over_grpc_replaces_on_new_items_and_updates_wait_settings(
    plugin: DynamicProviderPlugin, kind_store: KindCase
) -> None:
    inputs = checked(plugin, kind_store, kind_store.inputs())
    job_id, outputs = plugin.create(kind_store.provider, inputs)
    replaced = plugin.diff(
        kind_store.provider, job_id, outputs, kind_store.inputs("s3://samples-bucket/z.vcf")
    )
    assert (replaced.changes, replaced.replaces) == ("DIFF_SOME", ["items"])
    updated = plugin.diff(
        kind_store.provider, job_id, outputs, kind_store.inputs(timeoutSeconds=60)
    )
    assert (updated.changes, updated.replaces) == ("DIFF_SOME", [])


def test_check_with_olds_refuses_a_reimport_over_grpc(
    plugin: DynamicProviderPlugin, job_kind: KindCase
) -> None:
    outcome = plugin.check(
        job_kind.provider, job_kind.inputs(), job_kind.inputs("s3://samples-bucket/z.vcf")
    )
    [(prop, reason)] = outcome.failures
    assert prop == "items" and "same data again" in reason


def test_create_with_allow_reimport_starts_a_second_job(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    inputs = checked(plugin, kind_store, kind_store.inputs())
    first, _ = plugin.create(kind_store.provider, inputs)
    second, _ = plugin.create(
        kind_store.provider, checked(plugin, kind_store, kind_store.inputs(allowReimport=True))
    )
    assert first != second
    assert len(kind_store.jobs(omics_emulator)) == 2


def test_create_adopts_the_job_named_by_adopt_job_id(
    plugin: DynamicProviderPlugin, omics_client: Any, kind_store: KindCase
) -> None:
    existing = kind_store.start(omics_client, "s3://samples-bucket/old.vcf")
    inputs = checked(
        plugin, kind_store, kind_store.inputs("s3://samples-bucket/old.vcf", adoptJobId=existing)
    )
    job_id, outputs = plugin.create(kind_store.provider, inputs)
    assert job_id == existing and outputs["status"] == "COMPLETED"


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*bad*",))]
)
def test_create_with_some_items_failing_succeeds_with_a_warning(
    plugin: DynamicProviderPlugin, kind_store: KindCase
) -> None:
    inputs = checked(
        plugin,
        kind_store,
        kind_store.inputs("s3://samples-bucket/good.vcf", "s3://samples-bucket/bad.vcf"),
    )
    _, outputs = plugin.create(kind_store.provider, inputs)
    assert outputs["status"] == "COMPLETED_WITH_FAILURES"
    failed = outputs["failedItems"]
    assert [i["source"] for i in failed] == ["s3://samples-bucket/bad.vcf"]
    assert bool(failed[0]["statusMessage"]) == kind_store.kind.item_status_messages
    assert plugin.printed("warning: job") and plugin.printed("1 of 2 items failed")
    assert plugin.printed(f"with a new {kind_store.kind.resource} once fixed")


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*",))]
)
def test_create_with_every_item_failing_raises_naming_job_and_items(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    inputs = checked(plugin, kind_store, kind_store.inputs(*TWO_FILES))
    with pytest.raises(PluginCallError) as raised:
        plugin.create(kind_store.provider, inputs)
    [job] = kind_store.jobs(omics_emulator)
    line = raised.value.last_line
    # Newer Pulumi SDKs put the exception's class before the message; 3.216 does not.
    assert f"{kind_store.kind.resource} batch: import job {job['id']} ended FAILED" in line
    sources = TWO_FILES
    if kind_store.kind.item_status_messages:
        assert all(f"{source}: " in line for source in sources)
    else:  # annotation items carry no message: each file is named alone
        assert f"failed items: {'; '.join(sources)}" in line
    assert len(raised.value.details.splitlines()) < 15


def test_create_into_a_missing_store_fails_clearly(
    plugin: DynamicProviderPlugin, job_kind: KindCase
) -> None:
    inputs = checked(plugin, job_kind, job_kind.inputs(destinationName="no_such_store"))
    with pytest.raises(PluginCallError) as raised:
        plugin.create(job_kind.provider, inputs)
    assert "ResourceNotFoundException" in raised.value.last_line
    assert f"no {job_kind.kind.store_noun} named 'no_such_store'" in raised.value.last_line


def test_read_refreshes_status_keeps_inputs_and_the_next_up_changes_nothing(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    inputs = checked(plugin, kind_store, kind_store.inputs(waitForCompletion=False))
    job_id, outputs = plugin.create(kind_store.provider, inputs)
    wait_until(
        lambda: kind_store.jobs(omics_emulator)[0]["status"] == "COMPLETED", "the job to end"
    )
    read_id, refreshed, read_inputs = plugin.read(kind_store.provider, job_id, outputs)
    assert read_id == job_id and refreshed["status"] == "COMPLETED"
    assert read_inputs == inputs
    assert {key: refreshed[key] for key in inputs} == inputs  # outputs carry every input
    omics_emulator.backend.reset_counters()
    again = checked(plugin, kind_store, kind_store.inputs(waitForCompletion=False))
    assert plugin.diff(kind_store.provider, job_id, refreshed, again).changes == "DIFF_NONE"
    assert omics_emulator.backend.request_count() == 0


def test_read_of_a_vanished_job_keeps_the_last_outputs(
    omics_emulator: EmulatorHandle, kind_store: KindCase, plugin: DynamicProviderPlugin
) -> None:
    inputs = checked(plugin, kind_store, kind_store.inputs())
    _, outputs = plugin.create(kind_store.provider, inputs)
    missing = "00000000-0000-4000-8000-000000000000"
    read_id, refreshed, _ = plugin.read(kind_store.provider, missing, {**outputs, "jobId": missing})
    assert read_id == missing
    assert refreshed["status"] == "COMPLETED"
    assert "no longer found" in refreshed["statusMessage"]


def test_update_of_wait_settings_waits_for_a_running_job_and_keeps_outputs(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    job_id, outputs = create_running(plugin, omics_emulator, kind_store, seconds=0.5)
    news = checked(plugin, kind_store, kind_store.inputs(waitForCompletion=True))
    updated = plugin.update(kind_store.provider, job_id, outputs, news)
    assert updated["status"] == "COMPLETED" and updated["jobId"] == job_id
    assert updated["waitForCompletion"] is True


def test_update_of_timeout_only_calls_nothing(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    inputs = checked(plugin, kind_store, kind_store.inputs())
    job_id, outputs = plugin.create(kind_store.provider, inputs)
    before = omics_emulator.backend.request_count()
    updated = plugin.update(
        kind_store.provider,
        job_id,
        outputs,
        checked(plugin, kind_store, kind_store.inputs(timeoutSeconds=99)),
    )
    assert omics_emulator.backend.request_count() == before
    assert updated == {**outputs, "timeoutSeconds": 99}


def test_delete_cancels_a_running_job(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    job_id, outputs = create_running(plugin, omics_emulator, kind_store, seconds=60)
    plugin.delete(kind_store.provider, job_id, outputs)
    [job] = kind_store.jobs(omics_emulator)
    assert job["status"] == "CANCELLED"
    assert plugin.printed(f"cancelling job {job_id}")


def test_delete_of_a_finished_job_keeps_it(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    job_id, outputs = plugin.create(
        kind_store.provider, checked(plugin, kind_store, kind_store.inputs())
    )
    plugin.delete(kind_store.provider, job_id, outputs)
    assert [job["status"] for job in kind_store.jobs(omics_emulator)] == ["COMPLETED"]


def test_more_waiting_creates_than_plugin_workers_are_served_at_once(job_kind: KindCase) -> None:
    """The plugin's own pool has 4 workers: without widening, only 4 creates would run and the
    5th would start only after a job ended. The emulator's time stands still until 5 jobs run
    at once (the quota), so only a widened pool passes, however slow the machine."""
    clock = FakeClock(start=float(int(time.time())))
    with (
        virtual_emulator(
            clock, make_store=job_kind.make_store, job_seconds=1.0, max_concurrent_jobs=5
        ) as (emulator, _),
        DynamicProviderPlugin(env=plugin_env(emulator), config=FAST_POLL_CONFIG) as plugin,
    ):
        many = [
            checked(
                plugin,
                job_kind,
                job_kind.inputs(f"s3://samples-bucket/{n}.vcf", resourceName=f"b{n}"),
            )
            for n in range(8)
        ]
        with ThreadPoolExecutor(len(many)) as pool:
            creates = [pool.submit(plugin.create, job_kind.provider, inputs) for inputs in many]
            wait_until(lambda: len(job_kind.jobs(emulator)) == 5, "5 jobs started before any ended")
            clock.sleep(2.0)  # the first 5 end: the other 3 start
            wait_until(lambda: len(job_kind.jobs(emulator)) == 8, "the other 3 jobs to start")
            clock.sleep(2.0)
            results = [create.result(LIMIT_SECONDS) for create in creates]
    assert {outputs["status"] for _, outputs in results} == {"COMPLETED"}


# --- annotation store versions ------------------------------------------------------------------
@pytest.fixture
def annotation_store(omics_emulator: EmulatorHandle, omics_client: Any) -> KindCase:
    """The annotation kind, its store STORE with the ACTIVE versions v01 and v02."""
    ANNOTATION.make_store(omics_client)
    return ANNOTATION


def test_create_never_imports_a_file_twice_into_one_store_version(
    plugin: DynamicProviderPlugin,
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    annotation_store: KindCase,
) -> None:
    """A file another run imported into the version is recorded from its job, not imported; a
    file imported into another version of the store is imported into this one."""
    case = annotation_store
    earlier = case.start(
        omics_client, "s3://samples-bucket/clinvar.vcf", "s3://samples-bucket/gnomad.vcf"
    )
    case.start(omics_client, "s3://samples-bucket/vep.vcf", versionName=OTHER_VERSION)
    later = case.inputs("s3://samples-bucket/gnomad.vcf", "s3://samples-bucket/vep.vcf")
    later_id, outputs = plugin.create(case.provider, checked(plugin, case, later))
    assert outputs["importedBy"] == {earlier: "0", later_id: "1"}
    imported = {
        job["id"]: [item["source"] for item in job["items"]]
        for job in case.jobs(omics_emulator, VERSION)
    }
    assert imported == {
        earlier: ["s3://samples-bucket/clinvar.vcf", "s3://samples-bucket/gnomad.vcf"],
        later_id: ["s3://samples-bucket/vep.vcf"],
    }
    assert (
        case.call(omics_client, case.kind.get, jobId=later_id)["formatOptions"]
        == (later["formatOptions"])
    )
