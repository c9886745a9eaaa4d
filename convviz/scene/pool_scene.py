"""The picture of one frame of a pooling (max or average): the padded input with the current
window, the output filling in, and in backward mode ∂L/∂y routed back into ∂L/∂x, with the math.

Input and output share one grey scale (a max pooling's outputs are input values), the gradients a
diverging one with fixed levels. Cells outside the input are shaded; for a max pooling they hold
−∞ (they never win), for an average 0. ``show_frame`` draws frame i from ``trace.state(i)`` and
``trace[i]``.
"""

from __future__ import annotations

import math

import numpy as np

from . import palette
from .planes import format_number
from .scene_base import SceneBase, border_tint, escape_html, shape_text, square_columns, tr, written_or_nan

__all__ = ["PoolScene", "pool_math", "pool_size_formula"]

PHASE_TITLES = {"pool": "forward: pool each window", "route": "backward: route ∂L/∂y into ∂L/∂x"}


def _n(value: float) -> str:
    if value == -math.inf:
        return "−∞"
    return format_number(float(value)).replace("-", "−")


def pool_size_formula(g) -> str:
    """Both axes' output size as torch's pooling works it out, with this configuration's numbers."""
    lines = []
    for axis, size, pad, k, d, s, out in (
            ("OH", g.height, g.padding[0], g.kernel_size[0], g.dilation[0], g.stride[0], g.out_height),
            ("OW", g.width, g.padding[1], g.kernel_size[1], g.dilation[1], g.stride[1], g.out_width)):
        rounding = f" + ({s} − 1)" if g.ceil_mode else ""
        lines.append(f"{axis} = ⌊({size} + 2·{pad} − {d}·({k} − 1) − 1{rounding}) / {s}⌋ + 1 = {out}")
    if g.ceil_mode:  # said once, after both axes
        lines[-1] += f' <span style="color:{palette.MUTED}">' + escape_html(
            tr("(ceil mode: the + (s − 1) rounds up; a window that would start in the right padding is dropped)")) \
            + "</span>"
    return "<br>".join(lines)


def _terms(values: list[str], limit: int = 16) -> str:
    if len(values) <= limit:
        return ", ".join(values)
    more = tr("(%1 more)").replace("%1", str(len(values) - 12))
    return ", ".join(values[:10]) + f", … {more} …, " + ", ".join(values[-2:])


def pool_math(trace, frame) -> str:
    """HTML for the math line of a pooling frame."""
    n, c, oy, ox = frame.element
    window = frame.window
    lines = []
    if frame.phase == "pool":
        if trace.kind == "max":
            values = [f"<b>{_n(v)}</b>" if t == window.chosen else _n(v) for t, v in enumerate(window.values)]
            y, x = window.chosen_pixel
            at = tr("the maximum is x[%1, %2, %3], tap %4").replace("%1", str(c)).replace("%2", str(y)).replace(
                "%3", str(x)).replace("%4", str(tuple(int(v) for v in window.kernel_index[window.chosen])))
            lines.append(f"<b>y[{c}, {oy}, {ox}]</b> = max({_terms(values)}) = <b>{_n(frame.value)}</b> · {at}")
        else:
            counted = window.counted
            values = [_n(v) if counted[t] else f'<span style="color:{palette.MUTED}">{_n(v)}</span>'
                      for t, v in enumerate(window.values)]
            lines.append(f"<b>y[{c}, {oy}, {ox}]</b> = ({_terms(values).replace(', ', ' + ')}) / "
                         f"{window.divisor:g} = {_n(window.total)} / {window.divisor:g} = <b>{_n(frame.value)}</b>")
            outside = int(np.count_nonzero(~window.inside))
            if outside:
                rule = (tr("%1 of the cells are padding; the divisor counts them (count_include_pad)")
                        if trace.count_include_pad else
                        tr("%1 of the cells are padding; the divisor counts only the image's pixels"))
                lines.append(f'<span style="color:{palette.MUTED}">{escape_html(rule.replace("%1", str(outside)))}</span>')
    else:
        if trace.kind == "max":
            y, x = (int(v) for v in frame.targets[0])
            rule = tr("all of it goes to the window's maximum, x[%1, %2, %3]; the other %4 cells get nothing").replace(
                "%1", str(c)).replace("%2", str(y)).replace("%3", str(x)).replace("%4", str(len(window) - 1))
            lines.append(f"<b>∂L/∂y[{c}, {oy}, {ox}] = {_n(frame.grad)}</b>: {escape_html(rule)} · "
                         f"∂L/∂x[{c}, {y}, {x}] += {_n(frame.grad)}")
        else:
            share = frame.amounts[0] if len(frame.amounts) else 0.0
            rule = tr("spread evenly: each of the %1 pixels of the window gets ∂L/∂y ÷ %2").replace(
                "%1", str(len(frame.amounts))).replace("%2", f"{window.divisor:g}")
            lines.append(f"<b>∂L/∂y[{c}, {oy}, {ox}] = {_n(frame.grad)}</b>: {escape_html(rule)} = "
                         f"{_n(frame.grad)} ÷ {window.divisor:g} = <b>{_n(share)}</b>")
    lines.append(f'<span style="color:{palette.MUTED}">{escape_html(frame.caption)}</span>')
    return "<br>".join(lines)


