"""The frozen record of a pooling trace: the engine's results and the geometry every frame reads.

Computed once when the trace is built; the frames, states and hover answers are functions of this
record and an index. All arrays are private read-only copies with a batch axis, even for an
unbatched input (``in_caller_layout`` drops it in what is handed out).

Coordinates: a *padded* cell ``(y, x)`` is a cell of the padded plane, ``pads = (top, bottom, left,
right) = geometry.padded_extent`` around the input, so tap ``(i, j)`` of window ``(oy, ox)`` is
padded cell ``(oy·sh + i·dh, ox·sw + j·dw)``, i.e. input pixel ``(y - top, x - left)``. With
ceil_mode the last window can run past the padding (``padded_extent`` then exceeds ``padding``);
those cells are not pixels, like the padding.

The input gradient is added up in the frames' order (window after window, in C order): for max
that is exactly what the engine's ``max_pool2d_backward`` does; for average pooling the engine adds
tap by tap, which rounds differently where windows overlap, so the record sums in the frames'
order itself (``spread_in_frame_order``): a state is then, bit for bit, its frames replayed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.nn.functional import PoolGeometry, avg_pool2d, max_pool2d, max_pool2d_backward
from convviz.nn.functional.checks import quiet_nonfinite

from .frames import read_only

KINDS = ("max", "avg")
# What a padded cell holds: the value no pixel loses to (max), the value that adds nothing (avg).
PADDING_VALUE = {"max": -np.inf, "avg": 0.0}


@dataclass(frozen=True, eq=False)
class PoolRecord:
    """A traced pooling's arrays. Shapes: N images, C channels, H×W input, Hp×Wp padded plane,
    OH×OW output, T = kh·kw taps per window."""

    kind: str  # "max" or "avg"
    geometry: PoolGeometry
    count_include_pad: bool  # avg only (False for max, where it means nothing)
    x_pad: np.ndarray  # (N, C, Hp, Wp): the input with its border as the windows see it
    output: np.ndarray  # (N, C, OH, OW): the engine's
    row_inside: np.ndarray  # (Hp,) bool: the padded row is an input row
    col_inside: np.ndarray  # (Wp,) bool
    tap_dy: np.ndarray  # (T,) i·dh, in scan order (i, j) row by row
    tap_dx: np.ndarray  # (T,) j·dw
    # max only (None for avg):
    indices: np.ndarray | None  # (N, C, OH, OW) int64: the engine's flat index (row·W + col) of each maximum
    chosen_tap: np.ndarray | None  # (N, C, OH, OW) int: that pixel's tap number i·kw + j in its window
    # avg only (None for max):
    row_counted: np.ndarray | None  # (Hp,) bool: the padded row counts towards the divisor
    col_counted: np.ndarray | None  # (Wp,) bool
    divisor: np.ndarray | None  # (OH, OW) in the input's dtype, as torch divides
    # with a backward pass (None without):
    grad_output: np.ndarray | None  # (N, C, OH, OW)
    grad_input: np.ndarray | None  # (N, C, H, W): every route frame replayed
    grad_written: np.ndarray | None  # (N, C, H, W) bool: pixels some route frame adds to

    @property
    def has_backward(self) -> bool:
        return self.grad_output is not None

    @property
    def elements(self) -> int:
        """N·C·OH·OW output elements: the frames of each phase."""
        return self.output.size

    @property
    def taps_per_window(self) -> int:
        return len(self.tap_dy)

    @property
    def dtype(self) -> np.dtype:
        return self.x_pad.dtype

    @property
    def pads(self) -> tuple[int, int, int, int]:
        return self.geometry.padded_extent

    def in_caller_layout(self, array: np.ndarray) -> np.ndarray:
        """An (N, ...) array without its batch axis when the caller's input had none."""
        return array[0] if self.geometry.unbatched else array

    def input(self) -> np.ndarray:
        """(N, C, H, W): the image part of the padded input (a read-only view)."""
        top, _, left, _ = self.pads
        g = self.geometry
        return self.x_pad[:, :, top : top + g.height, left : left + g.width]

    def decode_element(self, element: int) -> tuple[int, int, int, int]:
        """Output element number (C order) -> (n, c, oy, ox)."""
        g = self.geometry
        plane = g.out_height * g.out_width
        n, rest = divmod(element, g.channels * plane)
        c, rest = divmod(rest, plane)
        oy, ox = divmod(rest, g.out_width)
        return n, c, oy, ox

    def window_cells(self, oy: int, ox: int) -> tuple[np.ndarray, np.ndarray]:
        """Padded (ys, xs) of window (oy, ox)'s taps, (T,) each, in scan order."""
        sh, sw = self.geometry.stride
        return oy * sh + self.tap_dy, ox * sw + self.tap_dx


def spread_in_frame_order(grad_pad: np.ndarray, share: np.ndarray, g: PoolGeometry, first_row: int = 0) -> None:
    """Add average pooling's shares onto the padded gradient ``grad_pad`` (..., Hp, Wp), in place:
    every window of ``share`` (..., rows, columns), whose window rows start at output row
    ``first_row`` and columns at 0, adds its share to each of its kh·kw cells.

    In the frames' order, without a loop over windows: along each axis the window a cell belongs
    to through tap i is (cell - i·d) / s, so later windows reach a cell through earlier taps, and
    adding the taps from the last to the first adds each cell's shares window after window in C
    order. (Each tap reaches a cell from at most one window, so one slice per tap is exact.)"""
    (kh, kw), (sh, sw) = g.kernel_size, g.stride
    rows, columns = share.shape[-2:]
    if not rows or not columns:
        return
    top = first_row * sh
    for i in reversed(range(kh)):
        for j in reversed(range(kw)):
            grad_pad[..., top + i : top + i + (rows - 1) * sh + 1 : sh, j : j + (columns - 1) * sw + 1 : sw] += share


