"""A mini Pulumi engine: a program deployed run after run, its state carried between the runs.

The Pulumi CLI cannot run here, so this plays its part for multi-run tests:
- the program (`__main__.py`, or any function declaring resources) runs under Pulumi's mocks,
  in its own thread and event loop, with the configuration given the way the engine gives it
  (PULUMI_CONFIG, every value as text); each resource it registers becomes an engine step
  (tests/support/deployment.py);
- dynamic resources (`pulumi-python:dynamic/...`) go through the real plugin
  (`python -m pulumi.dynamic`, one process per deployment, as the engine starts it), their
  `__provider` sent as the program serialized it, secrets revealed (the plugin takes none);
  pulumi-aws resources are applied to a moto server by the rows of AWS_TYPES
  (tests/support/handlers.py, tests/support/aws_resources.py); any other type fails the run.

What a deployment does, as the engine does (pulumi/pulumi pkg/resource/deploy/step_generator.go
and step.go):
- a new resource: Check(olds={}), then Create; a known one: Check(olds=old inputs), then
  Diff(id, old outputs, checked inputs): no change, an Update (olds = old outputs), or a
  replacement: Check again with no olds, then create-then-delete (the old one is deleted after
  the program finished) or delete-then-create when Diff or the deleteBeforeReplace option asks;
  a protected resource is never replaced;
- a check failure, a refused protected delete or replace, or any error fails the deployment:
  nothing after it is applied (resources registered later are refused);
- after the program, resources no longer declared (and replaced ones) are deleted, each before
  whatever it depends on or is a child of; a protected one fails the deployment;
- a preview runs the program with preview=True and calls only Check and Diff; the outputs the
  program sees are the planned ones: a dynamic resource's are its inputs (its provider cannot
  preview), an AWS one's its old outputs with the new inputs; the rest is unknown;
- `up` and `destroy` preview first and stop if the preview fails, as the CLI does without
  --skip-preview; `destroy` runs no program and deletes everything in state.
State (URN, type, id, inputs, outputs, parent, dependencies, protect) is kept in `state`, in
registration order, and written after every update, even one that failed partway.

Where it simplifies: registrations are applied one at a time (the engine runs independent steps
in parallel); pulumi-aws diffs compare old and new inputs (its provider compares with the live
state); no default provider resources in state, no refresh, no aliases, imports, ignoreChanges,
replaceOnChanges, retainOnDelete, deletedWith or explicit providers (each refused, naming it); a
delete-before-replace of a resource that others depend on is refused rather than cascaded;
secrets are stored revealed; component outputs are not recorded.

Adding a run to a life-cycle test: call `engine.up(config)`, `engine.preview(config)` or
`engine.destroy(config)` with the whole stack configuration of that run (full keys such as
`aws:region` and `omics-variant-import:imports`), then assert on what it did, what the stack
holds, and what the services hold, e.g.

    run = engine.up(config_with_a_fourth_batch)
    assert run.changes == {"create": ["batch-4"], "update": ["import-role-policy"]}
    assert engine.resource("batch-4").outputs["status"] == "COMPLETED"

A refused run raises DeploymentFailed (its `phase`, `message` and the `steps` taken before);
`engine.state` is then what a real stack would hold.
"""

from __future__ import annotations

import asyncio
import json
import os
import runpy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2

from omics_provider.testing.plugin import to_struct
from tests.support.aws_resources import AwsClients, UnsupportedResource
from tests.support.deployment import (
    CHANGING_OPS,
    Deployment,
    Goal,
    ResourceState,
    Step,
    StepFailed,
)
from tests.support.handlers import Handlers

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


class DeploymentFailed(Exception):
    """A deployment failed: `phase` is preview or update; `steps` is what it did before."""

    def __init__(self, operation: str, phase: str, message: str, steps: list[Step]) -> None:
        self.operation = operation
        self.phase = phase
        self.message = message
        self.steps = steps
        super().__init__(f"{operation} failed in its {phase}: {message}")


