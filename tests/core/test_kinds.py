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
    operations = [kind.start, kind.get, kind.list, str(kind.cancel)]
    assert set(operations) <= set(omics_model().operation_names)
    assert {method_name(op) for op in operations} <= client_methods()


@pytest.mark.parametrize("kind", JOB_KINDS, ids=lambda k: k.resource)
def test_job_kind_start_takes_exactly_destination_role_items_and_settings(kind: JobKind) -> None:
    declared = {*kind.destination_keys, "roleArn", kind.items_key, *kind.setting_keys}
    assert kind.store_key in kind.destination_keys
    assert members(kind.start) == declared
    assert members(kind.start, "output") == {kind.job_key}


@pytest.mark.parametrize("kind", JOB_KINDS, ids=lambda k: k.resource)
def test_job_kind_get_list_and_cancel_shapes_match_the_kind(kind: JobKind) -> None:
    assert members(kind.get) == members(str(kind.cancel)) == {kind.job_key}
    assert kind.list_key in members(kind.list, "output")
    assert {"filter", "nextToken"} <= members(kind.list)
    assert ("ids" in members(kind.list)) is kind.list_by_ids
    output: Any = omics_model().operation_model(kind.get).output_shape
    item = output.members[kind.items_key].member
    assert ("statusMessage" in item.members) is kind.item_status_messages
    assert {"source", kind.item_status_key} <= set(item.members)
    assert set(kind.destination_keys) <= members(kind.get, "output")


def read_set_files(item: Any) -> str:
    return str(item["sourceFiles"]["source1"])


READ_SET_SHAPE = JobKind(
    resource="ReadSetImportJob",
    noun="read set import job",
    store_noun="sequence store",
    start="StartReadSetImportJob",
    get="GetReadSetImportJob",
    list="ListReadSetImportJobs",
    cancel=None,
    list_key="importJobs",
    destination_keys=("sequenceStoreId",),
    setting_keys=("clientToken",),
    quota_group="",
    max_items=None,
    item_status_messages=True,
    store_key="sequenceStoreId",
    store_in_path=True,
    job_key="id",
    items_key="sources",
    item_source=read_set_files,
    item_status_key="status",
    item_statuses=(("NOT_STARTED", "SUBMITTED"), ("FINISHED", "COMPLETED")),
    list_by_ids=False,
)
"""Not a kind of the provider: the shape of read-set imports, described by JobKind's fields, to
check that those fields can say where a third kind names its store, its jobs and its files."""


def test_job_kind_fields_describe_where_read_set_imports_name_store_jobs_and_files() -> None:
    kind, into = READ_SET_SHAPE, (("sequenceStoreId", "1234567890"),)
    model = omics_model()
    for operation in (kind.start, kind.get, kind.list):
        uri = model.operation_model(operation).http["requestUri"]
        assert "{sequenceStoreId}" in uri  # the store is a path parameter of every operation
    assert members(kind.get) == set(kind.job_request("j", into)) == {"id", "sequenceStoreId"}
    assert set(kind.list_request(into, "IN_PROGRESS")) <= members(kind.list)
    assert "ids" not in members(kind.list) and not kind.list_by_ids
    assert not [op for op in model.operation_names if op.startswith("CancelReadSet")]
    assert {kind.store_key, kind.items_key, "roleArn"} <= members(kind.start)
    assert kind.job_key in members(kind.start, "output")
    start: Any = model.operation_model(kind.start).input_shape
    assert set(start.members[kind.items_key].member.required_members) == {
        "sourceFiles",
        "sourceFileType",
        "subjectId",
        "sampleId",
    }
    answer = {"id": "j", "status": "IN_PROGRESS", "sources": [
        {"sourceFiles": {"source1": "s3://b/r1.fq", "source2": "s3://b/r2.fq"}, "status": "FAILED",
         "statusMessage": "bad"},
    ]}  # fmt: skip
    assert kind.job(answer)["items"] == [
        {"source": "s3://b/r1.fq", "jobStatus": "FAILED", "statusMessage": "bad"}
    ]
    own: Any = model.shape_for("ReadSetImportJobItemStatus")
    flows: Any = model.shape_for("JobStatus")  # what variant and annotation items report
    assert {dict(kind.item_statuses).get(status, status) for status in own.enum} <= set(flows.enum)


@pytest.mark.parametrize("kind", JOB_KINDS, ids=lambda k: k.resource)
def test_job_kind_names_a_job_by_id_and_lists_by_the_store_filter(kind: JobKind) -> None:
    into = kind.destination({"destinationName": "s", "versionName": "v"})
    assert kind.job_request("j", into) == {"jobId": "j"}
    assert kind.list_request(into, None) == {"filter": {"storeName": "s"}}
    assert kind.list_request(into, "SUBMITTED") == {
        "filter": {"storeName": "s", "status": "SUBMITTED"}
    }


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