def _chosen_taps(indices: np.ndarray, g: PoolGeometry) -> np.ndarray:
    """(N, C, OH, OW) tap number i·kw + j of the pixel each window's flat index names."""
    rows, columns = np.divmod(indices, g.width)
    i = (rows - g.window_starts(0)[:, None]) // g.dilation[0]
    j = (columns - g.window_starts(1)[None, :]) // g.dilation[1]
    return i * g.kernel_size[1] + j


def _counted(size: int, pad: int, before: int, extent: int, count_include_pad: bool) -> np.ndarray:
    """(extent,) bool along one axis of the padded plane: the cells torch's divisor counts. With
    count_include_pad the input and its padding, never the cells a ceil_mode window reaches past
    the padding; without it the input only."""
    position = np.arange(extent) - before  # input coordinate
    reach = pad if count_include_pad else 0
    return (position >= -reach) & (position < size + reach)


@quiet_nonfinite
def record_pool2d(input: np.ndarray, kind: str, g: PoolGeometry, count_include_pad: bool,
                  grad_output: np.ndarray | None) -> PoolRecord:
    """Run the engine once on already validated arguments and keep what the frames, states and
    hover answers read."""
    batched = (lambda a: a[None]) if g.unbatched else (lambda a: a)
    x = batched(input)
    top, bottom, left, right = g.padded_extent
    hp, wp = top + g.height + bottom, left + g.width + right
    x_pad = np.full(x.shape[:2] + (hp, wp), PADDING_VALUE[kind], dtype=x.dtype)
    x_pad[:, :, top : top + g.height, left : left + g.width] = x  # a private copy
    row_inside = np.zeros(hp, dtype=bool)
    row_inside[top : top + g.height] = True
    col_inside = np.zeros(wp, dtype=bool)
    col_inside[left : left + g.width] = True
    (kh, kw), (dh, dw) = g.kernel_size, g.dilation
    i, j = np.indices((kh, kw)).reshape(2, -1)
    pool_arguments = dict(kernel_size=g.kernel_size, stride=g.stride, padding=g.padding, ceil_mode=g.ceil_mode)

    max_fields = dict(indices=None, chosen_tap=None)
    avg_fields = dict(row_counted=None, col_counted=None, divisor=None)
    grad = grad_written = None
    gy = None if grad_output is None else read_only(np.array(batched(grad_output)))
    if kind == "max":
        output, indices = max_pool2d(x, dilation=g.dilation, return_indices=True, **pool_arguments)
        max_fields = dict(indices=read_only(indices), chosen_tap=read_only(_chosen_taps(indices, g)))
        if gy is not None:
            # The engine adds window after window in C order (np.add.at): the frames' order.
            grad = max_pool2d_backward(gy, x.shape, indices)
            grad_written = np.zeros(x.shape, dtype=bool)
            planes = np.arange(g.batch * g.channels)[:, None] * (g.height * g.width)
            flat = indices.reshape(len(planes), g.out_height * g.out_width) + planes
            grad_written.reshape(-1)[flat.ravel()] = True
    else:
        output = avg_pool2d(x, count_include_pad=count_include_pad, **pool_arguments)
        row_counted = _counted(g.height, g.padding[0], top, hp, count_include_pad)
        col_counted = _counted(g.width, g.padding[1], left, wp, count_include_pad)
        rows_counted = row_counted[g.window_starts(0)[:, None] + top + np.arange(kh)].sum(axis=1)
        cols_counted = col_counted[g.window_starts(1)[:, None] + left + np.arange(kw)].sum(axis=1)
        divisor = (rows_counted[:, None] * cols_counted[None, :]).astype(x.dtype)
        avg_fields = dict(row_counted=read_only(row_counted), col_counted=read_only(col_counted),
                          divisor=read_only(divisor))
        if gy is not None:
            grad_pad = np.zeros((g.batch, g.channels, hp, wp), dtype=x.dtype)
            spread_in_frame_order(grad_pad, gy / divisor, g)
            grad = np.ascontiguousarray(grad_pad[:, :, top : top + g.height, left : left + g.width])
            reached = np.zeros((hp, wp), dtype=bool)
            spread_in_frame_order(reached, np.ones((g.out_height, g.out_width), dtype=bool), g)
            grad_written = np.broadcast_to(reached[top : top + g.height, left : left + g.width], x.shape).copy()

    return PoolRecord(
        kind=kind, geometry=g, count_include_pad=count_include_pad and kind == "avg",
        x_pad=read_only(x_pad), output=read_only(np.array(output)),
        row_inside=read_only(row_inside), col_inside=read_only(col_inside),
        tap_dy=read_only(i * dh), tap_dx=read_only(j * dw),
        grad_output=gy, grad_input=None if grad is None else read_only(grad),
        grad_written=None if grad_written is None else read_only(grad_written),
        **max_fields, **avg_fields)
