"""The backend alone (no HTTP) on an injected clock: declared transitions and lazy status."""

from __future__ import annotations

import pytest

from omics_emulator import EmulatorSettings, OmicsBackend
from omics_emulator.exceptions import ConflictException, ValidationException
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
