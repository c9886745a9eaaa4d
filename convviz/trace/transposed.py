"""A transposed convolution ("deconvolution") as frames, shown two ways (numpy only).

``trace_conv_transpose2d(...)`` validates its arguments exactly as the engine's
``conv_transpose2d`` does (with its messages), runs the engine once and returns a
``TransposedTrace``. Its frames are the *scatter* road: each input value times its kernel added
onto the uncropped full plane, then one crop to the output. ``direct_road()`` is the same output as
an ordinary convolution trace, over the zero-inserted, padded input with the rotated kernel.

>>> import numpy as np
>>> trace = trace_conv_transpose2d(np.ones((1, 2, 2)), np.ones((1, 1, 3, 3)), stride=2)
>>> [(p.name, p.count) for p in trace.phases], trace.full_shape
([('scatter', 4), ('crop', 1)], (1, 5, 5))
>>> trace.contribution_counts()        # the checkerboard: stride 2, a 3x3 kernel
array([[1, 1, 2, 1, 1],
       [1, 1, 2, 1, 1],
       [2, 2, 4, 2, 2],
       [1, 1, 2, 1, 1],
       [1, 1, 2, 1, 1]])
>>> bool((trace.direct_road().output == trace.output).all())
True

The modules, one job each:

    transposed_record.py     geometry, the frozen record, the ordered scatter and the counts
    transposed_frames.py     phases, frames and hover answers (records and builders)
    transposed_states.py     the state after frame i
    transposed_narration.py  the words
"""

from __future__ import annotations

import functools
import threading

import numpy as np

from convviz.nn.functional import conv_transpose_settings
from convviz.nn.functional.checks import quiet_nonfinite
from convviz.nn.functional.conv_transpose import adjoint_geometry

from . import transposed_frames
from .frames import Phase, TraceState, read_only
from .trace import Trace, trace_conv2d
from .transposed_frames import (
    TransposedFootprint,
    TransposedFrame,
    TransposedReceptiveField,
    build_frame,
    lay_out_phases,
)
from .transposed_record import (
    TransposedGeometry,
    ZeroInsertion,
    record_conv_transpose2d,
    rotate_kernel,
    zero_insertion,
)
from .transposed_states import TransposedStateCache


def trace_conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                           dilation=1) -> TransposedTrace:
    """Trace ``conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
    dilation)``: input (N, C, H, W) or (C, H, W), weight (C, F/G, KH, KW), bias (F,) or None. Bad
    arguments raise the engine's messages before anything is computed."""
    adjoint = adjoint_geometry(input, weight, bias, stride, padding, output_padding, groups, dilation)
    settings = conv_transpose_settings(stride, padding, output_padding, dilation, groups)  # the same pairs
    unbatched = input.ndim == 3
    batch, in_channels, height, width = (1,) + input.shape if unbatched else input.shape
    g = TransposedGeometry(
        batch=batch, in_channels=in_channels, out_channels=weight.shape[1] * settings.groups, groups=settings.groups,
        height=height, width=width, kernel_size=adjoint.kernel_size, stride=settings.stride,
        padding=settings.padding, output_padding=settings.output_padding, dilation=settings.dilation,
        unbatched=unbatched, out_height=adjoint.height, out_width=adjoint.width)
    return TransposedTrace(input, weight, bias, g)


