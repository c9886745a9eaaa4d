"""A pooling trace's records: one window, the frames of its two phases, and who reads a pixel.

Each record is a small frozen dataclass built on demand from the ``PoolRecord`` and an index,
with read-only arrays. A frame's ``adds`` / ``zeros`` / ``crop`` are read by
``replay.apply_frame`` exactly as for a convolution's frames; indices are in the layout
``PoolTrace.state`` returns (no batch axis for an unbatched input).

Coordinates as in ``pooling_record``: an output element is ``(n, c, oy, ox)`` (n is 0 for an
unbatched input), tap ``(i, j)`` of window ``(oy, ox)`` is padded cell ``(oy·sh + i·dh, ox·sw +
j·dw)`` and input pixel ``(y - top, x - left)``; taps run in scan order, ``t = i·kw + j``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import pooling_narration as words
from .frames import NOT_A_PIXEL, Addition, Crop, Zeroing, read_only
from .pooling_record import PoolRecord


@dataclass(frozen=True, eq=False)
class PoolWindow:
    """Output element ``(n, c, oy, ox)``'s window: its T = kh·kw cells in scan order."""

    element: tuple[int, int, int, int]
    kind: str  # "max" or "avg"
    kernel_index: np.ndarray  # (T, 2) int: the tap (i, j)
    padded: np.ndarray  # (T, 2) int: padded (y, x)
    source: np.ndarray  # (T, 2) int: input (row, column), (-1, -1) for a cell outside the input
    inside: np.ndarray  # (T,) bool: the cell is an input pixel
    values: np.ndarray  # (T,) what the window sees: the pixel, or -inf (max) / 0 (avg) outside
    chosen: int | None  # max: the tap number of the maximum, as torch picks it; None for avg
    counted: np.ndarray | None  # avg: (T,) bool, the cells the divisor counts; None for max
    total: float | None  # avg: the values' sum in scan order (as the engine adds them)
    divisor: float | None  # avg: counted.sum(), as torch divides
    value: float  # the output element, the engine's

    def __len__(self) -> int:
        return len(self.values)

    @property
    def chosen_pixel(self) -> tuple[int, int] | None:
        """max: input (row, column) of the maximum; None for avg."""
        return None if self.chosen is None else tuple(int(v) for v in self.source[self.chosen])


@dataclass(frozen=True, eq=False)
class _WindowFrame:
    index: int
    element: tuple[int, int, int, int]  # (n, c, oy, ox)
    window: PoolWindow
    adds: tuple[Addition, ...]
    caption: str
    zeros: tuple[Zeroing, ...] = field(default=(), init=False)
    crop: Crop | None = field(default=None, init=False)

    # The window's arrays, at the frame's top level.
    padded = property(lambda self: self.window.padded, doc="(T, 2) padded (y, x) of the window's cells")
    inside = property(lambda self: self.window.inside, doc="(T,) bool: the cell is an input pixel")
    values = property(lambda self: self.window.values, doc="(T,) the values the window sees")
    chosen = property(lambda self: self.window.chosen, doc="max: tap number of the maximum; avg: None")
    divisor = property(lambda self: self.window.divisor, doc="avg: the divisor; max: None")


@dataclass(frozen=True, eq=False)
class PoolFrame(_WindowFrame):
    """Forward: output element ``(n, c, oy, ox)`` is its window's maximum or mean. ``adds``: the
    value onto "output"."""

    value: float
    phase: str = field(default="pool", init=False)


@dataclass(frozen=True, eq=False)
class RouteFrame(_WindowFrame):
    """Backward: output element ``(n, c, oy, ox)``'s gradient sent to the input. max: all of it to
    the chosen pixel; avg: grad / divisor to every pixel of the window inside the input.
    ``adds``: ``amounts`` onto "grad_input" at ``targets``."""

    grad: float
    targets: np.ndarray  # (k, 2) input (row, column) receiving gradient
    amounts: np.ndarray  # (k,) what each receives
    phase: str = field(default="route", init=False)


