"""The cat/dog data: a folder of photos in the source's layout, or the built-in cartoon faces.

``load_folder(root, size)`` reads ``ROOT/training_set/{cats,dogs}`` and ``ROOT/test_set/{cats,dogs}``
with OpenCV; ``builtin_dataset(size)`` draws cats and dogs from a seed with NumPy; both return a
``Dataset`` whose splits hold (N, 3, size, size) float32 RGB images in [0, 1] and labels
(cat = 1, dog = 0). ``augment_batch`` flips and shifts a batch at random for training.

NumPy only at import time: OpenCV is imported when a folder is first loaded, so code that uses
the built-in data or augmentation (the training loop, its tests) never loads it.
"""

from .augment import augment_batch
from .builtin import builtin_dataset
from .catdog import IMAGE_EXTENSIONS, default_cache_dir, load_folder
from .dataset import CAT, DOG, DataError, Dataset, Skipped, Split

__all__ = [
    "CAT", "DOG", "IMAGE_EXTENSIONS", "DataError", "Dataset", "Skipped", "Split",
    "augment_batch", "builtin_dataset", "default_cache_dir", "load_folder",
]
