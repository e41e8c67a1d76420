"""The table destination through several deployments (the mini-engine, the real plugin): up, the
same up again, a batch added, a batch renamed, destroy; after each, every file committed once."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest

from omics_provider import VariantTable, VariantTableImport
from omics_provider.aws.iceberg_catalog import open_catalog
from tests.support.engine import MiniEngine
from tests.support.tables import TABLE, VcfBucket, appends_by_source, reloaded, rows_by_source
from tests.support.vcf_files import cohort

NAMESPACE = "omics-variant-import"


def table_program() -> None:
    """A stack program whose batches go to a variant table (keys: tableCatalog, imports)."""
    config = pulumi.Config(NAMESPACE)
    catalog = config.require_object("tableCatalog")
    table = VariantTable("variant-table", table=TABLE, catalog=catalog, force_destroy=True)
    for batch in config.require_object("imports"):
        VariantTableImport(
            batch["name"],
            table=table.table,
            sources=batch["sources"],
            catalog=catalog,
            workers=1,
            opts=pulumi.ResourceOptions(depends_on=[table]),
        )


@pytest.mark.timeout(900)  # several plugin processes, each importing PyIceberg and pyarrow
def test_table_lifecycle_commits_every_file_once_across_deployments(
    moto_url: str, vcf_bucket: VcfBucket, catalog: dict[str, str]
) -> None:
    files = {
        name: [
            vcf_bucket.put(f"{name}/{i}.vcf.gz", cohort(2, 15, seed=n * 3 + i), "bgzf")
            for i in range(2)
        ]
        for n, name in enumerate(["batch-1", "batch-2"])
    }
    env = {
        "AWS_ENDPOINT_URL_S3": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    engine = MiniEngine(table_program, env)

    def config(**batches: list[str]) -> dict[str, Any]:
        imports = [{"name": name, "sources": sources} for name, sources in batches.items()]
        return {f"{NAMESPACE}:tableCatalog": catalog, f"{NAMESPACE}:imports": imports}

    def assert_each_file_once(*sources: str) -> None:
        current = reloaded(catalog)
        assert appends_by_source(current) == dict.fromkeys(sources, 1)
        assert rows_by_source(current) == dict.fromkeys(sources, 30)

    # (1) up: the table and one import, each file one commit
    first = engine.up(config(**{"batch-1": files["batch-1"]}))
    assert set(first.names("create")) >= {"variant-table", "batch-1"}
    assert engine.resource("batch-1").outputs["itemCounts"] == {"COMMITTED": 2}
    assert_each_file_once(*files["batch-1"])

    # (2) the same up: nothing changes, nothing committed
    state = copy.deepcopy(engine.state)
    again = engine.up(config(**{"batch-1": files["batch-1"]}))
    assert again.changes == {}
    assert engine.state == state
    assert_each_file_once(*files["batch-1"])

    # (3) a batch added: one new import, its files committed once
    added = engine.up(config(**{"batch-1": files["batch-1"], "batch-2": files["batch-2"]}))
    assert added.changes == {"create": ["batch-2"]}
    assert_each_file_once(*files["batch-1"], *files["batch-2"])

    # (4) a batch renamed: the new name finds its files committed, the old one goes, rows stay
    renamed = engine.up(config(**{"batch-1": files["batch-1"], "batch-2b": files["batch-2"]}))
    assert renamed.changes == {"create": ["batch-2b"], "delete": ["batch-2"]}
    assert engine.resource("batch-2b").outputs["itemCounts"] == {"ALREADY_COMMITTED": 2}
    assert_each_file_once(*files["batch-1"], *files["batch-2"])

    # (5) destroy: imports deleted (their rows kept), then the table (forceDestroy)
    destroyed = engine.destroy(
        config(**{"batch-1": files["batch-1"], "batch-2b": files["batch-2"]})
    )
    deleted = destroyed.names("delete")
    assert deleted.index("variant-table") > max(deleted.index("batch-1"), deleted.index("batch-2b"))
    assert engine.state == []
    assert not open_catalog(catalog).table_exists(TABLE)
