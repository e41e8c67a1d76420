"""The variant-store destination: a store, the import role, and one import job per batch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from omics_provider import VariantImportJob, VariantImportRole, VariantStore
from omics_stack.config import StackConfig, job_settings
from omics_stack.declared import DeclaredStack


def declare_variant_store_stack(config: StackConfig) -> DeclaredStack:
    """Declare the store, the role (unless the stack names one) and one job per batch.

    The role comes first: a policy that cannot be granted fails the program (ImportRoleError)
    before anything is declared. Each job waits for the store, the role's policy and the settle
    wait after each change of it.
    """
    role = import_role(config) if config.imports else None
    store = declare_store(config)
    role_arn, ready = _access(config, role)
    jobs = {
        batch.name: VariantImportJob(
            batch.name,
            destination_name=store.name,
            role_arn=role_arn,
            items=list(batch.sources),
            **job_settings(config, batch),
            opts=pulumi.ResourceOptions(depends_on=[store, *ready]),
        )
        for batch in config.imports
    }
    used_arn = role_arn if jobs else None
    outputs = _outputs(store, role, used_arn, jobs)
    return DeclaredStack(config, store, role, used_arn, jobs, outputs)


def declare_store(config: StackConfig) -> VariantStore:
    """The variant store the stack names (storeName), with its protection and delete guard."""
    return VariantStore(
        "variant-store",
        name=config.store_name,
        reference_arn=config.reference_arn,
        description=config.store_description,
        adopt_existing=config.adopt_existing_store,
        force_destroy=config.force_destroy_store,
        opts=pulumi.ResourceOptions(protect=config.protect_store),
    )


def import_role(config: StackConfig) -> VariantImportRole | None:
    """The role reading every batch's files, unless the stack names an existing role."""
    if config.existing_role_arn:
        return None
    return VariantImportRole(
        "import-role",
        sources=list(config.sources),
        reference_arn=config.reference_arn,
        kms_key_arns=list(config.kms_key_arns),
        propagation_seconds=config.role_propagation_seconds,
    )


def _access(
    config: StackConfig, role: VariantImportRole | None
) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
    if role is not None:
        return role.arn, role.ready
    return str(config.existing_role_arn), []


def _outputs(
    store: VariantStore,
    role: VariantImportRole | None,
    role_arn: pulumi.Input[str] | None,
    jobs: Mapping[str, VariantImportJob],
) -> dict[str, Any]:
    return {
        "storeName": store.name,
        "storeArn": store.store_arn,
        "roleArn": role_arn,
        "roleGrantedPrefixes": role.granted_prefixes if role else [],
        "jobIds": {name: job.job_id for name, job in jobs.items()},
        "jobStatuses": {name: job.status for name, job in jobs.items()},
    }
