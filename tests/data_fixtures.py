"""Small dataset folders built in a test's tmp_path, for the convviz.data tests.

Each image is one flat colour that encodes where it came from (split, class, index), so a test can
tell which file an image in a Split was read from by its pixel values alone.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

REAL_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "cat-and-dog"
SPLITS = ("training_set", "test_set")
CLASSES = ("cats", "dogs")


def write_image(path: Path, bgr: np.ndarray) -> Path:
    """Encode ``bgr`` (H, W, 3 uint8) in the format of ``path``'s extension; any characters in the path."""
    ok, encoded = cv2.imencode(path.suffix.lower(), bgr)
    assert ok, f"OpenCV cannot encode {path.suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded.tofile(str(path))
    return path


def flat_colour(split: int, klass: int, index: int) -> tuple[int, int, int]:
    """The R, G, B of image ``index`` of class ``klass`` in split ``split``: unique per image."""
    return 40 + 100 * split + 50 * klass, 10 + 9 * index, 200 - 7 * index


def make_tree(root: Path, per_class: int = 3, extension: str = ".png", nested: bool = False,
              shape: tuple[int, int] = (20, 30)) -> Path:
    """``root/{training_set,test_set}/{cats,dogs}/NAME_i.EXT`` with ``per_class`` flat images each
    (``nested``: ``root/training_set/training_set/cats/...`` as the download unpacks)."""
    for s, split in enumerate(SPLITS):
        split_path = root / split / split if nested else root / split
        for k, klass in enumerate(CLASSES):
            for i in range(per_class):
                r, g, b = flat_colour(s, k, i)
                image = np.empty((*shape, 3), np.uint8)
                image[:] = (b, g, r)  # OpenCV writes B, G, R
                write_image(split_path / klass / f"{klass[:-1]}.{i:02d}{extension}", image)
    return root


def colour_of(image: np.ndarray) -> tuple[int, int, int]:
    """The flat colour of a loaded (3, H, W) image in [0, 1], back as 0..255 R, G, B."""
    return tuple(int(round(float(channel.mean()) * 255)) for channel in image)
