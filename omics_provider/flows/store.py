"""Variant stores as plain operations: create or adopt, wait, read, describe, delete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from omics_provider.aws.calls import CLOCK_SKEW, CallContext, call
from omics_provider.aws.errors import error_code
from omics_provider.core.errors import OutcomeUnknownError, ProviderError, ResourceMissingError
from omics_provider.core.timing import Backoff, poll_until

if TYPE_CHECKING:
    from mypy_boto3_omics import OmicsClient

TRANSITIONAL = frozenset({"CREATING", "UPDATING"})
"""Store statuses that end by themselves (in ACTIVE or FAILED)."""
DELETE_HINT = (
    "cancel the import jobs still running into the store, or set forceDestroy: true "
    "(run `pulumi up` so the setting is stored) and destroy again"
)


@dataclass(frozen=True)
class StoreSpec:
    """The store a VariantStore declares."""

    name: str
    reference_arn: str
    description: str | None = None
    sse_config: Mapping[str, str] | None = None
    tags: Mapping[str, str] | None = None

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> StoreSpec:
        """The spec of checked, normalized resource inputs."""
        return cls(
            name=inputs["name"],
            reference_arn=inputs["referenceArn"],
            description=inputs.get("description"),
            sse_config=inputs.get("sseConfig"),
            tags=inputs.get("tags"),
        )

    def create_request(self) -> dict[str, Any]:
        """The CreateVariantStore arguments for this spec."""
        request: dict[str, Any] = {
            "name": self.name,
            "reference": {"referenceArn": self.reference_arn},
        }
        optional = {"description": self.description, "sseConfig": self.sse_config}
        request.update({k: v for k, v in optional.items() if v is not None})
        if self.tags:
            request["tags"] = dict(self.tags)
        return request


@dataclass
class StoreSession:
    """What the operations on one resource's store share: client, messages, deadline, polling."""

    client: OmicsClient
    ctx: CallContext
    status_poll: Backoff

    def get_store(self, name: str) -> dict[str, Any]:
        """GetVariantStore, retried on transient failures; ResourceMissingError when gone."""
        return dict(call(self.ctx, "GetVariantStore", self.client.get_variant_store, name=name))


def find_store(
    session: StoreSession, name: str, store_id: str | None = None
) -> dict[str, Any] | None:
    """The store named name (and, if given, with id store_id), or None when there is none."""
    try:
        store = session.get_store(name)
    except ResourceMissingError:
        return None
    if store_id is not None and store.get("id") != store_id:
        return None  # the name now belongs to another store, created since
    return store


def create_store(session: StoreSession, spec: StoreSpec, adopt: bool) -> dict[str, Any]:
    """Create the store (or, with adopt, take over the one of that name) and wait until ACTIVE."""
    response = _request_create(session, spec)
    if response is None:
        if not adopt:
            raise ProviderError(
                f"{session.ctx.resource}: a variant store named {spec.name!r} already exists; "
                "set adoptExisting: true to take it over (`pulumi import` does not work for "
                "dynamic resources), or choose another name"
            )
        return adopt_store(session, spec)
    session.ctx.progress.line(f"creating store {spec.name} ({response['id']})")
    return wait_for_store(session, spec.name)


def _request_create(session: StoreSession, spec: StoreSpec) -> dict[str, Any] | None:
    """CreateVariantStore (None when the name is taken), never repeated blindly.

    After a failure that may have created the store (a 5xx, or no answer), a store of that name
    created since the attempt is taken as the one this call created.
    """
    delays = session.ctx.retry_backoff.intervals()
    while True:
        attempted_at = datetime.now(UTC)
        try:
            response: dict[str, Any] | None = call(
                session.ctx,
                "CreateVariantStore",
                _create_unless_exists(session),
                idempotent=False,
                **spec.create_request(),
            )
            return response
        except OutcomeUnknownError as unknown:
            session.ctx.deadline.sleep(next(delays))
            created = _created_since(session, spec.name, attempted_at - CLOCK_SKEW)
            if created is not None:
                return created
            if session.ctx.deadline.expired():
                raise ProviderError(str(unknown)) from None


def _created_since(session: StoreSession, name: str, since: datetime) -> dict[str, Any] | None:
    """The store named name if it was created at or after since, else None."""
    store = find_store(session, name)
    created = store.get("creationTime") if store else None
    return store if isinstance(created, datetime) and created >= since else None


