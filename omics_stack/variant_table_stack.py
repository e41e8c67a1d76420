"""The table destination: an Iceberg VariantTable and one VariantTableImport per batch."""

from __future__ import annotations

from typing import Any

import pulumi

from omics_provider import VariantTable, VariantTableImport
from omics_stack.config import StackConfig
from omics_stack.declared import DeclaredStack
from omics_stack.variant_store_stack import declare_store


def declare_variant_table_stack(config: StackConfig) -> DeclaredStack:
    """Declare the table of config.table and one import per batch, each after the table.

    The imports read the files with the deployment's own AWS credentials (no import role). A
    variant store the stack still names (storeName) stays declared as it is, with its data, so
    that moving a stack to a table never deletes a store.
    """
    settings = dict(config.table or {})
    catalog = settings.get("catalog")
    table = VariantTable(
        "variant-table",
        table=str(settings["name"]),
        catalog=catalog,
        force_destroy=bool(settings.get("forceDestroy")),
    )
    imports = {
        batch.name: VariantTableImport(
            batch.name,
            table=table.table,
            sources=list(batch.sources),
            catalog=catalog,
            workers=settings.get("workers"),
            opts=pulumi.ResourceOptions(depends_on=[table]),
        )
        for batch in config.imports
    }
    outputs: dict[str, Any] = {}
    if config.store_name:
        store = declare_store(config)
        outputs.update(storeName=store.name, storeArn=store.store_arn)
    outputs.update(
        tableUuid=table.table_uuid,
        tableImports={name: each.item_counts for name, each in imports.items()},
    )
    return DeclaredStack(config, table, None, None, imports, outputs)
