"""Invariants of convviz.trace on random configurations (hypothesis) and against torch.

Over every parameter (kernel, stride, dilation, each padding form and mode, groups, batch or
unbatched, bias or not, backward or not, both granularities, float32/float64):

- the final state equals the engine's conv2d and conv2d_backward, and each phase has the number of
  frames its formula says;
- every tap reads padded cell o·s + k·d per axis, i.e. input cell o·s + k·d - p, and reports the
  right source pixel and value (checked against numpy's own np.pad);
- adding up every frame's ``adds`` gives the final state;
- state(i) - state(i-1) is exactly what frame i adds, whether the states are computed from scratch
  or played forward: every cell the frame does not touch is bit for bit unchanged, the cells it
  touches change by its amounts up to the rounding of the sums involved (n·eps·sum of |terms|, n the
  terms a cell of that array sums), and the input gradient is exactly the frames replayed;
- the scatter road and the transposed-convolution road to grad_input agree, and the transposed
  road is the engine's conv2d of the record's spread grad_output and transposed kernel.

grad_output sometimes has one filter's gradient scaled by 1e4 (float32 too): a state that takes a
difference of large sums, or mixes two orders of adding, shows there.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from convviz.nn.functional import conv2d, conv2d_backward, conv_geometry
from convviz.trace import apply_frame, partial_sums, trace_conv2d

PADDING_MODES = ["zeros", "reflect", "replicate", "circular"]
NUMPY_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}
TOLERANCE = {np.dtype(np.float32): (1e-4, 1e-5), np.dtype(np.float64): (1e-10, 1e-12)}
MAX_FRAMES = 2500  # keeps a walk over every frame quick


def assert_close(actual, expected, dtype, what=""):
    rtol, atol = TOLERANCE[np.dtype(dtype)]
    scale = max(1.0, float(np.abs(expected).max(initial=0)))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * scale, err_msg=what)


@st.composite
def configurations(draw):
    """A random valid trace_conv2d call: (args, kwargs, strip size in bytes), arrays from a seeded rng."""
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    in_per_group, out_per_group = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = draw(st.integers(1, 3)), draw(st.integers(1, 3))

    def pair(low, high):  # an int or a pair of ints, as conv2d accepts
        return st.one_of(st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high)))

    stride, dilation = draw(pair(1, 3)), draw(pair(1, 3))
    padding = draw(st.one_of(pair(0, 2), st.sampled_from(["valid", "same"])))
    padding_mode = draw(st.sampled_from(PADDING_MODES))
    height, width = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    batch = draw(st.sampled_from([None, 1, 2]))
    has_bias, backward = draw(st.booleans()), draw(st.sampled_from([True, True, False]))
    granularity = draw(st.sampled_from(["output", "output", "tap"]))
    # The engine runs on strips of output rows; big images get several, small ones one. Force
    # several sometimes, so that states read the per-strip prefix sums.
    rows_per_strip = draw(st.sampled_from([None, None, 1, 2]))
    dtype = draw(st.sampled_from([np.float64, np.float64, np.float32]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    in_shape = (groups * in_per_group, height, width)
    x = rng.standard_normal(in_shape if batch is None else (batch,) + in_shape).astype(dtype)
    w = rng.standard_normal((groups * out_per_group, in_per_group) + kernel).astype(dtype)
    b = rng.standard_normal(groups * out_per_group).astype(dtype) if has_bias else None
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, padding_mode=padding_mode)
    try:
        g = conv_geometry(x, w, b, **kwargs)
    except ValueError:
        assume(False)  # e.g. a dilated kernel larger than the padded input, or "same" with a stride
    taps = in_per_group * kernel[0] * kernel[1] if granularity == "tap" else 1
    assume(3 * g.batch * g.out_channels * g.out_height * g.out_width * taps <= MAX_FRAMES)
    grad_output = None
    if backward:
        grad_output = rng.standard_normal(g.output_shape).astype(dtype)
        if draw(st.sampled_from([False, False, True])):  # one filter's outputs matter a lot more
            batched = grad_output if batch is not None else grad_output[None]
            batched[:, draw(st.integers(0, g.out_channels - 1))] *= 1e4
    strip_bytes = partial_sums.STRIP_BYTES
    if rows_per_strip is not None:
        strip_bytes = rows_per_strip * g.in_channels * kernel[0] * kernel[1] * g.out_width * x.itemsize
    return (x, w, b, grad_output), dict(kwargs, granularity=granularity), strip_bytes


def traced(configuration):
    """trace_conv2d on a drawn configuration, with its strip size."""
    (x, w, b, grad_output), kwargs, strip_bytes = configuration
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(partial_sums, "STRIP_BYTES", strip_bytes)
        return trace_conv2d(x, w, b, grad_output, **kwargs)


def engine_results(x, w, b, grad_output, kwargs):
    conv_kwargs = {k: v for k, v in kwargs.items() if k != "granularity"}
    results = {"output": conv2d(x, w, b, **conv_kwargs)}
    if grad_output is not None:
        gx, gw, gb = conv2d_backward(grad_output, x, w, has_bias=b is not None, **conv_kwargs)
        results.update(grad_input=gx, grad_weight=gw)
        if b is not None:
            results["grad_bias"] = gb
    return results


def expected_phase_counts(trace, has_bias, backward):
    """The frame-count formulas, written out independently of the trace."""
    g = trace.geometry
    top, bottom, left, right = g.pads
    padded, zeros = any(g.pads), g.padding_mode == "zeros"
    rows_with_padding = g.padded_height if left or right else top + bottom
    elements = g.batch * g.out_channels * g.out_height * g.out_width
    per_element = g.in_per_group * g.kernel_size[0] * g.kernel_size[1] if trace.granularity == "tap" else 1
    return {
        "pad": 0 if not padded else 1 if zeros else rows_with_padding,
        "dilate": g.kernel_size[0] * g.kernel_size[1] if g.dilation != (1, 1) else 0,
        "slide": elements * per_element,
        "scatter": elements * per_element if backward else 0,
        "weight_grad": elements * per_element if backward else 0,
        "bias_grad": g.out_channels if backward and has_bias else 0,
        "fold": 0 if not (backward and padded) else 1 if zeros else rows_with_padding + 1,
    }


def source_maps(g):
    """Per axis, the input index each padded position holds (-1 for a zero), from numpy's np.pad."""
    top, bottom, left, right = g.pads
    if g.padding_mode == "zeros":
        rows = np.pad(np.arange(g.height), (top, bottom), constant_values=-1)
        cols = np.pad(np.arange(g.width), (left, right), constant_values=-1)
    else:
        mode = NUMPY_PAD_MODE[g.padding_mode]
        rows = np.pad(np.arange(g.height), (top, bottom), mode=mode)
        cols = np.pad(np.arange(g.width), (left, right), mode=mode)
    return rows, cols


