"""Role policy: its size against IAM's limit and the prefixes it uses, by number of files."""

from __future__ import annotations

import time
from dataclasses import dataclass

from omics_provider.core.role_policy import PolicyTooLarge, build_role_policy

BUCKETS = 4
FOLDERS_PER_BUCKET = 6
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"


def cohort_sources(files: int) -> list[str]:
    """files sources spread over 4 buckets of 6 dated folders each, as cohorts are delivered."""
    return [
        f"s3://genomics-cohort-{i % BUCKETS}/vcf/2024-{1 + i // BUCKETS % FOLDERS_PER_BUCKET:02d}/"
        f"patient-{i:06d}.vcf.gz"
        for i in range(files)
    ]


@dataclass(frozen=True)
class RolePolicyFigures:
    """One built policy: its size, what it grants exactly and through prefixes, build time."""

    files: int
    size: int
    prefixes: int
    broadened_files: int
    seconds: float

    @property
    def exact(self) -> int:
        """Files granted one by one."""
        return self.files - self.broadened_files


def measure_role_policy(files: int) -> RolePolicyFigures:
    """Build the policy of files cohort sources (with the reference) and measure it."""
    sources = cohort_sources(files)
    started = time.perf_counter()
    policy = build_role_policy(sources, reference_arn=REFERENCE)
    seconds = time.perf_counter() - started
    return RolePolicyFigures(
        files, policy.size, len(policy.broadened), policy.broadened_files, seconds
    )


def most_exact_files(limit: int = 1_000) -> int:
    """The most cohort files one policy grants exactly, without any prefix (0 if none)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        try:
            exact = not build_role_policy(cohort_sources(middle), reference_arn=REFERENCE).broadened
        except PolicyTooLarge:
            exact = False
        low, high = (middle, high) if exact else (low, middle - 1)
    return low
