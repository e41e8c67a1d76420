"""AnnotationStore at the protocol level: the real dynamic-provider plugin, driven over gRPC."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider import AnnotationStoreProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, ROLE_ARN, plugin_env
from tests.support.waiting import wait_until

OTHER_REFERENCE = REFERENCE_ARN.replace("/reference/1234567890", "/reference/222")
GENERIC_TSV = {"tsvStoreOptions": {"annotationType": "GENERIC"}}
PROVIDER = AnnotationStoreProvider()


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator(EmulatorSettings(store_seconds=0.2, job_seconds=0.3)) as handle:
        yield handle


@pytest.fixture(scope="module")
def plugin(emulator: EmulatorHandle) -> Iterator[DynamicProviderPlugin]:
    with DynamicProviderPlugin(env=plugin_env(emulator), config=FAST_POLL_CONFIG) as running:
        yield running


@pytest.fixture
def client(emulator: EmulatorHandle) -> Any:
    return make_omics_client(emulator.url)


def declared(name: str, **extra: Any) -> dict[str, Any]:
    """The inputs a program declares for a VCF annotation store called name."""
    return {
        "resourceName": name,
        "name": name,
        "storeFormat": "VCF",
        "referenceArn": REFERENCE_ARN,
        **extra,
    }


def created(plugin: DynamicProviderPlugin, name: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    """Check and create a store; return its id and outputs."""
    checked = plugin.check(PROVIDER, {}, declared(name, **extra))
    assert checked.failures == []
    return plugin.create(PROVIDER, checked.inputs)


def import_into(client: Any, store: str) -> None:
    """Run one annotation import into store's first version until it completes."""
    job_id = client.start_annotation_import_job(
        destinationName=store, roleArn=ROLE_ARN, items=[{"source": "s3://bucket-a/clinvar.vcf"}]
    )["jobId"]
    wait_until(
        lambda: client.get_annotation_import_job(jobId=job_id)["status"] == "COMPLETED",
        f"annotation import job {job_id} to complete",
    )


def store_names(client: Any) -> set[str]:
    return {s["name"] for s in client.list_annotation_stores()["annotationStores"]}


def test_create_waits_until_active(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(
        plugin,
        "created_notes",
        versionName="first_v",
        description="clinvar",
        tags={"team": "omics"},
    )

    live = client.get_annotation_store(name="created_notes")
    assert outputs["status"] == live["status"] == "ACTIVE"
    assert id_ == outputs["storeId"] == live["id"]
    assert outputs["storeArn"] == live["storeArn"] and ":annotationStore/" in live["storeArn"]
    assert (live["storeFormat"], live["tags"]) == ("VCF", {"team": "omics"})
    versions = client.list_annotation_store_versions(name="created_notes")
    assert [v["versionName"] for v in versions["annotationStoreVersions"]] == ["first_v"]
    assert plugin.printed("[AnnotationStore created_notes] store created_notes: ACTIVE")


def test_create_generic_tsv_store_needs_no_reference(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    inputs = {"storeFormat": "TSV", "storeOptions": GENERIC_TSV, "referenceArn": None}
    news = {k: v for k, v in declared("generic_notes", **inputs).items() if v is not None}
    checked = plugin.check(PROVIDER, {}, news)
    assert checked.failures == []

    id_, outputs = plugin.create(PROVIDER, checked.inputs)
    _, refreshed, live_inputs = plugin.read(PROVIDER, id_, outputs)

    live = client.get_annotation_store(name="generic_notes")
    assert live["storeOptions"] == GENERIC_TSV and "referenceArn" not in live.get("reference", {})
    assert "referenceArn" not in live_inputs and refreshed["storeOptions"] == GENERIC_TSV


def test_update_description_changes_store_in_place(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    id_, outputs = created(plugin, "described_notes", description="before")
    news = plugin.check(PROVIDER, outputs, declared("described_notes", description="after")).inputs

    diff = plugin.diff(PROVIDER, id_, outputs, news)
    updated = plugin.update(PROVIDER, id_, outputs, news)

    assert (diff.changes, diff.replaces) == ("DIFF_SOME", [])
    assert client.get_annotation_store(name="described_notes")["description"] == "after"
    assert updated["description"] == "after" and updated["storeId"] == id_


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"storeFormat": "GFF"}, ["storeFormat"]),
        ({"versionName": "second_v"}, ["versionName"]),
        ({"referenceArn": OTHER_REFERENCE}, ["referenceArn"]),
        ({"storeFormat": "TSV", "storeOptions": GENERIC_TSV}, ["storeFormat", "storeOptions"]),
    ],
)
def test_diff_replaces_when_store_identity_changes(
    plugin: DynamicProviderPlugin, change: dict[str, Any], replaces: list[str]
) -> None:
    outputs = {**declared("diffed_notes"), "storeId": "abc", "status": "ACTIVE"}

    diff = plugin.diff(PROVIDER, "abc", outputs, {**declared("diffed_notes"), **change})

    assert (diff.changes, sorted(diff.replaces)) == ("DIFF_SOME", sorted(replaces))
    assert diff.delete_before_replace is True


