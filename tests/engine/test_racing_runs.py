"""Two plugin processes (two pipelines) creating the same import at once converge on one job."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_provider import VariantImportJobProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.jobs import FAST_POLL_CONFIG, STORE, job_inputs, jobs_into, plugin_env
from tests.support.latency import delayed

PROVIDER = VariantImportJobProvider()
ROUNDS = 5
LATENCY = 0.05
"""Each request is this late, so both runs list the store's jobs before either starts one."""


@pytest.mark.parametrize("omics_emulator_settings", [EmulatorSettings(job_seconds=1.0)])
def test_two_runs_racing_to_start_the_same_import_converge_on_one_job(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    with delayed(omics_emulator.url, LATENCY) as slow_url:
        env = {**plugin_env(omics_emulator), "AWS_ENDPOINT_URL_OMICS": slow_url}
        with (
            DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as first,
            DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as second,
            ThreadPoolExecutor(2) as runs,
        ):
            raced = sum(race_once(omics_emulator, (first, second), runs, n) for n in range(ROUNDS))
    assert raced >= ROUNDS // 2, "the runs rarely started at the same moment: no race was tested"


def race_once(
    emulator: EmulatorHandle,
    plugins: tuple[DynamicProviderPlugin, DynamicProviderPlugin],
    runs: ThreadPoolExecutor,
    round_: int,
) -> bool:
    """Both plugins create one import at once; True when both had started a job."""
    inputs = job_inputs(f"s3://samples-bucket/round-{round_}.vcf")
    creates = [runs.submit(plugin.create, PROVIDER, inputs) for plugin in plugins]
    (first_id, first), (second_id, second) = (create.result(60) for create in creates)
    assert first_id == second_id, "the two runs record different jobs"
    assert first["status"] == second["status"] == "COMPLETED"
    jobs = [
        job
        for job in jobs_into(emulator)
        if job["items"][0]["source"] == inputs["items"][0]["source"]
    ]
    losers = [job for job in jobs if job["id"] != first_id]
    assert all(job["status"] == "CANCELLED" for job in losers), losers
    assert emulator.backend.imported_sources(STORE)[inputs["items"][0]["source"]] == 1
    return len(jobs) > 1


def test_two_resources_naming_the_region_or_not_share_one_start_queue_and_one_job(
    omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    """The stack's region is us-east-1: a resource omitting region is in the same region, so
    its create waits for the other's turn (on a slow network too) and never starts a 2nd job."""
    implicit = job_inputs("s3://samples-bucket/shared.vcf", resourceName="implicit")
    explicit = {**implicit, "resourceName": "explicit", "region": "us-east-1"}
    with delayed(omics_emulator.url, LATENCY) as slow_url:
        env = {**plugin_env(omics_emulator), "AWS_ENDPOINT_URL_OMICS": slow_url}
        with (
            DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as plugin,
            ThreadPoolExecutor(2) as runs,
        ):
            creates = [runs.submit(plugin.create, PROVIDER, i) for i in (implicit, explicit)]
            errors = [create.exception(60) for create in creates]
    assert omics_emulator.backend.requests_by_operation()["StartVariantImportJob"] == 1
    [job] = jobs_into(omics_emulator)
    [refused] = [error for error in errors if error is not None]
    assert isinstance(refused, PluginCallError)
    assert f"import job {job['id']} already belongs to" in refused.last_line
