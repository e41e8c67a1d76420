"""The import role's policy and trust documents, built as plain data."""

from __future__ import annotations

from typing import Any

import pytest

from omics_provider.resources.import_role import import_role_policy, trust_policy

REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def statement(sid: str, action: str, resources: list[str], **condition: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": [action],
        "Resource": resources,
    }
    if condition:
        found["Condition"] = condition
    return found


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            ["s3://bucket-a/vcf/one.vcf"],
            [
                statement("ReadSources", "s3:GetObject", ["arn:aws:s3:::bucket-a/vcf/one.vcf"]),
                statement("LocateSourceBuckets", "s3:GetBucketLocation", ["arn:aws:s3:::bucket-a"]),
                statement(
                    "ListSources0",
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-a"],
                    StringEquals={"s3:prefix": ["vcf/one.vcf"]},
                ),
            ],
        ),
        (
            ["s3://bucket-a/2024/", "s3://bucket-a/x.vcf", "s3://bucket-a/x.vcf"],
            [
                statement(
                    "ReadSources",
                    "s3:GetObject",
                    ["arn:aws:s3:::bucket-a/2024/*", "arn:aws:s3:::bucket-a/x.vcf"],
                ),
                statement("LocateSourceBuckets", "s3:GetBucketLocation", ["arn:aws:s3:::bucket-a"]),
                statement(
                    "ListSources0",
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-a"],
                    StringEquals={"s3:prefix": ["x.vcf"]},
                ),
                statement(
                    "ListSources1",
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-a"],
                    StringLike={"s3:prefix": ["2024/*"]},
                ),
            ],
        ),
        (
            ["s3://bucket-b/b.vcf.gz", "s3://bucket-a/a.vcf"],
            [
                statement(
                    "ReadSources",
                    "s3:GetObject",
                    ["arn:aws:s3:::bucket-a/a.vcf", "arn:aws:s3:::bucket-b/b.vcf.gz"],
                ),
                statement(
                    "LocateSourceBuckets",
                    "s3:GetBucketLocation",
                    ["arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b"],
                ),
                statement(
                    "ListSources0",
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-a"],
                    StringEquals={"s3:prefix": ["a.vcf"]},
                ),
                statement(
                    "ListSources1",
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-b"],
                    StringEquals={"s3:prefix": ["b.vcf.gz"]},
                ),
            ],
        ),
    ],
    ids=["one-object", "prefix-and-object", "two-buckets"],
)
def test_import_role_policy_grants_exactly_the_sources(
    sources: list[str], expected: list[dict[str, Any]]
) -> None:
    policy = import_role_policy(sources)

    assert policy == {"Version": "2012-10-17", "Statement": expected}


def test_import_role_policy_adds_kms_and_reference_when_given() -> None:
    policy = import_role_policy(["s3://bucket-a/a.vcf"], [KEY, KEY], REFERENCE)

    extra = policy["Statement"][3:]
    assert extra == [
        statement("DecryptSources", "kms:Decrypt", [KEY]),
        {
            "Sid": "ReadReference",
            "Effect": "Allow",
            "Action": ["omics:GetReference", "omics:GetReferenceMetadata"],
            "Resource": [REFERENCE],
        },
    ]


def test_import_role_policy_follows_partition_of_reference() -> None:
    reference = REFERENCE.replace("arn:aws:", "arn:aws-cn:")

    policy = import_role_policy(["s3://bucket-a/a.vcf"], reference_arn=reference)

    assert policy["Statement"][0]["Resource"] == ["arn:aws-cn:s3:::bucket-a/a.vcf"]


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([], "at least one source"),
        (["https://bucket-a/a.vcf"], "is not an S3 URI"),
        (["s3://Bucket/a.vcf"], "is not an S3 URI"),
        (["s3://bucket-a/a*.vcf"], "wildcard"),
        (["s3://bucket-a/${aws:username}.vcf"], "wildcard"),
    ],
)
def test_import_role_policy_rejects_sources_it_cannot_grant_exactly(
    sources: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("*", r"\*")):
        import_role_policy(sources)


@pytest.mark.parametrize(
    ("account", "condition"),
    [(None, None), ("123456789012", {"StringEquals": {"aws:SourceAccount": "123456789012"}})],
)
def test_trust_policy_trusts_only_healthomics(account: str | None, condition: Any) -> None:
    (only,) = trust_policy(account)["Statement"]

    assert only["Principal"] == {"Service": "omics.amazonaws.com"}
    assert only["Action"] == "sts:AssumeRole"
    assert only.get("Condition") == condition
