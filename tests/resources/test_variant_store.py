"""VariantStore at the protocol level: the real dynamic-provider plugin, driven over gRPC."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider import VariantStoreProvider
from omics_provider.testing.plugin import DynamicProviderPlugin, PluginCallError
from tests.support.waiting import wait_until

REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
OTHER_REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/222"
ROLE = "arn:aws:iam::123456789012:role/omics-import"
PROVIDER = VariantStoreProvider()


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator(EmulatorSettings(store_seconds=0.2, job_seconds=0.3)) as handle:
        yield handle


@pytest.fixture(scope="module")
def plugin(emulator: EmulatorHandle) -> Iterator[DynamicProviderPlugin]:
    config = {
        "aws:region": "us-east-1",
        "omics-variant-import:omicsEndpoint": emulator.url,
        "omics-variant-import:pollInitialSeconds": "0.05",
        "omics-variant-import:pollMaxSeconds": "0.2",
    }
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    with DynamicProviderPlugin(env=env, config=config) as running:
        yield running


@pytest.fixture
def client(emulator: EmulatorHandle) -> Any:
    return make_omics_client(emulator.url)


def declared(name: str, **extra: Any) -> dict[str, Any]:
    """The inputs a program declares for a store called name."""
    return {"resourceName": name, "name": name, "referenceArn": REFERENCE, **extra}


def created(plugin: DynamicProviderPlugin, name: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    """Check and create a store; return its id and outputs."""
    checked = plugin.check(PROVIDER, {}, declared(name, **extra))
    assert checked.failures == []
    return plugin.create(PROVIDER, checked.inputs)


def import_into(client: Any, store: str) -> None:
    """Run one import job into store until it completes, as someone outside Pulumi would."""
    job_id = client.start_variant_import_job(
        destinationName=store, roleArn=ROLE, items=[{"source": "s3://bucket-a/sample.vcf"}]
    )["jobId"]
    wait_until(
        lambda: client.get_variant_import_job(jobId=job_id)["status"] == "COMPLETED",
        f"import job {job_id} to complete",
    )


def test_create_waits_until_active(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "created_store", description="cohort 1", tags={"team": "omics"})

    live = client.get_variant_store(name="created_store")
    assert outputs["status"] == live["status"] == "ACTIVE"
    assert id_ == outputs["storeId"] == live["id"]
    assert outputs["storeArn"] == live["storeArn"]
    assert outputs["storeSizeBytes"] == 0
    assert outputs["creationTime"].startswith(str(live["creationTime"].year))
    assert live["tags"] == {"team": "omics"}
    for key, value in declared("created_store", description="cohort 1").items():
        assert outputs[key] == value
    assert plugin.printed("[VariantStore created_store] store created_store: ACTIVE")


def test_update_description_changes_store_in_place(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    id_, outputs = created(plugin, "described_store", description="before")
    news = plugin.check(PROVIDER, outputs, declared("described_store", description="after")).inputs

    diff = plugin.diff(PROVIDER, id_, outputs, news)
    updated = plugin.update(PROVIDER, id_, outputs, news)

    assert (diff.changes, diff.replaces) == ("DIFF_SOME", [])
    assert client.get_variant_store(name="described_store")["description"] == "after"
    assert updated["description"] == "after"
    assert updated["storeId"] == id_ and updated["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("change", "replaces", "delete_first"),
    [
        ({"name": "renamed_store"}, ["name"], False),
        ({"referenceArn": OTHER_REFERENCE}, ["referenceArn"], True),
        ({"tags": {"team": "other"}}, ["tags"], True),
        ({"sseConfig": {"type": "KMS"}}, ["sseConfig"], True),
        ({"region": "us-west-2"}, ["region"], True),
    ],
)
def test_diff_replaces_when_store_identity_changes(
    plugin: DynamicProviderPlugin, change: dict[str, Any], replaces: list[str], delete_first: bool
) -> None:
    outputs = {**declared("diffed_store"), "storeId": "abc", "status": "ACTIVE"}

    diff = plugin.diff(PROVIDER, "abc", outputs, {**declared("diffed_store"), **change})

    assert (diff.changes, diff.replaces) == ("DIFF_SOME", replaces)
    assert diff.delete_before_replace is delete_first


@pytest.mark.parametrize(
    "change",
    [{}, {"description": ""}, {"forceDestroy": False, "adoptExisting": False}],
    ids=["identical", "empty-description", "default-flags"],
)
def test_diff_reports_nothing_when_inputs_are_equivalent(
    plugin: DynamicProviderPlugin, change: dict[str, Any]
) -> None:
    outputs = {**declared("same_store"), "storeId": "abc", "status": "ACTIVE"}

    diff = plugin.diff(PROVIDER, "abc", outputs, {**declared("same_store"), **change})

    assert diff.changes == "DIFF_NONE"


def test_update_force_destroy_calls_nothing_and_keeps_outputs(
    plugin: DynamicProviderPlugin, emulator: EmulatorHandle
) -> None:
    id_, outputs = created(plugin, "flag_store")
    news = plugin.check(PROVIDER, outputs, declared("flag_store", forceDestroy=True)).inputs
    requests_before = emulator.backend.request_count()

    updated = plugin.update(PROVIDER, id_, outputs, news)

    assert emulator.backend.request_count() == requests_before
    assert updated == {**outputs, "forceDestroy": True}


def test_read_reflects_live_store_after_an_import(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    id_, outputs = created(plugin, "refreshed_store")
    import_into(client, "refreshed_store")
    client.update_variant_store(name="refreshed_store", description="changed by hand")

    read_id, refreshed, inputs = plugin.read(PROVIDER, id_, outputs)

    assert read_id == id_
    assert (
        refreshed["storeSizeBytes"]
        == client.get_variant_store(name="refreshed_store")["storeSizeBytes"]
    )
    assert refreshed["storeSizeBytes"] > 0
    assert inputs["description"] == refreshed["description"] == "changed by hand"


@pytest.mark.parametrize("recreated", [False, True], ids=["deleted", "deleted-and-recreated"])
def test_read_drops_store_that_is_gone(
    plugin: DynamicProviderPlugin, client: Any, recreated: bool
) -> None:
    name = f"vanished_{int(recreated)}"
    id_, outputs = created(plugin, name)
    client.delete_variant_store(name=name)
    wait_gone(client, name)
    if recreated:
        client.create_variant_store(name=name, reference={"referenceArn": REFERENCE})

    read_id, refreshed, _ = plugin.read(PROVIDER, id_, outputs)

    assert (read_id, refreshed) == ("", {})


def wait_gone(client: Any, name: str) -> None:
    wait_until(
        lambda: name not in {s["name"] for s in client.list_variant_stores()["variantStores"]},
        f"store {name} to be deleted",
    )


def test_create_existing_store_fails_and_suggests_adopt_existing(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    client.create_variant_store(name="taken_store", reference={"referenceArn": REFERENCE})

    with pytest.raises(PluginCallError) as failure:
        created(plugin, "taken_store")

    assert "already exists" in failure.value.last_line
    assert "adoptExisting: true" in failure.value.last_line


def test_create_adopts_existing_store(plugin: DynamicProviderPlugin, client: Any) -> None:
    existing = client.create_variant_store(
        name="adopted_store", reference={"referenceArn": REFERENCE}
    )

    id_, outputs = created(plugin, "adopted_store", adoptExisting=True, description="now managed")

    assert id_ == existing["id"]
    assert outputs["status"] == "ACTIVE"
    assert client.get_variant_store(name="adopted_store")["description"] == "now managed"
    assert plugin.printed("adopted existing store adopted_store")


def test_create_refuses_to_adopt_store_with_other_reference(
    plugin: DynamicProviderPlugin, client: Any
) -> None:
    client.create_variant_store(
        name="mismatched_store", reference={"referenceArn": OTHER_REFERENCE}
    )

    with pytest.raises(PluginCallError) as failure:
        created(plugin, "mismatched_store", adoptExisting=True)

    assert "set referenceArn to the store's referenceArn" in failure.value.last_line


def test_delete_refused_while_store_holds_data(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "full_store")
    import_into(client, "full_store")

    with pytest.raises(PluginCallError) as failure:
        plugin.delete(PROVIDER, id_, outputs)

    assert "storeSizeBytes=" in failure.value.last_line
    assert "forceDestroy: true" in failure.value.last_line
    assert client.get_variant_store(name="full_store")["status"] == "ACTIVE"


def test_delete_forced_removes_store_with_data(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "forced_store", forceDestroy=True)
    import_into(client, "forced_store")

    plugin.delete(PROVIDER, id_, outputs)

    names = {s["name"] for s in client.list_variant_stores()["variantStores"]}
    assert "forced_store" not in names


def test_delete_empty_store_waits_until_gone(plugin: DynamicProviderPlugin, client: Any) -> None:
    id_, outputs = created(plugin, "empty_store")

    plugin.delete(PROVIDER, id_, outputs)
    plugin.delete(PROVIDER, id_, outputs)  # deleting again is fine: it is gone

    names = {s["name"] for s in client.list_variant_stores()["variantStores"]}
    assert "empty_store" not in names


@pytest.mark.parametrize(
    ("change", "prop"),
    [
        ({"name": "Bad-Name"}, "name"),
        ({"name": "ab"}, "name"),
        ({"name": None}, "name"),
        ({"referenceArn": "not-an-arn"}, "referenceArn"),
        ({"description": "x" * 501}, "description"),
        ({"sseConfig": {"type": "AES"}}, "sseConfig.type"),
        ({"sseConfig": {"type": "KMS", "keyArn": "key"}}, "sseConfig.keyArn"),
        ({"sseConfig": {"type": "KMS", "algorithm": "x"}}, "sseConfig"),
        ({"tags": {"": "v"}}, "tags."),
        ({"tags": {"k": "v" * 257}}, "tags.k"),
        ({"forceDestroy": "yes"}, "forceDestroy"),
        ({"adoptExisting": 1}, "adoptExisting"),
        ({"region": "Mars"}, "region"),
    ],
)
def test_check_rejects_bad_input_naming_property(
    plugin: DynamicProviderPlugin, change: dict[str, Any], prop: str
) -> None:
    news = {k: v for k, v in {**declared("checked_store"), **change}.items() if v is not None}

    failures = plugin.check(PROVIDER, {}, news).failures

    assert [p for p, _ in failures] == [prop]
    assert failures[0][1].startswith(f"{prop}:")
