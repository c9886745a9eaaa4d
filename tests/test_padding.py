"""pad2d, pad2d_backward and pad_source_index equal torch.nn.functional.pad and its autograd.

convviz's ``pads`` are (top, bottom, left, right); torch's F.pad takes (left, right, top, bottom).
convviz's mode "zeros" is torch's "constant" (with value 0).
"""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convviz.nn.functional import PADDING_MODES, pad2d, pad2d_backward, pad_source_index

TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}

PADS = [
    (0, 0, 0, 0),
    (1, 1, 1, 1),
    (2, 0, 0, 0),  # top only
    (0, 2, 0, 0),  # bottom only
    (0, 0, 3, 0),  # left only
    (0, 0, 0, 1),  # right only
    (1, 2, 3, 0),
    (3, 3, 0, 0),
    (0, 3, 4, 4),
]
SHAPES = [(2, 3, 4, 5), (3, 4, 5), (1, 2, 1, 5), (1, 1, 4, 1)]


def fits(mode, height, width, pads) -> bool:
    """torch's limits: reflect pads < size, circular pads <= size."""
    top, bottom, left, right = pads
    if mode == "reflect":
        return max(top, bottom) < height and max(left, right) < width
    if mode == "circular":
        return max(top, bottom) <= height and max(left, right) <= width
    return True


def valid_cases():
    for shape, pads, mode in itertools.product(SHAPES, PADS, PADDING_MODES):
        if fits(mode, shape[-2], shape[-1], pads):
            yield pytest.param(shape, pads, mode, id=f"{mode}-{'x'.join(map(str, shape))}-pads{pads}")
    # The largest paddings each mode allows.
    for mode, extra in (("reflect", -1), ("circular", 0)):
        yield pytest.param((2, 1, 4, 5), (4 + extra,) * 2 + (5 + extra,) * 2, mode, id=f"{mode}-largest")


def torch_pad(x, pads, mode):
    top, bottom, left, right = pads
    return F.pad(x, (left, right, top, bottom), mode=TORCH_MODE[mode])


def test_the_modes_are_the_four_of_nn_conv2d():
    assert tuple(PADDING_MODES) == ("zeros", "reflect", "replicate", "circular")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("shape", "pads", "mode"), list(valid_cases()))
def test_pad2d_and_its_backward_equal_torch(shape, pads, mode, dtype):
    rng = np.random.default_rng(zlib.crc32(repr((shape, pads, mode)).encode()))
    x = rng.standard_normal(shape).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    padded_t = torch_pad(xt, pads, mode)

    padded = pad2d(x, pads, mode)
    assert padded.dtype == dtype
    np.testing.assert_array_equal(padded, padded_t.detach().numpy())  # a pure copy: exact

    grad_padded = rng.standard_normal(padded.shape).astype(dtype)
    padded_t.backward(torch.tensor(grad_padded))
    grad = pad2d_backward(grad_padded, pads, mode)
    assert grad.dtype == dtype and grad.shape == x.shape
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("mode", PADDING_MODES)
@pytest.mark.parametrize("leading", [(), (2,), (2, 1, 3)], ids=["2d", "3d", "5d"])
def test_pad2d_pads_only_the_last_two_axes_like_numpy(leading, mode):
    """Any number of leading axes (torch's F.pad would need 3-D or 4-D here; numpy's pad does not)."""
    x = np.random.default_rng(1).standard_normal(leading + (4, 5))
    pads = (1, 3, 2, 0)
    expected = np.pad(x, [(0, 0)] * len(leading) + [(1, 3), (2, 0)], mode=NUMPY_MODE[mode])
    np.testing.assert_array_equal(pad2d(x, pads, mode), expected)


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_pad2d_backward_is_the_adjoint_of_pad2d(mode):
    """<pad2d(x), g> == <x, pad2d_backward(g)> for every x and g: the defining property of a gradient."""
    rng = np.random.default_rng(2)
    pads = (2, 1, 0, 3)
    x = rng.standard_normal((2, 3, 4, 5))
    g = rng.standard_normal((2, 3, 4 + 3, 5 + 3))
    np.testing.assert_allclose(np.vdot(pad2d(x, pads, mode), g), np.vdot(x, pad2d_backward(g, pads, mode)),
                               rtol=1e-12)


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_pad2d_returns_a_new_array(mode):
    x = np.arange(12.0).reshape(1, 3, 4)
    for pads in ((0, 0, 0, 0), (1, 1, 1, 1)):
        padded = pad2d(x, pads, mode)
        padded[...] = -1.0
        np.testing.assert_array_equal(x, np.arange(12.0).reshape(1, 3, 4))
        grad = pad2d_backward(np.ones(padded.shape), pads, mode)
        assert grad.flags.c_contiguous and grad.shape == x.shape


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_pad2d_backward_counts_how_often_each_pixel_was_copied(mode):
    """With a gradient of ones, each input pixel receives the number of padded cells copied from it."""
    x = np.zeros((1, 3, 4))
    pads = (2, 1, 3, 3)
    counts = pad2d_backward(np.ones((1, 3 + 3, 4 + 6)), pads, mode)
    rows = pad_source_index(3, 2, 1, mode)
    cols = pad_source_index(4, 3, 3, mode)
    expected = np.zeros_like(x)
    for r in rows:
        for c in cols:
            if r >= 0 and c >= 0:
                expected[0, r, c] += 1
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == (x.size if mode == "zeros" else 6 * 10)


def _source_index_cases():
    for mode in PADDING_MODES:
        for size in range(1, 6):
            limit = {"reflect": size - 1, "circular": size}.get(mode, size + 2)
            for before in range(limit + 1):
                for after in range(limit + 1):
                    yield mode, size, before, after


def test_pad_source_index_equals_torch_everywhere():
    """For every size 1-5 and every allowed (before, after): pad 1, 2, ..., size with torch and read
    back which input each padded cell copies (0 from constant padding -> ZERO = -1)."""
    checked = 0
    for mode, size, before, after in _source_index_cases():
        values = torch.arange(1.0, size + 1.0).reshape(1, 1, size)
        expected = F.pad(values, (before, after), mode=TORCH_MODE[mode]).reshape(-1).numpy().astype(int) - 1
        got = pad_source_index(size, before, after, mode)
        np.testing.assert_array_equal(got, expected, err_msg=f"{mode} size={size} before={before} after={after}")
        checked += 1
    assert checked > 200


def test_pad_source_index_examples():
    assert pad_source_index(3, 2, 2, "reflect").tolist() == [2, 1, 0, 1, 2, 1, 0]
    assert pad_source_index(3, 2, 2, "replicate").tolist() == [0, 0, 0, 1, 2, 2, 2]
    assert pad_source_index(3, 2, 2, "circular").tolist() == [1, 2, 0, 1, 2, 0, 1]
    assert pad_source_index(3, 2, 2, "zeros").tolist() == [-1, -1, 0, 1, 2, -1, -1]
    assert pad_source_index(1, 0, 0, "reflect").tolist() == [0]


def test_pad_source_index_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match=r"padding_mode must be one of .*'reflect'.* got 'constant'"):
        pad_source_index(3, 1, 1, "constant")
