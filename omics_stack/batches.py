"""Import batches in a stack file (`imports`, `annotationImports`): schema, manifests, overlaps."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omics_provider.surface import (
    MAX_ITEMS_PER_JOB,
    SOURCE_HINT,
    Checker,
    has_control_character,
    quoted,
    string_rule,
)
from omics_stack.manifests import (
    MANIFEST_HINT,
    ManifestError,
    ManifestLine,
    manifest_problem,
    read_manifest,
)

BATCH_KEYS = frozenset(
    {
        "name",
        "sources",
        "manifest",
        "runLeftNormalization",
        "annotationFields",
        "allowReimport",
        "adoptJobId",
    }
)

JOB_ID_HINT = "a job id is the UUID StartVariantImportJob returned (e.g. from the console)"
BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
BATCH_NAME_HINT = "a batch name is 1 to 100 letters, digits, '_', '.' or '-' (e.g. cohort-2024-06)"
BAD_LINES_SHOWN = 3
"""A manifest's bad lines named one by one; the rest are counted."""


@dataclass(frozen=True)
class ImportBatch:
    """One import batch: files imported once, by one import job (of the stack's variant or
    annotation store).

    manifest is the file (relative to the project folder) the sources were read from, if any.
    """

    name: str
    sources: tuple[str, ...]
    run_left_normalization: bool | None = None
    annotation_fields: Mapping[str, str] | None = None
    manifest: str | None = None
    allow_reimport: bool = False
    adopt_job_id: str | None = None


@dataclass(frozen=True)
class ParsedBatch:
    """A batch as parsed, with its position in the list and its raw map (for keys of its own)."""

    index: int
    batch: ImportBatch
    raw: Mapping[str, Any]


def parse_batches(
    checker: Checker,
    value: Any,
    root: Path,
    key: str = "imports",
    extra_keys: frozenset[str] = frozenset(),
) -> list[ParsedBatch]:
    """The batches of the list under key (batch keys, plus extra_keys), checked: names unique,
    each file in one batch. Failures name `key[index]...`; bad batches are left out."""
    if value is None:
        return []
    if not isinstance(value, list):
        checker.fail(key, "must be a list of {name, sources} or {name, manifest} batches")
        return []
    keys = BATCH_KEYS | extra_keys
    parsed = [
        ParsedBatch(i, batch, raw)
        for i, raw in enumerate(value)
        if (batch := _batch(checker, f"{key}[{i}]", raw, root, keys)) is not None
    ]
    seen: set[str] = set()
    for entry in parsed:
        if entry.batch.name in seen:
            checker.fail(
                f"{key}[{entry.index}].name",
                f"{entry.batch.name!r} names two batches; batch names must be unique (one job "
                "each)",
            )
        seen.add(entry.batch.name)
    _check_overlaps(checker, key, [(entry.index, entry.batch) for entry in parsed])
    return parsed


def _check_overlaps(checker: Checker, key: str, batches: Sequence[tuple[int, ImportBatch]]) -> None:
    """One failure per (batch, earlier batch) pair that share files, naming both and a file."""
    owners: dict[str, int] = {}
    by_index = dict(batches)
    for index, batch in batches:
        shared: dict[int, list[str]] = {}
        for source in batch.sources:
            owner = owners.setdefault(source, index)
            if owner != index:
                shared.setdefault(owner, []).append(source)
        for owner, files in shared.items():
            checker.fail(
                _sources_key(key, index, batch),
                _overlap_reason(batch, f"{key}[{owner}]", by_index[owner], files),
            )


def _sources_key(key: str, index: int, batch: ImportBatch) -> str:
    return f"{key}[{index}].{'manifest' if batch.manifest else 'sources'}"


def _overlap_reason(
    batch: ImportBatch, owner_prop: str, owner: ImportBatch, files: list[str]
) -> str:
    first = f"batch {owner.name!r} ({owner_prop})"
    if set(batch.sources) == set(owner.sources):
        return (
            f"batch {batch.name!r} lists the same {len(files)} file(s) as {first}, e.g. "
            f"{files[0]}; each file belongs to exactly one batch: remove one of the two batches"
        )
    more = f" (and {len(files) - 1} more shared file(s))" if len(files) > 1 else ""
    return (
        f"batch {batch.name!r} lists {files[0]}, which {first} already imports{more}; each file "
        "belongs to exactly one batch: remove it from one of them"
    )


