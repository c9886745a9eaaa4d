"""What bad input gets from convviz.trace: the engine's own messages, raised before anything is
computed; IndexError naming the valid range; a grad_output of the wrong shape named with the shape
expected."""

from __future__ import annotations

import re

import numpy as np
import pytest

import convviz.trace.record as record_module
from convviz.nn.functional import conv2d
from convviz.trace import trace_conv2d

RNG = np.random.default_rng(0)
X = RNG.standard_normal((1, 2, 5, 5))
W = RNG.standard_normal((4, 2, 3, 3))

# (description, args, kwargs): each makes the engine's conv2d raise.
BAD_CALLS = [
    ("integer input", (X.astype(np.int64), W), {}),
    ("not an array", (X.tolist(), W), {}),
    ("input rank", (X[0, 0], W), {}),
    ("weight rank", (X, W[0]), {}),
    ("channel mismatch", (RNG.standard_normal((1, 3, 5, 5)), W), {}),
    ("groups do not divide", (X, W), {"groups": 3}),
    ("zero stride", (X, W), {"stride": 0}),
    ("negative padding", (X, W), {"padding": -1}),
    ("float dilation", (X, W), {"dilation": 1.5}),
    ("unknown padding mode", (X, W), {"padding_mode": "mirror"}),
    ("same with a stride", (X, W), {"padding": "same", "stride": 2}),
    ("unknown padding word", (X, W), {"padding": "full"}),
    ("kernel larger than the input", (X, W), {"dilation": 3}),
    ("reflect padding too large", (X, W), {"padding": 5, "padding_mode": "reflect"}),
    ("bias shape", (X, W, np.zeros(3)), {}),
    ("dtype mismatch", (X, W.astype(np.float32)), {}),
]


@pytest.fixture
def engine_never_runs(monkeypatch):
    """Make any computation fail, to prove validation happens before the trace computes anything."""
    def refuse(*args, **kwargs):
        raise AssertionError("the trace started computing before validating its arguments")
    monkeypatch.setattr(record_module, "run_engine_in_strips", refuse)


@pytest.mark.parametrize("description, args, kwargs", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_get_the_engines_message_before_any_frame(description, args, kwargs, engine_never_runs):
    with pytest.raises((TypeError, ValueError)) as from_engine:
        conv2d(*args, **kwargs)
    with pytest.raises(type(from_engine.value)) as from_trace:
        trace_conv2d(*args, **kwargs)
    assert str(from_trace.value) == str(from_engine.value)


def test_unknown_granularity_is_named(engine_never_runs):
    with pytest.raises(ValueError, match=r"granularity must be 'output' .* or 'tap' .* got 'pixel'"):
        trace_conv2d(X, W, granularity="pixel")


def test_grad_output_of_the_wrong_shape_names_the_expected_shape(engine_never_runs):
    expected = re.escape("grad_output must have the output's shape (1, 4, 3, 3)")
    with pytest.raises(ValueError, match=expected) as error:
        trace_conv2d(X, W, grad_output=np.zeros((1, 4, 5, 5)))
    assert "got (1, 4, 5, 5)" in str(error.value)
    unbatched = RNG.standard_normal((2, 5, 5))
    with pytest.raises(ValueError, match=re.escape("shape (4, 2, 2)")):
        trace_conv2d(unbatched, W, grad_output=np.zeros((1, 4, 2, 2)), stride=2)


def test_grad_output_type_and_dtype(engine_never_runs):
    with pytest.raises(TypeError, match="grad_output must have dtype float32 or float64, got int64"):
        trace_conv2d(X, W, grad_output=np.zeros((1, 4, 3, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="grad_output must be a numpy ndarray"):
        trace_conv2d(X, W, grad_output=[[0.0]])
    with pytest.raises(TypeError, match="input is float64, grad_output is float32"):
        trace_conv2d(X, W, grad_output=np.zeros((1, 4, 3, 3), dtype=np.float32))


@pytest.fixture(scope="module")
def trace():
    return trace_conv2d(X, W, grad_output=RNG.standard_normal((1, 4, 3, 3)))


@pytest.mark.parametrize("index", [None, "past the end", "before the start"])
def test_frame_index_out_of_range_names_the_valid_range(trace, index):
    n = len(trace)
    bad = {None: n, "past the end": n + 10, "before the start": -n - 1}[index]
    expected = (f"frame {bad} is out of range: this trace has {n} frames, so valid indices are "
                f"0..{n - 1} (or -{n}..-1")
    with pytest.raises(IndexError, match=re.escape(expected)):
        trace[bad]
    with pytest.raises(IndexError, match=re.escape(expected)):
        trace.state(bad)


def test_negative_and_numpy_indices_work_like_a_sequence(trace):
    assert trace[-1].index == len(trace) - 1 and trace[-len(trace)].index == 0
    assert trace[np.int64(3)].index == 3
    assert trace.state(-1).frame == len(trace) - 1


@pytest.mark.parametrize("index", [1.0, "3", slice(0, 2), True, None, np.float64(2)])
def test_non_integer_indices_are_a_type_error(trace, index):
    with pytest.raises(TypeError, match="a frame index must be an int"):
        trace[index]
    with pytest.raises(TypeError, match="a frame index must be an int"):
        trace.state(index)


def test_hover_coordinates_out_of_range(trace):
    message = "y=5 is out of range: the input height is 5, so valid values are 0..4"
    with pytest.raises(IndexError, match=re.escape(message)):
        trace.pixel_readers(0, 0, 5, 0)
    with pytest.raises(IndexError, match=re.escape("f=4 is out of range: the number of filters is 4")):
        trace.weight_tap_reads(4, 0, 0, 0)
    message = "ox=3 is out of range: the output width is 3, so valid values are 0..2"
    with pytest.raises(IndexError, match=re.escape(message)):
        trace.receptive_field(0, 0, 0, 3)
    with pytest.raises(TypeError, match="c must be an int"):
        trace.pixel_readers(0, 0.5, 0, 0)


def test_questions_the_trace_cannot_answer(trace):
    forward_only = trace_conv2d(X, W)
    with pytest.raises(ValueError, match="needs a backward pass: build the trace with grad_output"):
        forward_only.input_gradient_roads()
    message = ("input_gradient_roads: algorithm must be one of 'loops', 'im2col', 'strided', 'banded' "
               "(the engine's conv2d algorithms, which compute the transposed road), got 'bogus'")
    with pytest.raises(ValueError, match=re.escape(message)):
        trace.input_gradient_roads("bogus")
    with pytest.raises(ValueError, match="got None"):
        trace.input_gradient_roads(None)
    with pytest.raises(KeyError, match=r"no 'fold' phase; its phases are \['slide', 'scatter', 'weight_grad'\]"):
        trace.phase("fold")
