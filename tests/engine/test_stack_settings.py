"""Stack settings the providers read (polling, endpoint, region, profile) checked at preview."""

from __future__ import annotations

from typing import Any

import pytest

from omics_emulator import EmulatorHandle
from omics_provider import VariantImportJobProvider, VariantStoreProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, job_inputs, plugin_env

NAMESPACE = "omics-variant-import"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (f"{NAMESPACE}:pollMaxSeconds", "nan"),
        (f"{NAMESPACE}:pollInitialSeconds", "-1"),
        (f"{NAMESPACE}:quotaPollSeconds", "1e300"),
        (f"{NAMESPACE}:omicsEndpoint", "localhost:4566"),
        (f"{NAMESPACE}:omicsEndpoint", "https://[::1"),
        (f"{NAMESPACE}:omicsEndpoint", "http://127.0.0.1:99999"),
        (f"{NAMESPACE}:omicsEndpoint", "http://svc:pa/ss@127.0.0.1:9"),
        ("aws:region", "us east 1"),
        ("aws:profile", "no-such-profile"),
    ],
)
def test_a_bad_stack_setting_fails_check_naming_its_key_and_nothing_is_sent(
    omics_emulator: EmulatorHandle, key: str, value: str
) -> None:
    config = {**FAST_POLL_CONFIG, key: value}
    with DynamicProviderPlugin(env=plugin_env(omics_emulator), config=config) as plugin:
        job = plugin.check(VariantImportJobProvider(), {}, job_inputs())
        store_inputs = {"resourceName": "s", "name": "a_store", "referenceArn": REFERENCE_ARN}
        store = plugin.check(VariantStoreProvider(), {}, store_inputs)
        with pytest.raises(PluginCallError) as raised:
            plugin.create(VariantImportJobProvider(), job_inputs())
    [(prop, reason)] = job.failures
    assert store.failures == job.failures
    assert prop == key and reason.startswith(f"{key}: ")
    assert raised.value.last_line.endswith(
        f"VariantImportJob: invalid stack configuration: {reason}"
    )
    assert omics_emulator.backend.request_count() == 0


def test_good_stack_settings_add_no_failure(
    plugin: DynamicProviderPlugin, store: dict[str, Any]
) -> None:
    assert plugin.check(VariantImportJobProvider(), {}, job_inputs()).failures == []
