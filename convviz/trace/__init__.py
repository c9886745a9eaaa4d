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

Replaying frames by hand, as ``trace.state`` does (``apply_frame``):

>>> from convviz.trace import apply_frame
>>> before = trace.state(3)
>>> arrays = {name: a.copy() for name, a in before.arrays.items()}
>>> written = {name: w.copy() for name, w in before.written.items()}
>>> apply_frame(arrays, written, trace[4])
>>> bool((arrays["grad_input"] == trace.state(4)["grad_input"]).all())
True
"""

from .frames import (
    NOT_A_PIXEL,
    Addition,
    BiasGradFrame,
    Crop,
    CropFrame,
    DilateFrame,
    FoldFrame,
    Frame,
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
    Zeroing,
)
from .pooling import PoolTrace, trace_pool2d
from .pooling_frames import PoolFrame, PoolPixelReaders, PoolWindow, RouteFrame
from .replay import apply_frame
from .states import REPLAY_LIMIT
from .trace import GRANULARITIES, Trace, trace_conv2d
from .transposed import TransposedTrace, trace_conv_transpose2d
from .transposed_frames import (TransposedCropFrame, TransposedFootprint, TransposedReceptiveField,
                                TransposedScatterFrame)

__all__ = [
    "GRANULARITIES", "NOT_A_PIXEL", "REPLAY_LIMIT", "Addition", "BiasGradFrame", "Crop", "CropFrame",
    "DilateFrame", "FoldFrame", "Frame", "Im2colPosition", "InputGradientRoads", "PadFrame", "Phase",
    "PixelReaders", "ScatterFrame", "SlideFrame", "Tap", "Taps", "Trace", "TraceState",
    "WeightGradFrame", "WeightTapReads", "Zeroing", "apply_frame", "trace_conv2d",
    # transposed convolution (transposed.py)
    "TransposedCropFrame", "TransposedFootprint", "TransposedReceptiveField", "TransposedScatterFrame",
    "TransposedTrace", "trace_conv_transpose2d",
    # pooling (pooling.py)
    "PoolFrame", "PoolPixelReaders", "PoolTrace", "PoolWindow", "RouteFrame", "trace_pool2d",
]
