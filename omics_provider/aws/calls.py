"""AWS calls made with retries inside a deadline, failing with one clear ProviderError."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from omics_provider.aws.errors import (
    describe,
    is_not_found,
    is_quota_exceeded,
    is_role_not_ready,
    is_transient,
    outcome_unknown,
)
from omics_provider.core.errors import OutcomeUnknownError, ProviderError, ResourceMissingError
from omics_provider.core.progress import Progress
from omics_provider.core.timing import RETRY_BACKOFF, Backoff, Clock, Deadline

T = TypeVar("T")

CLOCK_SKEW = timedelta(minutes=5)
"""How far the service's timestamps may run behind this machine's clock: after a call whose
outcome is unknown, what it created is looked for among what was created since then, less this."""
ROLE_PROPAGATION_SECONDS = 60.0
"""How long a role that HealthOmics cannot assume yet is waited for (new roles take seconds)."""


@dataclass
class CallContext:
    """Who is calling (for messages), until when, and on which clock."""

    progress: Progress
    deadline: Deadline
    clock: Clock
    retry_backoff: Backoff = RETRY_BACKOFF

    @property
    def resource(self) -> str:
        """The resource as users name it in messages, e.g. `VariantImportJob batch-1`."""
        return f"{self.progress.kind} {self.progress.name}"

    def fail(
        self, operation: str, error: BaseException, hints: Mapping[str, str] | None = None
    ) -> ProviderError:
        """The ProviderError that reports error of operation for this resource."""
        kind = ResourceMissingError if is_not_found(error) else ProviderError
        return kind(describe(self.resource, operation, error, hints))


def call(
    ctx: CallContext,
    operation: str,
    fn: Callable[..., T],
    hints: Mapping[str, str] | None = None,
    wait_for_role: bool = False,
    on_quota: Callable[[], None] | None = None,
    idempotent: bool = True,
    **kwargs: Any,
) -> T:
    """fn(**kwargs), repeated with backoff while it fails transiently and the deadline allows.

    Throttling, 5xx and lost connections are retried; with wait_for_role, so is a role that
    HealthOmics cannot assume yet, for up to ROLE_PROPAGATION_SECONDS. Anything else, or the
    deadline passing, raises a ProviderError naming the operation and the AWS error.
    """
    delays = ctx.retry_backoff.intervals()
    role_deadline = Deadline.after(ctx.clock, ROLE_PROPAGATION_SECONDS)
    while True:
        try:
            return fn(**kwargs)
        except Exception as error:
            if on_quota is not None and is_quota_exceeded(error):
                on_quota()
                continue
            if not idempotent and outcome_unknown(error):
                raise OutcomeUnknownError(describe(ctx.resource, operation, error, hints)) from None
            role_wait = wait_for_role and is_role_not_ready(error) and not role_deadline.expired()
            if not (is_transient(error) or role_wait) or ctx.deadline.expired():
                raise ctx.fail(operation, error, hints) from None
            if role_wait:
                ctx.progress.status("role", "waiting for HealthOmics to be able to assume the role")
            ctx.deadline.sleep(next(delays))
