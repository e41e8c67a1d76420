"""VariantTable and VariantTableImport through the real plugin over gRPC, as the engine calls
them: create, check, diff, delete, secrets kept out of messages, three plugins racing."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from omics_provider import VariantTableImportProvider, VariantTableProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.tables import TABLE, VcfBucket, appends_by_source, reloaded, rows_by_source
from tests.support.vcf_files import cohort

TABLE_PROVIDER = VariantTableProvider()
IMPORT_PROVIDER = VariantTableImportProvider()
SECRET = "canary-SECRET-never-in-messages-9f3a"


def plugin_env(moto_url: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL_S3": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


@pytest.fixture(scope="module")
def table_plugin(moto_url: str) -> Iterator[DynamicProviderPlugin]:
    """One plugin for the module's tests (each uses its own catalog and bucket)."""
    with DynamicProviderPlugin(env=plugin_env(moto_url)) as plugin:
        yield plugin


def table_inputs(catalog: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"resourceName": "variants", "catalog": catalog, "table": TABLE, **extra}


def import_inputs(catalog: dict[str, str], sources: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "resourceName": "batch-1",
        "catalog": catalog,
        "table": TABLE,
        "sources": sources,
        "workers": 1,
        **extra,
    }


def test_providers_pickle_by_reference_from_their_stable_paths() -> None:
    for provider, path in [
        (TABLE_PROVIDER, b"omics_provider.variant_table"),
        (IMPORT_PROVIDER, b"omics_provider.variant_table_import"),
    ]:
        serialized = serialize_provider(provider)
        assert len(serialized) < 300
        assert path in __import__("base64").b64decode(serialized)


def test_create_table_then_import_a_batch_through_the_plugin(
    table_plugin: DynamicProviderPlugin, vcf_bucket: VcfBucket, catalog: dict[str, str]
) -> None:
    table_id, table_out = table_plugin.create(TABLE_PROVIDER, table_inputs(catalog))
    assert table_out["created"] is True and table_out["table"] == TABLE
    assert table_out["catalog"] == catalog  # outputs carry the inputs
    sources = [
        vcf_bucket.put("a.vcf.gz", cohort(3, 25, seed=1), "bgzf"),
        vcf_bucket.put("b.vcf", cohort(2, 25, seed=2)),
        vcf_bucket.put("broken.vcf", b"not a vcf\n"),
    ]
    import_id, out = table_plugin.create(IMPORT_PROVIDER, import_inputs(catalog, sources))
    assert import_id == f"{TABLE}/batch-1"
    assert [f["status"] for f in out["files"]] == ["COMMITTED", "COMMITTED", "FAILED"]
    assert out["itemCounts"] == {"COMMITTED": 2, "FAILED": 1}
    assert out["rows"] == 75 + 50
    [failed] = out["failedItems"]
    assert failed["source"] == sources[2] and "is not a readable VCF" in failed["statusMessage"]
    assert rows_by_source(reloaded(catalog)) == {sources[0]: 75, sources[1]: 50}
    assert table_plugin.printed("3/3 files done")

    # the same create again (a run that crashed before recording it) commits nothing new
    _, again = table_plugin.create(IMPORT_PROVIDER, import_inputs(catalog, sources[:2]))
    assert [f["snapshotId"] for f in again["files"]] == [f["snapshotId"] for f in out["files"][:2]]
    assert appends_by_source(reloaded(catalog)) == dict.fromkeys(sources[:2], 1)

    # adopting the table, then deleting it: refused while it holds files, unless forced
    _, adopted = table_plugin.create(TABLE_PROVIDER, table_inputs(catalog))
    assert adopted["created"] is False and adopted["tableUuid"] == table_id
    with pytest.raises(PluginCallError) as refused:
        table_plugin.delete(TABLE_PROVIDER, table_id, table_out)
    assert "holds 2 imported files" in refused.value.last_line
    table_plugin.delete(TABLE_PROVIDER, table_id, {**table_out, "forceDestroy": True})
    assert table_plugin.read(TABLE_PROVIDER, table_id, table_out)[0] == ""


def test_delete_keeps_rows_unless_delete_rows_on_destroy(
    table_plugin: DynamicProviderPlugin, vcf_bucket: VcfBucket, catalog: dict[str, str]
) -> None:
    table_plugin.create(TABLE_PROVIDER, table_inputs(catalog))
    kept = [vcf_bucket.put("kept.vcf", cohort(1, 10))]
    removed = [vcf_bucket.put("removed.vcf", cohort(1, 10, seed=5))]
    kept_id, kept_out = table_plugin.create(IMPORT_PROVIDER, import_inputs(catalog, kept))
    gone_inputs = import_inputs(catalog, removed, resourceName="batch-2", deleteRowsOnDestroy=True)
    gone_id, gone_out = table_plugin.create(IMPORT_PROVIDER, gone_inputs)
    table_plugin.delete(IMPORT_PROVIDER, kept_id, kept_out)
    table_plugin.delete(IMPORT_PROVIDER, gone_id, gone_out)
    assert rows_by_source(reloaded(catalog)) == {kept[0]: 10}


