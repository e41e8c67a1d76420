"""The bucket limits docs/import-role.md states: how many source buckets one role holds."""

from __future__ import annotations

import pytest

from omics_provider.core.role_policy import PolicyTooLarge, build_role_policy


def sources(buckets: int, name_length: int, files: int) -> list[str]:
    """files VCF files spread over buckets buckets whose names have name_length characters."""
    names = [(f"b{b:03d}" + "x" * 63)[:name_length] for b in range(buckets)]
    return [f"s3://{names[i % buckets]}/vcf/2024-06/patient-{i:06d}.vcf.gz" for i in range(files)]


@pytest.mark.parametrize(
    ("name_length", "most", "files"),
    [(6, 45, 1_000), (20, 37, 1_000), (40, 30, 1_000), (63, 24, 1_000), (20, 37, 10_000)],
)
def test_one_role_holds_the_documented_number_of_buckets(
    name_length: int, most: int, files: int
) -> None:
    build_role_policy(sources(most, name_length, files))
    with pytest.raises(PolicyTooLarge, match=f"each of its {most + 1} buckets"):
        build_role_policy(sources(most + 1, name_length, files))


def test_a_role_over_the_limit_says_how_large_and_what_to_do() -> None:
    with pytest.raises(PolicyTooLarge) as raised:
        build_role_policy(sources(200, 20, 10_000))
    assert str(raised.value).startswith(
        "the import role's policy needs 48,210 characters even with the files of each of its "
        "200 buckets granted through their common folder"
    )
    assert "split the sources across several VariantImportRole components" in str(raised.value)
