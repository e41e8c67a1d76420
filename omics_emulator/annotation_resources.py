"""Annotation stores, their versions and annotation import jobs as data, shown as the API does.

Stores and versions take the variant store's declared transitions; an annotation import job is
an ``ImportJob`` (same statuses, items, cancel and finish) that lands in a store version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from omics_emulator.lifecycle import Lifecycle, Stateful
from omics_emulator.models import STORE_LIFECYCLE, ImportJob, Store, timestamp


@dataclass
class AnnotationVersion(Stateful):
    """One version of an annotation store: what import jobs land in."""

    lifecycle = Lifecycle("annotation store version", STORE_LIFECYCLE.transitions)

    id: str
    store: AnnotationStore
    name: str
    arn: str
    description: str
    options: dict[str, Any] | None
    tags: dict[str, str]
    creation_time: float
    status: str = "CREATING"
    status_message: str = ""
    size_bytes: int = 0
    update_time: float = 0.0
    epoch: int = 0
    imported: Counter[str] = field(default_factory=Counter)

    def created(self) -> dict[str, Any]:
        """The version as CreateAnnotationStoreVersion answers."""
        return {
            "id": self.id,
            "versionName": self.name,
            "storeId": self.store.id,
            "versionOptions": self.options,
            "name": self.store.name,
            "status": self.status,
            "creationTime": timestamp(self.creation_time),
        }

    def updated(self) -> dict[str, Any]:
        """The version as UpdateAnnotationStoreVersion answers."""
        keys = ("storeId", "id", "status", "name", "versionName", "description")
        return {
            **{k: self.summary()[k] for k in keys},
            "creationTime": timestamp(self.creation_time),
            "updateTime": timestamp(self.update_time),
        }

    def summary(self) -> dict[str, Any]:
        """The version as ListAnnotationStoreVersions shows it."""
        return {
            "storeId": self.store.id,
            "id": self.id,
            "status": self.status,
            "versionArn": self.arn,
            "name": self.store.name,
            "versionName": self.name,
            "description": self.description,
            "creationTime": timestamp(self.creation_time),
            "updateTime": timestamp(self.update_time),
            "statusMessage": self.status_message,
            "versionSizeBytes": self.size_bytes,
        }

    def detail(self) -> dict[str, Any]:
        """The version as GetAnnotationStoreVersion shows it."""
        return {**self.summary(), "tags": dict(self.tags), "versionOptions": self.options}


@dataclass
class AnnotationStore(Stateful):
    """An annotation store of one format (GFF, TSV or VCF) and its versions by name."""

    lifecycle = Lifecycle("annotation store", STORE_LIFECYCLE.transitions)

    id: str
    name: str
    arn: str
    store_format: str
    reference: dict[str, str] | None
    options: dict[str, Any] | None
    description: str
    sse_config: dict[str, str]
    tags: dict[str, str]
    creation_time: float
    default_version: str
    status: str = "CREATING"
    status_message: str = ""
    update_time: float = 0.0
    epoch: int = 0
    versions: dict[str, AnnotationVersion] = field(default_factory=dict)

    @property
    def size_bytes(self) -> int:
        """What the store's versions hold together."""
        return sum(v.size_bytes for v in self.versions.values())

    def created(self) -> dict[str, Any]:
        """The store as CreateAnnotationStore answers."""
        return {
            "id": self.id,
            "reference": self.reference,
            "storeFormat": self.store_format,
            "storeOptions": self.options,
            "status": self.status,
            "name": self.name,
            "versionName": self.default_version,
            "creationTime": timestamp(self.creation_time),
        }

    def updated(self) -> dict[str, Any]:
        """The store as UpdateAnnotationStore answers."""
        keys = ("id", "reference", "status", "name", "description", "creationTime", "updateTime")
        return {
            **{k: self.summary()[k] for k in keys},
            "storeOptions": self.options,
            "storeFormat": self.store_format,
        }

    def summary(self) -> dict[str, Any]:
        """The store as ListAnnotationStores shows it."""
        return {
            "id": self.id,
            "reference": self.reference,
            "status": self.status,
            "storeArn": self.arn,
            "name": self.name,
            "storeFormat": self.store_format,
            "description": self.description,
            "sseConfig": dict(self.sse_config),
            "creationTime": timestamp(self.creation_time),
            "updateTime": timestamp(self.update_time),
            "statusMessage": self.status_message,
            "storeSizeBytes": self.size_bytes,
        }

    def detail(self) -> dict[str, Any]:
        """The store as GetAnnotationStore shows it."""
        return {
            **self.summary(),
            "tags": dict(self.tags),
            "storeOptions": self.options,
            "numVersions": len(self.versions),
        }


@dataclass(kw_only=True)
class AnnotationImportJob(ImportJob):
    """An import job into one version of an annotation store."""

    version: AnnotationVersion
    format_options: dict[str, Any] | None = None

    def destination(self, stores: Mapping[str, Store]) -> AnnotationVersion:
        """The store version the job's imported items land in."""
        return self.version

    def content_format(self) -> str:
        """The format of the job's store: GFF, TSV or VCF."""
        return self.version.store.store_format

    def summary(self) -> dict[str, Any]:
        """The job as ListAnnotationImportJobs shows it."""
        return {**super().summary(), "versionName": self.version.name}

    def detail(self) -> dict[str, Any]:
        """The job as GetAnnotationImportJob shows it; items carry no status message."""
        return {
            **self.summary(),
            "statusMessage": self.status_message,
            "items": [{"source": i.source, "jobStatus": i.status} for i in self.items],
            "formatOptions": self.format_options,
        }
