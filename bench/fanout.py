"""Fan-out: N creates sent at once to one real plugin process, against a 5-job quota."""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import grpc

from omics_emulator import EmulatorSettings, start_emulator
from omics_provider import VariantImportJobProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, StderrLine

from .services import (
    check_request,
    create_request,
    create_stores,
    job_inputs,
    omics_client,
    plain_outputs,
    plugin_config,
    plugin_env,
    source_uri,
)

QUOTA = 5
"""Concurrent import jobs the emulator allows, as HealthOmics does by default."""
HOUR = 3600.0
STORE = "fanout_store"
_LINE = re.compile(r"^\[VariantImportJob (\S+)\]")


@dataclass(frozen=True)
class FanOutResult:
    """What N concurrent creates cost against the quota-bound ideal, and what went wrong."""

    n: int
    job_seconds: float
    total_seconds: float
    failures: int
    duplicates: int
    late_calls: int
    max_queue_wait: float
    """Longest time from sending a create to the provider's first line about it."""

    @property
    def ideal_seconds(self) -> float:
        """ceil(N/quota) job durations: the time the quota forces."""
        return math.ceil(self.n / QUOTA) * self.job_seconds

    @property
    def ratio(self) -> float:
        """Total time over the quota-bound ideal."""
        return self.total_seconds / self.ideal_seconds


def measure_fan_out(n: int, job_seconds: float = 1.0) -> FanOutResult:
    """Send n creates at once to one plugin; the emulator's job stands for one hour.

    Each resource is checked, then created, as the engine does; total time counts both.
    """
    settings = EmulatorSettings(
        job_seconds=job_seconds, store_seconds=0.0, max_concurrent_jobs=QUOTA
    )
    with start_emulator(settings) as emulator:
        create_stores(omics_client(emulator), [STORE])
        config = plugin_config(scale=job_seconds / HOUR)
        plugin = DynamicProviderPlugin(env=plugin_env(emulator), config=config).start()
        try:
            provider = VariantImportJobProvider()
            timeout = 100 * job_seconds + 60
            names = [f"fan{i}" for i in range(n)]
            inputs = {
                name: job_inputs(name, STORE, timeoutSeconds=100 * job_seconds) for name in names
            }
            requests = {name: create_request(provider, inputs[name]) for name in names}
            checks = {name: check_request(provider, inputs[name]) for name in names}
            sent: dict[str, float] = {}
            outcomes: dict[str, str] = {}

            def create(name: str) -> None:
                try:
                    plugin.stub.Check(checks[name], timeout=timeout)
                    sent[name] = time.monotonic()
                    response = plugin.stub.Create(requests[name], timeout=timeout)
                    outcomes[name] = str(plain_outputs(response).get("status"))
                except grpc.RpcError as error:
                    outcomes[name] = f"error: {error.code().name}"

            # The plugin loads the provider (imports, about half a second) at its first call.
            # Scaled up with the job duration that would stand for half an hour, so it is done
            # before timing, as one unrelated Check.
            plugin.stub.Check(check_request(provider, job_inputs("warm-up", STORE)), timeout=60)
            threads = [threading.Thread(target=create, args=(name,)) for name in names]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            total = time.monotonic() - started
            time.sleep(0.05)  # let the last stderr lines arrive
            first = _first_lines(list(plugin.stderr))
        finally:
            plugin.stop()
        jobs = Counter(source for job in emulator.backend.jobs() for source in _sources(job))
    waits = [first[name] - sent[name] if name in first else math.inf for name in names]
    return FanOutResult(
        n=n,
        job_seconds=job_seconds,
        total_seconds=total,
        failures=sum(outcomes.get(name) != "COMPLETED" for name in names),
        duplicates=sum(jobs[source_uri(name, 0)] != 1 for name in names),
        late_calls=sum(wait > job_seconds / 2 for wait in waits),
        max_queue_wait=max(waits),
    )


def _first_lines(lines: list[StderrLine]) -> dict[str, float]:
    """When the plugin printed its first line about each resource."""
    first: dict[str, float] = {}
    for line in lines:
        match = _LINE.match(line.text)
        if match:
            first.setdefault(match.group(1), line.at)
    return first


def _sources(job: dict[str, Any]) -> list[str]:
    return [str(item["source"]) for item in job.get("items", [])]
