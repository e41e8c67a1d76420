"""Smoke tests of the bench's pure pieces: window instants, the fake-clock waits, the table."""

from __future__ import annotations

import pytest

from bench.polling import CALL_SECONDS, botocore_waiter, provider_wait, window_instants
from bench.report import Row, render


def test_window_instants_cover_window_ends_and_each_poll_inside() -> None:
    instants = window_instants(100.0, [85.0, 95.0, 105.0, 115.0])
    assert instants[0] == pytest.approx(90.0)
    assert instants[-1] == pytest.approx(110.0)
    assert [round(i, 3) for i in instants[1:-1]] == [95.0, 105.0]


def test_botocore_waiter_polls_every_30_seconds_until_done() -> None:
    wait = botocore_waiter(60.0)
    assert wait.calls == {"GetVariantImportJob": 3}
    assert 0 <= wait.lateness < 30 + 3 * CALL_SECONDS


def test_provider_wait_of_one_job_reads_it_in_full_and_notices_completion() -> None:
    wait = provider_wait()(60.0)
    assert set(wait.calls) == {"GetVariantImportJob"}  # one job alone: no batched List
    assert 0 <= wait.lateness < 64 + 1


@pytest.mark.parametrize(("passed", "shown"), [(True, "PASS"), (False, "FAIL"), (None, "info")])
def test_render_shows_result_of_each_row(passed: bool | None, shown: str) -> None:
    table = render([Row("ratio", "1.2", "<= 1.1", passed)])
    assert table.splitlines()[-1].endswith(shown)
