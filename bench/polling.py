"""Polling on a fake clock: the provider's real wait loop vs botocore's 30-second waiter."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from unittest import mock

import botocore.session
import botocore.waiter

from omics_emulator import EmulatorSettings, OmicsBackend
from omics_provider.aws.calls import CallContext
from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.core.progress import Progress
from omics_provider.core.timing import STATUS_POLL, Backoff
from omics_provider.flows.import_job import ImportJobFlow, JobPolicy
from omics_provider.flows.job_board import JobBoard
from omics_provider.resources.provider_base import QUOTA_POLL_SECONDS

from .services import REFERENCE_ARN, ROLE_ARN

WINDOW = 0.10
"""Completion instants are spread across the nominal duration ± this fraction."""
CALL_SECONDS = 0.05
"""Virtual time each AWS call takes (a round trip to a real regional endpoint)."""
SLEEP_OVERSHOOT = 0.001
"""Virtual time a sleep takes beyond what was asked (real sleeps wake a little late)."""
WAITER_NAME = "VariantImportJobCreated"
STORE = "bench_store"


class FakeClock:
    """The provider's Clock protocol on virtual time: sleeping moves time, nothing waits.

    A sleep overshoots by SLEEP_OVERSHOOT, as a real one does: an exact clock would make ages
    equal to intervals exactly, which no real clock does.
    """

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds) + SLEEP_OVERSHOOT

    def wait(self, condition: Any, seconds: float) -> None:
        self.sleep(seconds)

    def advance(self, seconds: float) -> None:
        """Let seconds pass (an AWS call's round trip)."""
        self.now += seconds


class BackendClient:
    """The omics client calls the wait loop makes, served by an OmicsBackend; polls are logged.

    Each call takes CALL_SECONDS of virtual time, as a real one takes time.
    """

    def __init__(self, backend: OmicsBackend, clock: FakeClock) -> None:
        self.backend = backend
        self.clock = clock
        self.polls: list[float] = []

    def list_variant_import_jobs(self, **kwargs: Any) -> dict[str, Any]:
        self._record("ListVariantImportJobs")
        page = self.backend.list_variant_import_jobs(
            ids=kwargs.get("ids"),
            store_name=(kwargs.get("filter") or {}).get("storeName"),
            max_results=kwargs.get("maxResults"),
            next_token=kwargs.get("nextToken"),
        )
        out: dict[str, Any] = {"variantImportJobs": page.items}
        if page.next_token:
            out["nextToken"] = page.next_token
        return out

    def get_variant_import_job(self, jobId: str) -> dict[str, Any]:
        self._record("GetVariantImportJob")
        return self.backend.get_variant_import_job(jobId)

    def _record(self, operation: str) -> None:
        self.clock.advance(CALL_SECONDS)
        self.backend.record_request(operation)
        self.polls.append(self.clock.now)  # the instant the service reads the job's state


@dataclass(frozen=True)
class Wait:
    """One simulated wait: when completion was noticed and the status calls made."""

    completes_at: float
    noticed_at: float
    calls: dict[str, int]
    polls: tuple[float, ...]

    @property
    def total_calls(self) -> int:
        """Every omics call the wait made."""
        return sum(self.calls.values())

    @property
    def lateness(self) -> float:
        """Seconds between the job's end and the waiter noticing it."""
        return self.noticed_at - self.completes_at


Waiter = Callable[[float], Wait]


def _started_job(seconds: float) -> tuple[FakeClock, BackendClient, str]:
    """A fake clock at 0 and a backend client whose one job started now and ends at seconds."""
    clock = FakeClock()
    epoch = time.time()
    backend = OmicsBackend(
        EmulatorSettings(job_seconds=seconds, store_seconds=0.0), clock=lambda: epoch + clock.now
    )
    backend.create_variant_store(STORE, {"referenceArn": REFERENCE_ARN})
    job_id = backend.start_variant_import_job(STORE, ROLE_ARN, ["s3://bench-bucket/a.vcf"])["jobId"]
    backend.reset_counters()
    return clock, BackendClient(backend, clock), job_id


def provider_wait(policy: Backoff = STATUS_POLL) -> Waiter:
    """The provider's own wait loop (ImportJobFlow.wait) with policy as its status poll."""

    def run(seconds: float) -> Wait:
        clock, client, job_id = _started_job(seconds)
        progress = Progress("VariantImportJob", "bench", clock, stream=io.StringIO())
        forever = 100 * seconds + 3600
        api = OmicsApi(client, CallContext(progress, clock))  # type: ignore[arg-type]
        flow = ImportJobFlow(
            api, VARIANT_IMPORT, JobBoard(clock), JobPolicy(policy, QUOTA_POLL_SECONDS, forever)
        )
        # As in create: the job was just started, so its first read waits one interval.
        job = flow.wait(job_id, just_started=True)
        if job["status"] != "COMPLETED":
            raise RuntimeError(f"simulated job ended {job['status']}")
        return _wait(seconds, clock, client)

    return run


def botocore_waiter(seconds: float) -> Wait:
    """botocore's own VariantImportJobCreated waiter (30 s delay), its try limit lifted."""
    clock, client, job_id = _started_job(seconds)
    model: Any = botocore.session.get_session().get_waiter_model("omics")
    config = model.get_waiter(WAITER_NAME)
    waiter = botocore.waiter.Waiter(WAITER_NAME, config, client.get_variant_import_job)
    with mock.patch.object(botocore.waiter, "time", SimpleNamespace(sleep=clock.sleep)):
        waiter.wait(jobId=job_id, WaiterConfig={"MaxAttempts": 10**9})
    return _wait(seconds, clock, client)


def _wait(seconds: float, clock: FakeClock, client: BackendClient) -> Wait:
    return Wait(seconds, clock.now, client.backend.requests_by_operation(), tuple(client.polls))


@dataclass(frozen=True)
class PollingResult:
    """A waiter's figures for one nominal duration: at it exactly, and worst across the window."""

    duration: float
    exact: Wait
    worst: Wait
    """The completion instant in the window noticed latest relative to its own duration."""

    @property
    def worst_fraction(self) -> float:
        """Lateness of the worst instant as a fraction of that instant's duration."""
        return self.worst.lateness / self.worst.completes_at


def window_instants(duration: float, polls: Iterable[float]) -> list[float]:
    """Completion instants in duration ± WINDOW that include each worst case of a poll schedule.

    Lateness is a sawtooth: it is largest for a job ending just after a poll, so the instants
    are the window's ends plus a hair after every poll inside it.
    """
    low, high = duration * (1 - WINDOW), duration * (1 + WINDOW)
    hair = duration * 1e-6
    inside = [p + hair for p in polls if low <= p + hair < high]
    return sorted({low, high, *inside})


def measure_polling(waiter: Waiter, duration: float) -> PollingResult:
    """waiter's calls and lateness for a job of duration, exactly and worst across the window."""
    exact = waiter(duration)
    schedule = waiter(duration * (1 + WINDOW)).polls  # every poll up to the window's end
    waits = [waiter(instant) for instant in window_instants(duration, schedule)]
    worst = max(waits, key=lambda w: w.lateness / w.completes_at)
    return PollingResult(duration, exact, worst)
