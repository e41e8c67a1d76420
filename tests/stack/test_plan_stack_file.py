"""plan and the stack file: one plan at a time, symlinks followed, read-only and secure values."""

from __future__ import annotations

import difflib
import fcntl
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from omics_stack import delivery, stack_file
from omics_stack.atomic import write_files
from omics_stack.cli import main
from omics_stack.stack_file import locate, read_stack, stack_file_lock
from tests.stack.conftest import REFERENCE, STACK, put
from tests.stack.conftest import stack_file as stack_path

CONDITION_SECONDS = 60
"""An upper bound for waiting on a condition; reaching it is a failure, never a pass."""


def batch_names(project: Path) -> list[str]:
    stack = read_stack(locate(STACK, None, project))
    return [str(batch["name"]) for batch in stack.values()["imports"]]


def only_insertions(before: str, after: str) -> bool:
    matcher = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True))
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def plan_status(bucket: str, prefix: str) -> int:
    return main(["plan", "--stack", STACK, f"s3://{bucket}/{prefix}/"])


def test_two_plans_at_once_keep_both_batches(
    project: Path, s3: Any, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(s3, bucket, "june/a.vcf", "july/b.vcf")
    first_writing, first_may_write = threading.Event(), threading.Event()
    second_waits, second_done = threading.Event(), threading.Event()
    flock = fcntl.flock

    def write_held(*args: Any) -> None:
        if not first_writing.is_set():  # the first plan to write pauses just before writing
            first_writing.set()
            assert first_may_write.wait(CONDITION_SECONDS)
        write_files(*args)

    def flock_watched(descriptor: int, operation: int) -> None:
        try:
            flock(descriptor, operation)
        except BlockingIOError:
            second_waits.set()
            raise

    monkeypatch.setattr(delivery, "write_files", write_held)
    monkeypatch.setattr(fcntl, "flock", flock_watched)
    statuses: dict[str, int] = {}

    def run(prefix: str, done: threading.Event | None = None) -> None:
        statuses[prefix] = plan_status(bucket, prefix)
        if done is not None:
            done.set()

    first = threading.Thread(target=run, args=("june",))
    first.start()
    assert first_writing.wait(CONDITION_SECONDS)  # the first has read the stack file
    second = threading.Thread(target=run, args=("july", second_done))
    second.start()
    for _ in range(CONDITION_SECONDS * 20):  # until the second waits for the lock, or is done
        if second_waits.wait(0.05) or second_done.is_set():
            break
    first_may_write.set()
    first.join(CONDITION_SECONDS)
    second.join(CONDITION_SECONDS)

    assert statuses == {"june": 0, "july": 0}
    assert batch_names(project) == ["hand-written", "june-001", "july-001"]


def test_plan_waits_briefly_for_another_plan_then_fails_writing_nothing(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put(s3, bucket, "june/a.vcf")
    before = stack_path(project).read_bytes()
    with stack_file_lock(locate(STACK, None, project)):
        stack_file.LOCK_WAIT_SECONDS, wait = 0.2, stack_file.LOCK_WAIT_SECONDS
        try:
            assert plan_status(bucket, "june") == 2
        finally:
            stack_file.LOCK_WAIT_SECONDS = wait
    error = capsys.readouterr().err
    assert "another plan is adding batches to" in error and "nothing was written" in error
    assert stack_path(project).read_bytes() == before
    assert not (project / "stacks" / "manifests").exists()


def test_plan_edits_a_symlinked_stack_file_through_the_link(
    project: Path, s3: Any, bucket: str
) -> None:
    put(s3, bucket, "june/a.vcf")
    real = project / "config" / "prod.yaml"
    real.parent.mkdir()
    stack_path(project).rename(real)
    stack_path(project).symlink_to(Path("..") / "config" / "prod.yaml")

    assert plan_status(bucket, "june") == 0

    assert stack_path(project).is_symlink()
    assert "name: june-001" in real.read_text()
    assert [p.name for p in (project / "config").iterdir()] == ["prod.yaml"]  # no stray file


def test_plan_refuses_a_read_only_stack_file(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put(s3, bucket, "june/a.vcf")
    path = stack_path(project)
    before = path.read_bytes()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)

    assert plan_status(bucket, "june") == 2

    assert f"stack file {path} is read-only" in capsys.readouterr().err
    assert path.read_bytes() == before and not os.access(path.parent / "manifests", os.F_OK)
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


SECURE_STACK = """\
---
# secure values and document markers: kept byte for byte, never read by plan or verify
config:
  aws:region: us-east-1
  omics-variant-import:storeName:
    secure: v1:c3RvcmVuYW1l
  omics-variant-import:referenceArn: REFERENCE
  omics-variant-import:existingRoleArn:
    secure: v1:AAABAMz1Vb3uSWVJ1ow7
  github:token:
    secure: v1:AAABAHGkLDnQSqZm
  omics-variant-import:imports:
    - name: hand-written
      sources:
        - s3://BUCKET/old/one.vcf
...
"""


def test_plan_and_verify_keep_secure_values_and_document_markers(
    project: Path, s3: Any, bucket: str
) -> None:
    put(s3, bucket, "june/a.vcf", "old/one.vcf")
    before = SECURE_STACK.replace("REFERENCE", REFERENCE).replace("BUCKET", bucket)
    stack_path(project).write_text(before)

    assert plan_status(bucket, "june") == 0

    after = stack_path(project).read_text()
    assert only_insertions(before, after) and after.endswith("...\n")
    assert "    - name: june-001\n" in after
    assert batch_names(project) == ["hand-written", "june-001"]
    assert main(["verify", "--stack", STACK]) == 0
