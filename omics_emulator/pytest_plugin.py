"""pytest fixtures: a fast emulator per test and boto3 omics clients whose responses are checked.

Every response the ``omics_client`` fixture receives is checked against botocore's output
shape (see ``conformance``); a test whose responses drift from the real API fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from omics_emulator.conformance import response_violations
from omics_emulator.server import EmulatorHandle, start_emulator
from omics_emulator.settings import EmulatorSettings

FAST_SETTINGS = {"store_seconds": 0.05, "job_seconds": 0.2}


def make_omics_client(url: str, region: str = "us-east-1", **config: Any) -> Any:
    """A boto3 omics client bound to ``url``: no host prefix, dummy credentials.

    ``config`` goes to ``botocore.config.Config`` (e.g. ``retries={"total_max_attempts": 1}``,
    ``parameter_validation=False``).
    """
    return boto3.client(
        "omics",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(inject_host_prefix=False, **config),
    )


class ConformanceRecorder:
    """Collects output-shape violations of every response a client receives."""

    def __init__(self) -> None:
        self.checked = 0
        self.violations: list[str] = []

    def attach(self, client: Any) -> Any:
        """Check each of ``client``'s successful responses from now on; return the client."""
        client.meta.events.register("after-call.omics", self._on_response)
        return client

    def _on_response(self, http_response: Any, model: Any, **_: Any) -> None:
        if not 200 <= http_response.status_code < 300:
            return
        self.checked += 1
        body = json.loads(http_response.content or b"{}")
        self.violations += response_violations(model, body)


@pytest.fixture
def omics_emulator_settings() -> EmulatorSettings:
    """Settings of the ``omics_emulator`` fixture; override this fixture to change them."""
    return EmulatorSettings(**FAST_SETTINGS)  # type: ignore[arg-type]


@pytest.fixture
def omics_emulator(omics_emulator_settings: EmulatorSettings) -> Iterator[EmulatorHandle]:
    """A running emulator with fast timings, stopped after the test."""
    with start_emulator(omics_emulator_settings) as handle:
        yield handle


@pytest.fixture
def omics_conformance() -> Iterator[ConformanceRecorder]:
    """The recorder of output-shape violations; the test fails if any was recorded."""
    recorder = ConformanceRecorder()
    yield recorder
    assert not recorder.violations, "responses drift from botocore's output shapes:\n" + "\n".join(
        recorder.violations
    )


@pytest.fixture
def omics_client_factory(
    omics_emulator: EmulatorHandle, omics_conformance: ConformanceRecorder
) -> Callable[..., Any]:
    """Build more clients on the emulator, e.g. ``factory(retries={"total_max_attempts": 1})``."""

    def factory(**config: Any) -> Any:
        return omics_conformance.attach(make_omics_client(omics_emulator.url, **config))

    return factory


@pytest.fixture
def omics_client(omics_client_factory: Callable[..., Any]) -> Any:
    """A boto3 omics client on the emulator, us-east-1, retries off, responses checked."""
    return omics_client_factory(retries={"total_max_attempts": 1})
