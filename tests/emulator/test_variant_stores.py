"""Variant store operations through a real boto3 client: life cycle, conflicts, listing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from omics_emulator import EmulatorHandle
from tests.emulator.conftest import REFERENCE, FakeClock, error_of


def test_create_variant_store_returns_creating_store(omics_client: Any) -> None:
    response = omics_client.create_variant_store(name="cohort", reference=REFERENCE)
    assert response["status"] == "CREATING"
    assert response["name"] == "cohort"
    assert re.fullmatch(r"[0-9a-f]{12}", response["id"])
    assert response["reference"] == REFERENCE
    assert isinstance(response["creationTime"], dt.datetime)


def test_get_variant_store_active_after_store_seconds(omics_client: Any, clock: FakeClock) -> None:
    omics_client.create_variant_store(name="cohort", reference=REFERENCE, description="d")
    assert omics_client.get_variant_store(name="cohort")["status"] == "CREATING"
    clock.advance(1.0)
    store = omics_client.get_variant_store(name="cohort")
    assert store["status"] == "ACTIVE"
    assert store["storeArn"] == "arn:aws:omics:us-east-1:123456789012:variantStore/cohort"
    assert store["description"] == "d"
    assert store["storeSizeBytes"] == 0
    assert store["updateTime"] - store["creationTime"] == dt.timedelta(seconds=1)


def test_create_variant_store_arn_uses_region_of_credential_scope(
    omics_client_factory: Callable[..., Any],
) -> None:
    from omics_emulator.pytest_plugin import make_omics_client

    client = omics_client_factory()
    url = client.meta.endpoint_url
    eu = make_omics_client(url, region="eu-west-2")
    eu.create_variant_store(name="cohort", reference=REFERENCE)
    arn = eu.get_variant_store(name="cohort")["storeArn"]
    assert arn == "arn:aws:omics:eu-west-2:123456789012:variantStore/cohort"


def test_create_variant_store_duplicate_name_conflict(omics_client: Any) -> None:
    omics_client.create_variant_store(name="cohort", reference=REFERENCE)
    with pytest.raises(ClientError) as exc:
        omics_client.create_variant_store(name="cohort", reference=REFERENCE)
    assert error_of(exc) == ("ConflictException", 409)


def test_update_variant_store_changes_description(
    omics_client: Any, make_store: Callable[..., str]
) -> None:
    make_store()
    response = omics_client.update_variant_store(name="cohort", description="new text")
    assert response["description"] == "new text"
    assert omics_client.get_variant_store(name="cohort")["description"] == "new text"


def test_get_variant_store_unknown_not_found(omics_client: Any) -> None:
    with pytest.raises(ClientError) as exc:
        omics_client.get_variant_store(name="nope")
    assert error_of(exc) == ("ResourceNotFoundException", 404)


def test_delete_variant_store_deleting_then_gone(
    omics_client: Any, make_store: Callable[..., str], clock: FakeClock
) -> None:
    make_store()
    assert omics_client.delete_variant_store(name="cohort")["status"] == "DELETING"
    assert omics_client.get_variant_store(name="cohort")["status"] == "DELETING"
    clock.advance(1.0)
    with pytest.raises(ClientError) as exc:
        omics_client.get_variant_store(name="cohort")
    assert error_of(exc) == ("ResourceNotFoundException", 404)
    omics_client.create_variant_store(name="cohort", reference=REFERENCE)  # the name is free again


def test_delete_variant_store_with_data_conflict_unless_force(
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    make_store()
    start_job()
    clock.advance(4.0)
    assert omics_client.get_variant_store(name="cohort")["storeSizeBytes"] > 0
    with pytest.raises(ClientError) as exc:
        omics_client.delete_variant_store(name="cohort")
    assert error_of(exc) == ("ConflictException", 409)
    assert omics_client.delete_variant_store(name="cohort", force=True)["status"] == "DELETING"


def test_delete_variant_store_running_job_conflict(
    omics_client: Any, make_store: Callable[..., str], start_job: Callable[..., str]
) -> None:
    make_store()
    start_job()
    with pytest.raises(ClientError) as exc:
        omics_client.delete_variant_store(name="cohort")
    assert error_of(exc) == ("ConflictException", 409)
    assert "running import jobs" in exc.value.response["Error"]["Message"]


def test_delete_variant_store_force_fails_running_jobs(
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    make_store()
    job_id = start_job()
    omics_client.delete_variant_store(name="cohort", force=True)
    clock.advance(10)
    job = omics_client.get_variant_import_job(jobId=job_id)
    assert job["status"] == "FAILED"
    assert "was deleted while the job was running" in job["statusMessage"]
    assert job["items"][0]["jobStatus"] == "FAILED"


def test_delete_variant_store_unknown_not_found(omics_client: Any) -> None:
    with pytest.raises(ClientError) as exc:
        omics_client.delete_variant_store(name="nope")
    assert error_of(exc) == ("ResourceNotFoundException", 404)


@pytest.fixture
def three_stores(omics_client: Any, make_store: Callable[..., str]) -> list[dict[str, Any]]:
    for name in ("alpha", "beta", "gamma"):
        make_store(name)
    omics_client.create_variant_store(name="delta", reference=REFERENCE)  # stays CREATING
    return [omics_client.get_variant_store(name=n) for n in ("alpha", "beta", "gamma", "delta")]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["alpha", "beta", "gamma", "delta"]),
        ({"filter": {"status": "ACTIVE"}}, ["alpha", "beta", "gamma"]),
        ({"filter": {"status": "CREATING"}}, ["delta"]),
        ({"filter": {"status": "FAILED"}}, []),
    ],
)
def test_list_variant_stores_filter(
    omics_client: Any,
    three_stores: list[dict[str, Any]],
    kwargs: dict[str, Any],
    expected: list[str],
) -> None:
    stores = omics_client.list_variant_stores(**kwargs)["variantStores"]
    assert [s["name"] for s in stores] == expected


def test_list_variant_stores_ids(omics_client: Any, three_stores: list[dict[str, Any]]) -> None:
    ids = [three_stores[0]["id"], three_stores[2]["id"]]
    stores = omics_client.list_variant_stores(ids=ids)["variantStores"]
    assert [s["name"] for s in stores] == ["alpha", "gamma"]


def test_list_variant_stores_max_results_next_token(
    omics_client: Any, three_stores: list[dict[str, Any]]
) -> None:
    first = omics_client.list_variant_stores(maxResults=3)
    assert [s["name"] for s in first["variantStores"]] == ["alpha", "beta", "gamma"]
    second = omics_client.list_variant_stores(maxResults=3, nextToken=first["nextToken"])
    assert [s["name"] for s in second["variantStores"]] == ["delta"]
    assert "nextToken" not in second


def test_list_variant_stores_paginator_walks_all(
    omics_client: Any, three_stores: list[dict[str, Any]]
) -> None:
    pages = omics_client.get_paginator("list_variant_stores").paginate(
        PaginationConfig={"PageSize": 1}
    )
    assert [s["name"] for p in pages for s in p["variantStores"]] == [
        "alpha",
        "beta",
        "gamma",
        "delta",
    ]


def test_list_variant_stores_bad_next_token_validation(omics_client: Any) -> None:
    with pytest.raises(ClientError) as exc:
        omics_client.list_variant_stores(nextToken="garbage!")
    assert error_of(exc) == ("ValidationException", 400)


def test_list_variant_stores_shows_what_backend_holds(
    omics_emulator: EmulatorHandle, three_stores: list[dict[str, Any]]
) -> None:
    held = omics_emulator.backend.stores()
    assert [s["name"] for s in held] == ["alpha", "beta", "gamma", "delta"]
