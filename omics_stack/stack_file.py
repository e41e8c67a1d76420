"""Stack files: finding one, reading it (round-trip YAML), appending batches byte for byte.

New batches are spliced in as text after the last existing batch (or as a new `imports` key at
the end of `config`), so every other byte, comment and key stays exactly as written; the result
is parsed again and must hold the old batches plus the new ones and nothing else changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from omics_provider.surface import CONFIG_NAMESPACE, QUOTED_CHARACTERS
from omics_stack.errors import CommandError

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
LOCK_WAIT_SECONDS = 10.0
"""How long plan waits for another plan editing the same stack file before giving up."""
LOCK_POLL_SECONDS = 0.05
DOCUMENT_END = re.compile(r"(?:\.\.\.|---)(?:\s.*)?\r?\n?")
"""A YAML document end (`...`) or next document start (`---`) line."""
IMPORTS_KEY = f"{CONFIG_NAMESPACE}:imports"
ANNOTATION_IMPORTS_KEY = f"{CONFIG_NAMESPACE}:annotationImports"
STACK_FILE = re.compile(r"Pulumi\.(?P<stack>[^/]+)\.ya?ml")


@dataclass(frozen=True)
class StackLocation:
    """A stack file, the project folder it belongs to, and the stack's name."""

    path: Path
    project_dir: Path
    stack: str


@dataclass(frozen=True)
class StackFile:
    """A stack file as read: its text, its YAML document, and the namespace's values."""

    location: StackLocation
    text: str
    document: CommentedMap

    @property
    def config(self) -> CommentedMap:
        """The stack file's `config` map."""
        config: CommentedMap = self.document["config"]
        return config

    def values(self, namespace: str = CONFIG_NAMESPACE) -> dict[str, Any]:
        """The keys of namespace (without it) and their values, typed as YAML reads them."""
        prefix = f"{namespace}:"
        return {k.removeprefix(prefix): v for k, v in self.config.items() if k.startswith(prefix)}

    def setting(self, key: str) -> str | None:
        """A scalar setting by its full key (e.g. `aws:region`), as text; None when unset."""
        value = self.config.get(key)
        return None if value is None or isinstance(value, Mapping | list) else str(value)


def locate(stack: str | None, stack_file: str | None, cwd: Path) -> StackLocation:
    """Where the stack file is: --stack-file, else Pulumi.<stack>.yaml in the project's
    stackConfigDir (the project is the nearest folder at or above cwd with a Pulumi.yaml)."""
    if stack_file is not None:
        path = (cwd / stack_file).resolve()
        project = _project_dir(path.parent)
        if project is None:
            raise CommandError(
                f"no Pulumi.yaml in {path.parent} or any folder above it: manifests are written "
                "relative to the project folder, so the stack file must be inside a project"
            )
        match = STACK_FILE.fullmatch(path.name)
        return StackLocation(path, project, stack or (match["stack"] if match else path.stem))
    if stack is None:
        raise CommandError("name the stack: --stack NAME (or --stack-file PATH)")
    project = _project_dir(cwd.resolve())
    if project is None:
        raise CommandError(
            f"no Pulumi.yaml in {cwd} or any folder above it; run in the project folder or "
            "give --stack-file PATH"
        )
    return StackLocation(_config_dir(project) / f"Pulumi.{stack}.yaml", project, stack)


