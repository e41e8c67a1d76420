"""`pulumi refresh` of a VariantTableImport through the real plugin: read tells the per-file
outcomes from the table's history (files others committed or removed since), and the next
update imports again a file whose rows were removed."""

from __future__ import annotations

import pytest

from omics_provider import VariantTableImportProvider, VariantTableProvider
from omics_provider.flows.variant_table import remove_batch_rows
from omics_provider.testing.plugin import DynamicProviderPlugin
from tests.support.tables import TABLE, VcfBucket, appends_by_source, reloaded, rows_by_source
from tests.support.vcf_files import cohort

IMPORTS = VariantTableImportProvider()


@pytest.mark.timeout(300)  # one plugin process importing PyIceberg and pyarrow
def test_read_refreshes_file_outcomes_from_the_table_history(
    moto_url: str, vcf_bucket: VcfBucket, catalog: dict[str, str]
) -> None:
    kept = vcf_bucket.put("kept.vcf", cohort(2, 10, seed=1))
    removed = vcf_bucket.put("removed.vcf", cohort(1, 10, seed=2))
    late = removed.replace("removed.vcf", "late.vcf")  # not in S3 yet: fails in batch-1
    env = {"AWS_ENDPOINT_URL_S3": moto_url, "AWS_DEFAULT_REGION": "us-east-1"}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    inputs = {
        "resourceName": "batch-1",
        "catalog": catalog,
        "table": TABLE,
        "sources": [kept, removed, late],
        "workers": 1,
    }
    with DynamicProviderPlugin(env=env) as plugin:
        plugin.create(
            VariantTableProvider(), {"resourceName": "t", "catalog": catalog, "table": TABLE}
        )
        import_id, out = plugin.create(IMPORTS, inputs)
        assert [f["status"] for f in out["files"]] == ["COMMITTED", "COMMITTED", "FAILED"]

        # others since: batch-2 commits the late file, someone removes batch-1's rows
        vcf_bucket.put("late.vcf", cohort(1, 5, seed=3))
        other = {**inputs, "resourceName": "batch-2", "sources": [late]}
        _, theirs = plugin.create(IMPORTS, other)
        remove_batch_rows(catalog, TABLE, "batch-1", [kept, removed])

        _, refreshed, stored_inputs = plugin.read(IMPORTS, import_id, out)
        files = {f["source"]: f for f in refreshed["files"]}
        assert files[kept]["status"] == files[removed]["status"] == "NOT_IN_TABLE"
        assert files[late]["status"] == "ALREADY_COMMITTED"
        assert files[late]["snapshotId"] == theirs["files"][0]["snapshotId"]
        assert files[late]["batch"] == "batch-2"
        assert refreshed["itemCounts"] == {"NOT_IN_TABLE": 2, "ALREADY_COMMITTED": 1}
        assert refreshed["failedItems"] == [] and refreshed["rows"] == 0
        assert stored_inputs["sources"] == inputs["sources"]

        # the next up sees the refreshed state differ and imports the removed files again, once
        diff = plugin.diff(IMPORTS, import_id, refreshed, inputs)
        assert diff.changes == "DIFF_SOME" and diff.replaces == []
        updated = plugin.update(IMPORTS, import_id, refreshed, inputs)

    assert [f["status"] for f in updated["files"]] == [
        "COMMITTED",
        "COMMITTED",
        "ALREADY_COMMITTED",
    ]
    table = reloaded(catalog)
    assert rows_by_source(table) == {kept: 20, removed: 10, late: 5}
    assert appends_by_source(table) == {kept: 2, removed: 2, late: 1}  # once more after removal


def test_read_keeps_outcomes_the_history_still_confirms(
    moto_url: str, vcf_bucket: VcfBucket, catalog: dict[str, str]
) -> None:
    source = vcf_bucket.put("a.vcf", cohort(1, 4, seed=7))
    env = {"AWS_ENDPOINT_URL_S3": moto_url, "AWS_DEFAULT_REGION": "us-east-1"}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    inputs = {"resourceName": "b", "catalog": catalog, "table": TABLE, "sources": [source]}
    with DynamicProviderPlugin(env=env) as plugin:
        plugin.create(
            VariantTableProvider(), {"resourceName": "t", "catalog": catalog, "table": TABLE}
        )
        import_id, out = plugin.create(IMPORTS, {**inputs, "workers": 1})
        _, refreshed, _ = plugin.read(IMPORTS, import_id, out)
        diff = plugin.diff(IMPORTS, import_id, refreshed, {**inputs, "workers": 1})

    assert {k: refreshed[k] for k in ("files", "itemCounts", "failedItems", "rows")} == {
        k: out[k] for k in ("files", "itemCounts", "failedItems", "rows")
    }
    assert diff.changes == "DIFF_NONE"
