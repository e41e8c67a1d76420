"""Pulumi unit-test mocks for programs that use omics_provider: real checks, realistic outputs.

Pulumi's mocks (`pulumi.runtime.set_mocks`) never call a dynamic provider, so a program's
omics resources would get no validation and `None` outputs. `OmicsMocks` runs each omics
resource's own check (a failure raises OmicsCheckFailed with the message `pulumi preview` would
give) and answers with outputs shaped like the providers' and AWS's: a job COMPLETED with all
its items, an ACTIVE empty store, the import role's IAM role with its `arn`, its inline policy,
the policy's settle wait, an S3 table bucket with its `arn` and its namespace. Every other
resource goes to the mocks you wrap, or gets its inputs as outputs.

    pulumi.runtime.set_mocks(OmicsMocks(), project="p", stack="test", preview=False)
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pulumi
from pulumi.dynamic import ResourceProvider

from omics_provider.core.errors import OmicsCheckFailed
from omics_provider.core.kinds import (
    ANNOTATION_IMPORT,
    ANNOTATION_STORE,
    VARIANT_IMPORT,
    VARIANT_STORE,
    JobKind,
    StoreKind,
)
from omics_provider.resources.annotation_import_job import AnnotationImportJobProvider
from omics_provider.resources.annotation_store import AnnotationStoreProvider
from omics_provider.resources.annotation_store_version import AnnotationStoreVersionProvider
from omics_provider.resources.policy_settle import PolicySettleProvider
from omics_provider.resources.variant_import_job import VariantImportJobProvider
from omics_provider.resources.variant_store import VariantStoreProvider

__all__ = [
    "ANNOTATION_JOB_TYPE",
    "ANNOTATION_STORE_TYPE",
    "JOB_TYPE",
    "ROLE_POLICY_TYPE",
    "ROLE_TYPE",
    "SETTLE_TYPE",
    "STORE_TYPE",
    "VERSION_TYPE",
    "OmicsCheckFailed",
    "OmicsMocks",
]

DYNAMIC_TYPE = "pulumi-python:dynamic/omics:"
JOB_TYPE = f"{DYNAMIC_TYPE}VariantImportJob"
"""The type token of VariantImportJob resources, as mocks and the engine see it."""
STORE_TYPE = f"{DYNAMIC_TYPE}VariantStore"
"""The type token of VariantStore resources."""
SETTLE_TYPE = f"{DYNAMIC_TYPE}PolicySettle"
"""The type token of the import role's settle wait (a child of VariantImportRole)."""
ROLE_TYPE = "aws:iam/role:Role"
"""The IAM role a VariantImportRole declares."""
ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy"
TABLE_BUCKET_TYPE = "aws:s3tables/tableBucket:TableBucket"
TABLE_NAMESPACE_TYPE = "aws:s3tables/namespace:Namespace"
"""The inline policy a VariantImportRole declares."""
ANNOTATION_STORE_TYPE = f"{DYNAMIC_TYPE}AnnotationStore"
"""The type token of AnnotationStore resources."""
VERSION_TYPE = f"{DYNAMIC_TYPE}AnnotationStoreVersion"
"""The type token of AnnotationStoreVersion resources."""
ANNOTATION_JOB_TYPE = f"{DYNAMIC_TYPE}AnnotationImportJob"
"""The type token of AnnotationImportJob resources."""
PROVIDER_KEY = "__provider"

Simulate = Callable[[str, dict[str, Any]], dict[str, Any]]


