"""The annotation store beside the stack's destination: the store, its versions, a role, a job
per annotation batch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from omics_provider import (
    AnnotationImportJob,
    AnnotationStore,
    AnnotationStoreVersion,
    VariantImportRole,
)
from omics_stack.config import AnnotationBatch, AnnotationStoreConfig, StackConfig, job_settings

STORE_RESOURCE = "annotation-store"
ROLE_RESOURCE = "annotation-import-role"


@dataclass(frozen=True)
class DeclaredAnnotations:
    """The annotation resources a stack declared.

    versions maps every declared version's name to the resource that makes it (the store for
    its first version, an AnnotationStoreVersion for the others); role is None when the stack
    names an existing role or has no annotation batch; jobs maps each annotation batch's name
    to its AnnotationImportJob.
    """

    store: AnnotationStore
    versions: Mapping[str, pulumi.CustomResource]
    role: VariantImportRole | None
    role_arn: pulumi.Input[str] | None
    jobs: Mapping[str, AnnotationImportJob]

    @property
    def outputs(self) -> dict[str, Any]:
        """The stack outputs of the annotation store and its jobs, by name."""
        return {
            "annotationStoreName": self.store.name,
            "annotationStoreArn": self.store.store_arn,
            "annotationRoleArn": self.role_arn,
            "annotationJobIds": {name: job.job_id for name, job in self.jobs.items()},
            "annotationJobStatuses": {name: job.status for name, job in self.jobs.items()},
        }


def declare_annotations(config: StackConfig) -> DeclaredAnnotations | None:
    """Declare the stack's annotation store, its versions, the role reading the annotation
    files (unless existingRoleArn) and one AnnotationImportJob per annotation batch; None when
    the stack declares no annotation store.

    The role is the import role of the variant batches, built for the annotation files alone
    (its own policy and its own limit); each job waits for its version, the role's policy and
    the settle wait after each change of it.
    """
    store_config = config.annotations.store
    if store_config is None:
        return None
    batches = config.annotations.imports
    role = _role(config, store_config) if batches else None
    store = _store(store_config)
    versions = _versions(store_config, store)
    role_arn: pulumi.Input[str] = role.arn if role else str(config.existing_role_arn)
    ready = role.ready if role else []
    jobs = {
        batch.name: _job(config, batch, store, versions[batch.version], role_arn, ready)
        for batch in batches
    }
    return DeclaredAnnotations(store, versions, role, role_arn if jobs else None, jobs)


def _store(config: AnnotationStoreConfig) -> AnnotationStore:
    return AnnotationStore(
        STORE_RESOURCE,
        name=config.name,
        store_format=config.store_format,
        reference_arn=config.reference_arn,
        store_options=config.store_options,
        version_name=config.version_name,
        description=config.description,
        adopt_existing=config.adopt_existing,
        force_destroy=config.force_destroy,
        opts=pulumi.ResourceOptions(protect=config.protect),
    )


def _versions(
    config: AnnotationStoreConfig, store: AnnotationStore
) -> dict[str, pulumi.CustomResource]:
    """The store for its first version; an AnnotationStoreVersion, protected as the store is,
    for each other one."""
    versions: dict[str, pulumi.CustomResource] = {config.version_name: store}
    for name in config.versions:
        versions[name] = AnnotationStoreVersion(
            f"{STORE_RESOURCE}-{name}",
            store_name=store.name,
            version_name=name,
            force_destroy=config.force_destroy,
            opts=pulumi.ResourceOptions(protect=config.protect),
        )
    return versions


def _role(config: StackConfig, store: AnnotationStoreConfig) -> VariantImportRole | None:
    if config.existing_role_arn:
        return None
    return VariantImportRole(
        ROLE_RESOURCE,
        sources=list(config.annotations.sources),
        reference_arn=store.reference_arn,
        kms_key_arns=list(config.kms_key_arns),
        propagation_seconds=config.role_propagation_seconds,
    )


def _job(
    config: StackConfig,
    batch: AnnotationBatch,
    store: AnnotationStore,
    version: pulumi.CustomResource,
    role_arn: pulumi.Input[str],
    ready: list[pulumi.Resource],
) -> AnnotationImportJob:
    return AnnotationImportJob(
        batch.name,
        destination_name=store.name,
        version_name=batch.version,
        role_arn=role_arn,
        items=list(batch.sources),
        format_options=batch.format_options,
        **job_settings(config, batch),
        opts=pulumi.ResourceOptions(depends_on=[store, version, *ready]),
    )
