"""The math panel's text for one frame: the products written out with their values, the partial
sums per channel, the bias and the result; and the output-size formula with today's numbers.

Pure functions of the trace and the frame (no widgets; the words go through Qt's translation,
``tr``), returning small HTML for a text item; each product is coloured like its kernel cell, as
its tap is drawn on the input.
"""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import QCoreApplication

from convviz.nn.functional import ConvGeometry

from .palette import MUTED, tap_colour
from .planes import format_number

MAX_TERMS = 12  # products written out per channel; longer sums show their first and last ones


def tr(text: str) -> str:
    # pyside6-lupdate files a free function's tr("...") under the empty context; it skips f-strings.
    return QCoreApplication.translate("", text)


def _n(value: float) -> str:
    return escape(format_number(float(value)))


def _f(value: float) -> str:
    """A factor after ×: negatives in brackets, so 0.4×(−0.3) does not read as a subtraction."""
    text = _n(value)
    return f"({text})" if text.startswith("-") else text


def _terms(first: list[str], count: int) -> str:
    if count <= MAX_TERMS:
        return " + ".join(first)
    more = tr("(%1 more)").replace("%1", str(count - 10))
    return " + ".join(first[:8]) + f" + … {more} … + " + " + ".join(first[-2:])


def floor_dropped(size: int, before: int, after: int, k: int, d: int, s: int) -> int:
    """Padded rows (or columns) after the last window that no window reaches: what the floor in
    the output-size formula drops when the stride does not divide."""
    span = d * (k - 1) + 1
    return (size + before + after - span) % s


def size_formula(g: ConvGeometry) -> str:
    """Both axes' output-size formula with this configuration's numbers, and what the floor drops."""
    top, bottom, left, right = g.pads
    lines = []
    for axis, size, before, after, k, d, s, out in (
            ("OH", g.height, top, bottom, g.kernel_size[0], g.dilation[0], g.stride[0], g.out_height),
            ("OW", g.width, left, right, g.kernel_size[1], g.dilation[1], g.stride[1], g.out_width)):
        dropped = floor_dropped(size, before, after, k, d, s)
        note = ""
        if dropped:
            if axis == "OH":
                words = tr("the floor drops the last %1 padded rows: no window reaches them") if dropped != 1 \
                    else tr("the floor drops the last padded row: no window reaches it")
            else:
                words = tr("the floor drops the last %1 padded columns: no window reaches them") if dropped != 1 \
                    else tr("the floor drops the last padded column: no window reaches it")
            note = f' <span style="color:#b00020">{words.replace("%1", str(dropped))}</span>'
        lines.append(f"{axis} = ⌊({size} + {before} + {after} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}{note}")
    return "<br>".join(lines)


