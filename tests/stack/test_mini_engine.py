"""The mini-engine itself (tests/support/engine.py) on pulumi-aws programs applied to moto."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from tests.support.aws_resources import AwsClients
from tests.support.engine import DeploymentFailed, MiniEngine

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "omics.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
CONFIG = {"aws:region": "us-east-1"}


def read_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                }
            ],
        }
    )


class Program:
    """A program whose declarations a test changes between runs (as a user edits the code)."""

    def __init__(self) -> None:
        self.declare: Callable[[], object] = lambda: None

    def __call__(self) -> None:
        self.declare()


@pytest.fixture
def iam(moto_url: str) -> AwsClients:
    return AwsClients.on(moto_url)


@pytest.fixture
def program() -> Program:
    return Program()


@pytest.fixture
def engine(program: Program, iam: AwsClients) -> MiniEngine:
    return MiniEngine(program, plugin_env={}, aws=iam)


def test_up_applies_a_managed_policy_and_its_attachment_then_destroy_removes_them(
    program: Program, engine: MiniEngine, iam: AwsClients
) -> None:
    bucket = ["first-bucket"]

    def declare() -> None:
        role = aws.iam.Role("reader", assume_role_policy=TRUST)
        policy = aws.iam.Policy("read", policy=read_policy(bucket[0]))
        aws.iam.RolePolicyAttachment("attach", role=role.name, policy_arn=policy.arn)

    program.declare = declare
    engine.up(CONFIG)
    role, arn = engine.resource("reader").id, engine.resource("read").id
    attached = iam.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]

    bucket[0] = "second-bucket"
    assert engine.up(CONFIG).changes == {"update": ["read"]}
    default = iam.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]
    assert "second-bucket" in json.dumps(document["Document"])

    deleted = engine.destroy(CONFIG).names("delete")
    assert deleted.index("attach") < min(deleted.index("read"), deleted.index("reader"))
    assert engine.state == []
    assert role not in {r["RoleName"] for r in iam.iam.list_roles()["Roles"]}
    assert arn not in {p["Arn"] for p in iam.iam.list_policies(Scope="Local")["Policies"]}


def test_up_replacing_a_role_creates_first_and_deletes_the_old_one_after_its_policy(
    program: Program, engine: MiniEngine, iam: AwsClients
) -> None:
    name = ["mini-engine-old"]

    def declare() -> None:
        role = aws.iam.Role("named", name=name[0], assume_role_policy=TRUST)
        aws.iam.RolePolicy("inline", role=role.id, policy=read_policy("a-bucket"))

    program.declare = declare
    engine.up(CONFIG)
    name[0] = "mini-engine-new"
    run = engine.up(CONFIG)

    ops = [(step.op, step.name) for step in run.steps if step.op != "same"]
    assert ops == [
        ("create-replacement", "named"),
        ("create-replacement", "inline"),
        ("delete-replaced", "inline"),
        ("delete-replaced", "named"),
    ]
    roles = {r["RoleName"] for r in iam.iam.list_roles()["Roles"]}
    assert "mini-engine-new" in roles and "mini-engine-old" not in roles
    assert iam.iam.list_role_policies(RoleName="mini-engine-new")["PolicyNames"] == [
        engine.resource("inline").outputs["name"]
    ]
    engine.destroy(CONFIG)


def test_up_removing_a_protected_resource_fails_at_preview_and_keeps_it(
    program: Program, engine: MiniEngine, iam: AwsClients
) -> None:
    program.declare = lambda: aws.iam.Role(
        "kept", assume_role_policy=TRUST, opts=pulumi.ResourceOptions(protect=True)
    )
    engine.up(CONFIG)
    state = list(engine.state)
    program.declare = lambda: None

    with pytest.raises(DeploymentFailed, match="kept cannot be deleted: it is protected") as error:
        engine.up(CONFIG)

    assert error.value.phase == "preview"
    assert engine.state == state
    iam.iam.get_role(RoleName=engine.resource("kept").id)
    program.declare = lambda: aws.iam.Role("kept", assume_role_policy=TRUST)
    engine.up(CONFIG)
    engine.destroy(CONFIG)


def declare_user() -> Any:
    return aws.iam.User("someone")


def declare_ignored_changes() -> Any:
    opts = pulumi.ResourceOptions(ignore_changes=["description"])
    return aws.iam.Role("ignoring", assume_role_policy=TRUST, opts=opts)


def declare_inline_policies() -> Any:
    inline = [aws.iam.RoleInlinePolicyArgs(name="p", policy=read_policy("b-bucket"))]
    return aws.iam.Role("inlined", assume_role_policy=TRUST, inline_policies=inline)


@pytest.mark.parametrize(
    ("declare", "named"),
    [
        (declare_user, "cannot apply resources of type aws:iam/user:User"),
        (declare_ignored_changes, "uses ignoreChanges, which the mini-engine does not model"),
        (declare_inline_policies, "cannot apply input(s) inlinePolicies"),
    ],
)
def test_up_of_what_the_engine_cannot_apply_fails_at_preview_naming_it(
    program: Program, engine: MiniEngine, declare: Callable[[], Any], named: str
) -> None:
    program.declare = declare

    with pytest.raises(DeploymentFailed, match=re.escape(named)) as error:
        engine.up(CONFIG)

    assert error.value.phase == "preview"
    assert engine.state == []
