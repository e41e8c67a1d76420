"""The role policy broadens folders in a fixed order when two would save equal characters."""

from __future__ import annotations

from omics_provider.core.role_policy import GrantTree, parse_sources


def first_broadened(*sources: str) -> str:
    """The folder the policy builder would grant as a prefix first, as s3://bucket/prefix."""
    tree = GrantTree(parse_sources(sources), "aws")
    tree.collapse_next()
    [(grant, _files)] = tree.broadened()
    return f"s3://{grant.bucket}/{grant.key}"


def test_equal_savings_broaden_the_deeper_folder_first() -> None:
    # bk1 folder abc/ (depth 1) and b2's folder a/b/ (depth 2) hold files of the same lengths:
    # granting either as a prefix saves exactly as many characters.
    shallow = ("s3://bk1/abc/1.vcf", "s3://bk1/abc/2.vcf")
    deep = ("s3://bk2/a/b/1.vcf", "s3://bk2/a/b/2.vcf")
    assert first_broadened(*shallow, *deep) == "s3://bk2/a/b/"
    assert first_broadened(*deep, *shallow) == "s3://bk2/a/b/"  # whatever the order declared


def test_equal_savings_at_equal_depth_broaden_the_first_bucket_and_folder() -> None:
    one = ("s3://bk1/xyz/1.vcf", "s3://bk1/xyz/2.vcf")
    two = ("s3://bk2/abc/1.vcf", "s3://bk2/abc/2.vcf")
    assert first_broadened(*two, *one) == "s3://bk1/xyz/"
    same_bucket = ("s3://bk3/d/abc/1.vcf", "s3://bk3/d/abc/2.vcf", "s3://bk3/d/xyz/1.vcf",
                   "s3://bk3/d/xyz/2.vcf")  # fmt: skip
    assert first_broadened(*reversed(same_bucket)) == "s3://bk3/d/abc/"
