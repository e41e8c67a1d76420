"""`omics-variant-import plan` against a moto S3 server (and the emulator for --store)."""

from __future__ import annotations

import difflib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_stack import delivery
from omics_stack.cli import main
from omics_stack.config import StackConfig, parse_stack_config
from omics_stack.delivery import PlanRequest, plan
from omics_stack.errors import CommandError
from omics_stack.s3 import S3Location, s3_client
from omics_stack.stack_file import StackFile, locate, read_stack
from tests.stack.conftest import REFERENCE, STACK, STACK_TEXT, put, stack_file


def run(*argv: str) -> int:
    """The command's exit status for argv (its output goes to capsys)."""
    return main(list(argv))


def stack_config(project: Path) -> tuple[StackFile, StackConfig]:
    """The test stack as plan leaves it, validated by the schema (overlaps included)."""
    stack = read_stack(locate(STACK, None, project))
    return stack, parse_stack_config(stack.values(), project)


def only_insertions(before: str, after: str) -> bool:
    """True when after is before with lines added and none changed or removed."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True))
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def test_plan_adds_balanced_batches_of_undeclared_vcf_files_in_manifests(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    uris = put(s3, bucket, *(f"vcf/2024-06/p{i}.vcf.gz" for i in range(5)))
    put(s3, bucket, "vcf/2024-06/p0.vcf.gz.tbi", "vcf/2024-06/notes.txt")

    status = run("plan", "--stack", STACK, "--batch-size", "2", f"s3://{bucket}/vcf/2024-06/")

    assert status == 0
    _, config = stack_config(project)
    new = config.imports[1:]
    assert [b.name for b in new] == ["vcf-2024-06-001", "vcf-2024-06-002", "vcf-2024-06-003"]
    assert [len(b.sources) for b in new] == [1, 2, 2]
    assert [s for b in new for s in b.sources] == uris
    assert new[0].manifest == "stacks/manifests/test/vcf-2024-06-001.txt"
    out = capsys.readouterr().out
    assert "5 new file(s) in 3 batch(es)" in out
    assert "left out 1 not .vcf/.vcf.gz (.tbi), 1 not .vcf/.vcf.gz (.txt)" in out


def test_plan_keeps_every_existing_byte_of_the_stack_file(
    project: Path, s3: Any, bucket: str
) -> None:
    put(s3, bucket, "in/a.vcf", "in/b.vcf")

    run("plan", "--stack", STACK, f"s3://{bucket}/in/")

    after = stack_file(project).read_text()
    assert after != STACK_TEXT
    assert only_insertions(STACK_TEXT, after)
    assert after.index("    - name: in-001") < after.index("  # The last key, after the batches.")


def test_plan_run_twice_adds_nothing_the_second_time(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put(s3, bucket, "in/a.vcf", "in/b.vcf")
    run("plan", "--stack", STACK, f"s3://{bucket}/in/")
    before = stack_file(project).read_bytes()
    manifests = sorted((project / "stacks" / "manifests").rglob("*"))
    capsys.readouterr()

    status = run("plan", "--stack", STACK, f"s3://{bucket}/in/")

    assert status == 0
    assert stack_file(project).read_bytes() == before
    assert sorted((project / "stacks" / "manifests").rglob("*")) == manifests
    assert "0 new file(s)" in capsys.readouterr().out


def test_plan_new_files_under_the_same_prefix_become_a_new_batch(
    project: Path, s3: Any, bucket: str
) -> None:
    first = put(s3, bucket, "in/a.vcf", "in/b.vcf")
    run("plan", "--stack", STACK, f"s3://{bucket}/in/")
    later = put(s3, bucket, "in/c.vcf", "in/0-early-name.vcf")

    run("plan", "--stack", STACK, f"s3://{bucket}/in/")

    _, config = stack_config(project)
    assert [(b.name, b.sources) for b in config.imports[1:]] == [
        ("in-001", tuple(first)),
        ("in-002", tuple(sorted(later))),
    ]


def test_plan_leaves_out_files_declared_by_hand_and_listed_twice(
    project: Path, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    s3.create_bucket(Bucket="other-bucket")
    put(s3, "other-bucket", "old/one.vcf", "old/two.vcf")

    run("plan", "--stack", STACK, "s3://other-bucket/old/", "s3://other-bucket/")

    _, config = stack_config(project)
    assert [b.sources for b in config.imports[1:]] == [("s3://other-bucket/old/two.vcf",)]
    out = capsys.readouterr().out
    assert "1 already in a batch of this stack" in out
    assert "2 listed again (under two of the prefixes given)" in out


@pytest.mark.parametrize(
    ("flag", "undeclared", "status"),
    [("--check", True, 1), ("--check", False, 0), ("--dry-run", True, 0)],
)
def test_plan_check_and_dry_run_write_nothing(
    project: Path, s3: Any, bucket: str, flag: str, undeclared: bool, status: int
) -> None:
    put(s3, bucket, "in/a.vcf")
    if not undeclared:
        run("plan", "--stack", STACK, f"s3://{bucket}/in/")
    before = stack_file(project).read_bytes()
    files = sorted(project.rglob("*"))

    assert run("plan", "--stack", STACK, flag, f"s3://{bucket}/in/") == status

    assert stack_file(project).read_bytes() == before
    assert sorted(project.rglob("*")) == files


def test_plan_adds_imports_key_when_the_stack_has_none(project: Path, s3: Any, bucket: str) -> None:
    text = "config:\n  omics-variant-import:storeName: s_one\n  omics-variant-import:referenceArn: "
    text += STACK_TEXT.split("referenceArn: ")[1].split("\n")[0] + "\n# trailing comment\n"
    stack_file(project).write_text(text)
    put(s3, bucket, "in/a.vcf")

    assert run("plan", "--stack", STACK, f"s3://{bucket}/in/") == 0

    after = stack_file(project).read_text()
    assert only_insertions(text, after)
    assert after.endswith(
        "  omics-variant-import:imports:\n"
        "    - name: in-001\n"
        "      manifest: stacks/manifests/test/in-001.txt\n"
        "# trailing comment\n"
    )


def test_plan_refuses_to_overwrite_a_manifest_no_batch_names(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    put(s3, bucket, "in/a.vcf")
    foreign = project / "stacks" / "manifests" / STACK / "in-001.txt"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("s3://elsewhere/x.vcf\n")

    assert run("plan", "--stack", STACK, f"s3://{bucket}/in/") == 2

    assert stack_file(project).read_text() == STACK_TEXT
    assert foreign.read_text() == "s3://elsewhere/x.vcf\n"
    assert "stacks/manifests/test/in-001.txt already exists" in capsys.readouterr().err


BAD_YAML = "config:\n  omics-variant-import:storeName: [unclosed\n"
BAD_SCHEMA = STACK_TEXT.replace("waitForCompletion: true", "waitForCompletio: true")


@pytest.mark.parametrize(
    ("stack_text", "prefix", "message"),
    [
        (None, "bucket/in/", "'bucket/in/' is not an S3 URI; write an S3 prefix as s3://"),
        (None, "s3://Bad_Bucket/in/", "does not name a valid bucket ('Bad_Bucket'"),
        (None, "s3://no-such-bucket-here/in/", "bucket 'no-such-bucket-here' does not exist"),
        (BAD_YAML, "s3://BUCKET/in/", "Pulumi.test.yaml is not valid YAML: "),
        (BAD_SCHEMA, "s3://BUCKET/in/", "omics-variant-import:waitForCompletio: is not a key"),
        ("# empty\n", "s3://BUCKET/in/", "has no `config:` map"),
    ],
)
def test_plan_error_is_one_line_and_leaves_the_stack_file_untouched(
    project: Path,
    s3: Any,
    bucket: str,
    capsys: pytest.CaptureFixture[str],
    stack_text: str | None,
    prefix: str,
    message: str,
) -> None:
    if stack_text is not None:
        stack_file(project).write_text(stack_text)
    before = stack_file(project).read_bytes()
    put(s3, bucket, "in/a.vcf")

    status = run("plan", "--stack", STACK, prefix.replace("BUCKET", bucket))

    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("omics-variant-import plan: error: ")
    assert message in err
    assert stack_file(project).read_bytes() == before
    assert not (project / "stacks" / "manifests").exists()


def test_plan_access_denied_names_the_permission(project: Path) -> None:
    client = s3_client("us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("list_objects_v2", "AccessDenied", "Access Denied", 403)
        request = PlanRequest(locate(STACK, None, project), [S3Location("locked-bucket", "in/")])

        with pytest.raises(CommandError) as error:
            plan(request, lambda line: None, s3=client)

    assert str(error.value) == (
        "access denied listing s3://locked-bucket/in/: the caller needs s3:ListBucket on "
        "arn:aws:s3:::locked-bucket"
    )


def test_plan_shows_listing_progress_on_stderr(
    project: Path,
    s3: Any,
    bucket: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery, "PROGRESS_PAGES", 1)
    put(s3, bucket, "in/a.vcf", "in/b.vcf")

    run("plan", "--stack", STACK, "--dry-run", f"s3://{bucket}/in/")

    err = capsys.readouterr().err
    assert f"omics-variant-import plan: listing s3://{bucket}/in/: 2 objects so far" in err


@pytest.mark.parametrize(
    ("interrupted", "written"),
    [
        pytest.param(1, False, id="manifest"),
        pytest.param(2, False, id="manifest-folder"),
        pytest.param(3, False, id="stack-file"),
        pytest.param(4, True, id="stack-folder-after-rename"),
    ],
)
def test_plan_interrupted_while_writing_leaves_all_files_old_or_all_new(
    project: Path,
    s3: Any,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    interrupted: int,
    written: bool,
) -> None:
    put(s3, bucket, "in/a.vcf")
    real_fsync, synced = os.fsync, []

    def interrupting_fsync(fd: int) -> None:
        synced.append(fd)
        if len(synced) == interrupted:
            raise KeyboardInterrupt
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", interrupting_fsync)

    assert run("plan", "--stack", STACK, f"s3://{bucket}/in/") == 130

    files = sorted(p.relative_to(project).as_posix() for p in (project / "stacks").rglob("*"))
    if written:
        assert [b.name for b in stack_config(project)[1].imports] == ["hand-written", "in-001"]
    else:
        assert stack_file(project).read_text() == STACK_TEXT
        assert files == ["stacks/Pulumi.test.yaml"]


KILLED_WHILE_WRITING = """
import os, signal, sys
from omics_stack.cli import main
real_fsync = os.fsync
def fsync(fd):
    if os.readlink(f"/proc/self/fd/{fd}").split("/")[-1].startswith(".Pulumi.test.yaml."):
        os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)
