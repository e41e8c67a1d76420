"""The AnnotationStoreVersion resource: Pulumi's side of one version of an annotation store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult

from omics_provider.core.kinds import ANNOTATION_STORE, ANNOTATION_STORE_VERSION
from omics_provider.core.properties import pick
from omics_provider.core.validation import Checker
from omics_provider.flows.store import StoreSpec
from omics_provider.resources.annotation_store import VERSION_NAME_HINT, check_tsv_options
from omics_provider.resources.provider_base import alias_snake_case
from omics_provider.resources.store_provider import (
    StoreProvider,
    check_shared,
    input_keys,
    output_keys,
)

REPLACING = ("storeName", "versionName", "versionOptions", "tags", "region")
"""Inputs HealthOmics cannot change on an existing version: changing one replaces it."""
OUTPUT_KEYS = output_keys(ANNOTATION_STORE_VERSION.prefix)


def check_inputs(_olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """Validate inputs offline against the service model: no AWS call.

    Whether the store is a TSV one (the only kind that takes versionOptions) is the service's
    to say: the store may not exist yet.
    """
    inputs = pick(news, input_keys(REPLACING))
    checker = Checker()
    if checker.required("storeName", inputs.get("storeName"), ANNOTATION_STORE.name_hint):
        checker.shape_string(
            "storeName", inputs["storeName"], "StoreName", ANNOTATION_STORE.name_hint
        )
    if checker.required("versionName", inputs.get("versionName"), VERSION_NAME_HINT):
        checker.shape_string("versionName", inputs["versionName"], "VersionName", VERSION_NAME_HINT)
    check_tsv_options(checker, "versionOptions", inputs.get("versionOptions"))
    check_shared(checker, inputs)
    return CheckResult(inputs, checker.failures)


class AnnotationStoreVersionProvider(StoreProvider):
    """Creates, adopts, refreshes, updates and deletes versions of HealthOmics annotation stores.

    Pickled by reference into every stack's state under the stable path
    `omics_provider.annotation_store.AnnotationStoreVersionProvider`, whatever module defines it.
    """

    __module__ = "omics_provider.annotation_store"

    store_kind = ANNOTATION_STORE_VERSION
    replacing = REPLACING
    check_inputs = staticmethod(check_inputs)

    def spec_of(self, inputs: Mapping[str, Any]) -> StoreSpec:
        """The version the inputs declare: in store storeName, named versionName."""
        settings = {k: inputs[k] for k in ("versionName", "versionOptions") if k in inputs}
        return StoreSpec(
            name=inputs["storeName"],
            description=inputs.get("description"),
            tags=inputs.get("tags"),
            settings=settings,
        )


class AnnotationStoreVersion(
    pulumi.dynamic.Resource, module="omics", name="AnnotationStoreVersion"
):
    """A version of a HealthOmics annotation store: what annotation import jobs land in.
    Deleting it deletes its annotations: consider `protect`."""

    store_name: pulumi.Output[str]
    version_name: pulumi.Output[str]
    version_id: pulumi.Output[str]
    version_arn: pulumi.Output[str]
    status: pulumi.Output[str]
    status_message: pulumi.Output[str]
    version_size_bytes: pulumi.Output[int]
    creation_time: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        store_name: pulumi.Input[str],
        version_name: pulumi.Input[str],
        version_options: pulumi.Input[Mapping[str, Any]] | None = None,
        description: pulumi.Input[str] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        adopt_existing: pulumi.Input[bool] = False,
        force_destroy: pulumi.Input[bool] = False,
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "resourceName": resource_name,
            "storeName": store_name,
            "versionName": version_name,
            "versionOptions": version_options,
            "description": description,
            "tags": tags,
            "adoptExisting": adopt_existing,
            "forceDestroy": force_destroy,
            "region": region,
            **dict.fromkeys(OUTPUT_KEYS),
        }
        super().__init__(AnnotationStoreVersionProvider(), resource_name, props, opts)
        alias_snake_case(self, [key for key in props if key != "resourceName"])
