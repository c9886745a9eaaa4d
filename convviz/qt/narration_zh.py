"""The trace's words in Simplified Chinese: phase explanations and frame captions.

``convviz.trace.narration`` is numpy-only and writes English; its docstring invites a view to
translate by replacing its functions. ``use()`` puts these in their place (``convviz.qt.i18n``
calls it when the interface is Chinese, before any trace is built) and ``restore()`` puts the
English ones back; both do the same for the pooling's and the transposed convolution's words
(``narration_zh_pooling``, ``narration_zh_transposed``). Each function here has the same name and
parameters as the one it replaces (tests/test_i18n.py checks it) and says the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from convviz.nn.functional import ConvGeometry
from convviz.trace import narration
from convviz.trace.narration import count, number, size

from . import narration_zh_pooling, narration_zh_transposed

MODE_RULES = {
    "reflect": "以边缘为镜面映射输入，但不重复边缘像素",
    "replicate": "重复最近的边缘像素",
    "circular": "绕到输入的另一侧（循环）",
}


def every(step: int, thing: str) -> str:
    """every(1, "行") -> "每一行", every(2, "行") -> "每隔 1 行"."""
    return f"每一{thing}" if step == 1 else f"每隔 {step - 1} {thing}"


def explanation(phase: str, g: ConvGeometry, taps: int, has_bias: bool, per_tap: bool) -> str:
    if phase == "slide":
        return slide(g, taps, has_bias, per_tap)
    if phase == "scatter":
        return scatter(g, taps)
    return {"pad": pad, "dilate": dilate, "weight_grad": weight_grad, "bias_grad": bias_grad,
            "fold": fold}[phase](g)


def pad(g: ConvGeometry) -> str:
    top, bottom, left, right = g.pads
    border = f"上方 {top} 行、下方 {bottom} 行、左侧 {left} 列、右侧 {right} 列"
    plane = f"每个 {size(g.height, g.width)} 的输入通道变为 {size(g.padded_height, g.padded_width)}"
    if g.padding_mode == "zeros":
        return f"在输入四周补零，{border}：{plane}，卷积核因此也能以边缘像素为中心。"
    return (f"填充{border}：{plane}。{g.padding_mode} 填充{MODE_RULES[g.padding_mode]}；"
            f"每一行填充都显示出边框格子复制的是哪个输入像素。")


def dilate(g: ConvGeometry) -> str:
    (kh, kw), (dh, dw) = g.kernel_size, g.dilation
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    holes = span_h * span_w - kh * kw
    return (f"用空洞（膨胀）{g.dilation} 把 {size(kh, kw)} 的卷积核撑开：它的元素落在 {size(span_h, span_w)} "
            f"覆盖范围中{every(dh, '行')}、{every(dw, '列')}的位置上，中间的 {count(holes)} 个格子是空洞，不参与相乘。")


def slide(g: ConvGeometry, taps: int, has_bias: bool, per_tap: bool) -> str:
    kh, kw = g.kernel_size
    outputs = g.batch * g.out_channels * g.out_height * g.out_width
    bias = "，再加上该滤波器的偏置" if has_bias else ""
    one_frame = "每帧一次乘加。" if per_tap else ""
    return (f"让 {g.out_channels} 个滤波器各自以步幅 {g.stride} 在填充后的输入上滑动：每个输出值是 {taps} 个乘积之和"
            f"（{g.in_per_group} 个通道 × {size(kh, kw)} 个元素）{bias}，共 {count(outputs)} 个输出。{one_frame}")


def scatter(g: ConvGeometry, taps: int) -> str:
    return (f"反向传到输入：每个输出的梯度沿着同样的 {taps} 个元素流回；元素 (c, i, j) 下方的填充输入格收到 "
            f"grad_output × w[f, c, i, j]，窗口重叠的地方这些量相加。")


def weight_grad(g: ConvGeometry) -> str:
    outputs = g.batch * g.out_height * g.out_width
    return (f"反向传到权重：每个输出把自己的梯度乘以它读取的窗口，加到它的滤波器的梯度上，所以每个权重的梯度是 "
            f"{count(outputs)} 项之和（grad_output × 它所乘的输入值）。")


def bias_grad(g: ConvGeometry) -> str:
    outputs = g.batch * g.out_height * g.out_width
    return (f"反向传到偏置：每个偏置都加到了它的滤波器的全部 {count(outputs)} 个输出上，"
            f"所以它的梯度是这 {count(outputs)} 个梯度之和。")


def fold(g: ConvGeometry) -> str:
    inner = size(g.height, g.width)
    if g.padding_mode == "zeros":
        return f"把梯度裁剪回 {inner}：落在零边框上的梯度被丢弃，因为那些格子是常数，不是像素。"
    return (f"把每个边框格子的梯度交还给它所复制的输入像素（{g.padding_mode} 填充），每帧一行填充，"
            f"然后裁剪到 {inner}：这就是 grad_input。")


# ----------------------------------------------------------------------------------------------
# Frame captions. (n, f, oy, ox) is the output element, (c, i, j) a kernel tap, (y, x) a padded cell.


def zero_border_caption(cells: int, g: ConvGeometry) -> str:
    return f"每个 {size(g.height, g.width)} 的输入通道周围有一圈共 {cells:,} 个零。"


def padded_row_caption(row: int, source_row: int, source_columns: Sequence[int], mode: str) -> str:
    columns = [str(c) for c in source_columns]
    listed = ", ".join(columns) if len(columns) <= 8 else ", ".join(columns[:3]) + ", …, " + ", ".join(columns[-3:])
    return f"填充行 {row}：{len(columns)} 个边框格子复制输入第 {source_row} 行的第 {listed} 列（{mode}）。"


def dilate_caption(tap: tuple[int, int], lands_at: tuple[int, int], footprint: tuple[int, int], holes: int) -> str:
    (i, j), (y, x) = tap, lands_at
    return f"元素 ({i}, {j}) 落在 {size(*footprint)} 膨胀卷积核的格子 ({y}, {x}) 上；其后是 {holes} 个空洞。"


def element_text(element) -> str:
    n, f, oy, ox = element
    return f"({n}, {f}, {oy}, {ox})"


def slide_caption(element, taps: int, channel_sums: Sequence[float], total: float, bias: float | None,
                  value: float) -> str:
    n, f, oy, ox = element
    if len(channel_sums) <= 4:
        sums = f"各通道之和 {' + '.join(number(s) for s in channel_sums)}"
    else:
        sums = f"{len(channel_sums)} 个通道的总和 {number(total)}"
    with_bias = "" if bias is None else f"，加偏置 {number(bias)}"
    return f"输出 (n={n}, f={f}, y={oy}, x={ox}) = {taps} 个乘积，{sums}{with_bias} = {number(value)}。"


def slide_tap_caption(element, kernel_index, padded, input_value: float, weight_value: float,
                      product: float, with_bias: bool, complete: bool, value: float) -> str:
    (c, i, j), (y, x) = kernel_index, padded
    return (f"输出 {element_text(element)}，元素 (c={c}, i={i}, j={j})：填充后位置 ({y}, {x}) 的输入 "
            f"{number(input_value)} × 权重 {number(weight_value)} = {number(product)}；"
            f"{'加上偏置后，' if with_bias else ''}{'输出为' if complete else '累加和'} {number(value)}。")


def scatter_caption(element, grad: float, taps: int) -> str:
    f = element[1]
    return (f"输出 {element_text(element)} 的梯度为 {number(grad)}：它的 {taps} 个元素各自把 "
            f"{number(grad)} × w[{f}, c, i, j] 加到所读取的填充输入格上。")


def scatter_tap_caption(element, kernel_index, padded, channel: int, grad: float, weight_value: float,
                        sent: float) -> str:
    (c, i, j), (y, x) = kernel_index, padded
    return (f"输出 {element_text(element)}，元素 (c={c}, i={i}, j={j})：梯度 {number(grad)} × 权重 "
            f"{number(weight_value)} = {number(sent)}，加到通道 {channel} 填充后的位置 ({y}, {x})。")


def weight_grad_caption(element, grad: float) -> str:
    f = element[1]
    return (f"输出 {element_text(element)} 的梯度为 {number(grad)}：它读取的窗口乘以 {number(grad)}，"
            f"加到滤波器 {f} 的权重梯度上。")


def weight_grad_tap_caption(element, kernel_index, grad: float, input_value: float, added: float) -> str:
    f = element[1]
    c, i, j = kernel_index
    return (f"输出 {element_text(element)}，元素 (c={c}, i={i}, j={j})：梯度 {number(grad)} × 输入 "
            f"{number(input_value)} = {number(added)}，加到 w[{f}, {c}, {i}, {j}] 的梯度上。")


def bias_grad_caption(f: int, terms: int, value: float) -> str:
    return f"滤波器 {f} 的偏置加到了它的全部 {terms:,} 个输出上，所以它的梯度是这些梯度之和：{number(value)}。"


def crop_zeros_caption(g: ConvGeometry, cells: int, dropped: float) -> str:
    return f"裁剪到 {size(g.height, g.width)}：{cells:,} 个零格子上的梯度（合计 {number(dropped)}）被丢弃。"


def crop_emptied_caption(g: ConvGeometry) -> str:
    return f"裁剪掉已清空的边框：grad_input 为 {size(g.height, g.width)}，与输入大小相同。"


def fold_caption(row: int, cells: int, source_row: int) -> str:
    return f"填充行 {row}：{cells} 个边框格子把梯度交还给它们复制的像素（输入第 {source_row} 行）。"


# What use() replaces: every function of narration that returns words for the screen.
REPLACED = ("explanation", "pad", "dilate", "slide", "scatter", "weight_grad", "bias_grad", "fold",
            "zero_border_caption", "padded_row_caption", "dilate_caption", "slide_caption", "slide_tap_caption",
            "scatter_caption", "scatter_tap_caption", "weight_grad_caption", "weight_grad_tap_caption",
            "bias_grad_caption", "crop_zeros_caption", "crop_emptied_caption", "fold_caption")
ENGLISH = {name: getattr(narration, name) for name in REPLACED}


def use() -> None:
    """Traces built from now on speak Chinese (the convolution's, the pooling's and the transposed
    convolution's)."""
    for name in REPLACED:
        setattr(narration, name, globals()[name])
    narration_zh_pooling.use()
    narration_zh_transposed.use()


def restore() -> None:
    """Traces built from now on speak English again."""
    for name, function in ENGLISH.items():
        setattr(narration, name, function)
    narration_zh_pooling.restore()
    narration_zh_transposed.restore()
