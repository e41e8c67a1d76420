"""Overhead of a create (waitForCompletion false) through the real plugin vs the same AWS calls."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pulumi.dynamic import CreateResult, ResourceProvider

from omics_emulator import EmulatorSettings, start_emulator
from omics_provider import VariantImportJobProvider
from omics_provider.testing.plugin import DynamicProviderPlugin

from .report import median
from .services import (
    ROLE_ARN,
    create_request,
    create_stores,
    job_inputs,
    omics_client,
    plugin_config,
    plugin_env,
)

KNOWN_CALLS = ("ListVariantImportJobs", "StartVariantImportJob")
"""The calls the baseline can replay: the duplicate guard's list and the start."""


@dataclass(frozen=True)
class OverheadResult:
    """Median plugin/boto3 time ratio over runs, the calls per create and the absolute medians."""

    runs: int
    median_ratio: float
    calls: dict[str, int]
    calls_consistent: bool
    plugin_ms: float
    boto3_ms: float
    floor_ms: float
    """A create through the same plugin of a provider that does nothing: Pulumi's own cost."""
    provider_ms: float
    """The provider's own time per create: the median over runs of plugin time minus that
    run's floor and its bare AWS calls."""


class NoopProvider(ResourceProvider):
    """Creates nothing: its create through the plugin measures the plugin's own per-call cost."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("noop", {})


def measure_overhead(runs: int = 60, warmup: int = 5) -> OverheadResult:
    """Time runs interleaved pairs (plugin create, direct boto3 calls), each into a fresh store."""
    # A job leaves SUBMITTED at once (job_seconds 0): a create then converges on its first read
    # instead of watching for racing runs for up to CONVERGE_SECONDS, a wait on the service that
    # is no more the provider's own time than the job's own run (waitForCompletion is false).
    settings = EmulatorSettings(job_seconds=0.0, store_seconds=0.0, max_concurrent_jobs=100_000)
    with start_emulator(settings) as emulator:
        client = omics_client(emulator)
        total = warmup + runs
        create_stores(client, [f"bench_p{i}" for i in range(total)])
        create_stores(client, [f"bench_b{i}" for i in range(total)])
        provider = VariantImportJobProvider()
        plugin = DynamicProviderPlugin(env=plugin_env(emulator), config=plugin_config()).start()
        try:
            calls = Counter[str]()
            for i in range(warmup):
                calls = _plugin_calls(plugin, emulator, provider, i)
                _direct(client, f"bench_b{i}", f"warm{i}", calls)
            consistent = set(calls) <= set(KNOWN_CALLS)
            noop = create_request(NoopProvider(), {"resourceName": "noop"})
            for _ in range(warmup):
                plugin.stub.Create(noop, timeout=60)
            plugin_times, boto_times, floor_times, ratios, own = [], [], [], [], []
            for i in range(warmup, total):
                request = create_request(provider, _inputs(f"p{i}", f"bench_p{i}"))
                pair: dict[str, float] = {}
                for side in ("plugin", "boto3") if i % 2 else ("boto3", "plugin"):
                    if side == "plugin":
                        emulator.backend.reset_counters()
                        pair[side] = _timed(lambda r=request: plugin.stub.Create(r, timeout=60))
                        consistent &= Counter(emulator.backend.requests_by_operation()) == calls
                    else:
                        store = f"bench_b{i}"
                        pair[side] = _timed(lambda s=store, n=i: _direct(client, s, f"b{n}", calls))
                floor_times.append(_timed(lambda: plugin.stub.Create(noop, timeout=60)))
                plugin_times.append(pair["plugin"])
                boto_times.append(pair["boto3"])
                ratios.append(pair["plugin"] / pair["boto3"])
                own.append(pair["plugin"] - floor_times[-1] - pair["boto3"])
        finally:
            plugin.stop()
    return OverheadResult(
        runs=runs,
        median_ratio=median(ratios),
        calls=dict(calls),
        calls_consistent=consistent,
        plugin_ms=median(plugin_times) * 1000,
        boto3_ms=median(boto_times) * 1000,
        floor_ms=median(floor_times) * 1000,
        provider_ms=median(own) * 1000,
    )


def _inputs(resource: str, store: str) -> dict[str, Any]:
    return job_inputs(resource, store, items=1, waitForCompletion=False)


def _plugin_calls(
    plugin: DynamicProviderPlugin, emulator: Any, provider: Any, index: int
) -> Counter[str]:
    """One warm-up create through the plugin; the AWS calls it made, per operation."""
    emulator.backend.reset_counters()
    plugin.stub.Create(create_request(provider, _inputs(f"w{index}", f"bench_p{index}")))
    return Counter(emulator.backend.requests_by_operation())


def _direct(client: Any, store: str, resource: str, calls: Counter[str]) -> None:
    """The calls a create makes, made directly with boto3: the guard's list, then the start."""
    for _ in range(calls["ListVariantImportJobs"]):
        client.list_variant_import_jobs(filter={"storeName": store})
    items = job_inputs(resource, store)["items"]
    for _ in range(calls["StartVariantImportJob"]):
        client.start_variant_import_job(destinationName=store, roleArn=ROLE_ARN, items=items)


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
