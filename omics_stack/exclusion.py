"""verify --exclude: move the failing files of batches that never ran into the stack's exclusions.

A batch that ran (any import job of the store lists one of its files) is never edited: a changed
batch would be a new import job of all its files. Other batches lose their failing files (from
the manifest, or from the inline `sources`), which go to `exclusions` with verify's reason, so
that `plan` never adds them back. Every file is written atomically; if the stack file cannot be
written, the manifests are put back as they were.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from omics_provider.surface import CONFIG_NAMESPACE
from omics_stack.atomic import atomic_write
from omics_stack.config import DeclaredBatches, ImportBatch
from omics_stack.errors import CommandError
from omics_stack.stack_file import IMPORTS_KEY, StackFile
from omics_stack.verification import Problem

EXCLUSIONS_KEY = f"{CONFIG_NAMESPACE}:exclusions"


@dataclass
class ExclusionOutcome:
    """The files moved to exclusions, and the failing files left in batches that ran."""

    moved: list[Problem] = field(default_factory=list)
    kept: list[Problem] = field(default_factory=list)


def exclude_failures(
    stack: StackFile, config: DeclaredBatches, problems: Sequence[Problem], ran: set[str]
) -> ExclusionOutcome:
    """Move problems of batches not in ran into exclusions; write the files; say what moved.

    A batch left with no file is refused: remove it by hand (CommandError, nothing written).
    """
    outcome = ExclusionOutcome()
    failing: dict[str, dict[str, str]] = {}
    for problem in problems:
        if problem.batch in ran:
            outcome.kept.append(problem)
        else:
            outcome.moved.append(problem)
            failing.setdefault(problem.batch, {})[problem.source] = problem.what
    if not outcome.moved:
        return outcome
    batches = {batch.name: batch for batch in config.imports}
    for name, files in failing.items():
        if set(batches[name].sources) <= set(files):
            raise CommandError(
                f"every file of batch {name!r} fails verify; remove the batch from the stack "
                "file by hand (nothing was written)"
            )
    manifests = _manifest_texts(stack.location.project_dir, batches, failing)
    document = _edited_document(stack, failing, outcome.moved)
    _write(stack.location.path, _dump(document), manifests)
    return outcome


def _manifest_texts(
    root: Path, batches: Mapping[str, ImportBatch], failing: Mapping[str, Mapping[str, str]]
) -> dict[Path, str]:
    """The new text of each manifest that loses lines (comments and order kept)."""
    texts: dict[Path, str] = {}
    for name, files in failing.items():
        manifest = batches[name].manifest
        if manifest is None:
            continue
        path = root / manifest
        lines = path.read_text(encoding="utf-8").split("\n")
        kept = [line for line in lines if line.removesuffix("\r") not in files]
        texts[path] = "\n".join(kept)
    return texts


def _edited_document(
    stack: StackFile, failing: Mapping[str, Mapping[str, str]], moved: Sequence[Problem]
) -> CommentedMap:
    """The stack document with failing inline sources removed and the exclusions appended."""
    document = stack.document
    config = document["config"]
    for batch in config.get(IMPORTS_KEY) or []:
        files = failing.get(str(batch.get("name")))
        sources = batch.get("sources")
        if files and isinstance(sources, CommentedSeq):
            for index in reversed(range(len(sources))):
                if sources[index] in files:
                    del sources[index]
    exclusions = config.get(EXCLUSIONS_KEY)
    if exclusions is None:
        exclusions = CommentedSeq()
        config[EXCLUSIONS_KEY] = exclusions
    elif not isinstance(exclusions, CommentedSeq):
        raise CommandError(f"{stack.location.path}: {EXCLUSIONS_KEY} must be a list")
    for problem in moved:
        entry = CommentedMap()
        entry["source"] = problem.source
        entry["reason"] = f"verify: {problem.what}"
        exclusions.append(entry)
    return document


def _dump(document: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def _write(stack_path: Path, stack_text: str, manifests: Mapping[Path, str]) -> None:
    """Rewrite the manifests, then the stack file; put the manifests back if that fails."""
    originals = {path: path.read_text(encoding="utf-8") for path in manifests}
    try:
        for path, text in manifests.items():
            atomic_write(path, text)
        atomic_write(stack_path, stack_text)
    except BaseException:
        for path, text in originals.items():
            atomic_write(path, text)
        raise
