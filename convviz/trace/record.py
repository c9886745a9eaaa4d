"""The one frozen record of a trace: its arrays and geometry, computed once when the trace is built.

Every other part of a trace (phase layout, frames, states, hover questions, the im2col picture, the
two roads) is a function of this record and an index. All its arrays are private copies, marked
read-only, with a batch axis even for an unbatched input (the caller's layout is restored only in
what is handed out). Nothing is stored per frame: a 1×3×512×512 input with 8 filters of 7×7
(millions of frames) costs a few copies of its arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.nn.functional import ConvGeometry, pad2d, pad_source_index
from convviz.nn.functional.checks import quiet_nonfinite

from .frames import NOT_A_PIXEL, Taps, read_only
from .partial_sums import cells_reached, checkpoint_spacing, run_engine_in_strips, scatter_with_checkpoints


@dataclass(frozen=True, eq=False)
class TraceRecord:
    """A traced conv2d's arrays and geometry. Shapes: N images, C input channels, F filters, G groups,
    T = C/G·KH·KW taps per window, Hp×Wp the padded plane, OH×OW the output plane."""

    geometry: ConvGeometry
    granularity: str  # "output" or "tap"
    input_shape: tuple[int, ...]  # the caller's, (C, H, W) for an unbatched input
    x_pad: np.ndarray  # (N, C, Hp, Wp) the padded input
    weight: np.ndarray  # (F, C/G, KH, KW)
    bias: np.ndarray | None  # (F,)
    grad_output: np.ndarray | None  # (N, F, OH, OW)
    output: np.ndarray  # (N, F, OH, OW), the engine's, bias included

    # Padding maps, separable: where each padded row / column is copied from (-1: a zero cell).
    row_source: np.ndarray  # (Hp,) int
    col_source: np.ndarray  # (Wp,) int
    row_inside: np.ndarray  # (Hp,) bool: the row lies inside the image
    col_inside: np.ndarray  # (Wp,) bool
    padding_mask: np.ndarray  # (Hp, Wp) bool: a padding cell
    pad_rows: np.ndarray  # padded rows that hold padding, ascending
    rows_read: np.ndarray  # (Hp,) bool: some window reads the row (a stride can skip some)
    cols_read: np.ndarray  # (Wp,) bool

    # Every window's taps in kernel order (c, i, j): the offsets added to (oy·sh, ox·sw).
    tap_kernel_index: np.ndarray  # (T, 3) int
    tap_dy: np.ndarray  # (T,) i·dh
    tap_dx: np.ndarray  # (T,) j·dw

    # With a backward pass (None without):
    grad_x_pad: np.ndarray | None  # (N, C, Hp, Wp): the padded input gradient, in the frames' order
    checkpoint_every: int | None  # filters between scatter checkpoints
    scatter_checkpoints: np.ndarray | None  # (N, G, K, C/G, Hp, Wp): a group after every `every`-th filter
    strip_rows: int | None  # output rows per strip of the engine's run
    gw_strip_prefix: np.ndarray | None  # (N, S + 1, F, C/G, KH, KW): weight gradient of the strips before s
    gw_image: np.ndarray | None  # (N, F, C/G, KH, KW): weight gradient of each image
    gw_image_prefix: np.ndarray | None  # (N + 1, F, C/G, KH, KW): weight gradient of the images before n
    grad_bias: np.ndarray | None  # (F,), None without a bias

    @property
    def has_backward(self) -> bool:
        return self.grad_output is not None

    @property
    def taps_per_window(self) -> int:
        return len(self.tap_dy)

    @property
    def elements(self) -> int:
        """Output elements, N·F·OH·OW: the frames of a window phase at output granularity."""
        return self.output.size

    @property
    def dtype(self) -> np.dtype:
        return self.x_pad.dtype

    # ------------------------------------------------------------------------------------------
    # Reading the record

    def in_caller_layout(self, array: np.ndarray) -> np.ndarray:
        """An (N, ...) array without its batch axis when the caller's input had none."""
        return array[0] if self.geometry.unbatched else array

    def window_taps(self, n: int, f: int, oy: int, ox: int) -> Taps:
        """Every tap of output element (n, f, oy, ox)'s window, in kernel order."""
        g = self.geometry
        group = f // g.out_per_group
        ys = oy * g.stride[0] + self.tap_dy
        xs = ox * g.stride[1] + self.tap_dx
        channel = group * g.in_per_group + self.tap_kernel_index[:, 0]
        input_value = self.x_pad[n, channel, ys, xs]
        weight_value = self.weight[f].reshape(-1)  # C order (c, i, j), the taps' order
        return self.taps(self.tap_kernel_index, channel, ys, xs, input_value, weight_value)

    def taps(self, kernel_index, channel, ys, xs, input_value, weight_value) -> Taps:
        """Taps reading padded cells (ys, xs) of ``channel``, with where each value comes from."""
        source_row, source_col = self.row_source[ys], self.col_source[xs]
        zero = (source_row < 0) | (source_col < 0)
        source = np.stack([np.where(zero, NOT_A_PIXEL[0], source_row),
                           np.where(zero, NOT_A_PIXEL[1], source_col)], axis=1)
        is_padding = ~(self.row_inside[ys] & self.col_inside[xs])
        arrays = (kernel_index, channel, np.stack([ys, xs], axis=1), is_padding, source,
                  input_value, weight_value, input_value * weight_value)
        return Taps(*(read_only(np.array(a)) for a in arrays))

    def padding_cells(self, rows) -> tuple[np.ndarray, np.ndarray]:
        """Padded (y, x) of the padding cells in the given padded rows, row-major."""
        rows = np.asarray(rows)
        row_positions, xs = np.nonzero(self.padding_mask[rows])
        return rows[row_positions], xs

    def reach(self) -> np.ndarray:
        """(Hp, Wp): the padded cells that some window reads, hence gets gradient from."""
        return np.outer(self.rows_read, self.cols_read)

    def inner_rows_and_columns(self) -> tuple[range, range]:
        """The padded rows and columns that hold the image: what the crop keeps."""
        g = self.geometry
        top, _, left, _ = g.pads
        return range(top, top + g.height), range(left, left + g.width)

    def crop(self, padded: np.ndarray) -> np.ndarray:
        """A copy of ``padded``'s image part (its last two axes cropped)."""
        rows, columns = self.inner_rows_and_columns()
        return padded[..., rows.start : rows.stop, columns.start : columns.stop].copy()