@dataclass
class RunResult:
    """One deployment's steps, the values the program exported, what the plugin printed."""

    steps: list[Step]
    exports: dict[str, Any]
    plugin_output: str = ""

    def names(self, op: str) -> list[str]:
        """The logical names of the resources the step op was taken on, in order."""
        return [step.name for step in self.steps if step.op == op]

    @property
    def changes(self) -> dict[str, list[str]]:
        """Every step that changed something, by op: {"create": [names], ...}."""
        return {op: self.names(op) for op in CHANGING_OPS if self.names(op)}


def goal_of(request: Any, stack: str, project: str) -> Goal:
    """The goal of a RegisterResourceRequest; UnsupportedResource on an unmodelled option."""
    _refuse_unmodelled_options(request)
    return Goal(
        urn=make_urn(stack, project, request.type, request.name, request.parent),
        type=request.type,
        custom=request.custom,
        parent=request.parent,
        inputs=reveal(rpc.deserialize_properties(request.object, keep_unknowns=True)),
        dependencies=tuple(sorted(set(request.dependencies))),  # a set to the engine
        protect=request.protect,
        delete_before_replace=(
            request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None
        ),
    )


def _refuse_unmodelled_options(request: Any) -> None:
    unmodelled = {
        "import": request.importId,
        "aliases": list(request.aliases) or list(request.aliasURNs),
        "ignoreChanges": list(request.ignoreChanges),
        "replaceOnChanges": list(request.replaceOnChanges),
        "retainOnDelete": request.HasField("retainOnDelete") and request.retainOnDelete,
        "deletedWith": request.deletedWith,
        "an explicit provider": request.provider,
        "a remote component": request.remote,
    }
    used = [option for option, value in unmodelled.items() if value]
    if used:
        raise UnsupportedResource(
            f"{request.type} {request.name} uses {', '.join(used)}, which the mini-engine does "
            "not model (tests/support/engine.py)"
        )


def make_urn(stack: str, project: str, type_: str, name: str, parent: str) -> str:
    """The engine's URN: a child's type is prefixed by its parent's, unless that is the stack."""
    parent_type = parent.split("::")[2] if parent else ""
    qualified = type_ if parent_type in ("", ROOT_STACK_TYPE) else f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def reveal(value: Any) -> Any:
    """value with every secret replaced by its plain value (the plugin does not accept secrets)."""
    if rpc.is_rpc_secret(value):
        return reveal(rpc.unwrap_rpc_secret(value))
    if isinstance(value, Mapping):
        return {key: reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal(item) for item in value]
    return value


def engine_config(values: Mapping[str, Any]) -> dict[str, str]:
    """Configuration as the engine hands it to programs and providers: full keys, values as text
    (booleans and numbers as JSON writes them, lists and maps as JSON)."""
    return {key: v if isinstance(v, str) else json.dumps(v) for key, v in values.items()}


class EngineMonitor(MockMonitor):
    """The resource monitor the program talks to: each registration is a step of deployment."""

    def __init__(self, deployment: Deployment, stack: str, project: str) -> None:
        super().__init__(_NoMocks())
        self.deployment = deployment
        self.stack = stack
        self.project = project

    def RegisterResource(self, request: Any) -> Any:
        try:
            goal = goal_of(request, self.stack, self.project)
        except UnsupportedResource as error:
            self.deployment.fail(error)
            raise
        res = self.deployment.register(goal)
        return resource_pb2.RegisterResourceResponse(
            urn=res.urn, id=res.id, object=to_struct(res.outputs)
        )


class _NoMocks(Mocks):
    """Mocks for what the mini-engine does not model: invokes and reads fail, naming them."""

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], None]:
        raise UnsupportedResource(f"the mini-engine does not model invokes ({args.token})")

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        raise UnsupportedResource(f"the mini-engine does not model reads ({args.typ} {args.name})")


Program = Callable[[], None]


def main_program(path: os.PathLike[str] | str) -> Program:
    """A program that runs the file at path as `pulumi` runs `__main__.py`."""

    def program() -> None:
        runpy.run_path(str(path))

    return program


