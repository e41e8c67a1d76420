"""What every store resource shares: common input checks, diff, outputs, and the provider."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.kinds import StoreKind
from omics_provider.core.properties import contains_unknown, pick
from omics_provider.core.redaction import redact
from omics_provider.core.service import KEY_ARN_HINT, REFERENCE_HINT
from omics_provider.core.validation import Checker
from omics_provider.flows.store import StoreFlow, StoreSpec
from omics_provider.resources.provider_base import OmicsProvider, reported

COMMON_REPLACING = ("name", "referenceArn", "sseConfig", "tags", "region")
"""Inputs of every store that HealthOmics cannot change: changing one replaces the store."""
IN_PLACE = ("description", "adoptExisting", "forceDestroy")
"""Inputs updated in place: the description through the kind's update, the flags in state only."""


def output_keys(prefix: str) -> tuple[str, ...]:
    """The outputs of a store (prefix store) or store version (prefix version)."""
    return (
        f"{prefix}Id",
        f"{prefix}Arn",
        "status",
        "statusMessage",
        f"{prefix}SizeBytes",
        "creationTime",
    )


OUTPUT_KEYS = output_keys("store")
STORE_TIMEOUT_SECONDS = 3600.0
"""How long create, update and delete wait for the store to settle."""

SSE_HINT = "sseConfig is a map {type: KMS, keyArn: <optional KMS key ARN>}"


def input_keys(replacing: tuple[str, ...]) -> tuple[str, ...]:
    """Every input key of a store resource whose replacing inputs are replacing."""
    return ("resourceName", *replacing, *IN_PLACE)


def check_common(
    checker: Checker, kind: StoreKind, inputs: Mapping[str, Any], reference_required: bool
) -> None:
    """Check the inputs every store takes: name, referenceArn, description, sseConfig, tags,
    the flags and region."""
    if checker.required("name", inputs.get("name"), kind.name_hint):
        checker.shape_string("name", inputs["name"], "StoreName", kind.name_hint)
    reference = inputs.get("referenceArn")
    if reference_required:
        checker.required("referenceArn", reference, REFERENCE_HINT)
    if reference is not None and reference != "":
        checker.shape_string("referenceArn", reference, "ReferenceArn", REFERENCE_HINT)
    _check_sse_config(checker, inputs.get("sseConfig"))
    check_shared(checker, inputs)


def check_shared(checker: Checker, inputs: Mapping[str, Any]) -> None:
    """Check the inputs stores and store versions share: description, tags, flags, region."""
    if inputs.get("description") is not None:
        checker.shape_string(
            "description",
            inputs["description"],
            "Description",
            "a description of 0 to 500 characters",
        )
    checker.string_map("tags", inputs.get("tags"), "TagMap", "tag names to tag values")
    for flag in ("adoptExisting", "forceDestroy"):
        checker.boolean(flag, inputs.get(flag))
    checker.region("region", inputs.get("region"))


def _check_sse_config(checker: Checker, sse: Any) -> None:
    if sse is None or contains_unknown(sse):
        return
    if not isinstance(sse, Mapping) or not set(sse) <= {"type", "keyArn"}:
        checker.fail("sseConfig", f"must be a map with the keys type and keyArn; {SSE_HINT}")
        return
    checker.enum("sseConfig.type", sse.get("type"), "EncryptionType")
    if sse.get("keyArn") is not None:
        checker.shape_string(
            "sseConfig.keyArn", sse["keyArn"], "SseConfigKeyArnString", KEY_ARN_HINT
        )


def comparable(props: Mapping[str, Any], key: str) -> Any:
    """The value of input key in the form in which two values compare (unset == empty)."""
    value = props.get(key)
    if key == "description":
        return value or ""
    if key in ("tags", "sseConfig", "storeOptions", "versionOptions"):
        return dict(value or {})
    if key in ("adoptExisting", "forceDestroy"):
        return bool(value)
    return value


def diff_store(
    replacing: tuple[str, ...], olds: Mapping[str, Any], news: Mapping[str, Any]
) -> DiffResult:
    """Replace on a change of one of replacing; update description and flags in place."""
    keys = input_keys(replacing)
    old_inputs, new_inputs = pick(olds, keys), pick(news, keys)

    def changed(key: str) -> bool:
        return contains_unknown(new_inputs.get(key)) or comparable(old_inputs, key) != comparable(
            new_inputs, key
        )

    replaces = [key for key in replacing if changed(key)]
    updates = [key for key in IN_PLACE if changed(key)]
    return DiffResult(
        changes=bool(replaces or updates),
        replaces=replaces,
        # Store names are unique: a replacement that keeps the name must delete the old store first.
        delete_before_replace=bool(replaces) and "name" not in replaces,
    )


