"""An optional view of IAM (a moto server): which sources a job's role may read, and when.

IAM is eventually consistent: a changed role policy is not seen at once by every service. The
view reads every role's policies from the IAM endpoint (polling in a background thread, and
again before each decision) and lets a version of them count only `propagation_seconds` after
it was first seen. An import item whose role may not read its source then fails, as
HealthOmics would report it, with a message saying when a newer policy is not visible yet.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from omics_emulator.iam_policy import UnsupportedPolicy, is_allowed

POLL_SECONDS = 0.2
"""How often the background thread reads IAM."""

Clock = Callable[[], float]
Documents = tuple[Mapping[str, Any], ...]


def iam_client(endpoint: str) -> Any:
    """An IAM client on endpoint; dummy credentials when none are configured."""
    dummy = None if boto3.Session().get_credentials() is not None else "testing"
    return boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=3),
        aws_access_key_id=dummy,
        aws_secret_access_key=dummy,
    )


def role_documents(client: Any, role_name: str) -> Documents:
    """The role's inline policies and the default versions of its attached managed policies."""
    documents = []
    for page in client.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for name in page["PolicyNames"]:
            inline = client.get_role_policy(RoleName=role_name, PolicyName=name)
            documents.append(inline["PolicyDocument"])
    attached = client.get_paginator("list_attached_role_policies")
    for page in attached.paginate(RoleName=role_name):
        for policy in page["AttachedPolicies"]:
            arn = policy["PolicyArn"]
            version = client.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            document = client.get_policy_version(PolicyArn=arn, VersionId=version)
            documents.append(document["PolicyVersion"]["Document"])
    return tuple(documents)


@dataclass
class _Version:
    """One state of a role's policies and when the view first saw it."""

    seen_at: float
    documents: Documents


@dataclass
class _RoleHistory:
    versions: list[_Version] = field(default_factory=list)

    def record(self, documents: Documents, now: float) -> None:
        if not self.versions or self.versions[-1].documents != documents:
            self.versions.append(_Version(now, documents))

    def visible_at(self, at: float, delay: float) -> _Version | None:
        """The newest version seen at least delay seconds before at."""
        shown = [v for v in self.versions if v.seen_at + delay <= at]
        return shown[-1] if shown else None


class IamView:
    """What IAM shows HealthOmics of each role: polled, versioned, visible after a delay.

    Thread-safe. `refresh` reads every role now; `start` keeps refreshing in a daemon thread
    until `stop`.
    """

    def __init__(
        self,
        endpoint: str,
        propagation_seconds: float = 0.0,
        clock: Clock = time.time,
        client: Any = None,
    ) -> None:
        self.endpoint = endpoint
        self.propagation_seconds = propagation_seconds
        self.clock = clock
        self.client = client or iam_client(endpoint)
        self._roles: dict[str, _RoleHistory] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def refresh(self) -> None:
        """Read every role's policies now; record the ones that changed."""
        try:
            current = self._read_roles()
        except (BotoCoreError, ClientError) as error:
            self.last_error = f"IAM at {self.endpoint} could not be read: {error}"
            return
        now = self.clock()
        with self._lock:
            self.last_error = None
            for arn, documents in current.items():
                self._roles.setdefault(arn, _RoleHistory()).record(documents, now)

    def refusal(self, role_arn: str, source: str, at: float) -> str | None:
        """None when the role may read source at time at; else why it may not (one line)."""
        bucket, _, key = source.removeprefix("s3://").partition("/")
        partition = role_arn.split(":")[1] if role_arn.count(":") >= 5 else "aws"
        arn = f"arn:{partition}:s3:::{bucket}/{key}"
        with self._lock:
            history = self._roles.get(role_arn)
            if history is None:
                return f"{source}: access denied: role {role_arn} does not exist in IAM"
            shown = history.visible_at(at, self.propagation_seconds)
            newest = history.versions[-1]
        try:
            if shown is not None and is_allowed(shown.documents, "s3:GetObject", arn):
                return None
            pending = newest is not shown and is_allowed(newest.documents, "s3:GetObject", arn)
        except UnsupportedPolicy as error:
            return f"{source}: the emulator cannot evaluate role {role_arn}'s policy: {error}"
        message = f"{source}: access denied: role {role_arn} may not s3:GetObject {arn}"
        if pending:
            message += (
                " (a policy change allowing it was not visible yet: IAM changes become "
                f"visible {self.propagation_seconds:g} s after they are made)"
            )
        return message

    @property
    def polling(self) -> bool:
        """True while the background refresh runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, interval: float = POLL_SECONDS) -> None:
        """Refresh in a daemon thread every interval seconds until stop()."""
        if self.polling:
            return
        self._stopped.clear()
        self._thread = threading.Thread(
            target=self._poll, args=(interval,), name="omics-emulator-iam-view", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the background refresh and wait for it (idempotent)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _poll(self, interval: float) -> None:
        while not self._stopped.is_set():
            self.refresh()
            self._stopped.wait(interval)

    def _read_roles(self) -> dict[str, Documents]:
        roles = {}
        for page in self.client.get_paginator("list_roles").paginate():
            for role in page["Roles"]:
                roles[role["Arn"]] = role_documents(self.client, role["RoleName"])
        return roles
