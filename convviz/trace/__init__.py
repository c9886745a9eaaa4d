"""Traces: every step of a conv2d's forward and backward pass as an addressable frame (numpy only).

>>> import numpy as np
>>> from convviz.trace import trace_conv2d
>>> x = np.arange(9.0).reshape(1, 3, 3)
>>> w = np.ones((1, 1, 2, 2))
>>> trace = trace_conv2d(x, w, grad_output=np.ones((1, 2, 2)))
>>> [(p.name, p.count) for p in trace.phases]
[('slide', 4), ('scatter', 4), ('weight_grad', 4)]
>>> trace[0].value        # x[0,0] + x[0,1] + x[1,0] + x[1,1]
8.0
"""

from .frames import (
    NOT_A_PIXEL,
    Addition,
    BiasGradFrame,
    CropFrame,
    DilateFrame,
    FoldFrame,
    Im2colPosition,
    InputGradientRoads,
    PadFrame,
    Phase,
    PixelReaders,
    ScatterFrame,
    SlideFrame,
    Tap,
    Taps,
    TraceState,
    WeightGradFrame,
    WeightTapReads,
)
from .trace import GRANULARITIES, REPLAY_LIMIT, Trace, trace_conv2d

__all__ = [
    "GRANULARITIES", "NOT_A_PIXEL", "REPLAY_LIMIT", "Addition", "BiasGradFrame", "CropFrame",
    "DilateFrame", "FoldFrame", "Im2colPosition", "InputGradientRoads", "PadFrame", "Phase",
    "PixelReaders", "ScatterFrame", "SlideFrame", "Tap", "Taps", "Trace", "TraceState",
    "WeightGradFrame", "WeightTapReads", "trace_conv2d",
]
