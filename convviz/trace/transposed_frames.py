"""A transposed convolution's frames and hover answers as small frozen records, and the phase
layout that decodes a frame index; all pure functions of the record and an index.

Coordinates: an input element is ``(n, c, iy, ix)``; a weight is ``w[c, k, i, j]`` (its input
channel c, output channel k within the group, kernel row and column); a *full-plane* cell is
``(y, x)`` of the uncropped plane, an *output* cell ``(y - ph, x - pw)``. ``n`` is 0 for an
unbatched input. Arrays inside the records are read-only.

The phases, in order (one with nothing to show, e.g. for an empty batch, is left out):

``scatter``  one frame per input element (n, c, iy, ix) in C order: x[n, c, iy, ix] times every
             weight of w[c] (all F/G output channels of its group) added onto the full plane at
             rows iy·sh + i·dh, columns ix·sw + j·dw; "counts" gains 1 on each of those cells.
``crop``     one frame: ph rows and pw columns off each side of the full plane, the bias added,
             giving the output (the engine's, bit for bit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from . import transposed_narration as narration
from .frames import Addition, Crop, Phase, Zeroing, read_only
from .hover import check_coordinate
from .phase_table import PhaseLookup, lay_out
from .transposed_record import TransposedGeometry, TransposedRecord

PHASE_NAMES = ("scatter", "crop")


@dataclass(frozen=True, eq=False)
class TransposedScatterFrame:
    """Input element ``(n, c, iy, ix)`` times its kernel, added onto the full plane. Row t of the
    arrays is product t, in kernel order (k, i, j) of ``w[c]`` (C order)."""

    index: int
    element: tuple[int, int, int, int]  # (n, c, iy, ix)
    group: int
    value: float  # x[n, c, iy, ix]
    out_channels: range  # the output channels its group feeds
    origin: tuple[int, int]  # (iy·sh, ix·sw): the full-plane cell tap (0, 0) lands on
    weight_index: np.ndarray  # (T, 4) int: (c, k, i, j), T = F/G·KH·KW
    out_channel: np.ndarray  # (T,) int: group·F/G + k
    full: np.ndarray  # (T, 2) int: full-plane (y, x) = (iy·sh + i·dh, ix·sw + j·dw)
    output: np.ndarray  # (T, 2) int: output cell (y - ph, x - pw), (-1, -1) where the crop drops it
    kept: np.ndarray  # (T,) bool: the product lands inside the output
    weight_value: np.ndarray  # (T,)
    product: np.ndarray  # (T,) value · weight_value, as added
    adds: tuple[Addition, ...]  # the products onto "full", and 1 onto "counts", at the same cells
    caption: str
    phase: str = field(default="scatter", init=False)
    zeros: tuple[Zeroing, ...] = field(default=(), init=False)
    crop: Crop | None = field(default=None, init=False)


@dataclass(frozen=True, eq=False)
class TransposedCropFrame:
    """The last frame: the output is ``full[..., rows, columns]`` plus the bias (``adds`` writes the
    engine's output, which equals that up to the rounding of the sums)."""

    index: int
    rows: range  # full-plane rows kept: ph .. ph + OH - 1
    columns: range
    dropped_cells: int  # full-plane cells per (image, output channel) plane the crop drops
    dropped_sum: float  # the sum of the full plane on those cells, over every plane
    dropped_products: int  # products that had landed on them, over every plane
    empty_cells: int  # output cells per plane that no product reaches (output_padding past the reach)
    bias: np.ndarray | None  # (F,)
    adds: tuple[Addition, ...]
    caption: str
    phase: str = field(default="crop", init=False)
    zeros: tuple[Zeroing, ...] = field(default=(), init=False)
    crop: Crop | None = field(default=None, init=False)


TransposedFrame = TransposedScatterFrame | TransposedCropFrame


@dataclass(frozen=True, eq=False)
class TransposedFootprint:
    """Every product input pixel ``pixel = (n, c, y, x)`` scatters (what its scatter frame adds),
    with the output values they end up in. Row t is tap (k, i, j) of ``w[c]`` in C order."""

    pixel: tuple[int, int, int, int]
    frame: int  # the scatter frame that adds them
    value: float
    weight_index: np.ndarray  # (T, 4) (c, k, i, j)
    out_channel: np.ndarray  # (T,)
    full: np.ndarray  # (T, 2) full-plane cells
    output: np.ndarray  # (T, 2) output cells, (-1, -1) where the crop drops the product
    kept: np.ndarray  # (T,) bool
    weight_value: np.ndarray  # (T,)
    product: np.ndarray  # (T,)
    output_value: np.ndarray  # (T,) the output at each kept cell (bias included), NaN where dropped

    def __len__(self) -> int:
        return len(self.product)


@dataclass(frozen=True, eq=False)
class TransposedReceptiveField:
    """Every (input pixel, weight) product that lands on output cell ``element = (n, f, oy, ox)``,
    in the order the scatter frames add them (input channel, row, column). ``sum`` is what the
    frames add up to there (the full plane's cell), ``value`` the output: sum + bias, to rounding."""

    element: tuple[int, int, int, int]
    full_cell: tuple[int, int]  # (oy + ph, ox + pw)
    source: np.ndarray  # (k, 3) int: input (c, iy, ix)
    weight_index: np.ndarray  # (k, 4) int: (c, f - group·F/G, i, j)
    frame: np.ndarray  # (k,) int: the scatter frame adding each product
    input_value: np.ndarray  # (k,)
    weight_value: np.ndarray  # (k,)
    product: np.ndarray  # (k,)
    sum: float
    bias: float | None
    value: float  # the engine's output

    def __len__(self) -> int:
        return len(self.product)


# ----------------------------------------------------------------------------------------------
# Phase layout


@dataclass(frozen=True, eq=False)
class TransposedLayout(PhaseLookup):
    counts: Mapping[str, int]  # frames per phase, every phase in order, 0 if it does not run
    phases: tuple[Phase, ...]
    by_name: Mapping[str, Phase]
    length: int
    shape: tuple[int, int, int, int]  # (N, C, H, W): decoding a scatter frame

    def decode_element(self, element: int) -> tuple[int, int, int, int]:
        """Input element number (C order) -> (n, c, iy, ix)."""
        return tuple(int(v) for v in np.unravel_index(element, self.shape))


def lay_out_phases(record: TransposedRecord) -> TransposedLayout:
    g = record.geometry
    counts = {"scatter": g.elements, "crop": 1 if g.batch else 0}
    kept_counts = record.full_counts()[record.crop_slices()]
    explanations = {"scatter": narration.scatter_explanation(g, int(kept_counts.min()), int(kept_counts.max())),
                    "crop": narration.crop_explanation(g, record.bias is not None)}
    return TransposedLayout(**lay_out(PHASE_NAMES, counts, lambda name: (narration.unit(name), explanations[name])),
                            shape=(g.batch, g.in_channels, g.height, g.width))

# ----------------------------------------------------------------------------------------------
# Frames


def build_frame(record: TransposedRecord, layout: TransposedLayout, i: int) -> TransposedFrame:
    """Frame ``i`` (checked, non-negative)."""
    phase = layout.phase_at(i)
    if phase.name == "scatter":
        return scatter_frame(record, layout, i, i - phase.first)
    return crop_frame(record, layout, i, 0)


def _plane_index(record: TransposedRecord, n: int, channel, ys, xs) -> tuple:
    """An index into a (N, F, ...) state array in the caller's layout."""
    if record.geometry.unbatched:
        return (np.asarray(channel), np.asarray(ys), np.asarray(xs))
    return (np.full(np.shape(channel), n), np.asarray(channel), np.asarray(ys), np.asarray(xs))


def _read_only_footprint(record: TransposedRecord, n, c, iy, ix) -> dict:
    parts = record.footprint(n, c, iy, ix)
    return {name: (value if name == "value" else read_only(value)) for name, value in parts.items()}


def scatter_frame(record: TransposedRecord, layout: TransposedLayout, index: int, local: int) -> TransposedScatterFrame:
    g = record.geometry
    n, c, iy, ix = layout.decode_element(local)
    parts = _read_only_footprint(record, n, c, iy, ix)
    group = c // g.in_per_group
    cells = _plane_index(record, n, parts["out_channel"], parts["full"][:, 0], parts["full"][:, 1])
    adds = (Addition("full", cells, parts["product"]),
            Addition("counts", cells, read_only(np.ones(len(parts["product"]), dtype=np.int64))))
    (sh, sw), (dh, dw), (kh, kw) = g.stride, g.dilation, g.kernel_size
    rows = range(iy * sh, iy * sh + dh * (kh - 1) + 1)
    cols = range(ix * sw, ix * sw + dw * (kw - 1) + 1)
    caption = narration.scatter_caption((n, c, iy, ix), float(parts["value"]), g, parts["product"].tolist(),
                                        rows, cols, int(parts["kept"].sum()))
    value = parts.pop("value")
    return TransposedScatterFrame(
        index=index, element=(n, c, iy, ix), group=group, value=float(value),
        out_channels=range(group * g.out_per_group, (group + 1) * g.out_per_group), origin=(iy * sh, ix * sw),
        adds=adds, caption=caption, **parts)


def crop_frame(record: TransposedRecord, layout: TransposedLayout, index: int, local: int) -> TransposedCropFrame:
    g = record.geometry
    rows, cols = record.crop_slices()
    kept = np.zeros((g.full_height, g.full_width), dtype=bool)
    kept[rows, cols] = True
    counts = record.full_counts()
    dropped_sum = float(record.full[:, :, ~kept].sum())
    # every input channel feeds each of its group's F/G output channels, the same pattern each time
    dropped_products = int(counts[~kept].sum()) * g.batch * g.in_channels * g.out_per_group
    empty_cells = int((counts[rows, cols] == 0).sum())
    output = record.in_caller_layout(record.output)  # every cell of it, in C order
    cells = tuple(a.ravel() for a in np.indices(output.shape))
    adds = (Addition("output", cells, read_only(output.reshape(-1).copy())),)
    caption = narration.crop_caption(g, int((~kept).sum()), dropped_sum, dropped_products, empty_cells,
                                     record.bias is not None)
    return TransposedCropFrame(index, range(rows.start, rows.stop), range(cols.start, cols.stop),
                               int((~kept).sum()), dropped_sum, dropped_products, empty_cells, record.bias,
                               adds, caption)


# ----------------------------------------------------------------------------------------------
# Hover questions


def _check_element(g: TransposedGeometry, n, c, y, x) -> tuple[int, int, int, int]:
    return (check_coordinate("n", n, g.batch, "the batch size"),
            check_coordinate("c", c, g.in_channels, "the number of input channels"),
            check_coordinate("y", y, g.height, "the input height"),
            check_coordinate("x", x, g.width, "the input width"))


def pixel_readers(record: TransposedRecord, layout: TransposedLayout, n, c, y, x) -> TransposedFootprint:
    """The output cells input pixel (n, c, y, x) scatters onto: its kernel placed at (y·sh, x·sw)."""
    g = record.geometry
    n, c, y, x = _check_element(g, n, c, y, x)
    parts = _read_only_footprint(record, n, c, y, x)
    output_value = np.full(len(parts["product"]), np.nan, dtype=record.dtype)
    kept = parts["kept"]
    cells = parts["output"][kept]
    output_value[kept] = record.output[n, parts["out_channel"][kept], cells[:, 0], cells[:, 1]]
    frame = layout.phase("scatter").first + ((n * g.in_channels + c) * g.height + y) * g.width + x
    return TransposedFootprint((n, c, y, x), frame, float(parts.pop("value")), output_value=read_only(output_value),
                               **parts)


def _sources_along(cell: int, kernel: int, stride: int, dilation: int, size: int):
    """Along one axis: (input position, kernel position) of every pair landing on full-plane
    ``cell``, input position ascending (kernel position descending)."""
    k = np.arange(kernel - 1, -1, -1)
    start = cell - k * dilation
    ok = (start >= 0) & (start % stride == 0) & (start // stride < size)
    return start[ok] // stride, k[ok]


def receptive_field(record: TransposedRecord, layout: TransposedLayout, n, f, oy, ox) -> TransposedReceptiveField:
    """Every (input pixel, weight) product landing on output (n, f, oy, ox), in frame order."""
    g = record.geometry
    n = check_coordinate("n", n, g.batch, "the batch size")
    f = check_coordinate("f", f, g.out_channels, "the number of output channels")
    oy = check_coordinate("oy", oy, g.out_height, "the output height")
    ox = check_coordinate("ox", ox, g.out_width, "the output width")
    (ph, pw), (sh, sw), (dh, dw), (kh, kw) = g.padding, g.stride, g.dilation, g.kernel_size
    fy, fx = oy + ph, ox + pw
    iy, i = _sources_along(fy, kh, sh, dh, g.height)
    ix, j = _sources_along(fx, kw, sw, dw, g.width)
    group, k = divmod(f, g.out_per_group)
    channels = np.arange(group * g.in_per_group, (group + 1) * g.in_per_group)
    c_, r_, q_ = (a.ravel() for a in np.meshgrid(channels, np.arange(len(iy)), np.arange(len(ix)), indexing="ij"))
    source = np.stack([c_, iy[r_], ix[q_]], axis=1)
    weight_index = np.stack([c_, np.full(len(c_), k), i[r_], j[q_]], axis=1)
    input_value = record.x[n, c_, iy[r_], ix[q_]]
    weight_value = record.weight[c_, k, i[r_], j[q_]]
    frame = layout.phase("scatter").first + ((n * g.in_channels + c_) * g.height + iy[r_]) * g.width + ix[q_]
    arrays = (source, weight_index, frame, input_value, weight_value, input_value * weight_value)
    bias = None if record.bias is None else float(record.bias[f])
    return TransposedReceptiveField((n, f, oy, ox), (fy, fx), *(read_only(np.array(a)) for a in arrays),
                                    float(record.full[n, f, fy, fx]), bias, float(record.output[n, f, oy, ox]))
