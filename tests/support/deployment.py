"""One deployment of the mini-engine: a step for each registration, then the deletes, then state."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from omics_provider.testing.plugin import DiffOutcome, PluginCallError
from tests.support.aws_resources import UnsupportedResource
from tests.support.handlers import (
    NO_CHANGES,
    SOME_CHANGES,
    UNKNOWN_CHANGES,
    Handler,
    Handlers,
    changed_keys,
)

CHANGING_OPS = ("create", "update", "create-replacement", "delete-replaced", "delete")


class StepFailed(Exception):
    """One step failed; the message is what the engine would show for it."""


@dataclass
class ResourceState:
    """One resource in the state: what the engine stores between deployments."""

    urn: str
    type: str
    custom: bool
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    protect: bool = False
    delete: bool = False
    """True for the old version of a replaced resource still waiting to be deleted."""

    @property
    def name(self) -> str:
        """The resource's logical name (the last part of its URN)."""
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Step:
    """What a deployment did to one resource: same, create, update, create-replacement,
    delete-replaced or delete."""

    op: str
    urn: str

    @property
    def name(self) -> str:
        """The resource's logical name."""
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Goal:
    """What the program declared for one resource (a RegisterResource request)."""

    urn: str
    type: str
    custom: bool
    parent: str
    inputs: dict[str, Any]
    dependencies: tuple[str, ...]
    protect: bool
    delete_before_replace: bool | None


