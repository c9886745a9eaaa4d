"""The frozen record of a traced transposed convolution: its geometry, arrays and checkpoints,
computed once when the trace is built; and the arithmetic the frames, states and questions share.

Notation (as in ``convviz.nn.functional.conv_transpose``): N images, C input channels, F output
channels, G groups, so C/G input channels and F/G output channels per group; the weight is
``(C, F/G, KH, KW)``; s, p, d, op are stride, padding, dilation, output_padding per axis.

The *full plane* is where every scatter lands before the crop, per image and output channel:

    Hf = (H - 1)·sh + dh·(KH - 1) + 1 + op_h          (Wf alike)

Input pixel (iy, ix) of channel c, times tap (k, i, j) of its kernel ``w[c]``, lands on cell
``(iy·sh + i·dh, ix·sw + j·dw)`` of output channel ``group·F/G + k``; the last ``op`` rows and
columns of the full plane are past every scatter's reach (output_padding). The output is
``full[..., ph : ph + OH, pw : pw + OW]`` plus the bias.

The full plane is added up in the order of the scatter frames (input elements (n, c, iy, ix) in C
order), one rounding per product and per addition, so that a state computed from scratch is, bit
for bit, the frames before it replayed (``scatter_channel``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.nn.functional import conv_transpose2d

from .frames import read_only

# The checkpoints (the full plane of a group after every so many of its input channels) stay below
# this size; a state then scatters at most that many channels on demand.
CHECKPOINT_BYTES = 32 * 2**20


@dataclass(frozen=True)
class TransposedGeometry:
    """Every size of one transposed convolution, validated; pairs are (height, width)."""

    batch: int
    in_channels: int  # C
    out_channels: int  # F
    groups: int  # G
    height: int  # H (input)
    width: int
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    unbatched: bool
    out_height: int  # OH = Hf - 2·ph
    out_width: int

    @property
    def in_per_group(self) -> int:
        return self.in_channels // self.groups

    @property
    def out_per_group(self) -> int:
        return self.out_channels // self.groups

    @property
    def reach(self) -> tuple[int, int]:
        """Rows and columns the scatters cover: (H - 1)·s + d·(K - 1) + 1."""
        return tuple((size - 1) * s + d * (k - 1) + 1 for size, s, d, k in
                     zip((self.height, self.width), self.stride, self.dilation, self.kernel_size))

    @property
    def full_height(self) -> int:
        return self.reach[0] + self.output_padding[0]

    @property
    def full_width(self) -> int:
        return self.reach[1] + self.output_padding[1]

    @property
    def elements(self) -> int:
        """Input elements N·C·H·W: the scatter frames."""
        return self.batch * self.in_channels * self.height * self.width

    def caller_shape(self, *shape: int) -> tuple[int, ...]:
        """(N,) + shape, or shape alone for an unbatched input."""
        return shape if self.unbatched else (self.batch,) + shape


@dataclass(frozen=True)
class ZeroInsertion:
    """How the direct road builds its input from x: ``inserted`` zeros between neighbouring pixels
    (s - 1 per gap), then ``pads`` = (top, bottom, left, right) zeros on each side: d·(K - 1) - p,
    plus output_padding at the bottom and right. A negative pad means that many rows or columns
    are cropped off instead (p > d·(K - 1)). ``row_source[r]`` is the input row held by row r of
    the result, -1 for a row of zeros (``col_source`` alike)."""

    inserted: tuple[int, int]
    pads: tuple[int, int, int, int]
    shape: tuple[int, int]  # (Hz, Wz)
    row_source: np.ndarray  # (Hz,) int
    col_source: np.ndarray  # (Wz,) int

    @property
    def is_pixel(self) -> np.ndarray:
        """(Hz, Wz) bool: the cells that hold an input pixel (all others are zeros)."""
        return read_only(np.outer(self.row_source >= 0, self.col_source >= 0))


def zero_insertion(g: TransposedGeometry) -> ZeroInsertion:
    pads, sources = [], []
    for size, s, p, d, k, op in zip((g.height, g.width), g.stride, g.padding, g.dilation, g.kernel_size,
                                    g.output_padding):
        before = d * (k - 1) - p
        after = before + op
        cells = (size - 1) * s + 1 + before + after  # = the output size + d·(k - 1) >= 1
        u = np.arange(cells) - before  # position in the zero-inserted input before padding
        real = (u >= 0) & (u % s == 0) & (u // s < size)
        sources.append(read_only(np.where(real, u // s, -1)))
        pads += [before, after]
    shape = (len(sources[0]), len(sources[1]))
    return ZeroInsertion((g.stride[0] - 1, g.stride[1] - 1), tuple(pads), shape, *sources)


def rotate_kernel(weight: np.ndarray, g: TransposedGeometry) -> np.ndarray:
    """The direct road's conv2d weight: each kernel turned by 180 degrees and, within each group,
    input and output channels swapped. (C, F/G, KH, KW) -> (F, C/G, KH, KW), with
    ``rotated[group·F/G + k, c, i, j] = w[group·C/G + c, k, KH-1-i, KW-1-j]``."""
    kh, kw = g.kernel_size
    grouped = weight.reshape(g.groups, g.in_per_group, g.out_per_group, kh, kw)
    return np.ascontiguousarray(grouped.swapaxes(1, 2)[..., ::-1, ::-1]).reshape(
        g.out_channels, g.in_per_group, kh, kw)


def axis_counts(positions: np.ndarray, kernel: int, stride: int, dilation: int, size: int) -> np.ndarray:
    """Along one axis: how many (position, tap) pairs land on each of ``size`` full-plane cells."""
    counts = np.zeros(size, dtype=np.int64)
    cells = np.asarray(positions)[:, None] * stride + np.arange(kernel)[None, :] * dilation
    np.add.at(counts, cells.ravel(), 1)
    return counts


def scatter_channel(into: np.ndarray, plane: np.ndarray, kernel: np.ndarray, g: TransposedGeometry,
                    stop: tuple[int, int] | None = None) -> None:
    """Add onto ``into`` (F/G, Hf, Wf), one image's full planes of a group, what the scatter frames
    of one input channel add there, in the frames' order and rounding.

    ``plane`` (H, W) is the channel's input, ``kernel`` (F/G, KH, KW) its weights ``w[c]``; with
    ``stop = (iy0, ix0)`` only the elements before (iy0, ix0) in C order are scattered.

    Of the input pixels reaching one cell, a bigger kernel row i means an earlier input row and,
    in the same row, a bigger j an earlier column. So adding tap after tap, i and j counting down,
    each tap's pixels with one strided add (they land on different cells), gives every cell its
    products in the frames' order, each product rounded once and added once, as ``np.add.at`` of
    the frames does.
    """
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    width = plane.shape[1]
    rows, cols = (plane.shape[0], 0) if stop is None else stop
    for i in range(kh - 1, -1, -1):
        for j in range(kw - 1, -1, -1):
            top, left = i * dh, j * dw
            weight = kernel[:, i, j]
            if rows:
                into[:, top : top + (rows - 1) * sh + 1 : sh, left : left + (width - 1) * sw + 1 : sw] += (
                    plane[:rows] * weight[:, None, None])
            if cols:
                into[:, top + rows * sh, left : left + (cols - 1) * sw + 1 : sw] += plane[rows, :cols] * weight[:, None]


def checkpoint_spacing(g: TransposedGeometry, itemsize: int) -> int:
    """Input channels between checkpoints: 1 (a checkpoint after every channel) unless that
    would take more than CHECKPOINT_BYTES."""
    group_plane = g.out_per_group * g.full_height * g.full_width * itemsize
    every_channel = g.batch * g.groups * max(g.in_per_group - 1, 0) * group_plane
    return max(1, -(-every_channel // CHECKPOINT_BYTES))


@dataclass(frozen=True, eq=False)
class TransposedRecord:
    """A traced conv_transpose2d's arrays, with a batch axis even for an unbatched input (the
    caller's layout is restored only in what is handed out). All arrays are read-only copies."""

    geometry: TransposedGeometry
    input_shape: tuple[int, ...]  # the caller's
    x: np.ndarray  # (N, C, H, W)
    weight: np.ndarray  # (C, F/G, KH, KW)
    bias: np.ndarray | None  # (F,)
    output: np.ndarray  # (N, F, OH, OW): the engine's conv_transpose2d, bias included
    full: np.ndarray  # (N, F, Hf, Wf): every scatter added up in the frames' order
    checkpoint_every: int  # input channels between checkpoints
    checkpoints: np.ndarray  # (N, G, K, F/G, Hf, Wf): a group's planes after (k + 1)·every of its channels
    row_counts: np.ndarray  # (Hf,) int: (input row, kernel row) pairs landing on each full-plane row
    col_counts: np.ndarray  # (Wf,) int

    @property
    def dtype(self) -> np.dtype:
        return self.x.dtype

    def in_caller_layout(self, array: np.ndarray) -> np.ndarray:
        return array[0] if self.geometry.unbatched else array

    def full_counts(self) -> np.ndarray:
        """(Hf, Wf) int: products landing on each full-plane cell, for one input channel."""
        return np.outer(self.row_counts, self.col_counts)

    def crop_slices(self) -> tuple[slice, slice]:
        """The full-plane rows and columns the output keeps."""
        g = self.geometry
        (ph, pw) = g.padding
        return slice(ph, ph + g.out_height), slice(pw, pw + g.out_width)

    def footprint(self, n: int, c: int, iy: int, ix: int) -> dict:
        """Every product input element (n, c, iy, ix) scatters, in kernel order (k, i, j): the
        weight index (c, k, i, j), the output channel, the full-plane and output cells, whether it
        survives the crop, the weight and the product (rounded as the frames add it)."""
        g = self.geometry
        (sh, sw), (dh, dw), (ph, pw) = g.stride, g.dilation, g.padding
        group = c // g.in_per_group
        k, i, j = np.indices((g.out_per_group,) + g.kernel_size).reshape(3, -1)
        ys, xs = iy * sh + i * dh, ix * sw + j * dw
        oy, ox = ys - ph, xs - pw
        kept = (oy >= 0) & (oy < g.out_height) & (ox >= 0) & (ox < g.out_width)
        value = self.x[n, c, iy, ix]  # a numpy scalar of the dtype: products are rounded as the engine's
        weight_value = self.weight[c].reshape(-1)
        return dict(
            value=value, weight_index=np.stack([np.full(len(k), c), k, i, j], axis=1),
            out_channel=group * g.out_per_group + k, full=np.stack([ys, xs], axis=1),
            output=np.stack([np.where(kept, oy, -1), np.where(kept, ox, -1)], axis=1), kept=kept,
            weight_value=weight_value, product=value * weight_value)