def copy_state(state):
    return ({k: v.copy() for k, v in state.arrays.items()}, {k: v.copy() for k, v in state.written.items()})


def bits(array):
    """The array's bit patterns, so that equality means bit for bit (0.0 is not -0.0)."""
    return array.view(np.uint64 if array.dtype == np.float64 else np.uint32)


class Rounding:
    """How far a state may be from exact arithmetic, per cell: n · eps · (sum of |terms|).

    The sums of |terms| are the same trace computed on |input|, |weight|, |bias|, |grad_output|
    (each of its cells is the sum of the absolute values of the terms the real cell adds up); n is
    the most terms a cell of that array sums: a window's taps and the bias for the output, a
    filter's output elements for the weight gradient."""

    def __init__(self, configuration):
        (x, w, b, grad_output), kwargs, strip_bytes = configuration
        absolute = tuple(None if a is None else np.abs(a) for a in (x, w, b, grad_output))
        mass = traced((absolute, kwargs, strip_bytes))
        g = mass.geometry
        self.final = mass.state(-1)
        self.padded = mass.state(mass.phase("scatter").last) if mass.has_backward else None
        eps = float(np.finfo(x.dtype).eps)
        taps = g.in_per_group * g.kernel_size[0] * g.kernel_size[1]
        self.eps_n = {"output": eps * (taps + 1), "grad_weight": eps * g.batch * g.out_height * g.out_width,
                      "grad_input": 0.0, "grad_bias": 0.0}  # those two: copies and the frames' own sums

    def bound(self, name, shape):
        mass = self.final[name]
        if mass.shape != shape:  # grad_input before the crop: padded
            mass = self.padded[name]
        return self.eps_n[name] * mass


