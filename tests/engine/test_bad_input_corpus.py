"""The bad-input corpus: every case is refused at check, naming its property, before any request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import ResourceProvider

from omics_emulator import EmulatorHandle, start_emulator
from omics_provider import (
    AnnotationStoreProvider,
    AnnotationStoreVersionProvider,
    VariantImportJobProvider,
    VariantStoreProvider,
)
from omics_provider.testing.plugin import DynamicProviderPlugin
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, job_inputs, plugin_env

JOB = VariantImportJobProvider()
STORE = VariantStoreProvider()
STORE_INPUTS = {"resourceName": "store", "name": "test_store", "referenceArn": REFERENCE_ARN}
NOTES = AnnotationStoreProvider()
NOTES_INPUTS = {**STORE_INPUTS, "storeFormat": "VCF"}
VERSION = AnnotationStoreVersionProvider()
VERSION_INPUTS = {"resourceName": "v", "storeName": "test_store", "versionName": "release_1"}
TSV = "storeOptions.tsvStoreOptions"

CASES: list[tuple[str, ResourceProvider, dict[str, Any], str]] = [
    # VariantImportJob
    ("job-store-name-number", JOB, {"destinationName": 42}, "destinationName"),
    ("job-store-name-empty", JOB, {"destinationName": ""}, "destinationName"),
    ("job-store-name-oversized", JOB, {"destinationName": "s" * 256}, "destinationName"),
    ("job-store-name-uppercase", JOB, {"destinationName": "MyStore"}, "destinationName"),
    ("job-store-name-unicode", JOB, {"destinationName": "variantś_store"}, "destinationName"),
    ("job-store-name-control", JOB, {"destinationName": "var\tstore"}, "destinationName"),
    ("job-role-short-account", JOB, {"roleArn": "arn:aws:iam::12:role/x"}, "roleArn"),
    ("job-role-empty", JOB, {"roleArn": ""}, "roleArn"),
    (
        "job-role-oversized",
        JOB,
        {"roleArn": "arn:aws:iam::123456789012:role/" + "r" * 2048},
        "roleArn",
    ),
    ("job-role-space", JOB, {"roleArn": "arn:aws:iam::123456789012:role/my role"}, "roleArn"),
    ("job-items-map", JOB, {"items": {"source": "s3://bucket-a/x.vcf"}}, "items"),
    ("job-items-empty", JOB, {"items": []}, "items"),
    (
        "job-items-too-many",
        JOB,
        {"items": [f"s3://bucket-a/{n}.vcf" for n in range(1001)]},
        "items",
    ),
    ("job-item-number", JOB, {"items": [7]}, "items[0]"),
    (
        "job-source-https",
        JOB,
        {"items": ["https://bucket-a.s3.amazonaws.com/x.vcf"]},
        "items[0].source",
    ),
    ("job-source-bucket-uppercase", JOB, {"items": ["s3://Bucket-A/x.vcf"]}, "items[0].source"),
    ("job-source-no-key", JOB, {"items": ["s3://bucket-a"]}, "items[0].source"),
    ("job-source-newline", JOB, {"items": ["s3://bucket-a/x\n.vcf"]}, "items[0].source"),
    ("job-source-nul", JOB, {"items": ["s3://bucket-a/x\x00.vcf"]}, "items[0].source"),
    (
        "job-source-key-oversized",
        JOB,
        {"items": ["s3://bucket-a/" + "k" * 1025]},
        "items[0].source",
    ),
    (
        "job-source-duplicate",
        JOB,
        {"items": ["s3://bucket-a/x", "s3://bucket-a/x"]},
        "items[1].source",
    ),
    (
        "job-annotation-key-long",
        JOB,
        {"annotationFields": {"k" * 22: "v"}},
        "annotationFields." + "k" * 22,
    ),
    ("job-annotation-value-empty", JOB, {"annotationFields": {"k": ""}}, "annotationFields.k"),
    ("job-annotation-value-number", JOB, {"annotationFields": {"k": 3}}, "annotationFields.k"),
    ("job-annotation-list", JOB, {"annotationFields": ["k", "v"]}, "annotationFields"),
    ("job-timeout-zero", JOB, {"timeoutSeconds": 0}, "timeoutSeconds"),
    ("job-timeout-negative", JOB, {"timeoutSeconds": -60}, "timeoutSeconds"),
    ("job-timeout-text", JOB, {"timeoutSeconds": "60"}, "timeoutSeconds"),
    ("job-wait-text", JOB, {"waitForCompletion": "true"}, "waitForCompletion"),
    ("job-normalization-number", JOB, {"runLeftNormalization": 1}, "runLeftNormalization"),
    ("job-allow-reimport-text", JOB, {"allowReimport": "no"}, "allowReimport"),
    ("job-adopt-id-malformed", JOB, {"adoptJobId": "job-1234"}, "adoptJobId"),
    ("job-region-uppercase", JOB, {"region": "US-EAST-1"}, "region"),
    # VariantStore
    ("store-name-number", STORE, {"name": 7}, "name"),
    ("store-name-short", STORE, {"name": "ab"}, "name"),
    ("store-name-unicode", STORE, {"name": "variantes_é"}, "name"),
    ("store-name-missing", STORE, {"name": None}, "name"),
    ("store-reference-empty", STORE, {"referenceArn": ""}, "referenceArn"),
    ("store-reference-not-arn", STORE, {"referenceArn": "reference/1234567890"}, "referenceArn"),
    ("store-description-oversized", STORE, {"description": "d" * 501}, "description"),
    ("store-tags-empty-key", STORE, {"tags": {"": "v"}}, "tags."),
    ("store-tags-value-oversized", STORE, {"tags": {"team": "t" * 257}}, "tags.team"),
    ("store-tags-list", STORE, {"tags": ["team"]}, "tags"),
    ("store-sse-type", STORE, {"sseConfig": {"type": "AES256"}}, "sseConfig.type"),
    ("store-sse-text", STORE, {"sseConfig": "KMS"}, "sseConfig"),
    (
        "store-sse-key-not-arn",
        STORE,
        {"sseConfig": {"type": "KMS", "keyArn": "alias/x"}},
        "sseConfig.keyArn",
    ),
    ("store-force-destroy-text", STORE, {"forceDestroy": "yes"}, "forceDestroy"),
    ("store-adopt-number", STORE, {"adoptExisting": 1}, "adoptExisting"),
    ("store-region-bad", STORE, {"region": "moon-base-1"}, "region"),
    # AnnotationStore
    ("notes-format-lowercase", NOTES, {"storeFormat": "vcf"}, "storeFormat"),
    ("notes-format-missing", NOTES, {"storeFormat": None}, "storeFormat"),
    (
        "notes-gff-without-reference",
        NOTES,
        {"storeFormat": "GFF", "referenceArn": None},
        "referenceArn",
    ),
    ("notes-options-on-vcf", NOTES, {"storeOptions": {"tsvStoreOptions": {}}}, "storeOptions"),
    (
        "notes-tsv-header-key",
        NOTES,
        {
            "storeFormat": "TSV",
            "storeOptions": {"tsvStoreOptions": {"formatToHeader": {"chr": "c"}}},
        },
        f"{TSV}.formatToHeader.chr",
    ),
    (
        "notes-tsv-schema-two-columns",
        NOTES,
        {
            "storeFormat": "TSV",
            "storeOptions": {"tsvStoreOptions": {"schema": [{"a": "INT", "b": "INT"}]}},
        },
        f"{TSV}.schema[0]",
    ),
    ("notes-version-uppercase", NOTES, {"versionName": "Release"}, "versionName"),
    # AnnotationStoreVersion
    ("version-store-missing", VERSION, {"storeName": None}, "storeName"),
    ("version-name-short", VERSION, {"versionName": "v1"}, "versionName"),
    (
        "version-options-store-member",
        VERSION,
        {"versionOptions": {"tsvStoreOptions": {}}},
        "versionOptions",
    ),
    ("version-tags-list", VERSION, {"tags": ["team"]}, "tags"),
]
BASES: dict[ResourceProvider, dict[str, Any]] = {
    JOB: job_inputs(),
    STORE: STORE_INPUTS,
    NOTES: NOTES_INPUTS,
    VERSION: VERSION_INPUTS,
}
"""Valid inputs of each provider, which each case overrides."""


@pytest.fixture(scope="module")
def quiet_emulator() -> Iterator[EmulatorHandle]:
    """One emulator for the whole corpus: it must receive no request at all."""
    with start_emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def corpus_plugin(quiet_emulator: EmulatorHandle) -> Iterator[DynamicProviderPlugin]:
    with DynamicProviderPlugin(env=plugin_env(quiet_emulator), config=FAST_POLL_CONFIG) as plugin:
        yield plugin


@pytest.mark.parametrize(
    ("provider", "override", "prop"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_check_bad_input_is_refused_naming_its_property(
    corpus_plugin: DynamicProviderPlugin,
    quiet_emulator: EmulatorHandle,
    provider: ResourceProvider,
    override: dict[str, Any],
    prop: str,
) -> None:
    news = {k: v for k, v in {**BASES[provider], **override}.items() if v is not None}
    outcome = corpus_plugin.check(provider, {}, news)
    assert outcome.failures, f"{override} was accepted"
    properties = [failure_prop for failure_prop, _ in outcome.failures]
    assert any(p.startswith(prop) for p in properties), properties
    for failure_prop, reason in outcome.failures:
        assert reason.startswith(f"{failure_prop}: ")
    assert quiet_emulator.backend.request_count() == 0
