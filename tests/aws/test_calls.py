"""call(): retry pacing on an injected clock, its own window, typed errors, outage reports."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from omics_provider.aws.calls import CallContext, call
from omics_provider.aws.errors import error_code
from omics_provider.core.errors import (
    ConflictError,
    OutcomeUnknownError,
    ProviderError,
    QuotaExceededError,
    ResourceMissingError,
    RetriesExhaustedError,
)
from omics_provider.core.progress import Progress
from omics_provider.core.timing import Backoff, Deadline
from tests.support.clock import FakeClock


def client_error(code: str, status: int) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": f"{code} happened"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "Op")


def failing(times: int, error: Exception, clock: FakeClock | None = None) -> Callable[[], str]:
    """A call that raises error times times, then answers "ok"; records when it was made."""
    calls: list[float] = []

    def fn() -> str:
        calls.append(clock.now if clock else 0.0)
        if len(calls) <= times:
            raise error
        return "ok"

    fn.calls = calls  # type: ignore[attr-defined]
    return fn


def context(clock: FakeClock, rand: float = 1.0) -> CallContext:
    progress = Progress("VariantImportJob", "batch", clock, io.StringIO())
    return CallContext(progress, clock, Backoff(1, 2, 20), rand=lambda: rand)


def within(clock: FakeClock, seconds: float = 3600.0) -> Deadline:
    """The deadline a call is given: seconds from now on clock."""
    return Deadline.after(clock, seconds)


def printed(ctx: CallContext) -> list[str]:
    stream = ctx.progress.stream
    assert isinstance(stream, io.StringIO)
    return stream.getvalue().splitlines()


@pytest.mark.parametrize(
    ("rand", "sleeps"), [(1.0, [1, 2, 4, 8, 16, 20]), (0.5, [0.5, 1, 2, 4, 8, 10])]
)
def test_call_backs_off_exponentially_with_jitter_up_to_the_cap(
    rand: float, sleeps: list[float]
) -> None:
    clock = FakeClock()
    fn = failing(6, client_error("ThrottlingException", 429), clock)
    assert call(context(clock, rand=rand), "Op", fn, within(clock)) == "ok"
    assert clock.sleeps == sleeps


def test_call_jitter_draws_each_wait_at_random_below_the_schedule() -> None:
    clock = FakeClock()
    draws = iter([0.9, 0.1, 0.7])
    ctx = context(clock)
    ctx.rand = lambda: next(draws)
    call(ctx, "Op", failing(3, client_error("ThrottlingException", 429)), within(clock))
    assert clock.sleeps == pytest.approx([0.9, 0.2, 2.8])


@pytest.mark.parametrize(
    "error",
    [
        client_error("ThrottlingException", 429),
        client_error("InternalServerException", 500),
        client_error("RequestTimeoutException", 408),
        EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
    ],
    ids=["throttling", "server-error", "request-timeout", "connection-refused"],
)
def test_call_retries_transient_failures(error: Exception) -> None:
    clock = FakeClock()
    assert call(context(clock), "Op", failing(2, error), within(clock)) == "ok"
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (client_error("ResourceNotFoundException", 404), ResourceMissingError),
        (client_error("ConflictException", 409), ConflictError),
        (client_error("ServiceQuotaExceededException", 402), QuotaExceededError),
        (client_error("ValidationException", 400), ProviderError),
        (client_error("AccessDeniedException", 403), ProviderError),
    ],
)
def test_call_raises_a_typed_error_at_once_for_a_permanent_failure(
    error: Exception, kind: type[ProviderError]
) -> None:
    clock = FakeClock()
    with pytest.raises(kind) as raised:
        call(context(clock), "Op", failing(1, error), within(clock))
    assert type(raised.value) is kind
    assert (raised.value.operation, raised.value.code) == ("Op", error_code(error))
    assert clock.sleeps == []


def test_call_that_is_not_idempotent_is_never_repeated_after_a_server_error() -> None:
    clock = FakeClock()
    fn = failing(1, client_error("InternalServerException", 500))
    with pytest.raises(OutcomeUnknownError):
        call(context(clock), "Op", fn, within(clock), idempotent=False)
    assert len(fn.calls) == 1  # type: ignore[attr-defined]


def test_call_gives_up_when_its_own_window_closes() -> None:
    clock = FakeClock()
    ctx = context(clock)
    ctx.call_retry_seconds = 60
    with pytest.raises(RetriesExhaustedError) as raised:
        call(ctx, "Op", failing(10_000, client_error("ThrottlingException", 429)), within(clock))
    assert (raised.value.operation, raised.value.code) == ("Op", "ThrottlingException")
    assert raised.value.problem == "ThrottlingException happened; it kept failing for 60s"
    assert clock.now - 1_800_000_000.0 == pytest.approx(60)


def test_call_window_never_passes_the_deadline_it_is_given() -> None:
    clock = FakeClock()
    ctx = context(clock)
    with pytest.raises(RetriesExhaustedError):
        call(ctx, "Op", failing(10_000, client_error("ThrottlingException", 429)), within(clock, 5))
    assert clock.now - 1_800_000_000.0 == pytest.approx(5)


def test_call_window_starts_when_the_call_does() -> None:
    """A call made late in a long operation still gets its full window (up to the deadline)."""
    clock = FakeClock()
    ctx, operation = context(clock), within(clock, 7200)
    ctx.call_retry_seconds = 600
    clock.sleep(3000)  # e.g. a long wait before this call
    throttled = failing(20, client_error("ThrottlingException", 429))  # ~6 minutes of retries
    call(ctx, "Op", throttled, operation)
    assert sum(clock.sleeps[1:]) > 300


def test_call_during_a_long_outage_reports_what_fails_at_least_every_three_minutes() -> None:
    clock = FakeClock()
    ctx = context(clock)
    ctx.call_retry_seconds = 30 * 60
    fn = failing(10_000, EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), clock)
    with pytest.raises(RetriesExhaustedError):
        call(ctx, "GetVariantImportJob", fn, within(clock))
    lines = printed(ctx)
    assert lines and all("GetVariantImportJob failing since" in line for line in lines)
    assert all("retrying until" in line and "EndpointConnectionError" in line for line in lines)
    assert len(lines) >= 30 * 60 / 180 - 1


def test_call_retries_a_short_blip_quietly_and_reports_recovery_after_an_outage() -> None:
    clock = FakeClock()
    quiet = context(clock)
    call(quiet, "Op", failing(2, client_error("ThrottlingException", 429)), within(clock))
    assert printed(quiet) == []
    long = context(clock)
    throttled = failing(8, client_error("ThrottlingException", 429))  # about a minute
    call(long, "Op", throttled, within(clock))
    assert "Op works again after" in printed(long)[-1]
