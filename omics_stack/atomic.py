"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never a part."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path


def atomic_write(path: Path, text: str) -> None:
    """Replace or create path with text: write a temporary file in the same folder, fsync it,
    rename it over path, fsync the folder.

    Any exception (KeyboardInterrupt included) leaves path as it was and removes the temporary
    file; a kill -9 can leave a hidden `.<name>.*.tmp` beside it, never a damaged path.
    The text is written exactly (newline="": line endings are not translated).
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(path.parent)


def _mode_for(path: Path) -> int:
    """The mode path has, or the mode a new file gets under the process's umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_files(new_files: Mapping[Path, str], replaced: Path, text: str) -> None:
    """Create new_files (each atomically, folders as needed), then atomically replace `replaced`.

    All or nothing: when `replaced` does not end up holding text, the files and folders this
    call created are removed again and `replaced` keeps its old content. A new file that
    already holds exactly its text is left as it is; the caller makes sure no other existing
    file is among new_files.
    """
    created: list[Path] = []
    try:
        for path, content in new_files.items():
            if path.is_file() and path.read_text(encoding="utf-8") == content:
                continue
            created += _make_folders(path.parent)
            created.append(path)
            atomic_write(path, content)
        atomic_write(replaced, text)
    except BaseException:
        if not _holds(replaced, text):
            _remove(created)
        raise


def _holds(path: Path, text: str) -> bool:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read() == text
    except OSError:
        return False


def _remove(paths: list[Path]) -> None:
    """Remove files and (then empty) folders, last created first."""
    for path in reversed(paths):
        with contextlib.suppress(OSError):
            path.rmdir() if path.is_dir() else path.unlink()


def _make_folders(folder: Path) -> list[Path]:
    """Create folder and missing parents; the folders created, outermost first."""
    missing = [p for p in [folder, *folder.parents] if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))
