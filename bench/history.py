"""Store history: creates of one deployment into a store with many past jobs, by requests sent.

The provider reads the store's import history once per process (every list page once, each past
job once) and then only the running jobs. Beside it, the request pattern of the 24-hour guard it
replaced, replayed against the same store: each create listed every page before its start and
again after it, and read every job of the last 24 hours once per process.
"""

from __future__ import annotations

import io
import math
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from omics_emulator import EmulatorSettings, OmicsBackend, start_emulator
from omics_provider.aws.calls import CallContext
from omics_provider.aws.clients import AwsSettings, build_omics_client
from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.core.progress import Progress
from omics_provider.core.timing import SYSTEM_CLOCK, Backoff, Deadline
from omics_provider.flows.import_job import CreateRequest, ImportJobFlow, JobOwners, JobPolicy
from omics_provider.flows.import_spec import ImportSpec
from omics_provider.flows.job_board import JobBoard

from .services import REFERENCE_ARN, REGION, ROLE_ARN, job_inputs

STORE = "history_store"
PAST_JOBS = 1_000
CREATES = 10
PAGE = 100
"""ListVariantImportJobs' default page size (the emulator's, and what the provider asks for)."""


class ShiftedClock:
    """The emulator's clock: the wall clock plus an offset the bench moves (past jobs end)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Requests:
    """Requests one client sent, by kind; how often each job was read."""

    kinds: Counter[str] = field(default_factory=Counter)
    reads: Counter[str] = field(default_factory=Counter)

    def count(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        """botocore's before-parameter-build hook: note one request."""
        name = model.name
        if name == "ListVariantImportJobs":
            kind = "list running" if params.get("filter", {}).get("status") else "list page"
            self.kinds["list by ids" if params.get("ids") else kind] += 1
        elif name == "GetVariantImportJob":
            self.kinds["get"] += 1
            self.reads[params["jobId"]] += 1
        else:
            self.kinds[name.removesuffix("VariantImportJob").lower()] += 1

    @property
    def total(self) -> int:
        """Every request sent."""
        return sum(self.kinds.values())


@dataclass(frozen=True)
class HistoryCost:
    """What the creates of one deployment cost: requests by kind, the longest reads of one past
    job, and the time taken."""

    requests: Requests
    past_reads_max: int
    seconds: float


def measure_history() -> tuple[HistoryCost, HistoryCost, int]:
    """The provider's creates, the 24-hour guard's replayed pattern, and the list pages one full
    listing of the PAST_JOBS jobs (COMPLETED, into one store) takes."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "bench")  # dummy credentials for the emulator
    clock = ShiftedClock()
    settings = EmulatorSettings(
        store_seconds=0, job_seconds=0.2, max_concurrent_jobs=PAST_JOBS + CREATES
    )
    with start_emulator(backend=OmicsBackend(settings, clock)) as emulator:
        backend = emulator.backend
        backend.create_variant_store(STORE, {"referenceArn": REFERENCE_ARN})
        past = [
            backend.start_variant_import_job(STORE, ROLE_ARN, [_past(n)])["jobId"]
            for n in range(PAST_JOBS)
        ]
        clock.offset += 3600.0  # an hour later: every past job COMPLETED, all within 24 hours
        ours = _provider_creates(emulator.url, set(past))
        old = _old_guard(emulator.url, set(past))
    return ours, old, math.ceil(PAST_JOBS / PAGE)


def _past(n: int) -> str:
    return f"s3://genomics-data-bucket/cohort-2023/past/sample-{n:05d}.vcf.gz"


def _api(url: str, requests: Requests) -> OmicsApi:
    client = build_omics_client(AwsSettings(region=REGION, omics_endpoint=url), None)
    client.meta.events.register("before-parameter-build.omics.*", requests.count)
    progress = Progress("VariantImportJob", "bench", SYSTEM_CLOCK, io.StringIO())
    return OmicsApi(client, CallContext(progress, SYSTEM_CLOCK))


def _provider_creates(url: str, past: set[str]) -> HistoryCost:
    """CREATES creates of new files through ImportJobFlow on one board (one plugin process)."""
    requests = Requests()
    api = _api(url, requests)
    board, owners = JobBoard(SYSTEM_CLOCK), JobOwners()
    policy = JobPolicy(Backoff(0.02, 2.0, 0.1), 0.05, 600.0)
    started = time.perf_counter()
    for n in range(CREATES):
        spec = ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs(f"new-{n}", STORE, items=3))
        job = ImportJobFlow(api, VARIANT_IMPORT, board, policy, owners).create(
            CreateRequest(spec, f"new-{n}")
        )
        if job["status"] != "COMPLETED":
            raise RuntimeError(f"bench create ended {job['status']}")
    seconds = time.perf_counter() - started
    return HistoryCost(requests, max(requests.reads[j] for j in past), seconds)


def _old_guard(url: str, past: set[str]) -> HistoryCost:
    """The 24-hour guard's requests for CREATES creates: per create, every page before the
    start and again after it (the converge listing) and the start; each job of the last 24
    hours read once per process for its files."""
    requests = Requests()
    api = _api(url, requests)
    known: set[str] = set()
    started = time.perf_counter()
    deadline = Deadline.after(SYSTEM_CLOCK, 600.0)
    into = VARIANT_IMPORT.destination({"destinationName": STORE})
    for n in range(CREATES):
        for summary in list(api.jobs_into(VARIANT_IMPORT, into, deadline=deadline)):
            if str(summary["id"]) not in known:
                api.get_job(VARIANT_IMPORT, str(summary["id"]), into, deadline=deadline)
                known.add(str(summary["id"]))
        spec = ImportSpec.from_inputs(VARIANT_IMPORT, job_inputs(f"old-{n}", STORE, items=3))
        known.add(api.start_job(VARIANT_IMPORT, spec.start_request(), deadline=deadline))
        list(api.jobs_into(VARIANT_IMPORT, into, deadline=deadline))
    seconds = time.perf_counter() - started
    return HistoryCost(requests, max(requests.reads[j] for j in past), seconds)