class PoolScene(SceneBase):
    """The scene of a max or average pooling."""

    PHASE_TITLES = PHASE_TITLES

    def __init__(self, parent=None):
        super().__init__(parent)
        for row, names in ((1, ("input", "output")), (3, ("grad_input", "grad_output"))):
            for col, name in enumerate(names):
                self._add_grid(name, row, col)
        self._add_math(5)
        for col in range(2):
            self.ci.layout.setColumnStretchFactor(col, 1)
        self._drawn: dict = {}

    # ------------------------------------------------------------------------------------------
    def show_built(self, built) -> None:
        self.built = built
        trace, levels = built.trace, built.levels
        g = trace.geometry
        top, bottom, left, right = trace.pads
        channels = g.channels
        hp, wp = g.height + top + bottom, g.width + left + right
        backward = trace.has_backward
        self._set_visible(("grad_input", "grad_output"), backward)
        # −∞ (max pooling's border) drawn as an empty cell; the tint says it is padding.
        padded = np.array(trace.padded_input, dtype=np.float32)
        padded[~np.isfinite(padded)] = np.nan
        self._scale = self._grey_scale(trace.input, levels["input"])
        grid = self.grids["input"]
        grid.set_layout(channels, hp, wp, columns=square_columns(channels))
        grid.set_planes(padded, *self._scale)
        tint = border_tint(hp, wp, top, left, g.height, g.width)
        for c in range(channels):
            grid.set_overlay(c, tint)
        border = tr("border shaded: −∞, never the maximum") if trace.kind == "max" else tr("border shaded: zeros")
        grid.title.setText(tr("input x %1 (C×H×W)").replace("%1", shape_text(channels, g.height, g.width))
                           + (f" · {border}" if any(trace.pads) else ""))
        columns = square_columns(channels)
        self.grids["output"].set_layout(channels, g.out_height, g.out_width, columns=columns)
        what = tr("max pooling") if trace.kind == "max" else tr("average pooling")
        self.grids["output"].title.setText(tr("output y %1 (C×OH×OW), %2").replace(
            "%1", shape_text(channels, g.out_height, g.out_width)).replace("%2", what))
        if backward:
            grid = self.grids["grad_input"]
            grid.set_layout(channels, g.height, g.width, columns=columns)
            grid.title.setText(tr("∂L/∂x %1").replace("%1", shape_text(channels, g.height, g.width)))
            grid = self.grids["grad_output"]
            grid.set_layout(channels, g.out_height, g.out_width, columns=columns)
            level = levels["grad_output"]
            grid.set_planes(trace.grad_output, palette.DIVERGING_LUT, (-level, level))
            grid.title.setText(tr("∂L/∂y given %1").replace("%1", shape_text(channels, g.out_height, g.out_width)))
        self.frame_index = None
        self._drawn = {}

    @staticmethod
    def _grey_scale(values, level: float):
        """Input and output share it: grey for non-negative pictures, diverging for signed arrays."""
        if np.nanmin(values, initial=0.0) < 0:
            return palette.DIVERGING_LUT, (-level, level)
        return palette.GRAY_LUT, (0.0, max(1.0, level))

    # ------------------------------------------------------------------------------------------
    def show_frame(self, index: int) -> None:
        if self.built is None:
            return
        trace, levels = self.built.trace, self.built.levels
        self.frame_index = index
        state, frame = trace.state(index), trace[index]
        phase = trace.phase_at(index)

        # Redraw an array only when the frames that write it have moved.
        progress = {"output": min(index, trace.phase("pool").last),
                    "grad_input": index - trace.phase("route").first if trace.has_backward and
                    index >= trace.phase("route").first else -1}
        if self._drawn.get("output") != progress["output"]:
            self.grids["output"].set_planes(written_or_nan(state, "output"), *self._scale)
        if trace.has_backward and self._drawn.get("grad_input") != progress["grad_input"]:
            level = levels["grad_input"]
            # While the route plays, a hatched cell has received nothing yet; after its last frame
            # the gradient is final, and a pixel no window sent anything to holds exactly 0.
            finished = index == trace.phase("route").last
            values = np.asarray(state["grad_input"], dtype=np.float32) if finished else written_or_nan(state, "grad_input")
            self.grids["grad_input"].set_planes(values, palette.DIVERGING_LUT, (-level, level))
        self._drawn = progress
        self._draw_marks(frame)
        self._draw_header(index, phase)
        self.math.setText(f"{pool_math(trace, frame)}<br>{pool_size_formula(trace.geometry)}")

    def _draw_marks(self, frame) -> None:
        trace = self.built.trace
        top, _, left, _ = trace.pads
        n, c, oy, ox = frame.element
        window = frame.window
        marks = {name: ([], []) for name in self.grids}
        numbers = {name: ([], []) for name in self.grids}
        cells = [(c, int(y), int(x)) for y, x in window.padded]
        colours = [palette.CURRENT] * len(cells)
        if window.chosen is not None:  # the maximum stands out
            colours[window.chosen] = palette.HOVER
        marks["input"] = (cells, colours)
        numbers["input"] = (cells, list(window.values))
        marks["output"] = ([(c, oy, ox)], [palette.CURRENT])
        if frame.phase == "pool":
            numbers["output"] = ([(c, oy, ox)], [frame.value])
        else:
            marks["grad_output"] = ([(c, oy, ox)], [palette.CURRENT])
            numbers["grad_output"] = ([(c, oy, ox)], [frame.grad])
            targets = [(c, int(y), int(x)) for y, x in frame.targets]
            marks["grad_input"] = (targets, [palette.CURRENT] * len(targets))
            numbers["grad_input"] = (targets, list(frame.amounts))
        for name, grid in self.grids.items():
            grid.outline("frame", *marks[name])
            grid.numbers(*numbers[name])

    # ------------------------------------------------------------------------------------------
    def _link(self, name: str, k: int, y: int, x: int) -> str:
        trace = self.built.trace
        g = trace.geometry
        top, _, left, _ = trace.pads
        state = trace.state(self.frame_index if self.frame_index is not None else len(trace) - 1)
        if name in ("input", "grad_input"):
            iy, ix = (y - top, x - left) if name == "input" else (y, x)
            if not (0 <= iy < g.height and 0 <= ix < g.width):
                return tr("padding cell: %1").replace(
                    "%1", tr("−∞, never the maximum") if trace.kind == "max" else tr("0"))
            readers = trace.pixel_readers(0, k, iy, ix)
            outputs = [(int(c), int(oy), int(ox)) for _, c, oy, ox in readers.element]
            colours = [palette.HOVER] * len(outputs)
            if readers.chosen is not None:  # the windows that picked this pixel as their maximum
                colours = [palette.CURRENT if chosen else palette.HOVER for chosen in readers.chosen]
            self.grids["output"].outline("hover", outputs, colours)
            if trace.has_backward:
                self.grids["grad_output"].outline("hover", outputs, colours)
            text = (tr("x[%1, %2, %3] = %4 is in %5 windows").replace("%1", str(k)).replace("%2", str(iy))
                    .replace("%3", str(ix)).replace("%4", _n(trace.input[k, iy, ix])).replace("%5", str(len(outputs))))
            if readers.chosen is not None:
                text += tr("; the maximum of %1 of them").replace("%1", str(int(np.count_nonzero(readers.chosen))))
            if readers.contribution is not None:
                text += tr("; ∂L/∂x = the sum of %1 terms = %2").replace("%1", str(len(readers))).replace(
                    "%2", _n(float(readers.contribution.sum())))
            return text
        if name in ("output", "grad_output"):
            window = trace.receptive_field(0, k, y, x)
            cells = [(k, int(py), int(px)) for py, px in window.padded]
            colours = [palette.HOVER] * len(cells)
            if window.chosen is not None:
                colours[window.chosen] = palette.CURRENT
            self.grids["input"].outline("hover", cells, colours)
            written = bool(state.written["output"][k, y, x])
            value = _n(float(state["output"][k, y, x])) if written else tr("not computed yet")
            text = tr("y[%1, %2, %3] = %4: its window is %5 cells").replace("%1", str(k)).replace(
                "%2", str(y)).replace("%3", str(x)).replace("%4", value).replace("%5", str(len(window)))
            if window.chosen_pixel is not None:
                text += tr(", its maximum x[%1, %2, %3]").replace("%1", str(k)).replace(
                    "%2", str(window.chosen_pixel[0])).replace("%3", str(window.chosen_pixel[1]))
            if trace.has_backward:
                text += tr("; ∂L/∂y = %1").replace("%1", _n(float(trace.grad_output[k, y, x])))
            return text
        return ""
