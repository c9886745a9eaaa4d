"""A max or average pooling's forward and backward pass as frames that can be asked for in any order.

>>> import numpy as np
>>> from convviz.trace.pooling import trace_pool2d
>>> x = np.array([[[1.0, 5.0, 2.0], [3.0, 4.0, 0.0], [6.0, 1.0, 2.0]]])      # (C, H, W) = (1, 3, 3)
>>> trace = trace_pool2d(x, "max", 2, stride=1, grad_output=np.ones((1, 2, 2)))
>>> [(p.name, p.count) for p in trace.phases]
[('pool', 4), ('route', 4)]
>>> trace[0].caption
'y[0, 0, 0] = max of 4 values = 5, at x[0, 0, 1] (tap (0, 1)).'
>>> trace.state(-1)["grad_input"].tolist()       # x[0, 0, 1] = 5 is the maximum of two windows
[[[0.0, 2.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]]

``trace_pool2d(...)`` validates its arguments as the engine's ``max_pool2d`` / ``avg_pool2d`` do
(with the engine's messages), runs the engine once and returns a ``PoolTrace``. The phases, in
order (a phase with no frames, e.g. every phase of an empty batch, is left out):

``pool``   one frame per output element (n, c, oy, ox) in C order: its window's cells, values and
           padding, and the maximum (the tap torch picks: the first of equal maxima, the last NaN,
           the first inside pixel of an all -inf window) or the sum, divisor and mean.
``route``  (with ``grad_output``) the same walk: max sends grad_output[n, c, oy, ox] to its chosen
           pixel, avg spreads grad / divisor over the window's pixels inside the input; where
           windows overlap the amounts add up on "grad_input" (the input's shape, never padded).

The work is split: ``pooling_record`` (the engine's results, once), ``pooling_frames`` (frames,
windows and hover answers), ``pooling_states`` (the state after any frame), ``pooling_narration``
(every English word).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from convviz.nn.functional import PoolGeometry, pool_geometry
from convviz.nn.functional.checks import (as_float_array, check_bool, check_ndim, int_pair, quiet_nonfinite,
                                          same_dtype)

from . import pooling_narration
from .frames import Phase, TraceState
from .hover import check_coordinate
from .phase_table import PhaseLookup, lay_out
from .pooling_frames import (PoolFrame, PoolPixelReaders, PoolWindow, RouteFrame, pixel_readers, pool_frame,
                             route_frame, window)
from .pooling_record import KINDS, record_pool2d
from .pooling_states import state_after

PHASE_NAMES = ("pool", "route")


def trace_pool2d(input, kind, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                 count_include_pad=True, grad_output=None) -> PoolTrace:
    """Trace ``max_pool2d`` (kind "max") or ``avg_pool2d`` (kind "avg") of ``input`` (N, C, H, W) or
    (C, H, W) with torch's arguments and, when ``grad_output`` (the output's shape and the input's
    dtype) is given, its backward pass. ``dilation`` is for max pooling only; ``count_include_pad``
    for average pooling only (ignored for max). Bad arguments raise the engine's messages before
    anything is computed."""
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"kind must be 'max' (max_pool2d: each output is its window's largest value) or "
                         f"'avg' (avg_pool2d: its window's mean), got {kind!r}")
    as_float_array(input, "input")
    check_ndim(input, "input", (3, 4), "(N, C, H, W) or unbatched (C, H, W)")
    if kind == "avg" and int_pair(dilation, "dilation", minimum=1) != (1, 1):
        raise ValueError(f"dilation is for max pooling only: average pooling has no dilation "
                         f"(torch.nn.functional.avg_pool2d takes none), so it must be 1, got {dilation!r}")
    g = pool_geometry(input.shape, kernel_size, stride, padding, dilation, ceil_mode)
    count_include_pad = check_bool(count_include_pad, "count_include_pad")
    if grad_output is not None:
        as_float_array(grad_output, "grad_output")
        same_dtype({"input": input, "grad_output": grad_output})
        if grad_output.shape != g.output_shape:
            raise ValueError(f"grad_output must have the output's shape {g.output_shape} (the {kind} pooling of "
                             f"input {input.shape} with kernel_size={g.kernel_size}, stride={g.stride}, "
                             f"padding={g.padding}), got {grad_output.shape}")
    return PoolTrace(input, kind, g, count_include_pad, grad_output)


@dataclass(frozen=True, eq=False)
class PoolLayout(PhaseLookup):
    """Where the pool and route phases' frames lie (``phase_table.lay_out``)."""

    counts: Mapping[str, int]
    phases: tuple[Phase, ...]
    by_name: Mapping[str, Phase]
    length: int


