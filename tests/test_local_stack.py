"""The pieces of scripts/local_stack.py (`make up` / `make down`), with real moto and emulator."""

from __future__ import annotations

import importlib.util
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from omics_emulator.pytest_plugin import make_omics_client

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "local_stack", ROOT / "scripts" / "local_stack.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


local_stack = load_script()


@pytest.fixture
def run_dir(tmp_path: Path) -> Iterator[Path]:
    """A run directory whose recorded services are stopped after the test, whatever happens."""
    yield tmp_path
    for pid_file in tmp_path.glob("*.pid"):
        local_stack.stop_service(pid_file.stem, tmp_path)


def test_free_port_prefers_given_port_when_free() -> None:
    port = local_stack.free_port()

    assert local_stack.free_port(port) == port


def test_free_port_picks_another_when_preferred_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert local_stack.free_port(port) != port


def test_start_services_records_pids_and_reuses_live_ones(run_dir: Path) -> None:
    services, started = local_stack.start_services(run_dir)
    again, started_again = local_stack.start_services(run_dir)

    assert started is True and started_again is False
    assert again == services
    for service in services.values():
        assert (run_dir / f"{service.name}.pid").read_text() == str(service.pid)
        assert local_stack.pid_alive(service.pid)
        assert not local_stack.port_is_free(int(service.url.rsplit(":", 1)[1]))


def test_stop_service_stops_exactly_recorded_process(run_dir: Path) -> None:
    services, _ = local_stack.start_services(run_dir)

    stopped = [local_stack.stop_service(name, run_dir) for name in services]

    assert stopped == [True, True]
    assert not any(local_stack.pid_alive(s.pid) for s in services.values())
    assert list(run_dir.glob("*.pid")) == []
    assert local_stack.stop_service("moto", run_dir) is False


def test_start_service_reports_log_when_process_exits(run_dir: Path) -> None:
    argv = [sys.executable, "-c", "print('cannot start: boom')"]

    with pytest.raises(RuntimeError, match="cannot start: boom"):
        local_stack.start_service("broken", argv, local_stack.free_port(), run_dir)

    assert not (run_dir / "broken.pid").exists()


def test_upload_samples_lets_emulator_import_them(run_dir: Path) -> None:
    moto_port, omics_port = local_stack.free_port(), local_stack.free_port()
    moto, _ = local_stack.start_service(
        "moto", local_stack.moto_argv(moto_port), moto_port, run_dir
    )
    argv = local_stack.emulator_argv(omics_port, moto.url, job_seconds=0.2, store_seconds=0.05)
    omics, _ = local_stack.start_service("omics-emulator", argv, omics_port, run_dir)

    uris = local_stack.upload_samples(moto.url)
    assert local_stack.upload_samples(moto.url) == uris  # uploading again is fine

    listed = local_stack.s3_client(moto.url).list_objects_v2(Bucket=local_stack.SAMPLES_BUCKET)
    assert sorted(o["Key"] for o in listed["Contents"]) == [
        f"samples/{p.name}" for p in sorted((ROOT / "samples").glob("*.vcf*"))
    ]
    job = import_through(omics.url, uris)
    assert job["status"] == "COMPLETED", job


def import_through(url: str, uris: list[str]) -> Any:
    """Create a store on the emulator at url, import uris into it, return the finished job."""
    client = make_omics_client(url)
    client.create_variant_store(name="samples", reference={"referenceArn": REFERENCE})
    time.sleep(0.2)
    job_id = client.start_variant_import_job(
        destinationName="samples",
        roleArn="arn:aws:iam::123456789012:role/omics-import",
        items=[{"source": uri} for uri in uris],
    )["jobId"]
    for _ in range(100):
        job = client.get_variant_import_job(jobId=job_id)
        if job["status"] not in ("SUBMITTED", "IN_PROGRESS"):
            return job
        time.sleep(0.05)
    raise AssertionError("the import of the samples did not finish")


def test_endpoint_changes_lists_only_urls_that_differ() -> None:
    ports = local_stack.preferred_ports()
    services = {
        "moto": local_stack.Service("moto", 1, f"http://127.0.0.1:{ports['moto']}"),
        "omics-emulator": local_stack.Service("omics-emulator", 2, "http://127.0.0.1:1234"),
    }

    changes = local_stack.endpoint_changes(services)

    assert changes == {"omics-variant-import:omicsEndpoint": "http://127.0.0.1:1234"}


@pytest.mark.parametrize(("existing", "expected"), [(None, "omics-local-stack"), ("mine", "mine")])
def test_pulumi_env_isolates_local_stack_and_respects_passphrase(
    monkeypatch: pytest.MonkeyPatch, existing: str | None, expected: str
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.setenv("AWS_PROFILE", "production")
    if existing is not None:
        monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", existing)

    env = local_stack.pulumi_env()

    assert env["PULUMI_CONFIG_PASSPHRASE"] == expected
    assert env["PULUMI_BACKEND_URL"] == f"file://{ROOT / '.pulumi-state'}"
    assert (env["AWS_ACCESS_KEY_ID"], "AWS_PROFILE" in env) == ("test", False)
