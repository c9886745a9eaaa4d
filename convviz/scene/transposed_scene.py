"""The picture of one frame of a transposed convolution, by the scatter road: each input value
times the kernel added onto the full (uncropped) plane, the count of products that have landed on
each cell (with stride 2 and a 3×3 kernel, the checkerboard), then the crop that gives the output.

The other road (the same output as a convolution over the zero-inserted input with the rotated
kernel) is an ordinary convolution trace, drawn by ``ConvScene``. Labels always say which array
is the transposed convolution's input and which its output.
"""

from __future__ import annotations

import numpy as np

from . import palette
from .planes import format_number
from .scene_base import SceneBase, border_tint, escape_html, shape_text, square_columns, tr, written_or_nan

__all__ = ["TransposedScene", "transposed_math", "transposed_size_formula"]

SHOWN_PRODUCTS = 4  # the math line names this many products of a scatter frame, then counts the rest
PHASE_TITLES = {"scatter": "scatter: each input value × the kernel", "crop": "crop the full plane to the output"}


def _n(value: float) -> str:
    return format_number(float(value)).replace("-", "−")


def transposed_size_formula(trace) -> str:
    g = trace.geometry
    lines = []
    for axis, size, k, s, p, d, op, out in (
            ("OH", g.height, g.kernel_size[0], g.stride[0], g.padding[0], g.dilation[0], g.output_padding[0], g.out_height),
            ("OW", g.width, g.kernel_size[1], g.stride[1], g.padding[1], g.dilation[1], g.output_padding[1], g.out_width)):
        lines.append(f"{axis} = ({size} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {out}")
    counts = sorted(set(int(v) for v in np.unique(trace.contribution_counts())))
    lines.append(escape_html(tr("products per output pixel (one input channel): %1").replace(
        "%1", ", ".join(map(str, counts[:12])) + (" …" if len(counts) > 12 else "")))
        + (f' <span style="color:{palette.STALE}">' + escape_html(tr("uneven: the checkerboard")) + "</span>"
           if len(counts) > 1 else ""))
    return "<br>".join(lines)


def transposed_math(trace, frame) -> str:
    """HTML for the math line of a transposed-convolution frame."""
    lines = []
    if frame.phase == "scatter":
        n, c, iy, ix = frame.element
        g = trace.geometry
        kh, kw = g.kernel_size
        per_channel = kh * kw
        products = []
        for t in range(min(len(frame.product), per_channel)):  # the first output channel's products
            _, k, i, j = (int(v) for v in frame.weight_index[t])
            y, x = (int(v) for v in frame.full[t])
            colour = palette.tap_colour(i, j, kw)
            products.append(f'<span style="color:{colour}">full[{int(frame.out_channel[t])}, {y}, {x}] += '
                            f"{_n(frame.value)}×{_n(frame.weight_value[t])} = {_n(frame.product[t])}</span>")
        more = len(frame.out_channels) - 1
        rule = tr("x[%1, %2, %3] = %4 times every weight of w[%1], added at (%2·%5 + i·%6, %3·%7 + j·%8)").replace(
            "%1", str(c)).replace("%2", str(iy)).replace("%3", str(ix)).replace("%4", _n(frame.value)).replace(
            "%5", str(g.stride[0])).replace("%6", str(g.dilation[0])).replace("%7", str(g.stride[1])).replace(
            "%8", str(g.dilation[1]))
        lines.append(f"<b>{escape_html(rule)}</b>")
        shown = "; ".join(products[:SHOWN_PRODUCTS])
        if len(products) > SHOWN_PRODUCTS:
            shown += " … " + escape_html(tr("(%1 products in all)").replace("%1", str(len(frame.product))))
        elif more > 0:
            shown += " " + escape_html(tr("(and the same for %1 more output channels)").replace("%1", str(more)))
        lines.append(shown)
    else:
        bias = tr(" + the bias") if frame.bias is not None else ""
        lines.append(f"<b>y = full[:, {frame.rows.start}:{frame.rows.stop}, {frame.columns.start}:"
                     f"{frame.columns.stop}]{escape_html(bias)}</b>")
    lines.append(f'<span style="color:{palette.MUTED}">{escape_html(frame.caption)}</span>')
    return "<br>".join(lines)


