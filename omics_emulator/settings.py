"""Run-time settings of the emulator: timings, fault injection and the S3 endpoint."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EmulatorSettings:
    """Knobs of one emulator; mutable while it runs (tests flip faults on and off).

    store_seconds: how long a store stays CREATING (and DELETING before it disappears).
    job_seconds: how long an import job takes from SUBMITTED to its final status
        (it turns IN_PROGRESS after a quarter of that).
    max_concurrent_jobs: jobs SUBMITTED or IN_PROGRESS at once; the next start gets
        ServiceQuotaExceededException (AWS's default quota is 5 per region).
    throttle_rate / error_rate: fraction of requests answered ThrottlingException /
        InternalServerException.
    fail_sources: glob patterns (fnmatch) of item sources that fail when their job runs.
    role_unassumable_seconds: a role ARN is refused by StartVariantImportJob for this long
        after the emulator first sees it (a freshly created IAM role is not yet assumable).
    s3_endpoint: an S3-compatible endpoint (e.g. a moto server) from which sources are read
        and checked to be VCF files; None accepts well-formed sources as given.
    iam_endpoint: an IAM endpoint (e.g. a moto server) whose role policies decide which
        sources a job's role may read (see iam_view); None lets every role read everything.
    iam_propagation_seconds: a role policy change counts only this long after the emulator
        first sees it (IAM is eventually consistent).
    seed: seeds the fault dice and the ids so runs are reproducible.
    """

    store_seconds: float = 0.05
    job_seconds: float = 0.2
    max_concurrent_jobs: int = 5
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    fail_sources: tuple[str, ...] = ()
    role_unassumable_seconds: float = 0.0
    s3_endpoint: str | None = None
    iam_endpoint: str | None = None
    iam_propagation_seconds: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("throttle_rate", "error_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        for name in (
            "store_seconds",
            "job_seconds",
            "role_unassumable_seconds",
            "iam_propagation_seconds",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if self.max_concurrent_jobs < 0:
            raise ValueError(
                f"max_concurrent_jobs must not be negative, got {self.max_concurrent_jobs}"
            )
        self.fail_sources = tuple(self.fail_sources)
