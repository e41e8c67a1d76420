"""pytest fixtures shared by the provider tests: dummy AWS credentials, a store, a plugin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omics_emulator import EmulatorHandle
from omics_provider.testing.plugin import DynamicProviderPlugin
from tests.support.jobs import FAST_POLL_CONFIG, create_store, plugin_env


@pytest.fixture(autouse=True)
def dummy_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever reaches AWS: dummy credentials and region, no profile or config file."""
    for name in (
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_OMICS",
        "AWS_DISABLE_HOST_PREFIX_INJECTION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")


@pytest.fixture
def store(omics_emulator: EmulatorHandle, omics_client: Any) -> dict[str, Any]:
    """An ACTIVE variant store named test_store in the emulator."""
    return create_store(omics_client)


@pytest.fixture
def plugin(omics_emulator: EmulatorHandle) -> Iterator[DynamicProviderPlugin]:
    """The real dynamic-provider plugin, configured to poll fast, talking to the emulator."""
    with DynamicProviderPlugin(env=plugin_env(omics_emulator), config=FAST_POLL_CONFIG) as running:
        yield running