class MiniEngine:
    """A stack: a program, its state, and the deployments run on it (see the module doc)."""

    def __init__(
        self,
        program: Program,
        plugin_env: dict[str, str],
        aws: AwsClients | None = None,
        project: str = "omics-variant-import",
        stack: str = "test",
    ) -> None:
        self.program = program
        self.plugin_env = plugin_env
        self.aws = aws
        self.project = project
        self.stack = stack
        self.state: list[ResourceState] = []

    def up(self, config: Mapping[str, Any]) -> RunResult:
        """`pulumi up`: a preview (if it fails: DeploymentFailed, nothing applied), then update."""
        self._deploy(config, dry_run=True, operation="up")
        return self._deploy(config, dry_run=False, operation="up")

    def preview(self, config: Mapping[str, Any]) -> RunResult:
        """`pulumi preview`: Check and Diff only; the state is left as it is."""
        return self._deploy(config, dry_run=True, operation="preview")

    def destroy(self, config: Mapping[str, Any]) -> RunResult:
        """`pulumi destroy`: a preview, then every resource deleted, dependents first."""
        self._deploy(config, dry_run=True, operation="destroy")
        return self._deploy(config, dry_run=False, operation="destroy")

    def resource(self, name: str) -> ResourceState:
        """The live resource named name in the state; KeyError if there is none."""
        for res in self.state:
            if res.name == name and not res.delete:
                return res
        raise KeyError(f"no resource {name} in the state: {[r.name for r in self.state]}")

    def resources_of_type(self, type_: str) -> list[ResourceState]:
        """The live resources of type type_ in the state, in registration order."""
        return [res for res in self.state if res.type == type_ and not res.delete]

    def _deploy(self, config: Mapping[str, Any], dry_run: bool, operation: str) -> RunResult:
        text = engine_config(config)
        handlers = Handlers(self.plugin_env, text, self.aws)
        deployment = Deployment(list(self.state), handlers, dry_run)
        try:
            exports = {} if operation == "destroy" else self._run_program(deployment, text)
            deployment.delete_condemned()
        except Exception as error:
            message = deployment.fail(error)
            raise DeploymentFailed(
                operation, "preview" if dry_run else "update", message, deployment.steps
            ) from error
        finally:
            if not dry_run:
                self.state = deployment.new_state()
            handlers.close()
        return RunResult(deployment.steps, exports, handlers.plugin_output())

    def _run_program(self, deployment: Deployment, config: dict[str, str]) -> dict[str, Any]:
        """Run the program in a thread of its own (its own event loop and Pulumi settings)."""
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["exports"] = self._program_in_this_thread(deployment, config)
            except BaseException as error:  # handed to the caller's thread
                outcome["error"] = error

        env = {"PULUMI_CONFIG": json.dumps(config), "PULUMI_CONFIG_SECRET_KEYS": "[]"}
        with mock.patch.dict(os.environ, env):
            thread = threading.Thread(target=run, name="pulumi-program")
            thread.start()
            thread.join()
        if "error" in outcome:
            raise outcome["error"]
        exports: dict[str, Any] = outcome["exports"]
        return exports

    def _program_in_this_thread(
        self, deployment: Deployment, config: dict[str, str]
    ) -> dict[str, Any]:
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(_quiet_about_failed_steps)
        asyncio.set_event_loop(loop)
        monitor = EngineMonitor(deployment, self.stack, self.project)
        exported: dict[str, Any] = {}
        resolved: dict[str, Any] = {}
        try:
            pulumi.runtime.set_mocks(
                _NoMocks(), self.project, self.stack, deployment.dry_run, monitor=monitor
            )
            pulumi.runtime.set_all_config(config, [])

            @pulumi.runtime.test  # type: ignore[untyped-decorator]
            def program() -> pulumi.Output[None]:
                self.program()
                return pulumi.Output.all(**exported).apply(resolved.update)

            with mock.patch.object(pulumi, "export", exported.__setitem__):
                program()
            return resolved
        finally:
            close_event_loop(loop)


def _quiet_about_failed_steps(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Outputs of resources whose step failed hold its error, reported by DeploymentFailed."""
    if not isinstance(context.get("exception"), StepFailed | UnsupportedResource):
        loop.default_exception_handler(context)


def close_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left on loop (a failed program leaves tasks pending), unset it, close it."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    asyncio.set_event_loop(None)
    loop.close()