class Deployment:
    """One deployment (a preview or an update) from old state: steps, then the new state."""

    def __init__(self, old: list[ResourceState], handlers: Handlers, dry_run: bool) -> None:
        self.old = old
        self.handlers = handlers
        self.dry_run = dry_run
        self.new: list[ResourceState] = []
        self.steps: list[Step] = []
        self.failure: str | None = None
        self._consumed: list[ResourceState] = []
        self._replaced: list[ResourceState] = []
        self._deleted: list[ResourceState] = []
        self._lock = threading.Lock()

    def register(self, goal: Goal) -> ResourceState:
        """Take the step goal calls for; after a failure, refuse every further registration."""
        with self._lock:
            if self.failure is not None:
                raise StepFailed(f"{goal.urn} not registered: the deployment already failed")
            try:
                return self._step(goal)
            except Exception as error:
                self.fail(error, goal.urn)
                raise

    def delete_condemned(self) -> None:
        """Delete what the program no longer declares, and replaced resources, in order; nothing
        after a failed registration (the engine deletes only once the program succeeded)."""
        with self._lock:
            if self.failure is not None:
                raise StepFailed(self.failure)
            registered = {res.urn for res in self.new}
            condemned = [
                res
                for res in self.old
                if (res.urn not in registered or res.delete) and not _among(res, self._consumed)
            ]
            for res in deletion_order(condemned + self._replaced):
                self._delete(res, "delete-replaced" if res.delete else "delete")

    def fail(self, error: BaseException, urn: str = "") -> str:
        """Record error as the deployment's failure (unless one is recorded); the message."""
        if self.failure is None:
            self.failure = describe(error, urn)
        return self.failure

    def new_state(self) -> list[ResourceState]:
        """The state after this deployment: what it registered, then what is left of the old."""
        kept = [res for res in self.old if not _among(res, self._consumed)] + self._replaced
        return self.new + [res for res in kept if not _among(res, self._deleted)]

    # --- steps ----------------------------------------------------------------------------------
    def _step(self, goal: Goal) -> ResourceState:
        if any(res.urn == goal.urn for res in self.new):
            raise StepFailed(f"{goal.urn} is registered twice (duplicate resource URN)")
        old = next((r for r in self.old if r.urn == goal.urn and not r.delete), None)
        if not goal.custom:
            return self._component(goal, old)
        handler = self.handlers(goal.type)
        inputs = self._checked(handler, goal, old.inputs if old is not None else {})
        if old is None:
            return self._create(goal, handler, inputs, "create")
        diff = handler.diff(old.id, old.inputs, old.outputs, inputs)
        changes = diff.changes
        if changes == UNKNOWN_CHANGES:  # the engine then compares the inputs itself
            changes = SOME_CHANGES if changed_keys(old.inputs, inputs) else NO_CHANGES
        if changes == NO_CHANGES:
            return self._record(goal, "same", old.id, inputs, old.outputs, old)
        if not diff.replaces:
            return self._update(goal, handler, old, inputs)
        return self._replace(goal, handler, old, diff)

    def _checked(self, handler: Handler, goal: Goal, olds: dict[str, Any]) -> dict[str, Any]:
        inputs, failures = handler.check(goal.urn.rsplit("::", 1)[-1], olds, goal.inputs)
        if failures:
            reasons = "; ".join(reason for _, reason in failures)
            raise StepFailed(f"{goal.urn} is invalid (check failed): {reasons}")
        return inputs

    def _component(self, goal: Goal, old: ResourceState | None) -> ResourceState:
        if old is None:
            return self._record(goal, "create", "", goal.inputs, {})
        op = "update" if changed_keys(old.inputs, goal.inputs) else "same"
        return self._record(goal, op, "", goal.inputs, old.outputs, old)

    def _create(
        self,
        goal: Goal,
        handler: Handler,
        inputs: dict[str, Any],
        op: str,
        old: ResourceState | None = None,
    ) -> ResourceState:
        id_, outputs = ("", dict(inputs)) if self.dry_run else handler.create(inputs)
        return self._record(goal, op, id_, inputs, outputs, old)

    def _update(
        self, goal: Goal, handler: Handler, old: ResourceState, inputs: dict[str, Any]
    ) -> ResourceState:
        if not self.dry_run:
            outputs = handler.update(old.id, old.outputs, inputs)
        elif handler.supports_preview:
            outputs = {**old.outputs, **inputs}
        else:
            outputs = dict(inputs)
        return self._record(goal, "update", old.id, inputs, outputs, old)

    def _replace(
        self, goal: Goal, handler: Handler, old: ResourceState, diff: DiffOutcome
    ) -> ResourceState:
        if old.protect and goal.protect:
            raise StepFailed(
                f"{goal.urn} would be replaced ({', '.join(diff.replaces)} changed) but is "
                "protected: unprotect it first (protect: false, then up)"
            )
        inputs = self._checked(handler, goal, {})  # a replacement is checked as a new resource
        delete_first = (
            diff.delete_before_replace
            if goal.delete_before_replace is None
            else goal.delete_before_replace
        )
        if delete_first:
            self._refuse_cascade(old)
            self._delete(old, "delete-replaced")
            return self._create(goal, handler, inputs, "create-replacement")
        created = self._create(goal, handler, inputs, "create-replacement", old)
        self._replaced.append(replace(old, delete=True))  # deleted after the program finished
        return created

    def _refuse_cascade(self, old: ResourceState) -> None:
        dependents = [
            res.name
            for res in self.old
            if res is not old and (old.urn in res.dependencies or res.parent == old.urn)
        ]
        if dependents:
            raise UnsupportedResource(
                f"{old.urn} must be deleted before it is replaced, but {', '.join(dependents)} "
                "depend on it: the mini-engine does not cascade such replacements"
            )

    def _delete(self, res: ResourceState, op: str) -> None:
        """Delete res (unless previewing); a protected resource fails the deployment."""
        if op == "delete" and res.protect:
            raise StepFailed(
                f"{res.urn} cannot be deleted: it is protected; set protect to false and run "
                "up first (or `pulumi state unprotect`)"
            )
        if not self.dry_run and res.custom:
            try:
                self.handlers(res.type).delete(res.id, res.outputs)
            except Exception as error:
                self.fail(error, res.urn)
                raise
        self._deleted.append(res)
        self.steps.append(Step(op, res.urn))

    def _record(
        self,
        goal: Goal,
        op: str,
        id_: str,
        inputs: dict[str, Any],
        outputs: dict[str, Any],
        old: ResourceState | None = None,
    ) -> ResourceState:
        """Put goal's new state in the new state (it supersedes old), and the step taken."""
        res = ResourceState(
            goal.urn,
            goal.type,
            goal.custom,
            id_,
            inputs,
            outputs,
            goal.parent,
            goal.dependencies,
            goal.protect,
        )
        if old is not None:
            self._consumed.append(old)
        self.new.append(res)
        self.steps.append(Step(op, goal.urn))
        return res


def _among(res: ResourceState, others: list[ResourceState]) -> bool:
    return any(res is other for other in others)


def deletion_order(resources: list[ResourceState]) -> list[ResourceState]:
    """resources ordered so that each comes before every resource it depends on or is a child of
    (among them); otherwise latest-registered first."""
    remaining = list(resources)
    ordered: list[ResourceState] = []
    while remaining:
        needed = {urn for res in remaining for urn in (*res.dependencies, res.parent)}
        free = [res for res in remaining if res.urn not in needed]
        if not free:
            raise StepFailed(f"dependency cycle among {[res.urn for res in remaining]}")
        ordered.append(free[-1])
        remaining = [res for res in remaining if res is not free[-1]]
    return ordered


def describe(error: BaseException, urn: str = "") -> str:
    """The one line the engine would show for error (a plugin error: its last line)."""
    if isinstance(error, PluginCallError):
        return f"{urn}: {error.method} failed: {error.last_line}"
    text = str(error) or type(error).__name__
    return f"{urn}: {text}" if urn and urn not in text else text
