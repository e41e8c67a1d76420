"""The bench's verdict: its last line and exit status say whether every guard held; aspirations
not met yet are named but never fail the bench."""

from __future__ import annotations

import pytest

from bench.report import Row, exit_status, verdict

MET = Row("4 check on 1,000 items", "3.1 ms", "<= 50 ms", True)
MISSED = Row("1 overhead: create, plugin/boto3", "1.30", "<= 1.10", False)
ALSO_MISSED = Row("3 fan-out N=50: total / ideal", "1.40", "<= 1.15", False)
INFO = Row("1 AWS calls per create", "3")
NOT_YET = Row("7 table import vs gzip -dc", "0.20", ">= 0.33", False, aspiration=True)
REACHED = Row("7 table import vs gzip -dc", "0.40", ">= 0.33", True, aspiration=True)


@pytest.mark.parametrize(
    ("rows", "status", "last_line"),
    [
        ([MET, INFO], 0, "bench: PASS, all 1 guards met"),
        ([MET, REACHED], 0, "bench: PASS, all 1 guards met"),
        (
            [MET, NOT_YET, INFO],
            0,
            "bench: PASS, all 1 guards met (1 of 1 aspirations not met yet, not failing: "
            "7 table import vs gzip -dc)",
        ),
        (
            [MET, MISSED, INFO],
            1,
            "bench: FAIL, 1 of 2 guards missed: 1 overhead: create, plugin/boto3",
        ),
        (
            [MISSED, NOT_YET, MET, ALSO_MISSED],
            1,
            "bench: FAIL, 2 of 3 guards missed: 1 overhead: create, plugin/boto3; "
            "3 fan-out N=50: total / ideal (1 of 1 aspirations not met yet, not failing: "
            "7 table import vs gzip -dc)",
        ),
    ],
    ids=["guards-met", "aspiration-met", "aspiration-missed", "guard-missed", "both-missed"],
)
def test_verdict_and_exit_status_fail_only_when_a_guard_is_missed(
    rows: list[Row], status: int, last_line: str
) -> None:
    assert exit_status(rows) == status
    assert verdict(rows) == last_line


@pytest.mark.parametrize(
    ("row", "result"),
    [(MET, "PASS"), (MISSED, "FAIL"), (REACHED, "PASS"), (NOT_YET, "MISSED"), (INFO, "info")],
    ids=["guard-met", "guard-missed", "aspiration-met", "aspiration-missed", "info"],
)
def test_row_result_names_a_missed_aspiration_apart_from_a_failed_guard(
    row: Row, result: str
) -> None:
    assert row.result == result
