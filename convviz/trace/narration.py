"""Every line of English a trace puts on screen: phase units and explanations, frame captions.

Each function takes plain numbers (and the geometry) and returns a string; none computes anything
the arithmetic needs, so a view may translate or restyle them by replacing this module's
functions without touching the trace's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from convviz.nn.functional import ConvGeometry

MODE_RULES = {
    "reflect": "mirrors the input across its edge without repeating the edge pixel",
    "replicate": "repeats the nearest edge pixel",
    "circular": "wraps around to the opposite side of the input",
}


def size(height: int, width: int) -> str:
    return f"{height}×{width}"


def count(number: int) -> str:
    return f"{number:,}"


def number(value: float) -> str:
    """A value as a caption shows it: 4 significant digits."""
    return f"{value:.4g}"


def plural(k: int, word: str) -> str:
    """plural(1, "cell") -> "cell", plural(2, "cell") -> "cells"."""
    return word + "s" * (k != 1)


def every(step: int, thing: str) -> str:
    """every(1, "row") -> "every row", every(2, "row") -> "every 2nd row"."""
    if step == 1:
        return f"every {thing}"
    suffix = "th" if 10 <= step % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(step % 10, "th")
    return f"every {step}{suffix} {thing}"


# ----------------------------------------------------------------------------------------------
# Phases: what one frame is, and one line with this configuration's numbers


def unit(phase: str, g: ConvGeometry, per_tap: bool) -> str:
    """What one frame of ``phase`` is, e.g. "one output element"."""
    zeros = g.padding_mode == "zeros"
    return {
        "pad": "the whole zero border" if zeros else "one padded row",
        "dilate": "one kernel tap",
        "slide": "one multiply-add" if per_tap else "one output element",
        "scatter": "one multiply-add" if per_tap else "one output element",
        "weight_grad": "one multiply-add" if per_tap else "one output element",
        "bias_grad": "one filter",
        "fold": "the crop" if zeros else "one padded row, then the crop",
    }[phase]


def explanation(phase: str, g: ConvGeometry, taps: int, has_bias: bool, per_tap: bool) -> str:
    """The one-line explanation of ``phase`` (``taps``: multiply-adds per window)."""
    if phase == "slide":
        return slide(g, taps, has_bias, per_tap)
    if phase == "scatter":
        return scatter(g, taps)
    return {"pad": pad, "dilate": dilate, "weight_grad": weight_grad, "bias_grad": bias_grad,
            "fold": fold}[phase](g)


def pad(g: ConvGeometry) -> str:
    top, bottom, left, right = g.pads
    border = (f"{top} {plural(top, 'row')} above, {bottom} below, {left} {plural(left, 'column')} "
              f"left and {right} right")
    plane = f"each {size(g.height, g.width)} input channel becomes {size(g.padded_height, g.padded_width)}"
    if g.padding_mode == "zeros":
        return f"Surround the input with zeros, {border}: {plane}, and the kernel can be centred on edge pixels."
    return (f"Pad with {border}: {plane}. {g.padding_mode.capitalize()} padding "
            f"{MODE_RULES[g.padding_mode]}; each padded row shows which input pixel every border cell copies.")


def dilate(g: ConvGeometry) -> str:
    (kh, kw), (dh, dw) = g.kernel_size, g.dilation
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    holes = span_h * span_w - kh * kw
    return (f"Spread the {size(kh, kw)} kernel out with dilation {g.dilation}: its taps land on "
            f"{every(dh, 'row')} and {every(dw, 'column')} of a {size(span_h, span_w)} footprint, and "
            f"the {count(holes)} cells in between are holes that multiply nothing.")


def slide(g: ConvGeometry, taps: int, has_bias: bool, per_tap: bool) -> str:
    kh, kw = g.kernel_size
    outputs = g.batch * g.out_channels * g.out_height * g.out_width
    bias = " plus its filter's bias" if has_bias else ""
    one_frame = " One frame per multiply-add." if per_tap else ""
    filters = "the filter" if g.out_channels == 1 else f"each of the {g.out_channels} filters"
    return (f"Slide {filters} over the padded input with stride {g.stride}: "
            f"every output value is the sum of {taps} products ({g.in_per_group} "
            f"{plural(g.in_per_group, 'channel')} × {size(kh, kw)} taps){bias}, "
            f"{count(outputs)} outputs in all.{one_frame}")


def scatter(g: ConvGeometry, taps: int) -> str:
    return (f"Backward to the input: each output's gradient flows back through the same {taps} taps; "
            f"the padded input cell under tap (c, i, j) receives grad_output × w[f, c, i, j], and where "
            f"windows overlap the amounts add up.")


def weight_grad(g: ConvGeometry) -> str:
    outputs = g.batch * g.out_height * g.out_width
    return (f"Backward to the weights: each output adds its gradient times the window it read onto its "
            f"filter's gradient, so every weight's gradient sums {count(outputs)} such terms "
            f"(grad_output × the input value it multiplied).")


def bias_grad(g: ConvGeometry) -> str:
    outputs = g.batch * g.out_height * g.out_width
    return (f"Backward to the biases: each bias was added to all {count(outputs)} outputs of its "
            f"filter, so its gradient is the sum of their {count(outputs)} gradients.")


def fold(g: ConvGeometry) -> str:
    inner = size(g.height, g.width)
    if g.padding_mode == "zeros":
        return (f"Crop the gradient back to {inner}: the gradient that landed on the zero border is "
                f"dropped, because those cells were constants, not pixels.")
    return (f"Hand each border cell's gradient back to the input pixel it was copied from "
            f"({g.padding_mode} padding), one padded row per frame, then crop to {inner}: that is grad_input.")


# ----------------------------------------------------------------------------------------------
# Frame captions. (n, f, oy, ox) is the output element, (c, i, j) a kernel tap, (y, x) a padded cell.


def zero_border_caption(cells: int, g: ConvGeometry) -> str:
    return f"A border of {cells:,} zeros around each {size(g.height, g.width)} input channel."


def padded_row_caption(row: int, source_row: int, source_columns: Sequence[int], mode: str) -> str:
    columns = [str(c) for c in source_columns]
    listed = ", ".join(columns) if len(columns) <= 8 else ", ".join(columns[:3]) + ", …, " + ", ".join(columns[-3:])
    k = len(columns)
    return f"Padded row {row}: {k} border {plural(k, 'cell')} copy input row {source_row}, columns {listed} ({mode})."


def dilate_caption(tap: tuple[int, int], lands_at: tuple[int, int], footprint: tuple[int, int], holes: int) -> str:
    (i, j), (y, x) = tap, lands_at
    return (f"Tap ({i}, {j}) lands on cell ({y}, {x}) of the {size(*footprint)} dilated kernel; {holes} "
            f"{plural(holes, 'hole')} follow{'s' * (holes == 1)} it.")


def _element(element) -> str:
    n, f, oy, ox = element
    return f"({n}, {f}, {oy}, {ox})"


def slide_caption(element, taps: int, channel_sums: Sequence[float], total: float, bias: float | None,
                  value: float) -> str:
    """A whole window: its products summed (``total``), per channel when there are few channels."""
    n, f, oy, ox = element
    if len(channel_sums) <= 4:
        sums = f"per channel {' + '.join(number(s) for s in channel_sums)}"
    else:
        sums = f"summed over {len(channel_sums)} channels {number(total)}"
    with_bias = "" if bias is None else f", plus bias {number(bias)}"
    return f"Output (n={n}, f={f}, y={oy}, x={ox}) = {taps} products, {sums}{with_bias} = {number(value)}."


def slide_tap_caption(element, kernel_index, padded, input_value: float, weight_value: float,
                      product: float, with_bias: bool, complete: bool, value: float) -> str:
    """One multiply-add; ``value`` is the running sum, or the output once ``complete``."""
    (c, i, j), (y, x) = kernel_index, padded
    return (f"Output {_element(element)}, tap (c={c}, i={i}, j={j}): input {number(input_value)} at padded "
            f"({y}, {x}) × weight {number(weight_value)} = {number(product)}; "
            f"{'with the bias, ' if with_bias else ''}"
            f"{'the output is' if complete else 'running sum'} {number(value)}.")


def scatter_caption(element, grad: float, taps: int) -> str:
    f = element[1]
    return (f"Output {_element(element)} has gradient {number(grad)}: each of its {taps} taps adds "
            f"{number(grad)} × w[{f}, c, i, j] onto the padded input cell it read.")


def scatter_tap_caption(element, kernel_index, padded, channel: int, grad: float, weight_value: float,
                        sent: float) -> str:
    (c, i, j), (y, x) = kernel_index, padded
    return (f"Output {_element(element)}, tap (c={c}, i={i}, j={j}): grad {number(grad)} × weight "
            f"{number(weight_value)} = {number(sent)} added at padded ({y}, {x}) of channel {channel}.")


def weight_grad_caption(element, grad: float) -> str:
    f = element[1]
    return (f"Output {_element(element)} has gradient {number(grad)}: the window it read, times "
            f"{number(grad)}, is added onto filter {f}'s weight gradient.")


def weight_grad_tap_caption(element, kernel_index, grad: float, input_value: float, added: float) -> str:
    f = element[1]
    c, i, j = kernel_index
    return (f"Output {_element(element)}, tap (c={c}, i={i}, j={j}): grad {number(grad)} × input "
            f"{number(input_value)} = {number(added)} added onto w[{f}, {c}, {i}, {j}]'s gradient.")


def bias_grad_caption(f: int, terms: int, value: float) -> str:
    return (f"Filter {f}'s bias was added to all {terms:,} of its outputs, so its gradient is "
            f"the sum of their gradients: {number(value)}.")


def crop_zeros_caption(g: ConvGeometry, cells: int, dropped: float) -> str:
    return (f"Crop to {size(g.height, g.width)}: the gradient on the {cells:,} zero cells "
            f"(total {number(dropped)}) is dropped.")


def crop_emptied_caption(g: ConvGeometry) -> str:
    return f"Crop the emptied border: grad_input is {size(g.height, g.width)}, the input's size."


def fold_caption(row: int, cells: int, source_row: int) -> str:
    return (f"Padded row {row}: {cells} border {plural(cells, 'cell')} hand their gradient "
            f"to the pixels they copied (input row {source_row}).")