def assert_state_follows_frame(before, after, frame, rounding, what):
    """state ``after`` is state ``before`` plus ``frame``: bit for bit outside the cells the frame
    touches, within the rounding of the sums on them, and exactly the frame replayed for the input
    gradient (its states are added up in the frames' order)."""
    arrays, written = copy_state(before)
    apply_frame(arrays, written, frame)
    touched = {name: np.zeros(a.shape, dtype=bool) for name, a in arrays.items()}
    for addition in frame.adds:
        touched[addition.array][addition.index] = True
    for name in after.keys():
        actual, expected, cells = after[name], arrays[name], touched[name]
        assert actual.shape == expected.shape, (what, name)
        np.testing.assert_array_equal(bits(actual[~cells]), bits(expected[~cells]),
                                      err_msg=f"{what} {name}: a cell the frame does not touch changed")
        error = np.abs(actual[cells].astype(np.float64) - expected[cells])
        allowed = rounding.bound(name, actual.shape)[cells]
        assert (error <= allowed).all(), (what, name, error.max(), allowed[error.argmax()])
        if name in ("grad_input", "grad_bias"):
            np.testing.assert_array_equal(bits(actual), bits(expected), err_msg=f"{what} {name}")
        np.testing.assert_array_equal(after.written[name], written[name], err_msg=f"{what} {name} written")


def assert_same_state(played, scratch, rounding, what):
    """Two ways to the same state: equal within the rounding, exactly for the input gradient."""
    assert played.frame == scratch.frame and played.phase == scratch.phase
    for name in scratch.keys():
        assert played[name].shape == scratch[name].shape, (what, name)
        error = np.abs(played[name].astype(np.float64) - scratch[name])
        assert (error <= rounding.bound(name, played[name].shape)).all(), (what, name, error.max())
        if name in ("grad_input", "grad_bias"):
            np.testing.assert_array_equal(bits(played[name]), bits(scratch[name]), err_msg=f"{what} {name}")
        np.testing.assert_array_equal(played.written[name], scratch.written[name], err_msg=f"{what} {name}")


def structural_indices(trace):
    """Frames where a state's decomposition changes: phase ends, and in the window phases the
    first frames of output rows, planes, groups and images."""
    g = trace.geometry
    per_element = trace.taps_per_window if trace.granularity == "tap" else 1
    row, plane = g.out_width * per_element, g.out_height * g.out_width * per_element
    indices = {i for p in trace.phases for i in (p.first, p.first + 1, p.last)}
    for phase in trace.phases:
        if phase.name in ("slide", "scatter", "weight_grad"):
            for step in (row, plane, plane * g.out_per_group, plane * g.out_channels):
                indices.update(range(phase.first, phase.last + 1, step))
            if per_element > 1:  # an element's last tap and the next one's first
                indices.update(range(phase.first + per_element - 1, phase.last + 1, per_element))
    return sorted(i for i in indices if 1 <= i < len(trace))


# ----------------------------------------------------------------------------------------------


@given(configurations())
def test_final_state_equals_the_engine_and_phases_follow_the_formulas(configuration):
    (x, w, b, grad_output), kwargs, _ = configuration
    trace = traced(configuration)

    expected = expected_phase_counts(trace, b is not None, grad_output is not None)
    assert trace.phase_counts() == expected
    assert [p.name for p in trace.phases] == [name for name, count in expected.items() if count]
    first = 0
    for phase in trace.phases:  # contiguous, in order, covering every frame once
        assert (phase.first, phase.count) == (first, expected[phase.name])
        assert phase.explanation.endswith(".") and len(phase.explanation) > 40
        first = phase.last + 1
    assert len(trace) == first == sum(expected.values())

    final = trace.state(len(trace) - 1)
    reference = engine_results(x, w, b, grad_output, kwargs)
    assert set(final.keys()) == set(reference)
    for name, value in reference.items():
        assert final[name].shape == value.shape and final[name].dtype == value.dtype, name
        assert_close(final[name], value, x.dtype, name)
        if name == "grad_input":
            # Pixels no window reads (a stride skipping them) are never written: exactly 0.
            assert (final[name][~final.written[name]] == 0).all()
            assert (value[~final.written[name]] == 0).all()
        else:
            assert final.written[name].all(), name


