"""What a view reads from a pooling trace and what it is refused: read-only copies in the caller's
layout (the padded input with its -inf / 0 border), the module's example, and every refusal with
its message (the engine's own before anything is computed, a bad kind, dilated average pooling,
grad_output of the wrong shape or dtype, bad frame indices and hover coordinates)."""

from __future__ import annotations

import doctest
import re

import numpy as np
import pytest

import convviz.trace.pooling as pooling_module
import convviz.trace.pooling_record as record_module
from convviz.nn.functional import avg_pool2d, max_pool2d
from convviz.trace import trace_pool2d


# ----------------------------------------------------------------------------------------------
# What a view reads


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_traced_arrays_are_read_only_copies_in_the_callers_layout(kind, batched):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 5, 5) if batched else (3, 5, 5))
    kwargs = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
    grad_output = rng.standard_normal((max_pool2d if kind == "max" else avg_pool2d)(x, **kwargs).shape)
    kept_x, kept_grad = x.copy(), grad_output.copy()
    trace = trace_pool2d(x, kind, grad_output=grad_output, **kwargs)
    x[...] = 0
    grad_output[...] = 0  # the caller reuses its arrays; the trace keeps its own
    np.testing.assert_array_equal(trace.input, kept_x)
    np.testing.assert_array_equal(trace.grad_output, kept_grad)
    assert trace.pads == trace.geometry.padded_extent == (1, 1, 1, 1)
    top, bottom, left, right = trace.pads
    padded = trace.padded_input
    assert padded.shape == kept_x.shape[:-2] + (top + 5 + bottom, left + 5 + right)
    np.testing.assert_array_equal(padded[..., 1:6, 1:6], kept_x)
    border = np.ones(padded.shape[-2:], dtype=bool)
    border[1:6, 1:6] = False
    assert (padded[..., border] == (-np.inf if kind == "max" else 0.0)).all()
    state = trace.state(trace.phase("pool").last)
    shown = [trace.input, padded, trace.output, trace.grad_output, trace.grad_input, state["output"],
             state["grad_input"], state.written["output"], trace[0].values, trace[0].adds[0].amount,
             trace.receptive_field(0, 0, 0, 0).padded, trace.pixel_readers(0, 0, 0, 0).element]
    if kind == "avg":
        shown.append(trace.divisor)
    for array in shown:
        assert not array.flags.writeable
    assert state["output"].shape == trace.output.shape and state["grad_input"].shape == kept_x.shape
    assert state.written["output"].all() and not state.written["grad_input"].any()  # the route has not begun
    with pytest.raises(AttributeError):
        trace.kind = "avg"


def test_the_module_example_runs():
    assert doctest.testmod(pooling_module).failed == 0


# ----------------------------------------------------------------------------------------------
# Refusals


X = np.random.default_rng(0).standard_normal((1, 2, 5, 5))

# (description, kind, args, kwargs): each makes the engine's max_pool2d or avg_pool2d raise.
BAD_CALLS = [
    ("integer input", "max", (X.astype(np.int64), 2), {}),
    ("not an array", "avg", (X.tolist(), 2), {}),
    ("input rank", "max", (X[0, 0], 2), {}),
    ("zero kernel", "max", (X, 0), {}),
    ("float stride", "avg", (X, 2), {"stride": 1.5}),
    ("negative padding", "max", (X, 3), {"padding": -1}),
    ("padding over half the kernel", "avg", (X, 2), {"padding": 2}),
    ("zero dilation", "max", (X, 2), {"dilation": 0}),
    ("window larger than the input", "max", (X, 3), {"dilation": 3}),
    ("ceil_mode not a bool", "avg", (X, 2), {"ceil_mode": 1}),
    ("count_include_pad not a bool", "avg", (X, 2), {"count_include_pad": "yes"}),
    ("empty channel axis", "max", (np.zeros((1, 0, 4, 4)), 2), {}),
]


@pytest.fixture
def engine_never_runs(monkeypatch):
    """Make any computation fail, to prove validation happens before the trace computes anything."""
    def refuse(*args, **kwargs):
        raise AssertionError("the trace started computing before validating its arguments")
    for name in ("max_pool2d", "avg_pool2d", "max_pool2d_backward"):
        monkeypatch.setattr(record_module, name, refuse)


