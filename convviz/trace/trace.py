"""A conv2d's forward and backward pass as a sequence of frames that can be asked for in any order.

``trace_conv2d(...)`` validates its arguments exactly as the engine's ``conv2d`` does (with the
engine's own messages), runs the engine once, and returns a ``Trace``: the one object a caller
holds. A frame is a pure function of the trace's record and the frame index. ``Trace`` itself is a
table of contents; each job has its own module:

    record.py          the frozen record of the arrays and geometry every other part reads
    layout.py          the phases (what each is, see there) and decoding a frame index
    frame_builders.py  frame i as a small frozen record (``frames.py``), its words from ``narration.py``
    replay.py          ``apply_frame``: what a frame does to a state
    states.py          the state after frame i, from vectorised partial sums (``partial_sums.py``), and its cache
    hover.py           the hover questions
    im2col_picture.py  the im2col picture
    roads.py           the two roads to the input gradient
"""

from __future__ import annotations

import functools

import numpy as np

from convviz.nn.functional import ConvGeometry, check_grad_output, conv_geometry
from convviz.nn.functional.checks import quiet_nonfinite

from . import hover, im2col_picture, roads
from .frame_builders import build_frame
from .frames import Frame, Im2colPosition, InputGradientRoads, Phase, PixelReaders, Taps, TraceState, WeightTapReads
from .layout import lay_out_phases
from .record import record_conv2d
from .states import StateCache

GRANULARITIES = ("output", "tap")


def trace_conv2d(input, weight, bias=None, grad_output=None, stride=1, padding=0, dilation=1,
                 groups=1, padding_mode="zeros", granularity="output") -> Trace:
    """Trace ``conv2d(input, weight, bias, stride, padding, dilation, groups, padding_mode)`` and,
    when ``grad_output`` is given, its backward pass. ``granularity``: ``"output"`` (a frame per
    output element) or ``"tap"`` (a frame per multiply-add, for narrating small examples). Bad
    arguments raise the engine's messages before anything is computed."""
    g = conv_geometry(input, weight, bias, stride, padding, dilation, groups, padding_mode)
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be 'output' (a frame per output element) or 'tap' (a frame "
                         f"per multiply-add), got {granularity!r}")
    if grad_output is not None:
        check_grad_output(grad_output, input, weight, g)
    return Trace(input, weight, bias, grad_output, g, granularity)