def _project_dir(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if any((folder / name).is_file() for name in PROJECT_FILES):
            return folder
    return None


def _config_dir(project: Path) -> Path:
    for name in PROJECT_FILES:
        if (project / name).is_file():
            settings = _parse(project / name, (project / name).read_text(encoding="utf-8"))
            folder = settings.get("stackConfigDir") if isinstance(settings, Mapping) else None
            return project / str(folder) if folder else project
    return project


def refuse_read_only(location: StackLocation) -> None:
    """CommandError when the stack file (through any symlink) is read-only for its owner."""
    try:
        mode = location.path.resolve().stat().st_mode
    except OSError:
        return  # read_stack names a missing or unreadable file
    if not mode & stat.S_IWUSR:
        raise CommandError(
            f"stack file {location.path} is read-only; make it writable (chmod u+w) to let plan "
            "add batches, or run plan --dry-run to see them"
        )


@contextlib.contextmanager
def stack_file_lock(location: StackLocation, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the lock of the stack file's folder (the real one, symlinks resolved) while the
    block runs: one plan at a time edits a stack file. Another plan holding it is waited for
    up to wait_seconds (default LOCK_WAIT_SECONDS), then CommandError says so; nothing has been
    read or written then.

    The folder is locked, not the file: the file is replaced by a rename on every write, and
    a lock on the old file would not stop a plan that opens the new one.
    """
    folder = location.path.resolve().parent
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError as error:
        raise CommandError(f"cannot open {folder} to lock it: {error.strerror}") from None
    try:
        wait = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
        _acquire(descriptor, folder, location.path, wait)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _acquire(descriptor: int, folder: Path, path: Path, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"another plan is adding batches to {path} (it holds the lock of {folder}) "
                    f"and did not finish within {wait_seconds:g} s; nothing was written: run "
                    "plan again once it has finished"
                ) from None
            time.sleep(LOCK_POLL_SECONDS)


def read_stack(location: StackLocation) -> StackFile:
    """The stack file at location; CommandError (one line) when it is missing or not a stack."""
    try:
        with open(location.path, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise CommandError(f"stack file {location.path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"stack file {location.path} cannot be read: {error}") from None
    document = _parse(location.path, text)
    if not isinstance(document, CommentedMap) or not isinstance(
        document.get("config"), CommentedMap
    ):
        raise CommandError(f"{location.path} has no `config:` map; is it a Pulumi stack file?")
    if document["config"].fa.flow_style():
        raise CommandError(f"{location.path}: write `config:` as a block map (one key per line)")
    return StackFile(location, text, document)


def _parse(path: Path, text: str) -> Any:
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = (error.problem or error.context or "invalid YAML")[:QUOTED_CHARACTERS]
        raise CommandError(f"{path} is not valid YAML: {problem}{where}") from None
    except YAMLError as error:
        first_line = (str(error).strip().splitlines() or ["invalid YAML"])[0]
        raise CommandError(f"{path} is not valid YAML: {first_line[:QUOTED_CHARACTERS]}") from None


def append_batches(
    stack: StackFile, batches: Sequence[Mapping[str, str]], key: str = IMPORTS_KEY
) -> str:
    """The stack file's text with batches appended to the list under key (`imports`, or
    `annotationImports`), every other byte unchanged."""
    lines = stack.text.splitlines(keepends=True)
    newline = _newline(lines)
    at, indent, opening = _insertion(stack, lines, key)
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += newline
    inserted = opening + _render(batches, indent, newline)
    text = "".join(lines[:at]) + inserted + "".join(lines[at:])
    _check_appended(stack, text, batches, key)
    return text


def _insertion(stack: StackFile, lines: list[str], key: str) -> tuple[int, int, str]:
    """(line index to insert at, column of the '-', text to insert before the batches)."""
    config = stack.config
    if key not in config:
        key_column = config.lc.key(next(iter(config)))[1] if config else 2
        end = _content_end(lines, _end_of_config(stack, lines), key_column)
        return end, key_column + 2, " " * key_column + f"{key}:" + _newline(lines)
    imports = config[key]
    key_line, key_column = config.lc.key(key)
    if isinstance(imports, CommentedSeq) and imports and imports.lc.line > key_line:
        boundary = _next_key_line(config, key) or _end_of_config(stack, lines)
        return _content_end(lines, boundary, imports.lc.col), imports.lc.col, ""
    rest = lines[key_line][lines[key_line].index(key) + len(key) + 1 :]
    if (imports is None or imports == []) and re.fullmatch(r"\s*(\[\s*\])?\s*(#.*)?\s*", rest):
        lines[key_line] = lines[key_line].replace("[]", "", 1) if imports == [] else lines[key_line]
        return key_line + 1, key_column + 2, ""
    raise CommandError(
        f"{stack.location.path}: write {key} as a block list (one '- name: ...' per "
        "batch) so that plan can append to it"
    )


def _newline(lines: list[str]) -> str:
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def _next_key_line(mapping: CommentedMap, key: str) -> int | None:
    keys = list(mapping)
    index = keys.index(key)
    return mapping.lc.key(keys[index + 1])[0] if index + 1 < len(keys) else None


def _end_of_config(stack: StackFile, lines: list[str]) -> int:
    """The line after config's block: the next top-level key, else the document's end marker."""
    following = _next_key_line(stack.document, "config")
    if following is not None:
        return following
    start = stack.document.lc.key("config")[0] + 1
    ends = (i for i in range(start, len(lines)) if DOCUMENT_END.fullmatch(lines[i]))
    return next(ends, len(lines))


def _content_end(lines: list[str], boundary: int, column: int) -> int:
    """The index after the last line before boundary that belongs to the block at column.

    Blank lines and comments indented less than column belong to what follows.
    """
    end = boundary
    while end > 0:
        line = lines[end - 1]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if stripped and not (stripped.startswith("#") and indent < column):
            break
        end -= 1
    return end


def _render(batches: Sequence[Mapping[str, str]], indent: int, newline: str) -> str:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump([dict(batch) for batch in batches], buffer)
    return "".join(" " * indent + line + newline for line in buffer.getvalue().splitlines())


def _check_appended(
    stack: StackFile, text: str, batches: Sequence[Mapping[str, str]], key: str
) -> None:
    """The new text must read as the old document with the batches appended, nothing else."""
    before = _plain(stack.document)
    after = _plain(_parse(stack.location.path, text))
    existing = before["config"].get(key) or []
    before["config"][key] = [*existing, *map(dict, batches)]
    if after != before:
        raise CommandError(
            f"{stack.location.path}: appending the batches would change more than {key} (an "
            "unusual layout); add them by hand, the stack file was not changed"
        )


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
