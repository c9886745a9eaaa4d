"""The picture of one frame: input, kernel, output (and in backward mode their gradients) and the
math, in one pyqtgraph scene. The window shows it; ``render_image`` draws it into an image for
``--screenshot``, the exporter and the tests. There is no second drawing of it anywhere.

``show_built`` lays the panels out for a new trace and draws what does not change from frame to
frame (the padded input, the weights, grad_output); ``show_frame`` draws frame i from
``trace.state(i)`` and ``trace[i]``: only arrays and outlines move.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from convviz.nn.functional import pad_source_index

from . import palette
from .math_text import floor_dropped, frame_math, size_formula
from .planes import PlaneGrid, format_number
from .scene_base import (SceneBase, border_tint, escape_html, settle_layout, shape_text as _shape, square_columns, tr,
                         written_or_nan)

__all__ = ["ConvScene", "PHASE_TITLES", "settle_layout", "escape_html", "square_columns"]

PHASE_TITLES = {"pad": "pad", "dilate": "dilate the kernel", "slide": "forward: slide",
                "scatter": "backward: scatter ∂L/∂y into ∂L/∂x", "weight_grad": "backward: ∂L/∂w",
                "bias_grad": "backward: ∂L/∂b", "fold": "backward: fold the padding back"}


class ConvScene(SceneBase):
    """The scene of a convolution (and of a transposed convolution's direct road)."""

    PHASE_TITLES = PHASE_TITLES

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = self.ci
        for row, names in ((1, ("input", "kernel", "output")), (3, ("grad_input", "grad_weight", "grad_output"))):
            for col, name in enumerate(names):
                self._add_grid(name, row, col)
        # Colour bars for the signed arrays: the values behind each colour, fixed for the trace.
        self.colour_bars = {}
        for row, name in ((2, "output"), (4, "grad_output")):
            bar = pg.ColorBarItem(values=(-1, 1), colorMap=palette.DIVERGING, interactive=False, width=14,
                                  colorMapMenu=False, pen=palette.TEXT)
            layout.addItem(bar, row=row, col=3)
            self.colour_bars[name] = bar
        # The dilated kernel sits under the kernel, in the kernel's view (placed in show_built).
        self.dilated = PlaneGrid(self.grids["kernel"].view, None)
        self.dilated_label = pg.TextItem(anchor=(0, 1), color=palette.MUTED)
        self.grids["kernel"].view.addItem(self.dilated_label)
        self._add_math(5)
        for col, stretch in enumerate((4, 2, 4)):  # the kernel is small; input and output share the rest
            layout.layout.setColumnStretchFactor(col, stretch)
        self._drawn_progress: dict = {}
        self._direct = False  # showing a transposed convolution's direct road

    # ------------------------------------------------------------------------------------------
    # A new trace

    def _set_bar(self, name: str, level: float) -> None:
        """Colour bar ``name`` from -level to level; left alone when it already is (pyqtgraph lays
        out and draws its axis again on every setLevels)."""
        bar = self.colour_bars[name]
        if tuple(bar.levels()) != (-level, level):
            bar.setLevels(values=(-level, level))

    def show_built(self, built) -> None:
        self.built = built
        trace, levels = built.trace, built.levels
        g = trace.geometry
        self._padded = trace.padded_input  # (C, Hp, Wp): the trace's own, the cells its taps read
        top, bottom, left, right = g.pads
        # The input row / column each padded row / column holds (or copies); -1 for zeros.
        self._row_source = pad_source_index(g.height, top, bottom, g.padding_mode)
        self._col_source = pad_source_index(g.width, left, right, g.padding_mode)
        self._weight = trace.weight
        kh, kw = g.kernel_size
        per_group = g.in_per_group
        backward = trace.has_backward
        self._set_visible(("grad_input", "grad_weight", "grad_output"), backward)

        grid = self.grids["input"]
        grid.set_layout(g.in_channels, g.padded_height, g.padded_width, columns=square_columns(g.in_channels))
        if self._padded.min(initial=0.0) < 0:  # activations from a network can be negative
            grid.set_planes(self._padded, palette.DIVERGING_LUT, (-levels["input"], levels["input"]))
        else:
            grid.set_planes(self._padded, palette.GRAY_LUT, (0.0, max(1.0, levels["input"])))
        self._mark_dropped(g)
        tint = border_tint(g.padded_height, g.padded_width, top, left, g.height, g.width)
        for c in range(g.in_channels):
            grid.set_overlay(c, tint)
        # The transposed convolution's direct road: its input is the zero-inserted z, not x.
        self._direct = built.spec.operation == "conv_transpose" and not built.label
        if self._direct:
            grid.title.setText(tr("zero-inserted input z %1 (C×Hz×Wz)").replace(
                "%1", _shape(g.in_channels, g.height, g.width)))
        else:
            grid.title.setText(tr("input x̃ padded %1 (C×H×W), %2 padding shaded")
                           .replace("%1", _shape(g.in_channels, g.padded_height, g.padded_width))
                           .replace("%2", g.padding_mode) if any(g.pads) else
                           tr("input x %1 (C×H×W)").replace("%1", _shape(g.in_channels, g.height, g.width)))

        grid = self.grids["kernel"]
        grid.set_layout(g.out_channels * per_group, kh, kw, columns=per_group)
        w_level = levels["weight"]
        grid.set_planes(self._weight.reshape(-1, kh, kw), palette.DIVERGING_LUT, (-w_level, w_level))
        grid.title.setText((tr("kernel turned 180° %1 (F×C/G×KH×KW)") if self._direct else tr("kernel w %1 (F×C/G×KH×KW)"))
                           .replace("%1", _shape(g.out_channels, per_group, kh, kw)))
        bounds = grid.bounds()
        if g.dilation != (1, 1):
            span = (g.dilation[0] * (kh - 1) + 1, g.dilation[1] * (kw - 1) + 1)
            self.dilated.offset = (0, bounds.bottom() + 2.5)
            self.dilated.set_layout(per_group, *span)
            self.dilated_label.setText(tr("dilated %1").replace("%1", _shape(*span)))
            self.dilated_label.setPos(0, self.dilated.offset[1] - 0.2)
            self.dilated_label.show()
            grid.view.setRange(bounds.united(self.dilated.bounds()), padding=0.02)
        else:
            self.dilated.clear()
            self.dilated_label.hide()
            grid.view.setRange(bounds, padding=0.02)  # the kernels alone (the dilated ones are gone)

        out_columns = square_columns(g.out_channels)
        self.grids["output"].set_layout(g.out_channels, g.out_height, g.out_width, columns=out_columns)
        self.grids["output"].title.setText((tr("output y of the transposed convolution %1 (F×OH×OW)") if self._direct
                                            else tr("output y %1 (F×OH×OW)"))
                                           .replace("%1", _shape(g.out_channels, g.out_height, g.out_width)))
        self._set_bar("output", levels["output"])
        self.colour_bars["grad_output"].setVisible(backward)
        if backward:
            self._set_bar("grad_output", levels["grad_output"])
            grid = self.grids["grad_input"]
            grid.set_layout(g.in_channels, g.padded_height, g.padded_width, columns=square_columns(g.in_channels))
            for c in range(g.in_channels):
                grid.set_overlay(c, tint)
            grid = self.grids["grad_weight"]
            grid.set_layout(g.out_channels * per_group, kh, kw, columns=per_group)
            grid.title.setText(tr("∂L/∂w %1").replace("%1", _shape(g.out_channels, per_group, kh, kw)))
            grid = self.grids["grad_output"]
            grid.set_layout(g.out_channels, g.out_height, g.out_width, columns=out_columns)
            level = levels["grad_output"]
            grid.set_planes(trace.grad_output, palette.DIVERGING_LUT, (-level, level))
            grid.title.setText(tr("∂L/∂y given %1").replace("%1", _shape(g.out_channels, g.out_height,
                                                                              g.out_width)))
        self.frame_index = None
        self._drawn_progress = {}  # a new trace: every array is drawn afresh

    def _mark_dropped(self, g) -> None:
        """Outline the padded rows and columns no window reaches (what the floor drops)."""
        cells = []
        for axis, (size, before, after, k, d, s) in enumerate((
                (g.height, g.pads[0], g.pads[1], g.kernel_size[0], g.dilation[0], g.stride[0]),
                (g.width, g.pads[2], g.pads[3], g.kernel_size[1], g.dilation[1], g.stride[1]))):
            padded = size + before + after
            for line in range(padded - floor_dropped(size, before, after, k, d, s), padded):
                other = g.padded_width if axis == 0 else g.padded_height
                cells += [(c, line, o) if axis == 0 else (c, o, line) for c in range(g.in_channels) for o in range(other)]
        self.grids["input"].outline("dropped", cells[:20000], palette.STALE, width=1.5, z=8)

    # ------------------------------------------------------------------------------------------
    # One frame

    def show_frame(self, index: int) -> None:
        if self.built is None:
            return
        trace, levels = self.built.trace, self.built.levels
        g = trace.geometry
        self.frame_index = index
        state, frame = trace.state(index), trace[index]
        phase = trace.phase_at(index)

        # An array is redrawn only when the frames that write it have moved since the last draw:
        # while the scatter plays, the finished output need not be compared or re-coloured.
        progress = self._progress_of(trace, index)
        changed = {name for name, done in progress.items() if self._drawn_progress.get(name) != done}
        self._drawn_progress = progress
        level = levels["output"]
        if "output" in changed:
            self.grids["output"].set_planes(written_or_nan(state, "output"), palette.DIVERGING_LUT, (-level, level))
        if trace.has_backward and "grad_input" in changed:
            gi = written_or_nan(state, "grad_input")
            if gi.shape[-2:] != (g.padded_height, g.padded_width):  # cropped: back in its padded place
                top, _, left, _ = g.pads
                full = np.full((g.in_channels, g.padded_height, g.padded_width), np.nan, dtype=np.float32)
                full[:, top : top + g.height, left : left + g.width] = gi
                gi = full
            level = levels["grad_input"]
            self.grids["grad_input"].set_planes(gi, palette.DIVERGING_LUT, (-level, level))
            self.grids["grad_input"].title.setText(
                tr("∂L/∂x̃ padded %1").replace("%1", _shape(*gi.shape)) if state["grad_input"].shape[-1]
                != g.width or not any(g.pads) else tr("∂L/∂x cropped %1").replace(
                    "%1", _shape(g.in_channels, g.height, g.width)))
        if trace.has_backward and "grad_weight" in changed:
            level = levels["grad_weight"]
            kh, kw = g.kernel_size
            self.grids["grad_weight"].set_planes(written_or_nan(state, "grad_weight").reshape(-1, kh, kw),
                                                 palette.DIVERGING_LUT, (-level, level))
        self._draw_dilated(frame, phase)
        self._draw_marks(frame)
        self._draw_header(index, phase)
        self.math.setText(f"{frame_math(trace, frame)}<br>{size_formula(g)}")

    @staticmethod
    def _progress_of(trace, index: int) -> dict:
        """For each drawn array, how many frames of the phases that write it frame ``index`` includes."""
        def done(name: str) -> int:
            try:
                phase = trace.phase(name)
            except KeyError:
                return 0
            return min(max(index - phase.first + 1, 0), phase.count)

        return {"output": done("slide"), "grad_input": (done("scatter"), done("fold")),
                "grad_weight": done("weight_grad")}

    def _draw_dilated(self, frame, phase) -> None:
        g = self.built.trace.geometry
        if g.dilation == (1, 1):
            return
        (kh, kw), (dh, dw) = g.kernel_size, g.dilation
        f = frame.element[1] if hasattr(frame, "element") else 0
        count, span_h, span_w = self.dilated.shape
        planes = np.full((count, span_h, span_w), np.nan, dtype=np.float32)
        taps = kh * kw
        if frame.phase == "dilate":
            taps = frame.index - phase.first + 1
        for t in range(taps):
            i, j = divmod(t, kw)
            planes[:, i * dh, j * dw] = self._weight[f, :, i, j]
        level = self.built.levels["weight"]
        self.dilated.set_planes(planes, palette.DIVERGING_LUT, (-level, level))
        if frame.phase == "dilate":
            i, j = frame.tap
            self.dilated.outline("current", [(c, i * dh, j * dw) for c in range(count)], palette.CURRENT)
        else:
            self.dilated.outline("current", [], palette.CURRENT)

    def _draw_marks(self, frame) -> None:
        g = self.built.trace.geometry
        kw = g.kernel_size[1]
        per_group = g.in_per_group
        marks = {name: ([], []) for name in self.grids}   # grid -> (cells, colours)
        numbers = {name: ([], []) for name in self.grids}  # grid -> (cells, values)

        def mark(name, cells, colours):
            marks[name][0].extend(cells)
            marks[name][1].extend(colours if isinstance(colours, list) else [colours] * len(cells))

        if frame.phase in ("slide", "scatter", "weight_grad"):
            n, f, oy, ox = frame.element
            taps = frame.taps
            colours = [palette.tap_colour(int(i), int(j), kw) for _, i, j in taps.kernel_index]
            cells = [(int(c), int(y), int(x)) for c, (y, x) in zip(taps.channel, taps.padded)]
            kernel_cells = [(f * per_group + int(c), int(i), int(j)) for c, i, j in taps.kernel_index]
            if frame.tap_number is not None:  # one multiply-add: its whole window, thin, around it
                window = self.built.trace.receptive_field(n, f, oy, ox)
                self.grids["input"].outline("window", [(int(c), int(y), int(x)) for c, (y, x) in
                                                       zip(window.channel, window.padded)], palette.MUTED,
                                            width=1.0, z=9)
            else:
                self.grids["input"].outline("window", [], palette.MUTED)
            mark("input", cells, colours)
            mark("kernel", kernel_cells, colours)
            numbers["input"][0].extend(cells)
            numbers["input"][1].extend(taps.input_value)
            numbers["kernel"][0].extend(kernel_cells)
            numbers["kernel"][1].extend(taps.weight_value)
            mark("output", [(f, oy, ox)], palette.CURRENT)
            if frame.phase == "slide":
                numbers["output"][0].append((f, oy, ox))
                numbers["output"][1].append(frame.value)
            else:
                mark("grad_output", [(f, oy, ox)], palette.CURRENT)
                numbers["grad_output"][0].append((f, oy, ox))
                numbers["grad_output"][1].append(frame.grad_output)
            if frame.phase == "scatter":
                mark("grad_input", cells, colours)
            if frame.phase == "weight_grad":
                mark("grad_weight", kernel_cells, colours)
        elif frame.phase == "pad":
            cells = [(c, int(y), int(x)) for c in range(g.in_channels) for y, x in frame.cells]
            mark("input", cells[:4000], palette.CURRENT)
            top, _, left, _ = g.pads
            sources = [(c, int(y) + top, int(x) + left) for c in range(g.in_channels)
                       for y, x in frame.sources if y >= 0]
            mark("input", sources[:4000], palette.HOVER)
        elif frame.phase == "bias_grad":
            f = frame.filter
            mark("grad_output", [(f, y, x) for y in range(g.out_height) for x in range(g.out_width)][:4000],
                 palette.CURRENT)
        elif frame.phase == "fold" and hasattr(frame, "targets"):
            cells = [(c, int(y), int(x)) for c in range(g.in_channels) for y, x in frame.cells]
            targets = [(c, int(y), int(x)) for c in range(g.in_channels) for y, x in frame.targets]
            mark("grad_input", cells[:4000], palette.CURRENT)
            mark("grad_input", targets[:4000], palette.HOVER)
        for name, grid in self.grids.items():
            cells, colours = marks[name]
            grid.outline("frame", cells, colours)
            grid.numbers(*numbers[name])

    def _all_grids(self) -> list[PlaneGrid]:
        return list(self.grids.values()) + [self.dilated]

    def _link(self, name: str, k: int, y: int, x: int) -> str:
        trace = self.built.trace
        g = trace.geometry
        state = trace.state(self.frame_index if self.frame_index is not None else len(trace) - 1)
        top, _, left, _ = g.pads
        per_group = g.in_per_group
        if name in ("input", "grad_input"):
            iy, ix = y - top, x - left
            value = self._padded[k, y, x]
            if not (0 <= iy < g.height and 0 <= ix < g.width):
                text = tr("padding cell x̃[%1, %2, %3] = %4 (%5 padding)").replace("%1", str(k)).replace(
                    "%2", str(y)).replace("%3", str(x)).replace("%4", format_number(value)).replace(
                    "%5", g.padding_mode)
                if g.padding_mode != "zeros":
                    sy, sx = int(self._row_source[y]), int(self._col_source[x])
                    self.grids[name].outline("hover", [(k, sy + top, sx + left)], palette.HOVER)
                    text += tr(": a copy of input pixel x[%1, %2, %3]").replace("%1", str(k)).replace(
                        "%2", str(sy)).replace("%3", str(sx))
                return text
            readers = trace.pixel_readers(0, k, iy, ix)
            outputs = [(int(f), int(oy), int(ox)) for _, f, oy, ox in readers.element]
            self.grids["output"].outline("hover", outputs, palette.HOVER)
            if trace.has_backward:
                self.grids["grad_output"].outline("hover", outputs, palette.HOVER)
            text = (tr("x[%1, %2, %3] = %4 feeds %5 output values").replace("%1", str(k)).replace(
                "%2", str(iy)).replace("%3", str(ix)).replace("%4", format_number(value))
                .replace("%5", str(len(set(outputs)))))
            if readers.contribution is not None:
                text += tr("; its gradient is the sum of %1 terms ∂L/∂y × w = %2").replace(
                    "%1", str(len(readers))).replace("%2", format_number(float(readers.contribution.sum())))
            return text
        if name in ("output", "grad_output"):
            taps = trace.receptive_field(0, k, y, x)
            colours = [palette.tap_colour(int(i), int(j), g.kernel_size[1]) for _, i, j in taps.kernel_index]
            self.grids["input"].outline("hover", [(int(c), int(py), int(px)) for c, (py, px) in
                                                  zip(taps.channel, taps.padded)], colours)
            written = bool(state.written["output"][k, y, x])
            value = format_number(float(state["output"][k, y, x])) if written else tr("not computed yet")
            text = (tr("y[%1, %2, %3] = %4: its receptive field is %5 taps").replace("%1", str(k)).replace(
                "%2", str(y)).replace("%3", str(x)).replace("%4", value).replace("%5", str(len(taps))))
            if trace.has_backward:
                text += tr("; ∂L/∂y = %1").replace("%1", format_number(float(trace.grad_output[k, y, x])))
            return text
        if name in ("kernel", "grad_weight"):
            f, c = divmod(k, per_group)
            reads = trace.weight_tap_reads(f, c, y, x)
            cells = [(reads.channel, int(py), int(px)) for py, px in reads.padded]
            self.grids["input"].outline("hover", cells, palette.HOVER)
            text = (tr("w[%1, %2, %3, %4] = %5 multiplies %6 input cells of channel %7").replace("%1", str(f))
                    .replace("%2", str(c)).replace("%3", str(y)).replace("%4", str(x))
                    .replace("%5", format_number(float(self._weight[f, c, y, x])))
                    .replace("%6", str(len(reads))).replace("%7", str(reads.channel)))
            if reads.contribution is not None:
                text += tr("; its gradient is the sum of %1 terms ∂L/∂y × x = %2").replace(
                    "%1", str(len(reads))).replace("%2", format_number(float(reads.contribution.sum())))
            return text
        return ""
