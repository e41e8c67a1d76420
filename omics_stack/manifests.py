"""Manifest files: one batch's S3 URIs, one per line, in a text file the stack file names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

COMMENT = "#"
MANIFEST_SUFFIX = ".txt"
MANIFEST_HINT = (
    "a manifest is a path relative to the project folder (where Pulumi.yaml is), "
    "e.g. stacks/manifests/prod/cohort-001.txt"
)


class ManifestError(ValueError):
    """A manifest cannot be read; the message names the file."""


@dataclass(frozen=True)
class ManifestLine:
    """One S3 URI of a manifest, with its 1-based line number (for messages)."""

    number: int
    source: str


def manifest_problem(path: str) -> str | None:
    """Why path cannot name a manifest, or None: it must be relative and use '/' separators."""
    if not path or path != path.strip():
        return f"{path!r} is not a file path; {MANIFEST_HINT}"
    pure = PurePosixPath(path)
    if pure.is_absolute() or "\\" in path or (len(path) > 1 and path[1] == ":"):
        return f"{path!r} is absolute; {MANIFEST_HINT}"
    return None


def read_manifest(root: Path, path: str) -> list[ManifestLine]:
    """The URIs listed in manifest ``path`` (relative to ``root``); comments and blanks skipped.

    Lines are taken exactly as written (only the line break is removed): an S3 key may end in
    a space. Raise ManifestError when the file cannot be read or is not UTF-8 text.
    """
    try:
        text = (root / path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path} does not exist (relative to {root})") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise ManifestError(f"{path} cannot be read: {error.strerror or error}") from None
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if line and not line.startswith(COMMENT):
            lines.append(ManifestLine(number, line))
    return lines


def manifest_text(batch: str, sources: Sequence[str], origin: str) -> str:
    """The content of the manifest of a new batch: a header, then one URI per line."""
    header = [
        f"{COMMENT} Batch {batch}: {len(sources)} file(s) under {origin}, written by "
        "omics-variant-import plan.",
        f"{COMMENT} Imported once, by one import job: never edit this file after the batch ran; "
        "new files go into a new batch.",
    ]
    return "\n".join([*header, *sources]) + "\n"
