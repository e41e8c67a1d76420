"""Checks that import sources on an S3-compatible endpoint exist and start like their format."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

VCF_MAGIC = b"##fileformat=VCF"
GFF3_MAGIC = b"##gff-version 3"
FIRST_LINES = {"VCF": VCF_MAGIC, "GFF": GFF3_MAGIC}
"""The line a file of each format starts with; TSV files have none to check."""
HEAD_BYTES = 65536
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SourceCheck:
    """The outcome for one source: ok with its size, or a message saying why it failed."""

    ok: bool
    message: str
    size: int = 0


def split_s3_uri(uri: str) -> tuple[str, str]:
    """Return ``(bucket, key)`` of a well-formed ``s3://bucket/key``."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def s3_client(endpoint: str) -> Any:
    """An S3 client on ``endpoint`` with path-style addressing; dummy credentials if none."""
    dummy = None if boto3.Session().get_credentials() is not None else "testing"
    config = Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 2, "mode": "standard"},
        connect_timeout=3,
        read_timeout=10,
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        config=config,
        aws_access_key_id=dummy,
        aws_secret_access_key=dummy,
    )


def check_source(client: Any, uri: str, file_format: str = "VCF") -> SourceCheck:
    """Read the start of ``uri`` and say whether it is a (possibly gzip/BGZF) ``file_format`` file.

    ``file_format`` is VCF (variant stores, VCF annotation stores), GFF (GFF3) or TSV.
    """
    bucket, key = split_s3_uri(uri)
    try:
        head, size = _read_head(client, bucket, key)
    except ClientError as err:
        return SourceCheck(False, _client_error_message(uri, bucket, err))
    except BotoCoreError as err:
        return SourceCheck(False, f"{uri}: could not be read: {err}")
    problem = content_problem(head, file_format)
    if problem:
        return SourceCheck(False, f"{uri} is not a {file_format} file: {problem}")
    return SourceCheck(True, "", size)


def vcf_problem(head: bytes) -> str | None:
    """None when ``head`` starts a VCF (plain or gzip/BGZF), else why it does not."""
    return content_problem(head, "VCF")


def content_problem(head: bytes, file_format: str) -> str | None:
    """None when ``head`` (plain or gzip/BGZF) starts a ``file_format`` file, else why not."""
    first_line = FIRST_LINES.get(file_format, b"")
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, len(first_line) + 64)
        except zlib.error:
            return "it is gzip-compressed but cannot be decompressed"
    if head.startswith(first_line):
        return None
    return f"it does not start with {first_line.decode()}"


def _read_head(client: Any, bucket: str, key: str) -> tuple[bytes, int]:
    try:
        response = client.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}")
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "InvalidRange":
            return b"", 0
        raise
    body: bytes = response["Body"].read()
    content_range = str(response.get("ContentRange") or "")
    size = int(content_range.rpartition("/")[2]) if "/" in content_range else len(body)
    return body, size


def _client_error_message(uri: str, bucket: str, err: ClientError) -> str:
    code = str(err.response.get("Error", {}).get("Code", ""))
    if code in ("NoSuchKey", "404", "NotFound"):
        return f"{uri}: object not found"
    if code == "NoSuchBucket":
        return f"{uri}: bucket {bucket} not found"
    if code in ("AccessDenied", "403"):
        return f"{uri}: access denied reading the object"
    return f"{uri}: could not be read: {code or err}"
