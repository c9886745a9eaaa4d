"""Loading the source's cat/dog photos from a folder.

The layout, as the source's Kaggle download has it::

    ROOT/training_set/cats/*.jpg   ROOT/training_set/dogs/*.jpg
    ROOT/test_set/cats/*.jpg       ROOT/test_set/dogs/*.jpg

or with each split nested once more (``ROOT/training_set/training_set/cats``, as the download
unpacks). Any of ``IMAGE_EXTENSIONS`` in any case counts as an image; anything else in a class
folder (the download's stray ``_DS_Store``, text files) is skipped and reported, and so is an
image file that cannot be read or decoded: the source's loader crashed on the first of these.

Each image is decoded with OpenCV (which gives B, G, R channels in an H×W×C array), resized to
size×size, turned into R, G, B and then into C×H×W by *transposing* the axes (the source used
``reshape``, which keeps the bytes in place and so scrambles the pixels), and scaled to [0, 1].

Which files: each class folder's images are sorted by name and shuffled by a generator seeded
with (seed, split, class); the first ``per_class`` of that order are loaded (an image that fails to
decode is replaced by the next one), and listed in name order. The same seed and files give the
same images; changing the test count does not change the training images.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..nn.functional.checks import is_int, positive_int
from ..nn import parallel
from ..nn.parallel import map_on_all_cores
from .cache import CachedGroup, cache_key, default_cache_dir, prune, read_group, write_group
from .dataset import CLASS_FOLDERS, DataError, Dataset, Skipped, Split

__all__ = ["IMAGE_EXTENSIONS", "LAYOUT", "decode_image", "default_cache_dir", "load_folder"]

IMAGE_EXTENSIONS = (".bmp", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp")
SPLIT_FOLDERS = ("training_set", "test_set")
LAYOUT = (
    "ROOT/training_set/{cats,dogs}/ and ROOT/test_set/{cats,dogs}/ holding images "
    f"({' '.join(IMAGE_EXTENSIONS)}); each split may be nested once more, as the download is "
    "(ROOT/training_set/training_set/cats/)"
)
MAX_SIZE = 1024  # 2,400 images at 1024x1024 are already 30 GB of float32
SCALE_CHUNK = 64  # images scaled to [0, 1] per task


class UndecodableImage(Exception):
    """An image file that cannot be read or decoded; the message is the reason shown to the user."""


def decode_image(path: str, size: int) -> np.ndarray:
    """The image at ``path`` as (3, size, size) uint8, channels R, G, B; raises ``UndecodableImage``.

    ``np.fromfile`` + ``cv2.imdecode`` instead of ``cv2.imread``, which cannot open paths with
    characters outside the system's code page on Windows. Shrinking uses INTER_AREA (each output
    pixel the mean of the input pixels it covers, no aliasing); enlarging in both directions uses
    INTER_LINEAR. Non-square images are stretched to a square, as the source does.
    """
    import cv2  # here, so that importing convviz.data does not load OpenCV

    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as error:
        raise UndecodableImage(f"cannot be read ({error.strerror or error})") from None
    if raw.size == 0:
        raise UndecodableImage("cannot be decoded (empty file)")
    try:
        bgr = cv2.imdecode(raw, cv2.IMREAD_COLOR)  # 3 channels, 8 bits, whatever the file holds
    except cv2.error:
        bgr = None
    if bgr is None:
        raise UndecodableImage("cannot be decoded (truncated or corrupt?)")
    height, width = bgr.shape[:2]
    shrinking = height > size or width > size
    resized = cv2.resize(bgr, (size, size), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    rgb = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)  # (H, W, C), C in the order R, G, B
    # (H, W, C) -> (C, H, W) by moving the axes: pixel (y, x) of channel c stays pixel (y, x) of
    # channel c. The source's rgb.reshape(3, H, W) keeps the bytes in place and so cuts the
    # interleaved R, G, B, R, G, B... sequence into three thirds: scrambled images.
    return np.ascontiguousarray(rgb.transpose(2, 0, 1))


@dataclass
class _ClassFolder:
    """One class folder of one split while it loads."""

    path: Path
    split_index: int
    label: float
    files: list[_ImageFile]  # its image files, sorted by name
    wanted: int  # how many to load: per_class, or all the images when there are fewer
    order: np.ndarray  # indices into files, in the seeded order
    key: str = ""
    group: CachedGroup | None = None  # its images once loaded: the cache's entry, or result()
    next: int = 0  # files[order[:next]] have been tried
    decoded: dict[int, np.ndarray] = field(default_factory=dict)  # file index -> image
    failed: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)

    def to_try(self) -> int:
        """How many files will have been tried in the end, as far as is known now: one more for
        each failure, while there are files left."""
        return min(self.wanted + len(self.failed), len(self.files))

    def next_batch(self) -> list[int]:
        """The file indices to try next: enough to reach ``wanted`` if all of them decode."""
        count = self.wanted - len(self.decoded)
        batch = self.order[self.next:self.next + count].tolist()
        self.next += len(batch)
        return batch

    def result(self, size: int) -> CachedGroup:
        """The images in file name order, as the cache stores them (stacked once)."""
        if self.group is None:
            indices = sorted(self.decoded)
            images = np.stack([self.decoded.pop(i) for i in indices]) if indices else np.zeros((0, 3, size, size), np.uint8)
            self.group = CachedGroup(images, tuple(self.files[i].name for i in indices), tuple(sorted(self.failed)))
        return self.group


def load_folder(root, size=64, train_per_class=1000, test_per_class=200, seed=0,
                progress=None, cache_dir=None) -> Dataset:
    """The photos under ``root`` (see the module docstring for the layout and which files).

    size: the side of the square images. train_per_class, test_per_class: how many images of each
    class per split (None for all of them); a folder with fewer gives all it has.
    progress: optional ``progress(done, total)``, called after each image is decoded (from the
    calling thread), and once with the images found in the cache; ``total`` grows by one when a
    file that failed to decode is replaced by another. An exception it raises stops the load (and
    propagates): a window's Cancel button can work that way.
    cache_dir: where decoded images are cached (default ``default_cache_dir()``).

    Returns a ``Dataset`` whose splits list each class's images (cats first, then dogs) in file
    name order, with read-only arrays. Raises ``DataError`` for a folder not in the layout, a
    class folder with no images, or one in which none of the chosen images decode.
    """
    size = positive_int(size, "size")
    if size > MAX_SIZE:
        raise ValueError(f"size must be at most {MAX_SIZE} pixels, got {size}")
    counts = []
    for name, value in (("train_per_class", train_per_class), ("test_per_class", test_per_class)):
        if value is not None and (not is_int(value) or value < 0):
            raise ValueError(f"{name} must be a non-negative int or None (all images), got {value!r}")
        counts.append(value)
    if not is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function progress(done, total) or None, got {progress!r}")
    root = Path(os.path.abspath(os.fspath(root)))
    cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)

    folders, skipped = _find_class_folders(root, counts, int(seed), size)
    _load_images(folders, size, cache_dir, progress)

    splits = []
    for split_index in range(len(SPLIT_FOLDERS)):
        parts = [(folder, folder.result(size)) for folder in folders if folder.split_index == split_index]
        for folder, group in parts:
            skipped.extend(Skipped(str(folder.path / name), reason) for name, reason in group.failed)
        splits.append(_make_split(parts, size))
    return Dataset(train=splits[0], test=splits[1], skipped=tuple(skipped), source=str(root))


def _find_class_folders(root: Path, counts, seed: int, size: int) -> tuple[list[_ClassFolder], list[Skipped]]:
    """Check the layout and list every class folder's images; the stray files are returned skipped."""
    if not root.is_dir():
        raise DataError(f"dataset folder {root} does not exist or is not a folder; expected {LAYOUT}")
    folders, skipped = [], []
    for split_index, split_name in enumerate(SPLIT_FOLDERS):
        split_path = root / split_name
        if not split_path.is_dir():
            hint = ""
            if any((root / name).is_dir() for name, _ in CLASS_FOLDERS):
                hint = " (is this a split folder? pass the folder that holds training_set and test_set)"
            raise DataError(f"missing split folder {split_path}{hint}; expected {LAYOUT}")
        nested = split_path / split_name
        if not any((split_path / name).is_dir() for name, _ in CLASS_FOLDERS) and nested.is_dir():
            split_path = nested  # the download's extra level
        for class_name, label in CLASS_FOLDERS:
            path = split_path / class_name
            if not path.is_dir():
                raise DataError(f"missing class folder {path}; expected {LAYOUT}")
            files, strays = _list_images(path)
            skipped.extend(strays)
            if not files:
                raise DataError(f"class folder {path} holds no images; expected {LAYOUT}")
            wanted = len(files) if counts[split_index] is None else min(counts[split_index], len(files))
            order = np.random.default_rng([seed, split_index, int(label)]).permutation(len(files))
            folder = _ClassFolder(path, split_index, label, files, wanted, order)
            folder.key = cache_key(
                folder=str(path), size=size, wanted=wanted, split=split_index,
                # The seed only matters when it chooses: loading all the images, any seed shares the entry.
                seed=seed if wanted < len(files) else None,
                files=[(file.name, file.bytes, file.mtime_ns) for file in files],
            )
            folders.append(folder)
    return folders, skipped