BAD_IMPORTS = [
    ({"table": "Genomics.Variants"}, "table", "lower-case letters"),
    ({"table": "variants"}, "table", "namespace.name"),
    ({"sources": []}, "sources", "non-empty list"),
    ({"sources": ["https://bucket/a.vcf"]}, "sources[0]", "s3://bucket/key"),
    ({"sources": ["s3://bkt/a.vcf", "s3://bkt/a.vcf"]}, "sources[1]", "listed twice"),
    ({"workers": 0}, "workers", "use 1 to 256"),
    ({"catalog": "sqlite:///x.db"}, "catalog", "non-empty map"),
    ({"deleteRowsOnDestroy": "yes"}, "deleteRowsOnDestroy", "true or false"),
]


@pytest.mark.parametrize(("change", "prop", "hint"), BAD_IMPORTS, ids=[b[1] for b in BAD_IMPORTS])
def test_check_names_a_bad_import_input_and_a_valid_form(
    table_plugin: DynamicProviderPlugin,
    catalog: dict[str, str],
    change: dict[str, Any],
    prop: str,
    hint: str,
) -> None:
    news = {**import_inputs(catalog, ["s3://bucket/a.vcf"]), **change}
    outcome = table_plugin.check(IMPORT_PROVIDER, {}, news)
    assert [p for p, _ in outcome.failures] == [prop]
    assert hint in outcome.failures[0][1]


def test_diff_replaces_on_another_table_or_batch_but_not_on_new_credentials(
    table_plugin: DynamicProviderPlugin, catalog: dict[str, str]
) -> None:
    old = import_inputs({**catalog, "s3.secret-access-key": "old"}, ["s3://b/a.vcf"])
    rotated = {**old, "catalog": {**catalog, "s3.secret-access-key": "new"}}
    assert table_plugin.diff(IMPORT_PROVIDER, "id", old, rotated).replaces == []
    assert table_plugin.diff(IMPORT_PROVIDER, "id", old, {**old, "batch": "b2"}).replaces == [
        "batch"
    ]
    added = {**old, "sources": ["s3://b/a.vcf", "s3://b/b.vcf"]}
    assert table_plugin.diff(IMPORT_PROVIDER, "id", old, added).changes == "DIFF_SOME"
    assert table_plugin.diff(IMPORT_PROVIDER, "id", old, added).replaces == []


def test_catalog_credentials_never_reach_an_error_message(
    table_plugin: DynamicProviderPlugin, tmp_path: Any
) -> None:
    catalog = {
        "type": "rest",
        "uri": "http://127.0.0.1:9/iceberg",
        "credential": f"client:{SECRET}",
        "s3.secret-access-key": SECRET,
    }
    with pytest.raises(PluginCallError) as failed:
        table_plugin.create(TABLE_PROVIDER, table_inputs(catalog))
    assert SECRET not in failed.value.details
    assert SECRET not in table_plugin.stderr_text()
    check = table_plugin.check(TABLE_PROVIDER, {}, table_inputs({**catalog, "token": [SECRET]}))
    assert [p for p, _ in check.failures] == ["catalog.token"]
    assert SECRET not in str(check.failures)


ROUNDS = 4


@pytest.mark.timeout(300)  # several plugin processes, each importing PyIceberg and pyarrow
def test_three_plugins_racing_on_one_batch_commit_each_file_once(
    moto_url: str, vcf_bucket: VcfBucket, catalog: dict[str, str]
) -> None:
    env = plugin_env(moto_url)
    with (
        DynamicProviderPlugin(env=env) as first,
        DynamicProviderPlugin(env=env) as second,
        DynamicProviderPlugin(env=env) as third,
        ThreadPoolExecutor(3) as runs,
    ):
        first.create(TABLE_PROVIDER, table_inputs(catalog))
        for round_ in range(ROUNDS):
            sources = [
                vcf_bucket.put(f"r{round_}/f{i}.vcf", cohort(2, 20, seed=round_ * 10 + i))
                for i in range(3)
            ]
            inputs = import_inputs(catalog, sources, resourceName=f"batch-{round_}")
            creates = [
                runs.submit(p.create, IMPORT_PROVIDER, inputs) for p in (first, second, third)
            ]
            results = [c.result(120)[1] for c in creates]
            snapshots = {tuple(f["snapshotId"] for f in r["files"]) for r in results}
            assert len(snapshots) == 1, "the three runs report different commits"
            current = reloaded(catalog)
            assert {s: appends_by_source(current)[s] for s in sources} == dict.fromkeys(sources, 1)
            assert {s: rows_by_source(current)[s] for s in sources} == dict.fromkeys(sources, 40)
