"""Pulumi unit-test mocks for programs that use omics_provider: real checks, realistic outputs.

Pulumi's mocks (`pulumi.runtime.set_mocks`) never call a dynamic provider, so a program's
omics resources would get no validation and `None` outputs. `OmicsMocks` runs each omics
resource's own check (a failure raises the message `pulumi preview` would give) and answers with
outputs shaped like the provider's: a job COMPLETED with all its items, an ACTIVE empty store.
Everything else goes to the mocks you wrap, or gets its inputs as outputs.

    pulumi.runtime.set_mocks(OmicsMocks(MyMocks()), project="p", stack="test", preview=False)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pulumi
from pulumi.dynamic import ResourceProvider

from omics_provider.core.kinds import ANNOTATION_STORE, VARIANT_STORE, StoreKind
from omics_provider.resources.annotation_store import AnnotationStoreProvider
from omics_provider.resources.annotation_store_version import AnnotationStoreVersionProvider
from omics_provider.resources.variant_import_job import VariantImportJobProvider
from omics_provider.resources.variant_store import VariantStoreProvider

DYNAMIC_TYPE = "pulumi-python:dynamic/omics:"
JOB_TYPE = f"{DYNAMIC_TYPE}VariantImportJob"
"""The type token of VariantImportJob resources, as mocks and the engine see it."""
STORE_TYPE = f"{DYNAMIC_TYPE}VariantStore"
"""The type token of VariantStore resources."""
ANNOTATION_STORE_TYPE = f"{DYNAMIC_TYPE}AnnotationStore"
"""The type token of AnnotationStore resources."""
VERSION_TYPE = f"{DYNAMIC_TYPE}AnnotationStoreVersion"
"""The type token of AnnotationStoreVersion resources."""
PROVIDER_KEY = "__provider"


class OmicsCheckFailed(Exception):
    """An omics resource's check refused its inputs; the message is what preview would print."""


class OmicsMocks(pulumi.runtime.Mocks):
    """Mocks that check omics resources and give them realistic outputs; others go to inner."""

    def __init__(
        self,
        inner: pulumi.runtime.Mocks | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
    ) -> None:
        self.inner = inner
        self.region = region
        self.account = account
        self._simulated: dict[str, tuple[ResourceProvider, Callable[..., dict[str, Any]]]] = {
            JOB_TYPE: (VariantImportJobProvider(), self._job),
            STORE_TYPE: (VariantStoreProvider(), partial(self._store, VARIANT_STORE)),
            ANNOTATION_STORE_TYPE: (
                AnnotationStoreProvider(),
                partial(self._store, ANNOTATION_STORE),
            ),
            VERSION_TYPE: (AnnotationStoreVersionProvider(), self._version),
        }

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        """Check and simulate an omics resource; hand any other resource to the inner mocks."""
        simulated = self._simulated.get(args.typ)
        if simulated is None:
            if self.inner is not None:
                return self.inner.new_resource(args)
            return f"{args.name}-id", dict(args.inputs)
        provider, outputs_of = simulated
        inputs = {k: v for k, v in args.inputs.items() if k != PROVIDER_KEY}
        checked = provider.check({}, inputs)
        if checked.failures:
            reasons = "; ".join(failure.reason for failure in checked.failures)
            raise OmicsCheckFailed(f"{args.typ.removeprefix(DYNAMIC_TYPE)} {args.name}: {reasons}")
        outputs = outputs_of(args.name, dict(checked.inputs or {}))
        return _id_of(outputs), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any] | None]:
        """Function calls go to the inner mocks (none are made by omics resources)."""
        if self.inner is not None:
            return self.inner.call(args)
        return {}, None

    def _job(self, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        items = len(inputs.get("items") or [])
        return {
            **inputs,
            "jobId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"variant-import-job/{name}")),
            "status": "COMPLETED",
            "statusMessage": "",
            "creationTime": now,
            "completionTime": now,
            "itemCounts": {"COMPLETED": items},
            "failedItems": [],
        }

    def _store(self, kind: StoreKind, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        region = inputs.get("region") or self.region
        arn = f"arn:aws:omics:{region}:{self.account}:{kind.arn_type}/{inputs['name']}"
        return {
            **inputs,
            "storeId": uuid.uuid5(uuid.NAMESPACE_URL, f"{kind.noun.replace(' ', '-')}/{name}").hex[
                :12
            ],
            "storeArn": arn,
            "status": "ACTIVE",
            "statusMessage": "",
            "storeSizeBytes": 0,
            "creationTime": datetime.now(UTC).isoformat(),
        }

    def _version(self, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        region = inputs.get("region") or self.region
        store, version = inputs["storeName"], inputs["versionName"]
        return {
            **inputs,
            "versionId": uuid.uuid5(uuid.NAMESPACE_URL, f"store-version/{name}").hex[:12],
            "versionArn": (
                f"arn:aws:omics:{region}:{self.account}:annotationStore/{store}/version/{version}"
            ),
            "status": "ACTIVE",
            "statusMessage": "",
            "versionSizeBytes": 0,
            "creationTime": datetime.now(UTC).isoformat(),
        }


def _id_of(outputs: Mapping[str, Any]) -> str:
    return str(outputs.get("jobId") or outputs.get("storeId") or outputs.get("versionId"))
