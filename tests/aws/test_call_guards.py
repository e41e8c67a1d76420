"""call(): how long a role that cannot be assumed is waited for; what a bare 5xx means."""

from __future__ import annotations

import pytest

from omics_provider.aws.calls import ROLE_PROPAGATION_SECONDS, call
from omics_provider.core.errors import ProviderError, RetriesExhaustedError
from tests.aws.test_calls import client_error, context, failing, within
from tests.support.clock import FakeClock

ROLE_NOT_READY = client_error("AccessDeniedException", 403)
ROLE_NOT_READY.response["Error"]["Message"] = "Unable to assume role arn:aws:iam::1:role/r"


def test_call_waits_for_a_role_at_most_sixty_seconds() -> None:
    clock = FakeClock()
    start = clock.now
    with pytest.raises(ProviderError) as raised:
        never_ready = failing(10_000, ROLE_NOT_READY)
        ctx = context(clock)
        call(ctx, "StartVariantImportJob", never_ready, within(clock), wait_for_role=True)
    assert type(raised.value) is ProviderError and raised.value.code == "AccessDeniedException"
    assert ROLE_PROPAGATION_SECONDS == 60
    assert 60 <= clock.now - start <= 60 + 20  # the last wait is at most the backoff's cap


def test_call_without_wait_for_role_fails_at_once_on_a_role_not_ready() -> None:
    clock = FakeClock()
    with pytest.raises(ProviderError):
        call(context(clock), "StartVariantImportJob", failing(1, ROLE_NOT_READY), within(clock))
    assert clock.sleeps == []


@pytest.mark.parametrize(("code", "status"), [("UnlistedFailure", 500), ("", 500), ("", 502)])
def test_call_retries_a_bare_server_error_whatever_its_code(code: str, status: int) -> None:
    clock = FakeClock()
    assert call(context(clock), "Op", failing(2, client_error(code, status)), within(clock)) == "ok"
    assert len(clock.sleeps) == 2


def test_call_gives_up_on_a_bare_server_error_when_its_window_closes() -> None:
    clock = FakeClock()
    ctx = context(clock)
    ctx.call_retry_seconds = 30
    with pytest.raises(RetriesExhaustedError):
        call(ctx, "Op", failing(10_000, client_error("UnlistedFailure", 500)), within(clock))
