"""A variant store's import history: which files its jobs imported, or are importing now."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from omics_provider.aws.clients import AwsSettings, build_omics_client
from omics_provider.aws.errors import error_code, error_message
from omics_provider.core.errors import ProviderError
from omics_provider.core.service import JOB_ACTIVE
from omics_stack.errors import CommandError

if TYPE_CHECKING:
    from mypy_boto3_omics import OmicsClient

IMPORTED = "COMPLETED"
"""An item with this status is in the store (in a COMPLETED_WITH_FAILURES job too)."""
READERS = 4
"""Jobs read at once (GetVariantImportJob has a low request-rate quota)."""
PLAN_RETRIES = {"mode": "standard", "max_attempts": 5}


@dataclass
class StoreHistory:
    """The sources the store's jobs imported, and those of jobs still running."""

    store: str
    jobs: int = 0
    imported: set[str] = field(default_factory=set)
    running: set[str] = field(default_factory=set)

    def add_job(self, job: Any) -> None:
        """Record one GetVariantImportJob answer: each item by its own status."""
        self.jobs += 1
        for item in job.get("items", ()):
            status = item.get("jobStatus") or job.get("status")
            if status == IMPORTED:
                self.imported.add(item["source"])
            elif status in JOB_ACTIVE:  # it may still land in the store
                self.running.add(item["source"])


def omics_client(
    region: str | None, profile: str | None, endpoint: str | None, connections: int = READERS
) -> Any:
    """An omics client (standard retries) built by the provider's own builder: the same region,
    endpoint and host-prefix rule as the provider; CommandError names a bad profile or region."""
    settings = AwsSettings(region=region, profile=profile, omics_endpoint=endpoint)
    try:
        return build_omics_client(settings, None, retries=PLAN_RETRIES, connections=connections)
    except ProviderError as error:
        raise CommandError(str(error)) from None


def store_history(client: OmicsClient, store: str) -> StoreHistory:
    """Every import job into store, read in full; CommandError when the store cannot be read."""
    try:
        client.get_variant_store(name=store)
        job_ids = list(_job_ids(client, store))
        with ThreadPoolExecutor(READERS) as pool:
            jobs = list(
                pool.map(lambda job_id: client.get_variant_import_job(jobId=job_id), job_ids)
            )
    except (ClientError, BotoCoreError) as error:
        raise CommandError(_describe(store, error)) from None
    history = StoreHistory(store)
    for job in jobs:
        history.add_job(job)
    return history


def _job_ids(client: OmicsClient, store: str) -> Iterable[str]:
    pages = client.get_paginator("list_variant_import_jobs").paginate(filter={"storeName": store})
    for page in pages:
        for job in page.get("variantImportJobs", ()):
            if job.get("destinationName", store) == store:
                yield job["id"]


def _describe(store: str, error: BaseException) -> str:
    code = error_code(error)
    if code == "ResourceNotFoundException":
        return (
            f"variant store {store!r} does not exist in this region; check --store and the "
            "stack's aws:region, or leave --store out until the store exists"
        )
    if code in {"AccessDeniedException", "AccessDenied"}:
        return (
            f"access denied reading the import jobs of store {store!r}: the caller needs "
            "omics:GetVariantStore, omics:ListVariantImportJobs and omics:GetVariantImportJob"
        )
    if code is None:
        return f"cannot read store {store!r}: {type(error).__name__}: {error}"
    return f"cannot read the import jobs of store {store!r}: {code}: {error_message(error)}"