def test_read_reflects_live_store_after_an_import(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    id_, outputs = created(plugin, "refreshed_notes")
    import_into(client, "refreshed_notes")

    _, refreshed, _ = plugin.read(PROVIDER, id_, outputs)

    live = client.get_annotation_store(name="refreshed_notes")
    assert refreshed["storeSizeBytes"] == live["storeSizeBytes"] > 0


def test_read_drops_store_that_is_gone(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "vanished_notes")
    client.delete_annotation_store(name="vanished_notes")
    wait_gone(client, "vanished_notes")

    assert plugin.read(PROVIDER, id_, outputs)[:2] == ("", {})


def wait_gone(client: Any, name: str) -> None:
    wait_until(lambda: name not in store_names(client), f"annotation store {name} to be deleted")


def test_create_existing_store_fails_and_suggests_adopt_existing(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    client.create_annotation_store(
        name="taken_notes", storeFormat="VCF", reference={"referenceArn": REFERENCE_ARN}
    )

    with pytest.raises(PluginCallError) as failure:
        created(plugin, "taken_notes")

    assert "store taken_notes already exists" in failure.value.last_line
    assert "adoptExisting: true" in failure.value.last_line


def test_create_adopts_existing_store(plugin: DynamicProviderPlugin, client: Any) -> None:
    existing = client.create_annotation_store(
        name="adopted_notes", storeFormat="VCF", reference={"referenceArn": REFERENCE_ARN}
    )

    id_, outputs = created(plugin, "adopted_notes", adoptExisting=True, description="managed")

    assert id_ == existing["id"] and outputs["status"] == "ACTIVE"
    assert client.get_annotation_store(name="adopted_notes")["description"] == "managed"
    assert plugin.printed("adopted existing store adopted_notes")


@pytest.mark.parametrize(
    ("existing", "wrong"),
    [
        ({"storeFormat": "GFF", "reference": {"referenceArn": REFERENCE_ARN}}, "storeFormat"),
        ({"storeFormat": "VCF", "reference": {"referenceArn": OTHER_REFERENCE}}, "referenceArn"),
    ],
)
def test_create_refuses_to_adopt_store_of_other_format_or_reference(
    plugin: DynamicProviderPlugin, client: Any, existing: dict[str, Any], wrong: str
) -> None:
    name = f"mismatched_{wrong.lower()}"
    client.create_annotation_store(name=name, **existing)

    with pytest.raises(PluginCallError) as failure:
        created(plugin, name, adoptExisting=True)

    assert f"set {wrong} to the store's {wrong}" in failure.value.last_line


def test_delete_refused_while_store_holds_data(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "full_notes")
    import_into(client, "full_notes")

    with pytest.raises(PluginCallError) as failure:
        plugin.delete(PROVIDER, id_, outputs)

    assert "storeSizeBytes=" in failure.value.last_line
    assert "deletes those annotations for good" in failure.value.last_line
    assert client.get_annotation_store(name="full_notes")["status"] == "ACTIVE"


def test_delete_forced_removes_store_with_data(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "forced_notes", forceDestroy=True)
    import_into(client, "forced_notes")

    plugin.delete(PROVIDER, id_, outputs)

    assert "forced_notes" not in store_names(client)


def test_delete_empty_store_waits_until_gone(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "empty_notes")

    plugin.delete(PROVIDER, id_, outputs)
    plugin.delete(PROVIDER, id_, outputs)  # deleting again is fine: it is gone

    assert "empty_notes" not in store_names(client)


TSV = "storeOptions.tsvStoreOptions"


@pytest.mark.parametrize(
    ("change", "prop"),
    [
        ({"storeFormat": None}, "storeFormat"),
        ({"storeFormat": "BED"}, "storeFormat"),
        ({"name": "Bad-Name"}, "name"),
        ({"referenceArn": None}, "referenceArn"),
        ({"storeFormat": "TSV", "referenceArn": None}, "referenceArn"),
        ({"referenceArn": "not-an-arn"}, "referenceArn"),
        ({"versionName": "V1"}, "versionName"),
        ({"storeOptions": GENERIC_TSV}, "storeOptions"),
        ({"storeFormat": "TSV", "storeOptions": {"csvStoreOptions": {}}}, "storeOptions"),
        ({"storeFormat": "TSV", "storeOptions": {"tsvStoreOptions": {"sep": ","}}}, TSV),
        (
            {"storeFormat": "TSV", "storeOptions": {"tsvStoreOptions": {"annotationType": "X"}}},
            f"{TSV}.annotationType",
        ),
        (
            {
                "storeFormat": "TSV",
                "storeOptions": {"tsvStoreOptions": {"formatToHeader": {"CHROM": "chr"}}},
            },
            f"{TSV}.formatToHeader.CHROM",
        ),
        (
            {"storeFormat": "TSV", "storeOptions": {"tsvStoreOptions": {"schema": [{"a": "X"}]}}},
            f"{TSV}.schema[0].a",
        ),
        (
            {"storeFormat": "TSV", "storeOptions": {"tsvStoreOptions": {"schema": [{"A": "INT"}]}}},
            f"{TSV}.schema[0]",
        ),
        ({"sseConfig": {"type": "AES"}}, "sseConfig.type"),
        ({"tags": {"k": "v" * 257}}, "tags.k"),
        ({"forceDestroy": "yes"}, "forceDestroy"),
        ({"region": "Mars"}, "region"),
    ],
)
def test_check_rejects_bad_input_naming_property(
    plugin: DynamicProviderPlugin, emulator: EmulatorHandle, change: dict[str, Any], prop: str
) -> None:
    news = {k: v for k, v in {**declared("checked_notes"), **change}.items() if v is not None}
    requests_before = emulator.backend.request_count()

    failures = plugin.check(PROVIDER, {}, news).failures

    assert [p for p, _ in failures] == [prop]
    assert failures[0][1].startswith(f"{prop}:")
    assert emulator.backend.request_count() == requests_before
