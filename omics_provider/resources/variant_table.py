"""The VariantTable resource: an Apache Iceberg table of variants, created or adopted.

The flow (PyIceberg, pyarrow) is imported when a method needs it, not with this module: every
plugin start loads this module, and those libraries take seconds to import.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from omics_provider.core.properties import contains_unknown, pick
from omics_provider.core.validation import Checker
from omics_provider.resources.provider_base import OmicsProvider, alias_snake_case, reported
from omics_provider.resources.table_inputs import (
    catalog_identity,
    catalog_of,
    check_catalog,
    check_table,
    secret_catalog,
    with_secret_catalog,
)

INPUT_KEYS = ("resourceName", "catalog", "table", "forceDestroy")
OUTPUT_KEYS = ("tableUuid", "location", "snapshotId", "committedFiles", "created")


def normalize_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's inputs from props."""
    return pick(props, INPUT_KEYS)


def check_inputs(_olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """Validate offline: no catalog call."""
    inputs = normalize_inputs(news)
    checker = Checker()
    check_table(checker, inputs.get("table"))
    check_catalog(checker, inputs.get("catalog"))
    checker.boolean("forceDestroy", inputs.get("forceDestroy"))
    return CheckResult(inputs, checker.failures)


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """Another catalog or table name is another table (a replacement); new credentials for the
    same catalog and forceDestroy are updated in state."""
    old, new = normalize_inputs(olds), normalize_inputs(news)
    replaces = [
        key
        for key, same in (
            ("table", old.get("table") == new.get("table")),
            ("catalog", catalog_identity(old) == catalog_identity(new)),
        )
        if contains_unknown(new.get(key)) or not same
    ]
    updates = catalog_of(old) != catalog_of(new) or bool(old.get("forceDestroy")) != bool(
        new.get("forceDestroy")
    )
    return DiffResult(changes=bool(replaces) or updates, replaces=replaces)


def _flow() -> ModuleType:
    from omics_provider.flows import variant_table

    return variant_table


class VariantTableProvider(OmicsProvider):
    """Creates or adopts, refreshes and drops an Iceberg variant table.

    Pickled by reference under the stable path `omics_provider.variant_table.VariantTableProvider`.
    """

    __module__ = "omics_provider.variant_table"

    kind = "VariantTable"
    check_inputs = staticmethod(check_inputs)
    diff_inputs = staticmethod(diff_inputs)

    @reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the table with the variant schema and partitioning, or adopt an existing one
        that has every variant column. If this fails, no table was created."""
        inputs = normalize_inputs(props)
        table, created = _flow().create_or_adopt(catalog_of(inputs), str(inputs["table"]))
        outputs = {**inputs, **_flow().describe(table), "created": created}
        return CreateResult(outputs["tableUuid"], outputs)

    @reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The table as the catalog has it now; gone (an empty id) when it was dropped."""
        inputs = normalize_inputs(props)
        table = _flow().find(catalog_of(inputs), str(inputs["table"]))
        if table is None:
            return ReadResult(None, {})
        return ReadResult(id_, {**props, **_flow().describe(table)}, inputs)

    @reported
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Credentials and forceDestroy live in state only: the full outputs, no catalog call."""
        return UpdateResult({**pick(olds, OUTPUT_KEYS), **normalize_inputs(news)})

    @reported
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Drop the table (its files purged); one holding imported files only with forceDestroy."""
        inputs = normalize_inputs(props)
        _flow().drop(catalog_of(inputs), str(inputs["table"]), inputs.get("forceDestroy") is True)


class VariantTable(pulumi.dynamic.Resource, module="omics", name="VariantTable"):
    """An Iceberg table of variants in any PyIceberg catalog (S3 Tables, Glue, REST, SQL)."""

    catalog: pulumi.Output[Mapping[str, str]]
    table: pulumi.Output[str]
    table_uuid: pulumi.Output[str]
    location: pulumi.Output[str]
    snapshot_id: pulumi.Output[int]
    committed_files: pulumi.Output[int]
    created: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        table: pulumi.Input[str],
        catalog: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        force_destroy: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "resourceName": resource_name,
            "catalog": secret_catalog(catalog),
            "table": table,
            "forceDestroy": force_destroy,
            **dict.fromkeys(OUTPUT_KEYS),
        }
        super().__init__(VariantTableProvider(), resource_name, props, with_secret_catalog(opts))
        alias_snake_case(self, [key for key in props if key != "resourceName"])
