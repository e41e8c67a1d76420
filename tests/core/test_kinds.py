"""Each job and store kind names operations and shapes that botocore's omics model defines."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from omics_provider.core.kinds import (
    ANNOTATION_IMPORT,
    ANNOTATION_STORE,
    ANNOTATION_STORE_VERSION,
    IMPORT_JOB_QUOTA,
    VARIANT_IMPORT,
    VARIANT_STORE,
    JobKind,
    StoreKind,
    method_name,
)
from omics_provider.core.service import omics_model

JOB_KINDS = [VARIANT_IMPORT, ANNOTATION_IMPORT]
STORE_KINDS = [VARIANT_STORE, ANNOTATION_STORE, ANNOTATION_STORE_VERSION]
COMMON_CREATE = {
    VARIANT_STORE: {"name", "reference", "description", "tags", "sseConfig"},
    ANNOTATION_STORE: {"name", "reference", "description", "tags", "sseConfig"},
    ANNOTATION_STORE_VERSION: {"name", "description", "tags"},
}
"""What each kind's create takes besides its create_settings (the resource's common inputs)."""


def members(operation: str, side: str = "input") -> set[str]:
    shape: Any = getattr(omics_model().operation_model(operation), f"{side}_shape")
    return set(shape.members) if shape is not None else set()


def client_methods() -> set[str]:
    client = boto3.client(
        "omics", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return {name for name in dir(client) if not name.startswith("_")}


@pytest.mark.parametrize("kind", JOB_KINDS, ids=lambda k: k.resource)
def test_job_kind_operations_exist_with_a_client_method(kind: JobKind) -> None:
    operations = [kind.start, kind.get, kind.list, kind.cancel]
    assert set(operations) <= set(omics_model().operation_names)
    assert {method_name(op) for op in operations} <= client_methods()


@pytest.mark.parametrize("kind", JOB_KINDS, ids=lambda k: k.resource)
def test_job_kind_start_takes_exactly_destination_role_items_and_settings(kind: JobKind) -> None:
    declared = {*kind.destination_keys, "roleArn", "items", *kind.setting_keys}
    assert members(kind.start) == declared
    assert members(kind.start, "output") == {"jobId"}


@pytest.mark.parametrize("kind", JOB_KINDS, ids=lambda k: k.resource)
def test_job_kind_get_list_and_cancel_shapes_match_the_kind(kind: JobKind) -> None:
    assert members(kind.get) == members(kind.cancel) == {"jobId"}
    assert kind.list_key in members(kind.list, "output")
    assert {"ids", "filter", "nextToken"} <= members(kind.list)
    output: Any = omics_model().operation_model(kind.get).output_shape
    item = output.members["items"].member
    assert ("statusMessage" in item.members) is kind.item_status_messages
    assert set(kind.destination_keys) <= members(kind.get, "output")


def test_job_kinds_share_the_concurrent_import_quota_and_differ_in_items() -> None:
    assert VARIANT_IMPORT.quota_group == ANNOTATION_IMPORT.quota_group == IMPORT_JOB_QUOTA
    assert (VARIANT_IMPORT.max_items, ANNOTATION_IMPORT.max_items) == (1000, None)


@pytest.mark.parametrize("kind", STORE_KINDS, ids=lambda k: k.resource)
def test_store_kind_operations_exist_with_a_client_method(kind: StoreKind) -> None:
    operations = [kind.create, kind.get, kind.update, kind.delete, kind.list]
    assert set(operations) <= set(omics_model().operation_names)
    assert {method_name(op) for op in operations} <= client_methods()


@pytest.mark.parametrize("kind", STORE_KINDS, ids=lambda k: k.resource)
def test_store_kind_create_takes_the_common_members_and_its_settings(kind: StoreKind) -> None:
    assert members(kind.create) == COMMON_CREATE[kind] | set(kind.create_settings)
    assert set(kind.key) <= members(kind.create)


@pytest.mark.parametrize("kind", STORE_KINDS, ids=lambda k: k.resource)
def test_store_kind_get_update_delete_list_shapes_match_the_kind(kind: StoreKind) -> None:
    key = set(kind.key)
    assert members(kind.get) == key
    assert members(kind.update) == key | {"description"}
    if kind.delete_list is None:
        assert members(kind.delete) == key | {"force"}
    else:
        assert members(kind.delete) == {"name", kind.delete_list, "force"}
        assert "errors" in members(kind.delete, "output")
    assert kind.list_key in members(kind.list, "output")
    output: Any = omics_model().operation_model(kind.get).output_shape
    status = output.members["status"]
    assert frozenset(status.enum) == kind.statuses
    prefix = kind.prefix
    assert {"id", f"{prefix}Arn", f"{prefix}SizeBytes"} <= members(kind.get, "output")


def test_store_kind_labels_name_a_store_or_a_version_of_one() -> None:
    assert VARIANT_STORE.label({"name": "s"}) == "store s"
    assert ANNOTATION_STORE_VERSION.label({"name": "s", "versionName": "v"}) == (
        "version v of store s"
    )
