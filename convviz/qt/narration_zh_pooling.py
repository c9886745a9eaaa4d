"""The pooling trace's words in Simplified Chinese (``convviz.trace.pooling_narration``).

As ``narration_zh`` does for the convolution: ``use()`` puts these functions in the place of the
English ones (``narration_zh.use()`` calls it), ``restore()`` puts the English back. Same names and
parameters as the functions they replace (tests/test_i18n.py checks it), same numbers in the text.
The names ``y[0, 1, 2]`` and ``x[0, 3, 4]`` come in already written (``element_name``, no words).
"""

from __future__ import annotations

from convviz.nn.functional import PoolGeometry
from convviz.trace import pooling_narration
from convviz.trace.narration import count, number, size


def window_text(g: PoolGeometry) -> str:
    (kh, kw), (dh, dw) = g.kernel_size, g.dilation
    span = size(dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    dilated = "" if g.dilation == (1, 1) else f"、空洞 {g.dilation}（覆盖 {span}）"
    return f"{size(kh, kw)} 的窗口以步幅 {g.stride}{dilated or ' '}"  # a space before 在, none after ）


def border_text(kind: str, g: PoolGeometry, count_include_pad: bool) -> str:
    """What the cells outside the input hold, and (avg) whether the divisor counts them."""
    parts = []
    if any(g.padding):
        if kind == "max":
            parts.append(f"填充 {g.padding} 的格子为 -inf，永远不会是最大值")
        elif count_include_pad:
            parts.append(f"填充 {g.padding} 的格子为零，计入除数")
        else:
            parts.append(f"填充 {g.padding} 的格子为零，不计入除数")
    _, bottom, _, right = g.padded_extent
    if bottom > g.padding[0] or right > g.padding[1]:  # (only ceil_mode can do that)
        onto = "伸到值为 -inf 的格子上" if kind == "max" else "伸到除数从不计入的零上"
        parts.append(f"ceil_mode 让最后的窗口越过填充，{onto}")
    return "" if not parts else "（" + "；".join(parts) + "）"


def explanation(phase: str, kind: str, g: PoolGeometry, count_include_pad: bool) -> str:
    outputs = count(g.batch * g.channels * g.out_height * g.out_width)
    channels = "输入通道" if g.channels == 1 else f"{g.channels} 个通道中的每一个"
    slide = f"让 {window_text(g)}在{channels}上滑动{border_text(kind, g, count_include_pad)}"
    if phase == "pool" and kind == "max":
        return (f"{slide}：每个输出是其窗口中的最大值（有并列时取按行读取顺序的第一个，与 torch 相同），"
                f"共 {outputs} 个输出。")
    if phase == "pool":
        return f"{slide}：每个输出是其窗口的平均值，即窗口之和除以计入的格子数，共 {outputs} 个输出。"
    if kind == "max":
        return ("反向：每个输出的梯度全部交给其窗口中作为最大值的那个像素，窗口中的其他像素什么也得不到；"
                "被几个重叠窗口同时选中的像素把它们的梯度相加。")
    return ("反向：每个输出的梯度被平均分配，窗口中位于输入内的每个像素得到 梯度 / 除数（落在填充上的份额被丢弃）；"
            "窗口重叠的地方这些份额相加。")


# ----------------------------------------------------------------------------------------------
# Frame captions


def outside_text(padding: int, holding: str) -> str:
    return f"；其中 {padding} 个格子位于输入之外，{holding}" if padding else ""


def max_caption(output: str, cells: int, padding: int, value: float, tap: tuple[int, int], pixel: str,
                ties: int, has_nan: bool, all_minus_inf: bool) -> str:
    i, j = tap
    head = f"{output} = {cells} 个值中的最大值 = {number(value)}"
    outside = outside_text(padding, "值为 -inf")
    if has_nan:
        return f"{head}：NaN 胜过任何数，torch 取最后一个 NaN，即 {pixel}（窗口位置 ({i}, {j})）{outside}。"
    if all_minus_inf:
        return f"{head}：每个像素都是 -inf，torch 报告窗口内的第一个，即 {pixel}（窗口位置 ({i}, {j})）{outside}。"
    tie = f"；有 {ties} 个值并列，torch 取第一个" if ties > 1 else ""
    return f"{head}，位于 {pixel}（窗口位置 ({i}, {j})）{tie}{outside}。"


def avg_caption(output: str, cells: int, padding: int, total: float, divisor: float, value: float,
                counted_padding: int, past_padding: int) -> str:
    head = (f"{output} = {cells} 个值之和 / {number(divisor)} = "
            f"{number(total)} / {number(divisor)} = {number(value)}")
    if not padding:
        return head + "。"
    inside = cells - padding
    counted = (f"除数计入 {inside} 个像素 + {counted_padding} 个填充格" if counted_padding
               else f"除数只计入这 {inside} 个像素")
    past = f"，不计入越过填充的 {past_padding} 个格子" if past_padding else ""
    return f"{head}{outside_text(padding, '值为 0')}；{counted}{past}。"


def route_max_caption(output: str, grad: float, pixel: str, tap: tuple[int, int], others: int) -> str:
    i, j = tap
    rest = "" if not others else "；另一个像素什么也得不到" if others == 1 else f"；其余 {others} 个像素什么也得不到"
    return f"∂L/∂{output} = {number(grad)} 交给窗口的最大值 {pixel}（窗口位置 ({i}, {j})）{rest}。"


def route_avg_caption(output: str, grad: float, divisor: float, share: float, pixels: int, dropped: int) -> str:
    drop = f"；输入之外的 {dropped} 个格子不分得任何份额" if dropped else ""
    to = "窗口中唯一的像素得到" if pixels == 1 else f"窗口中的 {pixels} 个像素各得"
    return (f"∂L/∂{output} = {number(grad)} 平均分配：{to} "
            f"{number(grad)} / {number(divisor)} = {number(share)}{drop}。")


# What use() replaces: every function of pooling_narration that writes words (element_name,
# pixel_name write array names; unit's strings are translated by tr() in the scene).
REPLACED = ("explanation", "max_caption", "avg_caption", "route_max_caption", "route_avg_caption")
ENGLISH = {name: getattr(pooling_narration, name) for name in REPLACED}


def use() -> None:
    """Pooling traces built from now on speak Chinese."""
    for name in REPLACED:
        setattr(pooling_narration, name, globals()[name])


def restore() -> None:
    """Pooling traces built from now on speak English again."""
    for name, function in ENGLISH.items():
        setattr(pooling_narration, name, function)
