"""AWS calls retried within their own window, failing with one clear, typed ProviderError."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from omics_provider.aws.errors import (
    failure,
    is_conflict,
    is_not_found,
    is_quota_exceeded,
    is_role_not_ready,
    is_transient,
    outcome_unknown,
    reason,
)
from omics_provider.core.errors import (
    ConflictError,
    OutcomeUnknownError,
    ProviderError,
    QuotaExceededError,
    ResourceMissingError,
    RetriesExhaustedError,
)
from omics_provider.core.progress import Progress
from omics_provider.core.timing import RETRY_BACKOFF, Backoff, Clock, Deadline

T = TypeVar("T")

CLOCK_SKEW = timedelta(minutes=5)
"""How far the service's timestamps may run behind this machine's clock: after a call whose
outcome is unknown, what it created is looked for among what was created since then, less this."""
ROLE_PROPAGATION_SECONDS = 60.0
"""How long a role that HealthOmics cannot assume yet is waited for (new roles take seconds)."""
CALL_RETRY_SECONDS = 15 * 60.0
"""How long one call is retried while it fails transiently (never past the operation's deadline)."""
OUTAGE_QUIET_SECONDS = 30.0
"""Transient failures are retried quietly this long; past it, the outage is reported at once and
then at least every heartbeat (3 minutes) until the call works or gives up."""


@dataclass
class Outage:
    """Transient failures in a row: what fails, and since when (wall clock and monotonic)."""

    operation: str
    since: datetime
    started_at: float
    reported: bool = False


@dataclass
class CallContext:
    """Who is calling (for messages), the clock and the retry policy; shared by an operation's
    calls. Which deadline bounds a call is not here: each call is given its own."""

    progress: Progress
    clock: Clock
    retry_backoff: Backoff = RETRY_BACKOFF
    call_retry_seconds: float = CALL_RETRY_SECONDS
    quiet_seconds: float = OUTAGE_QUIET_SECONDS
    rand: Callable[[], float] = random.random
    outage: Outage | None = field(default=None)

    @property
    def resource(self) -> str:
        """The resource as users name it in messages, e.g. `VariantImportJob batch-1`."""
        return f"{self.progress.kind} {self.progress.name}"

    def retry_window(self, deadline: Deadline) -> Deadline:
        """The window of a call starting now: its own span, clipped to deadline."""
        return deadline.within(self.call_retry_seconds)

    def note_failure(self, operation: str, error: BaseException, window: Deadline) -> None:
        """Note a transient failure; once failures have lasted quiet_seconds, report the outage
        (what fails, since when, until when it is retried), then at least every heartbeat."""
        if self.outage is None or self.outage.operation != operation:
            self.outage = Outage(operation, datetime.now(UTC), self.clock.monotonic())
        if self.clock.monotonic() - self.outage.started_at < self.quiet_seconds:
            return
        self.outage.reported = True
        until = datetime.now(UTC) + timedelta(seconds=window.remaining())
        self.progress.status(
            f"failing {operation}",
            f"{operation} failing since {self.outage.since:%H:%M:%S} UTC ({reason(error)}); "
            f"retrying until {until:%H:%M:%S} UTC",
        )

    def note_success(self) -> None:
        """End the outage under way, if any, saying so if it was reported."""
        if self.outage is not None and self.outage.reported:
            lasted = self.clock.monotonic() - self.outage.started_at
            self.progress.line(f"{self.outage.operation} works again after {lasted:.0f}s")
            self.progress.last_status = None
        self.outage = None

    def error(
        self, problem: str, advice: str | None = None, operation: str | None = None
    ) -> ProviderError:
        """A ProviderError of this resource: what went wrong, what to do, and the operation
        that failed, if one did."""
        return ProviderError(problem, resource=self.resource, operation=operation, advice=advice)

    def fail(
        self, operation: str, error: BaseException, hints: Mapping[str, str] | None = None
    ) -> ProviderError:
        """The ProviderError of the right kind that reports error of operation."""
        return failure(_error_kind(error), self.resource, operation, error, hints)


def call(
    ctx: CallContext,
    operation: str,
    fn: Callable[..., T],
    deadline: Deadline,
    hints: Mapping[str, str] | None = None,
    wait_for_role: bool = False,
    idempotent: bool = True,
    **kwargs: Any,
) -> T:
    """fn(**kwargs), repeated with jittered backoff while it fails transiently in its window:
    CALL_RETRY_SECONDS from now, never past deadline (the bound the caller gives this call).

    Throttling, 5xx, timeouts and lost connections are retried; with wait_for_role, so is a role
    that HealthOmics cannot assume yet, for up to ROLE_PROPAGATION_SECONDS. A call that is not
    idempotent is never repeated after a failure that may have taken effect: OutcomeUnknownError.
    Anything else raises at once: ResourceMissingError, ConflictError, QuotaExceededError, or a
    ProviderError; RetriesExhaustedError when the window closed on a transient failure.
    """
    window = ctx.retry_window(deadline)
    delays = ctx.retry_backoff.jittered(ctx.rand)
    role_deadline = Deadline.after(ctx.clock, ROLE_PROPAGATION_SECONDS)
    while True:
        try:
            result = fn(**kwargs)
        except Exception as error:
            if not idempotent and outcome_unknown(error):
                raise failure(OutcomeUnknownError, ctx.resource, operation, error, hints) from None
            role_wait = wait_for_role and is_role_not_ready(error) and not role_deadline.expired()
            if not (is_transient(error) or role_wait):
                raise ctx.fail(operation, error, hints) from None
            if window.expired():
                lasted = (
                    f"it kept failing for {ctx.clock.monotonic() - _outage_start(ctx, window):.0f}s"
                )
                raise failure(
                    RetriesExhaustedError, ctx.resource, operation, error, hints, lasted
                ) from None
            if role_wait:
                ctx.progress.status("role", "waiting for HealthOmics to be able to assume the role")
            else:
                ctx.note_failure(operation, error, window)
            window.sleep(next(delays))
        else:
            ctx.note_success()
            return result


def _outage_start(ctx: CallContext, window: Deadline) -> float:
    return ctx.outage.started_at if ctx.outage is not None else window.clock.monotonic()


def _error_kind(error: BaseException) -> type[ProviderError]:
    if is_not_found(error):
        return ResourceMissingError
    if is_conflict(error):
        return ConflictError
    if is_quota_exceeded(error):
        return QuotaExceededError
    return ProviderError
