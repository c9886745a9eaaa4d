"""Trace states and frames as records: playing forward is incremental, the input gradient of a
state computed from scratch is the frames replayed bit for bit (float32 with badly scaled
gradients too), two threads can share a trace, "not computed yet" is told apart from 0, nothing
handed out can be changed, and a big trace costs a few copies of its arrays."""

from __future__ import annotations

import dataclasses
import gc
import threading
import weakref
import time
import tracemalloc

import numpy as np
import pytest

import convviz.trace.record as record_module
import convviz.trace.states as states_module
from convviz.nn.functional import conv2d, conv2d_backward
from convviz.trace import REPLAY_LIMIT, apply_frame, partial_sums, trace_conv2d

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
    original = states_module.state_from_scratch

    def counting(record, layout, applied):
        calls.append(applied)
        return original(record, layout, applied)

    monkeypatch.setattr(states_module, "state_from_scratch", counting)
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


@pytest.mark.parametrize("scale", [1e4, 1e6])
@pytest.mark.parametrize("granularity", ["output", "tap"])
def test_badly_scaled_float32_scatter_states_are_the_frames_replayed(scale, granularity):
    """float32, one filter's gradient 10^4 or 10^6 times the others'. Every scatter state, each
    computed from scratch (asked for backwards), is the frames before it replayed, bit for bit: a
    cell the frame does not touch keeps its value exactly, and a partial sum is as close to the
    exact one as float32 sums can be. (What this catches: a state taken as final minus the frames
    remaining moves 55 untouched cells by up to 5e-3 here, and leaves partial sums 5-30% off with 10^6.)"""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 1, 8, 8)).astype(np.float32)
    w = rng.standard_normal((3, 1, 3, 3)).astype(np.float32)
    grad_output = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    grad_output[0, 2] *= scale
    trace = trace_conv2d(x, w, grad_output=grad_output, granularity=granularity)
    scatter = trace.phase("scatter")
    states = {i: trace.state(i)["grad_input"] for i in range(scatter.last, scatter.first - 2, -1)}
    replayed = np.zeros((1, 1, 8, 8), np.float32)
    exact, mass = np.zeros(replayed.shape), np.zeros(replayed.shape)
    terms = 3 * 3 * 3  # filters · taps: the most terms a cell sums
    for i in range(scatter.first, scatter.last + 1):
        (addition,) = trace[i].adds
        np.add.at(replayed, addition.index, addition.amount)
        np.add.at(exact, addition.index, addition.amount.astype(np.float64))
        np.add.at(mass, addition.index, np.abs(addition.amount.astype(np.float64)))
        touched = np.zeros(replayed.shape, dtype=bool)
        touched[addition.index] = True
        assert np.array_equal(states[i][~touched], states[i - 1][~touched]), i
        np.testing.assert_array_equal(states[i].view(np.uint32), replayed.view(np.uint32), err_msg=str(i))
        assert (np.abs(states[i] - exact) <= terms * np.finfo(np.float32).eps * mass).all(), i
    np.testing.assert_array_equal(trace.state(-1)["grad_input"], replayed)
    np.testing.assert_allclose(replayed, conv2d_backward(grad_output, x, w)[0], rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize("every", [1, 2, 3], ids=["checkpoint per filter", "every 2 filters", "no checkpoint"])
@pytest.mark.parametrize("bands", ["one", "many, on all cores"])
def test_scatter_states_are_the_frames_replayed_bit_for_bit(monkeypatch, every, bands):
    """Whichever checkpoint a state starts from (a group's sum after every `every`-th of its 3
    filters, or none), across images and groups, and however the rows are split into bands and cores, every
    scatter and fold state computed from scratch is the frames before it replayed, bit for bit."""
    monkeypatch.setattr(record_module, "checkpoint_spacing", lambda g, itemsize: every)
    checkpoints_kept = []

    def keeping_checkpoints(*args):
        grad, checkpoints = partial_sums.scatter_with_checkpoints(*args)
        checkpoints_kept.append(checkpoints.shape[2])
        return grad, checkpoints

    monkeypatch.setattr(record_module, "scatter_with_checkpoints", keeping_checkpoints)
    if bands != "one":
        monkeypatch.setattr(partial_sums, "SCATTER_BAND_BYTES", 1)  # a band per padded row
        monkeypatch.setattr(partial_sums, "SCATTER_PARALLEL_MIN", 0)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 4, 9, 8)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 2)).astype(np.float32)
    kwargs = dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=2, padding_mode="reflect")
    grad_output = rng.standard_normal((2, 6, 5, 8)).astype(np.float32)
    grad_output[:, 4] *= 1e4
    trace = trace_conv2d(x, w, grad_output=grad_output, **kwargs)
    assert checkpoints_kept == [(3 - 1) // every]  # per group, after filters every, 2·every, ... < 3
    first, last = trace.phase("scatter").first, trace.phase("fold").last
    states = {i: trace.state(i)["grad_input"].copy() for i in range(last, first - 1, -1)}  # from scratch
    replayed = {"grad_input": np.zeros((2, 4, 11, 10), np.float32)}
    written = {"grad_input": np.zeros((2, 4, 11, 10), bool)}
    for i in range(first, last + 1):
        frame = trace[i]
        if frame.phase in ("scatter", "fold"):
            apply_frame(replayed, written, frame)
        np.testing.assert_array_equal(states[i].view(np.uint32), replayed["grad_input"].view(np.uint32),
                                      err_msg=str(i))
    np.testing.assert_allclose(replayed["grad_input"], conv2d_backward(grad_output, x, w, **kwargs)[0],
                               rtol=1e-4, atol=1e-4)


def test_two_threads_playing_one_trace_forward_see_the_right_states():
    """The app builds and queries traces off the GUI thread: two views playing the same trace
    forward at once each get the state they asked for."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 2, 16, 16)), rng.standard_normal((4, 2, 3, 3))
    grad_output = rng.standard_normal((1, 4, 14, 14))
    shared = trace_conv2d(x, w, grad_output=grad_output)
    problems = []

    def play(offset):
        try:
            own = trace_conv2d(x, w, grad_output=grad_output)  # the same states, on this thread only
            for index in range(offset, len(shared), 2):
                theirs, mine = shared.state(index), own.state(index)
                if theirs.frame != index:
                    problems.append((index, "frame", theirs.frame))
                for name in mine.keys():
                    if theirs[name].shape != mine[name].shape or not np.allclose(theirs[name], mine[name],
                                                                                 rtol=1e-12, atol=1e-12):
                        problems.append((index, name))
                    elif not np.array_equal(theirs.written[name], mine.written[name]):
                        problems.append((index, name, "written"))
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's frame
            problems.append((offset, repr(error)))

    threads = [threading.Thread(target=play, args=(offset,)) for offset in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []


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


def assert_same_changes(changes, others):
    """Two frames' ``adds`` or ``zeros``: the same arrays, cells and amounts, all read-only."""
    assert len(changes) == len(others)
    for change, other in zip(changes, others):
        assert change.array == other.array and len(change.index) == len(other.index)
        for axis, other_axis in zip(change.index, other.index):
            np.testing.assert_array_equal(axis, other_axis)
        if hasattr(change, "amount"):
            np.testing.assert_array_equal(change.amount, other.amount)
            assert not change.amount.flags.writeable


def test_frames_are_pure_immutable_records():
    trace = make()
    fold = trace.phase("fold")
    for index in (0, trace.phase("slide").first + 3, fold.first, fold.last):
        first, again = trace[index], make()[index]
        assert type(first) is type(again) and first.caption == again.caption
        for field in dataclasses.fields(first):
            value, other = getattr(first, field.name), getattr(again, field.name)
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(value, other)
                assert not value.flags.writeable
            elif field.name in ("adds", "zeros"):
                assert_same_changes(value, other)
            elif field.name != "taps":
                assert value == other, field.name
        with pytest.raises(dataclasses.FrozenInstanceError):
            first.index = 0
    assert trace[fold.first].zeros and trace[fold.last].crop.rows == range(1, 7)
    taps = trace[trace.phase("slide").first].taps
    assert not taps.input_value.flags.writeable and not taps.padded.flags.writeable


def test_a_trace_is_freed_when_its_last_user_lets_go():
    """Without waiting for the cycle collector: the app builds a trace per edit, each a few copies
    of its arrays."""
    trace = make()
    trace.state(trace.phase("scatter").first + 3)
    trace.state(trace.phase("scatter").first + 4)  # played forward: the cache holds frames' results
    gone = weakref.ref(trace)
    gc.disable()
    try:
        del trace
        assert gone() is None
    finally:
        gc.enable()


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
