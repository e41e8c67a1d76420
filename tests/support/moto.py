"""pytest fixtures: a moto server on loopback (IAM, S3, STS) for a module, and an IAM client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """A moto server on a free loopback port for the module's tests, stopped after them."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def iam(moto_url: str) -> Any:
    """An IAM client on the module's moto server, with moto's dummy credentials."""
    return boto3.client(
        "iam",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
