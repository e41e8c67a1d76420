"""A create waiting for the concurrent-job quota, on virtual time: how long, and what counts."""

from __future__ import annotations

from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from omics_provider.core.errors import ProviderError
from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.core.timing import Backoff
from omics_provider.flows.import_job import CreateRequest
from omics_provider.flows.import_spec import ImportSpec
from tests.support.clock import FakeClock
from tests.support.jobs import job_flow, job_inputs, jobs_into, progress_text
from tests.support.virtual_time import virtual_emulator

QUOTA_POLL = 10.0
STATUS_POLL = Backoff(1.0, 2.0, 5.0)
OTHERS = ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs("s3://samples-bucket/others.vcf"))
OURS = ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs("s3://samples-bucket/ours.vcf"))


def test_create_behind_another_tools_job_retries_every_quota_poll() -> None:
    """No job of this process runs, so no job end can wake the create: it polls the quota."""
    clock = FakeClock()
    with virtual_emulator(clock, job_seconds=30, max_concurrent_jobs=1) as (emulator, client):
        client.start_variant_import_job(**OTHERS.start_request())
        others_started = clock.now
        flow = job_flow(
            emulator, clock, STATUS_POLL, quota_poll_seconds=QUOTA_POLL, timeout_seconds=3600
        )
        job = flow.create(CreateRequest(spec=OURS, owner="ours", wait=False))
        ours_started = clock.now
        starts = emulator.backend.requests_by_operation()["StartVariantImportJob"]
    assert "concurrent import job quota is full" in progress_text(flow)
    assert {j["id"] for j in jobs_into(emulator)} >= {job["id"]}
    # The other job ends at 30 s; the quota is read again every 10 s, not every 60 s.
    assert 30 <= ours_started - others_started <= 30 + QUOTA_POLL + STATUS_POLL.cap
    assert starts == 1 + 1 + 3  # the other tool's start, then ours at 0, 10, 20 and 30 s


class ThrottledAfter:
    """A client whose StartVariantImportJob is throttled for `seconds` of the clock from the
    first start at or after `since`; everything else as the real client does it."""

    def __init__(self, client: Any, clock: FakeClock, since: float, seconds: float) -> None:
        self.client, self.clock, self.since, self.seconds = client, clock, since, seconds
        self.throttled_from: float | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def start_variant_import_job(self, **request: Any) -> Any:
        if self.clock.now >= self.since and self.throttled_from is None:
            self.throttled_from = self.clock.now
        if self.throttled_from is not None and self.clock.now < self.throttled_from + self.seconds:
            error: Any = {"Error": {"Code": "ThrottlingException", "Message": "slow down"},
                          "ResponseMetadata": {"HTTPStatusCode": 429}}  # fmt: skip
            raise ClientError(error, "StartVariantImportJob")
        return self.client.start_variant_import_job(**request)


@pytest.mark.parametrize(("throttled_for", "started"), [(20, True), (150, False)])
def test_create_after_a_quota_wait_gets_its_whole_timeout_for_the_start(
    throttled_for: float, started: bool
) -> None:
    """The queue moved: a start throttled after 90 s in the queue still has its whole 100 s,
    once (a start throttled for longer than that fails)."""
    clock = FakeClock()
    with virtual_emulator(clock, job_seconds=85, max_concurrent_jobs=1) as (emulator, client):
        client.start_variant_import_job(**OTHERS.start_request())
        flow = job_flow(
            emulator, clock, STATUS_POLL, quota_poll_seconds=QUOTA_POLL, timeout_seconds=100
        )
        since = clock.now + 85
        flow.api.client = cast(Any, ThrottledAfter(flow.api.client, clock, since, throttled_for))
        try:
            flow.create(CreateRequest(spec=OURS, owner="ours", wait=False))
        except ProviderError as error:
            assert not started, f"the start failed after the quota wait: {error}"
            assert error.code == "ThrottlingException"
        else:
            assert started and clock.now >= since + throttled_for
    assert len(jobs_into(emulator)) == (2 if started else 1)
