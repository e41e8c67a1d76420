"""A variant store's import history: which files its jobs imported, or are importing now."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from omics_provider.surface import JOB_ACTIVE, error_code, error_message, is_aws_endpoint
from omics_stack.errors import CommandError

if TYPE_CHECKING:
    from mypy_boto3_omics import OmicsClient

IMPORTED = "COMPLETED"
"""An item with this status is in the store (in a COMPLETED_WITH_FAILURES job too)."""
READERS = 4
"""Jobs read at once (GetVariantImportJob has a low request-rate quota)."""


@dataclass
class StoreHistory:
    """The sources the store's jobs imported, and those of jobs still running."""

    store: str
    jobs: int = 0
    imported: set[str] = field(default_factory=set)
    running: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    """Every source any job listed, whatever became of it."""

    def add_job(self, job: Any) -> None:
        """Record one GetVariantImportJob answer: each item by its own status."""
        self.jobs += 1
        for item in job.get("items", ()):
            self.listed.add(item["source"])
            status = item.get("jobStatus") or job.get("status")
            if status == IMPORTED:
                self.imported.add(item["source"])
            elif status in JOB_ACTIVE:  # it may still land in the store
                self.running.add(item["source"])


def omics_client(
    region: str | None, profile: str | None, endpoint: str | None, connections: int = READERS
) -> Any:
    """An omics client (standard retries); a custom endpoint gets no `analytics-` host prefix."""
    session = boto3.session.Session(profile_name=profile)
    custom = endpoint is not None and not is_aws_endpoint(endpoint)
    # Left unset otherwise: botocore then honours AWS_DISABLE_HOST_PREFIX_INJECTION and the
    # config file's disable_host_prefix_injection (for an endpoint from AWS_ENDPOINT_URL_OMICS).
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=connections,
        connect_timeout=10,
        read_timeout=60,
    )
    if custom:
        config = config.merge(Config(inject_host_prefix=False))
    return session.client(
        "omics", region_name=region or session.region_name, endpoint_url=endpoint, config=config
    )


def store_history(client: OmicsClient, store: str, missing_ok: bool = False) -> StoreHistory:
    """Every import job into store, read in full; CommandError when the store cannot be read.

    With missing_ok, a store that does not exist (yet) has an empty history.
    """
    try:
        client.get_variant_store(name=store)
        job_ids = list(_job_ids(client, store))
        with ThreadPoolExecutor(READERS) as pool:
            jobs = list(
                pool.map(lambda job_id: client.get_variant_import_job(jobId=job_id), job_ids)
            )
    except (ClientError, BotoCoreError) as error:
        if missing_ok and error_code(error) == "ResourceNotFoundException":
            return StoreHistory(store)
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
