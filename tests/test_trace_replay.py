"""apply_frame, the one function that replays a frame onto a state: it adds with repeats, zeroes
cells that handed their gradient on (an inf leaves 0, not NaN), crops, in that documented order,
and reads nothing but a frame's ``adds`` / ``zeros`` / ``crop``."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from convviz.trace import Addition, Crop, Zeroing, apply_frame, trace_conv2d


def copies(state):
    return ({name: a.copy() for name, a in state.arrays.items()},
            {name: w.copy() for name, w in state.written.items()})


def assert_state_is(arrays, written, state):
    assert set(arrays) == set(state.keys())
    for name in arrays:
        np.testing.assert_array_equal(arrays[name], state[name], err_msg=name)
        np.testing.assert_array_equal(written[name], state.written[name], err_msg=name)


# Replicate padding 2 on a 3×3 input: the three top-left border cells of padded row 0 all copy
# pixel (0, 0), so a fold frame sends several amounts onto one cell.
RNG = np.random.default_rng(2)
X, W = RNG.standard_normal((1, 3, 3)), np.abs(RNG.standard_normal((1, 1, 2, 2)))
GRAD_OUTPUT = RNG.standard_normal((1, 6, 6))


def replicate_trace(grad_output=GRAD_OUTPUT):
    return trace_conv2d(X, W, grad_output=grad_output, padding=2, padding_mode="replicate")


def test_each_fold_frame_replayed_is_the_next_state_with_repeated_targets():
    trace = replicate_trace()
    fold = trace.phase("fold")
    assert trace[fold.first].targets.tolist().count([2, 2]) == 3
    arrays, written = copies(trace.state(fold.first - 1))
    for index in range(fold.first, fold.last + 1):
        apply_frame(arrays, written, trace[index])
        assert_state_is(arrays, written, replicate_trace().state(index))  # computed from scratch


def test_a_border_cell_holding_inf_hands_it_on_and_is_left_at_zero():
    grad_output = GRAD_OUTPUT.copy()
    grad_output[0, 0, 0] = np.inf  # reaches padded cells (0, 0), (0, 1), (1, 0), (1, 1); W > 0
    trace = replicate_trace(grad_output)
    fold = trace.phase("fold")
    arrays, written = copies(trace.state(fold.first - 1))
    assert np.isposinf(arrays["grad_input"][0, 0, :2]).all()
    with np.errstate(invalid="ignore"):
        apply_frame(arrays, written, trace[fold.first])
    assert arrays["grad_input"][0, 0].tolist() == [0.0] * 7  # inf - inf would have left NaN
    assert np.isposinf(arrays["grad_input"][0, 2, 2])
    assert_state_is(arrays, written, replicate_trace(grad_output).state(fold.first))


def test_the_crop_frame_replaces_the_padded_gradient_and_its_mask():
    trace = replicate_trace()
    last = len(trace) - 1
    arrays, written = copies(trace.state(last - 1))
    assert arrays["grad_input"].shape == (1, 7, 7)
    apply_frame(arrays, written, trace[last])
    assert arrays["grad_input"].shape == written["grad_input"].shape == (1, 3, 3)
    assert_state_is(arrays, written, trace.state(last))


def test_a_frame_is_read_as_data_adds_then_zeros_then_crop():
    """Any object with ``adds``, ``zeros`` and ``crop`` is a frame to apply_frame (a view may build
    its own); the order is the documented one."""
    arrays = {"grad_input": np.zeros((1, 4, 4)), "output": np.ones((2, 2))}
    written = {name: np.zeros(a.shape, bool) for name, a in arrays.items()}
    cells = (np.array([0, 0, 0]), np.array([1, 1, 2]), np.array([1, 1, 2]))  # (1, 1) twice
    frame = SimpleNamespace(
        adds=(Addition("grad_input", cells, np.array([1.0, 2.0, 4.0])),
              Addition("output", (np.array([0]), np.array([1])), np.array([0.5]))),
        zeros=(Zeroing("grad_input", (np.array([0, 0]), np.array([2, 1]), np.array([2, 0]))),),
        crop=Crop("grad_input", range(1, 3), range(0, 3)))
    apply_frame(arrays, written, frame)
    # (1, 1) got 1 + 2, (2, 2) got 4 and was then zeroed, (1, 0) zeroed (a write too), then rows
    # 1..2 and columns 0..2 were kept
    assert arrays["grad_input"].tolist() == [[[0, 3, 0], [0, 0, 0]]]
    assert written["grad_input"].tolist() == [[[True, True, False], [False, False, True]]]
    assert arrays["output"].tolist() == [[1, 1.5], [1, 1]]
    assert written["output"].tolist() == [[False, True], [False, False]]


def test_a_frame_that_changes_nothing_leaves_the_state_alone():
    trace = trace_conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), grad_output=np.ones((1, 1, 4, 3)),
                         padding=1, dilation=(1, 2), padding_mode="reflect")
    for name in ("pad", "dilate"):
        frame = trace[trace.phase(name).first]
        assert frame.adds == () and frame.zeros == () and frame.crop is None
        arrays, written = copies(trace.state(frame.index))
        apply_frame(arrays, written, frame)
        assert_state_is(arrays, written, trace.state(frame.index))


def test_an_unknown_array_name_is_a_key_error():
    frame = SimpleNamespace(adds=(Addition("grad_bias", (np.array([0]),), np.array([1.0])),), zeros=(), crop=None)
    with pytest.raises(KeyError, match="grad_bias"):
        apply_frame({"output": np.zeros(1)}, {"output": np.zeros(1, bool)}, frame)
