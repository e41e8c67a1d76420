"""`omics-variant-import verify` against a moto S3 server."""

from __future__ import annotations

import gzip
import threading
from pathlib import Path
from typing import Any

import pytest

from omics_stack import verification
from omics_stack.cli import main
from omics_stack.config import ImportBatch
from omics_stack.s3 import S3Location, read_head
from tests.stack.conftest import STACK, put, stack_file
from tests.stack.test_vcf import LARGE_VCF, bgzf


def declare(project: Path, *batches: tuple[str, list[str]]) -> None:
    """Replace the test stack's imports with batches of (name, sources)."""
    lines = ["config:", "  omics-variant-import:storeName: cohort_store"]
    lines.append(
        "  omics-variant-import:referenceArn: "
        "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
    )
    lines.append("  omics-variant-import:imports:")
    for name, sources in batches:
        lines += [f"    - name: {name}", "      sources:", *(f"        - {s}" for s in sources)]
    stack_file(project).write_text("\n".join(lines) + "\n")


def test_verify_passes_plain_gzip_and_bgzf_vcf_files(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = put(s3, bucket, "a.vcf")
    gz = put(s3, bucket, "b.vcf.gz", body=gzip.compress(LARGE_VCF))
    bgz = put(s3, bucket, "c.vcf.gz", body=bgzf(LARGE_VCF))
    declare(project, ("one", plain + gz), ("two", bgz))

    assert main(["verify", "--stack", STACK]) == 0

    assert capsys.readouterr().out.startswith("verified 3 file(s) in 2 batch(es): no problem")


def test_verify_prints_one_line_per_problem_and_exits_1(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    good, empty, text = put(s3, bucket, "good.vcf", "empty.vcf", "text.vcf")
    put(s3, bucket, "empty.vcf", body=b"")
    put(s3, bucket, "text.vcf", body=b"chr1\t100\tA\n")
    (notgz,) = put(s3, bucket, "reads.vcf.gz", body=gzip.compress(b"@read\nACGT\n"))
    missing = f"s3://{bucket}/missing.vcf"
    no_bucket = "s3://no-such-bucket-anywhere/x.vcf"
    declare(project, ("first", [good, empty, text]), ("second", [notgz, missing, no_bucket]))

    assert main(["verify", "--stack", STACK]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == [
        f"first: {empty}: is empty; an import job fails on it",
        f"first: {text}: does not start with ##fileformat=VCF (starts with b'chr1\\t100\\tA\\n')",
        f"second: {notgz}: is gzip-compressed, but does not start with ##fileformat=VCF "
        "(starts with b'@read\\nACGT\\n')",
        f"second: {missing}: object not found",
        f"second: {no_bucket}: bucket no-such-bucket-anywhere does not exist",
    ]
    assert lines[-1].startswith("verified 6 file(s) in 2 batch(es): 5 problem(s)")


def test_verify_refuses_a_file_over_the_per_file_quota(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    big = put(s3, bucket, "big.vcf", body=LARGE_VCF)
    declare(project, ("only", big))
    limit_gib = (len(LARGE_VCF) - 1) / verification.GIB

    assert main(["verify", "--stack", STACK, "--max-file-gb", repr(limit_gib)]) == 1

    problem = capsys.readouterr().out.splitlines()[0]
    assert problem.startswith(f"only: {big[0]}: is 0.0 GiB ({len(LARGE_VCF):,} bytes), over the ")


def test_verify_reads_at_most_the_head_of_each_file(s3: Any, bucket: str) -> None:
    sources = put(s3, bucket, *(f"f{i}.vcf" for i in range(5)), body=LARGE_VCF)
    received: list[int] = []

    def count_bytes(http_response: Any, **_: Any) -> None:
        received.append(int(http_response.headers["content-length"]))

    s3.meta.events.register("after-call.s3.GetObject", count_bytes)

    result = verification.verify_batches(s3, [ImportBatch("only", tuple(sources))])

    assert result.problems == []
    assert len(received) == 5 and max(received) <= verification.HEAD_BYTES < len(LARGE_VCF)
    assert result.bytes_read == sum(received)


def test_verify_reads_files_concurrently(
    project: Path, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = put(s3, bucket, "a.vcf", "b.vcf", "c.vcf", "d.vcf")
    declare(project, ("only", sources))
    together = threading.Barrier(4, timeout=10)

    def head_when_all_four_wait(client: Any, location: S3Location, length: int) -> Any:
        together.wait()  # raises BrokenBarrierError unless four reads run at once
        return read_head(client, location, length)

    monkeypatch.setattr(verification, "read_head", head_when_all_four_wait)

    assert main(["verify", "--stack", STACK, "--concurrency", "4"]) == 0


def test_verify_with_an_invalid_stack_fails_in_one_line(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = put(s3, bucket, "a.vcf")
    declare(project, ("one", sources), ("two", sources))

    assert main(["verify", "--stack", STACK]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "batch 'two' lists the same 1 file(s) as batch 'one'" in err


def test_verify_reads_manifest_batches_written_by_plan(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    declare(project)
    put(s3, bucket, "in/a.vcf", "in/b.vcf.gz", "in/c.vcf")
    put(s3, bucket, "in/c.vcf", body=b"not a vcf")
    assert main(["plan", "--stack", STACK, "--batch-size", "2", f"s3://{bucket}/in/"]) == 0
    capsys.readouterr()

    assert main(["verify", "--stack", STACK]) == 1

    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"in-002: s3://{bucket}/in/c.vcf: does not start with ##fileformat=VCF "
        "(starts with b'not a vcf')"
    )
    assert out[1].startswith("verified 3 file(s) in 2 batch(es): 1 problem(s)")