os.fsync = fsync
sys.exit(main(sys.argv[1:]))
"""


def test_plan_killed_while_writing_the_stack_file_leaves_it_intact(
    project: Path, s3: Any, bucket: str, moto_url: str
) -> None:
    put(s3, bucket, "in/a.vcf")
    env = {**os.environ, "AWS_ENDPOINT_URL_S3": moto_url}
    argv = [sys.executable, "-c", KILLED_WHILE_WRITING, "plan", "--stack", STACK]

    killed = subprocess.run([*argv, f"s3://{bucket}/in/"], cwd=project, env=env, check=False)

    assert killed.returncode == -signal.SIGKILL
    assert stack_file(project).read_text() == STACK_TEXT
    rerun = subprocess.run(
        [sys.executable, "-m", "omics_stack.cli", "plan", "--stack", STACK, f"s3://{bucket}/in/"],
        cwd=project,
        env=env,
        check=False,
    )
    assert rerun.returncode == 0
    assert [b.name for b in stack_config(project)[1].imports] == ["hand-written", "in-001"]


@pytest.fixture
def omics_emulator_settings() -> EmulatorSettings:
    """Jobs that take 0.2 s, and whose items named bad-* fail."""
    return EmulatorSettings(job_seconds=0.2, fail_sources=("*/bad-*",))


def wait_until_final(client: Any, job_id: str) -> str:
    """The job's final status, read until it has one."""
    deadline = time.monotonic() + 30
    while (status := client.get_variant_import_job(jobId=job_id)["status"]) in (
        "SUBMITTED",
        "IN_PROGRESS",
    ):
        assert time.monotonic() < deadline, f"job {job_id} still {status}"
        time.sleep(0.05)
    return str(status)


