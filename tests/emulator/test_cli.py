"""The omics-emulator command as a subprocess: the ready line, serving, signals, bad flags."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from omics_emulator import EmulatorSettings
from omics_emulator.pytest_plugin import make_omics_client

READY = re.compile(r"omics-emulator listening on http://127\.0\.0\.1:(\d+)\n")
SCRIPT = Path(sys.executable).with_name("omics-emulator")


def launch(*args: str) -> subprocess.Popen[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "omics_emulator.cli"]
    return subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


@pytest.fixture
def emulator_process() -> Iterator[subprocess.Popen[str]]:
    process = launch(
        "--port",
        "0",
        "--job-seconds",
        "0.1",
        "--seed",
        "1",
        "--fail-sources",
        "*/bad*",
        "--fail-sources",
        "*/worse*",
    )
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def ready_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    found = READY.fullmatch(line)
    assert found, f"unexpected first line {line!r}"
    return f"http://127.0.0.1:{found.group(1)}"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_then_exits_zero_on_signal(
    emulator_process: subprocess.Popen[str], signum: int
) -> None:
    url = ready_url(emulator_process)
    client: Any = make_omics_client(url, retries={"total_max_attempts": 1})
    assert client.list_variant_stores()["variantStores"] == []
    emulator_process.send_signal(signum)
    stdout, _ = emulator_process.communicate(timeout=10)
    assert emulator_process.returncode == 0
    assert stdout == ""  # exactly one line was printed


def test_cli_port_zero_prints_chosen_port(emulator_process: subprocess.Popen[str]) -> None:
    url = ready_url(emulator_process)
    assert int(url.rsplit(":", 1)[1]) > 0


@pytest.mark.parametrize(
    "args",
    [
        ["--throttle-rate", "1.5"],
        ["--error-rate", "-0.1"],
        ["--store-seconds", "-1"],
        ["--max-concurrent-jobs", "many"],
        ["--port", "70000"],
        ["--seed", "x"],
        ["--no-such-flag"],
        ["--cancel-seconds", "nan"],
        ["--job-seconds", "inf"],
        ["--idle-timeout-seconds", "0"],
        ["--max-files-per-job", "-1"],
    ],
)
def test_cli_bad_flag_argparse_error(args: list[str]) -> None:
    process = launch(*args)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 2
    assert "error:" in stderr
    assert stdout == ""


def test_cli_settings_from_flags() -> None:
    from omics_emulator.cli import build_parser, settings_from

    args = build_parser().parse_args(
        [
            "--store-seconds",
            "2",
            "--job-seconds",
            "3",
            "--s3-endpoint",
            "http://s3",
            "--throttle-rate",
            "0.1",
            "--error-rate",
            "0.2",
            "--max-concurrent-jobs",
            "7",
            "--fail-sources",
            "a*",
            "--fail-sources",
            "b*",
            "--role-unassumable-seconds",
            "4",
            "--seed",
            "9",
            "--cancel-seconds",
            "5",
            "--max-files-per-job",
            "50",
            "--idle-timeout-seconds",
            "6",
        ]
    )
    settings = settings_from(args)
    assert (settings.store_seconds, settings.job_seconds, settings.s3_endpoint) == (
        2,
        3,
        "http://s3",
    )
    assert (settings.throttle_rate, settings.error_rate, settings.max_concurrent_jobs) == (
        0.1,
        0.2,
        7,
    )
    assert (settings.fail_sources, settings.role_unassumable_seconds, settings.seed) == (
        ("a*", "b*"),
        4,
        9,
    )
    assert (
        settings.cancel_seconds,
        settings.max_files_per_job,
        settings.idle_timeout_seconds,
    ) == (5, 50, 6)


def option_helps(help_text: str) -> dict[str, str]:
    """Each long option of a --help text with its help, wrapped lines joined."""
    options = help_text.split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    blocks = re.split(r"\n(?=  -)", options)
    return {
        re.findall(r"--[a-z0-9-]+", block)[0]: " ".join(block.split())
        for block in blocks
        if "--help" not in block
    }


def test_cli_help_states_every_default() -> None:
    process = launch("--help")
    stdout, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    helps = option_helps(stdout)
    assert {f"--{f.name.replace('_', '-')}" for f in fields(EmulatorSettings)} <= set(helps)
    missing = [option for option, text in helps.items() if "(default: " not in text]
    assert not missing, f"options whose help hides the default: {missing}"
    for field in fields(EmulatorSettings):
        default = getattr(EmulatorSettings(), field.name)
        if isinstance(default, int | float) and not isinstance(default, bool):
            assert f"(default: {default})" in helps[f"--{field.name.replace('_', '-')}"]


def test_cli_help_shows_how_to_explore_and_connect_any_client() -> None:
    process = launch("--help")
    stdout, _ = process.communicate(timeout=20)
    assert "--job-seconds 30" in stdout
    assert "AWS_ENDPOINT_URL_OMICS=" in stdout
    assert "AWS_DISABLE_HOST_PREFIX_INJECTION=true" in stdout
    assert "disableHostPrefix: true" in stdout


def test_docs_table_lists_every_flag_with_its_default() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "emulator.md").read_text()
    for field in fields(EmulatorSettings):
        flag = f"`--{field.name.replace('_', '-')}`"
        default = getattr(EmulatorSettings(), field.name)
        shown = "none" if default in (None, ()) else str(default)
        assert re.search(rf"\| {re.escape(flag)} \| {re.escape(shown)}\b", docs), flag
