"""Atomic writes: a temporary file in the same folder, then ``os.replace``.

Readers of the target path see the old file or the new one, never half
of either, even if the process dies while writing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_text"]


def atomic_write(path, write: Callable[[object], None]) -> Path:
    """Call ``write(handle)`` on a temporary binary file, then rename it
    to ``path``. The folder must exist."""
    path = Path(path)
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
