"""The transposed convolution trace's words in Simplified Chinese (``convviz.trace.transposed_narration``).

As ``narration_zh`` does for the convolution: ``use()`` puts these functions in the place of the
English ones (``narration_zh.use()`` calls it), ``restore()`` puts the English back. Same names and
parameters as the functions they replace (tests/test_i18n.py checks it), same numbers in the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from convviz.trace import transposed_narration
from convviz.trace.narration import count, number, size
from convviz.trace.transposed_record import TransposedGeometry


def pair(values: Sequence[int]) -> str:
    return str(values[0]) if values[0] == values[1] else f"({values[0]}, {values[1]})"


def scatter_explanation(g: TransposedGeometry, low: int, high: int) -> str:
    kh, kw = g.kernel_size
    taps = g.out_per_group * kh * kw
    kernel = f"{g.out_per_group}×{size(kh, kw)}" if g.out_per_group > 1 else size(kh, kw)
    uneven = (f"每个输出格（每个输入通道）收到 {low} 到 {high} 个乘积，重叠并不均匀（这就是转置卷积的棋盘格效应）"
              if low != high else f"每个输出格（每个输入通道）都收到 {low} 个乘积")
    return (f"散布：{count(g.elements)} 个输入值各自乘以它的 {kernel} 卷积核，把 {taps} 个乘积加到 "
            f"{size(g.full_height, g.full_width)} 的完整平面上：输入 (y, x) 落在第 y·{g.stride[0]} + i·{g.dilation[0]} 行、"
            f"第 x·{g.stride[1]} + j·{g.dilation[1]} 列。覆盖区域重叠的地方乘积相加：{uneven}。")


def crop_explanation(g: TransposedGeometry, has_bias: bool) -> str:
    (ph, pw), (oph, opw) = g.padding, g.output_padding
    full, out = size(g.full_height, g.full_width), size(g.out_height, g.out_width)
    if ph or pw:
        cut = f"从 {full} 的完整平面的每一边裁掉填充 {pair(g.padding)}，剩下 {out} 的输出"
    else:
        cut = f"填充为 0，什么也不裁：{full} 的完整平面就是输出"
    extra = (f"；output_padding {pair(g.output_padding)} 在底部和右侧添加了最后的几行和几列，没有乘积落到那里"
             if oph or opw else "")
    bias = "。然后给每个输出通道加上它的偏置" if has_bias else ""
    return f"{cut}{extra}{bias}。"


def scatter_caption(element, value: float, g: TransposedGeometry, products: Sequence[float], full_rows: range,
                    full_cols: range, kept: int) -> str:
    n, c, iy, ix = element
    kh, kw = g.kernel_size
    first = (c // g.in_per_group) * g.out_per_group
    channels = (f"输出通道 {first}" if g.out_per_group == 1 else
                f"输出通道 {first}..{first + g.out_per_group - 1}")
    if len(products) <= 9:
        listed = "乘积 " + ", ".join(number(p) for p in products)
    else:
        listed = f"{len(products)} 个乘积，从 {number(min(products))} 到 {number(max(products))}"
    dropped = len(products) - kept
    fate = f"全部 {kept} 个都落在输出中" if not dropped else f"{kept} 个落在输出中，{dropped} 个落在裁剪掉的边框上"
    return (f"输入 (n={n}, c={c}, y={iy}, x={ix}) = {number(value)} 乘以 w[{c}]（{g.out_per_group}×{size(kh, kw)}）："
            f"{listed}，加到{channels} 的完整平面的第 {full_rows.start}..{full_rows.stop - 1} 行、"
            f"第 {full_cols.start}..{full_cols.stop - 1} 列；{fate}。")


def crop_caption(g: TransposedGeometry, dropped_cells: int, dropped_sum: float, dropped_products: int,
                 empty_cells: int, has_bias: bool) -> str:
    planes = g.batch * g.out_channels
    full = size(g.full_height, g.full_width)
    if dropped_cells:
        cut = (f"把 {full} 的完整平面裁剪为 {size(g.out_height, g.out_width)}：{planes} 个平面各丢弃 "
               f"{count(dropped_cells)} 个边框格子，连同其上的 {count(dropped_products)} 个乘积（合计 {number(dropped_sum)}）")
    else:
        cut = f"无需裁剪：{full} 的完整平面就是输出"
    empty = (f"；每个平面有 {count(empty_cells)} 个输出格没有收到乘积（output_padding 超出了所有散布能到达的范围）"
             if empty_cells else "")
    bias = "，并给每个输出通道加上它的偏置" if has_bias else ""
    return f"{cut}{empty}{bias}。"


def direct_road_note(g: TransposedGeometry, z_shape: Sequence[int]) -> str:
    (sh, sw), (dh, dw), (kh, kw), (ph, pw) = g.stride, g.dilation, g.kernel_size, g.padding
    between = f"{sh - 1} 个零" if sh == sw else f"{sh - 1} 个零（行间）和 {sw - 1} 个零（列间）"
    border = (dh * (kh - 1) - ph, dw * (kw - 1) - pw)
    around = f"每一边补上 {border[0]} 行和 {border[1]} 列零 (d·(K−1) − p)"
    if min(border) < 0:
        around = f"每一边裁掉 {max(0, -border[0])} 行和 {max(0, -border[1])} 列 (p > d·(K−1))"
    extra = "，再在底部和右侧加上 output_padding" if any(g.output_padding) else ""
    return (f"把转置卷积写成直接卷积：z 是在 x 的相邻像素之间插入 {between}（步幅 − 1），并且{around}{extra}，"
            f"共 {'×'.join(map(str, z_shape))}；卷积核旋转 180°，并交换输入和输出通道；步幅为 1。")


# What use() replaces: every function of transposed_narration that writes words (unit's strings
# are translated by tr() in the scene).
REPLACED = ("scatter_explanation", "crop_explanation", "scatter_caption", "crop_caption", "direct_road_note")
ENGLISH = {name: getattr(transposed_narration, name) for name in REPLACED}


def use() -> None:
    """Transposed-convolution traces built from now on speak Chinese."""
    for name in REPLACED:
        setattr(transposed_narration, name, globals()[name])


def restore() -> None:
    """Transposed-convolution traces built from now on speak English again."""
    for name, function in ENGLISH.items():
        setattr(transposed_narration, name, function)
