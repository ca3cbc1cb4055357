"""Atomic writes: a temporary file in the same folder, then ``os.replace``.

Readers of the target path see the old file or the new one, never half
of either, even if the process dies while writing. A process killed
mid-write (SIGKILL, power loss) leaves its temporary file behind; the
next write to the same path removes it.
"""

from __future__ import annotations

import errno
import glob
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "atomic_write",
    "atomic_write_text",
    "check_writable_folder",
    "remove_leftovers",
]


def _temporary_pattern(path: Path) -> str:
    """The names :func:`atomic_write` gives its temporary files."""
    return f".{glob.escape(path.name)}.*.tmp"


def remove_leftovers(path) -> list[Path]:
    """Remove the temporary files that interrupted writes of ``path``
    left in its folder; returns what was removed.

    Safe because a path has one writer at a time in this package (the
    Trainer refuses a second run in a checkpoint folder, the notebook
    runner writes each chapter once): a temporary file that exists when a
    write starts belongs to a write that will never finish.
    """
    path = Path(path)
    removed = []
    for leftover in path.parent.glob(_temporary_pattern(path)):
        if leftover.is_file():
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def atomic_write(path, write: Callable[[object], None]) -> Path:
    """Call ``write(handle)`` on a temporary binary file, then rename it
    to ``path``. The folder must exist."""
    path = Path(path)
    remove_leftovers(path)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path, text: str) -> Path:
    return atomic_write(path, lambda h: h.write(text.encode("utf-8")))


_REFUSED = (errno.EACCES, errno.EPERM, errno.EROFS)


def check_writable_folder(folder, func: str, *, create: bool) -> Path:
    """``folder`` as a Path, if files can be written in it.

    With ``create`` the folder is made (with its parents) and a
    temporary file is written and removed in it: the only test that
    covers permissions, read-only file systems and running as root
    alike. Without it nothing is changed on disk: the folder, or its
    nearest existing parent, must be a folder this process may write in.

    Raises ``NotADirectoryError`` when a file stands where a folder must
    be, ``PermissionError`` when writing is refused, each naming the
    folder.
    """
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = (
            ""
            if existing == folder
            else f", so the folder {folder} cannot be created there"
        )
        raise NotADirectoryError(
            f"{func}: {existing} is a file, not a folder{where}; choose a "
            "folder path"
        )
    if not create:
        if not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(
                f"{func}: cannot write in {existing}, so the folder "
                f"{folder} cannot be written; choose a writable folder"
            )
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(
            dir=folder, prefix=".write-test.", suffix=".tmp"
        )
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        kind = PermissionError if err.errno in _REFUSED else OSError
        raise kind(
            f"{func}: cannot write in the folder {folder} "
            f"({err.strerror or err}); choose a writable folder"
        ) from err
    return folder