@given(configurations())
def test_every_frame_adds_up_to_the_result_and_taps_sit_at_o_s_plus_k_d_minus_p(configuration):
    (x, w, b, grad_output), kwargs, _ = configuration
    trace = traced(configuration)
    g = trace.geometry
    (sh, sw), (dh, dw) = g.stride, g.dilation
    top, _, left, _ = g.pads
    row_source, col_source = source_maps(g)
    x4 = x[None] if g.unbatched else x
    w_flat = w.reshape(w.shape[0], -1)

    final = trace.state(-1)
    arrays = {name: np.zeros_like(a) for name, a in final.arrays.items()}
    written = {name: np.zeros(a.shape, dtype=bool) for name, a in final.arrays.items()}
    if "grad_input" in arrays:  # padded until the crop
        padded_shape = final["grad_input"].shape[:-2] + (g.padded_height, g.padded_width)
        arrays["grad_input"] = np.zeros(padded_shape, dtype=x.dtype)
        written["grad_input"] = np.zeros(padded_shape, dtype=bool)

    for index, frame in enumerate(trace):
        assert frame.index == index and frame.phase == trace.phase_at(index).name
        if frame.phase in ("slide", "scatter", "weight_grad"):
            n, f, oy, ox = frame.element
            taps = frame.taps
            c, i, j = taps.kernel_index.T
            # the padded cell is o·s + k·d per axis; the input cell o·s + k·d - p
            np.testing.assert_array_equal(taps.padded[:, 0], oy * sh + i * dh)
            np.testing.assert_array_equal(taps.padded[:, 1], ox * sw + j * dw)
            in_y, in_x = oy * sh + i * dh - top, ox * sw + j * dw - left
            inside = (in_y >= 0) & (in_y < g.height) & (in_x >= 0) & (in_x < g.width)
            np.testing.assert_array_equal(taps.is_padding, ~inside)
            np.testing.assert_array_equal(taps.source[inside], np.stack([in_y, in_x], 1)[inside])
            expected_rows, expected_cols = row_source[taps.padded[:, 0]], col_source[taps.padded[:, 1]]
            zero = (expected_rows < 0) | (expected_cols < 0)
            np.testing.assert_array_equal(taps.source[~zero], np.stack([expected_rows, expected_cols], 1)[~zero])
            assert (taps.source[zero] == -1).all()
            np.testing.assert_array_equal(taps.channel, frame.group * g.in_per_group + c)
            rows, cols = np.maximum(expected_rows, 0), np.maximum(expected_cols, 0)
            values = np.where(zero, 0, x4[n, taps.channel, rows, cols])
            np.testing.assert_array_equal(taps.input_value, values)
            np.testing.assert_array_equal(taps.weight_value, w[f, c, i, j])
            np.testing.assert_array_equal(taps.product, taps.input_value * taps.weight_value)
            position = frame.im2col
            assert position.weight_row == f - frame.group * g.out_per_group
            assert position.column == (n * g.out_height + oy) * g.out_width + ox
            if frame.tap_number is not None:
                assert position.tap_row == frame.tap_number
                assert w_flat[f, position.tap_row] == taps.weight_value[0]
        apply_frame(arrays, written, frame)

    for name in final.keys():
        assert arrays[name].shape == final[name].shape, name
        assert_close(arrays[name], final[name], x.dtype, name)
        np.testing.assert_array_equal(written[name], final.written[name], err_msg=name)


@given(configurations(), st.data())
def test_each_state_step_is_exactly_what_its_frame_adds(configuration, data):
    trace = traced(configuration)
    rounding = Rounding(configuration)
    structural = structural_indices(trace)
    picked = data.draw(st.lists(st.sampled_from(structural), max_size=12)) if structural else []
    picked += data.draw(st.lists(st.integers(1, max(1, len(trace) - 1)), max_size=4))
    boundaries = {i for p in trace.phases for i in (p.first, p.first + 1, p.last)}
    for index in sorted(i for i in boundaries | set(picked) if 1 <= i < len(trace)):
        # Ask for state(index) first, then state(index - 1): going backwards, both are computed
        # from scratch with vectorised sums, not by applying frames.
        fresh = traced(configuration)
        after = fresh.state(index)
        before = fresh.state(index - 1)
        assert_state_follows_frame(before, after, trace[index], rounding, f"frame {index}")