class _ImageFile(NamedTuple):
    path: str
    name: str
    bytes: int
    mtime_ns: int


def _list_images(folder: Path) -> tuple[list[_ImageFile], list[Skipped]]:
    """The image files in ``folder`` sorted by name, and everything else as Skipped."""
    files, strays = [], []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        raise DataError(f"cannot list class folder {folder} ({error.strerror or error}); expected {LAYOUT}") from None
    for entry in entries:
        extension = os.path.splitext(entry.name)[1]
        if entry.is_dir():
            strays.append(Skipped(entry.path, "a folder, not an image"))
        elif not entry.is_file():
            strays.append(Skipped(entry.path, "not a regular file (a broken link?)"))
        elif extension.lower() not in IMAGE_EXTENSIONS:
            strays.append(Skipped(entry.path, f"not an image ({extension or 'no extension'})"))
        else:
            try:
                stat = entry.stat()  # of the file a link points to: the cache sees the target change
            except OSError as error:  # deleted since the listing, or no permission
                strays.append(Skipped(entry.path, f"cannot be read ({error.strerror or error})"))
                continue
            files.append(_ImageFile(entry.path, entry.name, stat.st_size, stat.st_mtime_ns))
    return files, strays


def _load_images(folders: list[_ClassFolder], size: int, cache_dir: Path, progress) -> None:
    """Fill each folder's ``decoded`` and ``failed``: from the cache where it has the folder,
    otherwise by decoding on a thread per core (OpenCV releases the GIL while it decodes)."""
    misses, done = [], 0
    for folder in folders:
        cached = read_group(cache_dir, folder.key, size)
        if cached is None or not _matches(folder, cached):
            misses.append(folder)
            continue
        folder.group = cached
        done += len(cached.names) + len(cached.failed)
    from_cache = done
    total = from_cache + sum(folder.to_try() for folder in misses)
    if progress is not None and done:
        progress(done, total)
    if not misses:
        return

    pool = ThreadPoolExecutor(max_workers=parallel.CORES, thread_name_prefix="convviz-data")
    try:
        while True:
            jobs = {}
            for folder in misses:
                for i in folder.next_batch():
                    jobs[pool.submit(decode_image, folder.files[i].path, size)] = (folder, i)
            if not jobs:
                break
            for job in as_completed(jobs):
                folder, i = jobs[job]
                try:
                    folder.decoded[i] = job.result()
                except UndecodableImage as error:
                    folder.failed.append((folder.files[i].name, str(error)))
                    # The next file in the seeded order takes its place, if there is one.
                    total = from_cache + sum(folder.to_try() for folder in misses)
                done += 1
                if progress is not None:
                    progress(done, total)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

    for folder in misses:
        if folder.wanted and not folder.decoded:
            first_name, first_reason = folder.failed[0]
            raise DataError(
                f"none of the images tried in class folder {folder.path} could be decoded "
                f"({len(folder.failed)} tried; {first_name}: {first_reason}); expected {LAYOUT}"
            )
        write_group(cache_dir, folder.key, folder.result(size))
    prune(cache_dir, keep={folder.key for folder in folders})


