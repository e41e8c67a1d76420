"""Whether the first bytes of a file start a VCF: plain text, or gzip/BGZF-compressed."""

from __future__ import annotations

import zlib

SIGNATURE = b"##fileformat=VCF"
"""The first line of every VCF file starts so (VCF 4.x specification)."""
GZIP_MAGIC = b"\x1f\x8b"
OTHER_FORMATS = {
    b"BZh": "bzip2-compressed",
    b"\x28\xb5\x2f\xfd": "zstd-compressed",
    b"\xfd7zXZ\x00": "xz-compressed",
    b"PK\x03\x04": "a zip archive",
    b"BCF\x02": "a BCF (binary VCF) file",
}
ACCEPTED = "HealthOmics imports plain VCF or gzip/BGZF-compressed VCF (.vcf, .vcf.gz)"
SHOWN = 24
"""Bytes quoted when a file starts with something else."""


def vcf_problem(head: bytes) -> str | None:
    """None when head (a file's first bytes, maybe truncated) starts a VCF; else what it is.

    BGZF is a series of gzip members, so both are read as gzip; a truncated member is fine, as
    only its first decompressed bytes matter.
    """
    if not head:
        return f"is empty; {ACCEPTED}"
    if head.startswith(GZIP_MAGIC):
        return _gzip_problem(head)
    for magic, name in OTHER_FORMATS.items():
        if head.startswith(magic):
            return f"is {name}; {ACCEPTED}"
    return _text_problem(head, "")


def _gzip_problem(head: bytes) -> str | None:
    try:
        text = gunzip_start(head, len(SIGNATURE))
    except zlib.error as error:
        return f"is gzip-compressed but cannot be decompressed ({error}); {ACCEPTED}"
    return _text_problem(text, "is gzip-compressed, but ")


def gunzip_start(data: bytes, wanted: int) -> bytes:
    """The first decompressed bytes of gzip data (across members, as BGZF has many)."""
    out = b""
    while data and len(out) < wanted:
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += member.decompress(data, wanted - len(out))
        if not member.eof:
            break
        data = member.unused_data
    return out


def _text_problem(text: bytes, context: str) -> str | None:
    if text.startswith(SIGNATURE):
        return None
    if SIGNATURE.startswith(text):
        return f"{context}ends before its first line is complete; {ACCEPTED}"
    return f"{context}does not start with ##fileformat=VCF (starts with {text[:SHOWN]!r})"
