"""Bad and concurrent HTTP requests: AWS-style errors, and the server keeps serving."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
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


def connect(handle: EmulatorHandle) -> socket.socket:
    """A raw TCP connection to the emulator that gives up reading after 10 seconds."""
    sock = socket.create_connection((handle.host, handle.port), timeout=10)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (times out after 10 s)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def list_request(body: bytes = b"{}", **headers: str) -> bytes:
    """A raw ListVariantStores request, kept alive unless the headers say otherwise."""
    lines = ["POST /variantStores HTTP/1.1", "Host: emulator"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    if "Transfer_Encoding" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_two_hundred_concurrent_connections_all_served(omics_emulator: EmulatorHandle) -> None:
    count = 200
    barrier = threading.Barrier(count)

    def list_stores(_: int) -> int:
        barrier.wait(timeout=30)  # every connection opens at the same moment
        status, _headers, payload = raw_request(omics_emulator.url, "POST", "/variantStores", b"{}")
        return status if payload == {"variantStores": []} else -status

    with ThreadPoolExecutor(max_workers=count) as pool:
        statuses = list(pool.map(list_stores, range(count)))
    assert statuses == [200] * count
    assert omics_emulator.backend.requests_by_operation() == {"ListVariantStores": count}


@pytest.mark.parametrize("requests_first", [0, 1], ids=["silent-from-the-start", "after-a-request"])
def test_idle_connection_closed_after_idle_timeout(
    omics_emulator: EmulatorHandle, omics_client: Any, requests_first: int
) -> None:
    omics_emulator.backend.settings.idle_timeout_seconds = 0.3
    with connect(omics_emulator) as sock:
        sock.sendall(list_request() * requests_first)
        received = read_until_closed(sock)  # would time out after 10 s without the idle timeout
    assert received.count(b"HTTP/1.1 200") == requests_first
    assert_serving(omics_client)


def test_stalled_body_answered_408_and_closed(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    omics_emulator.backend.settings.idle_timeout_seconds = 0.3
    with connect(omics_emulator) as sock:
        sock.sendall(list_request(b"{}")[:-1])  # one byte of the body never comes
        reply = read_until_closed(sock).decode()
    assert reply.startswith("HTTP/1.1 408")
    assert "x-amzn-ErrorType: RequestTimeoutException" in reply
    assert_serving(omics_client)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    "body",
    [
        nested(100_000),
        b'{"ids": ' + nested(100_000) + b"}",
        b'{"unknownMember": ' + nested(500) + b"}",
        b'{"filter": {"status": ' + nested(101) + b"}}",
    ],
    ids=["top-level-100000", "member-100000", "unknown-member-500", "known-member-101"],
)
def test_deeply_nested_json_serialization_exception_without_traceback(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    capsys: pytest.CaptureFixture[str],
    body: bytes,
) -> None:
    status, headers, payload = raw_request(omics_emulator.url, "POST", "/variantStores", body)
    assert (status, headers["x-amzn-errortype"]) == (400, "SerializationException")
    assert "more than 100 levels deep" in payload["message"]
    assert "Traceback" not in capsys.readouterr().err
    assert_serving(omics_client)


def test_nesting_below_the_cap_in_an_unknown_member_is_ignored(
    omics_emulator: EmulatorHandle,
) -> None:
    body = b'{"unknownMember": ' + nested(99) + b"}"  # 100 levels with the body itself
    status, _, payload = raw_request(omics_emulator.url, "POST", "/variantStores", body)
    assert (status, payload) == (200, {"variantStores": []})


def chunked(*chunks: bytes, trailer: bytes = b"") -> bytes:
    """``chunks`` in chunked transfer coding, with a chunk extension on the first."""
    out = b""
    for index, chunk in enumerate(chunks):
        extension = b";note=x" if index == 0 else b""
        out += f"{len(chunk):X}".encode() + extension + b"\r\n" + chunk + b"\r\n"
    return out + b"0\r\n" + trailer + b"\r\n"


def test_chunked_body_is_read_and_the_connection_kept(
    omics_emulator: EmulatorHandle,
) -> None:
    body = json.dumps({"name": "cohort", "reference": REFERENCE}).encode()
    create = list_request(
        chunked(body[:10], body[10:], trailer=b"X-Trailer: 1\r\n"),
        Transfer_Encoding="chunked",
    ).replace(b"/variantStores", b"/variantStore")
    with connect(omics_emulator) as sock:
        sock.sendall(create + list_request(Connection="close"))
        replies = read_until_closed(sock).decode()
    assert replies.count("HTTP/1.1 200") == 2  # the store, then the list on the same connection
    assert [s["name"] for s in omics_emulator.backend.stores()] == ["cohort"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"2\r\n{}\r\n0\r\n\r\n", {"Transfer_Encoding": "gzip, chunked"}, 411,
         "LengthRequiredException"),
        (b"{}", {"Transfer_Encoding": "gzip"}, 411, "LengthRequiredException"),
        (b"zz\r\n{}\r\n0\r\n\r\n", {"Transfer_Encoding": "chunked"}, 400,
         "SerializationException"),
        (b"5\r\n{}\r\n0\r\n\r\n", {"Transfer_Encoding": "chunked"}, 400,
         "SerializationException"),
        (b"FFFFFFF\r\n{", {"Transfer_Encoding": "chunked"}, 413,
         "RequestEntityTooLargeException"),
        (b"2\r\n{}\r\n0\r\n\r\n", {"Transfer_Encoding": "chunked", "Content_Length": "99"}, 200,
         None),
    ],
    ids=["gzip-chunked", "gzip", "bad-size", "short-chunk", "over-cap", "with-content-length"],
)  # fmt: skip
def test_chunked_body_refused_or_read_then_connection_closed(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str | None,
) -> None:
    with connect(omics_emulator) as sock:
        sock.sendall(list_request(body, **headers))
        reply = read_until_closed(sock).decode()  # closed: the stream position is unknown
    assert reply.startswith(f"HTTP/1.1 {status}")
    assert "Connection: close" in reply
    if code is not None:
        assert f"x-amzn-ErrorType: {code}" in reply
    assert_serving(omics_client)


def test_pooled_connection_closed_by_idle_timeout_is_reopened(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    omics_emulator.backend.settings.idle_timeout_seconds = 0.2
    assert_serving(omics_client)  # opens the pooled keep-alive connection
    time.sleep(0.5)  # the emulator closes it meanwhile
    assert_serving(omics_client)  # retries are off: the pool must notice and reconnect