@pytest.mark.parametrize("description, kind, args, kwargs", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_get_the_engines_message_before_anything_is_computed(description, kind, args, kwargs,
                                                                           engine_never_runs):
    engine = max_pool2d if kind == "max" else avg_pool2d
    with pytest.raises((TypeError, ValueError)) as from_engine:
        engine(*args, **kwargs)
    with pytest.raises(type(from_engine.value)) as from_trace:
        trace_pool2d(args[0], kind, *args[1:], **kwargs)
    assert str(from_trace.value) == str(from_engine.value)


@pytest.mark.parametrize("kind", ["min", "MAX", None, "average"])
def test_an_unknown_kind_is_named(kind, engine_never_runs):
    message = (f"kind must be 'max' (max_pool2d: each output is its window's largest value) or 'avg' "
               f"(avg_pool2d: its window's mean), got {kind!r}")
    with pytest.raises(ValueError, match=re.escape(message)):
        trace_pool2d(X, kind, 2)


def test_dilated_average_pooling_is_refused_with_the_rule(engine_never_runs):
    message = ("dilation is for max pooling only: average pooling has no dilation "
               "(torch.nn.functional.avg_pool2d takes none), so it must be 1, got (1, 2)")
    with pytest.raises(ValueError, match=re.escape(message)):
        trace_pool2d(X, "avg", 2, dilation=(1, 2))
    with pytest.raises(ValueError, match=re.escape("it must be 1, got 2")):
        trace_pool2d(X, "avg", 2, dilation=2)


def test_dilation_one_is_accepted_for_average_pooling():
    trace = trace_pool2d(np.ones((1, 2, 2)), "avg", 2, dilation=(1, 1))
    assert trace.output.tolist() == [[[1.0]]]


def test_grad_output_of_the_wrong_shape_or_type_is_named(engine_never_runs):
    expected = ("grad_output must have the output's shape (1, 2, 2, 2) (the max pooling of input (1, 2, 5, 5) "
                "with kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)), got (1, 2, 5, 5)")
    with pytest.raises(ValueError, match=re.escape(expected)):
        trace_pool2d(X, "max", 2, grad_output=np.zeros((1, 2, 5, 5)))
    with pytest.raises(ValueError, match=re.escape("shape (2, 3, 3)")):
        trace_pool2d(X[0], "avg", 3, stride=1, grad_output=np.zeros((1, 2, 3, 3)))
    for grad_output, message in [(np.zeros((1, 2, 2, 2), np.int64), "must have dtype float32 or float64, got int64"),
                                 ([[0.0]], "grad_output must be a numpy ndarray"),
                                 (np.zeros((1, 2, 2, 2), np.float32), "input is float64, grad_output is float32")]:
        with pytest.raises(TypeError, match=message):
            trace_pool2d(X, "avg", 2, grad_output=grad_output)


@pytest.fixture(scope="module")
def small_trace():
    return trace_pool2d(X, "max", 2, stride=1, grad_output=np.ones((1, 2, 4, 4)))


@pytest.mark.parametrize("bad", [64, 74, -65, 1.0, "3", slice(0, 2), True, None])
def test_bad_frame_indices_name_the_valid_range(small_trace, bad):
    if isinstance(bad, int) and not isinstance(bad, bool):
        error, message = IndexError, re.escape(f"frame {bad} is out of range: this trace has 64 frames, so valid "
                                               f"indices are 0..63 (or -64..-1 counting from the end)")
    else:
        error, message = TypeError, "a frame index must be an int"
    for ask in (small_trace.__getitem__, small_trace.state, small_trace.phase_at):
        with pytest.raises(error, match=message):
            ask(bad)


def test_frame_of_an_element(small_trace):
    assert small_trace.frame_of("pool", 0, 1, 2, 3) == 16 + 2 * 4 + 3
    assert small_trace[small_trace.frame_of("route", 0, 1, 2, 3)].element == (0, 1, 2, 3)
    with pytest.raises(IndexError, match="oy=4 is out of range"):
        small_trace.frame_of("pool", 0, 0, 4, 0)
    with pytest.raises(KeyError, match="no 'slide' phase"):
        small_trace.frame_of("slide", 0, 0, 0, 0)


def test_negative_and_numpy_indices_work_like_a_sequence(small_trace):
    assert small_trace[-1].index == 63 and small_trace[-64].index == 0 and small_trace[np.int64(3)].index == 3
    assert small_trace.state(-1).frame == 63 and small_trace.phase_at(-1).name == "route"
    assert small_trace.phase_at(31).name == "pool" and small_trace.phase_at(32).name == "route"


def test_hover_coordinates_out_of_range(small_trace):
    message = "y=5 is out of range: the input height is 5, so valid values are 0..4"
    with pytest.raises(IndexError, match=re.escape(message)):
        small_trace.pixel_readers(0, 0, 5, 0)
    message = "ox=4 is out of range: the output width is 4, so valid values are 0..3"
    with pytest.raises(IndexError, match=re.escape(message)):
        small_trace.receptive_field(0, 0, 0, 4)
    with pytest.raises(IndexError, match=re.escape("c=2 is out of range: the number of channels is 2")):
        small_trace.receptive_field(0, 2, 0, 0)
    with pytest.raises(TypeError, match="n must be an int"):
        small_trace.pixel_readers(0.0, 0, 0, 0)
