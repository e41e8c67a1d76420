"""Providers pickled into existing stacks' state keep loading: their import paths never change."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

from omics_provider import (
    AnnotationImportJobProvider,
    AnnotationStoreProvider,
    AnnotationStoreVersionProvider,
    VariantImportJobProvider,
    VariantStoreProvider,
)
from omics_provider.resources.policy_settle import PolicySettleProvider
from omics_provider.testing.plugin import DynamicProviderPlugin
from tests.support.jobs import REFERENCE_ARN, job_inputs

PICKLED_BEFORE_THE_RESHAPE = {
    "job": "gASVRQAAAAAAAACMIW9taWNzX3Byb3ZpZGVyLnZhcmlhbnRfaW1wb3J0X2pvYpSMGFZhcmlhbnRJbXBvcnRK"
    "b2JQcm92aWRlcpSTlCmBlC4=",
    "store": "gASVPAAAAAAAAACMHG9taWNzX3Byb3ZpZGVyLnZhcmlhbnRfc3RvcmWUjBRWYXJpYW50U3RvcmVQcm92"
    "aWRlcpSTlCmBlC4=",
}
"""`__provider` exactly as the code before the package was split into layers serialized it."""
STORE_INPUTS = {"resourceName": "s", "name": "a_store", "referenceArn": REFERENCE_ARN}


@pytest.mark.parametrize(
    ("provider", "path"),
    [
        (VariantImportJobProvider(), b"omics_provider.variant_import_job"),
        (AnnotationImportJobProvider(), b"omics_provider.annotation_import_job"),
        (VariantStoreProvider(), b"omics_provider.variant_store"),
        (AnnotationStoreProvider(), b"omics_provider.annotation_store"),
        (AnnotationStoreVersionProvider(), b"omics_provider.annotation_store"),
        (PolicySettleProvider(), b"omics_provider.resources.policy_settle"),
    ],
)
def test_providers_pickle_by_reference_under_their_stable_path(
    provider: ResourceProvider, path: bytes
) -> None:
    pickled = base64.b64decode(serialize_provider(provider))
    assert pickled.startswith(b"\x80") and path + b"\x94" in pickled
    assert len(pickled) < 120


def test_providers_pickled_before_the_reshape_serialize_the_same_today() -> None:
    assert serialize_provider(VariantImportJobProvider()) == PICKLED_BEFORE_THE_RESHAPE["job"]
    assert serialize_provider(VariantStoreProvider()) == PICKLED_BEFORE_THE_RESHAPE["store"]


@pytest.mark.parametrize(
    ("kind", "inputs"),
    [("job", job_inputs(destinationName="Bad-Name")), ("store", {**STORE_INPUTS, "name": "B"})],
)
def test_the_plugin_loads_a_provider_pickled_before_the_reshape(
    plugin: DynamicProviderPlugin, kind: str, inputs: dict[str, Any]
) -> None:
    outcome = plugin.check(PICKLED_BEFORE_THE_RESHAPE[kind], {}, inputs)
    assert outcome.failures and outcome.failures[0][1].endswith(
        "digits or underscores (e.g. my_variant_store)"
    )


PICKLED_ANNOTATION_STORES = {
    "store": "gASVQgAAAAAAAACMH29taWNzX3Byb3ZpZGVyLmFubm90YXRpb25fc3RvcmWUjBdBbm5vdGF0aW9uU3RvcmVQ"
    "cm92aWRlcpSTlCmBlC4=",
    "version": "gASVSQAAAAAAAACMH29taWNzX3Byb3ZpZGVyLmFubm90YXRpb25fc3RvcmWUjB5Bbm5vdGF0aW9uU3Rv"
    "cmVWZXJzaW9uUHJvdmlkZXKUk5QpgZQu",
}
"""`__provider` of the annotation resources as the first release with them serializes it."""


def test_annotation_providers_serialize_as_when_they_were_added() -> None:
    assert serialize_provider(AnnotationStoreProvider()) == PICKLED_ANNOTATION_STORES["store"]
    assert (
        serialize_provider(AnnotationStoreVersionProvider()) == PICKLED_ANNOTATION_STORES["version"]
    )


@pytest.mark.parametrize(
    ("kind", "inputs"),
    [
        (
            "store",
            {"resourceName": "s", "name": "B", "storeFormat": "VCF", "referenceArn": REFERENCE_ARN},
        ),
        ("version", {"resourceName": "v", "storeName": "B", "versionName": "v1_0"}),
    ],
)
def test_the_plugin_loads_the_annotation_providers_as_first_pickled(
    plugin: DynamicProviderPlugin, kind: str, inputs: dict[str, Any]
) -> None:
    outcome = plugin.check(PICKLED_ANNOTATION_STORES[kind], {}, inputs)
    assert outcome.failures and outcome.failures[0][1].endswith("(e.g. my_annotation_store)")
