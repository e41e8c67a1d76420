"""Emulator, store, boto3 client and plugin-request helpers shared by the bench's measurements."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc

from omics_emulator.pytest_plugin import make_omics_client
from omics_emulator.server import EmulatorHandle
from omics_provider.resources.provider_base import MIN_LOCAL_POLL_SECONDS

REGION = "us-east-1"
REFERENCE_ARN = (
    "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
)
ROLE_ARN = "arn:aws:iam::123456789012:role/omics-import"
URN_PREFIX = "urn:pulumi:bench::omics-variant-import::pulumi-python:dynamic/omics:VariantImportJob"
PROVIDER_KEY = "__provider"
REPO_ROOT = Path(__file__).resolve().parent.parent


def source_uri(resource: str, index: int) -> str:
    """A realistic S3 URI (about 60 characters) for item index of resource."""
    return f"s3://genomics-data-bucket/cohort-2024/{resource}/sample-{index:05d}.vcf.gz"


def job_inputs(resource: str, store: str, items: int = 1, **extra: Any) -> dict[str, Any]:
    """Checked, normalized VariantImportJob inputs importing items files into store."""
    return {
        "resourceName": resource,
        "destinationName": store,
        "roleArn": ROLE_ARN,
        "items": [{"source": source_uri(resource, i)} for i in range(items)],
        **extra,
    }


def plugin_env(emulator: EmulatorHandle) -> dict[str, str]:
    """Environment of a plugin process that talks to emulator with dummy credentials.

    PYTHONPATH carries the repository, so the plugin can import providers defined in bench/.
    """
    path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    return {
        "PYTHONPATH": path,
        "AWS_ENDPOINT_URL_OMICS": emulator.url,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
    }


def plugin_config(scale: float = 1.0) -> dict[str, str]:
    """Stack configuration for the plugin; scale < 1 shortens every poll interval in proportion,
    down to the floor the provider accepts against a local endpoint."""
    config = {"aws:region": REGION}
    if scale != 1.0:
        defaults = {"pollInitialSeconds": 2, "pollMaxSeconds": 120, "quotaPollSeconds": 10}
        for key, seconds in defaults.items():
            interval = max(MIN_LOCAL_POLL_SECONDS, seconds * scale)
            config[f"omics-variant-import:{key}"] = f"{interval:.6f}"
    return config


def omics_client(emulator: EmulatorHandle) -> Any:
    """A boto3 omics client on emulator, configured as the provider configures its own."""
    return make_omics_client(
        emulator.url, REGION, retries={"max_attempts": 1}, max_pool_connections=64
    )


def create_stores(client: Any, names: list[str], timeout: float = 30.0) -> None:
    """Create the variant stores names and wait until each is ACTIVE."""
    for name in names:
        client.create_variant_store(name=name, reference={"referenceArn": REFERENCE_ARN})
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending:
        pending = {n for n in pending if client.get_variant_store(name=n)["status"] != "ACTIVE"}
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"stores not ACTIVE after {timeout}s: {sorted(pending)}")
        if pending:
            time.sleep(0.01)


def create_request(provider: Any, inputs: dict[str, Any]) -> Any:
    """The CreateRequest the engine sends for inputs, provider serialized as in state."""
    return proto.CreateRequest(urn=_urn(inputs), properties=_struct(provider, inputs))


def check_request(provider: Any, inputs: dict[str, Any]) -> Any:
    """The CheckRequest the engine sends for a new resource with inputs."""
    return proto.CheckRequest(
        urn=_urn(inputs), olds=_struct(None, {}), news=_struct(provider, inputs)
    )


def _urn(inputs: dict[str, Any]) -> str:
    return f"{URN_PREFIX}::{inputs['resourceName']}"


def _struct(provider: Any, props: dict[str, Any]) -> Any:
    bag = dict(props)
    if provider is not None:
        bag[PROVIDER_KEY] = serialize_provider(provider)
    return asyncio.run(rpc.serialize_properties(bag, {}))


def plain_outputs(response: Any) -> dict[str, Any]:
    """The outputs of a CreateResponse as plain Python values (without the provider)."""
    props = rpc.deserialize_properties(response.properties, keep_unknowns=True)
    return {k: v for k, v in dict(props).items() if k != PROVIDER_KEY}
