"""Padding a batch of images, and folding a padded gradient back onto the image.

Every padding mode is a map from a padded coordinate to the input coordinate its value is copied
from (or to "nothing" for zero padding). Padding is then a gather along that map and its backward
is the matching scatter-add: a padded cell's gradient goes back to the pixel it was copied from.
Keeping the map explicit is what lets the visualizer say where each padded value came from.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PADDING_MODES", "ZERO", "check_pad_fits", "check_padding_mode", "pad2d", "pad2d_backward",
           "pad_source_index"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")

ZERO = -1  # source index of a cell that holds a constant zero


def check_padding_mode(padding_mode) -> str:
    """``padding_mode`` must be one of PADDING_MODES; returned unchanged."""
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {', '.join(map(repr, PADDING_MODES))}, got {padding_mode!r}")
    return padding_mode


def pad_source_index(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each of the ``before + size + after`` padded positions, the input index it copies.

    ``ZERO`` (-1) marks a zero-padding cell. Rules (as torch's ``F.pad``):
    reflect mirrors without repeating the edge (needs ``before, after < size``), replicate repeats
    the edge, circular wraps around (needs ``before, after <= size``).

    >>> pad_source_index(3, 2, 2, "reflect").tolist()
    [2, 1, 0, 1, 2, 1, 0]
    """
    check_padding_mode(mode)
    positions = np.arange(-before, size + after)  # coordinates relative to the input
    inside = (positions >= 0) & (positions < size)
    if mode == "zeros":
        return np.where(inside, positions, ZERO)
    if mode == "replicate":
        return np.clip(positions, 0, size - 1)
    if mode == "circular":
        return positions % size
    # reflect: fold back at 0 and at size - 1 without repeating the edge value.
    period = 2 * (size - 1)
    if period == 0:
        return np.zeros_like(positions)
    folded = np.abs(positions) % period
    return np.where(folded >= size, period - folded, folded)


def check_pad_fits(size: int, before: int, after: int, mode: str, axis_name: str) -> None:
    """Refuse paddings that torch refuses for reflect and circular modes."""
    biggest = max(before, after)
    if mode == "reflect" and biggest >= size:
        raise ValueError(
            f"reflect padding of {biggest} on the {axis_name} axis needs an input {axis_name} greater than "
            f"the padding, got {axis_name} {size} (reflection does not repeat the edge pixel)"
        )
    if mode == "circular" and biggest > size:
        raise ValueError(
            f"circular padding of {biggest} on the {axis_name} axis needs an input {axis_name} of at least "
            f"the padding, got {axis_name} {size}"
        )


def pad2d(x: np.ndarray, pads: tuple[int, int, int, int], mode: str = "zeros") -> np.ndarray:
    """Pad the last two axes of ``x`` by ``pads = (top, bottom, left, right)``.

    x: (..., H, W) -> (..., top + H + bottom, left + W + right), same dtype.
    """
    check_padding_mode(mode)
    if len(pads) != 4 or any(not isinstance(p, (int, np.integer)) or p < 0 for p in pads):
        raise ValueError(f"pads must be four non-negative ints (top, bottom, left, right), got {pads!r}")
    top, bottom, left, right = pads
    height, width = x.shape[-2:]
    check_pad_fits(height, top, bottom, mode, "height")
    check_pad_fits(width, left, right, mode, "width")
    if mode == "zeros":
        out = np.zeros(x.shape[:-2] + (top + height + bottom, left + width + right), dtype=x.dtype)
        out[..., top : top + height, left : left + width] = x
        return out
    rows = pad_source_index(height, top, bottom, mode)
    cols = pad_source_index(width, left, right, mode)
    return x[..., rows[:, None], cols[None, :]]


def _fold_axis(grad: np.ndarray, source: np.ndarray, before: int, size: int, axis: int) -> np.ndarray:
    """Scatter-add ``grad`` along ``axis`` from padded positions onto their ``source`` indices."""
    grad = np.moveaxis(grad, axis, -1)
    folded = grad[..., before : before + size].copy()  # the input's own cells map onto themselves
    for position in (*range(before), *range(before + size, source.size)):
        if source[position] != ZERO:  # zero cells were constants: their gradient goes nowhere
            folded[..., source[position]] += grad[..., position]
    return np.moveaxis(folded, -1, axis)


def pad2d_backward(grad_padded: np.ndarray, pads: tuple[int, int, int, int], mode: str = "zeros") -> np.ndarray:
    """The gradient of ``pad2d``: crop for zeros; otherwise add each padded cell's gradient
    onto the pixel it was copied from.

    grad_padded: (..., Hp, Wp) -> (..., H, W) with H = Hp - top - bottom, W = Wp - left - right.
    """
    top, bottom, left, right = pads
    height = grad_padded.shape[-2] - top - bottom
    width = grad_padded.shape[-1] - left - right
    if mode == "zeros" or not any(pads):
        return np.ascontiguousarray(grad_padded[..., top : top + height, left : left + width])
    rows = pad_source_index(height, top, bottom, mode)
    cols = pad_source_index(width, left, right, mode)
    grad = _fold_axis(grad_padded, cols, left, width, axis=-1)
    return np.ascontiguousarray(_fold_axis(grad, rows, top, height, axis=-2))
