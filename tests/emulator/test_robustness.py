"""Bad and concurrent HTTP requests: AWS-style errors, and the server keeps serving."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest

from omics_emulator import EmulatorHandle
from tests.emulator.conftest import REFERENCE


def raw_request(
    url: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        payload = response.read()
        headers_out = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers_out, json.loads(payload) if payload else None
    finally:
        conn.close()


def assert_serving(omics_client: Any) -> None:
    assert omics_client.list_variant_stores()["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/variantStore", b"{not json", 400, "SerializationException"),
        ("POST", "/variantStore", b"[1, 2]", 400, "SerializationException"),
        ("POST", "/import/variant", b'{"items": "s3://b/k"}', 400, "SerializationException"),
        ("POST", "/variantStore", b'{"name": 5, "reference": {}}', 400, "SerializationException"),
        ("POST", "/variantStore", b"\xff\xfe", 400, "SerializationException"),
        ("GET", "/no/such/path", b"", 404, "UnknownOperationException"),
        ("GET", "/", b"", 404, "UnknownOperationException"),
        ("PUT", "/variantStore/cohort", b"", 405, "UnknownOperationException"),
        ("PATCH", "/import/variant", b"{}", 405, "UnknownOperationException"),
        ("GET", "/variantStores", b"", 405, "UnknownOperationException"),
    ],
)
def test_bad_request_aws_style_error(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    method: str,
    path: str,
    body: bytes,
    status: int,
    code: str,
) -> None:
    got_status, headers, payload = raw_request(omics_emulator.url, method, path, body)
    assert (got_status, headers["x-amzn-errortype"]) == (status, code)
    assert payload["message"]
    assert_serving(omics_client)


def test_huge_body_refused_with_413(omics_emulator: EmulatorHandle, omics_client: Any) -> None:
    parts = urlsplit(omics_emulator.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        head = (
            "POST /variantStore HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"{" + b" " * 65536)
        reply = sock.recv(65536).decode()
    assert reply.startswith("HTTP/1.1 413")
    assert "RequestEntityTooLargeException" in reply
    assert_serving(omics_client)


def test_body_just_over_cap_refused(omics_emulator: EmulatorHandle, omics_client: Any) -> None:
    body = b'{"name": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    status, headers, _ = raw_request(omics_emulator.url, "POST", "/variantStore", body)
    assert (status, headers["x-amzn-errortype"]) == (413, "RequestEntityTooLargeException")
    assert_serving(omics_client)


def test_concurrent_requests_all_answered(
    omics_emulator: EmulatorHandle, omics_client_factory: Callable[..., Any]
) -> None:
    def create(i: int) -> str:
        client = omics_client_factory(retries={"total_max_attempts": 1})
        return str(client.create_variant_store(name=f"store_{i:02d}", reference=REFERENCE)["name"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        names = list(pool.map(create, range(20)))
    assert sorted(names) == [f"store_{i:02d}" for i in range(20)]
    assert len(omics_emulator.backend.stores()) == 20
    assert omics_emulator.backend.requests_by_operation() == {"CreateVariantStore": 20}


def test_concurrent_duplicate_creates_exactly_one_wins(
    omics_emulator: EmulatorHandle, omics_client_factory: Callable[..., Any]
) -> None:
    def create(_: int) -> int:
        client = omics_client_factory(retries={"total_max_attempts": 1})
        try:
            client.create_variant_store(name="same", reference=REFERENCE)
        except client.exceptions.ConflictException:
            return 0
        return 1

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert sum(pool.map(create, range(20))) == 1
