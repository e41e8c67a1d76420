"""Each import job kind as a test case: its resource, inputs, destination, and emulator reads.

A test that must hold for every kind takes the `job_kind` fixture (parametrized over KINDS)
and builds everything kind-specific through it: the store it imports into (`kind_store`), the
resource inputs, a direct start by someone else, and what the emulator says was imported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from omics_emulator import EmulatorHandle
from omics_provider import AnnotationImportJobProvider, VariantImportJobProvider
from omics_provider.core.kinds import ANNOTATION_IMPORT, VARIANT_IMPORT, JobKind, method_name
from omics_provider.resources.import_job import ImportJobProvider
from tests.support.jobs import REFERENCE_ARN, ROLE_ARN, STORE, create_store
from tests.support.waiting import wait_until

VERSION = "v01"
"""The annotation store version annotation jobs import into (the store's first)."""
OTHER_VERSION = "v02"
OTHER_STORE = "other_store"


def _no_store(client: Any) -> None:
    """Nothing to create: the other destination exists already."""


@dataclass(frozen=True)
class KindCase:
    """One job kind as the tests drive it: its provider, inputs into STORE, and reads."""

    kind: JobKind
    provider: ImportJobProvider
    destination: dict[str, str]
    """The destination keys of its inputs and start requests (the store, and version)."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Settings every input carries (annotation VCF stores take vcfOptions)."""
    make_store: Callable[[Any], object] = create_store
    other: dict[str, str] = field(default_factory=dict)
    """Destination overrides naming a second destination of the same kind."""
    make_other: Callable[[Any], object] = _no_store
    """Creates the second destination, when make_store did not."""

    @property
    def id(self) -> str:
        return self.kind.resource

    def inputs(self, *sources: str, **overrides: Any) -> dict[str, Any]:
        """Checked-looking inputs of one resource of this kind importing sources into STORE."""
        return {
            "resourceName": "batch",
            **self.destination,
            "roleArn": ROLE_ARN,
            "items": [{"source": s} for s in (sources or ("s3://samples-bucket/a.vcf",))],
            **self.settings,
            **overrides,
        }

    def start(self, client: Any, *sources: str, **destination: str) -> str:
        """Start a job of sources directly through client (someone else's run); its id."""
        request = self.inputs(*sources, **destination)
        del request["resourceName"]
        return str(getattr(client, method_name(self.kind.start))(**request)["jobId"])

    def call(self, client: Any, operation: str | None, **request: Any) -> Any:
        """One of the kind's operations through client (cancel, get); both kinds have each."""
        assert operation is not None, f"{self.kind.resource} has no such operation"
        return getattr(client, method_name(operation))(**request)

    @property
    def cancel(self) -> str:
        """The kind's cancel operation (both kinds here have one)."""
        assert self.kind.cancel is not None
        return self.kind.cancel

    def jobs(self, emulator: EmulatorHandle, version: str | None = None) -> list[dict[str, Any]]:
        """Every job of this kind the emulator holds for STORE (and version), read in full."""
        backend = emulator.backend
        held = (
            backend.jobs(STORE) if self.kind is VARIANT_IMPORT else backend.annotations.jobs(STORE)
        )
        wanted = version or self.destination.get("versionName")
        return [j for j in held if wanted is None or j.get("versionName") == wanted]

    def imported(self, emulator: EmulatorHandle, version: str | None = None) -> Counter[str]:
        """How many times each file was imported into STORE (annotations: into version)."""
        backend = emulator.backend
        if self.kind is VARIANT_IMPORT:
            return backend.imported_sources(STORE)
        return backend.annotations.imported_sources(STORE, version or VERSION)

    def delete_store(self, client: Any) -> None:
        """Delete STORE with force (someone else's doing, while jobs may run)."""
        if self.kind is VARIANT_IMPORT:
            client.delete_variant_store(name=STORE, force=True)
        else:
            client.delete_annotation_store(name=STORE, force=True)

    @property
    def deleted_message(self) -> str:
        """What a job's statusMessage says when its store was deleted under it."""
        noun = "Variant store" if self.kind is VARIANT_IMPORT else "Annotation store"
        return f"{noun} {STORE} was deleted while the job was running"


def create_annotation_store(client: Any) -> None:
    """An ACTIVE VCF annotation store STORE with the ACTIVE versions VERSION and OTHER_VERSION."""
    client.create_annotation_store(
        name=STORE,
        storeFormat="VCF",
        reference={"referenceArn": REFERENCE_ARN},
        versionName=VERSION,
    )
    wait_until(
        lambda: client.get_annotation_store(name=STORE)["status"] == "ACTIVE",
        "the annotation store to become ACTIVE",
    )
    client.create_annotation_store_version(name=STORE, versionName=OTHER_VERSION)
    for version in (VERSION, OTHER_VERSION):
        wait_until(partial(version_active, client, version), f"version {version} to be ACTIVE")


def version_active(client: Any, version: str) -> bool:
    """Whether version of STORE is ACTIVE."""
    found = client.get_annotation_store_version(name=STORE, versionName=version)
    return bool(found["status"] == "ACTIVE")


VARIANT = KindCase(
    VARIANT_IMPORT,
    VariantImportJobProvider(),
    {"destinationName": STORE},
    other={"destinationName": OTHER_STORE},
    make_other=partial(create_store, name=OTHER_STORE),
)
ANNOTATION = KindCase(
    ANNOTATION_IMPORT,
    AnnotationImportJobProvider(),
    {"destinationName": STORE, "versionName": VERSION},
    settings={"formatOptions": {"vcfOptions": {"ignoreQualField": True}}},
    make_store=create_annotation_store,
    other={"versionName": OTHER_VERSION},
)
KINDS = [VARIANT, ANNOTATION]


@pytest.fixture(params=KINDS, ids=[case.id for case in KINDS])
def job_kind(request: pytest.FixtureRequest) -> KindCase:
    """Each import job kind in turn."""
    case: KindCase = request.param
    return case


@pytest.fixture
def kind_store(job_kind: KindCase, omics_emulator: EmulatorHandle, omics_client: Any) -> KindCase:
    """job_kind, its store STORE (annotations: versions v01 and v02) ACTIVE in the emulator."""
    job_kind.make_store(omics_client)
    return job_kind
