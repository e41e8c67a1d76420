"""S3 VCF sources: who they are (ETag, version, size) and a seekable stream of ranged GETs.

Every ranged GET names the ETag read first (If-Match) and the version id when there is one, so
a file replaced while it is read fails instead of mixing two contents. Memory: one chunk.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from omics_provider.core.errors import ProviderError
from omics_provider.core.redaction import register_secret

CHUNK_BYTES = 8 * 1024 * 1024
"""Bytes per ranged GET, and the stream's buffer: the reading memory of one file."""
_MODELS = botocore.loaders.create_loader()
"""botocore's service and endpoint models, parsed once per process: each file's new session
would otherwise parse them again (about a quarter of a small file's import)."""


@dataclass(frozen=True)
class S3Source:
    """One S3 object as it was when looked up."""

    uri: str
    bucket: str
    key: str
    etag: str
    version: str | None
    size: int


def split_uri(uri: str) -> tuple[str, str]:
    """The bucket and key of s3://bucket/key."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def s3_client(profile: str | None, region: str | None) -> Any:
    """An S3 client (endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, as boto3 reads it);
    its credentials are registered for redaction."""
    core = botocore.session.Session(profile=profile)
    core.register_component("data_loader", _MODELS)
    session = boto3.session.Session(botocore_session=core)
    credentials = session.get_credentials()
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        for value in (frozen.access_key, frozen.secret_key, frozen.token):
            register_secret(value)
    config = BotoConfig(retries={"mode": "standard", "max_attempts": 5}, read_timeout=60)
    return session.client("s3", region_name=region or session.region_name, config=config)


def look_up(client: Any, uri: str) -> S3Source:
    """The object's ETag, version and size; ProviderError saying why it cannot be read."""
    bucket, key = split_uri(uri)
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        raise ProviderError(f"{uri} cannot be read: {_reason(code, uri)}") from None
    except BotoCoreError as error:
        raise ProviderError(f"{uri} cannot be read: {error}") from None
    return S3Source(
        uri=uri,
        bucket=bucket,
        key=key,
        etag=str(head["ETag"]).strip('"'),
        version=head.get("VersionId") if head.get("VersionId") not in (None, "null") else None,
        size=int(head["ContentLength"]),
    )


def _reason(code: str, uri: str) -> str:
    if code in ("404", "NoSuchKey", "NotFound"):
        return "no such object (check the key)"
    if code in ("403", "AccessDenied"):
        bucket, key = split_uri(uri)
        return f"access denied: the caller needs s3:GetObject on arn:aws:s3:::{bucket}/{key}"
    return f"S3 answered {code or 'an error'}"


class RangeReader(io.RawIOBase):
    """A seekable raw stream over one S3 object version, read by ranged GETs."""

    def __init__(self, client: Any, source: S3Source) -> None:
        super().__init__()
        self.client = client
        self.source = source
        self.position = 0
        self.requests = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.source.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self.position >= self.source.size or not len(view):
            return 0
        last = min(self.source.size, self.position + len(view)) - 1
        data = self._get(f"bytes={self.position}-{last}")
        view[: len(data)] = data
        self.position += len(data)
        return len(data)

    def _get(self, byte_range: str) -> bytes:
        extra = {"VersionId": self.source.version} if self.source.version else {}
        self.requests += 1
        try:
            answer = self.client.get_object(
                Bucket=self.source.bucket,
                Key=self.source.key,
                Range=byte_range,
                IfMatch=f'"{self.source.etag}"',
                **extra,
            )
            return bytes(answer["Body"].read())
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("PreconditionFailed", "412"):
                raise OSError(f"{self.source.uri} changed while it was read (ETag)") from None
            raise OSError(f"{self.source.uri}: {_reason(code, self.source.uri)}") from None


def open_source(client: Any, source: S3Source, chunk_bytes: int = CHUNK_BYTES) -> io.BufferedReader:
    """A buffered, seekable binary stream of the object, one chunk_bytes GET at a time."""
    return io.BufferedReader(RangeReader(client, source), buffer_size=chunk_bytes)
