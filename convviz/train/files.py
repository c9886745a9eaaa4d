"""Writing a file so that a crash never leaves half of it: a temporary file in the same folder
(the same file system, so the rename is atomic), flushed to disk, then renamed over the target."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["replace_atomically"]


def replace_atomically(path, write, binary: bool = True) -> Path:
    """Call ``write(stream)`` on a temporary file next to ``path``, then ``os.replace`` it onto
    ``path``; if anything fails the temporary file is removed and ``path`` is as it was."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temporary, 0o644)  # mkstemp makes it private; these are ordinary result files
        with os.fdopen(handle, "wb" if binary else "w", **({} if binary else {"newline": ""})) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
