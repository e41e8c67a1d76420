"""The emulator's timing switches: creation times cut to whole seconds, lists that lag starts."""

from __future__ import annotations

from typing import Any

import pytest

from omics_emulator import EmulatorSettings, OmicsBackend, start_emulator
from omics_emulator.cli import build_parser, settings_from
from omics_emulator.pytest_plugin import make_omics_client
from tests.support.clock import FakeClock
from tests.support.job_kinds import KINDS, KindCase
from tests.support.jobs import STORE


@pytest.mark.parametrize("case", KINDS, ids=[case.id for case in KINDS])
def test_start_with_whole_second_times_gives_racing_jobs_the_same_creation_time(
    case: KindCase,
) -> None:
    clock = FakeClock(start=1_800_000_000.25)
    backend = OmicsBackend(EmulatorSettings(store_seconds=0, whole_second_times=True), clock)
    with start_emulator(backend=backend) as emulator:
        client = make_omics_client(emulator.url)
        case.make_store(client)
        first = case.start(client)
        clock.sleep(0.5)
        second = case.start(client)
        times = {case.call(client, case.kind.get, jobId=j)["creationTime"] for j in (first, second)}
    assert len(times) == 1
    assert next(iter(times)).timestamp() == 1_800_000_000


@pytest.mark.parametrize("case", KINDS, ids=[case.id for case in KINDS])
@pytest.mark.parametrize("listing", ["storeName", "status", "ids"])
def test_list_leaves_out_a_new_job_for_list_delay_seconds(case: KindCase, listing: str) -> None:
    clock = FakeClock()
    backend = OmicsBackend(
        EmulatorSettings(store_seconds=0, job_seconds=60, list_delay_seconds=3), clock
    )
    with start_emulator(backend=backend) as emulator:
        client = make_omics_client(emulator.url)
        case.make_store(client)
        job_id = case.start(client)
        queries: dict[str, dict[str, Any]] = {
            "storeName": {"filter": {"storeName": STORE}},
            "status": {"filter": {"status": "SUBMITTED"}},
            "ids": {"ids": [job_id]},
        }
        query = queries[listing]

        def listed() -> list[str]:
            answer = case.call(client, case.kind.list, **query)
            return [j["id"] for j in answer[case.kind.list_key]]

        assert listed() == []
        assert case.call(client, case.kind.get, jobId=job_id)["status"] == "SUBMITTED"
        clock.sleep(2.9)
        assert listed() == []
        clock.sleep(0.1)
        assert listed() == [job_id]


def test_cli_timing_switches_reach_the_settings() -> None:
    args = build_parser().parse_args(["--whole-second-times", "--list-delay-seconds", "2.5"])
    settings = settings_from(args)
    assert (settings.whole_second_times, settings.list_delay_seconds) == (True, 2.5)
    assert settings_from(build_parser().parse_args([])).list_delay_seconds == 0.0


def test_settings_refuse_a_negative_list_delay() -> None:
    with pytest.raises(ValueError, match="list_delay_seconds must be a finite number"):
        EmulatorSettings(list_delay_seconds=-1)
