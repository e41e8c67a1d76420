"""`make up` without the Pulumi CLI stops at once with one line saying where to get it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["up", "down"])
def test_make_target_without_pulumi_fails_fast_with_one_line(target: str, tmp_path: Path) -> None:
    before = local_stack_files()
    make = shutil.which("make")
    assert make is not None
    (tmp_path / "make").symlink_to(make)
    result = subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=ROOT,
        env={"PATH": str(tmp_path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1, lines
    assert "the Pulumi CLI is not on PATH" in lines[0]
    assert "https://www.pulumi.com/docs/iac/download-install/" in lines[0]
    assert local_stack_files() == before, "make started something before failing"


def local_stack_files() -> dict[str, float]:
    """The pid, url and log files make up writes, with their modification times."""
    run_dir = ROOT / ".local-stack"
    return {p.name: p.stat().st_mtime for p in run_dir.iterdir()} if run_dir.is_dir() else {}
