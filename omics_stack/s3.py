"""S3 for the delivery commands: URIs and prefixes, the client, paginated listing, ranged reads."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from omics_provider.surface import error_code, error_message
from omics_stack.errors import CommandError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
"""A bucket name as HealthOmics sources accept it (the omics model's S3Uri pattern)."""
PREFIX_HINT = (
    "write an S3 prefix as s3://bucket/folder/ (e.g. s3://my-genomics-bucket/vcf/2024-06/)"
)
PAGE_SIZE = 1000
"""Keys per ListObjectsV2 page (S3's maximum)."""
NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
DENIED_CODES = frozenset({"AccessDenied", "403", "Forbidden", "AllAccessDisabled"})


@dataclass(frozen=True)
class S3Location:
    """A bucket and a key (or key prefix)."""

    bucket: str
    key: str

    @property
    def uri(self) -> str:
        """The location as s3://bucket/key."""
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class S3Object:
    """One listed object: its key and size in bytes."""

    bucket: str
    key: str
    size: int

    @property
    def uri(self) -> str:
        """The object as s3://bucket/key."""
        return f"s3://{self.bucket}/{self.key}"


def parse_prefix(text: str) -> S3Location:
    """The bucket and key prefix of s3://bucket[/prefix]; else CommandError saying what is wrong."""
    if not text.startswith("s3://"):
        raise CommandError(f"{text!r} is not an S3 URI; {PREFIX_HINT}")
    bucket, _, key = text.removeprefix("s3://").partition("/")
    if not BUCKET.fullmatch(bucket) or ".." in bucket:
        raise CommandError(
            f"{text!r} does not name a valid bucket ({bucket!r}: a bucket name is 3-63 lowercase "
            f"letters, digits, '.' or '-'); {PREFIX_HINT}"
        )
    return S3Location(bucket, key)


def split_uri(uri: str) -> S3Location:
    """The bucket and key of a well-formed s3://bucket/key (as the stack schema accepts)."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return S3Location(bucket, key)


def s3_client(region: str | None = None, profile: str | None = None, connections: int = 10) -> Any:
    """An S3 client from the AWS default chain (AWS_ENDPOINT_URL_S3 included), standard retries."""
    session = boto3.session.Session(profile_name=profile)
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=connections,
        connect_timeout=10,
        read_timeout=30,
    )
    return session.client("s3", region_name=region or session.region_name, config=config)


def list_objects(
    client: S3Client,
    prefix: S3Location,
    on_page: Callable[[int], None] | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[S3Object]:
    """Every object under prefix, in key order, one ListObjectsV2 page at a time.

    on_page receives the running count of objects after each page. Raise CommandError (one line)
    when the bucket does not exist, access is denied or S3 cannot be reached.
    """
    listed = 0
    token: str | None = None
    while True:
        page = _list_page(client, prefix, page_size, token)
        for entry in page.get("Contents", ()):
            yield S3Object(prefix.bucket, entry["Key"], int(entry.get("Size", 0)))
        listed += page.get("KeyCount", len(page.get("Contents", ())))
        if on_page is not None:
            on_page(listed)
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return


def _list_page(client: S3Client, prefix: S3Location, size: int, token: str | None) -> Any:
    request: dict[str, Any] = {"Bucket": prefix.bucket, "Prefix": prefix.key, "MaxKeys": size}
    if token:
        request["ContinuationToken"] = token
    try:
        return client.list_objects_v2(**request)
    except (ClientError, BotoCoreError) as error:
        raise CommandError(describe_listing_error(prefix, error)) from None


def describe_listing_error(prefix: S3Location, error: BaseException) -> str:
    """One line saying why listing prefix failed and what to do."""
    code = error_code(error)
    if code == "NoSuchBucket":
        return f"bucket {prefix.bucket!r} does not exist (listing {prefix.uri}); check the name"
    if code in DENIED_CODES:
        return (
            f"access denied listing {prefix.uri}: the caller needs s3:ListBucket on "
            f"arn:aws:s3:::{prefix.bucket}"
        )
    if code is None:
        return f"cannot list {prefix.uri}: {type(error).__name__}: {error}"
    return f"cannot list {prefix.uri}: {code}: {error_message(error)}"


@dataclass(frozen=True)
class Head:
    """The first bytes of an object and its full size."""

    data: bytes
    size: int


def read_head(client: S3Client, location: S3Location, length: int) -> Head:
    """The first length bytes of an object (one ranged GET) and its size; raise ClientError.

    An empty object answers a range with InvalidRange: it is returned as size 0.
    """
    try:
        response = client.get_object(
            Bucket=location.bucket, Key=location.key, Range=f"bytes=0-{length - 1}"
        )
    except ClientError as error:
        if error_code(error) == "InvalidRange":
            return Head(b"", 0)
        raise
    data = response["Body"].read(length)
    response["Body"].close()
    content_range = str(response.get("ContentRange") or "")
    total = content_range.rpartition("/")[2]
    size = int(total) if total.isdigit() else int(response.get("ContentLength", len(data)))
    return Head(data, size)