@dataclass(frozen=True, eq=False)
class PoolPixelReaders:
    """Every output element whose window reads input pixel ``pixel = (n, c, y, x)``, in C order.
    With a backward pass its gradient is the sum of ``contribution`` (added in this order)."""

    pixel: tuple[int, int, int, int]
    value: float  # the pixel's value
    element: np.ndarray  # (k, 4) (n, c, oy, ox)
    kernel_index: np.ndarray  # (k, 2) the tap (i, j) through which each window reads the pixel
    chosen: np.ndarray | None  # max: (k,) bool, the window picked this pixel as its maximum; avg: None
    divisor: np.ndarray | None  # avg: (k,) each window's divisor; max: None
    grad_output: np.ndarray | None  # (k,) each element's gradient (None without a backward pass)
    contribution: np.ndarray | None  # (k,) max: grad_output where chosen, else 0; avg: grad_output / divisor

    def __len__(self) -> int:
        return len(self.element)


# ----------------------------------------------------------------------------------------------
# Building them


def window(record: PoolRecord, n: int, c: int, oy: int, ox: int) -> PoolWindow:
    """The window of output element (n, c, oy, ox) (coordinates already checked)."""
    g = record.geometry
    top, _, left, _ = record.pads
    ys, xs = record.window_cells(oy, ox)
    inside = record.row_inside[ys] & record.col_inside[xs]
    source = np.where(inside[:, None], np.stack([ys - top, xs - left], axis=1), np.array(NOT_A_PIXEL))
    values = record.x_pad[n, c, ys, xs]
    kernel_index = np.stack(np.divmod(np.arange(len(ys)), g.kernel_size[1]), axis=1)
    chosen = counted = total = divisor = None
    if record.kind == "max":
        chosen = int(record.chosen_tap[n, c, oy, ox])
    else:
        counted = read_only(record.row_counted[ys] & record.col_counted[xs])
        total = float(np.add.accumulate(values)[-1])  # one add after another, as the engine's loop
        divisor = float(record.divisor[oy, ox])
    return PoolWindow((n, c, oy, ox), record.kind, read_only(kernel_index), read_only(np.stack([ys, xs], axis=1)),
                      read_only(source), read_only(inside), read_only(values), chosen, counted, total, divisor,
                      float(record.output[n, c, oy, ox]))


def _caller_index(record: PoolRecord, n: int, *rest) -> tuple[int, ...]:
    """(n, c, ...) as the caller indexes: without n for an unbatched input."""
    return tuple(rest) if record.geometry.unbatched else (n,) + tuple(rest)


def _state_index(record: PoolRecord, n: int, c, rows, columns) -> tuple[np.ndarray, ...]:
    """An ``Addition`` index into an (N, C, ., .) state array, without the batch axis when unbatched."""
    rows = np.asarray(rows)
    index = (np.full(rows.shape, c), rows, np.asarray(columns))
    return index if record.geometry.unbatched else (np.full(rows.shape, n),) + index


def pool_frame(record: PoolRecord, index: int, element: int) -> PoolFrame:
    n, c, oy, ox = record.decode_element(element)
    w = window(record, n, c, oy, ox)
    output = words.element_name("y", _caller_index(record, n, c, oy, ox))
    padding = int((~w.inside).sum())
    if record.kind == "max":
        inside_values = w.values[w.inside]
        tap = tuple(int(v) for v in w.kernel_index[w.chosen])
        pixel = words.pixel_name(_caller_index(record, n, c, *w.chosen_pixel))
        has_nan = bool(np.isnan(inside_values).any())
        caption = words.max_caption(output, len(w), padding, w.value, tap, pixel,
                                    int((inside_values == w.value).sum()), has_nan,
                                    not has_nan and w.value == -np.inf)
    else:
        counted_padding = int((w.counted & ~w.inside).sum())
        past_padding = int((~w.counted & ~w.inside).sum()) if record.count_include_pad else 0
        caption = words.avg_caption(output, len(w), padding, w.total, w.divisor, w.value, counted_padding,
                                    past_padding)
    adds = (Addition("output", _state_index(record, n, c, [oy], [ox]),
                     read_only(np.array([record.output[n, c, oy, ox]]))),)
    return PoolFrame(index=index, element=(n, c, oy, ox), window=w, adds=adds, caption=caption, value=w.value)


