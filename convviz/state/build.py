"""From a spec and a working image to the engine's arrays, the problems, and the trace (numpy only).

This module builds the convolution, and ``problems`` / ``make_built`` are the one door for every
operation: they hand a pooling to ``pool_build`` and a transposed convolution to
``transposed_build``. The arrays are float64 (``built.DTYPE``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from convviz.nn.functional import conv2d, conv_geometry
from convviz.trace import Trace, trace_conv2d

from . import pool_build, transposed_build
from .built import (DTYPE, FIT_FIELDS, Built, Problem, allowed_groups, biggest, divisors, fit_field,
                    grad_output_for, weight_of)
from .spec import ConvSpec

__all__ = ["DTYPE", "Problem", "Built", "ConvArguments", "allowed_groups", "divisors", "weight_of", "problems",
           "conv_arguments", "trace_of", "build_trace", "colour_levels", "make_built", "FIT_FIELDS"]


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


def _field_of(message: str) -> str:
    if "groups" in message:
        return "groups"
    if "'same'" in message or ("padding" in message.lower() and "fit" not in message):
        return "padding"
    if "does not fit" in message:
        return "kernel_size"
    return "spec"


def problems(spec: ConvSpec, height: int, width: int, changed=()) -> list[Problem]:
    """Every reason this spec cannot run on an image of height × width, each with the control it
    belongs to; empty when it can. The messages are the engine's own, with the allowed values
    added where the engine's rule has a short list of them. ``changed`` names the fields the
    last edit changed: a rule that several fields share (the dilated kernel must fit the padded
    input) is told next to the one the user just moved."""
    if spec.is_pooling:
        return pool_build.problems(spec, height, width, changed)
    if spec.operation == "conv_transpose":
        return transposed_build.problems(spec, height, width, changed)
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
            field = fit_field(changed)
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
        if spec.grad_output == "sum_of_squares":  # the gradient of L = ½·sum(y²) is y itself
            grad_output = conv2d(image, weight, bias, **kwargs)
        else:
            grad_output = grad_output_for(spec, np.empty(conv_geometry(image, weight, bias, **kwargs).output_shape))
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
    levels = {"input": biggest(args.input), "weight": biggest(args.weight)}
    final = trace.state(len(trace) - 1)
    levels["output"] = biggest(final["output"])
    if trace.has_backward:
        scattered = trace.state(trace.phase("scatter").last)
        levels["grad_input"] = biggest(scattered["grad_input"])
        levels["grad_weight"] = biggest(final["grad_weight"])
        levels["grad_output"] = biggest(args.grad_output)
    return levels


def make_built(spec: ConvSpec, image: np.ndarray | None = None, args: ConvArguments | None = None,
               label: str = "", generation: int = 0) -> Built:
    """Build ``spec`` on ``image`` (C, H, W), or the convolution ``args`` describes (a training
    run's layer, with ``label`` saying so)."""
    if args is None and spec.is_pooling:
        return pool_build.make_built(spec, image, generation)
    if args is None and spec.operation == "conv_transpose":
        return transposed_build.make_built(spec, image, generation)
    args = conv_arguments(spec, image) if args is None else args
    trace = trace_of(args, spec.granularity)
    return Built(spec, args, trace, colour_levels(trace, args), label, generation)
