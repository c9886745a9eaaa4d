"""Every line of English a pooling trace puts on screen: phase units and explanations, frame captions.

As in ``narration``: each function takes plain numbers (and the geometry) and returns a string, so
a view may translate or restyle them by replacing this module's functions; none computes anything
the arithmetic needs. Names such as ``y[0, 1, 2]`` and ``x[0, 3, 4]`` come in already written in
the caller's layout (no batch index for an unbatched input).
"""

from __future__ import annotations

from collections.abc import Sequence

from convviz.nn.functional import PoolGeometry

from .narration import count, number, plural, size


def element_name(array: str, index: Sequence[int]) -> str:
    """element_name("y", (0, 1, 2)) -> "y[0, 1, 2]"."""
    return f"{array}[{', '.join(str(int(v)) for v in index)}]"


def unit(phase: str) -> str:
    """What one frame of ``phase`` is."""
    return {"pool": "one output element", "route": "one output element"}[phase]


def _window(g: PoolGeometry) -> str:
    (kh, kw), (dh, dw) = g.kernel_size, g.dilation
    span = size(dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    dilated = "" if g.dilation == (1, 1) else f", dilation {g.dilation} (spanning {span})"
    return f"the {size(kh, kw)} window with stride {g.stride}{dilated}"


def _border(kind: str, g: PoolGeometry, count_include_pad: bool) -> str:
    """What the cells outside the input hold, and (avg) whether the divisor counts them."""
    parts = []
    if any(g.padding):
        if kind == "max":
            parts.append(f"padding {g.padding} holds -inf, which never wins")
        elif count_include_pad:
            parts.append(f"padding {g.padding} holds zeros, counted in the divisor")
        else:
            parts.append(f"padding {g.padding} holds zeros, not counted in the divisor")
    _, bottom, _, right = g.padded_extent
    if bottom > g.padding[0] or right > g.padding[1]:  # (only ceil_mode can do that)
        onto = "onto cells holding -inf" if kind == "max" else "onto zeros the divisor never counts"
        parts.append(f"ceil_mode lets the last windows run past the padding, {onto}")
    return "" if not parts else " (" + "; ".join(parts) + ")"


def explanation(phase: str, kind: str, g: PoolGeometry, count_include_pad: bool) -> str:
    """The one-line explanation of ``phase`` with this configuration's numbers."""
    outputs = count(g.batch * g.channels * g.out_height * g.out_width)
    channels = "the channel" if g.channels == 1 else f"each of the {g.channels} channels"
    if phase == "pool" and kind == "max":
        return (f"Slide {_window(g)} over {channels}{_border(kind, g, count_include_pad)}: each output "
                f"is the largest value in its window (on a tie the first in reading order, as torch), "
                f"{outputs} outputs in all.")
    if phase == "pool":
        return (f"Slide {_window(g)} over {channels}{_border(kind, g, count_include_pad)}: each output "
                f"is the mean of its window, its sum divided by the cells counted, {outputs} outputs in all.")
    if kind == "max":
        return ("Backward: each output's gradient goes whole to the one pixel that was its window's "
                "maximum and the window's other pixels get nothing; a pixel chosen by several "
                "overlapping windows adds up their gradients.")
    return ("Backward: each output's gradient is shared evenly, gradient / divisor to every pixel of its "
            "window inside the input (the padding's shares are dropped); where windows overlap the "
            "shares add up.")


# ----------------------------------------------------------------------------------------------
# Frame captions


def _outside(padding: int, holding: str) -> str:
    if not padding:
        return ""
    return f"; {padding} {plural(padding, 'cell')} {'lies' if padding == 1 else 'lie'} outside the input and {holding}"


def max_caption(output: str, cells: int, padding: int, value: float, tap: tuple[int, int], pixel: str,
                ties: int, has_nan: bool, all_minus_inf: bool) -> str:
    """A max window: ``ties`` inside values equal to the maximum; ``pixel`` the one torch reports."""
    i, j = tap
    head = f"{output} = max of {cells} {plural(cells, 'value')} = {number(value)}"
    outside = _outside(padding, "hold -inf" if padding > 1 else "holds -inf")
    if has_nan:
        return f"{head}: a NaN beats every number, and torch takes the last NaN, {pixel} (tap ({i}, {j})){outside}."
    if all_minus_inf:
        return (f"{head}: every pixel is -inf, and torch reports the first inside the window, {pixel} "
                f"(tap ({i}, {j})){outside}.")
    tie = f"; {ties} values tie and torch takes the first" if ties > 1 else ""
    return f"{head}, at {pixel} (tap ({i}, {j})){tie}{outside}."


def avg_caption(output: str, cells: int, padding: int, total: float, divisor: float, value: float,
                counted_padding: int, past_padding: int) -> str:
    """An average window: ``padding`` of its cells outside the input, ``counted_padding`` of them in
    the divisor, ``past_padding`` of them past the padding (a ceil_mode window)."""
    head = (f"{output} = sum of {cells} {plural(cells, 'value')} / {number(divisor)} = "
            f"{number(total)} / {number(divisor)} = {number(value)}")
    if not padding:
        return head + "."
    inside = cells - padding
    counted = (f"the divisor counts {inside} {plural(inside, 'pixel')} + {counted_padding} padding"
               if counted_padding else f"the divisor counts the {inside} {plural(inside, 'pixel')} only")
    past = f", not the {past_padding} past the padding" if past_padding else ""
    return f"{head}{_outside(padding, 'add 0' if padding > 1 else 'adds 0')}; {counted}{past}."


def route_max_caption(output: str, grad: float, pixel: str, tap: tuple[int, int], others: int) -> str:
    i, j = tap
    rest = ("" if not others else "; the other pixel gets nothing" if others == 1
            else f"; the other {others} get nothing")
    return f"∂L/∂{output} = {number(grad)} goes to {pixel}, the window's maximum (tap ({i}, {j})){rest}."


def route_avg_caption(output: str, grad: float, divisor: float, share: float, pixels: int, dropped: int) -> str:
    drop = f"; the {dropped} {plural(dropped, 'cell')} outside the input keep none" if dropped else ""
    to = "the one pixel of its window" if pixels == 1 else f"each of the {pixels} pixels of its window"
    return (f"∂L/∂{output} = {number(grad)} shared: {number(grad)} / {number(divisor)} = {number(share)} "
            f"to {to}{drop}.")


def pixel_name(input_index: Sequence[int]) -> str:
    return element_name("x", input_index)
