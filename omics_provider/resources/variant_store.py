"""The VariantStore resource: Pulumi's side (inputs, check, diff, outputs) of a variant store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.properties import contains_unknown, pick
from omics_provider.core.redaction import redact
from omics_provider.core.service import KEY_ARN_HINT, REFERENCE_HINT, STORE_NAME_HINT
from omics_provider.core.validation import Checker
from omics_provider.flows.store import StoreFlow, StoreSpec
from omics_provider.resources.provider_base import OmicsProvider, alias_snake_case, reported

REPLACING = ("name", "referenceArn", "sseConfig", "tags", "region")
"""Inputs HealthOmics cannot change on an existing store: changing one replaces the store."""
IN_PLACE = ("description", "adoptExisting", "forceDestroy")
"""Inputs updated in place: the description through UpdateVariantStore, the flags in state only."""
INPUT_KEYS = ("resourceName", *REPLACING, *IN_PLACE)
OUTPUT_KEYS = ("storeId", "storeArn", "status", "statusMessage", "storeSizeBytes", "creationTime")
STORE_TIMEOUT_SECONDS = 3600.0
"""How long create, update and delete wait for the store to settle."""

SSE_HINT = "sseConfig is a map {type: KMS, keyArn: <optional KMS key ARN>}"


def normalize_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's inputs from props, normalized for comparison and for the API."""
    return pick(props, INPUT_KEYS)


def check_inputs(_olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """Validate inputs offline against the service model: no AWS call."""
    inputs = normalize_inputs(news)
    checker = Checker()
    if checker.required("name", inputs.get("name"), STORE_NAME_HINT):
        checker.shape_string("name", inputs["name"], "StoreName", STORE_NAME_HINT)
    if checker.required("referenceArn", inputs.get("referenceArn"), REFERENCE_HINT):
        checker.shape_string("referenceArn", inputs["referenceArn"], "ReferenceArn", REFERENCE_HINT)
    if inputs.get("description") is not None:
        checker.shape_string(
            "description",
            inputs["description"],
            "Description",
            "a description of 0 to 500 characters",
        )
    _check_sse_config(checker, inputs.get("sseConfig"))
    checker.string_map("tags", inputs.get("tags"), "TagMap", "tag names to tag values")
    for flag in ("adoptExisting", "forceDestroy"):
        checker.boolean(flag, inputs.get(flag))
    checker.region("region", inputs.get("region"))
    return CheckResult(inputs, checker.failures)


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
    if key in ("tags", "sseConfig"):
        return dict(value or {})
    if key in ("adoptExisting", "forceDestroy"):
        return bool(value)
    return value


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """Replace on a change HealthOmics cannot make in place; update description and flags."""
    old_inputs, new_inputs = normalize_inputs(olds), normalize_inputs(news)

    def changed(key: str) -> bool:
        return contains_unknown(new_inputs.get(key)) or comparable(old_inputs, key) != comparable(
            new_inputs, key
        )

    replaces = [key for key in REPLACING if changed(key)]
    updates = [key for key in IN_PLACE if changed(key)]
    return DiffResult(
        changes=bool(replaces or updates),
        replaces=replaces,
        # Store names are unique: a replacement that keeps the name must delete the old store first.
        delete_before_replace=bool(replaces) and "name" not in replaces,
    )


class VariantStoreProvider(OmicsProvider):
    """Creates, adopts, refreshes, updates and deletes HealthOmics variant stores.

    Pickled by reference into every stack's state under the stable path
    `omics_provider.variant_store.VariantStoreProvider`, whatever module defines it.
    """

    __module__ = "omics_provider.variant_store"

    kind = "VariantStore"
    check_inputs = staticmethod(check_inputs)
    diff_inputs = staticmethod(diff_inputs)

    @reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the store (or adopt it, with adoptExisting) and wait until it is ACTIVE.

        If this raises after the store was created, the store exists unrecorded: the next
        `pulumi up` reports that it exists and suggests adoptExisting.
        """
        inputs = normalize_inputs(props)
        spec = StoreSpec.from_inputs(inputs)
        store = self._flow(inputs).create(spec, inputs.get("adoptExisting") is True)
        return CreateResult(str(store["id"]), {**inputs, **store_outputs(store)})

    @reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Read the live store; a store that no longer exists is reported gone (an empty id).

        Unlike an import job, a deleted store really is gone, data included: Pulumi drops it from
        the state and the next `pulumi up` creates an empty store again. Drift in the description
        or the reference is written back to the inputs, so the next `up` shows it.
        """
        inputs = normalize_inputs(props)
        store = self._flow(inputs).find(str(inputs.get("name")), id_)
        if store is None:
            return ReadResult(None, {})
        live = dict(inputs, referenceArn=store.get("reference", {}).get("referenceArn"))
        if inputs.get("description") is not None or store.get("description"):
            live["description"] = store.get("description", "")
        return ReadResult(id_, {**live, **store_outputs(store)}, live)

    @reported
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Change the description in place (the flags need no call); return the full outputs."""
        inputs = normalize_inputs(news)
        if comparable(olds, "description") == comparable(inputs, "description"):
            return UpdateResult({**pick(olds, OUTPUT_KEYS), **inputs})
        store = self._flow(inputs).update_description(
            str(inputs["name"]), str(inputs.get("description") or "")
        )
        return UpdateResult({**inputs, **store_outputs(store)})

    @reported
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the store and wait until it is gone; a store holding data needs forceDestroy."""
        inputs = normalize_inputs(props)
        self._flow(inputs).delete(str(inputs["name"]), id_, inputs.get("forceDestroy") is True)

    def _flow(self, inputs: Mapping[str, Any]) -> StoreFlow:
        client = self.client(inputs.get("region"))
        api = OmicsApi(client, self.context(inputs, STORE_TIMEOUT_SECONDS))
        return StoreFlow(api, self.settings.status_poll)


def store_outputs(store: Mapping[str, Any]) -> dict[str, Any]:
    """The resource outputs that describe store (inputs are added by the caller)."""
    outputs: dict[str, Any] = {
        "storeId": str(store["id"]),
        "storeArn": str(store.get("storeArn", "")),
        "status": str(store.get("status", "")),
        "statusMessage": redact(str(store.get("statusMessage", ""))),
        "storeSizeBytes": int(store.get("storeSizeBytes") or 0),
    }
    if isinstance(store.get("creationTime"), datetime):
        outputs["creationTime"] = store["creationTime"].isoformat()
    return outputs


class VariantStore(pulumi.dynamic.Resource, module="omics", name="VariantStore"):
    """A HealthOmics variant store. Deleting it deletes its variants: consider `protect`."""

    name: pulumi.Output[str]
    reference_arn: pulumi.Output[str]
    store_id: pulumi.Output[str]
    store_arn: pulumi.Output[str]
    status: pulumi.Output[str]
    status_message: pulumi.Output[str]
    store_size_bytes: pulumi.Output[int]
    creation_time: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        name: pulumi.Input[str],
        reference_arn: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        sse_config: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        adopt_existing: pulumi.Input[bool] = False,
        force_destroy: pulumi.Input[bool] = False,
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "resourceName": resource_name,
            "name": name,
            "referenceArn": reference_arn,
            "description": description,
            "sseConfig": sse_config,
            "tags": tags,
            "adoptExisting": adopt_existing,
            "forceDestroy": force_destroy,
            "region": region,
            **dict.fromkeys(OUTPUT_KEYS),
        }
        super().__init__(VariantStoreProvider(), resource_name, props, opts)
        alias_snake_case(self, [key for key in props if key != "resourceName"])
