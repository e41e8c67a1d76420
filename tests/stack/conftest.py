"""Fixtures of the delivery commands' tests: a moto S3 server, a project with a stack file."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.delivery import moto_server
from omics_stack.s3 import s3_client

ROOT = Path(__file__).resolve().parents[2]
STACK = "test"
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
STACK_TEXT = f"""\
# The test stack: comments, odd spacing and key order must survive plan byte for byte.
config:
  aws:region: us-east-1   # a trailing comment
  omics-variant-import:storeName: cohort_store
  omics-variant-import:referenceArn: {REFERENCE}

  # Each batch is imported once.
  omics-variant-import:imports:
    - name: hand-written
      sources:
        - s3://other-bucket/old/one.vcf   # kept as written
      runLeftNormalization: true
  # The last key, after the batches.
  omics-variant-import:waitForCompletion: true
# A comment at the very end.
"""


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """A moto server (python -m moto.server) on a free loopback port, stopped after the session."""
    with moto_server() as url:
        yield url


@pytest.fixture
def s3(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An S3 client on the moto server, which the commands reach through AWS_ENDPOINT_URL_S3."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_url)
    return s3_client("us-east-1")


@pytest.fixture
def bucket(s3: Any, request: pytest.FixtureRequest) -> str:
    """A new, empty bucket named after the test."""
    name = "t-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:20]
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (this repository's Pulumi.yaml) holding stacks/Pulumi.test.yaml; cwd."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    stack_file(tmp_path).write_text(STACK_TEXT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def stack_file(project: Path) -> Path:
    """The test stack's file in project."""
    return project / "stacks" / f"Pulumi.{STACK}.yaml"


VCF = (
    b"##fileformat=VCFv4.2\n"
    b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    b"1\t100\t.\tA\tG\t.\t.\t.\n"
)


def put(s3: Any, bucket: str, *keys: str, body: bytes = VCF) -> list[str]:
    """Upload body under each key; the objects' S3 URIs."""
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return [f"s3://{bucket}/{key}" for key in keys]
