"""The table destination: an Iceberg VariantTable and one VariantTableImport per batch."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from omics_provider import VariantTable, VariantTableImport
from omics_provider.surface import s3_tables_catalog
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
    name = str(settings["name"])
    catalog: Any = settings.get("catalog")
    after: list[pulumi.Resource] = []
    if bucket_name := settings.get("tableBucket"):
        catalog, namespace = _table_bucket(str(bucket_name), name.split(".")[0])
        after.append(namespace)
    table = VariantTable(
        "variant-table",
        table=name,
        catalog=catalog,
        force_destroy=bool(settings.get("forceDestroy")),
        opts=pulumi.ResourceOptions(depends_on=after),
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


def _table_bucket(
    bucket_name: str, namespace: str
) -> tuple[pulumi.Output[dict[str, str]], aws.s3tables.Namespace]:
    """Declare the S3 table bucket and the table's namespace in it; the catalog properties of
    its Iceberg REST endpoint (SigV4, the bucket's ARN as warehouse, the region its ARN names).

    The bucket keeps its tables when the stack is destroyed (no force_destroy): the rows outlive
    the stack unless the team deletes them.
    """
    bucket = aws.s3tables.TableBucket("table-bucket", name=bucket_name)
    space = aws.s3tables.Namespace(
        "table-namespace", namespace=namespace, table_bucket_arn=bucket.arn
    )
    catalog = bucket.arn.apply(lambda arn: s3_tables_catalog(arn, arn.split(":")[3]))
    return catalog, space
