"""A conv2d's forward and backward pass as a sequence of frames that can be asked for in any order.

``trace_conv2d(...)`` validates its arguments exactly as the engine's ``conv2d`` does (with the
engine's own messages), runs the engine once, and returns a ``Trace``. A frame is a pure function of
the trace's arrays, its geometry and the frame index: ``trace[i]`` decodes ``i`` arithmetically
(which phase, then which output element and tap) and builds a small frozen record. Nothing per frame
is stored, so a 1×3×512×512 input with 8 filters of 7×7 (millions of frames) costs a few copies of
its arrays.

The phases, in the order they run, and what one frame of each is (a phase with nothing to show, such
as padding when there is none, is left out of ``trace.phases``):

``pad``          zeros mode: one frame, the whole zero border at once (a lecturer says "surround it
                 with zeros" once, not once per cell). reflect/replicate/circular: one frame per
                 padded row that holds padding, each border cell with the input pixel it copies; the
                 padding maps are separable (a row map and a column map), so a row is the unit in
                 which "this row mirrors input row 1" is told.
``dilate``       only with dilation > 1: one frame per kernel tap (i, j), in C order: where it lands
                 in the dilated footprint and which holes follow it.
``slide``        one frame per output element (n, f, oy, ox) in C order, the order of the engine's
                 textbook loops; with ``granularity="tap"`` one frame per multiply-add (n, f, oy, ox,
                 c, i, j), the bias joining on the window's last tap.
``scatter``      (backward, with ``grad_output``) the same walk: each element's gradient sent back
                 through its taps onto the padded input's gradient.
``weight_grad``  the same walk again: each element adds grad_output × its window onto its filter's
                 gradient. One frame per output element (per multiply-add at tap granularity) shows
                 that a weight's gradient is "each window, weighted by how much its output
                 mattered"; the other reading, one weight at a time, is the hover question
                 ``weight_tap_reads``.
``bias_grad``    (with a bias) one frame per filter: the sum of its outputs' gradients. There is no
                 multiply-add in it, so tap granularity changes nothing here.
``fold``         (with padding) zeros: one frame cropping the border away, its gradient dropped.
                 Other modes: one frame per padded row holding padding, each cell handing its
                 gradient to the pixel it was copied from, then one crop frame.

``trace.state(i)`` returns the arrays after frame i, built from vectorised partial sums
(``partial_sums``); right after ``state(i)``, ``state(i + k)`` for a small k only applies the k
frames in between to a cached copy. A cell that frame i does not touch holds exactly the same
value in ``state(i - 1)`` and ``state(i)`` when both are computed from scratch, as when one is
played forward from the other; and the input gradient is, bit for bit, the frames before it
replayed, however the state was reached. A trace may be shared between threads (the app builds and
queries them off the GUI thread): frames are pure, and ``state`` holds a lock while it uses its
cache.
"""

from __future__ import annotations

import dataclasses
import threading
from types import MappingProxyType

import numpy as np

from convviz.nn.functional import (
    ConvGeometry,
    check_grad_output,
    conv_geometry,
    im2col,
    pad2d,
    pad_source_index,
    spread_output_grad,
    transposed_conv_input_grad,
    transposed_kernel,
)
from convviz.nn.functional.checks import is_int, quiet_nonfinite

from . import narration
from .frames import (
    NOT_A_PIXEL,
    Addition,
    BiasGradFrame,
    CropFrame,
    DilateFrame,
    FoldFrame,
    Im2colPosition,
    InputGradientRoads,
    PadFrame,
    Phase,
    PixelReaders,
    ScatterFrame,
    SlideFrame,
    Taps,
    TraceState,
    WeightGradFrame,
    WeightTapReads,
    read_only,
)
from .partial_sums import (
    cells_reached,
    checkpoint_spacing,
    run_engine_in_strips,
    scatter_in_frame_order,
    scatter_with_checkpoints,
    weight_grad_of_block,
)

GRANULARITIES = ("output", "tap")

# Playing forward from the last state asked for applies the frames in between one by one when there
# are at most this many; a longer jump is cheaper computed from scratch with vectorised sums.
REPLAY_LIMIT = 256


def trace_conv2d(input, weight, bias=None, grad_output=None, stride=1, padding=0, dilation=1,
                 groups=1, padding_mode="zeros", granularity="output") -> Trace:
    """Trace ``conv2d(input, weight, bias, stride, padding, dilation, groups, padding_mode)`` and,
    when ``grad_output`` is given, its backward pass. Arguments as the engine's ``conv2d``;
    ``granularity`` is ``"output"`` (a frame per output element) or ``"tap"`` (a frame per
    multiply-add, for narrating small examples). Bad arguments raise the engine's messages before
    anything is computed."""
    g = conv_geometry(input, weight, bias, stride, padding, dilation, groups, padding_mode)
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be 'output' (a frame per output element) or 'tap' (a frame "
                         f"per multiply-add), got {granularity!r}")
    if grad_output is not None:
        check_grad_output(grad_output, input, weight, g)
    return Trace(input, weight, bias, grad_output, g, granularity)


def _number(value: float) -> str:
    return f"{value:.4g}"


def _check_coordinate(name: str, value, size: int, what: str) -> int:
    if not is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not 0 <= value < size:
        raise IndexError(f"{name}={value} is out of range: {what} is {size}, so valid values are 0..{size - 1}")
    return int(value)


class _Progress:
    """The state being played forward: arrays (in the layout ``state`` returns) after ``applied``
    frames, changed in place as frames are applied.

    Copy on write: a ``TraceState`` handed out holds read-only views of these arrays, so the names
    in ``shared`` are copied before their first change (playing forward through the weight
    gradient then never copies the output)."""

    def __init__(self, applied: int, arrays: dict, written: dict):
        self.applied, self.arrays, self.written = applied, arrays, written
        self.shared: set[str] = set()

    def own(self, name: str) -> None:
        """Make ``name`` safe to change: copy it if a handed-out state still shows it."""
        if name in self.shared:
            self.arrays[name], self.written[name] = self.arrays[name].copy(), self.written[name].copy()
            self.shared.discard(name)


class Trace:
    """Every step of one conv2d, forward and (with ``grad_output``) backward, as indexable frames.

    Build it with ``trace_conv2d``. ``len(trace)``, ``trace[i]`` (negative indices count from the
    end), iteration, ``trace.phases``, ``trace.state(i)``, the hover questions
    ``receptive_field``, ``pixel_readers``, ``weight_tap_reads``, the im2col picture
    (``frame.im2col``, ``im2col_matrices``) and ``input_gradient_roads``. Every method may be
    called from several threads at once.
    """

    @quiet_nonfinite
    def __init__(self, input, weight, bias, grad_output, geometry: ConvGeometry, granularity: str):
        g = self.geometry = geometry
        self.granularity = granularity
        self.unbatched = g.unbatched
        self.dtype = input.dtype
        self.input_shape = input.shape
        batched = (lambda a: a[None]) if g.unbatched else (lambda a: a)
        # Private copies: the trace must not change when the caller reuses its arrays.
        self._x_pad = read_only(pad2d(batched(input), g.pads, g.padding_mode))
        self._weight = read_only(np.array(weight))
        self._bias = None if bias is None else read_only(np.array(bias))
        self._grad_output = None if grad_output is None else read_only(np.array(batched(grad_output)))
        self.has_backward = grad_output is not None

        engine = run_engine_in_strips(self._x_pad, self._weight, self._bias, self._grad_output, g)
        self._output = read_only(engine.output)

        top, bottom, left, right = g.pads
        # Where each padded row / column is copied from (-1: a zero cell) and what lies inside.
        self._row_source = read_only(pad_source_index(g.height, top, bottom, g.padding_mode))
        self._col_source = read_only(pad_source_index(g.width, left, right, g.padding_mode))
        row_inside = np.zeros(g.padded_height, dtype=bool)
        row_inside[top : top + g.height] = True
        col_inside = np.zeros(g.padded_width, dtype=bool)
        col_inside[left : left + g.width] = True
        self._row_inside, self._col_inside = read_only(row_inside), read_only(col_inside)
        self._padding_mask = read_only(~(row_inside[:, None] & col_inside[None, :]))
        self._pad_rows = read_only(np.flatnonzero(self._padding_mask.any(axis=1)))
        # Padded cells some window reads (stride and trailing rows can leave cells unread).
        (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
        self._rows_read = cells_reached(np.arange(g.out_height), kh, sh, dh, g.padded_height)
        self._cols_read = cells_reached(np.arange(g.out_width), kw, sw, dw, g.padded_width)

        # Every window's taps in kernel order (c, i, j): the offsets added to (oy·sh, ox·sw).
        c, i, j = np.indices((g.in_per_group, kh, kw)).reshape(3, -1)
        self._tap_kernel_index = read_only(np.stack([c, i, j], axis=1))
        self._tap_dy, self._tap_dx = read_only(i * dh), read_only(j * dw)
        self.taps_per_window = g.in_per_group * kh * kw
        self._elements = g.batch * g.out_channels * g.out_height * g.out_width

        if self.has_backward:
            # The padded input gradient added up in the scatter frames' order, and the checkpoints
            # the scatter states start from: each image's group after every `every`-th filter.
            self._checkpoint_every = checkpoint_spacing(g, self.dtype.itemsize)
            grad_x_pad, checkpoints = scatter_with_checkpoints(self._grad_output, self._weight, g,
                                                               self._checkpoint_every)
            self._grad_x_pad, self._scatter_checkpoints = read_only(grad_x_pad), read_only(checkpoints)
            self._strip_rows = engine.strip_rows
            # Weight gradient of the strips before strip s of image n, of whole images, and of the
            # images before image n: prefix sums the weight-gradient states are read from.
            strips = engine.strip_grad_weight
            zeros_strip = np.zeros_like(strips[:, :1])
            self._gw_strip_prefix = read_only(np.concatenate([zeros_strip, strips.cumsum(axis=1)], axis=1))
            self._gw_image = read_only(self._gw_strip_prefix[:, -1])
            zeros_image = np.zeros((1,) + self._weight.shape, dtype=self._weight.dtype)
            self._gw_image_prefix = read_only(np.concatenate([zeros_image, self._gw_image.cumsum(axis=0)]))
            self._grad_bias = None if bias is None else read_only(self._grad_output.sum(axis=(0, 2, 3)))

        self._counts = self._phase_counts()
        self.phases = self._lay_out_phases()
        self._phase_by_name = {phase.name: phase for phase in self.phases}
        self._length = self.phases[-1].last + 1 if self.phases else 0  # an empty batch may have none
        self._builders = {"pad": self._pad_frame, "dilate": self._dilate_frame,
                          "slide": self._slide_frame, "scatter": self._scatter_frame,
                          "weight_grad": self._weight_grad_frame, "bias_grad": self._bias_grad_frame,
                          "fold": self._fold_frame}
        self._cache: _Progress | None = None
        self._cache_lock = threading.Lock()  # state() from several threads shares the cache

    # ------------------------------------------------------------------------------------------
    # Phases and indexing

    def phase_counts(self) -> dict[str, int]:
        """Frames per phase, in phase order, 0 for a phase that does not run."""
        return dict(self._counts)

    def _phase_counts(self) -> dict[str, int]:
        g = self.geometry
        padded, zeros = any(g.pads), g.padding_mode == "zeros"
        per_element = self.taps_per_window if self.granularity == "tap" else 1
        window_frames = self._elements * per_element
        backward = self.has_backward
        return {
            "pad": 0 if not padded else 1 if zeros else len(self._pad_rows),
            "dilate": g.kernel_size[0] * g.kernel_size[1] if g.dilation != (1, 1) else 0,
            "slide": window_frames,
            "scatter": window_frames if backward else 0,
            "weight_grad": window_frames if backward else 0,
            "bias_grad": g.out_channels if backward and self._bias is not None else 0,
            "fold": 0 if not (backward and padded) else 1 if zeros else len(self._pad_rows) + 1,
        }

    def _lay_out_phases(self) -> tuple[Phase, ...]:
        g, per_tap = self.geometry, self.granularity == "tap"
        window_unit = "one multiply-add" if per_tap else "one output element"
        units_and_texts = {
            "pad": ("the whole zero border" if g.padding_mode == "zeros" else "one padded row",
                    lambda: narration.pad(g)),
            "dilate": ("one kernel tap", lambda: narration.dilate(g)),
            "slide": (window_unit,
                      lambda: narration.slide(g, self.taps_per_window, self._bias is not None, per_tap)),
            "scatter": (window_unit, lambda: narration.scatter(g, self.taps_per_window)),
            "weight_grad": (window_unit, lambda: narration.weight_grad(g)),
            "bias_grad": ("one filter", lambda: narration.bias_grad(g)),
            "fold": ("one padded row, then the crop" if g.padding_mode != "zeros" else "the crop",
                     lambda: narration.fold(g)),
        }
        phases, first = [], 0
        for name, count in self._counts.items():
            if count:
                unit, text = units_and_texts[name]
                phases.append(Phase(name, first, first + count - 1, unit, text()))
                first += count
        return tuple(phases)

    def __len__(self) -> int:
        return self._length

    def _frame_index(self, index) -> int:
        if not is_int(index):
            raise TypeError(f"a frame index must be an int, got {type(index).__name__} {index!r} "
                            f"(iterate over the trace or over range(len(trace)) for several frames)")
        n = self._length
        if not n:
            raise IndexError(f"frame {index} is out of range: this trace has no frames (its batch is empty)")
        if not -n <= index < n:
            raise IndexError(f"frame {index} is out of range: this trace has {n} frames, so valid "
                             f"indices are 0..{n - 1} (or -{n}..-1 counting from the end)")
        return int(index) % n

    def phase_at(self, index) -> Phase:
        """The phase frame ``index`` belongs to."""
        i = self._frame_index(index)
        return next(phase for phase in self.phases if i <= phase.last)

    def phase(self, name: str) -> Phase:
        """The phase called ``name``; KeyError naming the phases this trace has if it does not run."""
        if name not in self._phase_by_name:
            raise KeyError(f"this trace has no {name!r} phase; its phases are {list(self._phase_by_name)}")
        return self._phase_by_name[name]

    @quiet_nonfinite
    def __getitem__(self, index):
        i = self._frame_index(index)
        phase = self.phase_at(i)
        return self._builders[phase.name](i, i - phase.first)

    def __iter__(self):
        return (self[i] for i in range(self._length))

    def __repr__(self) -> str:
        phases = ", ".join(f"{p.name} {p.count:,}" for p in self.phases)
        return (f"<Trace of conv2d input {self.input_shape} weight {self._weight.shape}, "
                f"{self._length:,} frames: {phases}>")

    # ------------------------------------------------------------------------------------------
    # Decoding an index: output element, tap

    def _element_and_tap(self, local: int) -> tuple[int, int | None]:
        """Index within a window phase -> (output element in C order, tap or None)."""
        if self.granularity == "tap":
            return divmod(local, self.taps_per_window)
        return local, None

    def _decode_element(self, element: int) -> tuple[int, int, int, int]:
        g = self.geometry
        plane = g.out_height * g.out_width
        n, rest = divmod(element, g.out_channels * plane)
        f, rest = divmod(rest, plane)
        oy, ox = divmod(rest, g.out_width)
        return n, f, oy, ox

    def _window_taps(self, n: int, f: int, oy: int, ox: int) -> Taps:
        g = self.geometry
        group = f // g.out_per_group
        ys = oy * g.stride[0] + self._tap_dy
        xs = ox * g.stride[1] + self._tap_dx
        channel = group * g.in_per_group + self._tap_kernel_index[:, 0]
        input_value = self._x_pad[n, channel, ys, xs]
        weight_value = self._weight[f].reshape(-1)  # C order (c, i, j), the taps' order
        return self._taps(self._tap_kernel_index, channel, ys, xs, input_value, weight_value)

    def _taps(self, kernel_index, channel, ys, xs, input_value, weight_value) -> Taps:
        source_row, source_col = self._row_source[ys], self._col_source[xs]
        zero = (source_row < 0) | (source_col < 0)
        source = np.stack([np.where(zero, NOT_A_PIXEL[0], source_row),
                           np.where(zero, NOT_A_PIXEL[1], source_col)], axis=1)
        is_padding = ~(self._row_inside[ys] & self._col_inside[xs])
        arrays = (kernel_index, channel, np.stack([ys, xs], axis=1), is_padding, source,
                  input_value, weight_value, input_value * weight_value)
        return Taps(*(read_only(np.array(a)) for a in arrays))

    @staticmethod
    def _one_tap(taps: Taps, t: int) -> Taps:
        return Taps(*(getattr(taps, field.name)[t : t + 1] for field in dataclasses.fields(Taps)))

    def _im2col_position(self, n, f, oy, ox, t) -> Im2colPosition:
        g = self.geometry
        group = f // g.out_per_group
        plane = g.out_height * g.out_width
        return Im2colPosition(group, f - group * g.out_per_group, n * plane + oy * g.out_width + ox, t,
                              (g.out_per_group, self.taps_per_window), (self.taps_per_window, g.batch * plane))

    # Indices into the state arrays, which have no batch axis for an unbatched input.
    def _output_index(self, n, f, oy, ox) -> tuple:
        index = (np.array([n]), np.array([f]), np.array([oy]), np.array([ox]))
        return index[1:] if self.unbatched else index

    def _grad_input_index(self, n, channel, ys, xs) -> tuple:
        if self.unbatched:
            return (np.asarray(channel), np.asarray(ys), np.asarray(xs))
        return (np.full(np.shape(channel), n), np.asarray(channel), np.asarray(ys), np.asarray(xs))

    def _user_layout(self, array):
        return array[0] if self.unbatched else array

    # ------------------------------------------------------------------------------------------
    # Frame builders: (absolute index, index within the phase) -> frame

    def _padding_cells(self, rows) -> tuple[np.ndarray, np.ndarray]:
        """Padded (y, x) of the padding cells in the given padded rows, row-major."""
        rows = np.asarray(rows)
        row_positions, xs = np.nonzero(self._padding_mask[rows])
        return rows[row_positions], xs

    def _pad_frame(self, index, local) -> PadFrame:
        g = self.geometry
        if g.padding_mode == "zeros":
            ys, xs = np.nonzero(self._padding_mask)
            row = None
            sources = np.full((len(ys), 2), -1)
            caption = (f"A border of {len(ys):,} zeros around each {narration.size(g.height, g.width)} "
                       f"input channel.")
        else:
            row = int(self._pad_rows[local])
            ys, xs = self._padding_cells([row])
            sources = np.stack([self._row_source[ys], self._col_source[xs]], axis=1)
            columns = self._col_source[xs]
            listed = ", ".join(str(c) for c in columns) if len(columns) <= 8 else (
                ", ".join(str(c) for c in columns[:3]) + ", …, " + ", ".join(str(c) for c in columns[-3:]))
            caption = (f"Padded row {row}: {len(xs)} border cell{'s' * (len(xs) != 1)} copy input row "
                       f"{self._row_source[row]}, columns {listed} ({g.padding_mode}).")
        values = self._user_layout(self._x_pad[:, :, ys, xs])
        return PadFrame(index, row, read_only(np.stack([ys, xs], axis=1)), read_only(sources),
                        read_only(np.array(values)), caption)

    def _dilate_frame(self, index, local) -> DilateFrame:
        g = self.geometry
        (kh, kw), (dh, dw) = g.kernel_size, g.dilation
        span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
        i, j = divmod(local, kw)
        here = i * dh * span_w + j * dw  # row-major position in the footprint
        if local + 1 < kh * kw:
            next_i, next_j = divmod(local + 1, kw)
            there = next_i * dh * span_w + next_j * dw
        else:
            there = here + 1
        holes = np.stack(np.divmod(np.arange(here + 1, there), span_w), axis=1).reshape(-1, 2)
        caption = (f"Tap ({i}, {j}) lands on cell ({i * dh}, {j * dw}) of the "
                   f"{narration.size(span_h, span_w)} dilated kernel; {len(holes)} hole"
                   f"{'s' * (len(holes) != 1)} follow{'s' * (len(holes) == 1)} it.")
        return DilateFrame(index, (i, j), (i * dh, j * dw), (span_h, span_w), read_only(holes),
                           read_only(np.array(self._weight[:, :, i, j])), caption)

    def _window_frame_parts(self, local):
        element, t = self._element_and_tap(local)
        n, f, oy, ox = self._decode_element(element)
        g = self.geometry
        group = f // g.out_per_group
        full = self._window_taps(n, f, oy, ox)
        taps = full if t is None else self._one_tap(full, t)
        common = dict(element=(n, f, oy, ox), group=group,
                      channels=range(group * g.in_per_group, (group + 1) * g.in_per_group),
                      taps=taps, tap_number=t, im2col=self._im2col_position(n, f, oy, ox, t))
        return (n, f, oy, ox), t, full, taps, common

    def _slide_frame(self, index, local) -> SlideFrame:
        (n, f, oy, ox), t, full, taps, common = self._window_frame_parts(local)
        g = self.geometry
        done = self.taps_per_window if t is None else t + 1
        products_so_far = full.product.copy()
        products_so_far[done:] = 0
        channel_sums = products_so_far.reshape(g.in_per_group, -1).sum(axis=1)
        complete = done == self.taps_per_window
        bias = None if self._bias is None else float(self._bias[f])
        # The finished value is the engine's; a running sum is the products so far.
        value = float(self._output[n, f, oy, ox]) if complete else float(products_so_far.sum())
        if t is None:
            amount = self._output[n, f, oy, ox]
            sums = (f"per channel {' + '.join(_number(s) for s in channel_sums)}" if len(channel_sums) <= 4
                    else f"summed over {len(channel_sums)} channels {_number(channel_sums.sum())}")
            caption = (f"Output (n={n}, f={f}, y={oy}, x={ox}) = {self.taps_per_window} products, {sums}"
                       f"{'' if bias is None else f', plus bias {_number(bias)}'} = {_number(value)}.")
        else:
            amount = taps.product[0] + (self._bias[f] if complete and bias is not None else 0)
            (c, i, j), (y, x) = taps.kernel_index[0], taps.padded[0]
            caption = (f"Output ({n}, {f}, {oy}, {ox}), tap (c={c}, i={i}, j={j}): input "
                       f"{_number(taps.input_value[0])} at padded ({y}, {x}) × weight "
                       f"{_number(taps.weight_value[0])} = {_number(taps.product[0])}; "
                       f"{'with the bias, ' if complete and bias is not None else ''}"
                       f"{'the output is' if complete else 'running sum'} {_number(value)}.")
        adds = (Addition("output", self._output_index(n, f, oy, ox),
                         read_only(np.array([amount], dtype=self.dtype))),)
        return SlideFrame(index=index, adds=adds, caption=caption, channel_sums=read_only(channel_sums),
                          bias=bias, value=value, complete=complete, **common)

    def _scatter_frame(self, index, local) -> ScatterFrame:
        (n, f, oy, ox), t, full, taps, common = self._window_frame_parts(local)
        grad = self._grad_output[n, f, oy, ox]
        sent = read_only(grad * taps.weight_value)
        adds = (Addition("grad_input", self._grad_input_index(n, taps.channel, taps.padded[:, 0],
                                                              taps.padded[:, 1]), sent),)
        if t is None:
            caption = (f"Output ({n}, {f}, {oy}, {ox}) has gradient {_number(grad)}: each of its "
                       f"{len(taps)} taps adds {_number(grad)} × w[{f}, c, i, j] onto the padded input "
                       f"cell it read.")
        else:
            (c, i, j), (y, x) = taps.kernel_index[0], taps.padded[0]
            caption = (f"Output ({n}, {f}, {oy}, {ox}), tap (c={c}, i={i}, j={j}): grad "
                       f"{_number(grad)} × weight {_number(taps.weight_value[0])} = {_number(sent[0])} "
                       f"added at padded ({y}, {x}) of channel {taps.channel[0]}.")
        return ScatterFrame(index=index, adds=adds, caption=caption, grad_output=float(grad), **common)

    def _weight_grad_frame(self, index, local) -> WeightGradFrame:
        (n, f, oy, ox), t, full, taps, common = self._window_frame_parts(local)
        grad = self._grad_output[n, f, oy, ox]
        added = read_only(grad * taps.input_value)
        kernel = taps.kernel_index
        adds = (Addition("grad_weight", (np.full(len(taps), f), kernel[:, 0], kernel[:, 1], kernel[:, 2]),
                         added),)
        if t is None:
            caption = (f"Output ({n}, {f}, {oy}, {ox}) has gradient {_number(grad)}: the window it read, "
                       f"times {_number(grad)}, is added onto filter {f}'s weight gradient.")
        else:
            c, i, j = kernel[0]
            caption = (f"Output ({n}, {f}, {oy}, {ox}), tap (c={c}, i={i}, j={j}): grad "
                       f"{_number(grad)} × input {_number(taps.input_value[0])} = {_number(added[0])} "
                       f"added onto w[{f}, {c}, {i}, {j}]'s gradient.")
        return WeightGradFrame(index=index, adds=adds, caption=caption, grad_output=float(grad), **common)

    def _bias_grad_frame(self, index, local) -> BiasGradFrame:
        g = self.geometry
        f = local
        terms = g.batch * g.out_height * g.out_width
        value = self._grad_bias[f]
        adds = (Addition("grad_bias", (np.array([f]),), read_only(np.array([value]))),)
        caption = (f"Filter {f}'s bias was added to all {terms:,} of its outputs, so its gradient is "
                   f"the sum of their gradients: {_number(value)}.")
        return BiasGradFrame(index, f, terms, float(value), adds, caption)

    def _fold_frame(self, index, local):
        g = self.geometry
        top, _, left, _ = g.pads
        if local == self._counts["fold"] - 1:  # the crop, always last
            border = self._grad_x_pad[:, :, self._padding_mask]
            dropped = float(border.sum()) if g.padding_mode == "zeros" else 0.0
            if g.padding_mode == "zeros":
                caption = (f"Crop to {narration.size(g.height, g.width)}: the gradient on the "
                           f"{border.shape[-1]:,} zero cells (total {_number(dropped)}) is dropped.")
            else:
                caption = (f"Crop the emptied border: grad_input is {narration.size(g.height, g.width)}, "
                           f"the input's size.")
            return CropFrame(index, range(top, top + g.height), range(left, left + g.width), dropped, caption)
        row = int(self._pad_rows[local])
        ys, xs = self._padding_cells([row])
        sources = np.stack([self._row_source[ys], self._col_source[xs]], axis=1)
        targets = sources + np.array([top, left])
        handed = self._grad_x_pad[:, :, ys, xs]  # (N, C, k): untouched since the scatter
        n_idx, c_idx, k_idx = np.indices(handed.shape).reshape(3, -1)
        amount = handed.reshape(-1)
        batch_axis = () if self.unbatched else (n_idx,)
        adds = (Addition("grad_input", batch_axis + (c_idx, ys[k_idx], xs[k_idx]), read_only(-amount)),
                Addition("grad_input", batch_axis + (c_idx, targets[k_idx, 0], targets[k_idx, 1]),
                         read_only(amount.copy())))
        caption = (f"Padded row {row}: {len(xs)} border cell{'s' * (len(xs) != 1)} hand their gradient "
                   f"to the pixels they copied (input row {self._row_source[row]}).")
        return FoldFrame(index, row, read_only(np.stack([ys, xs], axis=1)), read_only(sources),
                         read_only(targets), read_only(np.array(self._user_layout(handed))), adds, caption)

    # ------------------------------------------------------------------------------------------
    # States

    @quiet_nonfinite
    def state(self, index) -> TraceState:
        """The arrays after frame ``index`` (see ``TraceState`` for layout and "not computed yet").

        Computed from vectorised partial sums; right after ``state(i)``, ``state(j)`` for
        ``i < j <= i + REPLAY_LIMIT`` applies only frames i+1..j to the cached arrays.

        Safe to call from several threads: the cache is only read, played forward and replaced
        under the trace's lock (a state computed from scratch is computed outside it, from arrays
        nothing changes).
        """
        wanted = self._frame_index(index) + 1  # frames applied
        with self._cache_lock:
            progress = self._cache
            if progress is not None and 0 <= wanted - progress.applied <= REPLAY_LIMIT:
                for k in range(progress.applied, wanted):
                    self._apply(progress, self[k])
                progress.applied = wanted
                return self._hand_out(progress)
        progress = self._state_from_scratch(wanted)
        with self._cache_lock:
            self._cache = progress
            return self._hand_out(progress)

    def _hand_out(self, progress: _Progress) -> TraceState:
        """A read-only state showing ``progress``'s arrays; they are copied before their next
        change (``_Progress.own``). Called with the cache lock held."""
        progress.shared = set(progress.arrays)
        shown = lambda arrays: MappingProxyType({k: read_only(v.view()) for k, v in arrays.items()})  # noqa: E731
        return TraceState(progress.applied - 1, self.phase_at(progress.applied - 1).name,
                          shown(progress.arrays), shown(progress.written))

    def _apply(self, progress: _Progress, frame) -> None:
        if isinstance(frame, CropFrame):
            for store in (progress.arrays, progress.written):
                store["grad_input"] = self._crop(store["grad_input"])  # a new array
            progress.shared.discard("grad_input")
        for addition in frame.adds:
            progress.own(addition.array)
            np.add.at(progress.arrays[addition.array], addition.index, addition.amount)
            progress.written[addition.array][addition.index] = True
        if isinstance(frame, FoldFrame):  # the cells handed their gradient on: exactly 0 (even inf)
            progress.arrays["grad_input"][frame.adds[0].index] = 0

    def _crop(self, padded: np.ndarray) -> np.ndarray:
        g = self.geometry
        top, _, left, _ = g.pads
        return padded[..., top : top + g.height, left : left + g.width].copy()

    def _done_in(self, name: str, applied: int) -> int:
        """How many frames of phase ``name`` the first ``applied`` frames include."""
        phase = self._phase_by_name.get(name)
        return 0 if phase is None else min(max(applied - phase.first, 0), phase.count)

    def _state_from_scratch(self, applied: int) -> _Progress:
        arrays, written = {}, {}
        arrays["output"], written["output"] = self._output_after(self._done_in("slide", applied))
        if self.has_backward:
            scatter_done = self._done_in("scatter", applied)
            if scatter_done < self._counts["scatter"]:
                grad_input = self._grad_input_during_scatter(scatter_done)
            else:
                grad_input = self._grad_input_during_fold(self._done_in("fold", applied))
            arrays["grad_input"], written["grad_input"] = grad_input
            arrays["grad_weight"], written["grad_weight"] = self._grad_weight_after(
                self._done_in("weight_grad", applied))
            if self._bias is not None:
                done = self._done_in("bias_grad", applied)
                grad_bias, bias_written = np.zeros_like(self._grad_bias), np.zeros(self._grad_bias.shape, bool)
                grad_bias[:done], bias_written[:done] = self._grad_bias[:done], True
                arrays["grad_bias"], written["grad_bias"] = grad_bias, bias_written
        for name in ("output", "grad_input"):
            if name in arrays:
                arrays[name], written[name] = self._user_layout(arrays[name]), self._user_layout(written[name])
        return _Progress(applied, arrays, written)

    def _split_progress(self, done: int) -> tuple[int, int]:
        """Frames done in a window phase -> (whole elements done, taps done of the next one)."""
        if self.granularity == "tap":
            return divmod(done, self.taps_per_window)
        return done, 0

    def _output_after(self, done: int):
        elements, taps_done = self._split_progress(done)
        output = np.zeros_like(self._output)
        written = np.zeros(output.shape, dtype=bool)
        output.reshape(-1)[:elements] = self._output.reshape(-1)[:elements]
        written.reshape(-1)[:elements] = True
        if taps_done:
            n, f, oy, ox = self._decode_element(elements)
            output[n, f, oy, ox] = self._window_taps(n, f, oy, ox).product[:taps_done].sum()
            written[n, f, oy, ox] = True
        return output, written

    def _reach(self) -> np.ndarray:
        """(Hp, Wp): the padded cells that some window reads, hence gets gradient from."""
        return np.outer(self._rows_read, self._cols_read)

    def _plane_coverage(self, oy0: int, ox0: int) -> np.ndarray:
        """(Hp, Wp): cells read by the first oy0 whole output rows and the first ox0 elements of row oy0."""
        g = self.geometry
        (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
        rows_done = cells_reached(np.arange(oy0), kh, sh, dh, g.padded_height)
        covered = np.outer(rows_done, self._cols_read)
        if ox0:
            row_now = cells_reached(np.array([oy0]), kh, sh, dh, g.padded_height)
            covered |= np.outer(row_now, cells_reached(np.arange(ox0), kw, sw, dw, g.padded_width))
        return covered

    def _grad_input_during_scatter(self, done: int):
        """The padded gradient after ``done`` scatter frames: whole images and groups copied from
        the final result, the group in progress added up from its last checkpoint in the frames'
        order (``scatter_in_frame_order``), so that it is exactly the frames replayed."""
        g = self.geometry
        grad = np.zeros_like(self._grad_x_pad)
        written = np.zeros(grad.shape, dtype=bool)
        elements, taps_done = self._split_progress(done)
        if elements == self._elements:
            return self._grad_x_pad.copy(), np.broadcast_to(self._reach(), grad.shape).copy()
        n0, f0, oy0, ox0 = self._decode_element(elements)
        group = f0 // g.out_per_group
        channels = slice(group * g.in_per_group, (group + 1) * g.in_per_group)
        grad[:n0] = self._grad_x_pad[:n0]
        grad[n0, : channels.start] = self._grad_x_pad[n0, : channels.start]
        written[:n0] = written[n0, : channels.start] = self._reach()
        # The group in progress: its checkpoint before f0, then the filters from there to f0,
        # and filter f0's elements before (oy0, ox0).
        first = group * g.out_per_group
        checkpoint = (f0 - first) // self._checkpoint_every
        if checkpoint:
            grad[n0, channels] = self._scatter_checkpoints[n0, group, checkpoint - 1]
        filters = slice(first + checkpoint * self._checkpoint_every, f0 + 1)
        scatter_in_frame_order(grad[n0, channels], self._grad_output[n0, filters], self._weight[filters], g,
                               stop=(oy0, ox0))
        if f0 > group * g.out_per_group:  # a whole plane is done: every cell a window reads
            written[n0, channels] = self._reach()
        else:
            written[n0, channels] = self._plane_coverage(oy0, ox0)
        if taps_done:
            taps = self._window_taps(n0, f0, oy0, ox0)
            cells = (taps.channel[:taps_done], taps.padded[:taps_done, 0], taps.padded[:taps_done, 1])
            grad[n0][cells] += self._grad_output[n0, f0, oy0, ox0] * taps.weight_value[:taps_done]
            written[n0][cells] = True
        return grad, written

    def _grad_input_during_fold(self, done: int):
        """The padded gradient after the scatter and ``done`` fold frames (cropped after the last)."""
        grad = self._grad_x_pad.copy()
        written = np.broadcast_to(self._reach(), grad.shape).copy()
        if self.geometry.padding_mode != "zeros":
            rows_done = min(done, len(self._pad_rows))
            if rows_done:
                ys, xs = self._padding_cells(self._pad_rows[:rows_done])
                top, _, left, _ = self.geometry.pads
                target_ys, target_xs = self._row_source[ys] + top, self._col_source[xs] + left
                handed = grad[:, :, ys, xs]
                grad[:, :, ys, xs] = 0
                np.add.at(grad, (slice(None), slice(None), target_ys, target_xs), handed)
                written[:, :, ys, xs] = written[:, :, target_ys, target_xs] = True
        if done and done == self._counts["fold"]:
            grad, written = self._crop(grad), self._crop(written)
        return grad, written

    def _grad_weight_after(self, done: int):
        """The weight gradient after ``done`` weight_grad frames.

        After whole elements, see ``_grad_weight_after_elements``. Within element E (a frame per
        tap), the taps done hold their value after element E and the others their value before
        it: each cell then changes only on the frame that adds to it, and a state computed from
        scratch agrees with its neighbours on every other cell, exactly."""
        elements, taps_done = self._split_progress(done)
        grad, written = self._grad_weight_after_elements(elements)
        if taps_done:
            f0 = self._decode_element(elements)[1]
            after_element, _ = self._grad_weight_after_elements(elements + 1)
            kernel = self._tap_kernel_index[:taps_done]
            cells = (np.full(taps_done, f0), kernel[:, 0], kernel[:, 1], kernel[:, 2])
            grad[cells] = after_element[cells]
            written[cells] = True
        return grad, written

    def _grad_weight_after_elements(self, elements: int):
        """The weight gradient after the first ``elements`` output elements: images and strips from
        prefix sums of the engine's per-strip results, the rows in progress summed on demand.

        A filter other than the current one, f0, holds the same sum of the same prefix sums
        whichever element is current (its value after image n is the prefix sum of images up to
        n, which ``cumsum`` adds one image at a time): it changes only while it is f0."""
        g = self.geometry
        if elements == self._elements:
            # (an empty batch has no weight_grad frames, so nothing is written)
            return self._gw_image_prefix[-1].copy(), np.full(self._weight.shape, self._elements > 0)
        n0, f0, oy0, ox0 = self._decode_element(elements)
        if n0:
            grad = self._gw_image_prefix[n0].copy()  # every filter, images before n0
            grad[:f0] += self._gw_image[n0, :f0]  # whole planes of image n0
        else:  # the first image: its planes as they are (0 + x would turn a -0.0 into 0.0)
            grad = np.zeros_like(self._gw_image_prefix[0])
            grad[:f0] = self._gw_image[0, :f0]
        written = np.zeros(grad.shape, dtype=bool)
        written[: g.out_channels if n0 else f0] = True
        if oy0 or ox0:  # plane (n0, f0): whole strips, whole rows of this strip, part of row oy0
            strip = oy0 // self._strip_rows
            first_row = strip * self._strip_rows
            grad[f0] += self._gw_strip_prefix[n0, strip, f0]
            group = f0 // g.out_per_group
            channels = self._x_pad[n0, group * g.in_per_group : (group + 1) * g.in_per_group]
            plane = self._grad_output[n0, f0]
            grad[f0] += weight_grad_of_block(channels, plane[first_row:oy0], first_row, g)
            grad[f0] += weight_grad_of_block(channels, plane[oy0 : oy0 + 1, :ox0], oy0, g)
            written[f0] = True
        return grad, written

    # ------------------------------------------------------------------------------------------
    # Hover questions and the im2col picture

    def _check_element(self, n, f, oy, ox) -> tuple[int, int, int, int]:
        g = self.geometry
        return (_check_coordinate("n", n, g.batch, "the batch size"),
                _check_coordinate("f", f, g.out_channels, "the number of filters"),
                _check_coordinate("oy", oy, g.out_height, "the output height"),
                _check_coordinate("ox", ox, g.out_width, "the output width"))

    @quiet_nonfinite
    def receptive_field(self, n: int, f: int, oy: int, ox: int) -> Taps:
        """Every tap output element (n, f, oy, ox) reads: its window, in kernel order."""
        return self._window_taps(*self._check_element(n, f, oy, ox))

    @quiet_nonfinite
    def pixel_readers(self, n: int, c: int, y: int, x: int) -> PixelReaders:
        """Which output elements, through which taps, read input pixel (n, c, y, x) (input
        coordinates), directly or through padding cells copied from it. With a backward pass the
        contributions sum to grad_input[n, c, y, x]."""
        g = self.geometry
        n = _check_coordinate("n", n, g.batch, "the batch size")
        c = _check_coordinate("c", c, g.in_channels, "the number of input channels")
        y = _check_coordinate("y", y, g.height, "the input height")
        x = _check_coordinate("x", x, g.width, "the input width")
        (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation

        def along(cells, kernel, stride, dilation, out_size):
            """(padded cell, output position, kernel position) triples reading those cells."""
            cell, k = np.meshgrid(cells, np.arange(kernel), indexing="ij")
            start = cell - k * dilation
            ok = (start >= 0) & (start % stride == 0) & (start // stride < out_size)
            return cell[ok], start[ok] // stride, k[ok]

        py, oy, i = along(np.flatnonzero(self._row_source == y), kh, sh, dh, g.out_height)
        px, ox, j = along(np.flatnonzero(self._col_source == x), kw, sw, dw, g.out_width)
        group = c // g.in_per_group
        filters = np.arange(group * g.out_per_group, (group + 1) * g.out_per_group)
        # every filter of the group × every row triple × every column triple
        f_, r_, c_ = (a.ravel() for a in np.meshgrid(filters, np.arange(len(py)), np.arange(len(px)),
                                                      indexing="ij"))
        channel_in_group = c - group * g.in_per_group
        element = np.stack([np.full(len(f_), n), f_, oy[r_], ox[c_]], axis=1)
        kernel_index = np.stack([np.full(len(f_), channel_in_group), i[r_], j[c_]], axis=1)
        order = np.lexsort((kernel_index[:, 2], kernel_index[:, 1], element[:, 3], element[:, 2], element[:, 1]))
        element, kernel_index = element[order], kernel_index[order]
        padded = np.stack([py[r_], px[c_]], axis=1)[order]
        weight_value = self._weight[element[:, 1], channel_in_group, kernel_index[:, 1], kernel_index[:, 2]]
        grad_output = contribution = None
        if self.has_backward:
            grad_output = read_only(self._grad_output[n, element[:, 1], element[:, 2], element[:, 3]])
            contribution = read_only(grad_output * weight_value)
        return PixelReaders((n, c, y, x), read_only(element), read_only(kernel_index), read_only(padded),
                            read_only(weight_value), grad_output, contribution)

    @quiet_nonfinite
    def weight_tap_reads(self, f: int, c: int, i: int, j: int) -> WeightTapReads:
        """Every input cell weight w[f, c, i, j] multiplies (one per output element of filter f, in
        C order). With a backward pass the contributions sum to grad_weight[f, c, i, j]."""
        g = self.geometry
        f = _check_coordinate("f", f, g.out_channels, "the number of filters")
        c = _check_coordinate("c", c, g.in_per_group, "the number of input channels per group")
        i = _check_coordinate("i", i, g.kernel_size[0], "the kernel height")
        j = _check_coordinate("j", j, g.kernel_size[1], "the kernel width")
        (sh, sw), (dh, dw) = g.stride, g.dilation
        n, oy, ox = (a.ravel() for a in np.indices((g.batch, g.out_height, g.out_width)))
        ys, xs = oy * sh + i * dh, ox * sw + j * dw
        channel = (f // g.out_per_group) * g.in_per_group + c
        taps = self._taps(np.tile([c, i, j], (len(n), 1)), np.full(len(n), channel), ys, xs,
                          self._x_pad[n, channel, ys, xs], np.full(len(n), self._weight[f, c, i, j]))
        element = read_only(np.stack([n, np.full(len(n), f), oy, ox], axis=1))
        grad_output = contribution = None
        if self.has_backward:
            grad_output = read_only(self._grad_output[:, f].reshape(-1).copy())
            contribution = read_only(grad_output * taps.input_value)
        return WeightTapReads((f, c, i, j), channel, element, taps.padded, taps.is_padding, taps.source,
                              taps.input_value, grad_output, contribution)

    def im2col_position(self, index) -> Im2colPosition | None:
        """The im2col picture of frame ``index`` (None for frames outside the window phases)."""
        return getattr(self[index], "im2col", None)

    def im2col_matrices(self, group: int) -> tuple[np.ndarray, np.ndarray]:
        """(weight matrix (F/G, C/G·KH·KW), column matrix (C/G·KH·KW, N·OH·OW)) of ``group``, built
        by the engine's im2col. The column matrix is about KH·KW times the input: meant for the small
        examples a lecturer shows, not for a 512×512 image."""
        g = self.geometry
        group = _check_coordinate("group", group, g.groups, "the number of groups")
        filters = slice(group * g.out_per_group, (group + 1) * g.out_per_group)
        return (read_only(self._weight[filters].reshape(g.out_per_group, -1).copy()),
                read_only(np.ascontiguousarray(im2col(self._x_pad, g)[group])))

    # ------------------------------------------------------------------------------------------
    # The two roads to the input gradient

    @quiet_nonfinite
    def input_gradient_roads(self, algorithm: str = "strided") -> InputGradientRoads:
        """The padded input gradient by the scatter-add the frames narrate and by the engine's
        transposed convolution, and whether they agree to rounding.

        The transposed road is ``conv2d(spread_grad_output, transposed_kernel,
        dilation=geometry.dilation, groups=geometry.groups)``, stride 1 and no padding: the
        engine's ``transposed_conv_input_grad``, built from the same ``spread_output_grad`` and
        ``transposed_kernel`` the record holds, its forward pass computed by ``algorithm``.

        They agree for finite weights. An inf weight is where the roads part: the transposed
        convolution multiplies every weight by the zeros it inserts, 0·inf = NaN, while the scatter
        only multiplies real gradients, so ``agree`` is False (the engine takes the scatter road
        then). Meant for the sizes a lecturer shows: on a 1×3×512×512 input with a dilated 7×7
        kernel the default "strided" road takes seconds and hundreds of MB ("im2col" is faster).
        """
        if not self.has_backward:
            raise ValueError("input_gradient_roads needs a backward pass: build the trace with grad_output")
        g = self.geometry
        scatter = self._grad_x_pad  # what the scatter frames add up to, in their order
        transposed = transposed_conv_input_grad(self._grad_output, self._weight, g, algorithm=algorithm)
        # Both roads add the same terms (at most F/G·KH·KW per cell) in different orders; the
        # rounding of such sums stays below terms · eps · (sum of |terms|).
        kh, kw = g.kernel_size
        terms = g.out_per_group * kh * kw
        largest = float(np.abs(self._grad_output).max(initial=0) * np.abs(self._weight).max(initial=0))
        tolerance = 2 * terms * terms * np.finfo(self.dtype).eps * largest
        difference = float(np.abs(scatter - transposed).max(initial=0))
        return InputGradientRoads(scatter, read_only(transposed),
                                  read_only(spread_output_grad(self._grad_output, g)),
                                  read_only(transposed_kernel(self._weight, g)),
                                  difference, tolerance, difference <= tolerance)
