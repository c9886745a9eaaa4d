"""A transposed-convolution spec on a working image: its problems, the engine's arguments, the
trace (numpy only).

The spec's filters are edited as for a convolution (filter f, its channel c: ``weight_of``); a
transposed convolution keeps them the other way round, (C, F/G, KH, KW) as torch does, so
``transposed_weight`` turns one layout into the other. Padding is numbers ("valid" is 0), the
padding mode zeros (torch's ConvTranspose2d has no other), and only the forward pass is played,
two ways (``spec.transposed_road``): the scatter, and the same output as a direct convolution
over the zero-inserted input (an ordinary convolution trace, shown by the convolution's scene).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.nn.functional.conv_transpose import adjoint_geometry
from convviz.trace import transposed_narration
from convviz.trace.transposed import TransposedTrace, trace_conv_transpose2d

from .built import DTYPE, Built, Problem, allowed_groups, biggest, fit_field, weight_of
from .spec import ConvSpec


@dataclass(frozen=True, eq=False)
class TransposedArguments:
    """Everything ``trace_conv_transpose2d`` and ``torch.nn.functional.conv_transpose2d`` are called with."""

    input: np.ndarray          # (C, H, W)
    weight: np.ndarray         # (C, F/G, KH, KW): torch's layout for a transposed convolution
    bias: np.ndarray | None    # (F,)
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    groups: int
    dilation: tuple[int, int]

    def transposed_kwargs(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, output_padding=self.output_padding,
                    groups=self.groups, dilation=self.dilation)


def transposed_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """(F, C/G, KH, KW), filter by filter as the kernel editor shows it -> (C, F/G, KH, KW), torch's
    layout: w_t[g·C/G + c, k] = w[g·F/G + k, c]."""
    filters, per_group, kh, kw = weight.shape
    grouped = weight.reshape(groups, filters // groups, per_group, kh, kw)
    return np.ascontiguousarray(grouped.transpose(0, 2, 1, 3, 4).reshape(groups * per_group, filters // groups, kh, kw))


def padding_of(spec: ConvSpec) -> tuple[int, int]:
    return (0, 0) if spec.padding == "valid" else tuple(spec.padding)


def problems(spec: ConvSpec, height: int, width: int, changed=()) -> list[Problem]:
    """Every reason this transposed convolution cannot run on an image of height × width."""
    if spec.channels % spec.groups or spec.out_channels % spec.groups:
        allowed = ", ".join(str(d) for d in allowed_groups(spec.channels, spec.out_channels))
        return [Problem("groups", f"groups must divide both the {spec.channels} input channel"
                                  f"{'s' * (spec.channels != 1)} and the {spec.out_channels} output channel"
                                  f"{'s' * (spec.out_channels != 1)}: it can be {allowed}")]
    found = []
    if spec.padding == "same":
        found.append(Problem("padding", "a transposed convolution takes its padding as numbers (torch's "
                                        "ConvTranspose2d has no padding='same')"))
    if spec.padding_mode != "zeros":
        found.append(Problem("padding_mode", f"a transposed convolution pads with zeros only (torch's "
                                             f"ConvTranspose2d refuses padding_mode={spec.padding_mode!r})"))
    if spec.mode == "backward":
        found.append(Problem("mode", "the transposed convolution plays its forward pass, two ways; its "
                                     "backward is an ordinary convolution: play that in the Convolution mode"))
    if found:
        return found
    image = np.broadcast_to(DTYPE(0), (spec.channels, height, width))
    weight = np.broadcast_to(DTYPE(0), (spec.channels, spec.out_channels // spec.groups) + tuple(spec.kernel_size))
    try:
        adjoint_geometry(image, weight, None, spec.stride, padding_of(spec), spec.output_padding, spec.groups,
                         spec.dilation)
    except (TypeError, ValueError) as error:
        message = str(error)
        field = ("output_padding" if message.startswith("output_padding") else
                 "padding" if "crops the whole output" in message else fit_field(changed))
        return [Problem(field, message)]
    return []


def transposed_arguments(spec: ConvSpec, image: np.ndarray) -> TransposedArguments:
    """The engine's arguments for ``spec`` on ``image`` (C, H, W); the spec must have no problems."""
    bias = np.full(spec.out_channels, spec.bias_value, dtype=DTYPE) if spec.bias else None
    return TransposedArguments(np.ascontiguousarray(image, dtype=DTYPE), transposed_weight(weight_of(spec), spec.groups),
                               bias, tuple(spec.stride), padding_of(spec), tuple(spec.output_padding), spec.groups,
                               tuple(spec.dilation))


def trace_of(args: TransposedArguments) -> TransposedTrace:
    return trace_conv_transpose2d(args.input, args.weight, args.bias, **args.transposed_kwargs())


def make_built(spec: ConvSpec, image: np.ndarray, generation: int = 0) -> Built:
    """The scatter road's trace, or (``spec.transposed_road == "direct"``) the direct road's
    convolution trace, whose ``args`` are then the transposed convolution's all the same (the
    torch check and the code compare with torch's conv_transpose2d)."""
    args = transposed_arguments(spec, image)
    trace = trace_of(args)
    levels = {"input": biggest(args.input), "weight": biggest(args.weight), "output": biggest(trace.output)}
    if spec.transposed_road == "direct":
        road = trace.direct_road()
        final = road.state(len(road) - 1)
        levels.update(input=biggest(road.input), weight=biggest(road.weight), output=biggest(final["output"]))
        # Looked up on the module at each call: the Chinese interface swaps the function.
        note = transposed_narration.direct_road_note(trace.geometry, trace.zero_inserted_input()[0].shape)
        return Built(spec, args, road, levels, "", generation, note=note)
    levels["full"] = biggest(trace.full)
    levels["counts"] = float(max(1, int(trace.full_counts().max()) * spec.in_per_group))
    return Built(spec, args, trace, levels, "", generation)