def route_frame(record: PoolRecord, index: int, element: int) -> RouteFrame:
    n, c, oy, ox = record.decode_element(element)
    w = window(record, n, c, oy, ox)
    grad = record.grad_output[n, c, oy, ox]
    output = words.element_name("y", _caller_index(record, n, c, oy, ox))
    if record.kind == "max":
        targets = w.source[w.chosen : w.chosen + 1]
        amounts = np.array([grad])
        pixel = words.pixel_name(_caller_index(record, n, c, *targets[0]))
        tap = tuple(int(v) for v in w.kernel_index[w.chosen])
        caption = words.route_max_caption(output, float(grad), pixel, tap, int(w.inside.sum()) - 1)
    else:
        targets = w.source[w.inside]
        share = grad / record.divisor[oy, ox]  # in the dtype, as the engine divides
        amounts = np.full(len(targets), share)
        caption = words.route_avg_caption(output, float(grad), w.divisor, float(share), len(targets),
                                          int((~w.inside).sum()))
    adds = (Addition("grad_input", _state_index(record, n, c, targets[:, 0], targets[:, 1]), read_only(amounts)),)
    return RouteFrame(index=index, element=(n, c, oy, ox), window=w, adds=adds, caption=caption,
                      grad=float(grad), targets=read_only(np.array(targets)), amounts=amounts)


def _readers_along(position: int, start: np.ndarray, kernel: int, dilation: int):
    """Along one axis: (window, tap) pairs whose tap reads input coordinate ``position``."""
    offset = position - start[:, None] - np.arange(kernel)[None, :] * dilation  # (windows, taps)
    windows, taps = np.nonzero(offset == 0)
    return windows, taps


def pixel_readers(record: PoolRecord, n: int, c: int, y: int, x: int) -> PoolPixelReaders:
    """Every output element whose window reads input pixel (n, c, y, x) (already checked), in C order."""
    g = record.geometry
    oy, i = _readers_along(y, g.window_starts(0), g.kernel_size[0], g.dilation[0])
    ox, j = _readers_along(x, g.window_starts(1), g.kernel_size[1], g.dilation[1])
    rows, columns = (a.ravel() for a in np.meshgrid(np.arange(len(oy)), np.arange(len(ox)), indexing="ij"))
    oy, i, ox, j = oy[rows], i[rows], ox[columns], j[columns]  # C order: oy, then ox, ascending
    k = len(oy)
    element = np.stack([np.full(k, n), np.full(k, c), oy, ox], axis=1).reshape(k, 4)
    chosen = divisor = grad_output = contribution = None
    if record.kind == "max":
        chosen = record.chosen_tap[n, c, oy, ox] == i * g.kernel_size[1] + j
    else:
        divisor = record.divisor[oy, ox]
    if record.has_backward:
        grad_output = record.grad_output[n, c, oy, ox]
        if record.kind == "max":
            contribution = np.where(chosen, grad_output, np.zeros_like(grad_output))
        else:
            contribution = grad_output / divisor
    top, _, left, _ = record.pads
    return PoolPixelReaders((n, c, y, x), float(record.x_pad[n, c, y + top, x + left]), read_only(element),
                            read_only(np.stack([i, j], axis=1).reshape(k, 2)),
                            *(None if a is None else read_only(np.asarray(a)) for a in
                              (chosen, divisor, grad_output, contribution)))
