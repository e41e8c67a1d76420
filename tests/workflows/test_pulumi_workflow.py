"""The GitOps workflow: tests before Pulumi, a stack from a variable, deployments never dropped."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "pulumi.yml"
STACK_READY = ROOT / ".github" / "scripts" / "stack-ready.sh"
PINNED = re.compile(
    r"^\s*(?:-\s+)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$"
)


def workflow() -> dict[str, Any]:
    """The workflow as GitHub reads it (YAML's `on` key stays a string)."""
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    return loaded


def steps(job: str) -> list[dict[str, Any]]:
    """The steps of one job."""
    result: list[dict[str, Any]] = workflow()["jobs"][job]["steps"]
    return result


def pulumi_step(job: str) -> dict[str, Any]:
    """The job's pulumi/actions step."""
    (step,) = [s for s in steps(job) if s.get("uses", "").startswith("pulumi/actions@")]
    return step


def test_workflow_pins_every_action_to_a_commit_with_its_release() -> None:
    lines = [line for line in WORKFLOW.read_text().splitlines() if "uses:" in line]

    assert lines, "the workflow uses no action"
    unpinned = [line.strip() for line in lines if not PINNED.match(line)]
    assert unpinned == [], "pin each action as owner/repo@<40-hex commit> # vX.Y.Z"


def test_workflow_uses_pulumi_actions_v7() -> None:
    releases = [
        match.group(3)
        for line in WORKFLOW.read_text().splitlines()
        if "pulumi/actions@" in line and (match := PINNED.match(line))
    ]

    assert releases and all(release.startswith("v7.") for release in releases)


@pytest.mark.parametrize(("job", "command"), [("preview", "preview"), ("deploy", "up")])
def test_pulumi_step_upserts_the_stack_named_by_the_variable(job: str, command: str) -> None:
    step = pulumi_step(job)

    assert step["with"]["command"] == command
    assert step["with"]["stack-name"] == "${{ vars.PULUMI_STACK }}"
    assert step["with"]["upsert"] is True
    assert step["if"] == "steps.stack.outputs.ready == 'true'"


@pytest.mark.parametrize("job", ["preview", "deploy"])
def test_job_runs_make_test_before_pulumi_and_the_stack_check(job: str) -> None:
    runs = [step.get("run", "") for step in steps(job)]
    uses = [step.get("uses", "") for step in steps(job)]

    test_at = runs.index("make test")
    check_at = next(i for i, step in enumerate(steps(job)) if step.get("id") == "stack")
    pulumi_at = next(i for i, action in enumerate(uses) if action.startswith("pulumi/actions@"))
    credentials_at = next(
        i for i, action in enumerate(uses) if "configure-aws-credentials" in action
    )
    assert test_at < check_at < credentials_at < pulumi_at
    assert not any("pip install" in run or "venv" in run for run in runs), "a second environment"


def test_workflow_keeps_the_lock_file_for_every_uv_sync() -> None:
    assert workflow()["env"]["UV_LOCKED"] == "1"


def test_previews_and_deployments_never_share_a_concurrency_group() -> None:
    jobs = workflow()["jobs"]

    preview, deploy = jobs["preview"]["concurrency"], jobs["deploy"]["concurrency"]
    assert "concurrency" not in workflow()
    assert preview["group"].startswith("pulumi-preview-")
    assert deploy["group"].startswith("pulumi-deploy-")
    assert deploy["cancel-in-progress"] is False
    assert jobs["preview"]["if"] == "github.event_name == 'pull_request'"
    assert "github.event_name == 'push'" in jobs["deploy"]["if"]


def test_only_the_preview_may_comment_on_pull_requests() -> None:
    jobs = workflow()["jobs"]

    assert workflow()["permissions"] == {}
    assert "pull-requests" not in jobs["deploy"]["permissions"]
    assert jobs["preview"]["permissions"]["pull-requests"] == "write"


def run_stack_ready(tmp_path: Path, stack: str | None) -> tuple[int, str, str]:
    """Run the stack check in a copy of stacks/: (exit code, its output file, what it printed)."""
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks", dirs_exist_ok=True)
    output = tmp_path / "github_output"
    output.touch()
    env = {"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output)}
    if stack is not None:
        env["PULUMI_STACK"] = stack
    result = subprocess.run(
        ["bash", str(STACK_READY)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    return result.returncode, output.read_text(), result.stdout + result.stderr


@pytest.mark.parametrize("stack", [None, ""])
def test_stack_ready_without_variable_skips_pulumi(tmp_path: Path, stack: str | None) -> None:
    code, output, said = run_stack_ready(tmp_path, stack)

    assert (code, output) == (0, "ready=false\n")
    assert "::notice::The repository variable PULUMI_STACK is not set" in said


@pytest.mark.parametrize(
    ("stack", "message"),
    [
        ("dev", "still holds example values"),
        ("prod", "stacks/Pulumi.prod.yaml does not exist"),
        ("../dev", "is not a stack name"),
    ],
)
def test_stack_ready_refuses_stack_without_real_values(
    tmp_path: Path, stack: str, message: str
) -> None:
    code, output, said = run_stack_ready(tmp_path, stack)

    assert (code, output) == (1, "")
    assert message in said


def test_stack_ready_accepts_a_filled_in_copy_of_the_example(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    example = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
    filled = "\n".join(
        line
        if line.lstrip().startswith("#")
        else line.replace("123456789012", "210987654321").replace("my-genomics-bucket", "lab-vcf")
        for line in example.splitlines()
    )
    (tmp_path / "stacks" / "Pulumi.prod.yaml").write_text(filled)

    code, output, _ = run_stack_ready(tmp_path, "prod")

    assert (code, output) == (0, "ready=true\n")
