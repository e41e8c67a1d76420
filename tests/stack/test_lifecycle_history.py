"""The stack program through the edits users make to batches, judged by what the store holds.

Each run is a Git edit of `imports` after the batches ran: a rename 25 hours later (virtual
time), a merge, a split, a removed batch reverted, a batch mixing held and new files, and the
adoption of a job that imports other files. After every run: no file reached the store twice,
new files reached it exactly once, and each batch's state says which job imported each file.
"""

from __future__ import annotations

import runpy
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, OmicsBackend, start_emulator
from omics_provider import VariantImportJob
from omics_provider.flows.job_report import expand_ranges
from tests.stack.conftest import put
from tests.stack.test_lifecycle import JOB_TYPE, MAIN, stack_config
from tests.support.aws_resources import AwsClients
from tests.support.engine import DeploymentFailed, MiniEngine, Program
from tests.support.jobs import ROLE_ARN, plugin_env

STORE = "history_store"
BUCKET = "history-deliveries"
FILES = {name: f"s3://{BUCKET}/2024-06/{name}.vcf" for name in ("p1", "p2", "p3", "p4", "p5", "p6")}
DAY_AND_AN_HOUR = 25 * 3600.0


class ShiftedClock:
    """The emulator's clock: the wall clock shifted by offset, which only the test moves."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def with_adoption(adopt: dict[str, Any]) -> Program:
    """__main__.py, plus one VariantImportJob adopting adopt["job"] when adopt names one."""

    def program() -> None:
        runpy.run_path(str(MAIN))
        if adopt:
            VariantImportJob(
                "adopted",
                destination_name=STORE,
                role_arn=ROLE_ARN,
                items=[FILES[f] for f in adopt["files"]],
                adopt_job_id=adopt["job"],
            )

    return program


@dataclass
class History:
    """The mini-engine on __main__.py, the emulator on a shifted clock, what to adopt."""

    engine: MiniEngine
    emulator: EmulatorHandle
    clock: ShiftedClock
    adopt: dict[str, Any]

    def up(self, **batches: tuple[str, ...]) -> Any:
        imports = [{"name": n, "sources": [FILES[f] for f in fs]} for n, fs in batches.items()]
        config = stack_config(STORE, self.emulator.url, imports)
        self.emulator.backend.reset_counters()
        return self.engine.up(config)

    def starts(self) -> int:
        return self.emulator.backend.requests_by_operation().get("StartVariantImportJob", 0)

    def job_files(self) -> dict[str, set[str]]:
        return {
            job["id"]: {item["source"] for item in job["items"]}
            for job in self.emulator.backend.jobs(STORE)
        }

    def recorded(self, batch: str) -> dict[str, str]:
        """Each file of batch and the job its state says imported it."""
        outputs = self.engine.resource(batch).outputs
        items = [item["source"] for item in outputs["items"]]
        return {
            items[index]: job_id
            for job_id, ranges in outputs["importedBy"].items()
            for index in expand_ranges(ranges)
        }


@pytest.fixture
def history(s3: Any, moto_url: str) -> Iterator[History]:
    """Every file in moto's S3; the emulator a day and an hour behind, reading them there."""
    s3.create_bucket(Bucket=BUCKET)
    put(s3, BUCKET, *(uri.removeprefix(f"s3://{BUCKET}/") for uri in FILES.values()))
    clock = ShiftedClock(-DAY_AND_AN_HOUR)
    settings = EmulatorSettings(
        store_seconds=0.05, job_seconds=0.2, cancel_seconds=0.05, s3_endpoint=moto_url
    )
    adopt: dict[str, Any] = {}
    with start_emulator(backend=OmicsBackend(settings, clock)) as emulator:
        engine = MiniEngine(with_adoption(adopt), plugin_env(emulator), AwsClients.on(moto_url))
        yield History(engine, emulator, clock, adopt)


