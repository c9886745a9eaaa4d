"""The two roads to the input gradient: the scatter-add the frames narrate, and the engine's
transposed convolution."""

from __future__ import annotations

import numpy as np

from convviz.nn.functional import ALGORITHMS, spread_output_grad, transposed_conv_input_grad, transposed_kernel

from .frames import InputGradientRoads, read_only
from .record import TraceRecord


def input_gradient_roads(record: TraceRecord, algorithm: str = "strided") -> InputGradientRoads:
    """Both padded input gradients and whether they agree to rounding; the transposed road's
    forward convolution is computed by the engine's ``algorithm``.

    They agree for finite weights. An inf weight is where the roads part: the transposed
    convolution multiplies every weight by the zeros it inserts, 0·inf = NaN, while the scatter only
    multiplies real gradients (the engine takes the scatter road then)."""
    if not record.has_backward:
        raise ValueError("input_gradient_roads needs a backward pass: build the trace with grad_output")
    if algorithm not in ALGORITHMS:
        raise ValueError(f"input_gradient_roads: algorithm must be one of {', '.join(map(repr, ALGORITHMS))} "
                         f"(the engine's conv2d algorithms, which compute the transposed road), got {algorithm!r}")
    g = record.geometry
    scatter = record.grad_x_pad  # what the scatter frames add up to, in their order
    transposed = transposed_conv_input_grad(record.grad_output, record.weight, g, algorithm=algorithm)
    # Both roads add the same terms (at most F/G·KH·KW per cell) in different orders; the
    # rounding of such sums stays below terms · eps · (sum of |terms|).
    kh, kw = g.kernel_size
    terms = g.out_per_group * kh * kw
    largest = float(np.abs(record.grad_output).max(initial=0) * np.abs(record.weight).max(initial=0))
    tolerance = 2 * terms * terms * np.finfo(record.dtype).eps * largest
    difference = float(np.abs(scatter - transposed).max(initial=0))
    return InputGradientRoads(scatter, read_only(transposed),
                              read_only(spread_output_grad(record.grad_output, g)),
                              read_only(transposed_kernel(record.weight, g)),
                              difference, tolerance, difference <= tolerance)