class TransposedTrace:
    """Every step of one conv_transpose2d as indexable frames. Build it with
    ``trace_conv_transpose2d``; every method may be called from several threads at once.

    Arrays handed out are read-only and in the caller's layout (no batch axis when the input had
    none); the hover answers count images (n is 0 for an unbatched input).
    """

    def __init__(self, input, weight, bias, geometry: TransposedGeometry):
        """Arguments already validated (``trace_conv_transpose2d`` does that)."""
        self._record = record = record_conv_transpose2d(input, weight, bias, geometry)
        self._layout = layout = lay_out_phases(record)
        self._states = TransposedStateCache(record, layout, functools.partial(build_frame, record, layout))
        self._zero_insertion = zero_insertion(geometry)
        self._direct_road: Trace | None = None
        self._direct_lock = threading.Lock()

    # ------------------------------------------------------------------------------------------
    # What was traced

    geometry: TransposedGeometry = property(lambda self: self._record.geometry)
    in_channels: int = property(lambda self: self._record.geometry.in_channels)
    out_channels: int = property(lambda self: self._record.geometry.out_channels)
    groups: int = property(lambda self: self._record.geometry.groups)
    kernel_size: tuple = property(lambda self: self._record.geometry.kernel_size)
    stride: tuple = property(lambda self: self._record.geometry.stride)
    padding: tuple = property(lambda self: self._record.geometry.padding)
    output_padding: tuple = property(lambda self: self._record.geometry.output_padding)
    dilation: tuple = property(lambda self: self._record.geometry.dilation)
    unbatched: bool = property(lambda self: self._record.geometry.unbatched)
    dtype: np.dtype = property(lambda self: self._record.dtype)
    input_shape: tuple = property(lambda self: self._record.input_shape)

    @property
    def full_shape(self) -> tuple[int, ...]:
        """(F, Hf, Wf), or (N, F, Hf, Wf) batched: the uncropped plane every scatter lands on,
        Hf = (H - 1)·s + d·(K - 1) + 1 + output_padding; the output is full[..., p : p + OH, p : p + OW]."""
        g = self._record.geometry
        return g.caller_shape(g.out_channels, g.full_height, g.full_width)

    @property
    def output_shape(self) -> tuple[int, ...]:
        g = self._record.geometry
        return g.caller_shape(g.out_channels, g.out_height, g.out_width)

    @property
    def input(self) -> np.ndarray:
        """(N, C, H, W), or (C, H, W) unbatched."""
        return self._record.in_caller_layout(self._record.x)

    @property
    def weight(self) -> np.ndarray:
        """(C, F/G, KH, KW), as torch's conv_transpose2d takes it."""
        return self._record.weight

    @property
    def bias(self) -> np.ndarray | None:
        """(F,), or None."""
        return self._record.bias

    @property
    def output(self) -> np.ndarray:
        """The engine's conv_transpose2d, bias included: (N, F, OH, OW), or (F, OH, OW) unbatched."""
        return self._record.in_caller_layout(self._record.output)

    @property
    def full(self) -> np.ndarray:
        """The full plane after every scatter (before the crop and the bias), ``full_shape``."""
        return self._record.in_caller_layout(self._record.full)

    # ------------------------------------------------------------------------------------------
    # The overlap

    def full_counts(self) -> np.ndarray:
        """(Hf, Wf) int: how many (input pixel, kernel tap) products land on each full-plane cell,
        for one input channel and one output channel (an output channel of a group receives this
        times C/G)."""
        return read_only(self._record.full_counts())

    def contribution_counts(self) -> np.ndarray:
        """(OH, OW) int: ``full_counts()`` on the cells the output keeps. With stride 2 and a 3×3
        kernel this is the checkerboard of 1, 2 and 4 products."""
        return read_only(self._record.full_counts()[self._record.crop_slices()].copy())

    # ------------------------------------------------------------------------------------------
    # The direct road

    @property
    def zero_insertion(self) -> ZeroInsertion:
        """How the direct road's input is built from x (see ``direct_road``)."""
        return self._zero_insertion

    def zero_inserted_input(self) -> tuple[np.ndarray, np.ndarray]:
        """(values, is_pixel): the direct road's input, (C, Hz, Wz) or (N, C, Hz, Wz) batched, and
        the (Hz, Wz) mask of its cells that hold input pixels (all others hold 0). See
        ``direct_road`` for the construction."""
        record, z = self._record, self._zero_insertion
        values = np.zeros((record.geometry.batch, record.geometry.in_channels) + z.shape, dtype=record.dtype)
        rows, cols = np.flatnonzero(z.row_source >= 0), np.flatnonzero(z.col_source >= 0)
        values[:, :, rows[:, None], cols[None, :]] = record.x[:, :, z.row_source[rows, None], z.col_source[None, cols]]
        return read_only(record.in_caller_layout(values)), z.is_pixel

    def rotated_kernel(self) -> np.ndarray:
        """(F, C/G, KH, KW): the direct road's conv2d weight, ``rotated[g·F/G + k, c, i, j] =
        w[g·C/G + c, k, KH-1-i, KW-1-j]`` (turned by 180 degrees, input and output channels swapped
        within each group)."""
        return read_only(rotate_kernel(self._record.weight, self._record.geometry))

    def direct_road(self) -> Trace:
        """The same output as an ordinary convolution: ``trace_conv2d(z, rotated_kernel(), bias,
        stride=1, padding=0, dilation=d, groups=G)``, whose output equals this trace's (to the
        rounding of the sums). Built once, on the first call.

        The construction of z (``zero_inserted_input()``, numbers in ``zero_insertion``), per axis:

        1. s - 1 zeros inserted between neighbouring input pixels: (H - 1)·s + 1 rows;
        2. d·(K - 1) - p rows of zeros added above, and d·(K - 1) - p + output_padding below
           (columns alike: left, and right with output_padding);
        3. when p > d·(K - 1) that number is negative: that many rows are cropped off instead (the
           input rows there feed only the border that the scatter road's crop drops).

        So Hz = (H - 1)·s + 1 + 2·(d·(K - 1) - p) + output_padding, and the stride-1 convolution
        with the dilated kernel gives Hz - d·(K - 1) = OH rows.

        Every product with an inserted zero is a real multiply in this road (0·w); for finite
        weights it adds nothing, but an inf weight makes it NaN where the scatter road has no
        such product.
        """
        with self._direct_lock:
            if self._direct_road is None:
                z, _ = self.zero_inserted_input()
                g = self._record.geometry
                self._direct_road = trace_conv2d(z, self.rotated_kernel(), self._record.bias, stride=1, padding=0,
                                                 dilation=g.dilation, groups=g.groups)
            return self._direct_road

    # ------------------------------------------------------------------------------------------
    # Frames and phases

    @property
    def phases(self) -> tuple[Phase, ...]:
        """The phases that run, in order: "scatter" then "crop"."""
        return self._layout.phases

    def phase_counts(self) -> dict[str, int]:
        """Frames per phase, in phase order, 0 for a phase that does not run."""
        return dict(self._layout.counts)

    def phase_at(self, index) -> Phase:
        return self._layout.phase_at(self._layout.frame_index(index))

    def phase(self, name: str) -> Phase:
        """The phase called ``name``; KeyError naming this trace's phases if it does not run."""
        return self._layout.phase(name)

    def __len__(self) -> int:
        return self._layout.length

    @quiet_nonfinite
    def __getitem__(self, index) -> TransposedFrame:
        """Frame ``index`` (negative indices count from the end)."""
        return build_frame(self._record, self._layout, self._layout.frame_index(index))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        phases = ", ".join(f"{p.name} {p.count:,}" for p in self.phases)
        return (f"<TransposedTrace of conv_transpose2d input {self.input_shape} weight {self.weight.shape}, "
                f"{len(self):,} frames: {phases}>")

    @quiet_nonfinite
    def state(self, index) -> TraceState:
        """The arrays after frame ``index``: "full" and "counts" (``full_shape``), "output"
        (``output_shape``, written only by the crop frame). Read-only, caller's layout."""
        return self._states.state(self._layout.frame_index(index) + 1)

    # ------------------------------------------------------------------------------------------
    # Hover questions

    @quiet_nonfinite
    def receptive_field(self, n: int, f: int, oy: int, ox: int) -> TransposedReceptiveField:
        """Every (input pixel, weight) product that lands on output (n, f, oy, ox), in frame order."""
        return transposed_frames.receptive_field(self._record, self._layout, n, f, oy, ox)

    @quiet_nonfinite
    def pixel_readers(self, n: int, c: int, y: int, x: int) -> TransposedFootprint:
        """The cells input pixel (n, c, y, x) scatters onto (its kernel placed at (y·sh, x·sw) on
        the full plane, dilated), with the products and the outputs they land in."""
        return transposed_frames.pixel_readers(self._record, self._layout, n, c, y, x)
