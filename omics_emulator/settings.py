"""Run-time settings of the emulator: timings, quotas, fault injection, connections, S3."""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_FILES_PER_JOB = 1000  # HealthOmics' default quota "Maximum files per variant store import job"
MAX_ANNOTATION_STORES = 10  # HealthOmics' default quota "Analytics - Maximum annotation stores"


@dataclass
class EmulatorSettings:
    """Knobs of one emulator; mutable while it runs (tests flip faults on and off).

    store_seconds: how long a store stays CREATING (and DELETING before it disappears).
    job_seconds: how long an import job takes from SUBMITTED to its final status
        (it turns IN_PROGRESS after a quarter of that).
    cancel_seconds: how long a cancel takes to take effect: after CancelVariantImportJob
        the job keeps its status (SUBMITTED or IN_PROGRESS) for this long, then turns
        CANCELLED, having imported nothing. Non-zero by default so that a client must
        confirm a cancel by polling, as it must with the real service.
    max_concurrent_jobs: variant and annotation import jobs SUBMITTED or IN_PROGRESS at once;
        the next start of either kind gets ServiceQuotaExceededException (AWS's default quota,
        "Maximum concurrent variant or annotation store import jobs", is 5 per region).
    max_files_per_job: items one StartVariantImportJob may carry; more get
        ServiceQuotaExceededException (AWS's default quota is 1,000, adjustable).
    max_annotation_stores: annotation stores held at once; the next CreateAnnotationStore gets
        ServiceQuotaExceededException (AWS's default quota is 10 per region, adjustable).
    throttle_rate / error_rate: fraction of requests answered ThrottlingException /
        InternalServerException.
    fail_sources: glob patterns (fnmatch) of item sources that fail when their job runs.
    role_unassumable_seconds: a role ARN is refused by StartVariantImportJob for this long
        after the emulator first sees it (a freshly created IAM role is not yet assumable).
    idle_timeout_seconds: a connection that sends nothing for this long is closed (read
        when a connection opens; a request whose body stalls this long gets 408).
    s3_endpoint: an S3-compatible endpoint (e.g. a moto server) from which sources are read
        and checked to be VCF files; None accepts well-formed sources as given.
    iam_endpoint: an IAM endpoint (e.g. a moto server) whose role policies decide which
        sources a job's role may read (see iam_view); None lets every role read everything.
    iam_propagation_seconds: a role policy change counts only this long after the emulator
        first sees it (IAM is eventually consistent).
    whole_second_times: creation times are cut to whole seconds, so jobs started within one
        second tie (HealthOmics does not document the precision of its timestamps).
    list_delay_seconds: a new import job is missing from ListVariantImportJobs answers for
        this long after its start (lists are eventually consistent); GetVariantImportJob finds
        it at once.
    seed: seeds the fault dice and the ids so runs are reproducible.
    """

    store_seconds: float = 0.05
    job_seconds: float = 0.2
    cancel_seconds: float = 0.1
    max_concurrent_jobs: int = 5
    max_files_per_job: int = MAX_FILES_PER_JOB
    max_annotation_stores: int = MAX_ANNOTATION_STORES
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    fail_sources: tuple[str, ...] = ()
    role_unassumable_seconds: float = 0.0
    idle_timeout_seconds: float = 10.0
    s3_endpoint: str | None = None
    iam_endpoint: str | None = None
    iam_propagation_seconds: float = 0.0
    whole_second_times: bool = False
    list_delay_seconds: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("throttle_rate", "error_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        for name in (
            "store_seconds",
            "job_seconds",
            "cancel_seconds",
            "role_unassumable_seconds",
            "iam_propagation_seconds",
            "list_delay_seconds",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number of seconds >= 0, got {value}")
        if not (math.isfinite(self.idle_timeout_seconds) and self.idle_timeout_seconds > 0):
            raise ValueError(
                f"idle_timeout_seconds must be a finite number of seconds > 0, "
                f"got {self.idle_timeout_seconds}"
            )
        for name in ("max_concurrent_jobs", "max_files_per_job", "max_annotation_stores"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        self.fail_sources = tuple(self.fail_sources)
