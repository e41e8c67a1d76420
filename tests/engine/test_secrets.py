"""Credentials never reach state, outputs, progress or errors; the emulator stays on loopback."""

from __future__ import annotations

import base64
import subprocess
import sys
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_provider import VariantImportJobProvider, VariantStoreProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, job_inputs, plugin_env

CANARY_KEY = "AKIACANARY7Q2XJ4LM9Z"
CANARY_SECRET = "canary/SECRET+never-in-state-4f1d9c"
CANARY_TOKEN = "FwoGZXIvYXdzCANARYTOKEN//never+in+errors"
ENDPOINT_PASSWORD = "hunter2-canary-password"
UNREACHABLE_WITH_PASSWORD = f"http://operator:{ENDPOINT_PASSWORD}@127.0.0.1:9"
PROVIDER = VariantImportJobProvider()


@pytest.fixture
def canary_plugin(omics_emulator: EmulatorHandle) -> Any:
    env = plugin_env(
        omics_emulator, AWS_ACCESS_KEY_ID=CANARY_KEY, AWS_SECRET_ACCESS_KEY=CANARY_SECRET
    )
    with DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as plugin:
        yield plugin


def assert_no_canary(text: str) -> None:
    for canary in (CANARY_KEY, CANARY_SECRET, CANARY_TOKEN):
        assert canary not in text


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
    assert canary_plugin.printed("started job")


@pytest.mark.parametrize(
    "credentials",
    [
        {"AWS_SESSION_TOKEN": f"{CANARY_TOKEN}\n"},
        {"AWS_ACCESS_KEY_ID": f"{CANARY_KEY}\n"},
    ],
    ids=["token-with-newline", "key-with-newline"],
)
def test_credentials_with_a_stray_newline_never_reach_the_error(
    omics_emulator: EmulatorHandle, store: dict[str, Any], credentials: dict[str, str]
) -> None:
    env = plugin_env(
        omics_emulator,
        **{"AWS_ACCESS_KEY_ID": CANARY_KEY, "AWS_SECRET_ACCESS_KEY": CANARY_SECRET, **credentials},
    )
    with DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as plugin:
        with pytest.raises(PluginCallError) as raised:
            plugin.create(PROVIDER, job_inputs())
        seen = raised.value.details + plugin.stderr_text()
    assert "Invalid header value <redacted>" in raised.value.last_line
    assert_no_canary(seen)


def test_an_endpoint_password_is_refused_at_check_and_never_printed() -> None:
    config = {**FAST_POLL_CONFIG, "omics-variant-import:omicsEndpoint": UNREACHABLE_WITH_PASSWORD}
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    inputs = job_inputs(timeoutSeconds=1)
    with DynamicProviderPlugin(env=env, config=config) as plugin:
        [(prop, reason)] = plugin.check(PROVIDER, {}, inputs).failures
        with pytest.raises(PluginCallError) as raised:
            plugin.create(PROVIDER, inputs)
        seen = reason + raised.value.details + plugin.stderr_text()
    assert prop == "omics-variant-import:omicsEndpoint"
    assert "without a user name or password" in raised.value.last_line
    assert ENDPOINT_PASSWORD not in seen


def test_a_credential_in_a_store_status_message_is_redacted(
    canary_plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle
) -> None:
    inputs = {"resourceName": "store", "name": "canary_store", "referenceArn": REFERENCE_ARN}
    store_id, outputs = canary_plugin.create(VariantStoreProvider(), inputs)
    omics_emulator.backend.set_store_status_message("canary_store", f"key {CANARY_KEY} rejected")
    _, refreshed, _ = canary_plugin.read(VariantStoreProvider(), store_id, outputs)
    assert refreshed["statusMessage"] == "key <redacted> rejected"


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
