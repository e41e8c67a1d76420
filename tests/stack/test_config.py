"""The stack configuration schema, and every stack file under stacks/ validated against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from omics_provider.aws.clients import CONFIG_NAMESPACE
from omics_stack.config import (
    ImportBatch,
    StackConfigError,
    parse_stack_config,
    read_config,
)

ROOT = Path(__file__).resolve().parents[2]
STACK_FILES = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
SAMPLES_BUCKET = "omics-variant-import-samples"


def namespace_values(path: Path) -> dict[str, Any]:
    """The omics-variant-import keys of a stack file, without the namespace."""
    config = yaml.safe_load(path.read_text())["config"]
    prefix = f"{CONFIG_NAMESPACE}:"
    return {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}


def minimal(**extra: Any) -> dict[str, Any]:
    return {"storeName": "cohort", "referenceArn": REFERENCE, **extra}


def test_stack_files_exist() -> None:
    assert {p.name for p in STACK_FILES} >= {"Pulumi.local.yaml", "Pulumi.dev.yaml"}


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_parse_stack_file_is_valid(path: Path) -> None:
    config = parse_stack_config(namespace_values(path))

    assert config.imports, f"{path.name} declares no import batch"


def test_parse_local_stack_imports_only_shipped_samples() -> None:
    config = parse_stack_config(namespace_values(ROOT / "stacks" / "Pulumi.local.yaml"))

    shipped = {p.name for p in (ROOT / "samples").iterdir()}
    for source in config.sources:
        bucket, _, key = source.removeprefix("s3://").partition("/")
        assert bucket == SAMPLES_BUCKET
        assert key.startswith("samples/") and key.removeprefix("samples/") in shipped


def test_local_stack_points_every_service_at_loopback() -> None:
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.local.yaml").read_text())["config"]

    endpoints = config["aws:endpoints"][0]
    assert set(endpoints) == {"iam", "s3", "sts"}
    urls = [*endpoints.values(), config[f"{CONFIG_NAMESPACE}:omicsEndpoint"]]
    assert all(url.startswith("http://127.0.0.1:") for url in urls)
    for flag in ("skipCredentialsValidation", "skipRequestingAccountId", "s3UsePathStyle"):
        assert config[f"aws:{flag}"] is True


def test_parse_minimal_config_applies_defaults() -> None:
    config = parse_stack_config(minimal())

    assert (config.imports, config.existing_role_arn) == ((), None)
    assert config.wait_for_completion is True
    assert (config.adopt_existing_store, config.protect_store) == (False, False)


def test_read_config_accepts_pulumi_config_text() -> None:
    raw = {
        **minimal(),
        "imports": json.dumps([{"name": "b1", "sources": ["s3://bucket-a/x.vcf"]}]),
        "adoptExistingStore": "true",
        "waitForCompletion": "false",
        "timeoutSeconds": "90",
    }

    config = parse_stack_config(read_config(raw.get))

    assert config.imports == (ImportBatch("b1", ("s3://bucket-a/x.vcf",)),)
    assert (config.adopt_existing_store, config.wait_for_completion) == (True, False)
    assert config.timeout_seconds == 90.0


def test_parse_collects_sources_of_every_batch_once() -> None:
    imports = [
        {"name": "a", "sources": ["s3://bucket-a/1.vcf", "s3://bucket-a/2.vcf"]},
        {"name": "b", "sources": ["s3://bucket-b/3.vcf"], "annotationFields": {"k": "v"}},
    ]

    config = parse_stack_config(minimal(imports=imports))

    assert config.sources == ("s3://bucket-a/1.vcf", "s3://bucket-a/2.vcf", "s3://bucket-b/3.vcf")
    assert config.imports[1].annotation_fields == {"k": "v"}


GOOD_BATCH = {"name": "b1", "sources": ["s3://bucket-a/x.vcf"]}


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"referenceArn": REFERENCE}, "storeName"),
        (minimal(storeName="Bad-Name"), "storeName"),
        ({"storeName": "cohort"}, "referenceArn"),
        (minimal(existingRoleArn="role"), "existingRoleArn"),
        (minimal(adoptExistingStore="maybe"), "adoptExistingStore"),
        (minimal(timeoutSeconds=-1), "timeoutSeconds"),
        (minimal(timeoutSeconds="soon"), "timeoutSeconds"),
        (minimal(storName="typo"), "storName"),
        (minimal(imports={"name": "b1"}), "imports"),
        (minimal(imports=[GOOD_BATCH, GOOD_BATCH]), "imports[1].name"),
        (minimal(imports=[{"sources": ["s3://bucket-a/x.vcf"]}]), "imports[0].name"),
        (minimal(imports=[{**GOOD_BATCH, "name": "bad name"}]), "imports[0].name"),
        (minimal(imports=[{"name": "b1", "sources": []}]), "imports[0].sources"),
        (minimal(imports=[{"name": "b1", "sources": ["/tmp/x.vcf"]}]), "imports[0].sources[0]"),
        (
            minimal(imports=[{"name": "b", "sources": ["s3://bucket-a/x", "s3://bucket-a/x"]}]),
            "imports[0].sources",
        ),
        (minimal(imports=[{**GOOD_BATCH, "runLeftNormalization": "y"}]), "imports[0].runLeft"),
        (
            minimal(imports=[{**GOOD_BATCH, "annotationFields": {"k": "v" * 22}}]),
            "imports[0].annotationFields.k",
        ),
        (minimal(imports=[{**GOOD_BATCH, "source": "s3://bucket-a/y"}]), "imports[0].source:"),
    ],
)
def test_parse_rejects_invalid_value_naming_key(values: dict[str, Any], key: str) -> None:
    with pytest.raises(StackConfigError) as error:
        parse_stack_config(values)

    assert f"{CONFIG_NAMESPACE}:{key}" in str(error.value)


def test_read_config_rejects_malformed_json() -> None:
    with pytest.raises(StackConfigError, match="omics-variant-import:imports is not valid JSON"):
        read_config({"imports": "[{"}.get)
