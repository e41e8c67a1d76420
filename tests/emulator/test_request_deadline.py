"""A request must arrive whole in time, its framing unambiguous; a client may hang up quietly."""

from __future__ import annotations

import select
import socket
import struct
from typing import Any

import pytest

from omics_emulator import EmulatorHandle
from tests.emulator.test_robustness import assert_serving, connect, list_request, read_until_closed

GAP_SECONDS = 0.05
"""The pause between two trickled bytes, far below the idle timeout of 0.5 s."""
CONDITION_SECONDS = 30.0
"""An upper bound for waiting on a condition; reaching it is a failure, never a pass."""


def trickle(sock: socket.socket, data: bytes) -> bytes | None:
    """Send data one byte at a time until the server answers or closes; what it sent back,
    or None when every byte went out and the server said nothing."""
    for byte in data:
        readable, _, _ = select.select([sock], [], [], GAP_SECONDS)
        if readable:
            return read_until_closed(sock)
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return b""
    return None


@pytest.fixture
def deadline(omics_emulator: EmulatorHandle) -> EmulatorHandle:
    """The emulator with an idle timeout (and request deadline) of 0.5 s."""
    omics_emulator.backend.settings.idle_timeout_seconds = 0.5
    return omics_emulator


def test_slow_headers_end_the_connection_at_the_request_deadline(
    deadline: EmulatorHandle, omics_client: Any
) -> None:
    head = b"POST /variantStores HTTP/1.1\r\nHost: emulator\r\n" + b"X-Slow: " + b"a" * 2000
    with connect(deadline) as sock:
        reply = trickle(sock, head)  # about 100 s of bytes: the deadline must cut it short
    assert reply == b""  # closed without an answer, as on any timeout between requests
    assert_serving(omics_client)


def test_slow_body_is_answered_408_at_the_request_deadline(
    deadline: EmulatorHandle, omics_client: Any
) -> None:
    body = b'{"maxResults": 10' + b" " * 2000 + b"}"
    request = list_request(body)
    with connect(deadline) as sock:
        sock.sendall(request[: len(request) - len(body)])
        reply = trickle(sock, body)
    assert reply is not None and reply.startswith(b"HTTP/1.1 408")
    assert b"RequestTimeoutException" in reply
    assert_serving(omics_client)


@pytest.mark.parametrize(
    "lengths",
    [("+1_0",), ("1_0",), ("\uff12",), ("2", "3")],
    ids=["sign", "underscore", "full-width", "two"],
)
def test_ambiguous_content_length_is_refused_400(
    omics_emulator: EmulatorHandle, omics_client: Any, lengths: tuple[str, ...]
) -> None:
    head = ["POST /variantStores HTTP/1.1", "Host: emulator"]
    head += [f"Content-Length: {length}" for length in lengths]
    with connect(omics_emulator) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n{}").encode())
        reply = read_until_closed(sock)
    assert reply.startswith(b"HTTP/1.1 400") and b"SerializationException" in reply
    assert b"Connection: close" in reply
    assert omics_emulator.backend.requests_by_operation() == {}
    assert_serving(omics_client)


def hang_up(sock: socket.socket, reset: bool) -> None:
    if reset:  # an abortive close: the server's next read fails with ECONNRESET
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
def test_a_client_hanging_up_mid_body_is_logged_in_one_line(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    capsys: pytest.CaptureFixture[str],
    reset: bool,
) -> None:
    body = b'{"maxResults": 10}'
    request = list_request(body)
    sock = connect(omics_emulator)
    sock.sendall(request[:-5])
    hang_up(sock, reset)
    errors = ""
    for _ in range(int(CONDITION_SECONDS / GAP_SECONDS)):
        errors += capsys.readouterr().err
        if "hung up" in errors:
            break
        select.select([], [], [], GAP_SECONDS)
    lines = errors.strip().splitlines()
    assert len(lines) == 1 and "omics-emulator: client 127.0.0.1:" in lines[0]
    assert "hung up" in lines[0] and "Traceback" not in errors
    assert_serving(omics_client)
