"""Injected faults: throttling and error rates (seeded), failing sources, unassumable roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from omics_emulator import EmulatorHandle, EmulatorSettings, OmicsBackend, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from tests.emulator.conftest import ROLE, FakeClock, error_of


def outcomes(settings: EmulatorSettings, calls: int = 200) -> list[str]:
    with start_emulator(settings) as emu:
        client: Any = make_omics_client(emu.url, retries={"total_max_attempts": 1})
        result = []
        for _ in range(calls):
            try:
                client.list_variant_stores()
                result.append("ok")
            except ClientError as err:
                result.append(
                    f"{err.response['Error']['Code']}:{err.response['ResponseMetadata']['HTTPStatusCode']}"
                )
        return result


@pytest.mark.parametrize(
    ("field", "expected"),
    [("throttle_rate", "ThrottlingException:429"), ("error_rate", "InternalServerException:500")],
)
def test_list_variant_stores_fault_rate_observed(field: str, expected: str) -> None:
    got = outcomes(EmulatorSettings(seed=7, **{field: 0.3}))  # type: ignore[arg-type]
    assert set(got) == {"ok", expected}
    assert 0.2 < got.count(expected) / len(got) < 0.4


def test_list_variant_stores_fault_rate_reproducible_with_seed() -> None:
    settings = {"seed": 42, "throttle_rate": 0.2, "error_rate": 0.2}
    first = outcomes(EmulatorSettings(**settings), calls=60)  # type: ignore[arg-type]
    assert first == outcomes(EmulatorSettings(**settings), calls=60)  # type: ignore[arg-type]


def test_list_variant_stores_faults_flip_at_run_time(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    omics_emulator.backend.settings.throttle_rate = 1.0
    with pytest.raises(ClientError) as exc:
        omics_client.list_variant_stores()
    assert error_of(exc) == ("ThrottlingException", 429)
    omics_emulator.backend.settings.throttle_rate = 0.0
    omics_client.list_variant_stores()


def test_list_variant_stores_throttled_requests_are_counted(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    omics_emulator.backend.settings.error_rate = 1.0
    with pytest.raises(ClientError):
        omics_client.list_variant_stores()
    assert omics_emulator.backend.requests_by_operation() == {"ListVariantStores": 1}


def test_list_variant_stores_default_retries_ride_out_throttling() -> None:
    with start_emulator(EmulatorSettings(seed=3, throttle_rate=0.5)) as emu:
        retries = {"total_max_attempts": 10, "mode": "standard"}
        client: Any = make_omics_client(emu.url, retries=retries)
        for _ in range(4):
            client.list_variant_stores()
        assert emu.backend.request_count() > 4  # some calls were throttled, then retried


@pytest.mark.parametrize(
    ("patterns", "statuses", "job_status"),
    [
        (("*/bad*",), ["COMPLETED", "FAILED"], "COMPLETED_WITH_FAILURES"),
        (("s3://bucket/*",), ["FAILED", "FAILED"], "FAILED"),
        (("s3://other/*",), ["COMPLETED", "COMPLETED"], "COMPLETED"),
    ],
)
def test_get_variant_import_job_fail_sources(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
    patterns: tuple[str, ...],
    statuses: list[str],
    job_status: str,
) -> None:
    omics_emulator.backend.settings.fail_sources = patterns
    make_store()
    job_id = start_job("cohort", "s3://bucket/good.vcf", "s3://bucket/bad.vcf")
    clock.advance(4.0)
    job = omics_client.get_variant_import_job(jobId=job_id)
    assert job["status"] == job_status
    assert [i["jobStatus"] for i in job["items"]] == statuses
    for item in job["items"]:
        if item["jobStatus"] == "FAILED":
            assert item["source"] in item["statusMessage"]
            assert "fail_sources" in item["statusMessage"]
    completed = statuses.count("COMPLETED")
    assert omics_client.get_variant_store(name="cohort")["storeSizeBytes"] == completed * 1_048_576


def test_start_variant_import_job_role_unassumable_then_accepted(
    omics_emulator: EmulatorHandle,
    make_store: Callable[..., str],
    start_job: Callable[..., str],
    clock: FakeClock,
) -> None:
    omics_emulator.backend.settings.role_unassumable_seconds = 5.0
    make_store()
    with pytest.raises(ClientError) as exc:
        start_job()
    assert error_of(exc) == ("ValidationException", 400)
    assert "Unable to assume role" in exc.value.response["Error"]["Message"]
    clock.advance(4.9)
    with pytest.raises(ClientError):
        start_job()
    clock.advance(0.1)
    assert start_job()


def test_start_variant_import_job_role_unassumable_per_role(
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    make_store: Callable[..., str],
    clock: FakeClock,
) -> None:
    omics_emulator.backend.settings.role_unassumable_seconds = 5.0
    make_store()
    items = [{"source": "s3://bucket/a.vcf"}]
    with pytest.raises(ClientError):
        omics_client.start_variant_import_job(destinationName="cohort", roleArn=ROLE, items=items)
    clock.advance(5.0)
    other = ROLE + "-new"
    with pytest.raises(ClientError):  # first seen now: not assumable yet
        omics_client.start_variant_import_job(destinationName="cohort", roleArn=other, items=items)
    omics_client.start_variant_import_job(destinationName="cohort", roleArn=ROLE, items=items)


def test_backend_max_concurrent_jobs_zero_refuses_every_start(clock: FakeClock) -> None:
    backend = OmicsBackend(EmulatorSettings(max_concurrent_jobs=0, store_seconds=0), clock=clock)
    backend.create_variant_store("cohort", {"referenceArn": "arn:aws:omics:x"})
    from omics_emulator.exceptions import ServiceQuotaExceededException

    with pytest.raises(ServiceQuotaExceededException):
        backend.start_variant_import_job("cohort", ROLE, ["s3://bucket/a.vcf"])
