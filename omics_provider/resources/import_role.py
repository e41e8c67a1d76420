"""The IAM role HealthOmics assumes to import: it may read exactly the given sources, no more."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

ROLE_TYPE = "omics-variant-import:index:VariantImportRole"
OMICS_PRINCIPAL = "omics.amazonaws.com"
REFERENCE_ACTIONS = ("omics:GetReference", "omics:GetReferenceMetadata")
_SOURCE = re.compile(r"s3://([a-z0-9][a-z0-9-.]{1,61}[a-z0-9])/(.{0,1024})")
_IAM_WILDCARDS = ("*", "?", "${")


@dataclass(frozen=True, order=True)
class SourceGrant:
    """One source as IAM sees it: a bucket and an exact key, or a key prefix (ending in /)."""

    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str) -> SourceGrant:
        """The grant for s3://bucket/key (an object) or s3://bucket/prefix/ (every key under it)."""
        match = _SOURCE.fullmatch(uri)
        if match is None:
            raise ValueError(
                f"{uri!r} is not an S3 URI: use s3://bucket/key for a file or "
                "s3://bucket/prefix/ for every file under a prefix"
            )
        bucket, key = match.groups()
        if any(wildcard in key for wildcard in _IAM_WILDCARDS):
            raise ValueError(
                f"{uri!r}: IAM would read *, ? or ${{ in the key as a wildcard or variable, "
                "granting more than this file; rename the file or grant its prefix"
            )
        return cls(bucket, key)

    @property
    def is_prefix(self) -> bool:
        """True when the grant covers every key under a prefix."""
        return self.key == "" or self.key.endswith("/")

    def object_arn(self, partition: str) -> str:
        """The ARN GetObject is granted on: the object, or prefix* for a prefix."""
        suffix = "*" if self.is_prefix else ""
        return f"arn:{partition}:s3:::{self.bucket}/{self.key}{suffix}"

    def list_prefix(self) -> str:
        """The s3:prefix value ListBucket is allowed for (a StringLike pattern for a prefix)."""
        return f"{self.key}*" if self.is_prefix else self.key


def partition_of(arns: Iterable[str | None], default: str = "aws") -> str:
    """The AWS partition (aws, aws-cn, aws-us-gov) of the first ARN given, else default."""
    for arn in arns:
        if arn and arn.startswith("arn:"):
            return arn.split(":")[1]
    return default


def trust_policy(source_account: str | None = None) -> dict[str, Any]:
    """The trust policy letting HealthOmics (of source_account only, if given) assume the role."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": OMICS_PRINCIPAL},
        "Action": "sts:AssumeRole",
    }
    if source_account:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def import_role_policy(
    sources: Sequence[str],
    kms_key_arns: Sequence[str] = (),
    reference_arn: str | None = None,
    partition: str | None = None,
) -> dict[str, Any]:
    """The least-privilege policy document for importing sources; ValueError on a bad source."""
    if not sources:
        raise ValueError("an import role needs at least one source (s3://bucket/key)")
    grants = sorted({SourceGrant.parse(uri) for uri in sources})
    part = partition or partition_of([reference_arn, *kms_key_arns])
    buckets = sorted({grant.bucket for grant in grants})
    statements: list[dict[str, Any]] = [
        _allow("ReadSources", ["s3:GetObject"], [g.object_arn(part) for g in grants]),
        _allow("LocateSourceBuckets", ["s3:GetBucketLocation"], _bucket_arns(buckets, part)),
        *_list_statements(grants, part),
    ]
    if kms_key_arns:
        statements.append(_allow("DecryptSources", ["kms:Decrypt"], sorted(set(kms_key_arns))))
    if reference_arn:
        statements.append(_allow("ReadReference", list(REFERENCE_ACTIONS), [reference_arn]))
    return {"Version": "2012-10-17", "Statement": statements}


def _allow(
    sid: str, actions: list[str], resources: list[str], condition: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": resources,
    }
    if condition:
        statement["Condition"] = dict(condition)
    return statement


def _bucket_arns(buckets: Iterable[str], partition: str) -> list[str]:
    return [f"arn:{partition}:s3:::{bucket}" for bucket in buckets]


def _list_statements(grants: Sequence[SourceGrant], partition: str) -> list[dict[str, Any]]:
    """ListBucket per bucket, limited by s3:prefix to the source keys (exact) and prefixes."""
    statements: list[dict[str, Any]] = []
    for bucket in sorted({g.bucket for g in grants}):
        mine = [g for g in grants if g.bucket == bucket]
        for operator, is_prefix in (("StringEquals", False), ("StringLike", True)):
            prefixes = sorted(g.list_prefix() for g in mine if g.is_prefix == is_prefix)
            if prefixes:
                statements.append(
                    _allow(
                        f"ListSources{len(statements)}",
                        ["s3:ListBucket"],
                        _bucket_arns([bucket], partition),
                        {operator: {"s3:prefix": prefixes}},
                    )
                )
    return statements


class VariantImportRole(pulumi.ComponentResource):
    """An IAM role HealthOmics assumes to import sources, with a policy allowing only that.

    Make import jobs depend on `policy` (not just the role), so the role can read the sources
    before the first job starts.
    """

    role: aws.iam.Role
    policy: aws.iam.RolePolicy
    arn: pulumi.Output[str]
    policy_document: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        sources: pulumi.Input[Sequence[pulumi.Input[str]]],
        reference_arn: pulumi.Input[str] | None = None,
        kms_key_arns: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        source_account: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(ROLE_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=pulumi.Output.from_input(source_account).apply(
                lambda account: json.dumps(trust_policy(account))
            ),
            description="Assumed by AWS HealthOmics to read the files of variant import jobs",
            opts=child,
        )
        self.policy_document = pulumi.Output.all(sources, kms_key_arns or [], reference_arn).apply(
            lambda args: json.dumps(import_role_policy(args[0], args[1], args[2]), indent=2)
        )
        self.policy = aws.iam.RolePolicy(
            f"{name}-policy", role=self.role.id, policy=self.policy_document, opts=child
        )
        self.arn = self.role.arn
        self.register_outputs({"arn": self.arn, "policyDocument": self.policy_document})