class OmicsMocks(pulumi.runtime.Mocks):
    """Mocks that check omics resources and give them and the IAM resources under
    VariantImportRole realistic outputs; any other resource goes to inner."""

    def __init__(
        self,
        inner: pulumi.runtime.Mocks | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
    ) -> None:
        self.inner = inner
        self.region = region
        self.account = account
        self._checked: dict[str, tuple[ResourceProvider, Simulate]] = {
            JOB_TYPE: (VariantImportJobProvider(), partial(self._job, VARIANT_IMPORT)),
            ANNOTATION_JOB_TYPE: (
                AnnotationImportJobProvider(),
                partial(self._job, ANNOTATION_IMPORT),
            ),
            STORE_TYPE: (VariantStoreProvider(), partial(self._store, VARIANT_STORE)),
            ANNOTATION_STORE_TYPE: (
                AnnotationStoreProvider(),
                partial(self._store, ANNOTATION_STORE),
            ),
            VERSION_TYPE: (AnnotationStoreVersionProvider(), self._version),
            SETTLE_TYPE: (PolicySettleProvider(), self._settle),
        }
        self._aws: dict[str, Simulate] = {
            ROLE_TYPE: self._role,
            ROLE_POLICY_TYPE: self._policy,
            TABLE_BUCKET_TYPE: self._table_bucket,
            TABLE_NAMESPACE_TYPE: self._table_namespace,
        }

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        """Check and simulate the library's resources; hand any other resource to inner."""
        if args.typ in self._aws:
            outputs = self._aws[args.typ](args.name, dict(args.inputs))
            return str(outputs["id"]), outputs
        checked = self._checked.get(args.typ)
        if checked is None:
            if self.inner is not None:
                return self.inner.new_resource(args)
            return f"{args.name}-id", dict(args.inputs)
        provider, simulate = checked
        inputs = {k: v for k, v in args.inputs.items() if k != PROVIDER_KEY}
        result = provider.check({}, inputs)
        if result.failures:
            reasons = "; ".join(failure.reason for failure in result.failures)
            raise OmicsCheckFailed(f"{args.typ.removeprefix(DYNAMIC_TYPE)} {args.name}: {reasons}")
        outputs = simulate(args.name, dict(result.inputs or {}))
        return str(outputs.pop("id")), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any] | None]:
        """Function calls go to the inner mocks (none are made by omics resources)."""
        if self.inner is not None:
            return self.inner.call(args)
        return {}, None

    def _job(self, kind: JobKind, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        items = len(inputs.get("items") or [])
        job_id = inputs.get("adoptJobId") or str(_uuid(kind.noun.replace(" ", "-"), name))
        return {
            **inputs,
            "id": job_id,
            "jobId": job_id,
            "status": "COMPLETED",
            "statusMessage": "",
            "creationTime": now,
            "completionTime": now,
            "itemCounts": {"COMPLETED": items},
            "failedItems": [],
        }

    def _store(self, kind: StoreKind, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        region = inputs.get("region") or self.region
        store_id = _uuid(kind.noun.replace(" ", "-"), name).hex[:12]
        return {
            **inputs,
            "id": store_id,
            "storeId": store_id,
            "storeArn": f"arn:aws:omics:{region}:{self.account}:{kind.arn_type}/{inputs['name']}",
            "status": "ACTIVE",
            "statusMessage": "",
            "storeSizeBytes": 0,
            "creationTime": datetime.now(UTC).isoformat(),
        }

    def _version(self, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        region = inputs.get("region") or self.region
        store, version = inputs["storeName"], inputs["versionName"]
        version_id = _uuid("store-version", name).hex[:12]
        return {
            **inputs,
            "id": version_id,
            "versionId": version_id,
            "versionArn": (
                f"arn:aws:omics:{region}:{self.account}:annotationStore/{store}/version/{version}"
            ),
            "status": "ACTIVE",
            "statusMessage": "",
            "versionSizeBytes": 0,
            "creationTime": datetime.now(UTC).isoformat(),
        }

    def _settle(self, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        return {**inputs, "id": f"settle-{str(inputs.get('policyDigest', ''))[:16]}"}

    def _role(self, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        role_name = inputs.get("name") or _autoname(name)
        path = inputs.get("path") or "/"
        return {
            **inputs,
            "id": role_name,
            "name": role_name,
            "path": path,
            "arn": f"arn:aws:iam::{self.account}:role{path}{role_name}",
            "uniqueId": "AROA" + hashlib.sha256(role_name.encode()).hexdigest()[:17].upper(),
            "createDate": datetime.now(UTC).isoformat(),
        }

    def _policy(self, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        policy_name = inputs.get("name") or _autoname(name)
        return {**inputs, "id": f"{inputs.get('role')}:{policy_name}", "name": policy_name}

    def _table_bucket(self, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        bucket = inputs.get("name") or _autoname(name)
        region = inputs.get("region") or self.region
        arn = f"arn:aws:s3tables:{region}:{self.account}:bucket/{bucket}"
        return {**inputs, "id": arn, "arn": arn, "name": bucket, "ownerAccountId": self.account}

    def _table_namespace(self, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        return {**inputs, "id": f"{inputs.get('tableBucketArn')};{inputs.get('namespace')}"}


def _uuid(kind: str, name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}/{name}")


def _autoname(name: str) -> str:
    """The physical name Pulumi would give: the resource name and 7 characters (stable here)."""
    return f"{name}-{hashlib.sha256(name.encode()).hexdigest()[:7]}"