def assert_store_holds(history: History, *batches: str) -> None:
    """Every file once in the store; each batch records, per file, a job that imported it."""
    received = history.emulator.backend.imported_sources(STORE)
    assert set(received.values()) <= {1}, received
    jobs = history.job_files()
    for batch in batches:
        outputs = history.engine.resource(batch).outputs
        assert outputs["status"] == "COMPLETED"
        recorded = history.recorded(batch)
        assert set(recorded) == {item["source"] for item in outputs["items"]}
        assert all(source in jobs[job_id] for source, job_id in recorded.items())
    assert {r.name for r in history.engine.resources_of_type(JOB_TYPE)} == set(batches)


def test_stack_edits_of_batches_never_import_a_file_twice(history: History) -> None:
    # (1) Three batches run: three jobs.
    history.up(**{"june-a": ("p1", "p2"), "june-b": ("p3",), "old": ("p4",)})
    assert history.starts() == 3
    assert_store_holds(history, "june-a", "june-b", "old")
    job_a, job_b = history.recorded("june-a")[FILES["p1"]], history.recorded("june-b")[FILES["p3"]]
    job_old = history.recorded("old")[FILES["p4"]]

    # (2) 25 hours later, june-a is renamed: the new batch records job_a, starts nothing.
    history.clock.advance(DAY_AND_AN_HOUR)
    run = history.up(**{"cohort-2024-06": ("p1", "p2"), "june-b": ("p3",), "old": ("p4",)})
    assert run.changes["create"] == ["cohort-2024-06"] and run.changes["delete"] == ["june-a"]
    assert history.starts() == 0
    assert history.recorded("cohort-2024-06") == {FILES["p1"]: job_a, FILES["p2"]: job_a}
    assert_store_holds(history, "cohort-2024-06", "june-b", "old")

    # (3) Two finished batches merged into one: both jobs recorded, nothing started.
    history.up(june=("p1", "p2", "p3"), old=("p4",))
    assert history.starts() == 0
    assert history.recorded("june") == {FILES["p1"]: job_a, FILES["p2"]: job_a, FILES["p3"]: job_b}
    assert history.engine.resource("june").outputs["importedBy"] == {job_a: "0-1", job_b: "2"}
    assert_store_holds(history, "june", "old")

    # (4) Split again: each half records its jobs.
    history.up(**{"june-x": ("p1",), "june-y": ("p2", "p3"), "old": ("p4",)})
    assert history.starts() == 0
    assert history.recorded("june-y") == {FILES["p2"]: job_a, FILES["p3"]: job_b}
    assert_store_holds(history, "june-x", "june-y", "old")

    # (5) A batch removed, then the removal reverted from Git: recorded, not imported again.
    history.up(**{"june-x": ("p1",), "june-y": ("p2", "p3")})
    history.up(**{"june-x": ("p1",), "june-y": ("p2", "p3"), "old": ("p4",)})
    assert history.starts() == 0
    assert history.recorded("old") == {FILES["p4"]: job_old}
    assert_store_holds(history, "june-x", "june-y", "old")

    # (6) A batch mixing a held file and a new one: one job, with only the new file.
    history.up(**{"june-x": ("p1",), "june-y": ("p2", "p3"), "mixed": ("p4", "p5")})
    assert history.starts() == 1
    recorded = history.recorded("mixed")
    assert recorded[FILES["p4"]] == job_old
    assert history.job_files()[recorded[FILES["p5"]]] == {FILES["p5"]}
    assert_store_holds(history, "june-x", "june-y", "mixed")

    # (7) Adopting a job that imports other files fails the create; nothing recorded.
    history.adopt.update(job=job_b, files=("p6",))
    state = [res.name for res in history.engine.state]
    with pytest.raises(DeploymentFailed) as refused:
        history.up(**{"june-x": ("p1",), "june-y": ("p2", "p3"), "mixed": ("p4", "p5")})
    assert refused.value.phase == "update"
    assert (
        f"adoptJobId {job_b} does not import what this resource declares" in refused.value.message
    )
    assert FILES["p6"] in refused.value.message and FILES["p3"] in refused.value.message
    assert [res.name for res in history.engine.state] == state
    assert history.starts() == 0
    assert FILES["p6"] not in history.emulator.backend.imported_sources(STORE)
    assert_store_holds(history, "june-x", "june-y", "mixed")
