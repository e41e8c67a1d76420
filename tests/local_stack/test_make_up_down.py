"""`make up` / `make down` end to end: real moto and emulator, the Pulumi CLI's contract stand-in.

The stand-in `pulumi` (pulumi_cli_contract.py) is a contract of the CLI, not the engine: it
refuses what the CLI refuses and records every call, but its `up`/`destroy` deploy nothing. What
the provider does with the services is proven through the real plugin in tests/engine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.local_stack.harness import (
    LocalStackHarness,
    Outcome,
    TrackedFiles,
    listening,
    local_stack,
)

MOTO, OMICS = "moto", "omics-emulator"
DEPLOY = ["stack ls", "stack init", "up", "stack output"]


def test_make_up_on_fresh_clone_deploys_without_error_line_or_tracked_change(
    harness: LocalStackHarness, tracked: TrackedFiles, preferred_ports: dict[str, int]
) -> None:
    outcome = harness.make("up")

    assert outcome.returncode == 0, outcome.output
    assert outcome.error_lines() == []
    assert harness.commands() == DEPLOY
    services = outcome.services()
    assert all(listening(url) for url, _ in services.values())
    moto_url, omics_url = services[MOTO][0], services[OMICS][0]
    assert moto_url != f"http://127.0.0.1:{preferred_ports[MOTO]}"  # held by the test
    deployed = harness.invocations()[2]["config"]
    assert deployed["aws:endpoints"] == [{"iam": moto_url, "s3": moto_url, "sts": moto_url}]
    assert deployed["omics-variant-import:omicsEndpoint"] == omics_url
    assert tracked.changed() == []
    assert not (harness.home / ".pulumi").exists(), "make up changed the user's selected stack"


def test_make_up_twice_then_down_twice_stops_exactly_what_up_started(
    harness: LocalStackHarness,
) -> None:
    first = harness.make("up")
    second = harness.make("up")
    down = harness.make("down")
    again = harness.make("down")

    assert [first.returncode, second.returncode, down.returncode, again.returncode] == [0] * 4
    assert second.services() == first.services(), "the second up did not reuse the services"
    assert harness.commands() == [
        *DEPLOY,
        *["stack ls", "up", "stack output"],
        *["stack ls", "destroy", "stack rm"],
        "stack ls",
    ]
    for name, (url, pid) in first.services().items():
        assert f"stopped {name} (pid {pid})" in down.output
        assert not local_stack.pid_alive(pid) and not listening(url)
    assert "nothing to stop" in again.output
    assert not harness.stack_exists()


def test_make_up_when_pulumi_up_fails_leaves_no_service_running(
    harness: LocalStackHarness, tracked: TrackedFiles
) -> None:
    failed = harness.make("up", PULUMI_CONTRACT_FAIL="up")

    assert failed.returncode != 0
    started = failed.services()
    assert set(started) == {MOTO, OMICS}
    for name, (url, pid) in started.items():
        assert not local_stack.pid_alive(pid) and not listening(url), f"{name} still runs"
        assert f"stopped {name} (pid {pid})" in failed.output
    assert "make up: `pulumi up --stack local" in failed.output
    assert not harness.stack_exists()
    assert tracked.changed() == []
    down, again = harness.make("down"), harness.make("down")
    assert (down.returncode, again.returncode) == (0, 0)
    assert "nothing to stop" in down.output and "nothing to stop" in again.output


def test_make_up_on_ctrl_c_lets_pulumi_cancel_then_stops_services(
    harness: LocalStackHarness,
) -> None:
    make = harness.start_make("up", PULUMI_CONTRACT_HANG="up")
    try:
        wait_for(harness.contract_dir / "up.started")
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C reaches the terminal's whole process group
        output, _ = make.communicate(timeout=300)  # a hang guard: 60 s was reached under load
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)

    assert make.returncode != 0
    cancelled = json.loads((harness.contract_dir / "up.cancelled").read_text())
    assert cancelled == {"services_answered": True}, "services stopped while pulumi cancelled"
    interrupted = Outcome(make.returncode, output)
    for name, (url, pid) in interrupted.services().items():
        assert not local_stack.pid_alive(pid) and not listening(url), f"{name} still runs"
    assert "make up: interrupted" in output
    assert not harness.stack_exists()


def wait_for(path: Path) -> None:
    """Return once path exists (the stand-in is blocked), failing after 60 s."""
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_make_down_with_services_but_no_stack_stops_them(harness: LocalStackHarness) -> None:
    services, _ = local_stack.start_services(harness.paths)

    down = harness.make("down")

    assert down.returncode == 0, down.output
    assert down.error_lines() == []
    assert harness.commands() == [], "nothing to destroy, yet pulumi was called"
    for service in services.values():
        assert f"stopped {service.name} (pid {service.pid})" in down.output
        assert not local_stack.pid_alive(service.pid)


def test_make_down_when_services_died_forgets_stack(harness: LocalStackHarness) -> None:
    up = harness.make("up")
    for _, pid in up.services().values():
        local_stack.terminate(pid)  # as after a reboot

    down = harness.make("down")
    again = harness.make("down")

    assert (down.returncode, again.returncode) == (0, 0), down.output
    assert harness.commands()[len(DEPLOY) :] == ["stack ls", "stack rm", "stack ls"]
    assert "stack rm local --force" in down.output
    assert "moto (pid" in down.output and "was no longer running" in down.output
    assert not harness.stack_exists()
    assert "nothing to stop" in again.output


def test_make_down_when_destroy_fails_still_stops_services_and_forgets_stack(
    harness: LocalStackHarness,
) -> None:
    up = harness.make("up")

    down = harness.make("down", PULUMI_CONTRACT_FAIL="destroy")
    again = harness.make("down")

    assert (down.returncode, again.returncode) == (0, 0), down.output
    assert "pulumi destroy failed" in down.output
    for name, (url, pid) in up.services().items():
        assert f"stopped {name} (pid {pid})" in down.output
        assert not local_stack.pid_alive(pid) and not listening(url)
    assert not harness.stack_exists()
    assert "nothing to stop" in again.output


def test_make_up_ignores_the_users_own_passphrase(
    harness: LocalStackHarness, tracked: TrackedFiles
) -> None:
    secret = harness.home / "passphrase"
    secret.write_text("my own passphrase file\n")
    mine = {
        "PULUMI_CONFIG_PASSPHRASE": "my own passphrase",
        "PULUMI_CONFIG_PASSPHRASE_FILE": str(secret),
    }

    up = harness.make("up", **mine)

    assert up.returncode == 0, up.output
    assert tracked.changed() == []
    down = harness.make("down", **mine)
    assert down.returncode == 0, down.output
    assert all(call["passphrase_set"] for call in harness.invocations())
    assert not any(call["passphrase_file_set"] for call in harness.invocations())


def test_make_up_keeps_aws_settings_of_the_user_away_from_pulumi(
    harness: LocalStackHarness,
) -> None:
    up = harness.make("up", AWS_PROFILE="production", AWS_ENDPOINT_URL="https://example.invalid")

    assert up.returncode == 0, up.output
    expected = [
        "AWS_ACCESS_KEY_ID", "AWS_CONFIG_FILE", "AWS_SECRET_ACCESS_KEY",
        "AWS_SHARED_CREDENTIALS_FILE",
    ]  # fmt: skip
    assert all(call["aws_variables"] == expected for call in harness.invocations())


def test_make_down_with_nothing_started_calls_no_pulumi(harness: LocalStackHarness) -> None:
    down = harness.make("down")
    again = harness.make("down")

    assert (down.returncode, again.returncode) == (0, 0), down.output
    assert "nothing to stop" in down.output and "nothing to stop" in again.output
    assert harness.invocations() == []


def test_make_down_leaves_alone_a_recorded_pid_that_now_runs_something_else(
    harness: LocalStackHarness,
) -> None:
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        harness.paths.run_dir.mkdir()
        record = local_stack.Service(MOTO, stranger.pid, "http://127.0.0.1:1", ("moto", "-p", "1"))
        local_stack.write_record(record, harness.paths)

        down = harness.make("down")

        assert down.returncode == 0, down.output
        assert f"moto (pid {stranger.pid}) was no longer running" in down.output
        assert stranger.poll() is None, "make down killed a process it had not started"
        assert not harness.paths.record(MOTO).exists()
    finally:
        stranger.kill()
        stranger.wait()
