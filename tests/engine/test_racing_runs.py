"""Plugin processes (pipelines) creating the same import at once: each file imported once."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, OmicsBackend, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.clock import FakeClock
from tests.support.job_kinds import KINDS, KindCase
from tests.support.jobs import FAST_POLL_CONFIG, plugin_env
from tests.support.latency import delayed
from tests.support.waiting import wait_until

RUNS = 3
ROUNDS = 8
LATENCY = 0.05
"""Each request is this late (the region test), so both creates overlap."""
RACE_SETTINGS = EmulatorSettings(
    store_seconds=0,
    job_seconds=40,
    cancel_seconds=1,
    whole_second_times=True,
    list_delay_seconds=5,
)
"""Virtual time: a job is SUBMITTED for 10 s and missing from lists for its first 5 s; creation
times tie to the second. The test moves the clock; nothing waits on the wall clock."""


class Race:
    """RUNS plugin processes on one emulator whose clock only the test moves."""

    def __init__(
        self, case: KindCase, emulator: EmulatorHandle, clock: FakeClock, plugins: list[Any]
    ) -> None:
        self.case, self.emulator, self.clock, self.plugins = case, emulator, clock, plugins
        self.runs = ThreadPoolExecutor(RUNS)

    def calls(self, operation: str) -> int:
        return self.emulator.backend.requests_by_operation().get(operation, 0)

    def jobs_of(self, source: str) -> list[dict[str, Any]]:
        return [j for j in self.case.jobs(self.emulator) if j["items"][0]["source"] == source]

    def create(self, plugin: Any, inputs: dict[str, Any]) -> Future[Any]:
        return self.runs.submit(plugin.create, self.case.provider, inputs)


def all_at_once(race: Race, source: str, inputs: dict[str, Any]) -> list[Future[Any]]:
    """Every run starts while the others' jobs are still missing from the lists."""
    cancel = race.case.cancel
    cancels = race.calls(cancel)
    creates = [race.create(plugin, inputs) for plugin in race.plugins]
    wait_until(lambda: len(race.jobs_of(source)) == RUNS, "every run to start its own job")
    race.clock.sleep(RACE_SETTINGS.list_delay_seconds)  # lists catch up; all still SUBMITTED
    wait_until(
        lambda: race.calls(cancel) == cancels + RUNS - 1,
        "every run but the winner to cancel its job",
    )
    return creates


def one_then_the_others(race: Race, source: str, inputs: dict[str, Any]) -> list[Future[Any]]:
    """One run starts; the others come once its job is listed: they start nothing."""
    start = race.case.kind.start
    starts = race.calls(start)
    creates = [race.create(race.plugins[0], inputs)]
    wait_until(lambda: len(race.jobs_of(source)) == 1, "the first run to start its job")
    race.clock.sleep(RACE_SETTINGS.list_delay_seconds)
    creates += [race.create(plugin, inputs) for plugin in race.plugins[1:]]
    recorded = f"[{race.case.kind.resource} {inputs['resourceName']}] 1 of 1 files"
    for plugin in race.plugins[1:]:
        assert plugin.printed(recorded, seconds=60), "a later run did not record the first job"
    assert race.calls(start) == starts + 1
    return creates


@pytest.mark.parametrize("case", KINDS, ids=[case.id for case in KINDS])
@pytest.mark.parametrize("shape", [all_at_once, one_then_the_others])
def test_runs_racing_to_start_the_same_import_import_each_file_once(
    shape: Any, case: KindCase
) -> None:
    clock = FakeClock(start=float(int(time.time())))
    backend = OmicsBackend(RACE_SETTINGS, clock)
    with start_emulator(backend=backend) as emulator, ExitStack() as stack:
        case.make_store(make_omics_client(emulator.url))
        env = plugin_env(emulator)
        plugins = [
            stack.enter_context(DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG))
            for _ in range(RUNS)
        ]
        race = Race(case, emulator, clock, plugins)
        for round_ in range(ROUNDS):
            source = f"s3://samples-bucket/{shape.__name__}-{round_}.vcf"
            inputs = case.inputs(source, resourceName=f"batch-{round_}")
            creates = shape(race, source, inputs)
            clock.sleep(RACE_SETTINGS.job_seconds)  # every job ends
            results = [create.result(60) for create in creates]
            jobs = {job["id"]: job["status"] for job in race.jobs_of(source)}
            winner = min(jobs)
            assert {job_id for job_id, _ in results} == {winner}
            assert all(outputs["importedBy"] == {winner: "0"} for _, outputs in results)
            assert jobs == {j: "COMPLETED" if j == winner else "CANCELLED" for j in jobs}
            assert case.imported(emulator)[source] == 1
        race.runs.shutdown()


def test_two_resources_naming_the_region_or_not_share_one_start_queue_and_one_job(
    omics_emulator: EmulatorHandle, kind_store: KindCase
) -> None:
    """The stack's region is us-east-1: a resource omitting region is in the same region, so
    its create waits for the other's turn (on a slow network too) and never starts a 2nd job."""
    implicit = kind_store.inputs("s3://samples-bucket/shared.vcf", resourceName="implicit")
    explicit = {**implicit, "resourceName": "explicit", "region": "us-east-1"}
    with delayed(omics_emulator.url, LATENCY) as slow_url:
        env = {**plugin_env(omics_emulator), "AWS_ENDPOINT_URL_OMICS": slow_url}
        with (
            DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as plugin,
            ThreadPoolExecutor(2) as runs,
        ):
            creates = [
                runs.submit(plugin.create, kind_store.provider, i) for i in (implicit, explicit)
            ]
            errors = [create.exception(60) for create in creates]
    assert omics_emulator.backend.requests_by_operation()[kind_store.kind.start] == 1
    [job] = kind_store.jobs(omics_emulator)
    [refused] = [error for error in errors if error is not None]
    assert isinstance(refused, PluginCallError)
    assert f"import job {job['id']} already belongs to" in refused.last_line
