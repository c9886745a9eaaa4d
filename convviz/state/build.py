"""From a spec and a working image to the engine's arrays, the problems, and the trace (numpy only).

The arrays are float64: the numbers on screen are then the exact sums the frames narrate, and the
comparison with PyTorch (``convviz.qt.torch_check``) is to the last few bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from convviz.nn.functional import conv2d, conv_geometry
from convviz.trace import Trace, trace_conv2d

from .kernels import preset_kernel
from .spec import ConvSpec

DTYPE = np.float64


@dataclass(frozen=True)
class Problem:
    """Why a control cannot take its value: ``field`` names the spec field the message belongs to."""

    field: str
    message: str


@dataclass(frozen=True, eq=False)
class ConvArguments:
    """Everything ``trace_conv2d`` and ``torch.nn.functional.conv2d`` are called with."""

    input: np.ndarray          # (C, H, W): a batch of one, unbatched as the engine allows
    weight: np.ndarray         # (F, C/G, KH, KW)
    bias: np.ndarray | None    # (F,)
    grad_output: np.ndarray | None   # (F, OH, OW) in backward mode
    stride: tuple[int, int]
    padding: str | tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    padding_mode: str

    def conv_kwargs(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation, groups=self.groups,
                    padding_mode=self.padding_mode)


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def allowed_groups(channels: int, out_channels: int) -> list[int]:
    """The values ``groups`` may take: the common divisors of both channel counts."""
    return [d for d in divisors(channels) if out_channels % d == 0]


def weight_of(spec: ConvSpec) -> np.ndarray:
    """(F, C/G, KH, KW): filter f's preset on each of its input channels, divided by their number
    (so a filter answers the channels' mean, as on a grayscale image), then the typed values."""
    kh, kw = spec.kernel_size
    per_group = spec.in_per_group
    weight = np.empty((spec.out_channels, per_group, kh, kw), dtype=DTYPE)
    for f, name in enumerate(spec.presets):
        if name != "random":  # the same 2-D kernel on every channel of the filter
            weight[f] = preset_kernel(name, kh, kw) / per_group
            continue
        for c in range(per_group):
            seed = spec.seed + 7919 * f + c  # a different random kernel per filter and channel
            weight[f, c] = preset_kernel(name, kh, kw, seed=seed) / per_group
    for (f, c, i, j), value in spec.weight_edits:
        if f < weight.shape[0] and c < weight.shape[1] and i < kh and j < kw:
            weight[f, c, i, j] = value
    return weight


def _field_of(message: str) -> str:
    if "groups" in message:
        return "groups"
    if "'same'" in message or ("padding" in message.lower() and "fit" not in message):
        return "padding"
    if "does not fit" in message:
        return "kernel_size"
    return "spec"


# A kernel that does not fit is the fault of whichever of these the user changed last.
FIT_FIELDS = ("kernel_size", "dilation", "padding", "stride", "size")


def problems(spec: ConvSpec, height: int, width: int, changed=()) -> list[Problem]:
    """Every reason this spec cannot run on an image of height × width, each with the control it
    belongs to; empty when it can. The messages are the engine's own, with the allowed values
    added where the engine's rule has a short list of them. ``changed`` names the fields the
    last edit changed: a rule that several fields share (the dilated kernel must fit the padded
    input) is told next to the one the user just moved."""
    found = []
    if spec.channels % spec.groups or spec.out_channels % spec.groups:
        allowed = ", ".join(str(d) for d in allowed_groups(spec.channels, spec.out_channels))
        found.append(Problem("groups", f"groups must divide both the {spec.channels} input channel"
                                       f"{'s' * (spec.channels != 1)} and the {spec.out_channels} filter"
                                       f"{'s' * (spec.out_channels != 1)}: it can be {allowed}"))
        return found
    if not (math.isfinite(spec.bias_value)):
        found.append(Problem("bias_value", f"the bias must be a finite number, got {spec.bias_value}"))
    image = np.broadcast_to(DTYPE(0), (spec.channels, height, width))
    weight = np.broadcast_to(DTYPE(0), (spec.out_channels, spec.in_per_group) + tuple(spec.kernel_size))
    try:
        conv_geometry(image, weight, None, spec.stride, spec.padding, spec.dilation, spec.groups,
                      spec.padding_mode)
    except (TypeError, ValueError) as error:
        field = _field_of(str(error))
        if field == "kernel_size":
            field = next((name for name in changed if name in FIT_FIELDS), field)
        found.append(Problem(field, str(error)))
    return found


def conv_arguments(spec: ConvSpec, image: np.ndarray) -> ConvArguments:
    """The engine's arguments for ``spec`` on ``image`` (C, H, W); the spec must have no problems."""
    image = np.ascontiguousarray(image, dtype=DTYPE)
    weight = weight_of(spec)
    bias = np.full(spec.out_channels, spec.bias_value, dtype=DTYPE) if spec.bias else None
    kwargs = dict(stride=spec.stride, padding=spec.padding, dilation=spec.dilation, groups=spec.groups,
                  padding_mode=spec.padding_mode)
    grad_output = None
    if spec.mode == "backward":
        geometry = conv_geometry(image, weight, bias, **kwargs)
        shape = geometry.output_shape
        if spec.grad_output == "ones":
            grad_output = np.ones(shape, dtype=DTYPE)
        elif spec.grad_output == "random":
            grad_output = np.random.default_rng(spec.grad_seed).standard_normal(shape).astype(DTYPE)
        else:  # the gradient of L = ½·sum(y²) is y itself
            grad_output = conv2d(image, weight, bias, **kwargs)
    return ConvArguments(image, weight, bias, grad_output, **kwargs)


def trace_of(args: ConvArguments, granularity: str = "output") -> Trace:
    """The trace of the convolution ``args`` describes; raises the engine's message for bad arguments."""
    return trace_conv2d(args.input, args.weight, args.bias, args.grad_output, granularity=granularity,
                        **args.conv_kwargs())


def build_trace(spec: ConvSpec, image: np.ndarray) -> Trace:
    """The trace of ``spec`` on ``image`` (C, H, W); raises the engine's message for a bad spec."""
    return trace_of(conv_arguments(spec, image), spec.granularity)


def colour_levels(trace: Trace, args: ConvArguments) -> dict:
    """Fixed symmetric levels per array, from the arrays at their fullest, so colours do not
    flicker from frame to frame."""
    def biggest(array) -> float:
        finite = np.abs(array[np.isfinite(array)])
        return float(finite.max()) if finite.size and finite.max() > 0 else 1.0

    levels = {"input": biggest(args.input), "weight": biggest(args.weight)}
    final = trace.state(len(trace) - 1)
    levels["output"] = biggest(final["output"])
    if trace.has_backward:
        scattered = trace.state(trace.phase("scatter").last)
        levels["grad_input"] = biggest(scattered["grad_input"])
        levels["grad_weight"] = biggest(final["grad_weight"])
        levels["grad_output"] = biggest(args.grad_output)
    return levels


@dataclass(frozen=True, eq=False)
class Built:
    """A finished build: the spec it was made from and everything a scene draws (the window's
    builder and the exporter both make these, with ``make_built``)."""

    spec: ConvSpec
    args: ConvArguments
    trace: Trace
    levels: dict          # array name -> the symmetric colour level (max |value| at its fullest)
    label: str = ""       # set when the arrays came from elsewhere (a training run's layer), not the spec
    generation: int = 0   # the window's build counter: a build that is not the newest is dropped


def make_built(spec: ConvSpec, image: np.ndarray | None = None, args: ConvArguments | None = None,
               label: str = "", generation: int = 0) -> Built:
    """Build ``spec`` on ``image`` (C, H, W), or the convolution ``args`` describes."""
    args = conv_arguments(spec, image) if args is None else args
    trace = trace_of(args, spec.granularity)
    return Built(spec, args, trace, colour_levels(trace, args), label, generation)
