"""Sources read from an S3-compatible endpoint (a moto server): header checks per file format."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from omics_emulator import EmulatorHandle
from omics_emulator.sources import content_problem, vcf_problem
from tests.emulator.conftest import GENERIC_TSV, FakeClock

VCF = b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
GFF3 = b"##gff-version 3\nchr1\tsource\tgene\t1\t100\t.\t+\t.\tID=gene1\n"


def bgzf(data: bytes) -> bytes:
    """A BGZF-like block: raw deflate inside a gzip member with an extra field."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    extra = b"BC\x02\x00" + (len(deflated) + 25).to_bytes(2, "little")
    header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + len(extra).to_bytes(2, "little") + extra
    trailer = zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(4, "little")
    return header + deflated + trailer


OBJECTS = {
    "good.vcf": VCF,
    "good.vcf.gz": gzip.compress(VCF),
    "good.bgz.vcf.gz": bgzf(VCF) + bgzf(b""),
    "notes.txt": b"hello, not a variant file\n",
    "broken.gz": b"\x1f\x8b\x08\x00garbage-not-deflate",
    "empty.vcf": b"",
    "genes.gff3": GFF3,
    "genes.gff3.gz": gzip.compress(GFF3),
    "clinvar.tsv": b"chrom\tpos\tclnsig\n1\t100\tBenign\n",
}


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    s3 = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="genomes")
    for key, body in OBJECTS.items():
        s3.put_object(Bucket="genomes", Key=key, Body=body)
    yield url
    server.stop()


@pytest.fixture
def s3_emulator(omics_emulator: EmulatorHandle, moto_s3: str) -> EmulatorHandle:
    omics_emulator.backend.settings.s3_endpoint = moto_s3
    return omics_emulator


@pytest.mark.parametrize(
    ("key", "status", "message"),
    [
        ("good.vcf", "COMPLETED", ""),
        ("good.vcf.gz", "COMPLETED", ""),
        ("good.bgz.vcf.gz", "COMPLETED", ""),
        ("missing.vcf", "FAILED", "s3://genomes/missing.vcf: object not found"),
        (
            "notes.txt",
            "FAILED",
            "s3://genomes/notes.txt is not a VCF file: it does not start with ##fileformat=VCF",
        ),
        (
            "broken.gz",
            "FAILED",
            "is not a VCF file: it is gzip-compressed but cannot be decompressed",
        ),
        ("empty.vcf", "FAILED", "is not a VCF file"),
    ],
)
def test_get_variant_import_job_s3_source_checked(
    s3_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
    key: str,
    status: str,
    message: str,
) -> None:
    make_store()
    job_id = start_job("cohort", f"s3://genomes/{key}")
    clock.advance(4.0)
    item = omics_client.get_variant_import_job(jobId=job_id)["items"][0]
    assert item["jobStatus"] == status
    assert message in item["statusMessage"]
    if status == "COMPLETED":
        assert omics_client.get_variant_store(name="cohort")["storeSizeBytes"] == len(OBJECTS[key])


def test_get_variant_import_job_s3_missing_bucket_fails(
    s3_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    make_store()
    job_id = start_job("cohort", "s3://nobucket/a.vcf")
    clock.advance(4.0)
    item = omics_client.get_variant_import_job(jobId=job_id)["items"][0]
    assert item == {
        "source": "s3://nobucket/a.vcf",
        "jobStatus": "FAILED",
        "statusMessage": "s3://nobucket/a.vcf: bucket nobucket not found",
    }


def test_get_variant_import_job_s3_mixed_completed_with_failures(
    s3_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    make_store()
    job_id = start_job("cohort", "s3://genomes/good.vcf", "s3://genomes/missing.vcf")
    clock.advance(4.0)
    job = omics_client.get_variant_import_job(jobId=job_id)
    assert job["status"] == "COMPLETED_WITH_FAILURES"
    assert omics_client.get_variant_store(name="cohort")["storeSizeBytes"] == len(VCF)


@pytest.mark.parametrize(
    ("head", "problem"),
    [
        (VCF, None),
        (gzip.compress(VCF, mtime=0)[:40], None),
        (b"#CHROM\tPOS\n", "it does not start with ##fileformat=VCF"),
        (b"", "it does not start with ##fileformat=VCF"),
        (gzip.compress(b"plain text", mtime=0), "it does not start with ##fileformat=VCF"),
    ],
)
def test_vcf_problem_header_only(head: bytes, problem: str | None) -> None:
    assert vcf_problem(head) == problem


@pytest.mark.parametrize(
    ("store_format", "key", "status"),
    [
        ("GFF", "genes.gff3", "COMPLETED"),
        ("GFF", "genes.gff3.gz", "COMPLETED"),
        ("GFF", "good.vcf", "FAILED"),
        ("VCF", "good.vcf.gz", "COMPLETED"),
        ("VCF", "genes.gff3", "FAILED"),
        ("TSV", "clinvar.tsv", "COMPLETED"),
        ("TSV", "missing.tsv", "FAILED"),
    ],
)
def test_get_annotation_import_job_s3_source_checked_for_the_store_format(
    s3_emulator: EmulatorHandle,
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    start_annotation_job: Callable[..., str],
    clock: FakeClock,
    store_format: str,
    key: str,
    status: str,
) -> None:
    options = {"storeOptions": GENERIC_TSV} if store_format == "TSV" else {}
    make_annotation_store(store_format=store_format, **options)
    job_id = start_annotation_job("genes", f"s3://genomes/{key}")
    clock.advance(4.0)
    assert omics_client.get_annotation_import_job(jobId=job_id)["status"] == status
    imported = s3_emulator.backend.annotations.imported_sources("genes")
    assert imported == (Counter([f"s3://genomes/{key}"]) if status == "COMPLETED" else Counter())


@pytest.mark.parametrize(
    ("head", "file_format", "problem"),
    [
        (GFF3, "GFF", None),
        (gzip.compress(GFF3, mtime=0)[:40], "GFF", None),
        (VCF, "GFF", "it does not start with ##gff-version 3"),
        (b"anything at all", "TSV", None),
        (b"", "VCF", "it does not start with ##fileformat=VCF"),
    ],
)
def test_content_problem_header_of_each_format(
    head: bytes, file_format: str, problem: str | None
) -> None:
    assert content_problem(head, file_format) == problem
