"""A store's import history against the emulator over HTTP: what it holds, read once."""

from __future__ import annotations

from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.flows.import_spec import ImportSpec
from omics_provider.flows.store_history import (
    Holdings,
    StoreHistory,
    imported_sources,
    read_store,
    refresh,
)
from tests.support.jobs import STORE, a_while, emulator_api, job_flow, job_inputs

BUCKET = "s3://samples-bucket"
DESTINATION = VARIANT_IMPORT.destination({"destinationName": STORE})


def start(client: Any, *names: str) -> str:
    spec = ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs(*(f"{BUCKET}/{n}.vcf" for n in names)))
    return str(client.start_variant_import_job(**spec.start_request())["jobId"])


@pytest.mark.parametrize(
    ("job", "imported"),
    [
        (
            {
                "status": "COMPLETED_WITH_FAILURES",
                "items": [
                    {"source": "s3://b/ok.vcf", "jobStatus": "COMPLETED"},
                    {"source": "s3://b/bad.vcf", "jobStatus": "FAILED"},
                ],
            },
            {"s3://b/ok.vcf"},
        ),
        ({"status": "CANCELLED", "items": [{"source": "s3://b/x.vcf"}]}, set()),
        ({"status": "FAILED", "items": [{"source": "s3://b/x.vcf"}]}, set()),
    ],
    ids=["completed-with-failures", "cancelled", "failed"],
)
def test_imported_sources_are_the_completed_items_of_a_successful_job(
    job: dict[str, Any], imported: set[str]
) -> None:
    assert imported_sources(job) == imported


def test_holders_prefer_ended_jobs_and_leave_out_ignored_ones() -> None:
    holdings = Holdings(
        "s",
        finished={"j1": frozenset({"a"}), "j0": frozenset({"b"})},
        active={"j3": frozenset({"a", "c"}), "j2": frozenset({"c"})},
        statuses={"j3": "SUBMITTED", "j2": "IN_PROGRESS"},
    )
    assert holdings.holders() == {"a": "j1", "b": "j0", "c": "j2"}
    assert holdings.holders(frozenset({"j1", "j2"})) == {"a": "j3", "b": "j0", "c": "j3"}
    assert holdings.jobs == 4


@pytest.mark.parametrize("omics_emulator_settings", [EmulatorSettings(job_seconds=60)])
def test_refresh_reads_each_ended_job_once_and_then_lists_only_running_jobs(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    backend = omics_emulator.backend
    backend.settings.job_seconds = 0.05
    done = [start(omics_client, f"done-{n}") for n in range(3)]
    job_flow(omics_emulator).wait(done[-1])
    backend.settings.job_seconds = 60
    running = start(omics_client, "running")
    failed = start(omics_client, "cancelled")
    job_flow(omics_emulator).cancel(failed)
    history, api = StoreHistory(VARIANT_IMPORT, DESTINATION), emulator_api(omics_emulator)
    backend.reset_counters()
    first = refresh(api, history, a_while())
    assert backend.requests_by_operation() == {
        "ListVariantImportJobs": 1,
        "GetVariantImportJob": 4,  # the three ended jobs and the running one's files
    }
    assert first.held == {f"{BUCKET}/done-{n}.vcf": done[n] for n in range(3)}
    assert first.running == {f"{BUCKET}/running.vcf": running}
    backend.reset_counters()
    again = refresh(api, history, a_while())
    assert backend.requests_by_operation() == {"ListVariantImportJobs": 2}  # two statuses
    assert again == first


def test_read_store_is_what_plan_store_reports(
    omics_emulator: EmulatorHandle, omics_client: Any, store: dict[str, Any]
) -> None:
    job_id = start(omics_client, "a", "b")
    job_flow(omics_emulator).wait(job_id)
    api = emulator_api(omics_emulator)
    holdings = read_store(api, VARIANT_IMPORT, DESTINATION, a_while())
    assert holdings.held == {f"{BUCKET}/a.vcf": job_id, f"{BUCKET}/b.vcf": job_id}
    assert holdings.running == {} and holdings.jobs == 1