class TransposedScene(SceneBase):
    """The scene of a transposed convolution's scatter road."""

    PHASE_TITLES = PHASE_TITLES

    def __init__(self, parent=None):
        super().__init__(parent)
        for col, name in enumerate(("input", "kernel", "full")):
            self._add_grid(name, 1, col)
        for col, name in enumerate(("counts", "output")):
            self._add_grid(name, 3, col * 2)  # under the input and under the full plane
        self._add_math(5)
        for col, stretch in enumerate((4, 2, 4)):
            self.ci.layout.setColumnStretchFactor(col, stretch)
        self._drawn: dict = {}

    # ------------------------------------------------------------------------------------------
    def show_built(self, built) -> None:
        self.built = built
        trace, levels = built.trace, built.levels
        g = trace.geometry
        (kh, kw), (ph, pw) = g.kernel_size, g.padding
        grid = self.grids["input"]
        grid.set_layout(g.in_channels, g.height, g.width, columns=square_columns(g.in_channels))
        x = trace.input
        if np.min(x, initial=0.0) < 0:
            grid.set_planes(x, palette.DIVERGING_LUT, (-levels["input"], levels["input"]))
        else:
            grid.set_planes(x, palette.GRAY_LUT, (0.0, max(1.0, levels["input"])))
        grid.title.setText(tr("input x of the transposed convolution %1 (C×H×W)").replace(
            "%1", shape_text(g.in_channels, g.height, g.width)))
        grid = self.grids["kernel"]
        per_group = g.out_per_group
        grid.set_layout(g.in_channels * per_group, kh, kw, columns=per_group)
        level = levels["weight"]
        grid.set_planes(trace.weight.reshape(-1, kh, kw), palette.DIVERGING_LUT, (-level, level))
        grid.title.setText(tr("kernel w %1 (C×F/G×KH×KW)").replace("%1", shape_text(g.in_channels, per_group, kh, kw)))
        columns = square_columns(g.out_channels)
        tint = border_tint(g.full_height, g.full_width, ph, pw, g.out_height, g.out_width)  # what the crop drops
        for name in ("full", "counts"):
            grid = self.grids[name]
            grid.set_layout(g.out_channels, g.full_height, g.full_width, columns=columns)
            for f in range(g.out_channels):
                grid.set_overlay(f, tint)
        cropped = tr(", the border the crop drops shaded") if ph or pw else ""
        self.grids["full"].title.setText(tr("full plane %1 (F×Hf×Wf)%2").replace(
            "%1", shape_text(g.out_channels, g.full_height, g.full_width)).replace("%2", cropped))
        self.grids["counts"].title.setText(tr("products landed on each cell so far (the overlap)"))
        self.grids["output"].set_layout(g.out_channels, g.out_height, g.out_width, columns=columns)
        self.grids["output"].title.setText(tr("output y of the transposed convolution %1 (F×OH×OW)").replace(
            "%1", shape_text(g.out_channels, g.out_height, g.out_width)))
        self._level = max(levels["output"], levels.get("full", 0.0))
        self.frame_index = None
        self._drawn = {}

    # ------------------------------------------------------------------------------------------
    def show_frame(self, index: int) -> None:
        if self.built is None:
            return
        trace = self.built.trace
        self.frame_index = index
        state, frame = trace.state(index), trace[index]
        phase = trace.phase_at(index)


        if self._drawn.get("index") != index:
            level = self._level
            self.grids["full"].set_planes(written_or_nan(state, "full"), palette.DIVERGING_LUT, (-level, level))
            counts = np.array(state["counts"], dtype=np.float32)
            self.grids["counts"].set_planes(counts, palette.GRAY_LUT, (0.0, self.built.levels["counts"]))
            self.grids["output"].set_planes(written_or_nan(state, "output"), palette.DIVERGING_LUT, (-level, level))
        self._drawn = {"index": index}
        self._draw_marks(frame, state)
        self._draw_header(index, phase)
        self.math.setText(f"{transposed_math(trace, frame)}<br>{transposed_size_formula(trace)}")

    def _draw_marks(self, frame, state) -> None:
        trace = self.built.trace
        g = trace.geometry
        kw = g.kernel_size[1]
        marks = {name: ([], []) for name in self.grids}
        numbers = {name: ([], []) for name in self.grids}
        if frame.phase == "scatter":
            n, c, iy, ix = frame.element
            marks["input"] = ([(c, iy, ix)], [palette.CURRENT])
            numbers["input"] = ([(c, iy, ix)], [frame.value])
            colours = [palette.tap_colour(int(i), int(j), kw) for _, _, i, j in frame.weight_index]
            kernel_cells = [(int(c_) * g.out_per_group + int(k), int(i), int(j)) for c_, k, i, j in frame.weight_index]
            marks["kernel"] = (kernel_cells, colours)
            numbers["kernel"] = (kernel_cells, list(frame.weight_value))
            full_cells = [(int(f), int(y), int(x)) for f, (y, x) in zip(frame.out_channel, frame.full)]
            marks["full"] = (full_cells, colours)
            numbers["full"] = (full_cells, list(frame.product))
            marks["counts"] = (full_cells, colours)
            counts = state["counts"]
            numbers["counts"] = (full_cells, [counts[f, y, x] for f, y, x in full_cells])
        else:
            rows, columns = frame.rows, frame.columns
            kept = [(f, y - rows.start, x - columns.start) for f in range(g.out_channels)
                    for y in (rows.start, rows.stop - 1) for x in range(columns.start, columns.stop)]
            marks["output"] = (kept[:4000], [palette.CURRENT] * min(len(kept), 4000))
        for name, grid in self.grids.items():
            grid.outline("frame", *marks[name])
            grid.numbers(*numbers[name])

    # ------------------------------------------------------------------------------------------
    def _link(self, name: str, k: int, y: int, x: int) -> str:
        trace = self.built.trace
        g = trace.geometry
        ph, pw = g.padding
        kw = g.kernel_size[1]
        if name == "input":
            footprint = trace.pixel_readers(0, k, y, x)
            colours = [palette.tap_colour(int(i), int(j), kw) for _, _, i, j in footprint.weight_index]
            cells = [(int(f), int(fy), int(fx)) for f, (fy, fx) in zip(footprint.out_channel, footprint.full)]
            self.grids["full"].outline("hover", cells, colours)
            kept = [(int(f), int(oy), int(ox)) for f, (oy, ox), keep in
                    zip(footprint.out_channel, footprint.output, footprint.kept) if keep]
            self.grids["output"].outline("hover", kept, palette.HOVER)
            return (tr("x[%1, %2, %3] = %4 scatters %5 products onto the full plane; %6 of them land inside the "
                       "output").replace("%1", str(k)).replace("%2", str(y)).replace("%3", str(x))
                    .replace("%4", _n(footprint.value)).replace("%5", str(len(footprint)))
                    .replace("%6", str(len(kept))))
        if name in ("full", "counts", "output"):
            oy, ox = (y - ph, x - pw) if name != "output" else (y, x)
            if not (0 <= oy < g.out_height and 0 <= ox < g.out_width):
                return tr("full-plane cell (%1, %2): in the border the crop drops").replace("%1", str(y)).replace(
                    "%2", str(x))
            field = trace.receptive_field(0, k, oy, ox)
            sources = [(int(c), int(iy), int(ix)) for c, iy, ix in field.source]
            self.grids["input"].outline("hover", sources, palette.HOVER)
            self.grids["full"].outline("hover", [(k, oy + ph, ox + pw)], palette.HOVER)
            self.grids["output"].outline("hover", [(k, oy, ox)], palette.HOVER)
            return (tr("y[%1, %2, %3] = %4: the sum of %5 products from %6 input pixels").replace("%1", str(k))
                    .replace("%2", str(oy)).replace("%3", str(ox)).replace("%4", _n(field.value))
                    .replace("%5", str(len(field))).replace("%6", str(len(set(sources)))))
        if name == "kernel":
            c, j_out = divmod(k, g.out_per_group)
            value = trace.weight[c, j_out, y, x]
            return tr("w[%1, %2, %3, %4] = %5: input channel %1 to output channel %6").replace("%1", str(c)).replace(
                "%2", str(j_out)).replace("%3", str(y)).replace("%4", str(x)).replace("%5", _n(value)).replace(
                "%6", str((c // g.in_per_group) * g.out_per_group + j_out))
        return ""