def use_endpoint(project: Path, url: str) -> None:
    """Point the test stack's omicsEndpoint at url (a first key in config)."""
    text = stack_file(project).read_text()
    line = f"config:\n  omics-variant-import:omicsEndpoint: {url}\n"
    stack_file(project).write_text(text.replace("config:\n", line))


def test_plan_with_store_leaves_out_what_the_store_imported_or_is_importing(
    project: Path,
    s3: Any,
    bucket: str,
    omics_emulator: EmulatorHandle,
    omics_client: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    imported, failed, running, new = put(
        s3, bucket, "in/a.vcf", "in/bad-b.vcf", "in/c.vcf", "in/d.vcf"
    )
    omics_client.create_variant_store(
        name="cohort_store",
        reference={"referenceArn": REFERENCE},
    )
    while omics_client.get_variant_store(name="cohort_store")["status"] != "ACTIVE":
        time.sleep(0.02)
    role = "arn:aws:iam::123456789012:role/import"
    job = omics_client.start_variant_import_job(
        destinationName="cohort_store",
        roleArn=role,
        items=[{"source": imported}, {"source": failed}],
    )["jobId"]
    assert wait_until_final(omics_client, job) == "COMPLETED_WITH_FAILURES"
    omics_emulator.backend.settings.job_seconds = 600
    omics_client.start_variant_import_job(
        destinationName="cohort_store", roleArn=role, items=[{"source": running}]
    )
    use_endpoint(project, omics_emulator.url)

    assert run("plan", "--stack", STACK, "--store", "cohort_store", f"s3://{bucket}/in/") == 0

    _, config = stack_config(project)
    assert [b.sources for b in config.imports[1:]] == [(failed, new)]
    out = capsys.readouterr().out
    assert "1 already imported into store cohort_store" in out
    assert "1 being imported into store cohort_store by a running job" in out


def test_plan_with_a_store_that_does_not_exist_fails_in_one_line(
    project: Path,
    s3: Any,
    bucket: str,
    omics_emulator: EmulatorHandle,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_endpoint(project, omics_emulator.url)
    before = stack_file(project).read_bytes()
    put(s3, bucket, "in/a.vcf")

    assert run("plan", "--stack", STACK, "--store", "no_such_store", f"s3://{bucket}/in/") == 2

    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "variant store 'no_such_store' does not exist" in errors[0]
    assert stack_file(project).read_bytes() == before
