"""The stack program through several deployments, state carried between them (the mini-engine).

Each run is what a user does in Git: first `up`; the same `up` again; a new batch; a file slipped
into a batch that already ran; a batch removed; `destroy` of a protected store, then of an
unprotected one with forceDestroyStore. After every run: the emulator's jobs, the state, and that
no file reached the store twice.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from tests.stack.conftest import put
from tests.support.aws_resources import AwsClients
from tests.support.engine import DeploymentFailed, MiniEngine, RunResult, main_program
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, plugin_env

MAIN = Path(__file__).resolve().parents[2] / "__main__.py"
NAMESPACE = "omics-variant-import"
STORE = "lifecycle_store"
BUCKET = "lifecycle-deliveries"
JOB_TYPE = "pulumi-python:dynamic/omics:VariantImportJob"
STORE_TYPE = "pulumi-python:dynamic/omics:VariantStore"
BATCHES = {
    "batch-1": ["2024-06/a.vcf", "2024-06/b.vcf.gz"],
    "batch-2": ["2024-07/c.vcf"],
    "batch-3": ["2024-08/d.vcf"],
}
ROLE_AND_POLICY = {"import-role", "import-role-role", "import-role-policy", "import-role-settle"}
SETTLE_SECONDS = 0.2
"""The wait after a policy change (rolePropagationSeconds): short, moto's IAM is consistent."""
"""The VariantImportRole component and its two pulumi-aws children."""


def sources(batch: str) -> list[str]:
    return [f"s3://{BUCKET}/{key}" for key in BATCHES[batch]]


def objects(*batches: str) -> set[str]:
    """The bucket/key of every file of batches (what the role's policy should grant)."""
    return {f"{BUCKET}/{key}" for batch in batches for key in BATCHES[batch]}


def stack_config(store: str, endpoint: str, imports: list[Any], **keys: Any) -> dict[str, Any]:
    """The whole stack configuration of a run: the store, the batches (imports) and keys."""
    values = {
        "storeName": store,
        "referenceArn": REFERENCE_ARN,
        "omicsEndpoint": endpoint,
        "imports": imports,
        "rolePropagationSeconds": SETTLE_SECONDS,
        **keys,
    }
    return {**FAST_POLL_CONFIG, **{f"{NAMESPACE}:{k}": v for k, v in values.items()}}


@dataclass
class Stack:
    """The mini-engine on __main__.py, the emulator it imports into, and moto's IAM."""

    engine: MiniEngine
    emulator: EmulatorHandle
    aws: AwsClients

    def config(self, *batches: str, **keys: Any) -> dict[str, Any]:
        """The stack configuration declaring batches (each with its files) and keys."""
        imports = [{"name": name, "sources": sources(name)} for name in batches]
        return stack_config(STORE, self.emulator.url, imports, **keys)

    def writes(self) -> dict[str, int]:
        """The requests that could change the emulator's state since the counters were reset."""
        return {
            op: n
            for op, n in self.emulator.backend.requests_by_operation().items()
            if not op.startswith(("Get", "List"))
        }

    def jobs(self) -> dict[str, list[str]]:
        """Every job the emulator holds for the store: its id and its sources."""
        return {
            job["id"]: [item["source"] for item in job["items"]]
            for job in self.emulator.backend.jobs(STORE)
        }

    def live(self) -> set[str]:
        """The names of the resources in the state (the stack resource included)."""
        return {res.name for res in self.engine.state if not res.delete}

    def policy_grants(self) -> set[str]:
        """The objects the import role's inline policy lets HealthOmics read, as moto has it."""
        role = self.engine.resource("import-role-role").id
        policy = self.engine.resource("import-role-policy").outputs["name"]
        document = self.aws.iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
        if isinstance(document, str):
            document = json.loads(document)
        return {
            arn.removeprefix("arn:aws:s3:::")
            for statement in document["Statement"]
            if "s3:GetObject" in statement["Action"]
            for arn in statement["Resource"]
        }


@pytest.fixture
def stack(s3: Any, moto_url: str) -> Iterator[Stack]:
    """The files of every batch in moto's S3, the emulator reading them there, a fresh engine."""
    s3.create_bucket(Bucket=BUCKET)
    for keys in BATCHES.values():
        put(s3, BUCKET, *keys)
    settings = EmulatorSettings(
        store_seconds=0.05, job_seconds=0.2, cancel_seconds=0.05, s3_endpoint=moto_url
    )
    aws = AwsClients.on(moto_url)
    with start_emulator(settings) as emulator:
        engine = MiniEngine(main_program(MAIN), plugin_env(emulator), aws)
        yield Stack(engine, emulator, aws)


def assert_stack_holds(stack: Stack, *batches: str) -> None:
    """Each batch in the state owns one COMPLETED job of its files; each file imported once."""
    jobs = stack.jobs()
    for batch in batches:
        job = stack.engine.resource(batch)
        assert job.outputs["status"] == "COMPLETED"
        assert sorted(jobs[job.outputs["jobId"]]) == sorted(sources(batch))
    assert {res.name for res in stack.engine.resources_of_type(JOB_TYPE)} == set(batches)
    assert_imported_once(stack)


def assert_imported_once(stack: Stack) -> None:
    """No file reached the store twice; what it received is what the jobs imported."""
    received = stack.emulator.backend.imported_sources(STORE)
    assert set(received.values()) <= {1}, received
    assert set(received) == {s for files in stack.jobs().values() for s in files}


