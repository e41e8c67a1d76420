"""Request body framing on its own: chunked decoding, its malformed cases, and the caps."""

from __future__ import annotations

import io
from email.message import Message

import pytest

from omics_emulator.exceptions import (
    LengthRequiredException,
    OmicsError,
    RequestEntityTooLargeException,
    SerializationException,
)
from omics_emulator.framing import content_length, is_chunked, read_chunked


def headers(**values: str) -> Message:
    message = Message()
    for name, value in values.items():
        message[name.replace("_", "-")] = value
    return message


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (b"0\r\n\r\n", b""),
        (b"2\r\n{}\r\n0\r\n\r\n", b"{}"),
        (b"1;a=b\r\n{\r\n1\r\n}\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n", b"{}"),
        (b"a\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
        (b"A \r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
    ],
    ids=["empty", "one-chunk", "extension-and-trailers", "lower-hex", "size-with-space"],
)
def test_read_chunked_decodes_body(raw: bytes, body: bytes) -> None:
    stream = io.BytesIO(raw + b"NEXT REQUEST")
    assert read_chunked(stream, limit=100) == body
    assert stream.read() == b"NEXT REQUEST"  # exactly the chunked body was consumed


@pytest.mark.parametrize(
    ("raw", "error", "says"),
    [
        (b"", SerializationException, "chunk-size line is missing"),
        (b"2\r\n{}", SerializationException, "shorter than its size line"),
        (b"2\r\n{}xx\r\n0\r\n\r\n", SerializationException, "shorter than its size line"),
        (b"-2\r\n{}\r\n0\r\n\r\n", SerializationException, "not a hexadecimal number"),
        (b"0x2\r\n{}\r\n0\r\n\r\n", SerializationException, "not a hexadecimal number"),
        (b"1" * 5000 + b"\r\n", SerializationException, "too long"),
        (b"0\r\nX-Sum: 1\r\n", SerializationException, "ends before its last chunk"),
        (b"0\r\n" + b"X: 1\r\n" * 101, SerializationException, "more than 100 trailer lines"),
        (b"65\r\n" + b"x" * 101 + b"\r\n0\r\n\r\n", RequestEntityTooLargeException, "limit of 100"),
        (b"40\r\n" + b"x" * 64 + b"\r\n40\r\n", RequestEntityTooLargeException, "limit of 100"),
    ],
    ids=[
        "nothing",
        "truncated",
        "longer-than-size",
        "negative",
        "0x-prefix",
        "endless-size-line",
        "no-final-line",
        "endless-trailers",
        "one-chunk-over-cap",
        "chunks-add-up-over-cap",
    ],
)
def test_read_chunked_malformed_or_too_large_refused(
    raw: bytes, error: type[OmicsError], says: str
) -> None:
    with pytest.raises(error, match=says):
        read_chunked(io.BytesIO(raw), limit=100)


@pytest.mark.parametrize(
    ("values", "chunked"),
    [
        ({}, False),
        ({"Transfer_Encoding": "chunked"}, True),
        ({"Transfer_Encoding": " Chunked"}, True),
    ],
)
def test_is_chunked_for_plain_chunked_only(values: dict[str, str], chunked: bool) -> None:
    assert is_chunked(headers(**values)) is chunked


@pytest.mark.parametrize("coding", ["gzip", "gzip, chunked", "chunked, gzip", "identity"])
def test_is_chunked_other_coding_length_required(coding: str) -> None:
    with pytest.raises(LengthRequiredException, match="Content-Length"):
        is_chunked(headers(Transfer_Encoding=coding))


@pytest.mark.parametrize(
    ("value", "error"),
    [("abc", SerializationException), ("-1", SerializationException),
     ("+1_0", SerializationException), ("1_0", SerializationException),
     ("\uff11\uff10", SerializationException), ("0x10", SerializationException),
     ("101", RequestEntityTooLargeException)],
)  # fmt: skip
def test_content_length_invalid_refused(value: str, error: type[OmicsError]) -> None:
    with pytest.raises(error):
        content_length(headers(Content_Length=value), limit=100)


@pytest.mark.parametrize(("values", "length"), [({}, 0), ({"Content_Length": "100"}, 100)])
def test_content_length_declared_or_zero(values: dict[str, str], length: int) -> None:
    assert content_length(headers(**values), limit=100) == length


def repeated(*values: str) -> Message:
    message = Message()
    for value in values:
        message["Content-Length"] = value
    return message


def test_content_length_repeated_with_different_values_refused() -> None:
    with pytest.raises(SerializationException, match="Conflicting Content-Length"):
        content_length(repeated("10", "12"), limit=100)


def test_content_length_repeated_with_one_value_read_once() -> None:
    assert content_length(repeated("10", "10"), limit=100) == 10
