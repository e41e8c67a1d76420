"""The store flow: create or adopt a store of any kind, wait for it, describe it, delete it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from omics_provider.aws.calls import CLOCK_SKEW
from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.errors import (
    ConflictError,
    OutcomeUnknownError,
    ProviderError,
    ResourceMissingError,
)
from omics_provider.core.kinds import StoreKind
from omics_provider.core.service import STORE_TRANSITIONAL
from omics_provider.core.timing import Backoff, Deadline, polls

StoreKey = Mapping[str, str]
"""The request members that name one store (`name`) or store version (`name`, `versionName`)."""


@dataclass(frozen=True)
class StoreSpec:
    """The store (or store version) a resource declares."""

    name: str
    reference_arn: str | None = None
    description: str | None = None
    sse_config: Mapping[str, str] | None = None
    tags: Mapping[str, str] | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    """The kind's own create arguments that are set (storeFormat, storeOptions, versionName)."""

    @classmethod
    def from_inputs(cls, kind: StoreKind, inputs: Mapping[str, Any]) -> StoreSpec:
        """The spec of checked, normalized resource inputs of a store of kind."""
        return cls(
            name=inputs["name"],
            reference_arn=inputs.get("referenceArn"),
            description=inputs.get("description"),
            sse_config=inputs.get("sseConfig"),
            tags=inputs.get("tags"),
            settings={k: inputs[k] for k in kind.create_settings if inputs.get(k) is not None},
        )

    def create_request(self) -> dict[str, Any]:
        """The create arguments for this spec."""
        request: dict[str, Any] = {"name": self.name, **self.settings}
        optional = {
            "reference": {"referenceArn": self.reference_arn} if self.reference_arn else None,
            "description": self.description,
            "sseConfig": self.sse_config,
        }
        request.update({k: v for k, v in optional.items() if v is not None})
        if self.tags:
            request["tags"] = dict(self.tags)
        return request

    def mismatch(self, store: Mapping[str, Any]) -> tuple[str, Any, Any] | None:
        """The first input a store cannot change that store has otherwise than this spec:
        (input, live value, declared value); None when the store has every one as declared.

        Settings the store does not show (an annotation store's versionName) are not compared.
        """
        live_reference = (store.get("reference") or {}).get("referenceArn")
        if live_reference != self.reference_arn:
            return "referenceArn", live_reference, self.reference_arn
        for key, value in self.settings.items():
            if key in store and store[key] != value:
                return key, store[key], value
        return None

    def key(self, kind: StoreKind) -> dict[str, str]:
        """The request members that name what this spec creates (its name; a version's name)."""
        request = self.create_request()
        return {member: str(request[member]) for member in kind.key}

    def describes(self, store: Mapping[str, Any]) -> bool:
        """True when store is what this spec would create: its reference, settings, description,
        keys."""
        sse = store.get("sseConfig") or {}
        wanted_sse = self.sse_config or {}
        return (
            self.mismatch(store) is None
            and (self.description is None or store.get("description", "") == self.description)
            and all(sse.get(key) == value for key, value in wanted_sse.items())
        )