class PoolTrace:
    """Every step of one pooling, forward and (with ``grad_output``) backward, as indexable frames.
    Build it with ``trace_pool2d``. Nothing in it changes after it is built, so any method may be
    called from several threads at once.

    Arrays handed out are read-only and in the caller's layout (no batch axis when the input had
    none), except the hover answers' coordinates, which always count images (n is 0 unbatched).
    """

    def __init__(self, input, kind: str, geometry: PoolGeometry, count_include_pad: bool, grad_output):
        """Arguments already validated (``trace_pool2d`` does that)."""
        self._record = record = record_pool2d(input, kind, geometry, count_include_pad, grad_output)
        counts = {"pool": record.elements, "route": record.elements if record.has_backward else 0}
        self._layout = PoolLayout(**lay_out(PHASE_NAMES, counts, lambda name: (
            pooling_narration.unit(name), pooling_narration.explanation(name, kind, geometry, record.count_include_pad))))

    # ------------------------------------------------------------------------------------------
    # What was traced

    kind: str = property(lambda self: self._record.kind, doc='"max" or "avg"')
    geometry: PoolGeometry = property(lambda self: self._record.geometry)
    count_include_pad: bool = property(lambda self: self._record.count_include_pad,
                                       doc="avg: whether the divisor counts padding cells (False for max)")
    has_backward: bool = property(lambda self: self._record.has_backward)
    unbatched: bool = property(lambda self: self._record.geometry.unbatched)
    dtype: np.dtype = property(lambda self: self._record.dtype)
    input_shape: tuple = property(lambda self: self._record.geometry.input_shape)
    taps_per_window: int = property(lambda self: self._record.taps_per_window, doc="kh·kw")
    pads: tuple = property(lambda self: self._record.pads,
                           doc="(top, bottom, left, right) = geometry.padded_extent: the border of padded_input")

    @property
    def input(self) -> np.ndarray:
        """(N, C, H, W), or (C, H, W) unbatched."""
        return self._record.in_caller_layout(self._record.input())

    @property
    def padded_input(self) -> np.ndarray:
        """(N, C, Hp, Wp), or (C, Hp, Wp): the input inside its border as the windows see it, -inf
        (max) or 0 (avg) outside; Hp = top + H + bottom with ``pads``."""
        return self._record.in_caller_layout(self._record.x_pad)

    @property
    def output(self) -> np.ndarray:
        """The engine's output, (N, C, OH, OW) or (C, OH, OW)."""
        return self._record.in_caller_layout(self._record.output)

    @property
    def grad_output(self) -> np.ndarray | None:
        """The output's shape; None without a backward pass."""
        grad_output = self._record.grad_output
        return None if grad_output is None else self._record.in_caller_layout(grad_output)

    @property
    def grad_input(self) -> np.ndarray | None:
        """The input's shape: every route frame added up (what the last state holds); None without
        a backward pass."""
        grad_input = self._record.grad_input
        return None if grad_input is None else self._record.in_caller_layout(grad_input)

    @property
    def divisor(self) -> np.ndarray | None:
        """avg: (OH, OW), each window's divisor as torch counts it (in the input's dtype); max: None."""
        return self._record.divisor

    @property
    def indices(self) -> np.ndarray | None:
        """max: the engine's (and torch's) return_indices, the output's shape, int64 flat row·W +
        column; avg: None."""
        indices = self._record.indices
        return None if indices is None else self._record.in_caller_layout(indices)

    # ------------------------------------------------------------------------------------------
    # Frames and phases

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

    def frame_of(self, phase: str, n: int, c: int, oy: int, ox: int) -> int:
        """The index of phase ``phase``'s frame for output element (n, c, oy, ox) (n is 0 unbatched):
        ``phase(phase).first`` plus the element's number in C order."""
        first = self.phase(phase).first
        return first + int(np.ravel_multi_index(self._element(n, c, oy, ox), self._record.output.shape))

    @quiet_nonfinite
    def __getitem__(self, index) -> PoolFrame | RouteFrame:
        """Frame ``index`` (negative indices count from the end)."""
        i = self._layout.frame_index(index)
        elements = self._record.elements
        if i < elements:
            return pool_frame(self._record, i, i)
        return route_frame(self._record, i, i - elements)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        phases = ", ".join(f"{p.name} {p.count:,}" for p in self.phases)
        return (f"<PoolTrace of {self.kind}_pool2d input {self.input_shape} kernel {self.geometry.kernel_size}, "
                f"{len(self):,} frames: {phases}>")

    # ------------------------------------------------------------------------------------------
    # States

    @quiet_nonfinite
    def state(self, index) -> TraceState:
        """The arrays after frame ``index``: "output" (the output's shape) and, with a backward pass,
        "grad_input" (the input's shape), with ``written`` masks (False: nothing added yet), read-only,
        in the caller's layout. Computed directly for any index (one plane of work at most)."""
        i = self._layout.frame_index(index)
        return state_after(self._record, i + 1, self.phase_at(i).name)

    # ------------------------------------------------------------------------------------------
    # Hover questions

    def _element(self, n, c, oy, ox) -> tuple[int, int, int, int]:
        g = self.geometry
        return (check_coordinate("n", n, g.batch, "the batch size"),
                check_coordinate("c", c, g.channels, "the number of channels"),
                check_coordinate("oy", oy, g.out_height, "the output height"),
                check_coordinate("ox", ox, g.out_width, "the output width"))

    @quiet_nonfinite
    def receptive_field(self, n: int, c: int, oy: int, ox: int) -> PoolWindow:
        """The window output element (n, c, oy, ox) reads: its cells, values, padding, and the
        chosen tap (max) or sum and divisor (avg)."""
        return window(self._record, *self._element(n, c, oy, ox))

    @quiet_nonfinite
    def pixel_readers(self, n: int, c: int, y: int, x: int) -> PoolPixelReaders:
        """The output elements whose window reads input pixel (n, c, y, x) (input coordinates), and
        for max which of them chose it; with a backward pass the contributions, which sum to
        grad_input[n, c, y, x]."""
        g = self.geometry
        return pixel_readers(self._record, check_coordinate("n", n, g.batch, "the batch size"),
                             check_coordinate("c", c, g.channels, "the number of channels"),
                             check_coordinate("y", y, g.height, "the input height"),
                             check_coordinate("x", x, g.width, "the input width"))
