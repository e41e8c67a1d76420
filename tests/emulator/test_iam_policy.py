"""The emulator's IAM policy evaluator: wildcards, conditions, allow and deny as IAM judges them."""

from __future__ import annotations

from typing import Any

import pytest

from omics_emulator.iam_policy import (
    UnsupportedPolicy,
    action_matches,
    arn_matches,
    is_allowed,
    string_like,
)

OBJECT = "arn:aws:s3:::genomes/cohort/2024-06/patient-1.vcf.gz"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any, **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(
    ("pattern", "arn", "matches"),
    [
        ("arn:aws:s3:::genomes/cohort/2024-06/patient-1.vcf.gz", OBJECT, True),
        ("arn:aws:s3:::genomes/cohort/2024-06/*", OBJECT, True),
        ("arn:aws:s3:::genomes/*", OBJECT, True),
        ("arn:aws:s3:::genomes/cohort/2024-0?/patient-1.vcf.gz", OBJECT, True),
        ("arn:aws:s3:::genomes/cohort/2024-06/patient-?.vcf.gz", OBJECT, True),
        ("arn:aws:s3:::genomes/cohort/2024-06/patient-??.vcf.gz", OBJECT, False),
        ("arn:aws:s3:::genomes/cohort/2024-07/*", OBJECT, False),
        ("arn:aws:s3:::genomes/cohort/2024-06", OBJECT, False),
        ("arn:aws:s3:::genomes/cohort/2024-06/", OBJECT, False),
        ("arn:aws:s3:::genomes/Cohort/*", OBJECT, False),
        ("arn:aws:s3:::genomes", OBJECT, False),
        ("arn:aws:s3:::genome*", OBJECT, True),
        ("arn:aws-cn:s3:::genomes/*", OBJECT, False),
        ("arn:*:s3:::genomes/*", OBJECT, True),
        ("arn:aws:s3:*", OBJECT, True),
        ("*", OBJECT, True),
        ("arn:aws:s?:::genomes/*", OBJECT, True),
        ("arn:aws:kms:*:123456789012:key/*", "arn:aws:kms:eu-west-1:123456789012:key/k1", True),
        (
            "arn:aws:kms:us-*-1:123456789012:key/k1",
            "arn:aws:kms:us-east-1:123456789012:key/k1",
            True,
        ),
        ("arn:aws:kms:u*1:123456789012:key/k1", "arn:aws:kms:us:east:1:123456789012:key/k1", False),
    ],
)
def test_arn_matches_follows_iam_wildcards(pattern: str, arn: str, matches: bool) -> None:
    assert arn_matches(pattern, arn) is matches


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("vcf/*", "vcf/", True),
        ("vcf/*", "vcf/a/b.vcf", True),
        ("vcf/*", "vcf", False),
        ("vcf/?.vcf", "vcf/a.vcf", True),
        ("vcf/?.vcf", "vcf/.vcf", False),
        ("VCF/*", "vcf/a.vcf", False),
        ("a.vcf", "a.vcf", True),
        ("a.vcf", "aXvcf", False),
    ],
)
def test_string_like_matches_case_sensitively(pattern: str, value: str, matches: bool) -> None:
    assert string_like(pattern, value) is matches


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("s3:GetObject", "s3:getobject", True),
        ("s3:Get*", "s3:GetObject", True),
        ("s3:*", "s3:ListBucket", True),
        ("s3:List*", "s3:GetObject", False),
        ("*", "kms:Decrypt", True),
    ],
)
def test_action_matches_case_insensitively(pattern: str, action: str, matches: bool) -> None:
    assert action_matches(pattern, action) is matches


@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        ({"s3:prefix": "cohort/2024-06/"}, True),
        ({"s3:prefix": "cohort/2024-06/patient-1.vcf.gz"}, True),
        ({"s3:prefix": "cohort/"}, False),
        ({"s3:prefix": "cohort/2024-06-extra/"}, False),
        ({"S3:Prefix": "cohort/2024-06/"}, True),
        ({}, False),
    ],
)
def test_is_allowed_list_bucket_by_prefix_condition(context: dict[str, str], allowed: bool) -> None:
    document = policy(
        allow(
            ["s3:ListBucket"],
            ["arn:aws:s3:::genomes"],
            StringLike={"s3:prefix": ["cohort/2024-06/*"]},
        )
    )

    assert is_allowed([document], "s3:ListBucket", "arn:aws:s3:::genomes", context) is allowed


def test_is_allowed_needs_every_condition_operator_to_hold() -> None:
    document = policy(
        allow(
            "s3:ListBucket",
            "arn:aws:s3:::genomes",
            StringEquals={"s3:prefix": "a.vcf"},
            StringLike={"s3:prefix": "b*"},
        )
    )

    assert not is_allowed(
        [document], "s3:ListBucket", "arn:aws:s3:::genomes", {"s3:prefix": "a.vcf"}
    )


@pytest.mark.parametrize(
    ("operator", "context", "allowed"),
    [
        ("StringNotEquals", {"s3:prefix": "secret/"}, False),
        ("StringNotEquals", {"s3:prefix": "public/"}, True),
        ("StringNotEquals", {}, True),
        ("StringEqualsIfExists", {}, True),
        ("StringLikeIfExists", {"s3:prefix": "public/"}, False),
    ],
)
def test_is_allowed_with_negated_and_if_exists_operators(
    operator: str, context: dict[str, str], allowed: bool
) -> None:
    document = policy(allow("s3:ListBucket", "*", **{operator: {"s3:prefix": "secret/"}}))

    assert is_allowed([document], "s3:ListBucket", "arn:aws:s3:::genomes", context) is allowed


def test_is_allowed_lets_an_explicit_deny_win_across_documents() -> None:
    grant = policy(allow("s3:*", "*"))
    deny = policy(
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::genomes/*"}
    )

    assert is_allowed([grant], "s3:GetObject", OBJECT)
    assert not is_allowed([grant, deny], "s3:GetObject", OBJECT)
    assert is_allowed([grant, deny], "s3:GetObject", "arn:aws:s3:::other/x.vcf")


def test_is_allowed_with_not_action_and_not_resource() -> None:
    document = policy(
        {"Effect": "Allow", "NotAction": "s3:Put*", "NotResource": "arn:aws:s3:::private/*"}
    )

    assert is_allowed([document], "s3:GetObject", OBJECT)
    assert not is_allowed([document], "s3:PutObject", OBJECT)
    assert not is_allowed([document], "s3:GetObject", "arn:aws:s3:::private/x.vcf")


def test_is_allowed_accepts_a_lone_statement_and_denies_by_default() -> None:
    document = {"Version": "2012-10-17", "Statement": allow("s3:GetObject", OBJECT)}

    assert is_allowed([document], "s3:GetObject", OBJECT)
    assert not is_allowed([document], "s3:GetObject", OBJECT + "x")
    assert not is_allowed([], "s3:GetObject", OBJECT)


@pytest.mark.parametrize(
    "statement",
    [
        allow("s3:GetObject", "*", NumericLessThan={"s3:max-keys": "10"}),
        allow("s3:GetObject", "arn:aws:s3:::${aws:username}/*"),
        {"Effect": "Allow", "Action": "s3:GetObject"},
        {**allow("s3:GetObject", "*"), "Principal": "*"},
    ],
    ids=["numeric-operator", "policy-variable", "no-resource", "principal"],
)
def test_is_allowed_refuses_what_it_cannot_judge(statement: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedPolicy):
        is_allowed([policy(statement)], "s3:GetObject", OBJECT)
