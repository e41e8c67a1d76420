"""Manifest files: one batch's S3 URIs, one per line, in a text file the stack file names."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from omics_provider.surface import has_control_character, quoted

COMMENT = "#"
MANIFEST_SUFFIX = ".txt"
MAX_MANIFEST_BYTES = 4 * 2**20
"""The largest manifest read: 1,000 S3 URIs of the longest kind (about 1.1 MB) with room for
comments. A larger file is no manifest, and is not read."""
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
    if not path or path != path.strip() or has_control_character(path):
        return f"{quoted(path)} is not a file path; {MANIFEST_HINT}"
    pure = PurePosixPath(path)
    if pure.is_absolute() or "\\" in path or (len(path) > 1 and path[1] == ":"):
        return f"{quoted(path)} is absolute; {MANIFEST_HINT}"
    return None


def read_manifest(root: Path, path: str) -> list[ManifestLine]:
    """The URIs listed in manifest ``path`` (relative to ``root``); comments and blanks skipped.

    The path must resolve (symlinks followed) to a regular file inside root of at most
    MAX_MANIFEST_BYTES; nothing else is opened. Lines are taken exactly as written (only the
    line break is removed): an S3 key may end in a space. Raise ManifestError, naming the path
    and the rule and quoting none of the file's content, when the file cannot be read or is
    not UTF-8 text.
    """
    target = _inside(root, path)
    try:
        info = os.stat(target)
        if not stat.S_ISREG(info.st_mode):
            raise ManifestError(f"{path} is not a regular file; {MANIFEST_HINT}")
        if info.st_size > MAX_MANIFEST_BYTES:
            raise ManifestError(_too_large(path, info.st_size))
        with open(target, "rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
        if len(data) > MAX_MANIFEST_BYTES:
            raise ManifestError(_too_large(path, len(data)))
        text = data.decode("utf-8")
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


def _inside(root: Path, path: str) -> Path:
    """path under root with symlinks resolved; ManifestError when it leads outside root."""
    project = root.resolve()
    try:
        target = (project / path).resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise ManifestError(f"{path} cannot be resolved: {error}") from None
    if not target.is_relative_to(project):
        raise ManifestError(
            f"{path} leads outside the project folder {project} (to {target}); a manifest must "
            f"be a file inside the project; {MANIFEST_HINT}"
        )
    return target


def _too_large(path: str, size: int) -> str:
    return (
        f"{path} holds {size:,} bytes, more than a manifest may ({MAX_MANIFEST_BYTES:,} bytes: "
        "1,000 S3 URIs and comments); a batch takes at most 1,000 files"
    )


def manifest_text(batch: str, sources: Sequence[str], origin: str) -> str:
    """The content of the manifest of a new batch: a header, then one URI per line."""
    header = [
        f"{COMMENT} Batch {batch}: {len(sources)} file(s) under {origin}, written by "
        "omics-variant-import plan.",
        f"{COMMENT} Imported once, by one import job: never edit this file after the batch ran; "
        "new files go into a new batch.",
    ]
    return "\n".join([*header, *sources]) + "\n"
