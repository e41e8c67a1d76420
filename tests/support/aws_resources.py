"""pulumi-aws resources the mini-engine applies to a moto server with boto3, one row per type.

pulumi-aws cannot run its real provider here, so `tests.support.engine` hands each `aws:` resource
to the row of AWS_TYPES for its type token; a type with no row, or an input a row cannot apply,
fails the run with a message naming it (never a silent success).

Add a type: subclass AwsType (token, the inputs it applies, which of them force a replacement,
whether pulumi-aws autonames it) with create/update/delete on `AwsClients`, and add an instance to
AWS_TYPES. Outputs are the checked inputs plus what AWS computed (arn, ...), as pulumi-aws's.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

import boto3

REGION = "us-east-1"


class UnsupportedResource(Exception):
    """The mini-engine cannot apply this resource type or input: extend tests/support."""


@dataclass(frozen=True)
class AwsClients:
    """boto3 clients on a moto server (IAM for now; add a service when a row needs it)."""

    iam: Any

    @classmethod
    def on(cls, endpoint: str) -> AwsClients:
        """Clients on the moto server at endpoint, with dummy credentials."""
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        return cls(iam=session.client("iam", endpoint_url=endpoint))


class AwsType:
    """One pulumi-aws resource type, applied to moto with boto3.

    check() completes the inputs as pulumi-aws's Check does (an autonamed `name` is kept from the
    old inputs); create() returns the id and the outputs; update() the outputs; delete() removes.
    """

    token: ClassVar[str]
    inputs: ClassVar[frozenset[str]]
    replace_on: ClassVar[frozenset[str]]
    autoname: ClassVar[bool] = True

    def check(self, name: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """The checked inputs; raise UnsupportedResource on an input this row cannot apply."""
        unknown = sorted(set(news) - self.inputs)
        if unknown:
            raise UnsupportedResource(
                f"{self.token}: the mini-engine cannot apply input(s) {', '.join(unknown)}; "
                f"it applies {', '.join(sorted(self.inputs))} (extend {type(self).__name__} in "
                "tests/support/aws_resources.py)"
            )
        checked = dict(news)
        if self.autoname and "name" not in checked:
            checked["name"] = olds.get("name") or f"{name}-{secrets.token_hex(4)[:7]}"
        return checked

    def create(self, aws: AwsClients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def update(
        self, aws: AwsClients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        raise NotImplementedError

    def delete(self, aws: AwsClients, id_: str, outputs: dict[str, Any]) -> None:
        raise NotImplementedError


def changed(olds: Mapping[str, Any], news: Mapping[str, Any], key: str) -> bool:
    """Whether input key differs between olds and news (JSON documents compared as data)."""
    return bool(_comparable(olds.get(key)) != _comparable(news.get(key)))


def _comparable(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _tags(tags: Mapping[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def _retag(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    untag: Callable[..., Any],
    tag: Callable[..., Any],
) -> None:
    """Go from olds' tags to news' with untag(TagKeys=...) and tag(Tags=...), if they differ."""
    if not changed(olds, news, "tags"):
        return
    gone = sorted(set(olds.get("tags") or {}) - set(news.get("tags") or {}))
    if gone:
        untag(TagKeys=gone)
    if news.get("tags"):
        tag(Tags=_tags(news["tags"]))


def _create_args(inputs: Mapping[str, Any], **named: str) -> dict[str, Any]:
    """The arguments of an IAM create call: named (API argument: input key), path, tags and
    the description when given."""
    args: dict[str, Any] = {arg: inputs[key] for arg, key in named.items()}
    args.update(Path=inputs.get("path", "/"), Tags=_tags(inputs.get("tags")))
    if inputs.get("description") is not None:
        args["Description"] = inputs["description"]
    return args


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class IamRole(AwsType):
    """aws:iam/role:Role; its id is the role name."""

    token = "aws:iam/role:Role"
    inputs = frozenset(
        {"name", "path", "assumeRolePolicy", "description", "maxSessionDuration", "tags"}
    )
    replace_on = frozenset({"name", "path"})

    def create(self, aws: AwsClients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        args = _create_args(inputs, RoleName="name", AssumeRolePolicyDocument="assumeRolePolicy")
        if inputs.get("maxSessionDuration") is not None:
            args["MaxSessionDuration"] = int(inputs["maxSessionDuration"])
        role = aws.iam.create_role(**args)["Role"]
        return role["RoleName"], self._outputs(inputs, role)

    def update(
        self, aws: AwsClients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        if changed(olds, news, "assumeRolePolicy"):
            aws.iam.update_assume_role_policy(RoleName=id_, PolicyDocument=news["assumeRolePolicy"])
        if changed(olds, news, "description") or changed(olds, news, "maxSessionDuration"):
            args: dict[str, Any] = {"RoleName": id_, "Description": news.get("description", "")}
            if news.get("maxSessionDuration") is not None:
                args["MaxSessionDuration"] = int(news["maxSessionDuration"])
            aws.iam.update_role(**args)
        _retag(
            olds,
            news,
            partial(aws.iam.untag_role, RoleName=id_),
            partial(aws.iam.tag_role, RoleName=id_),
        )
        return self._outputs(news, aws.iam.get_role(RoleName=id_)["Role"])

    def delete(self, aws: AwsClients, id_: str, outputs: dict[str, Any]) -> None:
        aws.iam.delete_role(RoleName=id_)

    @staticmethod
    def _outputs(inputs: dict[str, Any], role: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "arn": role["Arn"],
            "path": role["Path"],
            "uniqueId": role["RoleId"],
            "createDate": _iso(role["CreateDate"]),
        }


class IamRolePolicy(AwsType):
    """aws:iam/rolePolicy:RolePolicy (an inline policy); its id is `role:name`."""

    token = "aws:iam/rolePolicy:RolePolicy"
    inputs = frozenset({"name", "role", "policy"})
    replace_on = frozenset({"name", "role"})

    def create(self, aws: AwsClients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._put(aws, inputs)
        return f"{inputs['role']}:{inputs['name']}", dict(inputs)

    def update(
        self, aws: AwsClients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        self._put(aws, news)
        return dict(news)

    def delete(self, aws: AwsClients, id_: str, outputs: dict[str, Any]) -> None:
        aws.iam.delete_role_policy(RoleName=outputs["role"], PolicyName=outputs["name"])

    @staticmethod
    def _put(aws: AwsClients, inputs: Mapping[str, Any]) -> None:
        aws.iam.put_role_policy(
            RoleName=inputs["role"], PolicyName=inputs["name"], PolicyDocument=inputs["policy"]
        )


class IamPolicy(AwsType):
    """aws:iam/policy:Policy (a managed policy); its id is its ARN. An update adds a version."""

    token = "aws:iam/policy:Policy"
    inputs = frozenset({"name", "path", "policy", "description", "tags"})
    replace_on = frozenset({"name", "path", "description"})
    MAX_VERSIONS: ClassVar[int] = 5

    def create(self, aws: AwsClients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        args = _create_args(inputs, PolicyName="name", PolicyDocument="policy")
        policy = aws.iam.create_policy(**args)["Policy"]
        return policy["Arn"], self._outputs(inputs, policy)

    def update(
        self, aws: AwsClients, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        if changed(olds, news, "policy"):
            old_versions = self._old_versions(aws, id_)
            if len(old_versions) >= self.MAX_VERSIONS - 1:
                aws.iam.delete_policy_version(PolicyArn=id_, VersionId=old_versions[0])
            aws.iam.create_policy_version(
                PolicyArn=id_, PolicyDocument=news["policy"], SetAsDefault=True
            )
        _retag(
            olds,
            news,
            partial(aws.iam.untag_policy, PolicyArn=id_),
            partial(aws.iam.tag_policy, PolicyArn=id_),
        )
        return self._outputs(news, aws.iam.get_policy(PolicyArn=id_)["Policy"])

    def delete(self, aws: AwsClients, id_: str, outputs: dict[str, Any]) -> None:
        for version in self._old_versions(aws, id_):
            aws.iam.delete_policy_version(PolicyArn=id_, VersionId=version)
        aws.iam.delete_policy(PolicyArn=id_)

    @staticmethod
    def _old_versions(aws: AwsClients, arn: str) -> list[str]:
        """The policy's non-default version ids, oldest first."""
        versions = aws.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        old = [v for v in versions if not v["IsDefaultVersion"]]
        return [v["VersionId"] for v in sorted(old, key=lambda v: v["CreateDate"])]

    @staticmethod
    def _outputs(inputs: dict[str, Any], policy: Mapping[str, Any]) -> dict[str, Any]:
        return {**inputs, "arn": policy["Arn"], "policyId": policy["PolicyId"]}


