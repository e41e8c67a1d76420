"""The VariantStore resource: Pulumi's side (inputs, check, outputs) of a variant store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult

from omics_provider.core.kinds import VARIANT_STORE
from omics_provider.core.properties import pick
from omics_provider.core.validation import Checker
from omics_provider.resources.provider_base import alias_snake_case
from omics_provider.resources.store_provider import (
    COMMON_REPLACING,
    OUTPUT_KEYS,
    StoreProvider,
    check_common,
    input_keys,
)

REPLACING = COMMON_REPLACING
"""Inputs HealthOmics cannot change on an existing variant store: changing one replaces it."""


def check_inputs(_olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """Validate inputs offline against the service model: no AWS call."""
    inputs = pick(news, input_keys(REPLACING))
    checker = Checker()
    check_common(checker, VARIANT_STORE, inputs, reference_required=True)
    return CheckResult(inputs, checker.failures)


class VariantStoreProvider(StoreProvider):
    """Creates, adopts, refreshes, updates and deletes HealthOmics variant stores.

    Pickled by reference into every stack's state under the stable path
    `omics_provider.variant_store.VariantStoreProvider`, whatever module defines it.
    """

    __module__ = "omics_provider.variant_store"

    store_kind = VARIANT_STORE
    replacing = REPLACING
    check_inputs = staticmethod(check_inputs)


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
