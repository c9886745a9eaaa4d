"""A pooling spec on a working image: its problems, the engine's arguments, the trace (numpy only).

A pooling reads the spec's kernel size, stride, padding (numbers; "valid" is 0), dilation (max
pooling only: torch's avg_pool2d has none), ceil_mode and count_include_pad; it has no weights,
no groups and no padding modes (the padding of a max pooling is -inf, of an average 0).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from convviz.nn.functional import avg_pool2d, max_pool2d, pool_geometry
from convviz.trace.pooling import PoolTrace, trace_pool2d

from .built import DTYPE, Built, Problem, biggest, fit_field, grad_output_for
from .spec import ConvSpec

KINDS = {"max_pool": "max", "avg_pool": "avg"}


@dataclass(frozen=True, eq=False)
class PoolArguments:
    """Everything ``trace_pool2d`` and ``torch.nn.functional.max_pool2d`` / ``avg_pool2d`` are called with."""

    input: np.ndarray                 # (C, H, W)
    kind: str                         # "max" or "avg"
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    ceil_mode: bool
    count_include_pad: bool
    grad_output: np.ndarray | None    # (C, OH, OW) in backward mode

    def pool_kwargs(self) -> dict:
        """The keyword arguments of the engine's (and torch's) pooling function of this kind."""
        kwargs = dict(kernel_size=self.kernel_size, stride=self.stride, padding=self.padding,
                      ceil_mode=self.ceil_mode)
        if self.kind == "max":
            kwargs["dilation"] = self.dilation
        else:
            kwargs["count_include_pad"] = self.count_include_pad
        return kwargs


def padding_of(spec: ConvSpec) -> tuple[int, int]:
    return (0, 0) if spec.padding == "valid" else tuple(spec.padding)


def problems(spec: ConvSpec, height: int, width: int, changed=()) -> list[Problem]:
    """Every reason this pooling cannot run on an image of height × width (the engine's messages)."""
    if spec.padding == "same":
        return [Problem("padding", "a pooling takes its padding as numbers ('same' is for convolutions; "
                                   "torch's pooling functions have no padding='same')")]
    if spec.operation == "avg_pool" and spec.dilation != (1, 1):
        return [Problem("dilation", "average pooling has no dilation (torch.nn.functional.avg_pool2d takes "
                                    f"none): set it to 1, got {spec.dilation}")]
    try:
        pool_geometry((spec.channels, height, width), spec.kernel_size, spec.stride, padding_of(spec),
                      spec.dilation, spec.ceil_mode)
    except (TypeError, ValueError) as error:
        message = str(error)
        field = "padding" if message.startswith("padding") else fit_field(changed)
        return [Problem(field, message)]
    return []


def pool_arguments(spec: ConvSpec, image: np.ndarray) -> PoolArguments:
    """The engine's arguments for ``spec`` on ``image`` (C, H, W); the spec must have no problems."""
    image = np.ascontiguousarray(image, dtype=DTYPE)
    args = PoolArguments(image, KINDS[spec.operation], tuple(spec.kernel_size), tuple(spec.stride),
                         padding_of(spec), tuple(spec.dilation), spec.ceil_mode, spec.count_include_pad, None)
    if spec.mode != "backward":
        return args
    pool = max_pool2d if args.kind == "max" else avg_pool2d
    output = pool(image, **args.pool_kwargs())
    return dataclasses.replace(args, grad_output=grad_output_for(spec, output))


def trace_of(args: PoolArguments) -> PoolTrace:
    return trace_pool2d(args.input, args.kind, args.kernel_size, args.stride, args.padding, args.dilation,
                        args.ceil_mode, args.count_include_pad, args.grad_output)


def colour_levels(trace: PoolTrace, args: PoolArguments) -> dict:
    levels = {"input": biggest(args.input), "output": biggest(trace.output)}
    if trace.has_backward:
        levels["grad_output"] = biggest(args.grad_output)
        levels["grad_input"] = biggest(trace.state(len(trace) - 1)["grad_input"])
    return levels


def make_built(spec: ConvSpec, image: np.ndarray, generation: int = 0) -> Built:
    args = pool_arguments(spec, image)
    trace = trace_of(args)
    return Built(spec, args, trace, colour_levels(trace, args), "", generation)
