"""Receptive fields of a stack of convolutions and poolings, with the formula of every number (numpy only).

Arithmetic as in Dang Ha The Hien's "A guide to receptive field arithmetic for convolutional
neural networks", per axis, layer l reading the output of layer l-1 (layer 0 is the input):

    k′  = d·(k − 1) + 1                    the window's span (the kernel with its dilation)
    n_l = ⌊(n_{l−1} + 2p − k′) / s⌋ + 1    output size (conv2d, and pooling with ceil_mode False)
    j_l = j_{l−1}·s                        jump: input pixels between neighbouring outputs
    r_l = r_{l−1} + (k′ − 1)·j_{l−1}       receptive field: the span of input pixels one output sees
    c_l = c_{l−1} + ((k′ − 1)/2 − p)·j_{l−1}   start: input coordinate of the centre of output 0's field

with j_0 = 1, r_0 = 1 and c_0 = 0. Coordinates are pixel indices: the centre of input pixel i is i
(the guide puts it at i + 0.5, so its starts are ours + 0.5). Output (oy, ox) of layer l sees the
input rows c_l + oy·j_l ± (r_l − 1)/2 (inclusive), and the columns likewise. r is a span: with
dilation some pixels inside it may not be read at all (a single 3×3 with d = 2 reads every other
one), and with padding the span may reach outside the image, into the zeros.

>>> [f.r for f in receptive_fields(PRESETS["two_3x3"])]
[(3, 3), (5, 5)]
>>> field_of(PRESETS["two_3x3"], 0, 0).rect
Rect(top=0, left=0, bottom=4, right=4)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from convviz.nn.functional.checks import int_pair, is_int

__all__ = ["KINDS", "PRESETS", "SOURCE_INPUT_SIZE", "SOURCE_NETWORK", "AxisField", "Field", "Layer", "LayerField",
           "ReceptiveFieldError", "Rect", "Share", "field_of", "receptive_fields"]

KINDS = ("conv", "max_pool", "avg_pool")
AXES = ("y", "x")  # rows, columns
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(n: int) -> str:
    return str(n).translate(_SUBSCRIPTS)


def _number(value) -> str:
    """An int or a Fraction as it is written in a formula: 6.5, −12 (a real minus sign)."""
    value = Fraction(value)
    text = str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
    return text.replace("-", "−")


class ReceptiveFieldError(ValueError):
    """A stack that cannot be computed. ``layer`` is the 1-based layer at fault (0: the stack or
    the input itself), ``axis`` "y" or "x" (or None), ``formula`` the output-size formula with its
    numbers (no words, so that a translated view can put its own sentence around it)."""

    def __init__(self, message: str, layer: int = 0, axis: str | None = None, formula: str = ""):
        super().__init__(message)
        self.layer, self.axis, self.formula = layer, axis, formula


@dataclass(frozen=True)
class Layer:
    """One layer of a stack: ``kind`` "conv", "max_pool" or "avg_pool"; ``kernel``, ``stride``,
    ``padding``, ``dilation`` each an int or a (rows, columns) pair, kept as pairs.

    The rules are torch's: kernel, stride and dilation positive, padding at least 0; a pooling's
    padding at most half its kernel (p ≤ k // 2); average pooling has no dilation. ``Layer.conv``,
    ``Layer.max_pool`` and ``Layer.avg_pool`` give a pooling torch's default stride (the kernel).
    """

    kind: str
    kernel: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"a layer's kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        for name, minimum in (("kernel", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            object.__setattr__(self, name, int_pair(getattr(self, name), f"{self.kind} {name}", minimum))
        if self.kind != "conv" and (self.padding[0] > self.kernel[0] // 2 or self.padding[1] > self.kernel[1] // 2):
            raise ValueError(f"a pooling's padding must be at most half its kernel on each axis (p ≤ k // 2, as "
                             f"torch requires), got padding {self.padding} for kernel {self.kernel}")
        if self.kind == "avg_pool" and self.dilation != (1, 1):
            raise ValueError(f"average pooling has no dilation (torch's avg_pool2d takes none), got {self.dilation}")

    @classmethod
    def conv(cls, kernel, stride=1, padding=0, dilation=1) -> Layer:
        return cls("conv", kernel, stride, padding, dilation)

    @classmethod
    def max_pool(cls, kernel, stride=None, padding=0, dilation=1) -> Layer:
        return cls("max_pool", kernel, kernel if stride is None else stride, padding, dilation)

    @classmethod
    def avg_pool(cls, kernel, stride=None, padding=0) -> Layer:
        return cls("avg_pool", kernel, kernel if stride is None else stride, padding)

    @property
    def span(self) -> tuple[int, int]:
        """k′ = d·(k − 1) + 1 per axis: the input rows and columns one window covers."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))

    def as_dict(self) -> dict:
        """Plain lists and strings, for JSON (``Layer.from_dict`` reads it back)."""
        return {"kind": self.kind, "kernel": list(self.kernel), "stride": list(self.stride),
                "padding": list(self.padding), "dilation": list(self.dilation)}

    @classmethod
    def from_dict(cls, data: dict) -> Layer:
        if not isinstance(data, dict) or "kind" not in data or "kernel" not in data:
            raise ValueError(f"a layer must be a dict with at least 'kind' and 'kernel', got {data!r}")
        pair = lambda v: tuple(v) if isinstance(v, list) else v  # noqa: E731  (JSON gives lists)
        return cls(data["kind"], pair(data["kernel"]), pair(data.get("stride", 1)), pair(data.get("padding", 0)),
                   pair(data.get("dilation", 1)))


@dataclass(frozen=True)
class AxisField:
    """One axis of one layer: receptive field ``r``, ``jump``, ``start`` (a Fraction: halves occur
    with even windows), ``first`` = start − (r − 1)/2 (input index of the first pixel output 0
    sees, an int), the output ``size`` (None without an input size), and each as a formula."""

    r: int
    jump: int
    start: Fraction
    first: int
    size: int | None
    r_formula: str
    jump_formula: str
    start_formula: str
    size_formula: str | None


@dataclass(frozen=True)
class LayerField:
    """Layer ``index`` (1-based) of the stack and its numbers on both axes (``y`` rows, ``x`` columns)."""

    index: int
    layer: Layer
    y: AxisField
    x: AxisField

    @property
    def r(self) -> tuple[int, int]:
        return self.y.r, self.x.r

    @property
    def jump(self) -> tuple[int, int]:
        return self.y.jump, self.x.jump

    @property
    def start(self) -> tuple[Fraction, Fraction]:
        return self.y.start, self.x.start

    @property
    def size(self) -> tuple[int, int] | None:
        return None if self.y.size is None else (self.y.size, self.x.size)

    def formulas(self, name: str) -> tuple[str, str]:
        """The (rows, columns) formula of ``name``: "r", "jump", "start" or "size"."""
        return getattr(self.y, f"{name}_formula"), getattr(self.x, f"{name}_formula")


def _check_size(input_size) -> tuple[int, int] | None:
    if input_size is None:
        return None
    try:
        return int_pair(input_size, "input_size", minimum=1)
    except (TypeError, ValueError) as error:
        raise ReceptiveFieldError(f"{error} (the input's height and width in pixels)") from None


def _check_layers(layers) -> tuple[Layer, ...]:
    layers = tuple(layers)
    if not layers:
        raise ReceptiveFieldError("a stack needs at least one layer")
    for i, layer in enumerate(layers, start=1):
        if not isinstance(layer, Layer):
            raise ReceptiveFieldError(f"layer {i} must be a Layer, got {type(layer).__name__}", layer=i)
    return layers


def _axis(layer: Layer, index: int, axis: int, previous: AxisField | None, n_in: int | None) -> AxisField:
    """One axis of layer ``index`` from the previous layer's (None: the input)."""
    k, s, p, d = layer.kernel[axis], layer.stride[axis], layer.padding[axis], layer.dilation[axis]
    span = d * (k - 1) + 1
    r_in, j_in, c_in, first_in = (1, 1, Fraction(0), 0) if previous is None else (
        previous.r, previous.jump, previous.start, previous.first)
    jump, r = j_in * s, r_in + (span - 1) * j_in
    start = c_in + (Fraction(span - 1, 2) - p) * j_in
    first = first_in - p * j_in
    now, before = _sub(index), _sub(index - 1)
    # With dilation the formula uses k′ and says what it is; without, k′ is k and is written so.
    k_name, k_text = ("k′", f", k′ = d·(k−1)+1 = {d}·({k}−1)+1 = {span}") if d > 1 else ("k", "")
    k_value = span if d > 1 else k
    jump_formula = f"j{now} = j{before}·s = {j_in}·{s} = {jump}"
    r_formula = f"r{now} = r{before} + ({k_name}−1)·j{before} = {r_in} + ({k_value}−1)·{j_in} = {r}{k_text}"
    start_formula = (f"c{now} = c{before} + (({k_name}−1)/2 − p)·j{before} = "
                     f"{_number(c_in)} + (({k_value}−1)/2 − {p})·{j_in} = {_number(start)}{k_text}")
    size = size_formula = None
    if n_in is not None:
        size = (n_in + 2 * p - span) // s + 1
        size_formula = (f"n{now} = ⌊(n{before} + 2p − {k_name})/s⌋ + 1 = "
                        f"⌊({n_in} + 2·{p} − {k_value})/{s}⌋ + 1 = {_number(size)}{k_text}")
        if size < 1:
            raise ReceptiveFieldError(
                f"layer {index} ({layer.kind} {layer.kernel[0]}×{layer.kernel[1]}) does not fit the previous output "
                f"along {AXES[axis]}: its window spans {span} but the padded previous output is only "
                f"n{before} + 2p = {n_in} + 2·{p} = {n_in + 2 * p} long, so {size_formula}",
                layer=index, axis=AXES[axis], formula=size_formula)
    return AxisField(r, jump, start, first, size, r_formula, jump_formula, start_formula, size_formula)


def receptive_fields(layers, input_size=None) -> list[LayerField]:
    """Per layer of ``layers`` (a sequence of ``Layer``), its receptive field, jump, start and, when
    ``input_size`` (an int or (height, width)) is given, its output size, with their formulas.

    Raises ``ReceptiveFieldError`` for an empty stack, a bad input size, or a layer whose window no
    longer fits the previous output (naming the layer, the axis and the size formula).
    """
    layers, size = _check_layers(layers), _check_size(input_size)
    fields: list[LayerField] = []
    for index, layer in enumerate(layers, start=1):
        before = fields[-1] if fields else None
        axes = []
        for axis in (0, 1):
            previous = None if before is None else (before.y, before.x)[axis]
            n_in = None if size is None else (size[axis] if previous is None else previous.size)
            axes.append(_axis(layer, index, axis, previous, n_in))
        fields.append(LayerField(index, layer, *axes))
    return fields


@dataclass(frozen=True)
class Rect:
    """Inclusive pixel ranges: rows top..bottom, columns left..right (may be negative or beyond the image)."""

    top: int
    left: int
    bottom: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1

    def clipped(self, size: tuple[int, int]) -> Rect | None:
        """The part inside an image of ``size`` (height, width); None if nothing is."""
        top, left = max(self.top, 0), max(self.left, 0)
        bottom, right = min(self.bottom, size[0] - 1), min(self.right, size[1] - 1)
        return Rect(top, left, bottom, right) if top <= bottom and left <= right else None

    def outside(self, size: tuple[int, int]) -> tuple[str, ...]:
        """The sides ("top", "left", "bottom", "right") that reach outside an image of ``size``."""
        beyond = {"top": self.top < 0, "left": self.left < 0, "bottom": self.bottom >= size[0],
                  "right": self.right >= size[1]}
        return tuple(side for side, out in beyond.items() if out)


@dataclass(frozen=True)
class Share:
    """Layer ``index``'s part in the field of the chosen output.

    ``units``: the outputs of this layer the chosen pixel depends on, as the rectangle around
    them in this layer's output grid (with the input size known, only real outputs count, not
    padding; None if the windows above read only this layer's padding). ``unit``: the central one,
    found by following each window's centre tap (the upper-left of the two middles for an even
    window) down from the chosen pixel. ``rect``: the input that ``unit`` sees (its field, by the
    arithmetic). The rects are nested, growing from layer 1 to the last, whose rect is the field.
    """

    index: int
    units: Rect | None
    unit: tuple[int, int]
    rect: Rect


@dataclass(frozen=True)
class Field:
    """What output ``output`` (oy, ox) of the last layer sees.

    ``rect``: its receptive field on the input by the arithmetic (r × r around its centre),
    which may reach outside the image. ``shares``: per layer, 1 to L. With ``input_size``:
    ``outside`` names the sides where ``rect`` reaches beyond the image, and ``read_rows`` /
    ``read_columns`` are the input rows and columns the pixel really reads (every pixel of their
    product; fewer than ``rect`` where dilation skips some, or where a later layer's padding stands
    in for outputs that do not exist), with ``read`` the rectangle around them (None: only padding).
    """

    output: tuple[int, int]
    rect: Rect
    shares: tuple[Share, ...]
    input_size: tuple[int, int] | None
    outside: tuple[str, ...]
    read_rows: tuple[int, ...] = ()
    read_columns: tuple[int, ...] = ()

    @property
    def reaches_outside(self) -> bool:
        return bool(self.outside)

    @property
    def read(self) -> Rect | None:
        if not self.read_rows or not self.read_columns:
            return None
        return Rect(self.read_rows[0], self.read_columns[0], self.read_rows[-1], self.read_columns[-1])


def _unit_rect(field: LayerField, unit: tuple[int, int]) -> Rect:
    top = field.y.first + unit[0] * field.y.jump
    left = field.x.first + unit[1] * field.x.jump
    return Rect(top, left, top + field.y.r - 1, left + field.x.r - 1)


def _read_below(positions: np.ndarray, layer: Layer, axis: int, size_below: int | None) -> np.ndarray:
    """The positions of the layer below that the windows at ``positions`` read (sorted, unique);
    with the size below known, only real ones (0 .. size − 1), not padding."""
    k, s, p, d = layer.kernel[axis], layer.stride[axis], layer.padding[axis], layer.dilation[axis]
    below = np.unique((positions[:, None] * s - p + np.arange(k) * d).ravel())
    return below if size_below is None else below[(below >= 0) & (below < size_below)]


def _bounds(rows: np.ndarray, columns: np.ndarray) -> Rect | None:
    if rows.size == 0 or columns.size == 0:
        return None
    return Rect(int(rows[0]), int(columns[0]), int(rows[-1]), int(columns[-1]))


def field_of(layers, oy: int, ox: int, input_size=None) -> Field:
    """The input rectangle output pixel (``oy``, ``ox``) of the last layer sees, and each layer's share.

    With ``input_size`` the pixel must lie in the last output, ``outside`` names the sides where
    the rectangle reaches beyond the image (into padding), and ``read_rows`` / ``read_columns``
    say which pixels are really read. Raises ``ReceptiveFieldError``.
    """
    fields = receptive_fields(layers, input_size)
    if not (is_int(oy) and is_int(ox)) or oy < 0 or ox < 0:
        raise ReceptiveFieldError(f"the output pixel must be two whole numbers ≥ 0, got ({oy!r}, {ox!r})")
    last = fields[-1]
    if last.size is not None and (oy >= last.size[0] or ox >= last.size[1]):
        raise ReceptiveFieldError(f"output pixel ({oy}, {ox}) is outside the last layer's {last.size[0]}×"
                                  f"{last.size[1]} output (rows 0..{last.size[0] - 1}, columns 0..{last.size[1] - 1})",
                                  layer=last.index)
    size = _check_size(input_size)
    shares: list[Share] = []
    rows, columns, unit = np.array([int(oy)]), np.array([int(ox)]), (int(oy), int(ox))
    for i in range(len(fields) - 1, -1, -1):
        field, layer = fields[i], fields[i].layer
        shares.append(Share(field.index, _bounds(rows, columns), unit, _unit_rect(field, unit)))
        below = None if size is None else (fields[i - 1].size if i > 0 else size)
        rows = _read_below(rows, layer, 0, None if below is None else below[0])
        columns = _read_below(columns, layer, 1, None if below is None else below[1])
        (sy, sx), (py, px), (dy, dx) = layer.stride, layer.padding, layer.dilation
        unit = (unit[0] * sy - py + dy * ((layer.kernel[0] - 1) // 2),
                unit[1] * sx - px + dx * ((layer.kernel[1] - 1) // 2))
    shares.reverse()
    rect = shares[-1].rect
    if size is None:
        return Field((int(oy), int(ox)), rect, tuple(shares), None, ())
    return Field((int(oy), int(ox)), rect, tuple(shares), size, rect.outside(size),
                 tuple(int(r) for r in rows), tuple(int(c) for c in columns))


# The network of ../shared/SOURCE.md: its four convolutions and three poolings on 224×224.
SOURCE_INPUT_SIZE = 224
SOURCE_NETWORK = (Layer.conv(11, stride=3), Layer.max_pool(2), Layer.conv(5), Layer.max_pool(2),
                  Layer.conv(3, padding=1), Layer.conv(3), Layer.max_pool(2))
PRESETS = {
    "two_3x3": (Layer.conv(3), Layer.conv(3)),
    "conv_pool_conv": (Layer.conv(3), Layer.max_pool(2), Layer.conv(3)),
    "dilated": (Layer.conv(3, dilation=1), Layer.conv(3, dilation=2), Layer.conv(3, dilation=4)),
    "source_network": SOURCE_NETWORK,
}