def assert_nothing_changed(stack: Stack, run: RunResult, state_before: Any) -> None:
    """No create, update or delete; no write to the emulator; the state as it was."""
    assert run.changes == {}
    assert stack.writes() == {}
    assert stack.engine.state == state_before


def test_stack_lifecycle_imports_every_file_once_across_deployments(stack: Stack) -> None:
    engine, backend = stack.engine, stack.emulator.backend

    # (1) First up: the store, the role and its policy, one job per batch, each imported once.
    first = engine.up(stack.config("batch-1", "batch-2"))
    assert set(first.names("create")) == {
        "omics-variant-import-test",
        "variant-store",
        *ROLE_AND_POLICY,
        "batch-1",
        "batch-2",
    }
    assert first.changes.keys() == {"create"}
    assert len(stack.jobs()) == 2
    assert_stack_holds(stack, "batch-1", "batch-2")
    assert first.exports["jobIds"] == {
        batch: engine.resource(batch).id for batch in ("batch-1", "batch-2")
    }
    assert stack.policy_grants() == objects("batch-1", "batch-2")

    # (2) The same up again: nothing created, updated or deleted; no write call.
    backend.reset_counters()
    state = copy.deepcopy(engine.state)
    again = engine.up(stack.config("batch-1", "batch-2"))
    assert_nothing_changed(stack, again, state)
    assert len(stack.jobs()) == 2
    assert_stack_holds(stack, "batch-1", "batch-2")

    # (3) A third batch: exactly one new job; the policy grows by its files.
    backend.reset_counters()
    third = engine.up(stack.config("batch-1", "batch-2", "batch-3"))
    policy_changed = ["import-role-policy", "import-role-settle"]
    assert third.changes == {"create": ["batch-3"], "update": policy_changed}
    assert stack.writes() == {"StartVariantImportJob": 1}
    assert len(stack.jobs()) == 3
    assert_stack_holds(stack, "batch-1", "batch-2", "batch-3")
    assert stack.policy_grants() == objects("batch-1", "batch-2", "batch-3")

    # (4) A file added to a batch that ran: refused at preview, nothing called.
    backend.reset_counters()
    state, grants = copy.deepcopy(engine.state), stack.policy_grants()
    edited = stack.config("batch-1", "batch-2", "batch-3")
    edited[f"{NAMESPACE}:imports"][0]["sources"].append(f"s3://{BUCKET}/2024-09/e.vcf")
    with pytest.raises(DeploymentFailed) as refused:
        engine.up(edited)
    assert refused.value.phase == "preview"
    assert "batch-1" in refused.value.message
    assert "would start a new import job" in refused.value.message
    assert backend.requests_by_operation() == {}
    assert (engine.state, stack.policy_grants()) == (state, grants)
    assert_stack_holds(stack, "batch-1", "batch-2", "batch-3")

    # (5) A batch removed: its resource deleted; a finished job needs nothing; the data stays.
    backend.reset_counters()
    removed = engine.up(stack.config("batch-1", "batch-3"))
    assert removed.changes == {"update": policy_changed, "delete": ["batch-2"]}
    assert stack.writes() == {}
    assert backend.imported_sources(STORE)[sources("batch-2")[0]] == 1
    assert len(stack.jobs()) == 3
    assert_stack_holds(stack, "batch-1", "batch-3")
    assert stack.policy_grants() == objects("batch-1", "batch-3")

    # (6) destroy of a protected store is refused before anything is deleted ...
    protected = engine.up(stack.config("batch-1", "batch-3", protectStore=True))
    assert protected.changes == {}
    assert engine.resource("variant-store").protect is True
    assert_stack_holds(stack, "batch-1", "batch-3")
    backend.reset_counters()
    state = copy.deepcopy(engine.state)
    with pytest.raises(DeploymentFailed) as kept:
        engine.destroy(stack.config("batch-1", "batch-3", protectStore=True))
    assert kept.value.phase == "preview"
    assert "variant-store cannot be deleted: it is protected" in kept.value.message
    assert backend.requests_by_operation() == {}
    assert engine.state == state
    assert_stack_holds(stack, "batch-1", "batch-3")

    # ... and, unprotected with forceDestroyStore, takes everything: store, role, jobs' state.
    unprotected = stack.config("batch-1", "batch-3", forceDestroyStore=True)
    assert engine.up(unprotected).changes == {"update": ["variant-store"]}
    assert engine.resource("variant-store").outputs["forceDestroy"] is True
    assert_stack_holds(stack, "batch-1", "batch-3")
    role = engine.resource("import-role-role").id
    destroyed = engine.destroy(unprotected)
    deleted = destroyed.names("delete")
    assert set(deleted) == {
        "omics-variant-import-test",
        "variant-store",
        *ROLE_AND_POLICY,
        "batch-1",
        "batch-3",
    }
    assert deleted.index("variant-store") > max(deleted.index("batch-1"), deleted.index("batch-3"))
    assert deleted.index("import-role-policy") < deleted.index("import-role-role")
    assert engine.state == []
    assert STORE not in {s["name"] for s in backend.stores()}
    assert role not in {r["RoleName"] for r in stack.aws.iam.list_roles()["Roles"]}
