"""Reads an HTTP/1.1 request within its deadline, its body framed by Content-Length or chunked.

Plain functions over the connection's buffered reader, so the HTTP handler stays short and
the framing rules are testable without a server. Every error they raise leaves the connection
at an unknown position in the stream: the caller must close it after answering.
"""

from __future__ import annotations

import io
import re
import socket
import time
from collections.abc import Callable
from email.message import Message
from io import BufferedIOBase
from typing import Any

from omics_emulator.exceptions import (
    LengthRequiredException,
    RequestEntityTooLargeException,
    SerializationException,
)

MAX_LINE_BYTES = 4096  # a chunk-size line or a trailer line
MAX_TRAILER_LINES = 100
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,19}")


def is_chunked(headers: Message) -> bool:
    """Whether the body is chunked; a transfer coding other than plain chunked gets 411.

    RFC 9112 section 6.1: a server that does not understand a transfer coding cannot find
    where the body ends, so it refuses the request instead of guessing.
    """
    coding = headers.get("Transfer-Encoding")
    if coding is None:
        return False
    if [part.strip().lower() for part in coding.split(",")] != ["chunked"]:
        raise LengthRequiredException(
            f"Transfer-Encoding {coding!r} is not supported: send the body with a "
            "Content-Length header or with Transfer-Encoding: chunked"
        )
    return True


def content_length(headers: Message, limit: int) -> int:
    """The declared body length (0 when absent); raises when invalid or above ``limit``.

    RFC 9110 section 8.6: Content-Length is 1*DIGIT (no sign, no `_`, no other script's digits);
    repeated headers must agree, else the body's end is ambiguous and the request is refused.
    """
    values = {value.strip() for value in headers.get_all("Content-Length") or ["0"]}
    if len(values) > 1:
        shown = ", ".join(repr(value[:20]) for value in sorted(values))
        raise SerializationException(f"Conflicting Content-Length headers: {shown}")
    raw = values.pop()
    if _DIGITS.fullmatch(raw) is None:
        raise SerializationException(f"Invalid Content-Length {raw[:40]!r}: digits only")
    length = int(raw)
    if length > limit:
        raise RequestEntityTooLargeException(
            f"Request body of {length} bytes exceeds the limit of {limit} bytes"
        )
    return length


class DeadlineReader(io.RawIOBase):
    """A socket's bytes, one request at a time: the wait for a request's first byte may last
    idle_seconds; from that byte, the whole request must arrive within request_seconds, however
    the client spaces its bytes. A read past either raises TimeoutError."""

    def __init__(
        self,
        sock: socket.socket,
        idle_seconds: float,
        request_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.sock = sock
        self.idle_seconds = idle_seconds
        self.request_seconds = request_seconds
        self.clock = clock
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def next_request(self) -> None:
        """Wait for the next request: its deadline starts with its first byte."""
        self.deadline = None

    def readinto(self, buffer: Any) -> int:
        timeout = self.idle_seconds
        if self.deadline is not None:
            timeout = min(timeout, self.deadline - self.clock())
            if timeout <= 0:
                raise TimeoutError(f"the request did not arrive whole in {self.request_seconds}s")
        self.sock.settimeout(timeout)
        count = self.sock.recv_into(buffer)
        if count and self.deadline is None:
            self.deadline = self.clock() + self.request_seconds
        return count


def read_chunked(rfile: BufferedIOBase, limit: int) -> bytes:
    """The decoded body of a chunked request, trailers discarded; at most ``limit`` bytes."""
    body = bytearray()
    while size := _chunk_size(rfile.readline(MAX_LINE_BYTES + 1)):
        if len(body) + size > limit:
            raise RequestEntityTooLargeException(
                f"Chunked request body exceeds the limit of {limit} bytes"
            )
        chunk = rfile.read(size)
        if len(chunk) < size or rfile.readline(MAX_LINE_BYTES + 1) != b"\r\n":
            raise _malformed("a chunk is shorter than its size line says")
        body += chunk
    _skip_trailers(rfile)
    return bytes(body)


def _chunk_size(line: bytes) -> int:
    if not line.endswith(b"\n"):
        raise _malformed("a chunk-size line is missing or too long")
    size = line.split(b";", 1)[0].strip()
    if _CHUNK_SIZE.fullmatch(size) is None:
        raise _malformed(f"chunk size {size[:40]!r} is not a hexadecimal number")
    return int(size, 16)


def _skip_trailers(rfile: BufferedIOBase) -> None:
    for _ in range(MAX_TRAILER_LINES):
        line = rfile.readline(MAX_LINE_BYTES + 1)
        if line in (b"\r\n", b"\n"):
            return
        if not line.endswith(b"\n"):
            raise _malformed("the body ends before its last chunk's closing line")
    raise _malformed(f"more than {MAX_TRAILER_LINES} trailer lines")


def _malformed(why: str) -> SerializationException:
    return SerializationException(f"Malformed chunked request body: {why}")
