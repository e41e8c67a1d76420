"""Other (initial, factor, cap) status-poll policies on one duration, to choose a default from."""

from __future__ import annotations

from omics_provider.core.timing import STATUS_POLL, Backoff

from .polling import botocore_waiter, measure_polling, provider_wait
from .report import Row, render

POLICIES = (
    STATUS_POLL,
    Backoff(2.0, 3.0, 80.0),
    Backoff(80.0, 1.0, 80.0),
    Backoff(30.0, 2.0, 90.0),
    Backoff(10.0, 2.0, 180.0),
    Backoff(2.0, 2.0, 300.0),
)


def render_alternatives(seconds: float, policies: tuple[Backoff, ...] = POLICIES) -> str:
    """A table of status calls and lateness for each policy on a job of seconds."""
    waiter = measure_polling(botocore_waiter, seconds)
    rows = []
    for policy in policies:
        r = measure_polling(provider_wait(policy), seconds)
        lists = r.exact.calls.get("ListVariantImportJobs", 0)
        current = " (current)" if policy == STATUS_POLL else ""
        rows.append(
            Row(
                f"({policy.initial:g}, {policy.factor:g}, {policy.cap:g}){current}",
                f"calls {r.exact.total_calls} ({lists} List) = "
                f"{r.exact.total_calls / waiter.exact.total_calls:.2f} of waiter's "
                f"{waiter.exact.total_calls}; worst lateness {r.worst_fraction:.1%} "
                f"({r.worst.lateness:.0f} s), exact {r.exact.lateness:.1f} s",
            )
        )
    header = f"poll policies (initial, factor, cap) on a {seconds / 60:g}-minute job:"
    return header + "\n" + render(rows)
