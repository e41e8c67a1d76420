"""Annotation stores and their versions through a real boto3 client: life cycle, rules, quota."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from omics_emulator import EmulatorHandle
from tests.emulator.conftest import GENERIC_TSV, REFERENCE, FakeClock, error_of

TWELVE_HEX = re.compile(r"[0-9a-f]{12}")
STORE_ARN = "arn:aws:omics:us-east-1:123456789012:annotationStore/genes"


def test_create_annotation_store_returns_creating_store_and_first_version(
    omics_client: Any,
) -> None:
    created = omics_client.create_annotation_store(
        name="genes", storeFormat="GFF", reference=REFERENCE, versionName="release_one"
    )
    assert created["status"] == "CREATING"
    assert (created["name"], created["storeFormat"]) == ("genes", "GFF")
    assert created["versionName"] == "release_one"
    assert TWELVE_HEX.fullmatch(created["id"])
    assert isinstance(created["creationTime"], dt.datetime)


def test_get_annotation_store_active_after_store_seconds(
    omics_client: Any, clock: FakeClock
) -> None:
    omics_client.create_annotation_store(name="genes", storeFormat="VCF", reference=REFERENCE)
    assert omics_client.get_annotation_store(name="genes")["status"] == "CREATING"
    clock.advance(1.0)
    store = omics_client.get_annotation_store(name="genes")
    assert store["status"] == "ACTIVE"
    assert store["storeArn"] == STORE_ARN
    assert (store["numVersions"], store["storeSizeBytes"]) == (1, 0)
    version = omics_client.get_annotation_store_version(name="genes", versionName="genes")
    assert version["status"] == "ACTIVE"
    assert version["versionArn"] == f"{STORE_ARN}/version/genes"
    assert version["storeId"] == store["id"]


@pytest.mark.parametrize(
    ("store_format", "kwargs", "needle"),
    [
        ("VCF", {}, "reference is required"),
        ("GFF", {}, "reference is required"),
        ("TSV", {"storeOptions": {"tsvStoreOptions": {"annotationType": "CHR_POS"}}}, "reference"),
        ("TSV", {}, "reference is required"),
        ("VCF", {"reference": REFERENCE, "storeOptions": GENERIC_TSV}, "TSV stores only"),
        ("GFF", {"reference": REFERENCE, "storeOptions": GENERIC_TSV}, "TSV stores only"),
    ],
)
def test_create_annotation_store_shape_the_format_refuses_validation(
    omics_client: Any, store_format: str, kwargs: dict[str, Any], needle: str
) -> None:
    with pytest.raises(ClientError) as exc:
        omics_client.create_annotation_store(name="genes", storeFormat=store_format, **kwargs)
    assert error_of(exc) == ("ValidationException", 400)
    assert needle in exc.value.response["Error"]["Message"]
    assert omics_client.list_annotation_stores()["annotationStores"] == []


def test_create_annotation_store_generic_tsv_needs_no_reference(
    omics_client: Any, clock: FakeClock
) -> None:
    omics_client.create_annotation_store(name="genes", storeFormat="TSV", storeOptions=GENERIC_TSV)
    clock.advance(1.0)
    store = omics_client.get_annotation_store(name="genes")
    assert "reference" not in store
    assert store["storeOptions"] == GENERIC_TSV
    version = omics_client.get_annotation_store_version(name="genes", versionName="genes")
    assert version["versionOptions"] == {"tsvVersionOptions": GENERIC_TSV["tsvStoreOptions"]}


def test_create_annotation_store_duplicate_name_conflict(
    omics_client: Any, make_annotation_store: Callable[..., str]
) -> None:
    make_annotation_store()
    with pytest.raises(ClientError) as exc:
        omics_client.create_annotation_store(name="genes", storeFormat="VCF", reference=REFERENCE)
    assert error_of(exc) == ("ConflictException", 409)


def test_create_annotation_store_default_quota_is_ten(omics_client: Any) -> None:
    for index in range(10):
        omics_client.create_annotation_store(
            name=f"genes_{index}", storeFormat="VCF", reference=REFERENCE
        )
    with pytest.raises(ClientError) as exc:
        omics_client.create_annotation_store(name="genes_x", storeFormat="VCF", reference=REFERENCE)
    assert error_of(exc) == ("ServiceQuotaExceededException", 402)
    assert "annotation stores (10)" in exc.value.response["Error"]["Message"]


def test_create_annotation_store_quota_frees_once_a_store_is_gone(
    omics_emulator: EmulatorHandle, omics_client: Any, clock: FakeClock
) -> None:
    omics_emulator.backend.settings.max_annotation_stores = 1
    omics_client.create_annotation_store(name="genes", storeFormat="VCF", reference=REFERENCE)
    omics_client.delete_annotation_store(name="genes")
    with pytest.raises(ClientError) as exc:
        omics_client.create_annotation_store(name="other", storeFormat="VCF", reference=REFERENCE)
    assert error_of(exc) == ("ServiceQuotaExceededException", 402)
    clock.advance(1.0)
    omics_client.create_annotation_store(name="other", storeFormat="VCF", reference=REFERENCE)


def test_update_annotation_store_changes_description(
    omics_client: Any, make_annotation_store: Callable[..., str], clock: FakeClock
) -> None:
    make_annotation_store()
    clock.advance(5.0)
    updated = omics_client.update_annotation_store(name="genes", description="ClinVar")
    assert updated["description"] == "ClinVar"
    assert updated["updateTime"] - updated["creationTime"] == dt.timedelta(seconds=6)
    assert omics_client.get_annotation_store(name="genes")["description"] == "ClinVar"


def test_delete_annotation_store_gone_after_store_seconds(
    omics_client: Any, make_annotation_store: Callable[..., str], clock: FakeClock
) -> None:
    make_annotation_store()
    assert omics_client.delete_annotation_store(name="genes")["status"] == "DELETING"
    version = omics_client.get_annotation_store_version(name="genes", versionName="genes")
    assert version["status"] == "DELETING"
    clock.advance(1.0)
    with pytest.raises(ClientError) as exc:
        omics_client.get_annotation_store(name="genes")
    assert error_of(exc) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        ("get_annotation_store", {"name": "nostore"}),
        ("update_annotation_store", {"name": "nostore", "description": "d"}),
        ("delete_annotation_store", {"name": "nostore"}),
        ("get_annotation_store_version", {"name": "nostore", "versionName": "genes"}),
        ("list_annotation_store_versions", {"name": "nostore"}),
        ("create_annotation_store_version", {"name": "nostore", "versionName": "two"}),
        ("delete_annotation_store_versions", {"name": "nostore", "versions": ["genes"]}),
    ],
)
def test_annotation_store_operation_unknown_store_not_found(
    omics_client: Any, operation: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(omics_client, operation)(**kwargs)
    assert error_of(exc) == ("ResourceNotFoundException", 404)


def test_annotation_stores_and_variant_stores_are_apart(
    omics_client: Any, make_store: Callable[..., str], make_annotation_store: Callable[..., str]
) -> None:
    make_store("cohort")
    make_annotation_store("genes")
    assert [s["name"] for s in omics_client.list_variant_stores()["variantStores"]] == ["cohort"]
    listed = omics_client.list_annotation_stores()["annotationStores"]
    assert [s["name"] for s in listed] == ["genes"]
    with pytest.raises(ClientError) as exc:
        omics_client.get_annotation_store(name="cohort")
    assert error_of(exc) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize(
    ("filters", "expected"), [({}, ["alpha", "beta"]), ({"status": "DELETING"}, ["beta"])]
)
def test_list_annotation_stores_filter_by_status(
    omics_client: Any,
    make_annotation_store: Callable[..., str],
    filters: dict[str, str],
    expected: list[str],
) -> None:
    make_annotation_store("alpha")
    make_annotation_store("beta")
    omics_client.delete_annotation_store(name="beta")
    kwargs = {"filter": filters} if filters else {}
    listed = omics_client.list_annotation_stores(**kwargs)["annotationStores"]
    assert [s["name"] for s in listed] == expected


def test_list_annotation_stores_max_results_next_token(
    omics_client: Any, make_annotation_store: Callable[..., str]
) -> None:
    for name in ("alpha", "beta", "gamma"):
        make_annotation_store(name)
    first = omics_client.list_annotation_stores(maxResults=2)
    second = omics_client.list_annotation_stores(maxResults=2, nextToken=first["nextToken"])
    names = [s["name"] for s in first["annotationStores"] + second["annotationStores"]]
    assert names == ["alpha", "beta", "gamma"]
    assert "nextToken" not in second


def test_create_annotation_store_version_creating_then_active(
    omics_client: Any, make_annotation_store: Callable[..., str], clock: FakeClock
) -> None:
    make_annotation_store()
    created = omics_client.create_annotation_store_version(
        name="genes", versionName="release_two", description="d", tags={"team": "g"}
    )
    assert (created["status"], created["versionName"], created["name"]) == (
        "CREATING",
        "release_two",
        "genes",
    )
    assert TWELVE_HEX.fullmatch(created["id"])
    clock.advance(1.0)
    version = omics_client.get_annotation_store_version(name="genes", versionName="release_two")
    assert (version["status"], version["description"], version["tags"]) == (
        "ACTIVE",
        "d",
        {"team": "g"},
    )
    assert omics_client.get_annotation_store(name="genes")["numVersions"] == 2


def test_create_annotation_store_version_store_not_active_validation(omics_client: Any) -> None:
    omics_client.create_annotation_store(name="genes", storeFormat="VCF", reference=REFERENCE)
    with pytest.raises(ClientError) as exc:
        omics_client.create_annotation_store_version(name="genes", versionName="two")
    assert error_of(exc) == ("ValidationException", 400)
    assert "CREATING, not ACTIVE" in exc.value.response["Error"]["Message"]


def test_create_annotation_store_version_taken_name_conflict(
    omics_client: Any, make_annotation_store: Callable[..., str]
) -> None:
    make_annotation_store()
    with pytest.raises(ClientError) as exc:
        omics_client.create_annotation_store_version(name="genes", versionName="genes")
    assert error_of(exc) == ("ConflictException", 409)


def test_create_annotation_store_version_options_on_non_tsv_validation(
    omics_client: Any, make_annotation_store: Callable[..., str]
) -> None:
    make_annotation_store(store_format="GFF")
    options = {"tsvVersionOptions": {"annotationType": "GENERIC"}}
    with pytest.raises(ClientError) as exc:
        omics_client.create_annotation_store_version(
            name="genes", versionName="two", versionOptions=options
        )
    assert error_of(exc) == ("ValidationException", 400)
    assert "TSV stores only" in exc.value.response["Error"]["Message"]


def test_update_annotation_store_version_changes_description(
    omics_client: Any, make_annotation_store: Callable[..., str]
) -> None:
    make_annotation_store()
    updated = omics_client.update_annotation_store_version(
        name="genes", versionName="genes", description="2024 release"
    )
    assert updated["description"] == "2024 release"
    listed = omics_client.list_annotation_store_versions(name="genes")["annotationStoreVersions"]
    assert [v["description"] for v in listed] == ["2024 release"]


def test_list_annotation_store_versions_filter_and_pages(
    omics_client: Any, make_annotation_store: Callable[..., str]
) -> None:
    make_annotation_store()
    omics_client.create_annotation_store_version(name="genes", versionName="release_two")
    creating = omics_client.list_annotation_store_versions(
        name="genes", filter={"status": "CREATING"}
    )["annotationStoreVersions"]
    assert [v["versionName"] for v in creating] == ["release_two"]
    first = omics_client.list_annotation_store_versions(name="genes", maxResults=1)
    assert [v["versionName"] for v in first["annotationStoreVersions"]] == ["genes"]
    second = omics_client.list_annotation_store_versions(
        name="genes", maxResults=1, nextToken=first["nextToken"]
    )
    assert [v["versionName"] for v in second["annotationStoreVersions"]] == ["release_two"]


def test_delete_annotation_store_versions_answers_errors_per_version(
    omics_client: Any, make_annotation_store: Callable[..., str], clock: FakeClock
) -> None:
    make_annotation_store()
    omics_client.create_annotation_store_version(name="genes", versionName="release_two")
    answer = omics_client.delete_annotation_store_versions(
        name="genes", versions=["release_two", "release_nine"]
    )
    assert [(e["versionName"], e["message"]) for e in answer["errors"]] == [
        ("release_nine", "Version release_nine of annotation store genes not found")
    ]
    clock.advance(1.0)
    listed = omics_client.list_annotation_store_versions(name="genes")["annotationStoreVersions"]
    assert [v["versionName"] for v in listed] == ["genes"]
