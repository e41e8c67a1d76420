"""Reads an HTTP/1.1 request body framed by Content-Length or chunked transfer coding, capped.

Plain functions over the connection's buffered reader, so the HTTP handler stays short and
the framing rules are testable without a server. Every error they raise leaves the connection
at an unknown position in the stream: the caller must close it after answering.
"""

from __future__ import annotations

import re
from email.message import Message
from io import BufferedIOBase

from omics_emulator.exceptions import (
    LengthRequiredException,
    RequestEntityTooLargeException,
    SerializationException,
)

MAX_LINE_BYTES = 4096  # a chunk-size line or a trailer line
MAX_TRAILER_LINES = 100
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


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
    """The declared body length (0 when absent); raises when invalid or above ``limit``."""
    raw = headers.get("Content-Length") or "0"
    try:
        length = int(raw)
    except ValueError:
        raise SerializationException(f"Invalid Content-Length {raw!r}") from None
    if length < 0 or length > limit:
        raise RequestEntityTooLargeException(
            f"Request body of {length} bytes exceeds the limit of {limit} bytes"
        )
    return length


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
