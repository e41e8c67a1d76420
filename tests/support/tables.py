"""Fixtures and helpers for the variant table: VCFs in moto S3, a table in a local catalog."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from pyiceberg.table import Table

from omics_provider.aws.iceberg_catalog import local_catalog, open_catalog
from omics_provider.core.variant_schema import SUMMARY_SOURCE
from omics_provider.flows.variant_table import create_or_adopt
from tests.support.vcf_files import VcfFile

TABLE = "genomics.variants"


@dataclass
class VcfBucket:
    """A moto S3 bucket to put VCF files in."""

    client: Any
    name: str

    def put(self, key: str, vcf: VcfFile | bytes, form: str = "plain") -> str:
        body = vcf if isinstance(vcf, bytes) else vcf.encoded(form)
        self.client.put_object(Bucket=self.name, Key=key, Body=body)
        return f"s3://{self.name}/{key}"


@pytest.fixture
def vcf_bucket(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> VcfBucket:
    """A fresh bucket on the module's moto server; S3 clients (workers too) go there."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_url)
    client = boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")
    name = f"vcfs-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return VcfBucket(client, name)


@pytest.fixture
def catalog(tmp_path: Path) -> dict[str, str]:
    """The embedded SQLite catalog's properties, in the test's folder."""
    return local_catalog(tmp_path / "tables")


@pytest.fixture
def table(catalog: dict[str, str]) -> Iterator[Table]:
    """A new variant table in the local catalog."""
    created, _ = create_or_adopt(catalog, TABLE)
    yield created


def reloaded(catalog: dict[str, str]) -> Table:
    """The table as the catalog has it now."""
    return open_catalog(catalog).load_table(TABLE)


def appends_by_source(table: Table) -> dict[str, int]:
    """How many snapshots committed each source file (anywhere in the table's metadata)."""
    counts: dict[str, int] = {}
    for snapshot in table.snapshots():
        props = snapshot.summary.additional_properties if snapshot.summary else {}
        if source := props.get(SUMMARY_SOURCE):
            counts[source] = counts.get(source, 0) + 1
    return counts


def rows_by_source(table: Table) -> dict[str, int]:
    """Rows per source file, scanned from the table's data."""
    counts: dict[str, int] = {}
    for source in table.scan(selected_fields=("sourcefile",)).to_arrow().column(0).to_pylist():
        counts[source] = counts.get(source, 0) + 1
    return counts


def data_files_on_disk(catalog: dict[str, str]) -> set[str]:
    """Every Parquet file under the local warehouse (committed or not)."""
    root = Path(catalog["warehouse"].removeprefix("file://"))
    return {str(p) for p in root.rglob("*.parquet")}


def committed_paths(table: Table) -> set[str]:
    """The data files the table's current snapshot references."""
    return {task.file.file_path.removeprefix("file://") for task in table.scan().plan_files()}
