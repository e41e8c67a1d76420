"""Injected faults: seeded dice for throttling and errors, unassumable roles, failing sources."""

from __future__ import annotations

import fnmatch
import random
from collections import Counter

from omics_emulator.exceptions import (
    InternalServerException,
    ThrottlingException,
    ValidationException,
)
from omics_emulator.settings import EmulatorSettings


class Faults:
    """Decides, reproducibly from ``settings.seed``, which requests and items fail.

    Not thread-safe by itself: the backend calls it under its lock.
    """

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.rng = random.Random(settings.seed)
        self._roles_first_seen: dict[str, float] = {}
        self.injected: Counter[str] = Counter()

    def check_request(self, operation: str) -> None:
        """Raise ThrottlingException or InternalServerException at the configured rates."""
        if self._roll(self.settings.throttle_rate):
            self.injected["ThrottlingException"] += 1
            raise ThrottlingException(f"Rate exceeded for {operation} (emulated throttling)")
        if self._roll(self.settings.error_rate):
            self.injected["InternalServerException"] += 1
            raise InternalServerException(
                f"An internal error occurred in {operation} (emulated fault); retry the request"
            )

    def check_role(self, role_arn: str, now: float) -> None:
        """Refuse a role for ``role_unassumable_seconds`` after it is first seen.

        AWS services that assume a caller-passed role synchronously (MWAA, EventBridge, ...)
        answer ValidationException 400 when the role cannot be assumed yet; AccessDenied is
        kept for the caller's own missing permissions (iam:PassRole). No omics-specific
        source documents the code, so the emulator follows that common pattern.
        """
        first_seen = self._roles_first_seen.setdefault(role_arn, now)
        if now - first_seen < self.settings.role_unassumable_seconds:
            raise ValidationException(
                f"Unable to assume role {role_arn}: omics.amazonaws.com is not authorized to "
                "assume it yet; check its trust policy or retry once IAM has propagated it"
            )

    def failing_pattern(self, source: str) -> str | None:
        """The first ``fail_sources`` glob that ``source`` matches, if any."""
        return next((p for p in self.settings.fail_sources if fnmatch.fnmatchcase(source, p)), None)

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate
