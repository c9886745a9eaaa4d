"""The records a trace hands out: phases, frames, taps and the answers to hover questions.

Every record is a small frozen dataclass built on demand (``frame_builders``, ``hover``) from the
trace's record and an index; nothing here is stored per frame. Arrays inside a record are small
(one window, one padded row) and marked read-only, so a record cannot be changed by the code that
displays it.

Coordinates, everywhere in this package:

- an output element is ``(n, f, oy, ox)``: image, filter, output row, output column (``n`` is 0 for
  an unbatched input);
- a kernel index is ``(c, i, j)``: channel *within the filter's group*, kernel row, kernel column,
  so the weight is ``w[f, c, i, j]`` and the input channel it reads is ``group · C/G + c``;
- a *padded* coordinate ``(y, x)`` is a cell of the padded plane, ``(0, 0)`` its top-left corner;
  the *input* coordinate of the same cell is ``(y - p_top, x - p_left)`` when that lies inside the
  image. Along each axis a tap reads padded cell ``o·s + k·d``, i.e. input cell ``o·s + k·d - p``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

# Input coordinate recorded for a cell of zero padding: it holds a constant, not a pixel.
NOT_A_PIXEL = (-1, -1)


def read_only(array: np.ndarray) -> np.ndarray:
    """Mark ``array`` read-only and return it (records must not be changed by their readers)."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Phase:
    """One stage of the computation: frames ``first`` to ``last`` (both included) of the trace."""

    name: str  # "pad", "dilate", "slide", "scatter", "weight_grad", "bias_grad" or "fold"
    first: int
    last: int
    unit: str  # what one frame of this phase is, e.g. "one output element"
    explanation: str  # one line for the screen, with this configuration's numbers

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def __contains__(self, index: int) -> bool:
        return self.first <= index <= self.last


# ----------------------------------------------------------------------------------------------
# What a frame does to the state: ``replay.apply_frame`` adds, then zeroes, then crops.


@dataclass(frozen=True, eq=False)
class Addition:
    """``array[index] += amount``, element by element, where ``index`` is a tuple of integer arrays
    (one per axis of the state array, in the layout ``Trace.state`` returns) and ``amount`` holds one
    value per indexed cell. Cells may repeat (several padded cells fold onto one pixel): applied
    with ``np.add.at``."""

    array: str  # "output", "grad_input", "grad_weight" or "grad_bias"
    index: tuple[np.ndarray, ...]
    amount: np.ndarray

    def __len__(self) -> int:
        return self.amount.size


@dataclass(frozen=True, eq=False)
class Zeroing:
    """``array[index] = 0`` (``index`` as in ``Addition``): cells that handed their value on hold
    exactly 0 afterwards, even when it was inf (inf - inf would leave NaN)."""

    array: str
    index: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Crop:
    """``array = array[..., rows, columns]``: the last two axes cut down to the image."""

    array: str
    rows: range
    columns: range


@dataclass(frozen=True, eq=False)
class Tap:
    """One multiply of a window: ``weight_value · input_value = product``."""

    kernel_index: tuple[int, int, int]  # (c, i, j), c within the group
    channel: int  # the input channel read: group · C/G + c
    padded: tuple[int, int]  # padded-plane cell read (forward) or written (scatter)
    is_padding: bool
    source: tuple[int, int]  # input pixel the value comes from; NOT_A_PIXEL for zero padding
    input_value: float
    weight_value: float
    product: float


@dataclass(frozen=True, eq=False)
class Taps:
    """Several taps as parallel read-only arrays (row t describes tap t), in kernel order
    ``(c, i, j)`` (C order), which is also the order of a column of the im2col matrix."""

    kernel_index: np.ndarray  # (T, 3) int: c (within the group), i, j
    channel: np.ndarray  # (T,) int: input channel read
    padded: np.ndarray  # (T, 2) int: padded-plane (y, x) = (oy·sh + i·dh, ox·sw + j·dw)
    is_padding: np.ndarray  # (T,) bool: the cell lies in the padding, not in the image
    source: np.ndarray  # (T, 2) int: input (row, column) the value is (copied) from, -1 for zeros
    input_value: np.ndarray  # (T,)
    weight_value: np.ndarray  # (T,)
    product: np.ndarray  # (T,) input_value · weight_value

    def __len__(self) -> int:
        return len(self.channel)

    def __getitem__(self, t: int) -> Tap:
        return Tap(tuple(int(v) for v in self.kernel_index[t]), int(self.channel[t]),
                   tuple(int(v) for v in self.padded[t]), bool(self.is_padding[t]),
                   tuple(int(v) for v in self.source[t]), float(self.input_value[t]),
                   float(self.weight_value[t]), float(self.product[t]))

    def __iter__(self):
        return (self[t] for t in range(len(self)))


@dataclass(frozen=True)
class Im2colPosition:
    """Where the current frame sits in the im2col picture of this group: the output element is
    ``weight_matrix[weight_row] @ column_matrix[:, column]``, and a single tap is the product of
    entry ``tap_row`` of both."""

    group: int
    weight_row: int  # f - group · F/G: the filter's row of the group's weight matrix
    column: int  # n · OH · OW + oy · OW + ox: the window's column of the column matrix
    tap_row: int | None  # c · KH · KW + i · KW + j at tap granularity, else None
    weight_matrix_shape: tuple[int, int]  # (F/G, C/G · KH · KW)
    column_matrix_shape: tuple[int, int]  # (C/G · KH · KW, N · OH · OW)


# ----------------------------------------------------------------------------------------------
# Forward frames


@dataclass(frozen=True, eq=False)
class PadFrame:
    """Padding cells appearing. With ``padding_mode="zeros"`` one frame shows the whole border
    (``row`` is None); otherwise one frame per padded row that holds padding, each cell with the
    input pixel it copies."""

    index: int
    row: int | None  # padded row shown, or None for the whole zero border at once
    cells: np.ndarray  # (k, 2) padded (y, x) of the padding cells of this frame
    sources: np.ndarray  # (k, 2) input (row, column) each copies; -1 for a zero cell
    values: np.ndarray  # (N, C, k), or (C, k) unbatched: the value each cell now holds
    caption: str
    phase: str = field(default="pad", init=False)
    adds: tuple[Addition, ...] = field(default=(), init=False)
    zeros: tuple[Zeroing, ...] = field(default=(), init=False)
    crop: Crop | None = field(default=None, init=False)


@dataclass(frozen=True, eq=False)
class DilateFrame:
    """Kernel tap ``(i, j)`` landing on cell ``(i·dh, j·dw)`` of the dilated kernel's footprint."""

    index: int
    tap: tuple[int, int]
    lands_at: tuple[int, int]
    footprint: tuple[int, int]  # (dh·(KH-1) + 1, dw·(KW-1) + 1)
    holes_after: np.ndarray  # (k, 2) hole cells between this tap and the next one (row-major)
    weights: np.ndarray  # (F, C/G): w[:, :, i, j], the weights this tap carries
    caption: str
    phase: str = field(default="dilate", init=False)
    adds: tuple[Addition, ...] = field(default=(), init=False)
    zeros: tuple[Zeroing, ...] = field(default=(), init=False)
    crop: Crop | None = field(default=None, init=False)


@dataclass(frozen=True, eq=False)
class _WindowFrame:
    """What the slide, scatter and weight-gradient frames share: one output element's window."""

    index: int
    element: tuple[int, int, int, int]  # (n, f, oy, ox)
    group: int
    channels: range  # the input channels filter f reads: its group's
    taps: Taps  # every tap of the window, or at tap granularity the one tap of this frame
    tap_number: int | None  # position of that tap in the window (tap granularity), else None
    im2col: Im2colPosition
    adds: tuple[Addition, ...]
    caption: str
    zeros: tuple[Zeroing, ...] = field(default=(), init=False)
    crop: Crop | None = field(default=None, init=False)


@dataclass(frozen=True, eq=False)
class SlideFrame(_WindowFrame):
    """Forward: output element ``(n, f, oy, ox)`` (or one of its multiply-adds) computed."""

    channel_sums: np.ndarray  # (C/G,) per input channel, the sum of its products so far
    bias: float | None
    value: float  # the output element after this frame (bias included once complete)
    complete: bool  # every tap summed and the bias added
    phase: str = field(default="slide", init=False)


@dataclass(frozen=True, eq=False)
class ScatterFrame(_WindowFrame):
    """Backward, input gradient: the element's gradient sent back through its taps; every tap adds
    ``grad_output · weight_value`` onto the padded cell it read (``adds``)."""

    grad_output: float
    phase: str = field(default="scatter", init=False)


@dataclass(frozen=True, eq=False)
class WeightGradFrame(_WindowFrame):
    """Backward, weight gradient: the element's gradient times the window it read added onto its
    filter's gradient; tap ``(c, i, j)`` adds ``grad_output · input_value`` onto ``w[f, c, i, j]``'s."""

    grad_output: float
    phase: str = field(default="weight_grad", init=False)


@dataclass(frozen=True, eq=False)
class BiasGradFrame:
    """Backward, bias gradient of filter ``filter``: the sum of all its outputs' gradients."""

    index: int
    filter: int
    terms: int  # N · OH · OW: how many outputs the bias was added to
    value: float
    adds: tuple[Addition, ...]
    caption: str
    phase: str = field(default="bias_grad", init=False)
    zeros: tuple[Zeroing, ...] = field(default=(), init=False)
    crop: Crop | None = field(default=None, init=False)


@dataclass(frozen=True, eq=False)
class FoldFrame:
    """Backward through reflect/replicate/circular padding: the padding cells of padded row ``row``
    hand their gradient to the pixel each was copied from. ``adds``: minus the gradient at the
    cells and plus it at the pixels; ``zeros``: the cells, which then hold exactly 0."""

    index: int
    row: int
    cells: np.ndarray  # (k, 2) padded (y, x) of the padding cells
    sources: np.ndarray  # (k, 2) input (row, column) each was copied from
    targets: np.ndarray  # (k, 2) padded (y, x) of those pixels: sources + (p_top, p_left)
    gradients: np.ndarray  # (N, C, k), or (C, k) unbatched: the gradient each cell hands on
    adds: tuple[Addition, ...]
    zeros: tuple[Zeroing, ...]
    caption: str
    phase: str = field(default="fold", init=False)
    crop: Crop | None = field(default=None, init=False)


@dataclass(frozen=True, eq=False)
class CropFrame:
    """The last backward frame: the padded gradient loses its border and has the input's shape.
    With zero padding the border's gradient is dropped here (it belonged to constants)."""

    index: int
    rows: range  # padded rows kept
    columns: range  # padded columns kept
    dropped: float  # the sum of the gradient left on the border and thrown away
    caption: str
    phase: str = field(default="fold", init=False)
    adds: tuple[Addition, ...] = field(default=(), init=False)
    zeros: tuple[Zeroing, ...] = field(default=(), init=False)
    crop: Crop = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "crop", Crop("grad_input", self.rows, self.columns))


# Every frame has ``index``, ``phase``, ``caption`` and what it does to the state: ``adds``,
# ``zeros`` and ``crop`` (see ``replay.apply_frame``).
Frame = PadFrame | DilateFrame | SlideFrame | ScatterFrame | WeightGradFrame | BiasGradFrame | FoldFrame | CropFrame


# ----------------------------------------------------------------------------------------------
# Answers to hover questions and the two roads


@dataclass(frozen=True, eq=False)
class PixelReaders:
    """Every (output element, tap) that reads input pixel ``pixel = (n, c, y, x)``, directly or
    through a padding cell copied from it; its gradient is the sum of ``contribution``."""

    pixel: tuple[int, int, int, int]
    element: np.ndarray  # (k, 4) (n, f, oy, ox)
    kernel_index: np.ndarray  # (k, 3) (c, i, j)
    padded: np.ndarray  # (k, 2) padded cell the tap reads: the pixel's own or a padding copy
    weight_value: np.ndarray  # (k,)
    grad_output: np.ndarray | None  # (k,) grad_output of each element (None without one)
    contribution: np.ndarray | None  # (k,) grad_output · weight_value

    def __len__(self) -> int:
        return len(self.weight_value)


@dataclass(frozen=True, eq=False)
class WeightTapReads:
    """Every input cell weight ``w[f, c, i, j]`` multiplies, one per output element of filter f;
    the weight's gradient is the sum of ``contribution``."""

    weight: tuple[int, int, int, int]  # (f, c, i, j)
    channel: int  # input channel read
    element: np.ndarray  # (k, 4) (n, f, oy, ox)
    padded: np.ndarray  # (k, 2)
    is_padding: np.ndarray  # (k,)
    source: np.ndarray  # (k, 2), -1 for zero padding
    input_value: np.ndarray  # (k,)
    grad_output: np.ndarray | None  # (k,)
    contribution: np.ndarray | None  # (k,) grad_output · input_value

    def __len__(self) -> int:
        return len(self.input_value)


@dataclass(frozen=True, eq=False)
class InputGradientRoads:
    """The padded input gradient reached two ways.

    ``scatter``: every output's gradient sent back through its window's taps and added up (what
    the scatter phase ends with). ``transposed``: an ordinary convolution (stride 1, no padding) of
    ``spread_grad_output`` (grad_output with ``s - 1`` zeros between neighbours, padded by the
    dilated kernel's reach) with ``transposed_kernel`` (the kernel turned by 180 degrees, and
    within each group the filters become the input channels), at the same dilation and groups:
    ``transposed == conv2d(spread_grad_output, transposed_kernel, dilation=d, groups=G)``. The
    engine's ``spread_output_grad`` and ``transposed_kernel`` build both.
    """

    scatter: np.ndarray  # (N, C, Hp, Wp)
    transposed: np.ndarray  # (N, C, Hp, Wp)
    spread_grad_output: np.ndarray  # (N, F, Hp + dh·(KH-1), Wp + dw·(KW-1))
    # (C, F/G, KH, KW): transposed_kernel[g·C/G + c, k, i, j] = w[g·F/G + k, c, KH-1-i, KW-1-j]
    transposed_kernel: np.ndarray
    max_abs_difference: float
    tolerance: float
    agree: bool


@dataclass(frozen=True, eq=False)
class TraceState:
    """The arrays as they stand after frame ``frame``.

    ``arrays`` holds ``"output"`` and, when the trace has a backward pass, ``"grad_input"``,
    ``"grad_weight"`` and ``"grad_bias"`` (the last only with a bias), in the layout of the engine's
    results (no batch axis for an unbatched input). ``"grad_input"`` is the *padded* input's
    gradient, (N, C, Hp, Wp), until the fold phase's last frame crops it to (N, C, H, W).

    "Not computed yet" is told by ``written``: one boolean mask per array, True where some frame up
    to ``frame`` has added something. Every array starts at 0 (as the engine's accumulators do) and
    an entry no frame has touched holds exactly 0 with ``written`` False, so a view can tell "nothing
    here yet" from a real zero. After the last frame, ``written`` is still False for input pixels
    no window reads (a stride skipping them): their gradient is exactly 0 because they never
    reached the output. All arrays are read-only and no later call changes them.
    """

    frame: int
    phase: str
    arrays: Mapping[str, np.ndarray]  # read-only mapping of read-only arrays
    written: Mapping[str, np.ndarray]  # the same names, boolean masks

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def __contains__(self, name: str) -> bool:
        return name in self.arrays

    def keys(self):
        return self.arrays.keys()
