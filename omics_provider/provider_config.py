"""Provider settings read once per process from the stack configuration in configure()."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .aws_clients import CONFIG_NAMESPACE, AwsSettings
from .polling import STATUS_POLL, Backoff

QUOTA_POLL_SECONDS = 10.0
"""While creates wait for the concurrent-job quota, running jobs' statuses are read this often."""


@dataclass(frozen=True)
class ProviderSettings:
    """Everything a provider call needs besides its inputs."""

    aws: AwsSettings = field(default_factory=AwsSettings)
    status_poll: Backoff = STATUS_POLL
    quota_poll_seconds: float = QUOTA_POLL_SECONDS

    @classmethod
    def from_config(cls, get: Any) -> ProviderSettings:
        """Settings from a config getter taking full keys (`aws:region`).

        `omics-variant-import:pollInitialSeconds`, `pollMaxSeconds` and `quotaPollSeconds` tune
        how often statuses are read; the defaults suit real HealthOmics jobs.
        """
        initial = _seconds(get, "pollInitialSeconds", STATUS_POLL.initial)
        cap = _seconds(get, "pollMaxSeconds", STATUS_POLL.cap)
        return cls(
            aws=AwsSettings.from_config(get),
            status_poll=Backoff(initial, STATUS_POLL.factor, max(cap, initial)),
            quota_poll_seconds=_seconds(get, "quotaPollSeconds", QUOTA_POLL_SECONDS),
        )


def _seconds(get: Any, key: str, default: float) -> float:
    raw = get(f"{CONFIG_NAMESPACE}:{key}")
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(
            f"{CONFIG_NAMESPACE}:{key} must be a number of seconds, got {raw!r}"
        ) from None
    if value <= 0:
        raise ValueError(f"{CONFIG_NAMESPACE}:{key} must be positive, got {raw!r}")
    return value
