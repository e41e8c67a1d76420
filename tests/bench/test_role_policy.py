"""The bench's role-policy figures: sizes within IAM's limit, the exact-grant capacity."""

from __future__ import annotations

from bench.role_policy import REFERENCE, cohort_sources, measure_role_policy, most_exact_files
from omics_provider.core.role_policy import POLICY_BUDGET, build_role_policy


def test_measure_role_policy_of_10000_files_fits_the_budget_through_folder_prefixes() -> None:
    figures = measure_role_policy(10_000)

    assert figures.size <= POLICY_BUDGET
    assert figures.prefixes == 24 and figures.exact == 0


def test_most_exact_files_is_where_broadening_starts() -> None:
    most = most_exact_files()

    assert not build_role_policy(cohort_sources(most), reference_arn=REFERENCE).broadened
    assert build_role_policy(cohort_sources(most + 1), reference_arn=REFERENCE).broadened