def _batch(
    checker: Checker, prop: str, raw: Any, root: Path, keys: frozenset[str]
) -> ImportBatch | None:
    if not isinstance(raw, Mapping):
        checker.fail(
            prop,
            "must be a map {name, sources or manifest, runLeftNormalization?, annotationFields?, "
            "allowReimport?, adoptJobId?}",
        )
        return None
    failures = len(checker.failures)
    for key in sorted(set(raw) - keys):
        checker.fail(f"{prop}.{key}", f"is not a batch key; batch keys: {', '.join(sorted(keys))}")
    name = raw.get("name")
    if checker.required(f"{prop}.name", name, BATCH_NAME_HINT) and (
        not isinstance(name, str) or not BATCH_NAME.fullmatch(name)
    ):
        checker.fail(f"{prop}.name", f"{quoted(name)} is not a valid batch name; {BATCH_NAME_HINT}")
    manifest = raw.get("manifest")
    if manifest is not None and "sources" in raw:
        checker.fail(prop, "lists sources and names a manifest; give one of the two")
        sources: tuple[str, ...] = ()
    elif manifest is not None:
        sources = _manifest_sources(checker, f"{prop}.manifest", manifest, root)
    else:
        sources = _sources(checker, f"{prop}.sources", raw.get("sources"))
    for flag in ("runLeftNormalization", "allowReimport"):
        checker.boolean(f"{prop}.{flag}", raw.get(flag))
    fields = raw.get("annotationFields")
    checker.string_map(f"{prop}.annotationFields", fields, "AnnotationFieldMap", "strings")
    adopt = raw.get("adoptJobId")
    if adopt is not None:
        checker.shape_string(f"{prop}.adoptJobId", adopt, "ResourceId", JOB_ID_HINT)
    if len(checker.failures) > failures:
        return None
    return ImportBatch(
        str(name),
        sources,
        raw.get("runLeftNormalization"),
        fields,
        manifest,
        allow_reimport=raw.get("allowReimport") is True,
        adopt_job_id=adopt,
    )


def _sources(checker: Checker, prop: str, sources: Any) -> tuple[str, ...]:
    if not isinstance(sources, list) or not sources:
        checker.fail(prop, f"must list at least one file (or name a manifest); {SOURCE_HINT}")
        return ()
    if len(sources) > MAX_ITEMS_PER_JOB:
        checker.fail(prop, f"lists {len(sources)} files; a batch takes at most {MAX_ITEMS_PER_JOB}")
    for index, source in enumerate(sources):
        checker.shape_string(f"{prop}[{index}]", source, "S3Uri", SOURCE_HINT)
    if len(set(map(str, sources))) != len(sources):
        checker.fail(prop, "lists a file twice; list each file once")
    return tuple(str(s) for s in sources)


def _manifest_sources(checker: Checker, prop: str, manifest: Any, root: Path) -> tuple[str, ...]:
    if not isinstance(manifest, str):
        checker.fail(prop, f"must be a file path, got {quoted(manifest)}; {MANIFEST_HINT}")
        return ()
    problem = manifest_problem(manifest)
    if problem is not None:
        checker.fail(prop, problem)
        return ()
    try:
        lines = read_manifest(root, manifest)
    except ManifestError as error:
        checker.fail(prop, str(error))
        return ()
    if not lines:
        checker.fail(prop, f"{manifest} lists no file; {SOURCE_HINT}")
    if len(lines) > MAX_ITEMS_PER_JOB:
        checker.fail(
            prop, f"{manifest} lists {len(lines)} files; a batch takes at most {MAX_ITEMS_PER_JOB}"
        )
    _check_manifest_lines(checker, prop, manifest, lines)
    return tuple(line.source for line in lines)


def _check_manifest_lines(
    checker: Checker, prop: str, manifest: str, lines: Sequence[ManifestLine]
) -> None:
    rule = string_rule("S3Uri")
    first_line: dict[str, int] = {}
    bad: list[str] = []
    for line in lines:
        problem = (
            "holds a control character"
            if has_control_character(line.source)
            else rule.violation(line.source)
        )
        if problem is not None:
            bad.append(f"line {line.number}: {quoted(line.source)} {problem}")
        elif first_line.setdefault(line.source, line.number) != line.number:
            bad.append(f"line {line.number} repeats line {first_line[line.source]}")
    if bad:
        more = (
            f" (and {len(bad) - BAD_LINES_SHOWN} more bad lines)"
            if len(bad) > BAD_LINES_SHOWN
            else ""
        )
        shown = "; ".join(bad[:BAD_LINES_SHOWN])
        checker.fail(prop, f"{manifest} {shown}{more}; {SOURCE_HINT}, listed once")
