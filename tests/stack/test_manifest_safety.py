"""Manifests stay inside the project: no file outside it is read, no content leaks in a message."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from omics_stack import StackConfigError
from omics_stack.cli import main
from omics_stack.config import parse_stack_config
from omics_stack.manifests import MAX_MANIFEST_BYTES
from tests.stack.conftest import REFERENCE, STACK, stack_file

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
TOKEN = "pul-" + "5f" * 20
ENVIRON = f"HOME=/root\0AWS_SECRET_ACCESS_KEY={SECRET}\0PULUMI_ACCESS_TOKEN={TOKEN}\0"


def declare_manifest(project: Path, manifest: str) -> None:
    """Make the test stack's one batch read manifest."""
    stack_file(project).write_text(
        "config:\n"
        "  omics-variant-import:storeName: cohort_store\n"
        f"  omics-variant-import:referenceArn: {REFERENCE}\n"
        "  omics-variant-import:imports:\n"
        f"    - name: june\n      manifest: {manifest}\n"
    )


def values(manifest: str) -> dict[str, Any]:
    """The program's values for a stack whose one batch reads manifest."""
    batch = {"name": "june", "manifest": manifest}
    return {"storeName": "cohort_store", "referenceArn": REFERENCE, "imports": [batch]}


def failures(project: Path, manifest: str) -> dict[str, str]:
    """What preview (the program's parse) says about the stack's manifest, by command."""
    declare_manifest(project, manifest)
    with pytest.raises(StackConfigError) as raised:
        parse_stack_config(values(manifest), project)
    return {"preview": str(raised.value)}


def command_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    return capsys.readouterr().err


def assert_leaks_nothing(text: str) -> None:
    assert SECRET not in text and SECRET[:12] not in text
    assert TOKEN not in text and "5f5f5f5f" not in text


@pytest.mark.parametrize("depth", [4, 12])
def test_a_manifest_outside_the_project_is_refused_by_preview_plan_and_verify(
    project: Path, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    manifest = "stacks/" + "../" * depth + "proc/self/environ"
    said = failures(project, manifest)
    said["verify"] = command_error(capsys, "verify", "--stack", STACK)
    said["plan"] = command_error(capsys, "plan", "--stack", STACK, "s3://bucket-a/in/")
    for text in said.values():
        assert f"{manifest} leads outside the project folder" in text
        assert "HOME=" not in text


def test_a_symlink_to_a_file_outside_the_project_is_refused(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "environ"
    outside.write_text(ENVIRON)
    (project / "stacks" / "june.txt").symlink_to(outside)
    said = failures(project, "stacks/june.txt")
    said["verify"] = command_error(capsys, "verify", "--stack", STACK)
    for text in said.values():
        assert "stacks/june.txt leads outside the project folder" in text
        assert_leaks_nothing(text)


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_manifest_that_is_no_regular_file_is_refused_without_reading_it(
    project: Path, kind: str
) -> None:
    path = project / "stacks" / "june.txt"
    path.mkdir() if kind == "folder" else os.mkfifo(path)
    said = failures(project, "stacks/june.txt")
    assert "stacks/june.txt is not a regular file" in said["preview"]


def test_a_manifest_larger_than_the_bound_is_refused(project: Path) -> None:
    path = project / "stacks" / "june.txt"
    path.write_text("s3://bucket-a/x.vcf\n" * (MAX_MANIFEST_BYTES // 20 + 1))
    said = failures(project, "stacks/june.txt")
    assert f"more than a manifest may ({MAX_MANIFEST_BYTES:,} bytes" in said["preview"]


@pytest.mark.parametrize(
    "content", [ENVIRON, f"s3://bucket-a/a.vcf\nAWS_SECRET_ACCESS_KEY={SECRET}\n{TOKEN}\n"]
)
def test_bad_manifest_lines_are_quoted_short_and_redacted(
    project: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    (project / "stacks" / "june.txt").write_text(content)
    said = failures(project, "stacks/june.txt")
    said["verify"] = command_error(capsys, "verify", "--stack", STACK)
    for text in said.values():
        assert "stacks/june.txt line" in text
        assert_leaks_nothing(text)
        assert len(text) < 1000


def test_a_manifest_inside_the_project_through_a_symlink_is_read(project: Path) -> None:
    (project / "lists").mkdir()
    (project / "lists" / "june.txt").write_text("s3://bucket-a/a.vcf\n")
    (project / "stacks" / "june.txt").symlink_to(project / "lists" / "june.txt")
    config = parse_stack_config(values("stacks/june.txt"), project)
    assert config.sources == ("s3://bucket-a/a.vcf",)