def _matches(folder: _ClassFolder, cached: CachedGroup) -> bool:
    """A cached entry names only files of this folder (a guard against a hand-edited cache)."""
    names = {entry.name for entry in folder.files}
    return all(name in names for name in cached.names) and all(name in names for name, _ in cached.failed)


def _make_split(parts: list[tuple[_ClassFolder, CachedGroup]], size: int) -> Split:
    """One split's images as (N, 3, size, size) float32 in [0, 1], its labels and paths."""
    count = sum(len(group.names) for _, group in parts)
    images = np.empty((count, 3, size, size), np.float32)
    labels = np.empty(count, np.float32)
    paths: list[str] = []
    pieces, start = [], 0
    for folder, group in parts:
        stop = start + len(group.names)
        pieces += [(group.images[i:i + SCALE_CHUNK], images[start + i:min(start + i + SCALE_CHUNK, stop)])
                   for i in range(0, len(group.names), SCALE_CHUNK)]
        labels[start:stop] = folder.label
        paths.extend(str(folder.path / name) for name in group.names)
        start = stop
    # uint8 -> float32 in [0, 1], exactly image.astype(np.float32) / 255; on both cores, as at 224
    # pixels this writes 1.4 GB.
    map_on_all_cores(lambda piece: np.divide(piece[0], np.float32(255), out=piece[1]), pieces)
    images.flags.writeable = labels.flags.writeable = False
    return Split(images, labels, tuple(paths))
