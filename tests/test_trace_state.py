"""Trace states and frames as records: playing forward is incremental, "not computed yet" is told
apart from 0, nothing handed out can be changed, and a big trace costs a few copies of its arrays."""

from __future__ import annotations

import dataclasses
import time
import tracemalloc

import numpy as np
import pytest

from convviz.nn.functional import conv2d, conv2d_backward
from convviz.trace import REPLAY_LIMIT, Trace, trace_conv2d

RNG = np.random.default_rng(3)
X = RNG.standard_normal((2, 2, 6, 5))
W = RNG.standard_normal((3, 2, 3, 2))
B = RNG.standard_normal(3)


def make(x=X, **kwargs):
    probe = trace_conv2d(x, W, B, padding=1, padding_mode="circular")
    grad_output = np.random.default_rng(4).standard_normal(probe.geometry.output_shape)
    return trace_conv2d(x, W, B, grad_output, padding=1, padding_mode="circular", **kwargs)


@pytest.fixture
def count_scratch(monkeypatch):
    """Count how often a state is computed from scratch rather than played forward."""
    calls = []
    original = Trace._state_from_scratch

    def counting(self, applied):
        calls.append(applied)
        return original(self, applied)

    monkeypatch.setattr(Trace, "_state_from_scratch", counting)
    return calls


@pytest.mark.parametrize("granularity", ["output", "tap"])
def test_playing_forward_never_recomputes_from_scratch(count_scratch, granularity):
    trace = make(RNG.standard_normal((2, 2, 12, 10)), granularity=granularity)
    # Start in the scatter phase and play 200 frames one by one, across a phase boundary too.
    start = trace.phase("weight_grad").first - 100
    trace.state(start)
    for index in range(start + 1, start + 200):
        trace.state(index)
    assert count_scratch == [start + 1]
    # Stepping a few frames at once is still incremental; jumping back or far ahead is not.
    trace.state(start + 199 + REPLAY_LIMIT)
    assert len(count_scratch) == 1
    trace.state(start)
    trace.state(start + 10 + 2 * REPLAY_LIMIT)
    assert len(count_scratch) == 3


def test_played_and_scratch_states_agree_through_every_phase(count_scratch):
    trace = make()
    played = [trace.state(i) for i in range(len(trace))]
    assert len(count_scratch) == 1
    for index in range(0, len(trace), 7):
        scratch = make().state(index)
        for name in scratch.keys():
            np.testing.assert_allclose(played[index][name], scratch[name], rtol=1e-10, atol=1e-12)
            np.testing.assert_array_equal(played[index].written[name], scratch.written[name])


def test_a_returned_state_never_changes_and_cannot_be_changed():
    trace = make()
    index = trace.phase("scatter").first + 5
    state = trace.state(index)
    kept = {name: array.copy() for name, array in state.arrays.items()}
    for later in range(index + 1, index + 30):  # plays forward on the trace's own copy
        trace.state(later)
    for name, array in state.arrays.items():
        np.testing.assert_array_equal(array, kept[name])
        assert not array.flags.writeable and not state.written[name].flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        state["output"][0, 0, 0, 0] = 1.0
    with pytest.raises(TypeError):
        state.arrays["output"] = None


def test_written_tells_not_computed_from_zero():
    x = np.zeros((1, 4, 4))  # every output is a genuine 0 without a bias
    trace = trace_conv2d(x, np.ones((1, 1, 2, 2)), grad_output=np.zeros((1, 3, 3)))
    state = trace.state(3)
    assert (state["output"] == 0).all()
    assert state.written["output"].reshape(-1).tolist() == [True] * 4 + [False] * 5
    assert not state.written["grad_input"].any() and not state.written["grad_weight"].any()


def test_pixels_no_window_reads_stay_unwritten_with_zero_gradient():
    # Stride 3 with a 1x1 kernel reads rows and columns 0 and 3 of a 5x5 input only.
    trace = trace_conv2d(RNG.standard_normal((1, 5, 5)), RNG.standard_normal((1, 1, 1, 1)),
                         grad_output=RNG.standard_normal((1, 2, 2)), stride=3)
    final = trace.state(-1)
    read = np.zeros((5, 5), dtype=bool)
    read[np.ix_([0, 3], [0, 3])] = True
    np.testing.assert_array_equal(final.written["grad_input"][0], read)
    assert (final["grad_input"][0][~read] == 0).all()
    assert len(trace.pixel_readers(0, 0, 1, 1)) == 0


