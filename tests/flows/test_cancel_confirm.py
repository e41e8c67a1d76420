"""Cancelling a job on virtual time: the wait for CANCELLED ends as soon as the job has ended."""

from __future__ import annotations

from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.core.timing import Backoff
from omics_provider.flows.import_job import CANCEL_CONFIRM_SECONDS
from omics_provider.flows.import_spec import ImportSpec
from tests.support.clock import FakeClock
from tests.support.jobs import job_flow, job_inputs
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
