"""Credentials never reach state, outputs, progress or errors; the emulator stays on loopback."""

from __future__ import annotations

import base64
import subprocess
import sys
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_provider import VariantImportJobProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.jobs import FAST_POLL_CONFIG, job_inputs, plugin_env

CANARY_KEY = "AKIACANARY7Q2XJ4LM9Z"
CANARY_SECRET = "canary/SECRET+never-in-state-4f1d9c"
PROVIDER = VariantImportJobProvider()


@pytest.fixture
def canary_plugin(omics_emulator: EmulatorHandle) -> Any:
    env = plugin_env(
        omics_emulator, AWS_ACCESS_KEY_ID=CANARY_KEY, AWS_SECRET_ACCESS_KEY=CANARY_SECRET
    )
    with DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as plugin:
        yield plugin


def assert_no_canary(text: str) -> None:
    assert CANARY_KEY not in text
    assert CANARY_SECRET not in text


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=0.2, fail_sources=("*bad*",))]
)
def test_canary_credentials_never_appear_anywhere_the_user_or_state_sees(
    canary_plugin: DynamicProviderPlugin,
    monkeypatch: pytest.MonkeyPatch,
    store: dict[str, Any],
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CANARY_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY_SECRET)
    serialized = serialize_provider(PROVIDER)
    seen = [serialized, base64.b64decode(serialized).decode("latin-1")]
    job_id, outputs = canary_plugin.create(PROVIDER, job_inputs("s3://samples-bucket/ok.vcf"))
    seen += [repr(outputs), repr(canary_plugin.read(PROVIDER, job_id, outputs))]
    for failing in (job_inputs("s3://samples-bucket/bad.vcf"), job_inputs(destinationName="nope")):
        with pytest.raises(PluginCallError) as raised:
            canary_plugin.create(PROVIDER, failing)
        seen.append(raised.value.details)
    seen.append(canary_plugin.stderr_text())
    assert_no_canary("\n".join(seen))
    assert "started job" in canary_plugin.stderr_text()


def test_emulator_binds_to_loopback_by_default() -> None:
    with start_emulator() as emulator:
        assert emulator.url.startswith("http://127.0.0.1:")


def test_emulator_command_binds_to_loopback_by_default() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "omics_emulator.cli", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("omics-emulator listening on http://127.0.0.1:")
    finally:
        process.terminate()
        process.wait(10)
