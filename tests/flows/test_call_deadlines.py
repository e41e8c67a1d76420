"""Which deadline bounds a call: the one the flow passes for its operation, on virtual time.

The emulator throttles every request, so each call retries until the deadline it was given
closes; the call's own retry window is made longer than any deadline here, so only the deadline
passed by the flow can end it. One flow (one OmicsApi, one CallContext) serves each case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.errors import ProviderError, RetriesExhaustedError
from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.core.timing import Backoff, Deadline
from omics_provider.flows.import_job import CANCEL_CONFIRM_SECONDS, ImportJobFlow
from omics_provider.flows.import_spec import ImportSpec
from tests.support.clock import FakeClock
from tests.support.jobs import job_flow, job_inputs
from tests.support.virtual_time import virtual_emulator

TIMEOUT_SECONDS = 60.0
"""The flow's timeoutSeconds: what bounds a refresh and a wait, not a cancel."""
RETRY = Backoff(1.0, 2.0, 8.0)
"""The retry pacing: a deadline is overrun by at most one cap."""
SPEC = ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs("s3://samples-bucket/a.vcf"))


def throttled_flow(clock: FakeClock, emulator: Any) -> ImportJobFlow:
    """A flow on emulator whose calls could retry for a day: only a deadline ends them."""
    flow = job_flow(emulator, clock, Backoff(1.0, 2.0, 5.0), timeout_seconds=TIMEOUT_SECONDS)
    flow.ctx.retry_backoff = RETRY
    flow.ctx.call_retry_seconds = 24 * 3600.0
    emulator.backend.settings.throttle_rate = 1.0
    return flow


def refresh(flow: ImportJobFlow, job_id: str) -> Any:
    return flow.refresh(job_id)


def cancel(flow: ImportJobFlow, job_id: str) -> Any:
    return flow.cancel(job_id)


def refresh_within(seconds: float) -> Callable[[ImportJobFlow, str], Any]:
    def run(flow: ImportJobFlow, job_id: str) -> Any:
        return flow.refresh(job_id, Deadline.after(flow.clock, seconds))

    return run


@pytest.mark.parametrize(
    ("operation", "bound"),
    [
        (refresh, TIMEOUT_SECONDS),
        (refresh_within(7.0), 7.0),
        (cancel, CANCEL_CONFIRM_SECONDS),
    ],
    ids=["refresh-timeout", "refresh-given-deadline", "cancel-confirm-window"],
)
def test_flow_call_is_bounded_by_the_deadline_its_operation_passes(
    operation: Callable[[ImportJobFlow, str], Any], bound: float
) -> None:
    clock = FakeClock()
    with virtual_emulator(clock, job_seconds=3600) as (emulator, client):
        job_id = client.start_variant_import_job(**SPEC.start_request())["jobId"]
        flow = throttled_flow(clock, emulator)
        started = clock.now
        with pytest.raises(RetriesExhaustedError):
            operation(flow, job_id)
    assert bound <= clock.now - started <= bound + RETRY.cap


def test_api_calls_sharing_a_context_keep_their_own_deadlines() -> None:
    """Two calls on one OmicsApi: a short deadline given to one does not shorten the next."""
    clock = FakeClock()
    with virtual_emulator(clock, job_seconds=3600) as (emulator, client):
        job_id = client.start_variant_import_job(**SPEC.start_request())["jobId"]
        api: OmicsApi = throttled_flow(clock, emulator).api
        for seconds in (5.0, 40.0, 5.0):
            started = clock.now
            with pytest.raises(RetriesExhaustedError):
                deadline = Deadline.after(clock, seconds)
                api.get_job(VARIANT_IMPORT, job_id, SPEC.destination, deadline=deadline)
            assert seconds <= clock.now - started <= seconds + RETRY.cap


def test_wait_is_bounded_by_its_own_deadline_not_the_one_of_the_start() -> None:
    """The wait's deadline starts when the wait does: reads failing for longer than a start's
    deadline would last do not end it early, and it ends at timeoutSeconds from its start."""
    clock = FakeClock()
    with virtual_emulator(clock, job_seconds=3600) as (emulator, client):
        job_id = client.start_variant_import_job(**SPEC.start_request())["jobId"]
        flow = throttled_flow(clock, emulator)
        clock.sleep(10 * TIMEOUT_SECONDS)  # long after any deadline made when the flow was built
        started = clock.now
        with pytest.raises(ProviderError) as raised:
            flow.wait(job_id)
    assert type(raised.value) is ProviderError  # the wait's timeout, not a read giving up
    assert TIMEOUT_SECONDS <= clock.now - started <= TIMEOUT_SECONDS + RETRY.cap
