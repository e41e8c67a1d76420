"""The bench's verdict: its last line and exit status say whether every target was met."""

from __future__ import annotations

import pytest

from bench.report import Row, exit_status, verdict

MET = Row("4 check on 1,000 items", "3.1 ms", "<= 50 ms", True)
MISSED = Row("1 overhead: create, plugin/boto3", "1.30", "<= 1.10", False)
ALSO_MISSED = Row("3 fan-out N=50: total / ideal", "1.40", "<= 1.15", False)
INFO = Row("1 AWS calls per create", "3")


@pytest.mark.parametrize(
    ("rows", "status", "last_line"),
    [
        ([MET, INFO], 0, "bench: PASS, all 1 targets met"),
        (
            [MET, MISSED, INFO],
            1,
            "bench: FAIL, 1 of 2 targets missed: 1 overhead: create, plugin/boto3",
        ),
        (
            [MISSED, MET, ALSO_MISSED],
            1,
            "bench: FAIL, 2 of 3 targets missed: 1 overhead: create, plugin/boto3; "
            "3 fan-out N=50: total / ideal",
        ),
    ],
)
def test_verdict_and_exit_status_fail_when_a_target_is_missed(
    rows: list[Row], status: int, last_line: str
) -> None:
    assert exit_status(rows) == status
    assert verdict(rows) == last_line