def test_frames_are_pure_immutable_records():
    trace = make()
    for index in (0, trace.phase("slide").first + 3, trace.phase("fold").first):
        first, again = trace[index], make()[index]
        assert type(first) is type(again) and first.caption == again.caption
        for field in dataclasses.fields(first):
            value, other = getattr(first, field.name), getattr(again, field.name)
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(value, other)
                assert not value.flags.writeable
            elif field.name not in ("taps", "adds"):
                assert value == other, field.name
        with pytest.raises(dataclasses.FrozenInstanceError):
            first.index = 0
    taps = trace[trace.phase("slide").first].taps
    assert not taps.input_value.flags.writeable and not taps.padded.flags.writeable


def test_the_trace_keeps_its_own_copies_of_the_arrays():
    x, w = X.copy(), W.copy()
    trace = trace_conv2d(x, w)
    before = trace[5].taps.product.copy(), trace.state(-1)["output"].copy()
    x[:] = 0
    w[:] = 0
    np.testing.assert_array_equal(trace[5].taps.product, before[0])
    np.testing.assert_array_equal(trace.state(-1)["output"], before[1])


def test_a_large_trace_costs_a_few_copies_of_its_arrays():
    """1×3×256×256 with 8 dilated 7×7 filters, a frame per multiply-add: 70 million frames per
    window phase."""
    rng = np.random.default_rng(0)
    x = rng.random((1, 3, 256, 256), dtype=np.float32)
    w = rng.standard_normal((8, 3, 7, 7)).astype(np.float32)
    grad_output = rng.standard_normal((1, 8, 244, 244)).astype(np.float32)
    array_bytes = x.nbytes + w.nbytes + grad_output.nbytes * 2  # inputs, and the output's size
    tracemalloc.start()
    trace = trace_conv2d(x, w, np.zeros(8, np.float32), grad_output, dilation=2, granularity="tap")
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(trace) == 49 + 3 * (8 * 244 * 244) * (3 * 7 * 7) + 8
    assert retained < 2 * array_bytes, (retained, array_bytes)
    assert peak < retained + 64 * 2**20  # the engine runs on strips; benchmarks/bench_trace.py checks 512×512
    started = time.perf_counter()
    frames = [trace[i] for i in (0, len(trace) // 2, len(trace) - 1, -3)]
    assert time.perf_counter() - started < 0.5  # decoding, not materialising
    assert frames[1].phase == "scatter" and frames[-1].phase == "bias_grad"


NON_FINITE_CASES = [
    dict(padding=1, padding_mode="reflect"),
    dict(padding=(2, 1), padding_mode="replicate", groups=2),
    dict(stride=2, padding=1, dilation=(1, 2)),
]


@pytest.mark.parametrize("kwargs", NON_FINITE_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
@pytest.mark.parametrize("granularity", ["output", "tap"])
@pytest.mark.filterwarnings("error::RuntimeWarning")  # inf·0 = NaN is expected, not warned about
def test_inf_and_nan_flow_through_the_states_as_through_the_engine(kwargs, granularity):
    """An inf pixel, a NaN pixel, an inf weight and an inf gradient: every state computed from
    scratch has the same inf and NaN cells as the state played forward frame by frame, and the
    final one has the engine's."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((1, 2, 5, 5))
    x[0, 0, 1, 2], x[0, 1, 4, 0] = np.inf, np.nan
    w = rng.standard_normal((4, 2 // kwargs.get("groups", 1), 2, 3))
    w[1, 0, 1, 1] = -np.inf
    b = rng.standard_normal(4)
    grad_output = rng.standard_normal(trace_conv2d(x, w, b, **kwargs).geometry.output_shape)
    grad_output[0, 2, 0, 1] = np.inf
    trace = trace_conv2d(x, w, b, grad_output, granularity=granularity, **kwargs)
    played = [trace.state(i) for i in range(len(trace))]
    for index in range(0, len(trace), 11):
        scratch = trace_conv2d(x, w, b, grad_output, granularity=granularity, **kwargs).state(index)
        for name in scratch.keys():
            np.testing.assert_allclose(played[index][name], scratch[name], rtol=1e-10, atol=1e-12,
                                       err_msg=f"frame {index} {name}")
    conv_kwargs = dict(kwargs)
    gx, gw, gb = conv2d_backward(grad_output, x, w, **conv_kwargs)
    final = played[-1]
    expected = {"output": conv2d(x, w, b, **conv_kwargs), "grad_input": gx, "grad_weight": gw, "grad_bias": gb}
    assert not all(np.isfinite(value).all() for value in expected.values())
    for name, value in expected.items():
        np.testing.assert_allclose(final[name], value, rtol=1e-10, atol=1e-12, err_msg=name)