@quiet_nonfinite
def record_conv2d(input, weight, bias, grad_output, g: ConvGeometry, granularity: str) -> TraceRecord:
    """Run the engine once (strip by strip) on already validated arguments and keep what the
    frames, states and questions read."""
    batched = (lambda a: a[None]) if g.unbatched else (lambda a: a)
    # Private copies: the trace must not change when the caller reuses its arrays.
    x_pad = read_only(pad2d(batched(input), g.pads, g.padding_mode))
    weight = read_only(np.array(weight))
    bias = None if bias is None else read_only(np.array(bias))
    grad_output = None if grad_output is None else read_only(np.array(batched(grad_output)))
    engine = run_engine_in_strips(x_pad, weight, bias, grad_output, g)

    top, bottom, left, right = g.pads
    row_inside = np.zeros(g.padded_height, dtype=bool)
    row_inside[top : top + g.height] = True
    col_inside = np.zeros(g.padded_width, dtype=bool)
    col_inside[left : left + g.width] = True
    padding_mask = ~(row_inside[:, None] & col_inside[None, :])
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    c, i, j = np.indices((g.in_per_group, kh, kw)).reshape(3, -1)

    backward = dict(grad_x_pad=None, checkpoint_every=None, scatter_checkpoints=None, strip_rows=None,
                    gw_strip_prefix=None, gw_image=None, gw_image_prefix=None, grad_bias=None)
    if grad_output is not None:
        every = checkpoint_spacing(g, x_pad.dtype.itemsize)
        grad_x_pad, checkpoints = scatter_with_checkpoints(grad_output, weight, g, every)
        # Prefix sums of the engine's per-strip weight gradients: the weight-gradient states
        # are read from them.
        strips = engine.strip_grad_weight
        strip_prefix = np.concatenate([np.zeros_like(strips[:, :1]), strips.cumsum(axis=1)], axis=1)
        per_image = strip_prefix[:, -1]
        image_prefix = np.concatenate([np.zeros((1,) + weight.shape, dtype=weight.dtype), per_image.cumsum(axis=0)])
        backward = dict(
            grad_x_pad=read_only(grad_x_pad), checkpoint_every=every, scatter_checkpoints=read_only(checkpoints),
            strip_rows=engine.strip_rows, gw_strip_prefix=read_only(strip_prefix),
            gw_image=read_only(per_image), gw_image_prefix=read_only(image_prefix),
            grad_bias=None if bias is None else read_only(grad_output.sum(axis=(0, 2, 3))))

    return TraceRecord(
        geometry=g, granularity=granularity, input_shape=input.shape,
        x_pad=x_pad, weight=weight, bias=bias, grad_output=grad_output, output=read_only(engine.output),
        row_source=read_only(pad_source_index(g.height, top, bottom, g.padding_mode)),
        col_source=read_only(pad_source_index(g.width, left, right, g.padding_mode)),
        row_inside=read_only(row_inside), col_inside=read_only(col_inside),
        padding_mask=read_only(padding_mask), pad_rows=read_only(np.flatnonzero(padding_mask.any(axis=1))),
        rows_read=read_only(cells_reached(np.arange(g.out_height), kh, sh, dh, g.padded_height)),
        cols_read=read_only(cells_reached(np.arange(g.out_width), kw, sw, dw, g.padded_width)),
        tap_kernel_index=read_only(np.stack([c, i, j], axis=1)), tap_dy=read_only(i * dh), tap_dx=read_only(j * dw),
        **backward)
