"""Augmentation: random horizontal flips and small random shifts, as the training loop asks for them.

A shift is a crop of the image padded by ``max_shift`` pixels on every side with its own mirror
image (reflect padding, so no black borders appear for the network to learn), taken at a random
offset: the content moves by up to ``max_shift`` pixels in each direction and the size is kept.
"""

from __future__ import annotations

import numpy as np

from ..nn.functional.checks import as_float_array, is_int

__all__ = ["augment_batch"]


def augment_batch(images: np.ndarray, rng: np.random.Generator, max_shift: int = 4) -> np.ndarray:
    """A new array of the same shape and dtype: each image flipped left-right with probability 1/2,
    then shifted by a random (dy, dx), each in [-max_shift, max_shift], with reflect padding.

    images: (N, C, H, W) float32 or float64; its values are not changed. ``rng`` gives every random
    choice, drawn in a fixed order (N flips, then N vertical and N horizontal shifts), so the same
    generator state gives the same batch. ``max_shift=0`` flips only.
    """
    as_float_array(images, "images")
    if images.ndim != 4:
        raise ValueError(f"images must be 4-D (N, C, H, W), got shape {images.shape}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    if not is_int(max_shift) or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative int, got {max_shift!r}")
    n, _, height, width = images.shape
    if max_shift >= min(height, width):
        raise ValueError(f"max_shift must be smaller than the image ({height}x{width}), got {max_shift}")

    flips = rng.random(n) < 0.5
    shifts = rng.integers(-max_shift, max_shift + 1, size=(2, n))
    out = images.copy()
    out[flips] = out[flips, :, :, ::-1]
    if max_shift == 0:
        return out
    s = max_shift
    padded = np.pad(out, ((0, 0), (0, 0), (s, s), (s, s)), mode="reflect")
    for i, (dy, dx) in enumerate(shifts.T):
        # The window starting at (s + dy, s + dx) shows the image moved by (-dy, -dx).
        out[i] = padded[i, :, s + dy:s + dy + height, s + dx:s + dx + width]
    return out