def store_outputs(kind: StoreKind, store: Mapping[str, Any]) -> dict[str, Any]:
    """The resource outputs that describe store (inputs are added by the caller)."""
    prefix = kind.prefix
    outputs: dict[str, Any] = {
        f"{prefix}Id": str(store["id"]),
        f"{prefix}Arn": str(store.get(f"{prefix}Arn", "")),
        "status": str(store.get("status", "")),
        "statusMessage": redact(str(store.get("statusMessage", ""))),
        f"{prefix}SizeBytes": int(store.get(f"{prefix}SizeBytes") or 0),
    }
    if isinstance(store.get("creationTime"), datetime):
        outputs["creationTime"] = store["creationTime"].isoformat()
    return outputs


def live_inputs(inputs: Mapping[str, Any], store: Mapping[str, Any]) -> dict[str, Any]:
    """inputs with the reference and description the live store has (drift shows at the next up)."""
    live = dict(inputs)
    reference = (store.get("reference") or {}).get("referenceArn")
    if reference is not None or inputs.get("referenceArn") is not None:
        live["referenceArn"] = reference
    if inputs.get("description") is not None or store.get("description"):
        live["description"] = store.get("description", "")
    return live


class StoreProvider(OmicsProvider):
    """Creates, adopts, refreshes, updates and deletes the stores of one StoreKind.

    Subclasses name the kind, their replacing inputs and their check; all calls go to StoreFlow.
    """

    store_kind: ClassVar[StoreKind]
    replacing: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.store_kind.resource

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replace on a change HealthOmics cannot make in place; update description and flags."""
        return diff_store(self.replacing, olds, news)

    def normalize(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The resource's inputs from props."""
        return pick(props, input_keys(self.replacing))

    def spec_of(self, inputs: Mapping[str, Any]) -> StoreSpec:
        """What the normalized inputs declare."""
        return StoreSpec.from_inputs(self.store_kind, inputs)

    def key_of(self, inputs: Mapping[str, Any]) -> dict[str, str]:
        """The request members that name the store the inputs declare."""
        return self.spec_of(inputs).key(self.store_kind)

    def outputs(self, store: Mapping[str, Any]) -> dict[str, Any]:
        """The outputs that describe store."""
        return store_outputs(self.store_kind, store)

    @reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the store (or adopt it, with adoptExisting) and wait until it is ACTIVE.

        If this raises after the store was created, the store exists unrecorded: the next
        `pulumi up` reports that it exists and suggests adoptExisting.
        """
        inputs = self.normalize(props)
        spec = self.spec_of(inputs)
        store = self._flow(inputs).create(spec, inputs.get("adoptExisting") is True)
        return CreateResult(str(store["id"]), {**inputs, **self.outputs(store)})

    @reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Read the live store; a store that no longer exists is reported gone (an empty id).

        Unlike an import job, a deleted store really is gone, data included: Pulumi drops it from
        the state and the next `pulumi up` creates an empty store again. Drift in the description
        or the reference is written back to the inputs, so the next `up` shows it.
        """
        inputs = self.normalize(props)
        store = self._flow(inputs).find(self.key_of(inputs), id_)
        if store is None:
            return ReadResult(None, {})
        live = live_inputs(inputs, store)
        return ReadResult(id_, {**live, **self.outputs(store)}, live)

    @reported
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Change the description in place (the flags need no call); return the full outputs."""
        inputs = self.normalize(news)
        if comparable(olds, "description") == comparable(inputs, "description"):
            return UpdateResult({**pick(olds, output_keys(self.store_kind.prefix)), **inputs})
        store = self._flow(inputs).update_description(
            self.key_of(inputs), str(inputs.get("description") or "")
        )
        return UpdateResult({**inputs, **self.outputs(store)})

    @reported
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the store and wait until it is gone; a store holding data needs forceDestroy."""
        inputs = self.normalize(props)
        force = inputs.get("forceDestroy") is True
        self._flow(inputs).delete(self.key_of(inputs), id_, force)

    def _flow(self, inputs: Mapping[str, Any]) -> StoreFlow:
        client = self.client(inputs.get("region"))
        api = OmicsApi(client, self.context(inputs))
        return StoreFlow(api, self.store_kind, self.settings.status_poll, STORE_TIMEOUT_SECONDS)