def _create_unless_exists(session: StoreSession) -> Any:
    """CreateVariantStore that returns None instead of failing when the name is taken."""

    def create(**request: Any) -> dict[str, Any] | None:
        try:
            return dict(session.client.create_variant_store(**request))
        except ClientError as error:
            if error_code(error) == "ConflictException":
                return None
            raise

    return create


def adopt_store(session: StoreSession, spec: StoreSpec) -> dict[str, Any]:
    """The existing store spec names, ACTIVE, with the declared description."""
    store = session.get_store(spec.name)
    live_reference = store.get("reference", {}).get("referenceArn")
    if live_reference != spec.reference_arn:
        raise ProviderError(
            f"{session.ctx.resource}: adoptExisting: store {spec.name!r} uses reference "
            f"{live_reference}, not {spec.reference_arn}; a store's reference cannot change, "
            "so set referenceArn to the store's reference or choose another name"
        )
    session.ctx.progress.line(f"adopted existing store {spec.name} ({store['id']})")
    store = wait_for_store(session, spec.name)
    if spec.description is not None and spec.description != store.get("description", ""):
        store = update_description(session, spec.name, spec.description)
    return store


def wait_for_store(session: StoreSession, name: str) -> dict[str, Any]:
    """Poll the store until it is ACTIVE and return it; ProviderError when it FAILED or is gone."""
    store = poll_until(
        read=lambda: session.get_store(name),
        done=lambda s: s.get("status") not in TRANSITIONAL,
        backoff=session.status_poll,
        deadline=session.ctx.deadline,
        timeout_message=lambda s: (
            f"{session.ctx.resource}: store {name} is still {s.get('status')}; "
            "run `pulumi up` again to keep waiting"
        ),
        report=lambda s: _report(session, s),
    )
    if store.get("status") != "ACTIVE":
        raise ProviderError(
            f"{session.ctx.resource}: store {name} is {store.get('status')} "
            f"({store.get('statusMessage') or 'no status message'}); delete it (or fix the "
            "reference and KMS settings) and run `pulumi up` again"
        )
    return store


def _report(session: StoreSession, store: Mapping[str, Any]) -> None:
    status = str(store.get("status"))
    session.ctx.progress.status(status, f"store {store.get('name')}: {status}")


def update_description(session: StoreSession, name: str, description: str) -> dict[str, Any]:
    """Set the store's description in place and return the store once ACTIVE again."""
    call(
        session.ctx,
        "UpdateVariantStore",
        session.client.update_variant_store,
        name=name,
        description=description,
    )
    session.ctx.progress.line(f"updated the description of store {name}")
    return wait_for_store(session, name)


def delete_store(session: StoreSession, name: str, store_id: str, force: bool) -> None:
    """Delete the store and wait until it is gone; refuse a store holding data unless force."""
    store = find_store(session, name, store_id)
    if store is None:
        return
    size = int(store.get("storeSizeBytes") or 0)
    if size > 0 and not force:
        raise ProviderError(
            f"{session.ctx.resource}: store {name} holds imported data (storeSizeBytes={size}); "
            "deleting it deletes those variants for good, so it is refused. To delete it on "
            "purpose, set forceDestroy: true, run `pulumi up`, then destroy again"
        )
    if store.get("status") != "DELETING":
        try:
            call(
                session.ctx,
                "DeleteVariantStore",
                session.client.delete_variant_store,
                hints={"ConflictException": DELETE_HINT},
                name=name,
                force=force,
            )
        except ResourceMissingError:
            return
    session.ctx.progress.line(f"deleting store {name}")
    poll_until(
        read=lambda: find_store(session, name, store_id),
        done=lambda s: s is None,
        backoff=session.status_poll,
        deadline=session.ctx.deadline,
        timeout_message=lambda s: (
            f"{session.ctx.resource}: store {name} is still {(s or {}).get('status')}; "
            "run destroy again to keep waiting"
        ),
    )


def store_outputs(store: Mapping[str, Any]) -> dict[str, Any]:
    """The resource outputs that describe store."""
    outputs: dict[str, Any] = {
        "storeId": str(store["id"]),
        "storeArn": str(store.get("storeArn", "")),
        "status": str(store.get("status", "")),
        "statusMessage": str(store.get("statusMessage", "")),
        "storeSizeBytes": int(store.get("storeSizeBytes") or 0),
    }
    if isinstance(store.get("creationTime"), datetime):
        outputs["creationTime"] = store["creationTime"].isoformat()
    return outputs
