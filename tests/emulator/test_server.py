"""The in-process handle: URL, counters, stop frees the port, restart keeps the state."""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import EndpointConnectionError

from omics_emulator import EmulatorSettings, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from tests.emulator.conftest import REFERENCE, ROLE


def port_open(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=1).close()
    except OSError:
        return False
    return True


def test_start_emulator_url_names_bound_port() -> None:
    with start_emulator(EmulatorSettings(), host="127.0.0.1", port=0) as emu:
        assert emu.url == f"http://127.0.0.1:{emu.port}"
        assert emu.port > 0
        assert port_open(emu.url)


def test_stop_frees_port_connection_refused() -> None:
    emu = start_emulator(EmulatorSettings())
    client = make_omics_client(emu.url, retries={"total_max_attempts": 1})
    client.list_variant_stores()  # a pooled keep-alive connection now exists
    emu.stop()
    assert not port_open(emu.url)
    with pytest.raises(EndpointConnectionError):
        client.list_variant_stores()
    emu.stop()  # idempotent


def test_restart_same_port_same_state() -> None:
    emu = start_emulator(EmulatorSettings())
    port = emu.port
    client = make_omics_client(emu.url, retries={"total_max_attempts": 1})
    client.create_variant_store(name="cohort", reference=REFERENCE)
    emu.stop()
    emu.restart()
    try:
        assert emu.port == port
        assert client.get_variant_store(name="cohort")["name"] == "cohort"
    finally:
        emu.stop()


def test_real_time_job_lifecycle_with_fast_settings() -> None:
    settings = EmulatorSettings(store_seconds=0.05, job_seconds=0.2)
    with start_emulator(settings) as emu:
        client: Any = make_omics_client(emu.url)
        client.create_variant_store(name="cohort", reference=REFERENCE)
        time.sleep(0.06)
        job_id = client.start_variant_import_job(
            destinationName="cohort", roleArn=ROLE, items=[{"source": "s3://bucket/a.vcf"}]
        )["jobId"]
        time.sleep(0.21)
        assert client.get_variant_import_job(jobId=job_id)["status"] == "COMPLETED"


def test_request_count_counts_per_operation() -> None:
    with start_emulator(EmulatorSettings()) as emu:
        client: Any = make_omics_client(emu.url)
        client.list_variant_stores()
        client.list_variant_stores()
        client.list_variant_import_jobs()
        assert emu.backend.request_count() == 3
        assert emu.backend.requests_by_operation() == {
            "ListVariantStores": 2,
            "ListVariantImportJobs": 1,
        }
        emu.backend.reset_counters()
        assert emu.backend.request_count() == 0


def test_omics_emulator_fixture_serves_with_fast_timings(omics_emulator: Any) -> None:
    assert omics_emulator.running
    assert omics_emulator.backend.settings.max_concurrent_jobs == 5


def test_list_variant_stores_via_aws_endpoint_url_omics(
    omics_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from botocore.config import Config

    monkeypatch.setenv("AWS_ENDPOINT_URL_OMICS", omics_emulator.url)
    client: Any = boto3.client(
        "omics",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(inject_host_prefix=False),
    )
    assert client.list_variant_stores()["variantStores"] == []
    assert omics_emulator.backend.requests_by_operation() == {"ListVariantStores": 1}