class Trace:
    """Every step of one conv2d, forward and (with ``grad_output``) backward, as indexable frames.
    Build it with ``trace_conv2d``; every method may be called from several threads at once.

    Arrays the trace hands out are read-only and in the caller's layout: no batch axis when the
    input had none (``unbatched``), except that the hover answers and ``input_gradient_roads``
    always count images (n is 0 for an unbatched input).
    """

    def __init__(self, input, weight, bias, grad_output, geometry: ConvGeometry, granularity: str):
        """Arguments already validated (``trace_conv2d`` does that)."""
        self._record = record = record_conv2d(input, weight, bias, grad_output, geometry, granularity)
        self._layout = layout = lay_out_phases(record)
        # (no reference back to self: a trace is freed as soon as its last user lets go)
        self._states = StateCache(record, layout, functools.partial(build_frame, record, layout))

    # ------------------------------------------------------------------------------------------
    # What was traced

    geometry: ConvGeometry = property(lambda self: self._record.geometry)
    granularity: str = property(lambda self: self._record.granularity, doc='"output" or "tap"')
    has_backward: bool = property(lambda self: self._record.has_backward)
    unbatched: bool = property(lambda self: self._record.geometry.unbatched)
    dtype: np.dtype = property(lambda self: self._record.dtype)
    input_shape: tuple = property(lambda self: self._record.input_shape)
    taps_per_window: int = property(lambda self: self._record.taps_per_window, doc="C/G·KH·KW")

    @property
    def input(self) -> np.ndarray:
        """The input, (N, C, H, W), or (C, H, W) unbatched."""
        record = self._record
        rows, columns = record.inner_rows_and_columns()
        return record.in_caller_layout(record.x_pad[..., rows.start : rows.stop, columns.start : columns.stop])

    @property
    def padded_input(self) -> np.ndarray:
        """The padded input the windows read, (N, C, Hp, Wp), or (C, Hp, Wp) unbatched."""
        return self._record.in_caller_layout(self._record.x_pad)

    @property
    def weight(self) -> np.ndarray:
        """(F, C/G, KH, KW)."""
        return self._record.weight

    @property
    def bias(self) -> np.ndarray | None:
        """(F,), or None."""
        return self._record.bias

    @property
    def grad_output(self) -> np.ndarray | None:
        """(N, F, OH, OW), or (F, OH, OW) unbatched; None without a backward pass."""
        grad_output = self._record.grad_output
        return None if grad_output is None else self._record.in_caller_layout(grad_output)

    @property
    def output(self) -> np.ndarray:
        """The engine's output, bias included: (N, F, OH, OW), or (F, OH, OW) unbatched."""
        return self._record.in_caller_layout(self._record.output)

    # ------------------------------------------------------------------------------------------
    # Frames and phases (layout.py, frame_builders.py)

    @property
    def phases(self) -> tuple[Phase, ...]:
        """The phases that run, in order."""
        return self._layout.phases

    def phase_counts(self) -> dict[str, int]:
        """Frames per phase, in phase order, 0 for a phase that does not run."""
        return dict(self._layout.counts)

    def phase_at(self, index) -> Phase:
        """The phase frame ``index`` belongs to."""
        return self._layout.phase_at(self._layout.frame_index(index))

    def phase(self, name: str) -> Phase:
        """The phase called ``name``; KeyError naming the phases this trace has if it does not run."""
        return self._layout.phase(name)

    def __len__(self) -> int:
        return self._layout.length

    @quiet_nonfinite
    def __getitem__(self, index) -> Frame:
        """Frame ``index`` (negative indices count from the end)."""
        return build_frame(self._record, self._layout, self._layout.frame_index(index))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        phases = ", ".join(f"{p.name} {p.count:,}" for p in self.phases)
        return (f"<Trace of conv2d input {self.input_shape} weight {self.weight.shape}, "
                f"{len(self):,} frames: {phases}>")

    # ------------------------------------------------------------------------------------------
    # States (states.py, replay.py)

    @quiet_nonfinite
    def state(self, index) -> TraceState:
        """The arrays after frame ``index`` (see ``TraceState`` for layout and "not computed yet").
        Right after ``state(i)``, ``state(j)`` for ``i < j <= i + REPLAY_LIMIT`` applies only frames
        i+1..j (``apply_frame``) to the cached arrays."""
        return self._states.state(self._layout.frame_index(index) + 1)

    # ------------------------------------------------------------------------------------------
    # Hover questions (hover.py)

    @quiet_nonfinite
    def receptive_field(self, n: int, f: int, oy: int, ox: int) -> Taps:
        """Every tap output element (n, f, oy, ox) reads: its window, in kernel order."""
        return hover.receptive_field(self._record, n, f, oy, ox)

    @quiet_nonfinite
    def pixel_readers(self, n: int, c: int, y: int, x: int) -> PixelReaders:
        """Which output elements, through which taps, read input pixel (n, c, y, x) (input
        coordinates), directly or through padding cells copied from it. With a backward pass the
        contributions sum to grad_input[n, c, y, x]."""
        return hover.pixel_readers(self._record, n, c, y, x)

    @quiet_nonfinite
    def weight_tap_reads(self, f: int, c: int, i: int, j: int) -> WeightTapReads:
        """Every input cell weight w[f, c, i, j] multiplies (one per output element of filter f, in
        C order). With a backward pass the contributions sum to grad_weight[f, c, i, j]."""
        return hover.weight_tap_reads(self._record, f, c, i, j)

    # ------------------------------------------------------------------------------------------
    # The im2col picture (im2col_picture.py)

    def im2col_position(self, index) -> Im2colPosition | None:
        """The im2col picture of frame ``index`` (None for frames outside the window phases)."""
        return getattr(self[index], "im2col", None)

    def im2col_matrices(self, group: int) -> tuple[np.ndarray, np.ndarray]:
        """(weight matrix (F/G, C/G·KH·KW), column matrix (C/G·KH·KW, N·OH·OW)) of ``group``, built
        by the engine's im2col; meant for small examples (the column matrix is ~KH·KW inputs)."""
        return im2col_picture.im2col_matrices(self._record, group)

    # ------------------------------------------------------------------------------------------
    # The two roads to the input gradient (roads.py)

    @quiet_nonfinite
    def input_gradient_roads(self, algorithm: str = "strided") -> InputGradientRoads:
        """The padded input gradient by the scatter-add the frames narrate and by the engine's
        transposed convolution (its forward computed by ``algorithm``, one of the engine's
        ``ALGORITHMS``), and whether they agree to rounding. Meant for the sizes a lecturer shows:
        on a 1×3×512×512 input with a dilated 7×7 kernel, "strided" takes seconds and hundreds of
        MB ("im2col" is faster)."""
        return roads.input_gradient_roads(self._record, algorithm)