@given(configurations(), st.data())
def test_playing_forward_gives_the_same_states_as_computing_from_scratch(configuration, data):
    player = traced(configuration)
    rounding = Rounding(configuration)
    start = data.draw(st.integers(0, len(player) - 1))
    # One frame at a time: each state is the one before plus its frame.
    before = player.state(start)
    last = min(start + data.draw(st.integers(0, 60)), len(player) - 1)
    for index in range(start + 1, last + 1):
        after = player.state(index)
        assert_state_follows_frame(before, after, player[index], rounding, f"played frame {index}")
        before = after
    assert_same_state(before, traced(configuration).state(last), rounding, f"frame {last}")
    # Then a few frames at a time.
    index = last
    for step in data.draw(st.lists(st.integers(1, 40), max_size=6)):
        index = min(index + step, len(player) - 1)
        assert_same_state(player.state(index), traced(configuration).state(index), rounding, f"frame {index}")


@given(configurations())
def test_the_two_roads_to_grad_input_agree(configuration):
    (x, w, b, grad_output), kwargs, _ = configuration
    assume(grad_output is not None)
    trace = traced(configuration)
    roads = trace.input_gradient_roads()
    assert roads.agree and roads.max_abs_difference <= roads.tolerance
    assert_close(roads.scatter, roads.transposed, x.dtype)
    # The scatter road is what the scatter phase ends with.
    last_scatter = trace.state(trace.phase("scatter").last)["grad_input"]
    padded = roads.scatter[0] if trace.unbatched else roads.scatter
    assert_close(last_scatter, padded, x.dtype)
    assert np.count_nonzero(roads.spread_grad_output) == np.count_nonzero(grad_output)
    # The record holds what the transposed road convolves: the engine's conv2d of the two.
    g = trace.geometry
    assert roads.transposed_kernel.shape == (g.in_channels, g.out_per_group) + g.kernel_size
    again = conv2d(roads.spread_grad_output, roads.transposed_kernel, dilation=g.dilation, groups=g.groups,
                   algorithm="strided")
    np.testing.assert_array_equal(again, roads.transposed)