class StoreFlow:
    """One resource's store of one kind: create or adopt, refresh, describe, delete.

    Each public method is one operation: its calls and waits are bounded by one deadline,
    timeout_seconds from its start, handed to every call it makes.
    """

    def __init__(
        self, api: OmicsApi, kind: StoreKind, status_poll: Backoff, timeout_seconds: float
    ) -> None:
        self.api = api
        self.kind = kind
        self.status_poll = status_poll
        self.timeout_seconds = timeout_seconds
        self.ctx = api.ctx
        self.progress = api.ctx.progress

    def create(self, spec: StoreSpec, adopt: bool) -> dict[str, Any]:
        """Create the store (with adopt, take over the one of that name) and wait until ACTIVE.

        If this raises after the store was created, the store exists unrecorded: the next
        `pulumi up` reports that it exists and suggests adoptExisting.
        """
        key, deadline = spec.key(self.kind), self._deadline()
        response = self._request_create(spec, deadline)
        if response is None:
            if not adopt:
                raise self.ctx.error(
                    f"{self.kind.label(key)} already exists",
                    "set adoptExisting: true to take it over (`pulumi import` does not work for "
                    "dynamic resources), or choose another name",
                )
            return self._adopt(spec, deadline)
        self.progress.line(f"creating {self.kind.label(key)} ({response['id']})")
        return self._wait(key, deadline)

    def _deadline(self) -> Deadline:
        """The deadline of an operation starting now."""
        return Deadline.after(self.ctx.clock, self.timeout_seconds)

    def _request_create(self, spec: StoreSpec, deadline: Deadline) -> Mapping[str, Any] | None:
        """The kind's create (None when the name is taken), never repeated blindly.

        After a failure that may have created the store (a 5xx, or no answer), a store of that
        name created since the attempt, as this spec describes it, is taken as this call's.
        """
        delays = self.ctx.retry_backoff.jittered(self.ctx.rand)
        while True:
            attempted_at = datetime.now(UTC)
            try:
                return self.api.create_store(self.kind, spec.create_request(), deadline=deadline)
            except ConflictError:
                return None
            except OutcomeUnknownError as unknown:
                deadline.sleep(next(delays))
                created = self._created_since(spec, attempted_at - CLOCK_SKEW, deadline)
                if created is not None:
                    return created
                if deadline.expired():
                    raise ProviderError(**unknown.fields()) from None

    def _created_since(
        self, spec: StoreSpec, since: datetime, deadline: Deadline
    ) -> Mapping[str, Any] | None:
        """The store spec names if it was created at or after since as spec describes it."""
        store = self._find(spec.key(self.kind), None, deadline)
        if store is None or not spec.describes(store):
            return None
        created = store.get("creationTime")
        return store if isinstance(created, datetime) and created >= since else None

    def adopt(self, spec: StoreSpec) -> dict[str, Any]:
        """The existing store spec names, ACTIVE, with the declared description."""
        return self._adopt(spec, self._deadline())

    def _adopt(self, spec: StoreSpec, deadline: Deadline) -> dict[str, Any]:
        key = spec.key(self.kind)
        live = self.api.get_store(self.kind, key, deadline=deadline)
        mismatch = spec.mismatch(live)
        if mismatch is not None:
            prop, live_value, declared = mismatch
            raise self.ctx.error(
                f"adoptExisting: {self.kind.label(key)} has {prop} {live_value}, not {declared}; "
                f"its {prop} cannot change",
                f"set {prop} to the {self.kind.prefix}'s {prop} or choose another name",
            )
        self.progress.line(f"adopted existing {self.kind.label(key)} ({live['id']})")
        store = self._wait(key, deadline)
        if spec.description is not None and spec.description != store.get("description", ""):
            store = self._update_description(key, spec.description, deadline)
        return store

    def find(self, key: StoreKey, store_id: str | None = None) -> dict[str, Any] | None:
        """The store key names (and, if given, with id store_id), or None when there is none."""
        return self._find(key, store_id, self._deadline())

    def _find(
        self, key: StoreKey, store_id: str | None, deadline: Deadline
    ) -> dict[str, Any] | None:
        try:
            store = dict(self.api.get_store(self.kind, key, deadline=deadline))
        except ResourceMissingError:
            return None
        if store_id is not None and store.get("id") != store_id:
            return None  # the name now belongs to another store, created since
        return store

    def wait(self, key: StoreKey) -> dict[str, Any]:
        """Poll the store until it is ACTIVE and return it; ProviderError if FAILED or too slow."""
        return self._wait(key, self._deadline())

    def _wait(self, key: StoreKey, deadline: Deadline) -> dict[str, Any]:
        store: dict[str, Any] = {}
        for _ in polls(self.status_poll, deadline):
            store = dict(self.api.get_store(self.kind, key, deadline=deadline))
            status = str(store.get("status"))
            self.progress.status(status, f"{self.kind.label(key)}: {status}")
            if status not in STORE_TRANSITIONAL:
                break
        else:
            raise self.ctx.error(
                f"{self.kind.label(key)} is still {store.get('status')}",
                "run `pulumi up` again to keep waiting",
            )
        if store.get("status") != "ACTIVE":
            raise self.ctx.error(
                f"{self.kind.label(key)} is {store.get('status')} "
                f"({store.get('statusMessage') or 'no status message'})",
                "delete it (or fix the reference and KMS settings) and run `pulumi up` again",
            )
        return store

    def update_description(self, key: StoreKey, description: str) -> dict[str, Any]:
        """Set the store's description in place and return the store once ACTIVE again."""
        return self._update_description(key, description, self._deadline())

    def _update_description(
        self, key: StoreKey, description: str, deadline: Deadline
    ) -> dict[str, Any]:
        self.api.update_store_description(self.kind, key, description, deadline=deadline)
        self.progress.line(f"updated the description of {self.kind.label(key)}")
        return self._wait(key, deadline)

    def delete(self, key: StoreKey, store_id: str, force: bool) -> None:
        """Delete the store and wait until it is gone; refuse a store holding data unless force."""
        deadline = self._deadline()
        store = self._find(key, store_id, deadline)
        if store is None:
            return
        size_key = f"{self.kind.prefix}SizeBytes"
        size = int(store.get(size_key) or 0)
        if size > 0 and not force:
            raise self.ctx.error(
                f"{self.kind.label(key)} holds imported data ({size_key}={size}); deleting it "
                f"deletes those {self.kind.data_noun} for good, so it is refused",
                "to delete it on purpose, set forceDestroy: true, run `pulumi up`, then destroy "
                "again",
            )
        if store.get("status") != "DELETING":
            try:
                self.api.delete_store(self.kind, key, force, deadline=deadline)
            except ResourceMissingError:
                return
        self.progress.line(f"deleting {self.kind.label(key)}")
        for _ in polls(self.status_poll, deadline):
            store = self._find(key, store_id, deadline)
            if store is None:
                return
        raise self.ctx.error(
            f"{self.kind.label(key)} is still {store.get('status')}",
            "run destroy again to keep waiting",
        )
