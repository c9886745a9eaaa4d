"""The on-disk cache of decoded images, so that a second load of the same photos is near instant.

One file per class folder and request: ``catdog-<key>.npz`` (plain arrays, no pickle), where the
key is a SHA-256 of everything the decoded images depend on: the folder, the name, size and
modification time of every image file in it, the image size, how many were asked for and the seed
that chose them (when they are not all of them). Changing, adding or removing a file changes the
key, so a stale entry is never read. Beyond ``MAX_CACHE_BYTES`` in all, the least recently used
entries are deleted.

Files are written to a temporary name and renamed into place (``os.replace`` is atomic), so a crash
of the program never leaves a half-written entry under an entry's name. A file that cannot be read back for any reason (truncated,
corrupt, from another version) counts as a miss: the images are decoded again and the entry rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["CACHE_VERSION", "MAX_CACHE_BYTES", "CachedGroup", "cache_key", "default_cache_dir", "prune",
           "read_group", "write_group"]

CACHE_VERSION = 2  # bump when decoding changes (interpolation, colour conversion), to orphan old entries
MAX_CACHE_BYTES = 4 * 2**30  # the 2,400 photos take 30 MB at 64x64 and 360 MB at 224x224


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/convviz``, or ``~/.cache/convviz`` when that is not set."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "convviz"


@dataclass(frozen=True)
class CachedGroup:
    """What one class folder's load produced: the decoded images in file-name order and the files
    that failed to decode.

    images: (n, 3, size, size) uint8, R, G, B (decoded and resized, before scaling to [0, 1]).
    names:  n file names (in the class folder) of the images.
    failed: (file name, reason) of each image file that could not be decoded.
    """

    images: np.ndarray
    names: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]


def cache_key(**fields) -> str:
    """A SHA-256 hex digest of ``fields`` (JSON-serialisable values) and the cache version."""
    text = json.dumps({"version": CACHE_VERSION, **fields}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / f"catdog-{key}.npz"


def read_group(cache_dir: Path, key: str, size: int) -> CachedGroup | None:
    """The entry stored under ``key``, or None if there is none or it cannot be trusted."""
    path = _entry_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            group = CachedGroup(
                images=stored["images"],
                names=tuple(str(name) for name in stored["names"]),
                failed=tuple(zip(map(str, stored["failed_names"]), map(str, stored["failed_reasons"]))),
            )
            stored_key = str(stored["key"])
            failed_count = len(stored["failed_names"])
    except Exception:  # noqa: BLE001 - any unreadable entry is a miss, never a crash (see module doc)
        return None
    images = group.images
    if (stored_key != key or images.dtype != np.uint8 or images.shape[1:] != (3, size, size)
            or len(group.names) != len(images) or len(group.failed) != failed_count):
        return None
    try:
        os.utime(path)  # used now: the last entry ``prune`` would delete
    except OSError:
        pass
    return group


def write_group(cache_dir: Path, key: str, group: CachedGroup) -> bool:
    """Store ``group`` under ``key`` atomically. Returns False (and leaves nothing behind) if the
    cache folder cannot be written: caching is an optimisation, never a reason to fail a load."""
    cache_dir = Path(cache_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".catdog-", suffix=".npz.tmp")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(
                file,
                key=np.array(key),
                images=np.ascontiguousarray(group.images, dtype=np.uint8),
                names=np.array(group.names, dtype=str),
                failed_names=np.array([name for name, _ in group.failed], dtype=str),
                failed_reasons=np.array([reason for _, reason in group.failed], dtype=str),
            )
        # No fsync: after a power cut the renamed file may hold garbage, which read_group then
        # refuses like any corrupt entry. Waiting for the disk would cost seconds at 224x224.
        os.replace(temporary, _entry_path(cache_dir, key))
        return True
    except OSError:
        return False
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def prune(cache_dir: Path, keep: set[str], limit: int | None = None) -> list[Path]:
    """Delete entries, least recently used (written or read) first, until all of them together
    take at most ``limit`` bytes (default ``MAX_CACHE_BYTES``); never the entries of the keys in
    ``keep``. Returns the deleted files."""
    limit = MAX_CACHE_BYTES if limit is None else limit
    entries = []
    for path in Path(cache_dir).glob("catdog-*.npz"):
        try:
            stat = path.stat()
        except OSError:  # deleted meanwhile by another load
            continue
        entries.append((stat.st_mtime_ns, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    kept = {_entry_path(cache_dir, key) for key in keep}
    deleted = []
    for _, size, path in sorted(entries, key=lambda entry: entry[0]):
        if total <= limit:
            break
        if path in kept:
            continue
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        deleted.append(path)
    return deleted
