"""The stack program's table destination: a VariantTable and one VariantTableImport per batch."""

from __future__ import annotations

from typing import Any

import pulumi

from omics_provider import VariantTable, VariantTableImport
from omics_stack.config import StackConfig


def declare_table_imports(config: StackConfig) -> tuple[VariantTable, dict[str, Any]]:
    """The table of config.table and one import per batch, each after the table.

    The imports read the files with the deployment's own AWS credentials (no import role).
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
    return table, imports
