"""The one-line explanations shown on screen for each phase, with this configuration's numbers."""

from __future__ import annotations

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


def every(step: int, thing: str) -> str:
    """every(1, "row") -> "every row", every(2, "row") -> "every 2nd row"."""
    if step == 1:
        return f"every {thing}"
    suffix = "th" if 10 <= step % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(step % 10, "th")
    return f"every {step}{suffix} {thing}"


def pad(g: ConvGeometry) -> str:
    top, bottom, left, right = g.pads
    border = (f"{top} row{'s' * (top != 1)} above, {bottom} below, {left} column{'s' * (left != 1)} "
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
    unit = " One frame per multiply-add." if per_tap else ""
    return (f"Slide each of the {g.out_channels} filters over the padded input with stride {g.stride}: "
            f"every output value is the sum of {taps} products ({g.in_per_group} channel"
            f"{'s' * (g.in_per_group != 1)} × {size(kh, kw)} taps){bias}, "
            f"{count(outputs)} outputs in all.{unit}")


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
