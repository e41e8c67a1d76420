"""plan: list delivered files, leave out what is declared or imported, write the new batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omics_provider.errors import StackConfigError
from omics_provider.surface import CONFIG_NAMESPACE, MAX_ITEMS_PER_JOB, endpoint_problem
from omics_stack.atomic import write_files
from omics_stack.config import (
    DeclaredBatches,
    parse_declared_batches,
)
from omics_stack.errors import CommandError
from omics_stack.history import StoreHistory, omics_client, store_history
from omics_stack.manifests import MANIFEST_SUFFIX, manifest_text
from omics_stack.planning import PlannedBatch, group, select
from omics_stack.s3 import S3Location, list_objects, s3_client
from omics_stack.stack_file import (
    StackFile,
    StackLocation,
    append_batches,
    read_stack,
    refuse_read_only,
    stack_file_lock,
)

MANIFEST_FOLDER = "manifests"
"""New manifests go to <stack file's folder>/manifests/<stack>/<batch>.txt."""
PROGRESS_PAGES = 10
"""A progress line after every this many listed pages (10,000 objects)."""

Say = Callable[[str], None]


@dataclass(frozen=True)
class PlanRequest:
    """What the user asked plan for."""

    location: StackLocation
    prefixes: Sequence[S3Location]
    store: str | None = None
    batch_size: int = MAX_ITEMS_PER_JOB
    write: bool = True


@dataclass
class PlanOutcome:
    """The new batches, what the listing held and what was left out, and what was written."""

    batches: list[PlannedBatch] = field(default_factory=list)
    listed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    manifests: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def files(self) -> int:
        """Files in the new batches."""
        return sum(len(batch.objects) for batch in self.batches)


def load_stack(location: StackLocation) -> tuple[StackFile, DeclaredBatches]:
    """The stack file and the batches it declares; CommandError when either is invalid.

    Only `imports` is read and checked: plan and verify need no other key.
    """
    stack = read_stack(location)
    try:
        config = parse_declared_batches(stack.values(), location.project_dir)
    except StackConfigError as error:
        raise CommandError(f"{location.path}: {error}") from None
    return stack, config


def plan(request: PlanRequest, progress: Say, s3: Any | None = None) -> PlanOutcome:
    """List the prefixes, plan new batches of the files no batch or store job has, write them.

    Nothing is written unless request.write and there are new batches; then the manifests and
    the stack file are written all or nothing. A writing plan holds the stack file's lock from
    reading the stack file to writing it, so two plans at once never lose a batch.
    """
    if not request.write:
        return _plan(request, progress, s3)
    refuse_read_only(request.location)
    with stack_file_lock(request.location):
        return _plan(request, progress, s3)


def _plan(request: PlanRequest, progress: Say, s3: Any | None) -> PlanOutcome:
    stack, config = load_stack(request.location)
    client = s3 or s3_client(stack.setting("aws:region"), stack.setting("aws:profile"))
    history = _history(stack, request.store, progress)
    outcome = PlanOutcome()
    taken_names = {batch.name for batch in config.imports}
    declared = set(config.sources)
    excluded = {exclusion.source for exclusion in config.exclusions}
    seen: set[str] = set()
    for prefix in request.prefixes:
        objects = list(list_objects(client, prefix, _page_progress(prefix, progress)))
        outcome.listed += len(objects)
        selection = select(objects, declared, history, seen, excluded)
        outcome.skipped.update(selection.skipped)
        outcome.batches += group(prefix, selection.kept, request.batch_size, taken_names)
    manifests = {b.name: _manifest_path(request.location, b.name) for b in outcome.batches}
    outcome.manifests = [_relative(request.location, path) for path in manifests.values()]
    if request.write and outcome.batches:
        _write(stack, outcome, manifests)
        outcome.written = True
    return outcome


def _history(stack: StackFile, store: str | None, progress: Say) -> StoreHistory | None:
    if store is None:
        return None
    progress(f"reading the import jobs of variant store {store} ...")
    endpoint = stack.setting(f"{CONFIG_NAMESPACE}:omicsEndpoint")
    problem = None if endpoint is None else endpoint_problem(endpoint)
    if problem is not None:
        raise CommandError(f"{stack.location.path}: {CONFIG_NAMESPACE}:omicsEndpoint {problem}")
    client = omics_client(stack.setting("aws:region"), stack.setting("aws:profile"), endpoint)
    history = store_history(client, store)
    progress(
        f"store {store}: {history.jobs} import job(s), {len(history.imported):,} file(s) "
        f"imported, {len(history.running):,} being imported"
    )
    return history


def _page_progress(prefix: S3Location, progress: Say) -> Callable[[int], None]:
    pages = 0

    def on_page(listed: int) -> None:
        nonlocal pages
        pages += 1
        if pages % PROGRESS_PAGES == 0:
            progress(f"listing {prefix.uri}: {listed:,} objects so far ...")

    return on_page


def _manifest_path(location: StackLocation, batch: str) -> Path:
    folder = location.path.parent / MANIFEST_FOLDER / location.stack
    return folder / f"{batch}{MANIFEST_SUFFIX}"


def _relative(location: StackLocation, path: Path) -> str:
    return path.relative_to(location.project_dir).as_posix()


def _write(stack: StackFile, outcome: PlanOutcome, manifests: dict[str, Path]) -> None:
    contents = {
        manifests[batch.name]: manifest_text(batch.name, batch.sources, batch.origin)
        for batch in outcome.batches
    }
    for path, text in contents.items():
        if path.exists() and (not path.is_file() or path.read_text(encoding="utf-8") != text):
            raise CommandError(
                f"{_relative(stack.location, path)} already exists and holds other files; no "
                "batch of the stack names it: move it away and run plan again"
            )
    entries = [
        {"name": batch.name, "manifest": relative}
        for batch, relative in zip(outcome.batches, outcome.manifests, strict=True)
    ]
    write_files(contents, stack.location.path.resolve(), append_batches(stack, entries))
