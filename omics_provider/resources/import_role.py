"""VariantImportRole: the IAM role HealthOmics assumes to import, reading only the given sources.

The policy itself is built as plain data by `core.role_policy`; this component declares the role,
its one inline policy, and the PolicySettle wait that import jobs depend on.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from omics_provider.core.errors import ImportRoleError
from omics_provider.core.role_policy import RolePolicy, build_role_policy, trust_policy
from omics_provider.resources.policy_settle import (
    DEFAULT_SETTLE_SECONDS,
    PolicySettle,
    policy_digest,
)

ROLE_TYPE = "omics-variant-import:index:VariantImportRole"


class VariantImportRole(pulumi.ComponentResource):
    """An IAM role HealthOmics assumes to import sources, with one policy allowing only that.

    Make import jobs depend on `ready` (the policy, then the wait after each change of it), so
    the role can read the sources before a job starts. Past IAM's size limit, files are granted
    through folder prefixes: `granted_prefixes` lists them, and preview prints one line saying
    how many files they cover (see docs/import-role.md).

    source_account adds the confused-deputy condition aws:SourceAccount to the trust policy. It
    is off by default: HealthOmics documents its trust policy without conditions and does not
    say that it sends aws:SourceAccount when assuming the role; if it does not, a role with the
    condition cannot be assumed and every import fails. Set it only after checking that an
    import with it succeeds in your account.

    propagation_seconds is how long jobs wait after each change of the policy (IAM is
    eventually consistent); 0 turns the wait off.
    """

    role: aws.iam.Role
    policy: aws.iam.RolePolicy
    settle: PolicySettle
    arn: pulumi.Output[str]
    policy_document: pulumi.Output[str]
    policy_size: pulumi.Output[int]
    granted_prefixes: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        sources: pulumi.Input[Sequence[pulumi.Input[str]]],
        reference_arn: pulumi.Input[str] | None = None,
        kms_key_arns: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        source_account: pulumi.Input[str] | None = None,
        propagation_seconds: pulumi.Input[float] = DEFAULT_SETTLE_SECONDS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = (sources, kms_key_arns or [], reference_arn)
        known = _build(name, *inputs) if all(_is_plain(value) for value in inputs) else None
        super().__init__(ROLE_TYPE, name, None, opts)
        plan = (
            pulumi.Output.from_input(self._announce(name, known))
            if known is not None
            else pulumi.Output.all(*inputs).apply(
                lambda args: self._announce(name, _build(name, *args))
            )
        )
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=pulumi.Output.from_input(source_account).apply(
                lambda account: json.dumps(trust_policy(account))
            ),
            description="Assumed by AWS HealthOmics to read the files of variant import jobs",
            opts=child,
        )
        self.policy_document = plan.apply(lambda p: p.text)
        self.policy_size = plan.apply(lambda p: p.size)
        self.granted_prefixes = plan.apply(lambda p: [grant.uri for grant in p.broadened])
        self.policy = aws.iam.RolePolicy(
            f"{name}-policy", role=self.role.id, policy=self.policy_document, opts=child
        )
        self.settle = PolicySettle(
            f"{name}-settle",
            policy_digest=self.policy_document.apply(policy_digest),
            seconds=propagation_seconds,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy]),
        )
        self.arn = self.role.arn
        self.register_outputs(
            {
                "arn": self.arn,
                "policyDocument": self.policy_document,
                "policySize": self.policy_size,
                "grantedPrefixes": self.granted_prefixes,
            }
        )

    @property
    def ready(self) -> list[pulumi.Resource]:
        """What an import job must depend on: the policy, and the wait after it changed."""
        return [self.policy, self.settle]

    def _announce(self, name: str, plan: RolePolicy) -> RolePolicy:
        """Log the plan's one-line summary (shown by preview and up), and return it."""
        pulumi.log.info(f"VariantImportRole {name}: {plan.summary()}", resource=self)
        return plan


def _build(name: str, sources: Any, kms_key_arns: Any, reference_arn: Any) -> RolePolicy:
    """The role's policy, or one ImportRoleError naming the component and the bad input."""
    try:
        return build_role_policy(list(sources), list(kms_key_arns), reference_arn)
    except ValueError as error:
        raise ImportRoleError(f"VariantImportRole {name}: {error}") from None


def _is_plain(value: Any) -> bool:
    """True for a value known now: no Output or awaitable in it."""
    if isinstance(value, list | tuple):
        return all(_is_plain(item) for item in value)
    return not isinstance(value, pulumi.Output) and not inspect.isawaitable(value)
