"""AnnotationStoreVersion at the protocol level: the real dynamic-provider plugin over gRPC."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider import AnnotationStoreVersionProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, ROLE_ARN, plugin_env

STORE = "versioned_notes"
PROVIDER = AnnotationStoreVersionProvider()
TSV_OPTIONS = {"tsvVersionOptions": {"annotationType": "CHR_POS"}}


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator(EmulatorSettings(store_seconds=0.2, job_seconds=0.3)) as handle:
        client = make_omics_client(handle.url)
        client.create_annotation_store(
            name=STORE, storeFormat="GFF", reference={"referenceArn": REFERENCE_ARN}
        )
        wait_for(lambda: client.get_annotation_store(name=STORE)["status"] == "ACTIVE")
        yield handle


@pytest.fixture(scope="module")
def plugin(emulator: EmulatorHandle) -> Iterator[DynamicProviderPlugin]:
    with DynamicProviderPlugin(env=plugin_env(emulator), config=FAST_POLL_CONFIG) as running:
        yield running


@pytest.fixture
def client(emulator: EmulatorHandle) -> Any:
    return make_omics_client(emulator.url)


def wait_for(condition: Any) -> None:
    for _ in range(200):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition never held")


def declared(version: str, **extra: Any) -> dict[str, Any]:
    """The inputs a program declares for version of STORE."""
    return {"resourceName": version, "storeName": STORE, "versionName": version, **extra}


def created(plugin: DynamicProviderPlugin, version: str, **extra: Any) -> tuple[str, Any]:
    checked = plugin.check(PROVIDER, {}, declared(version, **extra))
    assert checked.failures == []
    return plugin.create(PROVIDER, checked.inputs)


def versions(client: Any) -> set[str]:
    listed = client.list_annotation_store_versions(name=STORE)["annotationStoreVersions"]
    return {v["versionName"] for v in listed}


def import_into(client: Any, version: str) -> None:
    job_id = client.start_annotation_import_job(
        destinationName=STORE,
        versionName=version,
        roleArn=ROLE_ARN,
        items=[{"source": "s3://bucket-a/genes.gff3"}],
    )["jobId"]
    wait_for(lambda: client.get_annotation_import_job(jobId=job_id)["status"] == "COMPLETED")


def test_create_waits_until_active(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "release_1", description="first", tags={"team": "omics"})

    live = client.get_annotation_store_version(name=STORE, versionName="release_1")
    assert id_ == outputs["versionId"] == live["id"]
    assert outputs["status"] == live["status"] == "ACTIVE"
    assert outputs["versionArn"] == live["versionArn"] and outputs["versionSizeBytes"] == 0
    assert (live["description"], live["tags"]) == ("first", {"team": "omics"})
    assert plugin.printed("version release_1 of store versioned_notes: ACTIVE")


def test_update_description_changes_version_in_place(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    id_, outputs = created(plugin, "release_2", description="before")
    news = plugin.check(PROVIDER, outputs, declared("release_2", description="after")).inputs

    assert plugin.diff(PROVIDER, id_, outputs, news).replaces == []
    updated = plugin.update(PROVIDER, id_, outputs, news)

    live = client.get_annotation_store_version(name=STORE, versionName="release_2")
    assert live["description"] == updated["description"] == "after"
    assert updated["versionId"] == id_


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"versionName": "other"}, ["versionName"]),
        ({"storeName": "other_store"}, ["storeName"]),
        ({"versionOptions": TSV_OPTIONS}, ["versionOptions"]),
        ({"tags": {"k": "v"}}, ["tags"]),
    ],
)
def test_diff_replaces_when_version_identity_changes(
    plugin: DynamicProviderPlugin, change: dict[str, Any], replaces: list[str]
) -> None:
    outputs = {**declared("diffed"), "versionId": "abc", "status": "ACTIVE"}

    diff = plugin.diff(PROVIDER, "abc", outputs, {**declared("diffed"), **change})

    assert (diff.changes, diff.replaces) == ("DIFF_SOME", replaces)


def test_create_existing_version_fails_then_adopts_it(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    existing = client.create_annotation_store_version(name=STORE, versionName="taken")

    with pytest.raises(PluginCallError) as failure:
        created(plugin, "taken")
    id_, outputs = created(plugin, "taken", adoptExisting=True)

    assert "version taken of store versioned_notes already exists" in failure.value.last_line
    assert "adoptExisting: true" in failure.value.last_line
    assert id_ == existing["id"] and outputs["status"] == "ACTIVE"


def test_create_version_options_in_a_gff_store_fails_with_the_service_reason(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    with pytest.raises(PluginCallError) as failure:
        created(plugin, "tsv_options", versionOptions=TSV_OPTIONS)

    assert "versionOptions apply to TSV stores only" in failure.value.last_line
    assert "tsv_options" not in versions(client)


def test_read_drops_version_that_is_gone(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "vanished")
    client.delete_annotation_store_versions(name=STORE, versions=["vanished"])
    wait_for(lambda: "vanished" not in versions(client))

    assert plugin.read(PROVIDER, id_, outputs)[:2] == ("", {})


def test_delete_refused_while_version_holds_data(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    id_, outputs = created(plugin, "filled")
    import_into(client, "filled")

    with pytest.raises(PluginCallError) as failure:
        plugin.delete(PROVIDER, id_, outputs)

    assert "version filled of store versioned_notes holds imported data" in (
        failure.value.last_line
    )
    assert "versionSizeBytes=" in failure.value.last_line
    assert "filled" in versions(client)


def test_delete_forced_removes_version_with_data(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    id_, outputs = created(plugin, "forced", forceDestroy=True)
    import_into(client, "forced")

    plugin.delete(PROVIDER, id_, outputs)
    plugin.delete(PROVIDER, id_, outputs)  # deleting again is fine: it is gone

    assert "forced" not in versions(client)
    assert client.get_annotation_store(name=STORE)["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("change", "prop"),
    [
        ({"storeName": None}, "storeName"),
        ({"storeName": "Bad-Store"}, "storeName"),
        ({"versionName": None}, "versionName"),
        ({"versionName": "v1"}, "versionName"),
        ({"versionOptions": {"tsvStoreOptions": {}}}, "versionOptions"),
        (
            {"versionOptions": {"tsvVersionOptions": {"annotationType": "X"}}},
            "versionOptions.tsvVersionOptions.annotationType",
        ),
        ({"description": "x" * 501}, "description"),
        ({"forceDestroy": "yes"}, "forceDestroy"),
        ({"region": "Mars"}, "region"),
    ],
)
def test_check_rejects_bad_input_naming_property(
    plugin: DynamicProviderPlugin, emulator: EmulatorHandle, change: dict[str, Any], prop: str
) -> None:
    news = {k: v for k, v in {**declared("checked"), **change}.items() if v is not None}
    requests_before = emulator.backend.request_count()

    failures = plugin.check(PROVIDER, {}, news).failures

    assert [p for p, _ in failures] == [prop]
    assert failures[0][1].startswith(f"{prop}:")
    assert emulator.backend.request_count() == requests_before


def test_delete_refused_by_the_service_names_its_reason_and_keeps_the_version(
    plugin: DynamicProviderPlugin, emulator: EmulatorHandle, client: Any
) -> None:
    id_, outputs = created(plugin, "busy")
    emulator.backend.settings.job_seconds = 30.0
    job_id = client.start_annotation_import_job(
        destinationName=STORE,
        versionName="busy",
        roleArn=ROLE_ARN,
        items=[{"source": "s3://bucket-a/genes.gff3"}],
    )["jobId"]
    try:
        with pytest.raises(PluginCallError) as failure:
            plugin.delete(PROVIDER, id_, outputs)
    finally:
        emulator.backend.settings.job_seconds = 0.3
        client.cancel_annotation_import_job(jobId=job_id)

    assert (
        "AnnotationStoreVersion busy: DeleteAnnotationStoreVersions failed (refused version busy "
        "of store versioned_notes: "
    ) in failure.value.last_line
    assert f"has running import jobs ({job_id})" in failure.value.last_line
    assert "busy" in versions(client)
