"""What happens to a variant table: create or adopt, describe, drop; and a batch's rows removed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pyiceberg.exceptions import NoSuchTableError, TableAlreadyExistsError
from pyiceberg.expressions import And
from pyiceberg.table import Table
from pyiceberg.table.name_mapping import create_mapping_from_schema

from omics_provider.aws.iceberg_catalog import open_catalog
from omics_provider.core.errors import ProviderError
from omics_provider.core.variant_schema import (
    SUMMARY_REMOVED_BATCH,
    VARIANT_PARTITIONING,
    VARIANT_SCHEMA,
)
from omics_provider.flows.table_ledger import EQUAL_TO, IS_IN, committed_files

NAME_MAPPING = "schema.name-mapping.default"
SINGLE_ATTEMPT = {"commit.retry.num-retries": "0"}
"""PyIceberg would rebase a conflicting append onto the winner's snapshot and commit it: the
import must instead re-read the ledger and decide again, so its tables never retry by themselves."""


def create_or_adopt(catalog: Mapping[str, str] | None, identifier: str) -> tuple[Table, bool]:
    """The table (created with the variant schema and partitioning if missing), and whether it
    was created; an existing table lacking a variant column is refused, naming the columns."""
    opened = open_catalog(catalog)
    namespace = identifier.rsplit(".", 1)[0]
    opened.create_namespace_if_not_exists(namespace)
    try:
        mapping = create_mapping_from_schema(VARIANT_SCHEMA).model_dump_json()
        table = opened.create_table(
            identifier,
            VARIANT_SCHEMA,
            partition_spec=VARIANT_PARTITIONING,
            properties={NAME_MAPPING: mapping, "format-version": "2", **SINGLE_ATTEMPT},
        )
        return table, True
    except TableAlreadyExistsError:
        table = opened.load_table(identifier)
    missing = sorted(
        {f.name for f in VARIANT_SCHEMA.fields} - {f.name for f in table.schema().fields}
    )
    if missing:
        raise ProviderError(
            f"table {identifier} exists without the variant columns {', '.join(missing)}: name a "
            "new table, or one this provider created"
        )
    if not commits_once(table):
        with table.transaction() as transaction:
            transaction.set_properties(SINGLE_ATTEMPT)
    return table, False


def commits_once(table: Table) -> bool:
    """True when PyIceberg will not retry a conflicting commit of table by itself."""
    return all(table.properties.get(k) == v for k, v in SINGLE_ATTEMPT.items())


def find(catalog: Mapping[str, str] | None, identifier: str) -> Table | None:
    """The table, or None when the catalog no longer has it."""
    try:
        return open_catalog(catalog).load_table(identifier)
    except NoSuchTableError:
        return None


def describe(table: Table) -> dict[str, Any]:
    """The VariantTable outputs describing table."""
    current = table.current_snapshot()
    return {
        "tableUuid": str(table.metadata.table_uuid),
        "location": table.location(),
        "snapshotId": current.snapshot_id if current else 0,
        "committedFiles": len(committed_files(table)),
    }


def drop(catalog: Mapping[str, str] | None, identifier: str, force: bool) -> None:
    """Drop the table; one holding committed files only with force (its rows would go)."""
    table = find(catalog, identifier)
    if table is None:
        return
    held = len(committed_files(table))
    if (held or table.scan(limit=1).to_arrow().num_rows) and not force:
        raise ProviderError(
            f"table {identifier} holds {held} imported files: deleting it deletes their rows. "
            "Set forceDestroy: true and run `pulumi up` first, or remove the resource from the "
            "state (pulumi state delete) to keep the table"
        )
    open_catalog(catalog).purge_table(identifier)


def remove_batch_rows(
    catalog: Mapping[str, str] | None, identifier: str, batch: str, sources: Sequence[str]
) -> int:
    """Delete exactly the rows `batch` committed from `sources` (their provenance columns say
    so); the number of files whose rows went. The delete's summary names the batch, so the
    ledger forgets them."""
    table = find(catalog, identifier)
    if table is None:
        return 0
    rows = And(EQUAL_TO("batch", batch), IS_IN("sourcefile", list(sources)))
    mine = set(
        table.scan(row_filter=rows, selected_fields=("sourcefile",)).to_arrow()[0].to_pylist()
    )
    if not mine:
        return 0
    table.delete(rows, snapshot_properties={SUMMARY_REMOVED_BATCH: batch})
    return len(mine)
