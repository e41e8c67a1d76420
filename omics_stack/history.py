"""A variant store's import history: which files its jobs imported, or are importing now."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from omics_provider.surface import (
    SYSTEM_CLOCK,
    VARIANT_IMPORT,
    AwsSettings,
    CallContext,
    Deadline,
    Holdings,
    OmicsApi,
    Progress,
    ProviderError,
    build_omics_client,
    error_code,
    error_message,
    read_store,
)
from omics_stack.errors import CommandError

if TYPE_CHECKING:
    from mypy_boto3_omics import OmicsClient

READERS = 4
"""Connections of the client (the shared reader reads this many jobs at once)."""
PLAN_RETRIES = {"mode": "standard", "max_attempts": 5}
READ_SECONDS = 15 * 60.0
"""How long reading a store's history may take, retries included."""


@dataclass
class StoreHistory:
    """The sources the store's jobs imported, and those of jobs still running."""

    store: str
    jobs: int = 0
    imported: set[str] = field(default_factory=set)
    running: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    """Every source a job imported or is importing (verify --exclude: which batches ran)."""

    @classmethod
    def of(cls, holdings: Holdings) -> StoreHistory:
        """The history as the provider's shared reader found it (the same rule as `up`)."""
        held, running = set(holdings.held), set(holdings.running)
        return cls(holdings.store, holdings.jobs, held, running, held | running)


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


def store_history(client: OmicsClient, store: str, missing_ok: bool = False) -> StoreHistory:
    """Every import job into store, read once by the provider's own history reader (the same
    one every create uses); CommandError when the store cannot be read.

    With missing_ok, a store that does not exist (yet) has an empty history.
    """
    try:
        client.get_variant_store(name=store)
    except (ClientError, BotoCoreError) as error:
        if missing_ok and error_code(error) == "ResourceNotFoundException":
            return StoreHistory(store)
        raise CommandError(_describe(store, error)) from None
    progress = Progress("plan --store", store, SYSTEM_CLOCK, sys.stderr)
    ctx = CallContext(progress, SYSTEM_CLOCK)
    try:
        return StoreHistory.of(
            read_store(
                OmicsApi(client, ctx),
                VARIANT_IMPORT,
                VARIANT_IMPORT.destination({"destinationName": store}),
                Deadline.after(SYSTEM_CLOCK, READ_SECONDS),
            )
        )
    except ProviderError as error:
        raise CommandError(f"cannot read the import jobs of store {store!r}: {error}") from None


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
