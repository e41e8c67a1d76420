"""Recognising a VCF from its first bytes: plain, gzip and BGZF, truncated, or something else."""

from __future__ import annotations

import bz2
import gzip
import struct
import zlib

import pytest

from omics_stack.vcf import vcf_problem
from tests.stack.conftest import VCF

LARGE_VCF = VCF + b"".join(b"1\t%d\t.\tA\tG\t.\t.\t.\n" % i for i in range(50_000))


def bgzf_block(data: bytes) -> bytes:
    """One BGZF block: a gzip member whose extra field carries the block size (SAM spec 4.1)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    extra = b"BC" + struct.pack("<HH", 2, len(deflated) + 25)
    header = b"\x1f\x8b\x08\x04" + b"\x00" * 4 + b"\x00\xff" + struct.pack("<H", len(extra))
    trailer = struct.pack("<II", zlib.crc32(data), len(data))
    return header + extra + deflated + trailer


def bgzf(data: bytes) -> bytes:
    """data as a BGZF file: blocks of at most 64 KiB, then the empty end-of-file block."""
    blocks = [bgzf_block(data[i : i + 65280]) for i in range(0, len(data), 65280)]
    return b"".join(blocks) + bgzf_block(b"")


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(VCF, id="plain"),
        pytest.param(LARGE_VCF[:4096], id="plain-truncated"),
        pytest.param(gzip.compress(LARGE_VCF)[:4096], id="gzip-truncated"),
        pytest.param(bgzf(LARGE_VCF)[:4096], id="bgzf-truncated"),
        pytest.param(bgzf_block(b"") + bgzf(VCF), id="bgzf-empty-first-block"),
    ],
)
def test_vcf_problem_accepts_a_vcf_start(head: bytes) -> None:
    assert vcf_problem(head) is None


@pytest.mark.parametrize(
    ("head", "problem"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b"chr1\t100\n", "does not start with ##fileformat=VCF", id="text"),
        pytest.param(b"##fileform", "ends before its first line is complete", id="cut-short"),
        pytest.param(gzip.compress(b"@read1\nACGT\n"), "is gzip-compressed, but does not", id="gz"),
        pytest.param(b"\x1f\x8b\x08\x00garbage-here", "cannot be decompressed", id="bad-gzip"),
        pytest.param(bz2.compress(VCF), "is bzip2-compressed", id="bzip2"),
        pytest.param(b"BCF\x02\x02rest", "is a BCF (binary VCF) file", id="bcf"),
    ],
)
def test_vcf_problem_names_what_the_file_is(head: bytes, problem: str) -> None:
    found = vcf_problem(head)

    assert found is not None and problem in found