class IamRolePolicyAttachment(AwsType):
    """aws:iam/rolePolicyAttachment:RolePolicyAttachment; any change replaces it."""

    token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    inputs = frozenset({"role", "policyArn"})
    replace_on = inputs
    autoname = False

    def create(self, aws: AwsClients, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        aws.iam.attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        return f"{inputs['role']}-{secrets.token_hex(8)}", dict(inputs)

    def delete(self, aws: AwsClients, id_: str, outputs: dict[str, Any]) -> None:
        aws.iam.detach_role_policy(RoleName=outputs["role"], PolicyArn=outputs["policyArn"])


AWS_TYPES: dict[str, AwsType] = {
    row.token: row for row in (IamRole(), IamRolePolicy(), IamPolicy(), IamRolePolicyAttachment())
}
"""The pulumi-aws types the mini-engine can apply, by type token."""


def aws_type(token: str) -> AwsType:
    """The row for token; UnsupportedResource naming the supported types if there is none."""
    row = AWS_TYPES.get(token)
    if row is None:
        raise UnsupportedResource(
            f"the mini-engine cannot apply resources of type {token}; it applies "
            f"{', '.join(sorted(AWS_TYPES))} (add a row to AWS_TYPES in "
            "tests/support/aws_resources.py)"
        )
    return row
