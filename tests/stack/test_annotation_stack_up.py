"""The stack program's annotation store through the real plugin (the mini-engine), against the
emulator and moto's IAM and S3: `up` creates the store, its second version, a role granting the
annotation files and one job per batch; the same `up` again changes nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from tests.stack.conftest import put
from tests.stack.test_lifecycle import stack_config
from tests.support.aws_resources import AwsClients
from tests.support.engine import MiniEngine, main_program
from tests.support.jobs import REFERENCE_ARN, plugin_env

MAIN = Path(__file__).resolve().parents[2] / "__main__.py"
NAMESPACE = "omics-variant-import"
BUCKET = "annotation-deliveries"
GFF3 = b"##gff-version 3\n1\t.\tgene\t100\t200\t.\t+\t.\tID=BRCA2\n"
JUNE = [f"s3://{BUCKET}/genes/2024-06/a.gff3", f"s3://{BUCKET}/genes/2024-06/b.gff3"]
JULY = [f"s3://{BUCKET}/genes/2024-07/a.gff3"]
ANNOTATION_STORE = {
    "name": "gene_models",
    "storeFormat": "GFF",
    "referenceArn": REFERENCE_ARN,
    "versionName": "r2024_06",
    "versions": ["r2024_07"],
}
ANNOTATION_BATCHES = [
    {"name": "genes-2024-06", "sources": JUNE},
    {"name": "genes-2024-07", "sources": JULY, "version": "r2024_07"},
]


@pytest.fixture
def deployment(s3: Any, moto_url: str) -> Iterator[tuple[MiniEngine, EmulatorHandle, AwsClients]]:
    """The annotation files in moto's S3, the emulator reading them there, a fresh engine."""
    s3.create_bucket(Bucket=BUCKET)
    for source in JUNE + JULY:
        put(s3, BUCKET, source.removeprefix(f"s3://{BUCKET}/"), body=GFF3)
    put(s3, BUCKET, "variants/a.vcf")
    settings = EmulatorSettings(
        store_seconds=0.05, job_seconds=0.2, cancel_seconds=0.05, s3_endpoint=moto_url
    )
    aws = AwsClients.on(moto_url)
    with start_emulator(settings) as emulator:
        yield MiniEngine(main_program(MAIN), plugin_env(emulator), aws), emulator, aws


def config(emulator: EmulatorHandle) -> dict[str, Any]:
    variant = [{"name": "variants-2024-06", "sources": [f"s3://{BUCKET}/variants/a.vcf"]}]
    values = stack_config("cohort_store", emulator.url, variant)
    values[f"{NAMESPACE}:annotationStore"] = ANNOTATION_STORE
    values[f"{NAMESPACE}:annotationImports"] = ANNOTATION_BATCHES
    return values


def granted(engine: MiniEngine, aws: AwsClients, role: str) -> set[str]:
    """The objects the role's inline policy lets HealthOmics read, as moto holds it."""
    name = engine.resource(f"{role}-role").id
    policy = engine.resource(f"{role}-policy").outputs["name"]
    document = aws.iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    return {
        arn.removeprefix("arn:aws:s3:::")
        for statement in document["Statement"]
        if "s3:GetObject" in statement["Action"]
        for arn in statement["Resource"]
    }


def test_stack_up_imports_each_annotation_batch_once_into_its_version(
    deployment: tuple[MiniEngine, EmulatorHandle, AwsClients],
) -> None:
    engine, emulator, aws = deployment
    annotations = emulator.backend.annotations

    first = engine.up(config(emulator))

    created = set(first.names("create"))
    assert {
        "annotation-store",
        "annotation-store-r2024_07",
        "genes-2024-06",
        "genes-2024-07",
    } <= created
    for batch, version in (("genes-2024-06", "r2024_06"), ("genes-2024-07", "r2024_07")):
        job = engine.resource(batch).outputs
        assert (job["status"], job["versionName"]) == ("COMPLETED", version)
    assert annotations.imported_sources("gene_models", "r2024_06") == dict.fromkeys(JUNE, 1)
    assert annotations.imported_sources("gene_models", "r2024_07") == dict.fromkeys(JULY, 1)
    assert granted(engine, aws, "annotation-import-role") == {
        source.removeprefix("s3://") for source in JUNE + JULY
    }
    assert engine.resource("genes-2024-06").outputs["roleArn"] == first.exports["annotationRoleArn"]
    assert set(first.exports["annotationJobStatuses"].values()) == {"COMPLETED"}

    emulator.backend.reset_counters()
    state = copy.deepcopy(engine.state)
    again = engine.up(config(emulator))

    assert again.changes == {}
    # the same resources, by URN (the engine registers independent ones in any order)
    assert {res.urn: res for res in engine.state} == {res.urn: res for res in state}
    assert [op for op in emulator.backend.requests_by_operation() if op.startswith("Start")] == []
    assert len(annotations.jobs("gene_models")) == 2
