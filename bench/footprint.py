"""Footprint: the serialized provider, one job's state by item count, and check's time."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from omics_emulator import EmulatorSettings, start_emulator
from omics_provider import VariantImportJobProvider
from omics_provider.resources.variant_import_job import check_inputs
from omics_provider.testing.plugin import DynamicProviderPlugin

from .report import median
from .services import (
    PROVIDER_KEY,
    create_request,
    create_stores,
    job_inputs,
    omics_client,
    plain_outputs,
    plugin_config,
    plugin_env,
    source_uri,
)

STORE = "footprint_store"


@dataclass(frozen=True)
class ProviderSize:
    """The serialized provider: the base64 text stored in state and the dill bytes it encodes."""

    base64_chars: int
    pickle_bytes: int


@dataclass(frozen=True)
class StateSize:
    """One job's state after a create that waited, as compact JSON."""

    items: int
    outputs_bytes: int
    """The outputs with __provider: what the brief calls the job's state."""
    checkpoint_bytes: int
    """Inputs and outputs, each with __provider, as a Pulumi checkpoint keeps a resource."""

    @property
    def budget(self) -> int:
        """The target: 1 KB plus 100 bytes per item."""
        return 1024 + 100 * self.items


def provider_size() -> ProviderSize:
    """Size of VariantImportJobProvider serialized as pulumi.dynamic.Resource does."""
    text = serialize_provider(VariantImportJobProvider())
    return ProviderSize(len(text), len(base64.b64decode(text)))


def state_sizes(item_counts: tuple[int, ...] = (1, 100, 1000)) -> list[StateSize]:
    """Create one job per item count through the real plugin and measure its state."""
    settings = EmulatorSettings(job_seconds=0.2, store_seconds=0.0, max_concurrent_jobs=10)
    with start_emulator(settings) as emulator:
        create_stores(omics_client(emulator), [STORE])
        plugin = DynamicProviderPlugin(
            env=plugin_env(emulator), config=plugin_config(scale=0.2 / 3600)
        ).start()
        try:
            provider = VariantImportJobProvider()
            serialized = serialize_provider(provider)
            sizes = []
            for count in item_counts:
                inputs = job_inputs(f"size{count}", STORE, items=count)
                outputs = plain_outputs(plugin.stub.Create(create_request(provider, inputs)))
                if outputs.get("status") != "COMPLETED":
                    raise RuntimeError(f"footprint job ended {outputs.get('status')}")
                state = {**outputs, PROVIDER_KEY: serialized}
                checkpoint = {"inputs": {**inputs, PROVIDER_KEY: serialized}, "outputs": state}
                sizes.append(StateSize(count, _json_bytes(state), _json_bytes(checkpoint)))
        finally:
            plugin.stop()
    return sizes


def check_seconds(items: int = 1000, runs: int = 21) -> float:
    """Median time of check_inputs({}, inputs) on inputs listing items files."""
    inputs = job_inputs("check", STORE, items=items)
    if check_inputs({}, inputs).failures:
        raise RuntimeError("the bench's check inputs are invalid")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        check_inputs({}, inputs)
        times.append(time.perf_counter() - started)
    return median(times)


def source_length() -> int:
    """Characters of one item's source URI in these measurements."""
    return len(source_uri("size1000", 0))


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())
