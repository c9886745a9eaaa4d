"""A pooling's sizes, validated: the window positions every pooling function and trace reads.

Notation as in pooling.py: window (oy, ox) starts at (oy·sh - ph, ox·sw - pw) and its tap (i, j)
reads the pixel (oy·sh - ph + i·dh, ox·sw - pw + j·dw).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import check_bool, int_pair

__all__ = ["PoolGeometry", "pool_geometry"]


@dataclass(frozen=True)
class PoolGeometry:
    """Every size of one pooling, validated. Shared by the engine and the traces."""

    batch: int
    channels: int
    height: int
    width: int
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    ceil_mode: bool
    unbatched: bool
    out_height: int
    out_width: int

    @property
    def input_shape(self) -> tuple[int, ...]:
        shape = (self.channels, self.height, self.width)
        return shape if self.unbatched else (self.batch,) + shape

    @property
    def output_shape(self) -> tuple[int, ...]:
        shape = (self.channels, self.out_height, self.out_width)
        return shape if self.unbatched else (self.batch,) + shape

    def window_starts(self, axis: int) -> np.ndarray:
        """Input coordinate of every window's first tap along ``axis`` (0 rows, 1 columns);
        negative where the window begins in the padding."""
        count = (self.out_height, self.out_width)[axis]
        return np.arange(count) * self.stride[axis] - self.padding[axis]

    def tap_positions(self, axis: int) -> np.ndarray:
        """(windows, taps) input coordinates of every tap along ``axis``."""
        return self.window_starts(axis)[:, None] + np.arange(self.kernel_size[axis]) * self.dilation[axis]

    @property
    def padded_extent(self) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) padding that makes every tap of every window a valid
        index: ph and pw before, and after whatever the last window reaches (with ceil_mode
        that can be more than the padding, and without it often less)."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        ph, pw = self.padding
        bottom = (self.out_height - 1) * sh + dh * (kh - 1) + 1 - ph - self.height
        right = (self.out_width - 1) * sw + dw * (kw - 1) + 1 - pw - self.width
        return ph, max(bottom, 0), pw, max(right, 0)

    @property
    def reaches_outside(self) -> bool:
        """Whether some window has a tap outside the input."""
        return any(self.padded_extent)


def _output_size(axis, size, pad, k, d, s, ceil_mode) -> int:
    """torch's pooling_output_shape, with a message naming the formula when the output is empty."""
    rounding = s - 1 if ceil_mode else 0
    out = (size + 2 * pad - d * (k - 1) - 1 + rounding) // s + 1
    if ceil_mode and (out - 1) * s >= size + pad:
        out -= 1  # the last window would start in the right padding: drop it
    if out < 1:
        ceil_term = " + (s - 1)" if ceil_mode else ""
        ceil_numbers = f" + ({s} - 1)" if ceil_mode else ""
        raise ValueError(
            f"the pooling window does not fit the padded input, so the output would be empty: "
            f"output {axis} = floor((H + 2p - d(k - 1) - 1{ceil_term}) / s) + 1 = "
            f"floor(({size} + 2·{pad} - {d}·({k} - 1) - 1{ceil_numbers}) / {s}) + 1 = {out}; "
            f"the window spans {d * (k - 1) + 1} pixels but the padded input {axis} is {size + 2 * pad}"
        )
    return out


def pool_geometry(input_shape, kernel_size, stride=None, padding=0, dilation=1,
                  ceil_mode=False) -> PoolGeometry:
    """Validate a pooling's arguments for an input of ``input_shape`` and work out every size."""
    kh, kw = int_pair(kernel_size, "kernel_size", minimum=1)
    # torch: stride None means "as large as the kernel", i.e. windows that tile the input.
    stride = (kh, kw) if stride is None else int_pair(stride, "stride", minimum=1)
    padding = int_pair(padding, "padding", minimum=0)
    dilation = int_pair(dilation, "dilation", minimum=1)
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    if padding[0] > kh // 2 or padding[1] > kw // 2:
        raise ValueError(
            f"padding must be at most half the kernel size on each axis (p <= k // 2, so that the "
            f"padding never fills most of a window), got padding={padding} for kernel_size={(kh, kw)}"
        )

    unbatched = len(input_shape) == 3
    batch, channels, height, width = (1,) + tuple(input_shape) if unbatched else tuple(input_shape)
    # torch accepts an empty batch (N = 0) but no other empty axis.
    if min(channels, height, width) < 1 or (unbatched and batch < 1):
        raise ValueError(
            f"input must have non-empty channel, height and width axes (only the batch may be 0), "
            f"got shape {tuple(input_shape)}"
        )
    out_height = _output_size("height", height, padding[0], kh, dilation[0], stride[0], ceil_mode)
    out_width = _output_size("width", width, padding[1], kw, dilation[1], stride[1], ceil_mode)
    geo = PoolGeometry(batch, channels, height, width, (kh, kw), stride, padding, dilation, ceil_mode,
                       unbatched, out_height, out_width)

    # A dilated window can step over the whole input (e.g. H = 2, k = 2, d = 3, p = 1 reads rows
    # -1 and 2). torch returns -inf with an index outside the image for it, and its backward then
    # writes out of bounds; we refuse it.
    for axis, name, size in ((0, "height", height), (1, "width", width)):
        positions = geo.tap_positions(axis)
        empty = ~((positions >= 0) & (positions < size)).any(axis=1)
        if empty.any():
            o = int(np.argmax(empty))
            raise ValueError(
                f"pooling window {o} along the {name} reads positions {positions[o].tolist()}, none of "
                f"them inside the input {name} {size} (dilation={dilation}, padding={padding}); "
                f"every window must cover at least one input pixel"
            )
    return geo
