"""run_program: a Pulumi program file under mocks, with a given stack configuration.

    from omics_provider.testing import run_program

    run = run_program("__main__.py", {"omics-variant-import:storeName": "cohort_variants", ...})
    assert run.exports["storeArn"].endswith(":variantStore/cohort_variants")
    assert run.of_type("pulumi-python:dynamic/omics:VariantImportJob")

The program runs as the engine would start it: in its own folder (so manifests are read
relative to it), with the configuration the engine would hand it. Omics resources are checked
and simulated by OmicsMocks (or the mocks given); a failing program raises its own exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import runpy
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import pulumi

from omics_provider.testing.mocks import OmicsMocks


@dataclass(frozen=True)
class MockedResource:
    """One resource the program declared: its type token, name, inputs and simulated outputs."""

    typ: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass(frozen=True)
class ProgramRun:
    """What a program declared (by resource name) and exported (resolved values)."""

    resources: dict[str, MockedResource]
    exports: dict[str, Any] = field(default_factory=dict)

    def of_type(self, typ: str) -> list[MockedResource]:
        """The declared resources of type token typ, in declaration order."""
        return [resource for resource in self.resources.values() if resource.typ == typ]


class _Recorder(pulumi.runtime.Mocks):
    """Hands every call to mocks and records each resource with its outputs."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        self.mocks = mocks
        self.resources: dict[str, MockedResource] = {}

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        id_, outputs = self.mocks.new_resource(args)
        self.resources[args.name] = MockedResource(args.typ, args.name, dict(args.inputs), outputs)
        return id_, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        return self.mocks.call(args)


def run_program(
    program: str | PathLike[str],
    config: Mapping[str, Any],
    mocks: pulumi.runtime.Mocks | None = None,
    project: str = "project",
    stack: str = "test",
) -> ProgramRun:
    """Run the program file with config (full keys, e.g. `aws:region`) under mocks.

    Values are given as the engine gives them to a program: text as is, anything else as JSON
    (lists and maps), so the program's `pulumi.Config` getters read them as under `pulumi up`.
    mocks default to OmicsMocks(). Returns the resources and the resolved exports; whatever the
    program raises is raised here, and the configuration is cleared again afterwards.
    """
    path = Path(program).resolve()
    recorder = _Recorder(mocks or OmicsMocks())
    exported: dict[str, Any] = {}
    with _engine_config(config), _program_folder(path.parent), _event_loop():
        # A fresh root stack per run: one that a failed program registered into holds its
        # cancelled calls, which the next run would await (Pulumi 3.216 does).
        pulumi.runtime.settings.reset_options(project=project, stack=stack)
        pulumi.runtime.set_mocks(recorder, project, stack, False)
        outputs: dict[str, Any] = getattr(pulumi.runtime.get_root_resource(), "outputs", {})

        @pulumi.runtime.test  # type: ignore[untyped-decorator]
        def run() -> pulumi.Output[None]:
            runpy.run_path(str(path), run_name="__main__")
            return pulumi.Output.all(**outputs).apply(exported.update)

        run()
    return ProgramRun(recorder.resources, exported)


@contextlib.contextmanager
def _engine_config(config: Mapping[str, Any]) -> Iterator[None]:
    """The configuration the language host would load before the program starts."""
    text = {key: v if isinstance(v, str) else json.dumps(v) for key, v in config.items()}
    pulumi.runtime.set_all_config(text, [])
    try:
        yield
    finally:
        pulumi.runtime.set_all_config({}, [])


@contextlib.contextmanager
def _program_folder(folder: Path) -> Iterator[None]:
    """Run from the program's folder, its modules importable, as the engine starts it."""
    sys.path.insert(0, str(folder))
    try:
        with contextlib.chdir(folder):
            yield
    finally:
        sys.path.remove(str(folder))


@contextlib.contextmanager
def _event_loop() -> Iterator[None]:
    """A current event loop for the run, closed after it (see the pytest plugin)."""
    previous = _current_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        close_loop(loop)
        asyncio.set_event_loop(previous)


def _current_loop() -> asyncio.AbstractEventLoop | None:
    with contextlib.suppress(RuntimeError):
        loop = asyncio.get_event_loop_policy().get_event_loop()
        return None if loop.is_closed() else loop
    return None


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what a (failed) program left pending on loop, close it, collect its futures.

    A failed program leaves tasks pending and futures holding its error in reference cycles:
    collected here, asyncio's "Future exception was never retrieved" is logged now (into the
    test's captured log) rather than printed on the terminal when the process ends.
    """
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:  # gather() of nothing would ask for the current loop, which may be unset now
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    gc.collect()