def _window_math(trace, frame) -> list[str]:
    g = trace.geometry
    kw = g.kernel_size[1]
    taps = frame.taps
    n, f, oy, ox = frame.element
    lines = []
    if frame.phase == "slide":
        lines.append(f"<b>y[{f}, {oy}, {ox}]</b> = Σ x̃[c, {oy}·{g.stride[0]} + i·{g.dilation[0]}, "
                     f"{ox}·{g.stride[1]} + j·{g.dilation[1]}] × w[{f}, c, i, j]")
        if frame.tap_number is None:
            per_channel = len(taps) // max(len(frame.channels), 1)
            for c_local, channel in enumerate(frame.channels):
                rows = range(c_local * per_channel, (c_local + 1) * per_channel)
                products = [f'<span style="color:{tap_colour(int(taps.kernel_index[t, 1]), int(taps.kernel_index[t, 2]), kw)}">'
                            f"{_n(taps.input_value[t])}×{_f(taps.weight_value[t])}</span>" for t in rows]
                lines.append(tr("channel %1").replace("%1", str(channel)) + f": {_terms(products, len(products))} = "
                             f"<b>{_n(frame.channel_sums[c_local])}</b>")
            if len(frame.channel_sums) > 1 or frame.bias is not None:
                total = " + ".join(_n(s) for s in frame.channel_sums) if len(frame.channel_sums) <= 8 else \
                    tr("Σ of %1 channel sums").replace("%1", str(len(frame.channel_sums)))
                bias = "" if frame.bias is None else f" + {tr('bias')} {_n(frame.bias)}"
                lines.append(f"y = {total}{bias} = <b>{_n(frame.value)}</b>")
        else:
            t = 0
            c, i, j = (int(v) for v in taps.kernel_index[t])
            colour = tap_colour(i, j, kw)
            tap_of = tr("tap %1 of %2").replace("%1", str(frame.tap_number + 1)).replace("%2", str(trace.taps_per_window))
            lines.append(f'{tap_of}: '
                         f'<span style="color:{colour}">x̃[{int(taps.channel[t])}, {int(taps.padded[t, 0])}, '
                         f'{int(taps.padded[t, 1])}] = {_n(taps.input_value[t])} × w[{f}, {c}, {i}, {j}] = '
                         f'{_n(taps.weight_value[t])}</span> → {_n(taps.product[t])}')
            sums = " + ".join(_n(s) for s in frame.channel_sums) if len(frame.channel_sums) <= 8 else ""
            bias = " + " + tr("bias") + f" {_n(frame.bias)}" if frame.complete and frame.bias is not None else ""
            label = "y" if frame.complete else tr("running sum")
            lines.append(f"{label} = {sums}{bias} = <b>{_n(frame.value)}</b>" if sums else
                         f"{label} = <b>{_n(frame.value)}</b>")
    elif frame.phase == "scatter":
        rule = tr("each tap adds ∂L/∂y × w[%1, c, i, j] onto ∂L/∂x̃ at the cell it read").replace("%1", str(f))
        lines.append(f"<b>∂L/∂y[{f}, {oy}, {ox}] = {_n(frame.grad_output)}</b>: {rule}")
        terms = [f'<span style="color:{tap_colour(int(taps.kernel_index[t, 1]), int(taps.kernel_index[t, 2]), kw)}">'
                 f"∂x̃[{int(taps.channel[t])},{int(taps.padded[t, 0])},{int(taps.padded[t, 1])}] += "
                 f"{_n(frame.grad_output)}×{_f(taps.weight_value[t])} = {_n(frame.grad_output * taps.weight_value[t])}"
                 f"</span>" for t in range(len(taps))]
        lines.append(_terms(terms, len(terms)).replace(" + ", "; "))
    elif frame.phase == "weight_grad":
        rule = tr("∂L/∂w[%1, c, i, j] += ∂L/∂y × the input value the tap read").replace("%1", str(f))
        lines.append(f"<b>∂L/∂y[{f}, {oy}, {ox}] = {_n(frame.grad_output)}</b>: {rule}")
        terms = [f'<span style="color:{tap_colour(int(taps.kernel_index[t, 1]), int(taps.kernel_index[t, 2]), kw)}">'
                 f"∂w[{f},{int(taps.kernel_index[t, 0])},{int(taps.kernel_index[t, 1])},{int(taps.kernel_index[t, 2])}]"
                 f" += {_n(frame.grad_output)}×{_f(taps.input_value[t])}</span>" for t in range(len(taps))]
        lines.append(_terms(terms, len(terms)).replace(" + ", "; "))
    return lines


def frame_math(trace, frame) -> str:
    """HTML for the math panel of ``frame`` (a record from ``trace[i]``)."""
    if frame.phase in ("slide", "scatter", "weight_grad"):
        lines = _window_math(trace, frame)
    elif frame.phase == "bias_grad":
        over = tr("over %1 outputs").replace("%1", f"{frame.terms:,}")
        lines = [f"<b>∂L/∂b[{frame.filter}]</b> = Σ ∂L/∂y[{frame.filter}, :, :] {over} = <b>{_n(frame.value)}</b>"]
    else:
        lines = []
    if frame.phase not in ("slide", "scatter", "weight_grad"):  # the sums above already say it
        lines.append(f'<span style="color:{MUTED}">{escape(frame.caption)}</span>')
    return "<br>".join(lines)


def output_written_share(state) -> float:
    """Fraction of the output computed so far (for the header)."""
    written = state.written["output"]
    return float(np.count_nonzero(written)) / written.size if written.size else 1.0
