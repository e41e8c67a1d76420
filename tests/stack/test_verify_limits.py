"""verify's limits: the --max-file-gb option, the per-file quota's edge, the size of each read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omics_stack import verification
from omics_stack.cli import main
from omics_stack.config import ImportBatch
from tests.stack.conftest import STACK, VCF, put
from tests.stack.test_vcf import LARGE_VCF


@pytest.mark.parametrize(
    "value", ["nan", "inf", "-inf", "-1", "0", "0.0", "5_0", "\uff120", "many"]
)
def test_verify_refuses_a_max_file_gb_that_is_not_finite_and_positive(
    project: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["verify", "--stack", STACK, f"--max-file-gb={value}"])
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"argument --max-file-gb: {value!r} is not a size in GiB" in error
    assert "Traceback" not in error


@pytest.mark.parametrize(("extra", "problem"), [(0, False), (-1, True)])
def test_check_source_accepts_a_file_of_exactly_the_maximum_size(
    s3: Any, bucket: str, extra: int, problem: bool
) -> None:
    [uri] = put(s3, bucket, "edge.vcf")
    what, _ = verification.check_source(s3, uri, len(VCF) + extra)
    assert (what is not None) is problem
    assert what is None or "over the" in what


def test_verify_reads_4_kib_ranges_of_each_file(s3: Any, bucket: str) -> None:
    sources = put(s3, bucket, "a.vcf", "b.vcf", body=LARGE_VCF)
    ranges: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        ranges.append(params["Range"])

    s3.meta.events.register("provide-client-params.s3.GetObject", record)
    result = verification.verify_batches(s3, [ImportBatch("only", tuple(sources))])

    assert result.problems == []
    assert ranges == ["bytes=0-4095"] * 2
    assert result.bytes_read == 2 * 4096
