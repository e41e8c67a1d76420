"""Cancelling a job on virtual time: the wait for CANCELLED ends as soon as the job has ended."""

from __future__ import annotations

from dataclasses import replace

from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.core.timing import Backoff
from omics_provider.flows.import_job import CANCEL_CONFIRM_SECONDS
from omics_provider.flows.import_spec import ImportSpec
from omics_provider.flows.job_report import timed_out
from tests.support.clock import FakeClock
from tests.support.jobs import job_flow, job_inputs, progress_text
from tests.support.virtual_time import virtual_emulator

STATUS_POLL = Backoff(1.0, 2.0, 5.0)
CANCEL_SECONDS = 3.0
SPEC = ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs("s3://samples-bucket/a.vcf"))


def test_cancel_returns_once_the_job_reports_cancelled() -> None:
    clock = FakeClock()
    with virtual_emulator(clock, job_seconds=3600, cancel_seconds=CANCEL_SECONDS) as (
        emulator,
        client,
    ):
        job_id = client.start_variant_import_job(**SPEC.start_request())["jobId"]
        flow = job_flow(emulator, clock, STATUS_POLL, timeout_seconds=3600)
        started = clock.now
        ended = flow.cancel(job_id)
        reads = emulator.backend.requests_by_operation()["GetVariantImportJob"]
    assert ended is not None and ended["status"] == "CANCELLED"
    elapsed = clock.now - started
    assert CANCEL_SECONDS <= elapsed <= CANCEL_SECONDS + STATUS_POLL.cap < CANCEL_CONFIRM_SECONDS
    assert reads <= 1 + 4  # the first read, then reads at 1, 3 and 7 s at most


def test_cancel_of_a_kind_without_a_cancel_leaves_the_job_running_and_says_so() -> None:
    clock = FakeClock()
    uncancellable = replace(VARIANT_IMPORT, cancel=None)
    with virtual_emulator(clock, job_seconds=3600) as (emulator, client):
        job_id = client.start_variant_import_job(**SPEC.start_request())["jobId"]
        flow = job_flow(emulator, clock, STATUS_POLL, timeout_seconds=3600, kind=uncancellable)
        left = flow.cancel(job_id)
        calls = emulator.backend.requests_by_operation()
    assert left is not None and left["status"] in {"SUBMITTED", "IN_PROGRESS"}
    assert "CancelVariantImportJob" not in calls
    assert "HealthOmics cannot cancel a variant import job, so it runs on" in progress_text(flow)


def test_timeout_advice_offers_a_cancel_only_for_a_kind_that_has_one() -> None:
    _, advice = timed_out(VARIANT_IMPORT, "j", "IN_PROGRESS")
    assert advice.endswith("or cancel it with `aws omics cancel-variant-import-job`")
    _, advice = timed_out(replace(VARIANT_IMPORT, cancel=None), "j", "IN_PROGRESS")
    assert "cancel" not in advice
