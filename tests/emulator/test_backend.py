"""The backend alone (no HTTP) on an injected clock: declared transitions and lazy status."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from omics_emulator import EmulatorSettings, OmicsBackend
from omics_emulator.exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from omics_emulator.models import JOB_LIFECYCLE, STORE_LIFECYCLE
from tests.emulator.conftest import REFERENCE, ROLE, FakeClock


@pytest.fixture
def backend(clock: FakeClock) -> OmicsBackend:
    return OmicsBackend(EmulatorSettings(store_seconds=10, job_seconds=100, seed=1), clock=clock)


@pytest.mark.parametrize(
    ("lifecycle", "old", "new"),
    [
        (STORE_LIFECYCLE, "DELETING", "ACTIVE"),
        (STORE_LIFECYCLE, "ACTIVE", "CREATING"),
        (JOB_LIFECYCLE, "COMPLETED", "CANCELLED"),
        (JOB_LIFECYCLE, "CANCELLED", "IN_PROGRESS"),
        (JOB_LIFECYCLE, "SUBMITTED", "COMPLETED"),
    ],
)
def test_lifecycle_undeclared_transition_refused(lifecycle: object, old: str, new: str) -> None:
    with pytest.raises(AssertionError, match="undeclared transition"):
        lifecycle.check(old, new)  # type: ignore[attr-defined]


def test_get_variant_store_status_derived_from_clock(
    backend: OmicsBackend, clock: FakeClock
) -> None:
    backend.create_variant_store("cohort", REFERENCE)
    clock.advance(9.99)
    assert backend.get_variant_store("cohort")["status"] == "CREATING"
    clock.advance(0.01)
    assert backend.get_variant_store("cohort")["status"] == "ACTIVE"


def test_delete_variant_store_while_creating_never_turns_active(
    backend: OmicsBackend, clock: FakeClock
) -> None:
    backend.create_variant_store("cohort", REFERENCE)
    clock.advance(5)
    backend.delete_variant_store("cohort")
    clock.advance(5)
    assert backend.get_variant_store("cohort")["status"] == "DELETING"
    clock.advance(5)
    assert backend.stores() == []


def test_get_variant_import_job_timestamps_are_scheduled_times(
    backend: OmicsBackend, clock: FakeClock
) -> None:
    backend.create_variant_store("cohort", REFERENCE)
    clock.advance(10)
    job_id = backend.start_variant_import_job("cohort", ROLE, ["s3://bucket/a.vcf"])["jobId"]
    start = clock.now
    clock.advance(1000)  # nobody looked in between
    job = backend.get_variant_import_job(job_id)
    assert job["status"] == "COMPLETED"
    assert job["completionTime"].timestamp() == start + 100
    assert job["updateTime"] == job["completionTime"]


def test_ids_reproducible_with_seed(clock: FakeClock) -> None:
    def ids() -> tuple[str, str]:
        b = OmicsBackend(EmulatorSettings(store_seconds=0, seed=5), clock=clock)
        store_id = b.create_variant_store("cohort", REFERENCE)["id"]
        return store_id, b.start_variant_import_job("cohort", ROLE, ["s3://b1/k"])["jobId"]

    assert ids() == ids()


def test_create_variant_store_without_name_validation(backend: OmicsBackend) -> None:
    with pytest.raises(ValidationException):
        backend.create_variant_store(None, REFERENCE)


def test_delete_variant_store_is_idempotent_while_deleting(backend: OmicsBackend) -> None:
    backend.create_variant_store("cohort", REFERENCE)
    assert backend.delete_variant_store("cohort") == {"status": "DELETING"}
    assert backend.delete_variant_store("cohort") == {"status": "DELETING"}


def test_create_variant_store_duplicate_while_deleting_conflict(backend: OmicsBackend) -> None:
    backend.create_variant_store("cohort", REFERENCE)
    backend.delete_variant_store("cohort")
    with pytest.raises(ConflictException):
        backend.create_variant_store("cohort", REFERENCE)


@pytest.mark.parametrize("bad", ["throttle_rate", "error_rate"])
def test_emulator_settings_rate_out_of_range_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        EmulatorSettings(**{bad: 1.5})  # type: ignore[arg-type]


@pytest.fixture
def active_store(backend: OmicsBackend, clock: FakeClock) -> str:
    backend.create_variant_store("cohort", REFERENCE)
    clock.advance(10)
    return "cohort"


def test_imported_sources_counts_each_completed_import(
    backend: OmicsBackend, clock: FakeClock, active_store: str
) -> None:
    backend.start_variant_import_job(active_store, ROLE, ["s3://b1/a.vcf", "s3://b1/b.vcf"])
    backend.start_variant_import_job(active_store, ROLE, ["s3://b1/a.vcf"])
    assert backend.imported_sources(active_store) == {}  # nothing until the jobs finish
    clock.advance(100)
    assert backend.imported_sources(active_store) == {"s3://b1/a.vcf": 2, "s3://b1/b.vcf": 1}


def test_imported_sources_counts_only_the_items_that_succeeded(
    backend: OmicsBackend, clock: FakeClock, active_store: str
) -> None:
    backend.settings.fail_sources = ("*/bad*",)
    job_id = backend.start_variant_import_job(
        active_store, ROLE, ["s3://b1/a.vcf", "s3://b1/bad.vcf"]
    )
    clock.advance(100)
    assert backend.get_variant_import_job(job_id["jobId"])["status"] == "COMPLETED_WITH_FAILURES"
    assert backend.imported_sources(active_store) == {"s3://b1/a.vcf": 1}


@pytest.mark.parametrize(
    ("end", "status"),
    [
        (lambda b, job_id: b.cancel_variant_import_job(job_id), "CANCELLED"),
        (lambda b, job_id: setattr(b.settings, "fail_sources", ("*",)), "FAILED"),
    ],
    ids=["cancelled", "failed"],
)
def test_imported_sources_empty_after_a_job_that_imported_nothing(
    backend: OmicsBackend,
    clock: FakeClock,
    active_store: str,
    end: Callable[[OmicsBackend, str], None],
    status: str,
) -> None:
    job_id = backend.start_variant_import_job(active_store, ROLE, ["s3://b1/a.vcf"])["jobId"]
    clock.advance(50)  # IN_PROGRESS
    end(backend, job_id)
    clock.advance(1000)
    assert backend.get_variant_import_job(job_id)["status"] == status
    assert backend.imported_sources(active_store) == {}


def test_imported_sources_of_a_recreated_store_start_empty(
    backend: OmicsBackend, clock: FakeClock, active_store: str
) -> None:
    backend.start_variant_import_job(active_store, ROLE, ["s3://b1/a.vcf"])
    clock.advance(100)
    backend.delete_variant_store(active_store, force=True)
    clock.advance(10)
    with pytest.raises(ResourceNotFoundException):
        backend.imported_sources(active_store)
    backend.create_variant_store(active_store, REFERENCE)
    assert backend.imported_sources(active_store) == {}


def test_jobs_of_one_store_with_their_items(
    backend: OmicsBackend, clock: FakeClock, active_store: str
) -> None:
    backend.create_variant_store("other", REFERENCE)
    clock.advance(10)
    mine = backend.start_variant_import_job(active_store, ROLE, ["s3://b1/a.vcf"])["jobId"]
    backend.start_variant_import_job("other", ROLE, ["s3://b1/z.vcf"])
    [job] = backend.jobs(store_name=active_store)
    assert job["id"] == mine
    assert job["items"] == [
        {"source": "s3://b1/a.vcf", "jobStatus": "SUBMITTED", "statusMessage": ""}
    ]
    assert len(backend.jobs()) == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("job_seconds", float("nan")),
        ("cancel_seconds", -1.0),
        ("cancel_seconds", float("inf")),
        ("idle_timeout_seconds", 0.0),
        ("max_files_per_job", -1),
    ],
)
def test_emulator_settings_bad_value_refused_naming_it(name: str, value: float) -> None:
    with pytest.raises(ValueError, match=name):
        EmulatorSettings(**{name: value})  # type: ignore[arg-type]
