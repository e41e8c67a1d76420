"""plan: list delivered files, leave out what is declared or imported, write the new batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omics_provider.errors import StackConfigError
from omics_provider.surface import (
    ANNOTATION_IMPORT,
    CONFIG_NAMESPACE,
    MAX_ITEMS_PER_JOB,
    endpoint_problem,
)
from omics_stack.annotation_files import SUFFIXES
from omics_stack.atomic import write_files
from omics_stack.config import DeclaredBatches, ImportBatch, parse_declared_batches
from omics_stack.errors import CommandError
from omics_stack.history import StoreHistory, omics_client, store_history
from omics_stack.manifests import MANIFEST_SUFFIX, manifest_text
from omics_stack.planning import VCF_SUFFIXES, PlannedBatch, group, select
from omics_stack.s3 import S3Location, list_objects, s3_client
from omics_stack.stack_file import (
    ANNOTATION_IMPORTS_KEY,
    IMPORTS_KEY,
    StackFile,
    StackLocation,
    append_batches,
    read_stack,
    refuse_read_only,
    stack_file_lock,
)

MANIFEST_FOLDER = "manifests"
"""New manifests go to <stack file's folder>/manifests/<stack>/<batch>.txt (annotation batches'
to .../<stack>/annotations/<batch>.txt)."""
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
    annotations: bool = False
    """Plan annotationImports batches (of the files the stack's annotation store reads)."""


@dataclass(frozen=True)
class Target:
    """Where plan adds batches: the stack key, the batches there, the files they may hold,
    and the manifests' folder below the stack's."""

    key: str
    batches: Sequence[ImportBatch]
    suffixes: tuple[str, ...]
    folder: str = ""

    @classmethod
    def of(cls, config: DeclaredBatches, request: PlanRequest) -> Target:
        """The variant batches, or (with request.annotations) the annotation batches; the
        latter need an annotation store (CommandError says so)."""
        if not request.annotations:
            return cls(IMPORTS_KEY, config.imports, VCF_SUFFIXES)
        store = config.annotations.store
        if store is None:
            raise CommandError(
                f"{request.location.path}: plan --annotations adds batches for the stack's "
                f"annotation store: declare {CONFIG_NAMESPACE}:annotationStore first"
            )
        return cls(
            ANNOTATION_IMPORTS_KEY,
            config.annotations.imports,
            SUFFIXES[store.store_format],
            "annotations",
        )


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
    target = Target.of(config, request)
    client = s3 or s3_client(stack.setting("aws:region"), stack.setting("aws:profile"))
    history = _history(stack, request, config, progress)
    outcome = PlanOutcome()
    taken_names = {batch.name for batch in target.batches}
    declared = {source for batch in target.batches for source in batch.sources}
    excluded = {exclusion.source for exclusion in config.exclusions}
    seen: set[str] = set()
    for prefix in request.prefixes:
        objects = list(list_objects(client, prefix, _page_progress(prefix, progress)))
        outcome.listed += len(objects)
        selection = select(objects, declared, history, seen, excluded, target.suffixes)
        outcome.skipped.update(selection.skipped)
        outcome.batches += group(prefix, selection.kept, request.batch_size, taken_names)
    manifests = {b.name: _manifest_path(request.location, target, b.name) for b in outcome.batches}
    outcome.manifests = [_relative(request.location, path) for path in manifests.values()]
    if request.write and outcome.batches:
        _write(stack, outcome, manifests, target.key)
        outcome.written = True
    return outcome


def _history(
    stack: StackFile, request: PlanRequest, config: DeclaredBatches, progress: Say
) -> StoreHistory | None:
    """The import history of --store: the variant store's, or with --annotations that of the
    annotation store's first version (where new annotation batches go)."""
    store = request.store
    if store is None:
        return None
    annotation = config.annotations.store if request.annotations else None
    noun = "annotation store" if annotation else "variant store"
    progress(f"reading the import jobs of {noun} {store} ...")
    endpoint = stack.setting(f"{CONFIG_NAMESPACE}:omicsEndpoint")
    problem = None if endpoint is None else endpoint_problem(endpoint)
    if problem is not None:
        raise CommandError(f"{stack.location.path}: {CONFIG_NAMESPACE}:omicsEndpoint {problem}")
    client = omics_client(stack.setting("aws:region"), stack.setting("aws:profile"), endpoint)
    history = (
        store_history(client, store, kind=ANNOTATION_IMPORT, version=annotation.version_name)
        if annotation
        else store_history(client, store)
    )
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


def _manifest_path(location: StackLocation, target: Target, batch: str) -> Path:
    folder = location.path.parent / MANIFEST_FOLDER / location.stack / target.folder
    return folder / f"{batch}{MANIFEST_SUFFIX}"


def _relative(location: StackLocation, path: Path) -> str:
    return path.relative_to(location.project_dir).as_posix()


def _write(stack: StackFile, outcome: PlanOutcome, manifests: dict[str, Path], key: str) -> None:
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
    write_files(contents, stack.location.path.resolve(), append_batches(stack, entries, key))
