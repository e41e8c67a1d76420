"""The annotation keys of the stack schema: annotationStore and annotationImports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omics_provider.errors import StackConfigError
from omics_stack.config import AnnotationBatch, parse_stack_config

REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
TSV_STORE = {
    "name": "clinvar",
    "storeFormat": "TSV",
    "versionName": "v2024_06",
    "storeOptions": {
        "tsvStoreOptions": {
            "annotationType": "CHR_START_END_ONE_BASE",
            "formatToHeader": {"CHR": "chrom", "START": "start", "END": "end"},
        }
    },
    "referenceArn": REFERENCE,
}


def values(store: Any = None, batches: Any = None, **extra: Any) -> dict[str, Any]:
    """A variant stack with the annotation keys given (absent when None)."""
    found = {"storeName": "cohort", "referenceArn": REFERENCE, **extra}
    if store is not None:
        found["annotationStore"] = store
    if batches is not None:
        found["annotationImports"] = batches
    return found


def batch(name: str = "clinvar-2024-06", *sources: str, **keys: Any) -> dict[str, Any]:
    return {"name": name, "sources": list(sources or ["s3://annotations/clinvar.tsv"]), **keys}


def test_parse_annotation_store_and_batches() -> None:
    config = parse_stack_config(
        values(
            {**TSV_STORE, "versions": ["v2024_07"], "protect": True},
            [
                batch(formatOptions={"tsvOptions": {"readOptions": {"sep": ","}}}),
                batch("clinvar-2024-07", "s3://annotations/july.tsv", version="v2024_07"),
            ],
        ),
        Path.cwd(),
    )

    store = config.annotations.store
    assert store is not None
    assert (store.name, store.store_format, store.version_names) == (
        "clinvar",
        "TSV",
        ("v2024_06", "v2024_07"),
    )
    assert store.protect is True
    first, second = config.annotations.imports
    assert isinstance(first, AnnotationBatch)
    assert (first.version, first.read_options) == ("v2024_06", {"sep": ","})
    assert (second.version, second.sources) == ("v2024_07", ("s3://annotations/july.tsv",))
    assert config.annotations.sources == (
        "s3://annotations/clinvar.tsv",
        "s3://annotations/july.tsv",
    )


def test_parse_stack_without_annotation_keys_declares_no_annotation_store() -> None:
    config = parse_stack_config(values(), Path.cwd())

    assert (config.annotations.store, config.annotations.imports) == (None, ())


def test_parse_annotation_batch_may_list_a_file_a_variant_batch_lists() -> None:
    shared = "s3://annotations/clinvar.vcf.gz"
    vcf_store = {
        "name": "clinvar",
        "storeFormat": "VCF",
        "versionName": "v2024_06",
        "referenceArn": REFERENCE,
    }
    config = parse_stack_config(
        values(vcf_store, [batch("a", shared)], imports=[{"name": "v", "sources": [shared]}]),
        Path.cwd(),
    )

    assert config.sources == config.annotations.sources == (shared,)


BAD = [
    pytest.param(values("clinvar"), "annotationStore: must be a map", id="store-not-a-map"),
    pytest.param(
        values({**TSV_STORE, "format": "TSV"}),
        "annotationStore.format: is not a key of annotationStore",
        id="unknown-store-key",
    ),
    pytest.param(
        values({**TSV_STORE, "storeFormat": "BED"}),
        "annotationStore.storeFormat: must be one of GFF, TSV, VCF, got 'BED'",
        id="format-not-in-model",
    ),
    pytest.param(
        values({**TSV_STORE, "storeFormat": "GFF"}),
        "annotationStore.storeOptions: apply to TSV stores only",
        id="store-options-on-gff",
    ),
    pytest.param(
        values({"name": "genes", "storeFormat": "GFF", "versionName": "v2024_06"}),
        "annotationStore.referenceArn: is required",
        id="gff-without-reference",
    ),
    pytest.param(
        values({k: v for k, v in TSV_STORE.items() if k != "versionName"}),
        "annotationStore.versionName: is required",
        id="no-version",
    ),
    pytest.param(
        values({**TSV_STORE, "versions": ["v2024_06"]}),
        "annotationStore.versions[0]: 'v2024_06' is declared twice",
        id="version-twice",
    ),
    pytest.param(
        values({**TSV_STORE, "versions": ["V7"]}),
        "annotationStore.versions[0]: 'V7' is 2 characters long",
        id="bad-version-name",
    ),
    pytest.param(
        values(
            {**TSV_STORE, "storeOptions": {"tsvStoreOptions": {"schema": [{"Chrom": "STRING"}]}}}
        ),
        "annotationStore.storeOptions.tsvStoreOptions.schema[0]: 'Chrom' does not match",
        id="schema-column-pattern",
    ),
    pytest.param(
        values(None, [batch()]),
        "annotationImports: need an annotation store to import into",
        id="batches-without-store",
    ),
    pytest.param(
        values(TSV_STORE, [batch(version="v2099")]),
        "annotationImports[0].version: 'v2099' is not a version the stack declares",
        id="undeclared-version",
    ),
    pytest.param(
        values(TSV_STORE, [batch(formatOptions={"vcfOptions": {"ignoreQualField": True}})]),
        "annotationImports[0].formatOptions: vcfOptions does not apply to the stack's TSV "
        "annotation store; use tsvOptions",
        id="vcf-options-on-tsv",
    ),
    pytest.param(
        values(
            {
                "name": "genes",
                "storeFormat": "GFF",
                "versionName": "v2024_06",
                "referenceArn": REFERENCE,
            },
            [batch(formatOptions={"tsvOptions": {"readOptions": {"sep": ","}}})],
        ),
        "a GFF store takes no formatOptions",
        id="options-on-gff",
    ),
    pytest.param(
        values(TSV_STORE, [batch(formatOptions={"tsvOptions": {"readOptions": {"sep": 1}}})]),
        "annotationImports[0].formatOptions.tsvOptions.readOptions.sep: must be a string",
        id="options-against-model",
    ),
    pytest.param(
        values(TSV_STORE, [batch(), batch("other")]),
        "annotationImports[1].sources: batch 'other' lists the same 1 file(s) as batch "
        "'clinvar-2024-06' (annotationImports[0])",
        id="file-in-two-batches",
    ),
    pytest.param(
        values(TSV_STORE, [batch(), batch()]),
        "annotationImports[1].name: 'clinvar-2024-06' names two batches",
        id="name-twice",
    ),
    pytest.param(
        values(TSV_STORE, [batch(destination="store")]),
        "annotationImports[0].destination: is not a batch key",
        id="unknown-batch-key",
    ),
    pytest.param(
        values(
            TSV_STORE,
            [batch()],
            exclusions=[{"source": "s3://annotations/clinvar.tsv", "reason": "broken"}],
        ),
        "is excluded but batch 'clinvar-2024-06' imports it",
        id="excluded-file-in-batch",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_parse_annotation_keys_rejects_bad_value(config: dict[str, Any], message: str) -> None:
    with pytest.raises(StackConfigError) as raised:
        parse_stack_config(config, Path.cwd())

    assert message in str(raised.value)
