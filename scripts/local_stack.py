"""`make up` / `make down`: the local stack on loopback (moto, omics-emulator, a file backend)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import yaml

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".local-stack"
STATE_URL = f"file://{ROOT / '.pulumi-state'}"
STACK = "local"
STACK_FILE = ROOT / "stacks" / f"Pulumi.{STACK}.yaml"
SAMPLES_DIR = ROOT / "samples"
SAMPLES_BUCKET = "omics-variant-import-samples"
LOCAL_PASSPHRASE = "omics-local-stack"
"""The secrets passphrase of the local stack only (PULUMI_CONFIG_PASSPHRASE overrides it)."""
HOST = "127.0.0.1"
START_SECONDS = 30.0
STOP_SECONDS = 10.0
ENDPOINT_KEYS = {
    "aws:endpoints[0].iam": "moto",
    "aws:endpoints[0].s3": "moto",
    "aws:endpoints[0].sts": "moto",
    "omics-variant-import:omicsEndpoint": "omics-emulator",
}
"""Stack config paths (as `pulumi config set --path` takes them) and the service each names."""


@dataclass(frozen=True)
class Service:
    """A local service started by `make up`: its pid and URL are recorded in RUN_DIR."""

    name: str
    pid: int
    url: str


def port_is_free(port: int) -> bool:
    """True when a server could listen on the loopback port now (nothing else holds it)."""
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def free_port(preferred: int | None = None) -> int:
    """preferred when it is free, else a port the system picks."""
    if preferred and port_is_free(preferred):
        return preferred
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def pid_alive(pid: int) -> bool:
    """True when the process exists (a child that exited is reaped first)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recorded(name: str, run_dir: Path = RUN_DIR) -> Service | None:
    """The service recorded under name, if its process still runs and listens."""
    pid_file, url_file = run_dir / f"{name}.pid", run_dir / f"{name}.url"
    if not (pid_file.exists() and url_file.exists()):
        return None
    service = Service(name, int(pid_file.read_text()), url_file.read_text().strip())
    alive = pid_alive(service.pid) and not port_is_free(int(service.url.rsplit(":", 1)[1]))
    return service if alive else None


def start_service(
    name: str, argv: Sequence[str], port: int, run_dir: Path = RUN_DIR
) -> tuple[Service, bool]:
    """The running service name (reused if recorded and alive, else started); True if started."""
    existing = recorded(name, run_dir)
    if existing is not None:
        return existing, False
    run_dir.mkdir(parents=True, exist_ok=True)
    with (run_dir / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the terminal does not reach it
        )
    service = Service(name, process.pid, f"http://{HOST}:{port}")
    (run_dir / f"{name}.pid").write_text(str(service.pid))
    (run_dir / f"{name}.url").write_text(service.url)
    _wait_listening(service, port, run_dir)
    return service, True


def _wait_listening(service: Service, port: int, run_dir: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while port_is_free(port):
        if not pid_alive(service.pid) or time.monotonic() > deadline:
            stop_service(service.name, run_dir)
            log = (run_dir / f"{service.name}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{service.name} did not start on port {port}; its log:\n{log}")
        time.sleep(0.1)


def stop_service(name: str, run_dir: Path = RUN_DIR) -> bool:
    """Stop the process recorded under name (that pid only) and forget it; True if it ran."""
    pid_file = run_dir / f"{name}.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    was_alive = pid_alive(pid)
    if was_alive:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    for suffix in ("pid", "url"):
        (run_dir / f"{name}.{suffix}").unlink(missing_ok=True)
    return was_alive


def moto_argv(port: int) -> list[str]:
    """The command of a moto server (IAM, S3, STS, ...) on the loopback port."""
    return [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)]


def emulator_argv(
    port: int, s3_url: str, job_seconds: float = 5, store_seconds: float = 2
) -> list[str]:
    """The command of the omics-emulator on the port, checking sources against s3_url."""
    return [
        sys.executable, "-m", "omics_emulator.cli", "--host", HOST, "--port", str(port),
        "--s3-endpoint", s3_url, "--job-seconds", str(job_seconds),
        "--store-seconds", str(store_seconds),
    ]  # fmt: skip


def preferred_ports(stack_file: Path = STACK_FILE) -> dict[str, int]:
    """The port the stack file names for each service (used again when free)."""
    config = stack_config(stack_file)
    return {
        service: int(str(config[key]).rsplit(":", 1)[1]) for key, service in ENDPOINT_KEYS.items()
    }


