"""The stack program: a variant store, the import role, and one import job per batch."""

# New files arrive as a new batch in `imports` (`omics-variant-import plan` writes it, its files
# in a manifest): each batch is its own VariantImportJob, imported once, so nothing already
# imported is imported again, and no file may belong to two batches.

from __future__ import annotations

from pathlib import Path

import pulumi

from omics_provider import VariantImportJob, VariantImportRole, VariantStore
from omics_provider.aws.clients import CONFIG_NAMESPACE
from omics_stack.config import StackConfig, parse_stack_config
from omics_stack.engine_config import read_config
from omics_stack.table_program import declare_table_imports


def import_role(config: StackConfig) -> VariantImportRole | None:
    """The role reading every batch's files, unless the stack names an existing role."""
    if config.existing_role_arn:
        return None
    return VariantImportRole(
        "import-role",
        sources=list(config.sources),
        reference_arn=config.reference_arn,
        propagation_seconds=config.role_propagation_seconds,
    )


def declare_jobs(
    config: StackConfig, store: VariantStore, role: VariantImportRole | None
) -> tuple[pulumi.Input[str] | None, dict[str, VariantImportJob]]:
    """The role ARN and one VariantImportJob per batch; each job waits for the store and role.

    A job waits for the role's policy and for the settle wait after each change of it.
    """
    if not config.imports:
        return None, {}
    role_arn, role_ready = (role.arn, role.ready) if role else (str(config.existing_role_arn), [])
    jobs = {
        batch.name: VariantImportJob(
            batch.name,
            destination_name=store.name,
            role_arn=role_arn,
            items=list(batch.sources),
            run_left_normalization=batch.run_left_normalization,
            annotation_fields=batch.annotation_fields,
            wait_for_completion=config.wait_for_completion,
            timeout_seconds=config.timeout_seconds,
            allow_reimport=batch.allow_reimport,
            opts=pulumi.ResourceOptions(depends_on=[store, *role_ready]),
        )
        for batch in config.imports
    }
    return role_arn, jobs


# Manifest paths are relative to the project folder: this file's, next to Pulumi.yaml.
project_dir = Path(__file__).resolve().parent
config = parse_stack_config(read_config(pulumi.Config(CONFIG_NAMESPACE)), project_dir)

if config.destination == "table":
    # The batches go to an Iceberg table; a store still named is kept as it is, with its data.
    table, table_imports = declare_table_imports(config)
    pulumi.export("tableUuid", table.table_uuid)
    pulumi.export("tableImports", {name: i.item_counts for name, i in table_imports.items()})

# The role first: a policy that cannot be granted fails the program before anything is declared.
role = import_role(config) if config.imports and config.destination == "store" else None

store = (
    None
    if not config.store_name
    else VariantStore(
        "variant-store",
        name=config.store_name,
        reference_arn=config.reference_arn,
        description=config.store_description,
        adopt_existing=config.adopt_existing_store,
        force_destroy=config.force_destroy_store,
        opts=pulumi.ResourceOptions(protect=config.protect_store),
    )
)

role_arn, jobs = (
    declare_jobs(config, store, role)
    if store is not None and config.destination == "store"
    else (None, {})
)

if store is not None:
    pulumi.export("storeName", store.name)
    pulumi.export("storeArn", store.store_arn)
pulumi.export("roleArn", role_arn)
pulumi.export("roleGrantedPrefixes", role.granted_prefixes if role else [])
pulumi.export("jobIds", {name: job.job_id for name, job in jobs.items()})
pulumi.export("jobStatuses", {name: job.status for name, job in jobs.items()})
