"""Planning new batches: which listed files to import, and how to group and name them."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from omics_provider.surface import has_control_character, string_rule
from omics_stack.history import StoreHistory
from omics_stack.s3 import S3Location, S3Object

VCF_SUFFIXES = (".vcf", ".vcf.gz")
"""The files HealthOmics imports into a variant store."""
NAME_ROOM = 90
"""Characters of a batch name taken from its prefix (a batch name is at most 100)."""


@dataclass(frozen=True)
class PlannedBatch:
    """A new batch: its name, the prefix its files came from, and the files in key order."""

    name: str
    origin: str
    objects: tuple[S3Object, ...]

    @property
    def sources(self) -> list[str]:
        """The files as S3 URIs."""
        return [o.uri for o in self.objects]

    @property
    def size(self) -> int:
        """The batch's total size in bytes."""
        return sum(o.size for o in self.objects)


@dataclass
class Selection:
    """The files to import from a listing, and how many were left out for each reason."""

    kept: list[S3Object] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def skip_reason(obj: S3Object, suffixes: tuple[str, ...] = VCF_SUFFIXES) -> str | None:
    """Why a listed object is no file to import (name or size), or None when it is one: a file
    to import ends with one of suffixes (default: a VCF's)."""
    if obj.key.endswith("/"):
        return "folder markers"
    if not obj.key.endswith(suffixes):
        return f"not {'/'.join(suffixes)} ({_suffix(obj.key)})"
    if has_control_character(obj.key) or string_rule("S3Uri").violation(obj.uri) is not None:
        return "names HealthOmics cannot take (control characters or too long)"
    if obj.size == 0:
        return "empty files"
    return None


def _suffix(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return "no extension" if "." not in name else "." + name.rsplit(".", 1)[-1]


def select(
    objects: Iterable[S3Object],
    declared: Collection[str],
    history: StoreHistory | None = None,
    seen: set[str] | None = None,
    excluded: Collection[str] = (),
    suffixes: tuple[str, ...] = VCF_SUFFIXES,
) -> Selection:
    """The files among objects (named with one of suffixes: VCF by default) that no batch
    declares, the stack does not exclude and the store has not taken.

    seen collects the URIs listed so far across calls: a file under two prefixes counts once.
    """
    seen = set() if seen is None else seen
    selection = Selection()
    for obj in objects:
        if obj.uri in seen:
            reason: str | None = "listed again (under two of the prefixes given)"
        else:
            seen.add(obj.uri)
            reason = skip_reason(obj, suffixes) or _taken_reason(
                obj.uri, declared, excluded, history
            )
        if reason is None:
            selection.kept.append(obj)
        else:
            selection.skipped[reason] += 1
    return selection


def _taken_reason(
    uri: str, declared: Collection[str], excluded: Collection[str], history: StoreHistory | None
) -> str | None:
    if uri in declared:
        return "already in a batch of this stack"
    if uri in excluded:
        return "excluded by the stack (exclusions)"
    if history is not None and uri in history.imported:
        return f"already imported into store {history.store}"
    if history is not None and uri in history.running:
        return f"being imported into store {history.store} by a running job"
    return None


def batch_base(prefix: S3Location) -> str:
    """The stem of the names of a prefix's batches: its folders (or bucket), e.g. vcf-2024-06."""
    path = prefix.key.strip("/") or prefix.bucket
    stem = re.sub(r"[^A-Za-z0-9_.]+", "-", path)[-NAME_ROOM:].strip("-._")
    return stem or "batch"


def group(
    prefix: S3Location, objects: Sequence[S3Object], batch_size: int, taken: set[str]
) -> list[PlannedBatch]:
    """objects sorted by key, in batches of at most batch_size, sizes within one of each other.

    Names are `<base>-NNN`, numbered on from the highest number taken holds for that base;
    the new names are added to taken.
    """
    if not objects:
        return []
    ordered = sorted(objects, key=lambda o: o.key)
    count = math.ceil(len(ordered) / batch_size)
    base = batch_base(prefix)
    number = _last_number(base, taken)
    batches = []
    for index in range(count):
        chunk = ordered[index * len(ordered) // count : (index + 1) * len(ordered) // count]
        number += 1
        name = f"{base}-{number:03d}"
        taken.add(name)
        batches.append(PlannedBatch(name, prefix.uri, tuple(chunk)))
    return batches


def _last_number(base: str, taken: Iterable[str]) -> int:
    pattern = re.compile(re.escape(base) + r"-(\d+)")
    numbers = [int(m.group(1)) for name in taken if (m := pattern.fullmatch(name))]
    return max(numbers, default=0)
