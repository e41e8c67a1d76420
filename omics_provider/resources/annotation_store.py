"""The AnnotationStore resource: Pulumi's side (inputs, check, outputs) of an annotation store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult

from omics_provider.core.kinds import ANNOTATION_STORE
from omics_provider.core.properties import contains_unknown, is_unknown, pick
from omics_provider.core.service import omics_model
from omics_provider.core.validation import Checker
from omics_provider.resources.provider_base import alias_snake_case
from omics_provider.resources.store_provider import (
    COMMON_REPLACING,
    OUTPUT_KEYS,
    StoreProvider,
    check_common,
    input_keys,
)

REPLACING = (*COMMON_REPLACING, "storeFormat", "storeOptions", "versionName")
"""Inputs HealthOmics cannot change on an existing annotation store: changing one replaces it."""
REFERENCE_FREE = ("TSV", "GENERIC")
"""The one (storeFormat, annotationType) whose store takes no reference (CreateAnnotationStore:
"required for all stores except TSV format with generic annotations")."""
VERSION_NAME_HINT = (
    "a version name is 3 to 255 characters: a lowercase letter, then lowercase letters, digits "
    "or underscores (e.g. v1_2024)"
)


def check_inputs(_olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """Validate inputs offline against the service model: no AWS call."""
    inputs = pick(news, input_keys(REPLACING))
    checker = Checker()
    store_format = inputs.get("storeFormat")
    if checker.required("storeFormat", store_format, "GFF, TSV or VCF"):
        checker.enum("storeFormat", store_format, "StoreFormat")
    options = inputs.get("storeOptions")
    _check_store_options(checker, store_format, options)
    check_common(checker, ANNOTATION_STORE, inputs, _needs_reference(store_format, options))
    if inputs.get("versionName") is not None:
        checker.shape_string("versionName", inputs["versionName"], "VersionName", VERSION_NAME_HINT)
    return CheckResult(inputs, checker.failures)


def _needs_reference(store_format: Any, options: Any) -> bool:
    """False only for a TSV store of GENERIC annotations (or while either is unknown)."""
    if is_unknown(store_format) or contains_unknown(options):
        return False
    tsv = options.get("tsvStoreOptions") if isinstance(options, Mapping) else None
    annotation_type = tsv.get("annotationType") if isinstance(tsv, Mapping) else None
    return (store_format, annotation_type) != REFERENCE_FREE


def _check_store_options(checker: Checker, store_format: Any, options: Any) -> None:
    if options is None or contains_unknown(options):
        return
    if store_format != "TSV" and not is_unknown(store_format):
        checker.fail(
            "storeOptions",
            f"apply to TSV stores only, and storeFormat is {store_format!r}: remove storeOptions "
            "or set storeFormat: TSV",
        )
        return
    check_tsv_options(checker, "storeOptions", options)


def check_tsv_options(checker: Checker, prop: str, options: Any) -> None:
    """Check storeOptions or versionOptions: a map of its one TSV member (tsvStoreOptions,
    tsvVersionOptions) to the model's TSV options (annotationType, formatToHeader, schema)."""
    if options is None or contains_unknown(options):
        return
    union: Any = omics_model().shape_for(
        "StoreOptions" if prop == "storeOptions" else "VersionOptions"
    )
    [(member, tsv_shape)] = union.members.items()
    if not isinstance(options, Mapping) or set(options) != {member}:
        checker.fail(prop, f"must be a map with the one key {member}")
        return
    tsv, tsv_prop = options[member], f"{prop}.{member}"
    allowed = list(tsv_shape.members)
    if not isinstance(tsv, Mapping) or not set(tsv) <= set(allowed):
        checker.fail(tsv_prop, f"must be a map with the keys {', '.join(allowed)}")
        return
    if tsv.get("annotationType") is not None:
        checker.enum(f"{tsv_prop}.annotationType", tsv["annotationType"], "AnnotationType")
    _check_format_to_header(checker, f"{tsv_prop}.formatToHeader", tsv.get("formatToHeader"))
    _check_schema(checker, f"{tsv_prop}.schema", tsv.get("schema"))


def _check_format_to_header(checker: Checker, prop: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        checker.fail(prop, "must be a map of CHR, START, END, REF, ALT or POS to column names")
        return
    for key, header in value.items():
        if checker.enum(f"{prop}.{key}", key, "FormatToHeaderKey"):
            checker.shape_string(
                f"{prop}.{key}", header, "FormatToHeaderValueString", "a column name"
            )


def _check_schema(checker: Checker, prop: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Sequence) or isinstance(value, str) or not 1 <= len(value) <= 5000:
        checker.fail(prop, "must be a list of 1 to 5000 one-entry maps {column: type}")
        return
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or len(item) != 1:
            checker.fail(f"{prop}[{index}]", "must be a map of one column name to its type")
            continue
        ((column, column_type),) = item.items()
        checker.shape_string(
            f"{prop}[{index}]",
            column,
            "SchemaItemKeyString",
            "a column name is 1 to 255 lowercase letters, digits or underscores",
        )
        checker.enum(f"{prop}[{index}].{column}", column_type, "SchemaValueType")


class AnnotationStoreProvider(StoreProvider):
    """Creates, adopts, refreshes, updates and deletes HealthOmics annotation stores.

    Pickled by reference into every stack's state under the stable path
    `omics_provider.annotation_store.AnnotationStoreProvider`, whatever module defines it.
    """

    __module__ = "omics_provider.annotation_store"

    store_kind = ANNOTATION_STORE
    replacing = REPLACING
    check_inputs = staticmethod(check_inputs)


class AnnotationStore(pulumi.dynamic.Resource, module="omics", name="AnnotationStore"):
    """A HealthOmics annotation store (GFF, TSV or VCF). Deleting it deletes its annotations:
    consider `protect`."""

    name: pulumi.Output[str]
    store_format: pulumi.Output[str]
    reference_arn: pulumi.Output[str | None]
    version_name: pulumi.Output[str | None]
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
        store_format: pulumi.Input[str],
        reference_arn: pulumi.Input[str] | None = None,
        store_options: pulumi.Input[Mapping[str, Any]] | None = None,
        version_name: pulumi.Input[str] | None = None,
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
            "storeFormat": store_format,
            "referenceArn": reference_arn,
            "storeOptions": store_options,
            "versionName": version_name,
            "description": description,
            "sseConfig": sse_config,
            "tags": tags,
            "adoptExisting": adopt_existing,
            "forceDestroy": force_destroy,
            "region": region,
            **dict.fromkeys(OUTPUT_KEYS),
        }
        super().__init__(AnnotationStoreProvider(), resource_name, props, opts)
        alias_snake_case(self, [key for key in props if key != "resourceName"])
