"""Property test: on random valid configurations every conv2d algorithm equals torch.

Each example draws a kernel of 1-7 per axis, stride 1-3, dilation 1-3, a padding form (int, pair,
"valid", or "same" with stride 1) and mode, channel counts with any common divisor as groups,
batch 1-3 or unbatched, float32 or float64, with or without bias. Sizes are drawn so that the
output is non-empty and reflect / circular padding fits, and small enough for the pure-Python
"loops" algorithm.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st

from convviz.nn.functional import ALGORITHMS as ENGINE_ALGORITHMS
from convviz.nn.functional import conv2d, conv2d_backward

from torch_conv_reference import torch_reference

# torch's own note that it copies the input for "same" with an even kernel; not a problem here.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

# Every algorithm the engine offers; None runs "banded" (test_conv2d_parity.py::test_none_runs_banded).
ALGORITHMS = ENGINE_ALGORITHMS
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
TOLERANCE = {np.dtype(np.float32): (1e-4, 1e-5), np.dtype(np.float64): (1e-10, 1e-12)}
# Multiply-adds of one loops forward pass (the backward does twice that); keeps an example quick.
LOOPS_BUDGET = 40_000


def pair_or_int(draw, pair):
    """Give a pair as an int when both entries agree, half of the time (both forms are API)."""
    return pair[0] if pair[0] == pair[1] and draw(st.booleans()) else pair


def axis_size(draw, kernel, dilation, stride, before, after, mode):
    """An input size that the padding mode accepts, from the smallest with a non-empty output to
    two strides more (so the output has a few rows, more only when the padding is large)."""
    reach = dilation * (kernel - 1) + 1
    smallest = max(1, reach - before - after)
    if mode == "reflect":
        smallest = max(smallest, max(before, after) + 1)
    if mode == "circular":
        smallest = max(smallest, max(before, after))
    return smallest + draw(st.integers(0, 2 * stride))


@st.composite
def conv_configs(draw):
    kernel = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding_form = draw(st.sampled_from(["int", "pair", "valid", "same"]))
    stride = (1, 1) if padding_form == "same" else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if padding_form == "int":
        padding = draw(st.integers(0, 3))
        pads = (padding,) * 4
    elif padding_form == "pair":
        padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
        pads = (padding[0], padding[0], padding[1], padding[1])
    elif padding_form == "valid":
        padding, pads = "valid", (0, 0, 0, 0)
    else:
        padding, pads = "same", ()
        for k, d in zip(kernel, dilation):
            pads += (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
    padding_mode = draw(st.sampled_from(PADDING_MODES))
    height = axis_size(draw, kernel[0], dilation[0], stride[0], pads[0], pads[1], padding_mode)
    width = axis_size(draw, kernel[1], dilation[1], stride[1], pads[2], pads[3], padding_mode)

    # Any common divisor of the channel counts as groups: draw groups, then the channels per group.
    groups = draw(st.integers(1, 6))
    in_channels = groups * draw(st.integers(1, 6 // groups))
    out_channels = groups * draw(st.integers(1, 6 // groups))
    batch = draw(st.sampled_from([None, 1, 2, 3]))  # None: unbatched (C, H, W)

    out_height = (height + pads[0] + pads[1] - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    out_width = (width + pads[2] + pads[3] - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    assert out_height >= 1 and out_width >= 1  # by construction of axis_size
    work = (batch or 1) * out_channels * out_height * out_width * (in_channels // groups) * kernel[0] * kernel[1]
    assume(work <= LOOPS_BUDGET)

    padding_name = padding if isinstance(padding, str) else type(padding).__name__
    event(f"padding {padding_name}, mode {padding_mode}")
    event("groups: " + ("1" if groups == 1 else "depthwise" if groups == in_channels else "grouped"))
    event(f"work {'<1k' if work < 1000 else '<10k' if work < 10_000 else '>=10k'}")
    event("unbatched" if batch is None else f"batch {batch}")
    return {
        "input_shape": ((batch,) if batch else ()) + (in_channels, height, width),
        "weight_shape": (out_channels, in_channels // groups) + kernel,
        "bias": draw(st.booleans()),
        "dtype": np.dtype(draw(st.sampled_from([np.float32, np.float64]))),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "conv": {
            "stride": pair_or_int(draw, stride),
            "padding": padding,
            "dilation": pair_or_int(draw, dilation),
            "groups": groups,
            "padding_mode": padding_mode,
        },
    }


def assert_matches(actual, expected, dtype, what, terms):
    """``terms``: the same sums taken over absolute values. A sum that cancels (terms of 30 adding
    up to 0.0016) is only as exact as its terms, so the absolute tolerance scales with them."""
    assert actual.dtype == dtype, f"{what}: dtype {actual.dtype}, expected {dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    rtol, atol_scale = TOLERANCE[dtype]
    atol = atol_scale * float(np.max(terms, initial=0.0))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(config=conv_configs())
def test_every_algorithm_equals_torch(config):
    note(repr(config))
    rng = np.random.default_rng(config["seed"])
    dtype, conv = config["dtype"], config["conv"]
    x = rng.standard_normal(config["input_shape"]).astype(dtype)
    w = rng.standard_normal(config["weight_shape"]).astype(dtype)
    b = rng.standard_normal(config["weight_shape"][0]).astype(dtype) if config["bias"] else None
    y_ref, gy, gx_ref, gw_ref, gb_ref = torch_reference(
        x, w, b, lambda shape: rng.standard_normal(shape).astype(dtype), **conv)

    def absolute(a):
        return None if a is None else np.abs(a).astype(np.float64)

    y_terms = conv2d(absolute(x), absolute(w), absolute(b), algorithm="im2col", **conv)
    gx_terms, gw_terms, gb_terms = conv2d_backward(absolute(gy), absolute(x), absolute(w),
                                                   has_bias=b is not None, algorithm="im2col", **conv)
    for algorithm in ALGORITHMS:
        label = f"algorithm={algorithm!r}"
        assert_matches(conv2d(x, w, b, algorithm=algorithm, **conv), y_ref, dtype, f"output, {label}", y_terms)
        gx, gw, gb = conv2d_backward(gy, x, w, has_bias=b is not None, algorithm=algorithm, **conv)
        assert_matches(gx, gx_ref, dtype, f"grad_input, {label}", gx_terms)
        assert_matches(gw, gw_ref, dtype, f"grad_weight, {label}", gw_terms)
        if b is None:
            assert gb is None, label
        else:
            assert_matches(gb, gb_ref, dtype, f"grad_bias, {label}", gb_terms)

