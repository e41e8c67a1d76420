"""PolicySettle: after the import role's policy changes, wait before any import job starts.

IAM is eventually consistent: a role policy that PutRolePolicy has accepted is not yet seen by
every AWS endpoint, and AWS documents no bound for the delay. A job started at once could be
refused reading the files the change granted, and report them FAILED. PolicySettle is a
dynamic resource that jobs depend on; it changes (and waits) only when the policy changes.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from omics_provider.core.progress import Progress
from omics_provider.core.properties import is_unknown, pick
from omics_provider.core.validation import Checker
from omics_provider.resources.provider_base import alias_snake_case

DEFAULT_SETTLE_SECONDS = 30.0
"""How long a policy change is given to reach every IAM endpoint before jobs start."""
MAX_SETTLE_SECONDS = 900.0
INPUT_KEYS = ("resourceName", "policyDigest", "seconds")
KIND = "PolicySettle"
_DIGEST_LENGTH = 64

Sleep = Callable[[float], None]


def policy_digest(document_text: str) -> str:
    """The digest a policy document is known by: a change of the document changes it."""
    return hashlib.sha256(document_text.encode()).hexdigest()


def normalize_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's inputs from props, normalized for comparison."""
    return pick(props, INPUT_KEYS)


def check_inputs(_olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """A digest of 64 hex characters and 0 to 900 seconds; no AWS call."""
    inputs = normalize_inputs(news)
    checker = Checker()
    digest = inputs.get("policyDigest")
    if not is_unknown(digest) and (not isinstance(digest, str) or len(digest) != _DIGEST_LENGTH):
        checker.fail("policyDigest", "must be the SHA-256 hex digest of the policy document")
    seconds = inputs.get("seconds", DEFAULT_SETTLE_SECONDS)
    if not is_unknown(seconds) and not _valid_seconds(seconds):
        checker.fail(
            "seconds",
            f"must be a number of seconds from 0 to {MAX_SETTLE_SECONDS:g}, got {seconds!r}",
        )
    return CheckResult(inputs, checker.failures)


def _valid_seconds(value: Any) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and math.isfinite(value) and 0 <= value <= MAX_SETTLE_SECONDS


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """An update when the digest or the seconds change; never a replacement."""
    old, new = normalize_inputs(olds), normalize_inputs(news)
    changed = [key for key in ("policyDigest", "seconds") if old.get(key) != new.get(key)]
    return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)


def settle(inputs: Mapping[str, Any], sleep: Sleep) -> None:
    """Wait the inputs' seconds for the policy change to propagate, saying so first."""
    seconds = float(inputs.get("seconds", DEFAULT_SETTLE_SECONDS))
    if seconds <= 0:
        return
    Progress(KIND, str(inputs.get("resourceName", ""))).line(
        f"the import role's policy changed: waiting {seconds:g} s for IAM to show it to "
        "HealthOmics before import jobs start (IAM is eventually consistent)"
    )
    sleep(seconds)


def create_settled(props: Mapping[str, Any], sleep: Sleep) -> CreateResult:
    """The first policy of a role: wait, then record the digest."""
    inputs = normalize_inputs(props)
    settle(inputs, sleep)
    return CreateResult(f"settle-{str(inputs['policyDigest'])[:16]}", inputs)


def update_settled(olds: Mapping[str, Any], news: Mapping[str, Any], sleep: Sleep) -> UpdateResult:
    """A changed policy: wait; a change of the seconds alone is only recorded."""
    inputs = normalize_inputs(news)
    if normalize_inputs(olds).get("policyDigest") != inputs.get("policyDigest"):
        settle(inputs, sleep)
    return UpdateResult(inputs)


class PolicySettleProvider(ResourceProvider):
    """Waits when the policy digest changes; holds no state and makes no AWS call.

    Pickled by reference into the stack's state under
    `omics_provider.resources.policy_settle.PolicySettleProvider`: keep that path.
    """

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs offline."""
        return check_inputs(_olds, news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """An in-place update when the policy digest or the seconds change."""
        return diff_inputs(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Wait for the new policy; if this raises, nothing was created."""
        return create_settled(props, time.sleep)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Wait for the changed policy; return the full outputs."""
        return update_settled(olds, news, time.sleep)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Nothing to refresh: the outputs are the inputs."""
        inputs = normalize_inputs(props)
        return ReadResult(id_, inputs, inputs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to delete."""


class PolicySettle(pulumi.dynamic.Resource, module="omics", name="PolicySettle"):
    """Waits `seconds` whenever `policy_digest` changes; make import jobs depend on it."""

    policy_digest: pulumi.Output[str]
    seconds: pulumi.Output[float]

    def __init__(
        self,
        resource_name: str,
        policy_digest: pulumi.Input[str],
        seconds: pulumi.Input[float] = DEFAULT_SETTLE_SECONDS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"resourceName": resource_name, "policyDigest": policy_digest, "seconds": seconds}
        super().__init__(PolicySettleProvider(), resource_name, props, opts)
        alias_snake_case(self, ["policyDigest"])
