"""Every line of English a transposed-convolution trace puts on screen: phase units and
explanations, frame captions. Plain numbers in, a string out (a view may replace these functions to
translate them); nothing here computes what the arithmetic needs."""

from __future__ import annotations

from collections.abc import Sequence

from .narration import count, number, plural, size
from .transposed_record import TransposedGeometry


def _pair(values: Sequence[int]) -> str:
    return str(values[0]) if values[0] == values[1] else f"({values[0]}, {values[1]})"


def unit(phase: str) -> str:
    return {"scatter": "one input element (n, c, y, x)", "crop": "the crop"}[phase]


def scatter_explanation(g: TransposedGeometry, low: int, high: int) -> str:
    """``low``..``high``: the fewest and most products an output cell receives per input channel."""
    kh, kw = g.kernel_size
    taps = g.out_per_group * kh * kw
    kernel = f"{g.out_per_group}×{size(kh, kw)}" if g.out_per_group > 1 else size(kh, kw)
    uneven = (f"output cells receive between {low} and {high} products per input channel, so the "
              f"overlap is uneven (the checkerboard of a transposed convolution)" if low != high else
              f"every output cell receives {low} {plural(low, 'product')} per input channel")
    return (f"Scatter: each of the {count(g.elements)} input values is multiplied by its {kernel} kernel "
            f"and the {taps} products are added onto the {size(g.full_height, g.full_width)} full plane: "
            f"input (y, x) lands on rows y·{g.stride[0]} + i·{g.dilation[0]} and columns "
            f"x·{g.stride[1]} + j·{g.dilation[1]}. Where footprints overlap the products add up: {uneven}.")


def crop_explanation(g: TransposedGeometry, has_bias: bool) -> str:
    (ph, pw), (oph, opw) = g.padding, g.output_padding
    full, out = size(g.full_height, g.full_width), size(g.out_height, g.out_width)
    if ph or pw:
        cut = f"Crop padding {_pair(g.padding)} off each side of the {full} full plane, leaving the {out} output"
    else:
        cut = f"Padding 0 crops nothing: the {full} full plane is the output"
    extra = (f"; output_padding {_pair(g.output_padding)} added the last rows and columns at the bottom and "
             f"right, which no product reaches" if oph or opw else "")
    bias = ". Then each output channel's bias is added" if has_bias else ""
    return f"{cut}{extra}{bias}."


def scatter_caption(element, value: float, g: TransposedGeometry, products: Sequence[float], full_rows: range,
                    full_cols: range, kept: int) -> str:
    n, c, iy, ix = element
    kh, kw = g.kernel_size
    group = c // g.in_per_group
    first = group * g.out_per_group
    channels = (f"output channel {first}" if g.out_per_group == 1 else
                f"output channels {first}..{first + g.out_per_group - 1}")
    if len(products) <= 9:
        listed = "products " + ", ".join(number(p) for p in products)
    else:
        listed = f"{len(products)} products from {number(min(products))} to {number(max(products))}"
    dropped = len(products) - kept
    fate = (f"all {kept} land in the output" if not dropped else
            f"{kept} land in the output, {dropped} on the border the crop drops")
    return (f"Input (n={n}, c={c}, y={iy}, x={ix}) = {number(value)} times w[{c}] ({g.out_per_group}×{size(kh, kw)}): "
            f"{listed}, added onto full-plane rows {full_rows.start}..{full_rows.stop - 1} and columns "
            f"{full_cols.start}..{full_cols.stop - 1} of {channels}; {fate}.")


def crop_caption(g: TransposedGeometry, dropped_cells: int, dropped_sum: float, dropped_products: int,
                 empty_cells: int, has_bias: bool) -> str:
    planes = g.batch * g.out_channels
    if dropped_cells:
        cut = (f"Crop the {size(g.full_height, g.full_width)} full plane to {size(g.out_height, g.out_width)}: "
               f"{count(dropped_cells)} border {plural(dropped_cells, 'cell')} of each of the {planes} "
               f"{plural(planes, 'plane')} are dropped, with the {count(dropped_products)} "
               f"{plural(dropped_products, 'product')} on them (sum {number(dropped_sum)})")
    else:
        cut = f"Nothing to crop: the {size(g.full_height, g.full_width)} full plane is the output"
    empty = (f"; {count(empty_cells)} output {plural(empty_cells, 'cell')} per plane got no product"
             f" (output_padding past every scatter's reach)" if empty_cells else "")
    bias = ", and each output channel's bias is added" if has_bias else ""
    return f"{cut}{empty}{bias}."


def direct_road_note(g: TransposedGeometry, z_shape: Sequence[int]) -> str:
    """What the direct road's convolution is, in this transposed convolution's numbers; ``z_shape``
    is the zero-inserted input's."""
    (sh, sw), (dh, dw), (kh, kw), (ph, pw) = g.stride, g.dilation, g.kernel_size, g.padding
    between = f"{sh - 1} zero{'s' * (sh != 2)}" if sh == sw else f"{sh - 1} (rows) and {sw - 1} (columns) zeros"
    border = (dh * (kh - 1) - ph, dw * (kw - 1) - pw)
    around = (f"{border[0]} row{'s' * (border[0] != 1)} and {border[1]} column{'s' * (border[1] != 1)} of zeros "
              f"on each side (d·(K−1) − p)")
    if min(border) < 0:
        around = f"cropped by {max(0, -border[0])} rows and {max(0, -border[1])} columns on each side (p > d·(K−1))"
    extra = ", plus output_padding at the bottom and right" if any(g.output_padding) else ""
    return (f"The transposed convolution as a direct convolution: z is x with {between} inserted between "
            f"neighbouring pixels (stride − 1) and {around}{extra}, {'×'.join(map(str, z_shape))} in all; the "
            f"kernel is turned 180° with its channels swapped; stride 1.")
