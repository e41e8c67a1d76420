"""The pieces of scripts/local_stack.py (`make up` / `make down`), with real moto and emulator."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from omics_emulator.pytest_plugin import make_omics_client
from tests.local_stack.harness import ROOT, local_stack
from tests.support.waiting import wait_until

REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"


@pytest.fixture
def paths(tmp_path: Path) -> Iterator[Any]:
    """A run directory whose recorded services are stopped after the test, whatever happens."""
    run = local_stack.Paths(tmp_path)
    yield run
    local_stack.stop_services(run)
    for record in tmp_path.glob("*.json"):
        local_stack.stop_service(record.stem, run)


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    """The tracked stack file with its ports moved to free ones, so that runs in parallel
    (pytest-xdist workers, another checkout's suite) never start two servers on one port."""
    text, fixed = local_stack.TRACKED_CONFIG.read_text(), local_stack.preferred_ports()
    with socket.socket() as moto, socket.socket() as omics:  # both held: two distinct ports
        moto.bind(("127.0.0.1", 0))
        omics.bind(("127.0.0.1", 0))
        for service, sock in (("moto", moto), ("omics-emulator", omics)):
            text = text.replace(f":{fixed[service]}", f":{sock.getsockname()[1]}")
    path = tmp_path / "Pulumi.local.yaml"
    path.write_text(text)
    assert set(local_stack.preferred_ports(path).values()).isdisjoint(fixed.values())
    return path


def test_free_port_prefers_given_port_when_free() -> None:
    port = local_stack.free_port()

    assert local_stack.free_port(port) == port


def test_free_port_picks_another_when_preferred_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert local_stack.free_port(port) != port


def test_start_services_records_them_and_reuses_live_ones(paths: Any, stack_file: Path) -> None:
    services, started = local_stack.start_services(paths, stack_file)
    again, started_again = local_stack.start_services(paths, stack_file)

    assert started is True and started_again is False
    assert again == services
    for service in services.values():
        assert local_stack.read_record(service.name, paths) == service
        assert local_stack.is_ours(service)
        assert not local_stack.port_is_free(service.port)


def test_start_services_restarts_both_when_one_died(paths: Any, stack_file: Path) -> None:
    services, _ = local_stack.start_services(paths, stack_file)
    local_stack.terminate(services["omics-emulator"].pid)

    again, started = local_stack.start_services(paths, stack_file)

    assert started is True
    assert not local_stack.pid_alive(services["moto"].pid), "the survivor was not stopped"
    assert all(local_stack.is_ours(service) for service in again.values())


def test_stop_service_stops_exactly_recorded_process(paths: Any, stack_file: Path) -> None:
    services, _ = local_stack.start_services(paths, stack_file)

    said = local_stack.stop_services(paths)

    assert said == [f"stopped {s.name} (pid {s.pid})" for s in reversed(services.values())]
    assert not any(local_stack.pid_alive(s.pid) for s in services.values())
    assert list(paths.run_dir.glob("*.json")) == []
    assert local_stack.stop_service("moto", paths) is None


def test_is_ours_refuses_a_pid_running_another_command(paths: Any, stack_file: Path) -> None:
    services, _ = local_stack.start_services(paths, stack_file)
    moto = services["moto"]
    impostor = local_stack.Service("moto", moto.pid, moto.url, ("something", "else"))

    assert local_stack.is_ours(moto)
    assert not local_stack.is_ours(impostor)


def test_start_service_reports_log_when_process_exits(paths: Any) -> None:
    argv = [sys.executable, "-c", "print('cannot start: boom')"]

    with pytest.raises(local_stack.ServiceFailed, match="cannot start: boom"):
        local_stack.start_service("broken", argv, local_stack.free_port(), paths)

    assert not paths.record("broken").exists()


def test_upload_samples_lets_emulator_import_them(paths: Any) -> None:
    moto_port, omics_port = local_stack.free_port(), local_stack.free_port()
    moto = local_stack.start_service("moto", local_stack.moto_argv(moto_port), moto_port, paths)
    argv = local_stack.emulator_argv(omics_port, moto.url, job_seconds=0.2, store_seconds=0.05)
    omics = local_stack.start_service("omics-emulator", argv, omics_port, paths)

    uris = local_stack.upload_samples(moto.url)
    assert local_stack.upload_samples(moto.url) == uris  # uploading again is fine

    listed = local_stack.s3_client(moto.url).list_objects_v2(Bucket=local_stack.SAMPLES_BUCKET)
    assert sorted(o["Key"] for o in listed["Contents"]) == [
        f"samples/{p.name}" for p in sorted((ROOT / "samples").glob("*.vcf*"))
    ]
    granted = import_role(moto.url, "samples-reader", f"{local_stack.SAMPLES_BUCKET}/samples/*")
    job = import_through(omics.url, uris, granted, store="samples")
    assert job["status"] == "COMPLETED", job
    elsewhere = import_role(moto.url, "elsewhere-reader", f"{local_stack.SAMPLES_BUCKET}/other/*")
    refused = import_through(omics.url, uris, elsewhere, store="refused")
    assert refused["status"] == "FAILED", refused  # the emulator checks the role's real grants


def import_role(moto_url: str, name: str, readable: str) -> str:
    """A role in moto's IAM allowed to read s3://readable (a key pattern); its ARN."""
    iam = boto3.client(
        "iam", endpoint_url=moto_url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": "omics.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{readable}"}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy(trust))["Role"]
    iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=policy(read))
    return str(role["Arn"])


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def import_through(url: str, uris: list[str], role_arn: str, store: str) -> Any:
    """Create a store on the emulator at url, import uris into it, return the finished job."""
    client = make_omics_client(url)
    client.create_variant_store(name=store, reference={"referenceArn": REFERENCE})
    wait_until(
        lambda: client.get_variant_store(name=store)["status"] == "ACTIVE", f"{store} ACTIVE"
    )
    job_id = client.start_variant_import_job(
        destinationName=store,
        roleArn=role_arn,
        items=[{"source": uri} for uri in uris],
    )["jobId"]
    wait_until(
        lambda: (
            client.get_variant_import_job(jobId=job_id)["status"]
            not in ("SUBMITTED", "IN_PROGRESS")
        ),
        "the import of the samples to finish",
    )
    return client.get_variant_import_job(jobId=job_id)


def test_emulator_argv_uses_the_console_script_of_this_environment() -> None:
    argv = local_stack.emulator_argv(1234, "http://127.0.0.1:1")

    assert argv[0] == str(Path(sys.executable).parent / "omics-emulator")
    assert argv[1:5] == ["--host", "127.0.0.1", "--port", "1234"]


def test_write_config_points_tracked_config_at_running_services(paths: Any) -> None:
    services = {
        "moto": local_stack.Service("moto", 1, "http://127.0.0.1:2001", ("m",)),
        "omics-emulator": local_stack.Service("omics-emulator", 2, "http://127.0.0.1:2002", ("o",)),
    }
    paths.run_dir.mkdir(exist_ok=True)
    tracked = yaml.safe_load(local_stack.TRACKED_CONFIG.read_text())

    written = yaml.safe_load(local_stack.write_config(services, paths).read_text())

    urls = {"iam": "http://127.0.0.1:2001", "s3": "http://127.0.0.1:2001"}
    assert written["config"]["aws:endpoints"] == [{**urls, "sts": "http://127.0.0.1:2001"}]
    assert written["config"][local_stack.OMICS_ENDPOINT_KEY] == "http://127.0.0.1:2002"
    assert written["encryptionsalt"] == tracked["encryptionsalt"]
    unchanged = {k: v for k, v in written["config"].items() if "ndpoint" not in k}
    assert unchanged == {k: v for k, v in tracked["config"].items() if "ndpoint" not in k}


def test_local_env_isolates_local_stack_from_users_settings(paths: Any) -> None:
    users = {
        "PATH": "/usr/bin",
        "PULUMI_CONFIG_PASSPHRASE": "mine",
        "PULUMI_CONFIG_PASSPHRASE_FILE": "/home/me/passphrase",
        "AWS_PROFILE": "production",
        "AWS_ENDPOINT_URL_S3": "https://s3.example.invalid",
        "AWS_SESSION_TOKEN": "token",
    }

    env = local_stack.local_env(paths, users)

    assert env["PULUMI_CONFIG_PASSPHRASE"] == local_stack.LOCAL_PASSPHRASE
    assert "PULUMI_CONFIG_PASSPHRASE_FILE" not in env
    assert env["PULUMI_BACKEND_URL"] == (paths.run_dir / "state").as_uri()
    assert {k: v for k, v in env.items() if k.startswith("AWS_")} == {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    assert env["PATH"] == "/usr/bin"


def test_local_env_puts_the_projects_uv_on_path(paths: Any, tmp_path: Path) -> None:
    uv = tmp_path / "tools" / "uv"
    uv.parent.mkdir()
    uv.write_text("")

    env = local_stack.local_env(paths, {"PATH": "/usr/bin", "UV": str(uv)})

    assert env["PATH"] == f"{uv.parent}{os.pathsep}/usr/bin"


def test_paths_from_env_default_to_local_stack_dir_in_project(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(local_stack.RUN_DIR_VARIABLE, raising=False)

    paths = local_stack.paths_from_env()

    assert paths.run_dir == ROOT / ".local-stack"
    assert paths.state_dir == ROOT / ".local-stack" / "state"
