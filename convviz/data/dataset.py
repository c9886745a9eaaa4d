"""What a loaded dataset is: two splits of images and labels, and the files that were left out.

Every dataset convviz trains on, a folder of photos or the built-in cartoons, arrives as one
``Dataset`` of frozen values, so it can be handed to a training thread and shown in the window
without copies or locks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CAT", "DOG", "CLASS_FOLDERS", "DataError", "Skipped", "Split", "Dataset"]

CAT, DOG = 1.0, 0.0  # labels as the source article uses them: the network's output is P(cat)
CLASS_FOLDERS = (("cats", CAT), ("dogs", DOG))  # class folder names, in the order a split lists them


class DataError(Exception):
    """A dataset folder that cannot be used; the message names the path and the layout expected."""


@dataclass(frozen=True)
class Skipped:
    """A file in a class folder that was left out, and why (e.g. ``"not an image (.txt)"``)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Split:
    """The images of one split and their labels.

    images: (N, 3, size, size) float32 in [0, 1], RGB, channels first.
    labels: (N,) float32, cat = 1, dog = 0.
    paths:  the file each image came from ("" for generated images), N entries.
    """

    images: np.ndarray
    labels: np.ndarray
    paths: tuple[str, ...]

    def __post_init__(self):
        n = len(self.labels)
        if self.images.shape[0] != n or len(self.paths) != n:
            raise ValueError(
                f"a Split needs one label and one path per image, got {self.images.shape[0]} images, "
                f"{n} labels and {len(self.paths)} paths"
            )

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Dataset:
    """A training split, a test split, the files skipped while loading, and where it came from
    (the root folder, or ``"builtin"``)."""

    train: Split
    test: Split
    skipped: tuple[Skipped, ...]
    source: str