@pytest.mark.parametrize("groups, kwargs", [
    (1, dict(stride=2, padding=1, dilation=2)),
    (2, dict(stride=(1, 2), padding=(2, 1), dilation=(2, 1), padding_mode="reflect")),
])
def test_the_transposed_kernel_swaps_filters_and_channels(groups, kwargs):
    """With as many filters as input channels, a kernel only turned by 180° has the transposed
    kernel's shape but convolves to a wrong gradient: the record must hold the swapped one."""
    rng = np.random.default_rng(11)
    channels = 2 * groups
    x = rng.standard_normal((2, channels, 7, 6))
    w = rng.standard_normal((channels, channels // groups, 3, 2))
    grad_output = rng.standard_normal(trace_conv2d(x, w, groups=groups, **kwargs).geometry.output_shape)
    trace = trace_conv2d(x, w, grad_output=grad_output, groups=groups, **kwargs)
    g = trace.geometry
    roads = trace.input_gradient_roads()
    per_group = channels // groups
    for group in range(groups):
        for c in range(per_group):
            for k in range(per_group):
                np.testing.assert_array_equal(roads.transposed_kernel[group * per_group + c, k],
                                              w[group * per_group + k, c, ::-1, ::-1])
    by_engine = conv2d(roads.spread_grad_output, roads.transposed_kernel, dilation=g.dilation, groups=groups)
    np.testing.assert_allclose(by_engine, roads.transposed, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(by_engine, roads.scatter, rtol=1e-12, atol=1e-12)
    # the engine's own input gradient is that, cropped (zeros) or folded (reflect) back
    grad_input, _, _ = conv2d_backward(grad_output, x, w, groups=groups, **kwargs)
    np.testing.assert_allclose(trace.state(-1)["grad_input"], grad_input, rtol=1e-12, atol=1e-12)
    only_rotated = np.ascontiguousarray(w[:, :, ::-1, ::-1])
    assert only_rotated.shape == roads.transposed_kernel.shape
    wrong = conv2d(roads.spread_grad_output, only_rotated, dilation=g.dilation, groups=groups)
    assert np.abs(wrong - roads.transposed).max() > 0.1


@pytest.mark.parametrize("padding, padding_mode", [(0, "zeros"), (1, "zeros"), (1, "reflect")])
def test_an_empty_batch_traces_like_the_engine(padding, padding_mode):
    """The engine accepts a batch of 0 images; the trace has no window frames then."""
    x, w, b = np.zeros((0, 2, 4, 4)), np.ones((3, 2, 2, 2)), np.ones(3)
    kwargs = dict(padding=padding, padding_mode=padding_mode, dilation=2)
    trace = trace_conv2d(x, w, b, np.zeros((0, 3, 2 + 2 * padding, 2 + 2 * padding)), **kwargs)
    assert trace.phase_counts() == expected_phase_counts(trace, True, True)
    assert trace.phase_counts()["slide"] == 0 and len(trace) == sum(trace.phase_counts().values())
    final = trace.state(-1)
    for name, value in engine_results(x, w, b, trace.grad_output, dict(kwargs, granularity="output")).items():
        assert final[name].shape == value.shape
        np.testing.assert_array_equal(final[name], value)
    no_frames = trace_conv2d(x, w)
    assert len(no_frames) == 0 and list(no_frames) == []
    with pytest.raises(IndexError, match="this trace has no frames"):
        no_frames[0]


def test_the_roads_flag_a_wrong_transposed_road():
    """``agree`` is a real check: a gradient off by a few ulps-times-terms is caught."""
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((1, 2, 6, 6)), rng.standard_normal((3, 2, 3, 3))
    trace = trace_conv2d(x, w, grad_output=rng.standard_normal((1, 3, 4, 4)))
    roads = trace.input_gradient_roads()
    assert roads.agree
    assert roads.tolerance < 1e-9  # float64: far below a real mistake
    wrong_weight = w.copy()
    wrong_weight[0, 0, 0, 0] += 1e-6
    wrong = trace_conv2d(x, wrong_weight, grad_output=trace.grad_output)
    assert np.abs(wrong.input_gradient_roads().transposed - roads.scatter).max() > roads.tolerance


TORCH_CASES = [
    # (input shape, weight shape, bias, kwargs)
    ((1, 3, 7, 6), (4, 3, 3, 2), True, dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))),
    ((2, 4, 6, 6), (4, 2, 2, 3), False, dict(padding="same", dilation=2, groups=2)),
    ((3, 5, 5), (2, 3, 3, 3), True, dict(padding=2, padding_mode="reflect")),
    ((1, 2, 5, 4), (2, 2, 2, 2), True, dict(stride=2, padding=(2, 1), padding_mode="circular")),
    ((2, 2, 4, 5), (4, 1, 3, 3), True, dict(padding=1, groups=2, padding_mode="replicate")),
]


@pytest.mark.parametrize("case", TORCH_CASES, ids=lambda case: f"{case[0]}-{case[1]}-{case[3]}")
@pytest.mark.parametrize("granularity", ["output", "tap"])
def test_final_state_equals_torch(case, granularity):
    input_shape, weight_shape, has_bias, kwargs = case
    rng = np.random.default_rng(len(input_shape) * 100 + weight_shape[0])
    x, w = rng.standard_normal(input_shape), rng.standard_normal(weight_shape)
    b = rng.standard_normal(weight_shape[0]) if has_bias else None
    mode = kwargs.get("padding_mode", "zeros")
    layer = torch.nn.Conv2d(weight_shape[1] * kwargs.get("groups", 1), weight_shape[0], weight_shape[2:],
                            bias=has_bias, dtype=torch.float64,
                            **{k: v for k, v in kwargs.items()})
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        if has_bias:
            layer.bias.copy_(torch.from_numpy(b))
    tx = torch.from_numpy(x).requires_grad_(True)
    ty = layer(tx)
    grad_output = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.from_numpy(grad_output))

    trace = trace_conv2d(x, w, b, grad_output, granularity=granularity, **kwargs)
    assert trace.geometry.padding_mode == mode
    final = trace.state(-1)
    expected = {"output": ty.detach().numpy(), "grad_input": tx.grad.numpy(),
                "grad_weight": layer.weight.grad.numpy()}
    if has_bias:
        expected["grad_bias"] = layer.bias.grad.numpy()
    assert set(final.keys()) == set(expected)
    for name, value in expected.items():
        np.testing.assert_allclose(final[name], value, rtol=1e-10, atol=1e-12, err_msg=name)
