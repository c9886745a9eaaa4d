"""augment_batch: random flips and reflect-padded shifts, from the generator given."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.data import augment_batch


@pytest.fixture
def images():
    return np.random.default_rng(0).random((64, 3, 12, 10), dtype=np.float32)


def test_same_shape_dtype_and_range_in_a_new_array(images):
    before = images.copy()
    out = augment_batch(images, np.random.default_rng(1))
    assert out.shape == images.shape and out.dtype == images.dtype
    assert not np.shares_memory(out, images)
    assert out.min() >= images.min() and out.max() <= images.max()
    np.testing.assert_array_equal(images, before)
    assert augment_batch(images.astype(np.float64), np.random.default_rng(1)).dtype == np.float64


def test_without_shifts_each_image_is_itself_or_its_exact_mirror(images):
    out = augment_batch(images, np.random.default_rng(2), max_shift=0)
    flipped = [np.array_equal(o, i[:, :, ::-1]) for o, i in zip(out, images)]
    kept = [np.array_equal(o, i) for o, i in zip(out, images)]
    assert all(f or k for f, k in zip(flipped, kept))
    assert 10 < sum(flipped) < 54  # about half of 64, both happen


def find_transform(original, result, max_shift):
    """The (flip, dy, dx) for which ``result`` equals ``original`` (maybe mirrored) moved by
    (dy, dx) away from the borders, or None. An independent check: it tries every choice."""
    c, h, w = original.shape
    s = max_shift
    for flip in (False, True):
        source = original[:, :, ::-1] if flip else original
        for dy in range(-s, s + 1):
            for dx in range(-s, s + 1):
                # result[y, x] = source[y + dy, x + dx] wherever both are inside the image
                rows, cols = slice(max(0, -dy), min(h, h - dy)), slice(max(0, -dx), min(w, w - dx))
                moved = source[:, max(0, dy):min(h, h + dy), max(0, dx):min(w, w + dx)]
                if np.array_equal(result[:, rows, cols], moved):
                    return flip, dy, dx
    return None


def test_each_image_is_a_flip_and_a_shift_of_at_most_max_shift(images):
    out = augment_batch(images, np.random.default_rng(3), max_shift=2)
    found = [find_transform(o, r, 2) for o, r in zip(images, out)]
    assert all(f is not None for f in found)
    assert {f[0] for f in found} == {False, True}
    assert len({(dy, dx) for _, dy, dx in found}) > 5  # many different shifts, not one


def test_shifts_pad_with_reflections_not_zeros():
    constant = np.full((16, 3, 8, 8), 0.7, np.float32)
    np.testing.assert_array_equal(augment_batch(constant, np.random.default_rng(0), max_shift=3), constant)
    ramp = np.broadcast_to(np.arange(8, dtype=np.float32), (16, 1, 8, 8)).copy()
    out = augment_batch(ramp, np.random.default_rng(0), max_shift=3)
    # A reflected border repeats values the image already has.
    assert set(np.unique(out)) <= set(np.unique(ramp))


def test_the_same_generator_state_gives_the_same_batch(images):
    a = augment_batch(images, np.random.default_rng(7))
    b = augment_batch(images, np.random.default_rng(7))
    c = augment_batch(images, np.random.default_rng(8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_draws_advance_the_generator(images):
    rng = np.random.default_rng(9)
    first, second = augment_batch(images, rng), augment_batch(images, rng)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("args, error, words", [
    ((np.zeros((3, 4, 4), np.float32),), ValueError, "images must be 4-D"),
    ((np.zeros((1, 3, 4, 4), np.uint8),), TypeError, "images must have dtype float32 or float64"),
    (([[0.0]],), TypeError, "images must be a numpy ndarray"),
])
def test_bad_images(args, error, words):
    with pytest.raises(error, match=words):
        augment_batch(*args, np.random.default_rng(0))


def test_bad_rng_and_max_shift(images):
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        augment_batch(images, 0)
    with pytest.raises(ValueError, match="max_shift must be a non-negative int"):
        augment_batch(images, np.random.default_rng(0), max_shift=-1)
    with pytest.raises(ValueError, match=r"max_shift must be smaller than the image \(12x10\)"):
        augment_batch(images, np.random.default_rng(0), max_shift=10)