def record_conv_transpose2d(input, weight, bias, g: TransposedGeometry) -> TransposedRecord:
    """Run the engine once, then add up the full plane in the frames' order with its checkpoints,
    on already validated arguments."""
    x = read_only(np.array(input[None] if g.unbatched else input))
    weight = read_only(np.array(weight))
    bias = None if bias is None else read_only(np.array(bias))
    output = conv_transpose2d(x, weight, bias, g.stride, g.padding, g.output_padding, g.groups, g.dilation)

    cin, fout = g.in_per_group, g.out_per_group
    every = checkpoint_spacing(g, x.itemsize)
    count = max(cin - 1, 0) // every
    full = np.zeros((g.batch, g.out_channels, g.full_height, g.full_width), dtype=x.dtype)
    checkpoints = np.empty((g.batch, g.groups, count, fout, g.full_height, g.full_width), dtype=x.dtype)
    for n in range(g.batch):
        for group in range(g.groups):
            planes = full[n, group * fout : (group + 1) * fout]
            for local in range(cin):
                c = group * cin + local
                scatter_channel(planes, x[n, c], weight[c], g)
                if (local + 1) % every == 0 and (local + 1) // every <= count:
                    checkpoints[n, group, (local + 1) // every - 1] = planes
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    return TransposedRecord(
        geometry=g, input_shape=input.shape, x=x, weight=weight, bias=bias, output=read_only(output),
        full=read_only(full), checkpoint_every=every, checkpoints=read_only(checkpoints),
        row_counts=read_only(axis_counts(np.arange(g.height), kh, sh, dh, g.full_height)),
        col_counts=read_only(axis_counts(np.arange(g.width), kw, sw, dw, g.full_width)))
