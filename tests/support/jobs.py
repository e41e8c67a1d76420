"""Builders for import job inputs, variant stores in the emulator, and plugin environments."""

from __future__ import annotations

import io
import time
from typing import Any

from omics_emulator import EmulatorHandle
from omics_provider.aws.calls import CallContext
from omics_provider.aws.clients import AwsSettings, build_omics_client
from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.kinds import VARIANT_IMPORT, VARIANT_STORE, JobKind, StoreKind
from omics_provider.core.progress import Progress
from omics_provider.core.timing import SYSTEM_CLOCK, Backoff, Clock, Deadline
from omics_provider.flows.import_job import ImportJobFlow, JobOwners, JobPolicy
from omics_provider.flows.job_board import JobBoard
from omics_provider.flows.store import StoreFlow

REFERENCE_ARN = (
    "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
)
ROLE_ARN = "arn:aws:iam::123456789012:role/omics-import"
STORE = "test_store"

FAST_STATUS_POLL = Backoff(0.02, 2.0, 0.1)
STORE_SECONDS = 30.0
"""How long a store operation (or a call a test makes directly) may take against the emulator."""

FAST_POLL_CONFIG = {
    "aws:region": "us-east-1",
    "omics-variant-import:pollInitialSeconds": "0.02",
    "omics-variant-import:pollMaxSeconds": "0.1",
    "omics-variant-import:quotaPollSeconds": "0.05",
}


def job_inputs(*sources: str, **overrides: Any) -> dict[str, Any]:
    """Checked-looking inputs of one VariantImportJob into STORE."""
    inputs: dict[str, Any] = {
        "resourceName": "batch",
        "destinationName": STORE,
        "roleArn": ROLE_ARN,
        "items": [{"source": s} for s in (sources or ("s3://samples-bucket/a.vcf",))],
    }
    inputs.update(overrides)
    return inputs


def plugin_env(emulator: EmulatorHandle, **extra: str) -> dict[str, str]:
    """The plugin's environment: boto3 pointed at the emulator, dummy credentials."""
    return {
        "AWS_ENDPOINT_URL_OMICS": emulator.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        **extra,
    }


def create_store(client: Any, name: str = STORE) -> dict[str, Any]:
    """Create a variant store in the emulator and wait until it is ACTIVE."""
    client.create_variant_store(name=name, reference={"referenceArn": REFERENCE_ARN})
    for _ in range(200):
        store = client.get_variant_store(name=name)
        if store["status"] == "ACTIVE":
            return dict(store)
        time.sleep(0.01)
    raise AssertionError(f"store {name} never became ACTIVE")


def jobs_into(emulator: EmulatorHandle, store: str = STORE) -> list[dict[str, Any]]:
    """Every job the emulator holds for store."""
    return [job for job in emulator.backend.jobs() if job["destinationName"] == store]


def call_context(clock: Clock = SYSTEM_CLOCK) -> CallContext:
    """A CallContext printing to a StringIO, with fast retries that never wait long."""
    progress = Progress("VariantImportJob", "batch", clock, io.StringIO())
    return CallContext(progress, clock, Backoff(0.01, 2, 0.1))


def emulator_api(emulator: EmulatorHandle, clock: Clock = SYSTEM_CLOCK) -> OmicsApi:
    """An OmicsApi with a client of the provider's own kind on emulator."""
    settings = AwsSettings(region="us-east-1", omics_endpoint=emulator.url)
    return OmicsApi(build_omics_client(settings, None), call_context(clock))


def a_while(clock: Clock = SYSTEM_CLOCK) -> Deadline:
    """A deadline for calls a test makes directly: STORE_SECONDS from now."""
    return Deadline.after(clock, STORE_SECONDS)


def job_flow(
    emulator: EmulatorHandle,
    clock: Clock = SYSTEM_CLOCK,
    status_poll: Backoff = FAST_STATUS_POLL,
    quota_poll_seconds: float = 0.05,
    timeout_seconds: float = 30.0,
    board: JobBoard | None = None,
    owners: JobOwners | None = None,
    kind: JobKind = VARIANT_IMPORT,
) -> ImportJobFlow:
    """An ImportJobFlow polling fast, talking to emulator, as if alone in a plugin process
    (a fresh board and owners) unless board and owners are given."""
    policy = JobPolicy(status_poll, quota_poll_seconds, timeout_seconds)
    api = emulator_api(emulator, clock)
    return ImportJobFlow(api, kind, board or JobBoard(clock), policy, owners or JobOwners())


def store_flow(
    emulator: EmulatorHandle, client: Any | None = None, kind: StoreKind = VARIANT_STORE
) -> StoreFlow:
    """A StoreFlow polling fast, with client (default: one of the provider's own kind)."""
    api = emulator_api(emulator)
    if client is not None:
        api.client = client
    return StoreFlow(api, kind, FAST_STATUS_POLL, STORE_SECONDS)


def progress_text(flow: ImportJobFlow | StoreFlow) -> str:
    """What the flow's progress printed."""
    stream = flow.progress.stream
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()