def stack_config(stack_file: Path = STACK_FILE) -> dict[str, Any]:
    """The stack file's config, with `aws:endpoints[0].iam`-style keys for the endpoints."""
    config: dict[str, Any] = yaml.safe_load(stack_file.read_text())["config"]
    for service, url in (config.get("aws:endpoints") or [{}])[0].items():
        config[f"aws:endpoints[0].{service}"] = url
    return config


def start_services(
    run_dir: Path = RUN_DIR, stack_file: Path = STACK_FILE
) -> tuple[dict[str, Service], bool]:
    """moto and the emulator (reused when running); True when either had to be started."""
    ports = preferred_ports(stack_file)
    moto_port = free_port(ports["moto"])
    moto, moto_new = start_service("moto", moto_argv(moto_port), moto_port, run_dir)
    omics_port = free_port(ports["omics-emulator"])
    omics, omics_new = start_service(
        "omics-emulator", emulator_argv(omics_port, moto.url), omics_port, run_dir
    )
    return {"moto": moto, "omics-emulator": omics}, moto_new or omics_new


def s3_client(url: str) -> Any:
    """A boto3 S3 client on the moto server, with its dummy credentials."""
    return boto3.client(
        "s3", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip


def upload_samples(
    s3_url: str, samples_dir: Path = SAMPLES_DIR, bucket: str = SAMPLES_BUCKET
) -> list[str]:
    """Upload every sample VCF to s3://bucket/samples/ (idempotent); return their URIs."""
    client = s3_client(s3_url)
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)
    uris = []
    for path in sorted(samples_dir.glob("*.vcf*")):
        key = f"samples/{path.name}"
        client.upload_file(str(path), bucket, key)
        uris.append(f"s3://{bucket}/{key}")
    return uris


def endpoint_changes(services: dict[str, Service], stack_file: Path = STACK_FILE) -> dict[str, str]:
    """The endpoint config values that differ from the stack file (normally none)."""
    config = stack_config(stack_file)
    wanted = {key: services[service].url for key, service in ENDPOINT_KEYS.items()}
    return {key: url for key, url in wanted.items() if config.get(key) != url}


def pulumi_env() -> dict[str, str]:
    """The environment of the pulumi commands: file backend in the project, local passphrase,
    and moto's dummy credentials (the omics provider uses boto3's chain), so that no real AWS
    credentials or profile reach the local stack."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    env.update(PULUMI_BACKEND_URL=STATE_URL, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    env.setdefault("PULUMI_CONFIG_PASSPHRASE", LOCAL_PASSPHRASE)
    return env


def pulumi(*args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run `pulumi args...` in the project on the local backend, echoing the command."""
    print(f"$ pulumi {' '.join(args)}", flush=True)
    return subprocess.run(["pulumi", *args], cwd=ROOT, env=pulumi_env(), check=check)


def up() -> None:
    """Start the services, upload the samples, `pulumi up` the local stack, print its outputs."""
    services, restarted = start_services()
    for service in services.values():
        log = f".local-stack/{service.name}.log"
        print(f"{service.name}: {service.url} (pid {service.pid}, log {log})")
    print(
        f"uploaded {len(upload_samples(services['moto'].url))} samples to s3://{SAMPLES_BUCKET}/samples/"
    )
    if restarted and _stack_exists():
        # The resources of the old state lived in the memory of services that are gone.
        pulumi("stack", "rm", STACK, "--force", "--yes", "--preserve-config")
    pulumi("stack", "select", STACK, "--create", "--secrets-provider", "passphrase")
    for key, url in endpoint_changes(services).items():
        pulumi("config", "set", "--stack", STACK, "--path", key, url)
    pulumi("up", "--stack", STACK, "--yes")
    pulumi("stack", "output", "--stack", STACK)


def _stack_exists() -> bool:
    """True when the local backend holds the local stack."""
    return pulumi("stack", "select", STACK, check=False).returncode == 0


def down() -> None:
    """`pulumi destroy` the local stack, then stop exactly the services `up` started."""
    alive = all(recorded(name) for name in ("moto", "omics-emulator"))
    if alive:
        pulumi("destroy", "--stack", STACK, "--yes")
    elif _stack_exists():
        print("the local services are not running: their resources are gone; forgetting the state")
        pulumi("stack", "rm", STACK, "--force", "--yes", "--preserve-config")
    for name in ("omics-emulator", "moto"):
        if stop_service(name):
            print(f"stopped {name}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run `up` or `down`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "down"])
    args = parser.parse_args(argv)
    try:
        up() if args.command == "up" else down()
    except subprocess.CalledProcessError as error:
        print(
            f"local_stack {args.command}: {' '.join(map(str, error.cmd))} failed", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
