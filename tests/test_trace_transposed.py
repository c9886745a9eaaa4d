"""The transposed-convolution trace (convviz.trace.transposed) obeys the convolution traces'
invariants and matches torch:

- the final output is the engine's conv_transpose2d bit for bit and torch's, and so is the crop
  of the full plane plus the bias (to rounding), over a grid of stride, padding, output_padding,
  dilation, groups, bias, batch, float32/float64; the direct road's conv2d trace gives it too, and
  its input has zeros exactly where the documented construction puts them;
- the contribution counts are torch's conv_transpose2d of ones with a ones kernel, and stride 2
  with a 3×3 kernel gives the 1/2/4 checkerboard;
- each phase has the frames its formula says; every scatter frame adds x·w at iy·s + i·d
  (checked against a loop written out here); the state after frame i is the frames 0..i
  replayed, bit for bit (float32 with a badly scaled channel, checkpoints spaced out, inf and
  NaN too), whether computed from scratch or played forward;
- the hover answers are every product the frames add, and sum to the output;
- bad arguments get the engine's messages before anything is computed.
"""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import convviz.trace.transposed as transposed_module
import convviz.trace.transposed_record as record_module
import convviz.trace.transposed_states as states_module
from convviz.nn.functional import conv_transpose2d
from convviz.trace import Trace, apply_frame, trace_conv_transpose2d

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TOLERANCE = {np.dtype(np.float32): (1e-4, 1e-5), np.dtype(np.float64): (1e-10, 1e-12)}


def arrays(rng, batch, groups, in_per_group, out_per_group, size, kernel, dtype=np.float64, bias=True):
    shape = (groups * in_per_group,) + size
    x = rng.standard_normal(shape if batch is None else (batch,) + shape).astype(dtype)
    w = rng.standard_normal((groups * in_per_group, out_per_group) + kernel).astype(dtype)
    b = rng.standard_normal(groups * out_per_group).astype(dtype) if bias else None
    return x, w, b


def torch_reference(x, w, b, **kwargs):
    as_tensor = lambda a: None if a is None else torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
    return torch.nn.functional.conv_transpose2d(as_tensor(x), as_tensor(w), as_tensor(b), **kwargs).numpy()


def assert_close(actual, expected, dtype, what=""):
    rtol, atol = TOLERANCE[np.dtype(dtype)]
    scale = max(1.0, float(np.abs(expected).max(initial=0)))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * scale, err_msg=what)


def bits(array):
    return array.view({8: np.uint64, 4: np.uint32}[array.itemsize]) if array.dtype.kind == "f" else array


def assert_same_state(state, arrays_, written, what):
    assert set(state.keys()) == set(arrays_), what
    for name in arrays_:
        np.testing.assert_array_equal(bits(state[name]), bits(arrays_[name]), err_msg=f"{what} {name}")
        np.testing.assert_array_equal(state.written[name], written[name], err_msg=f"{what} {name} written")


def zero_state(trace):
    first = trace.state(0)
    return ({k: np.zeros_like(v) for k, v in first.arrays.items()},
            {k: np.zeros(v.shape, dtype=bool) for k, v in first.arrays.items()})


# ----------------------------------------------------------------------------------------------
# The result: engine, torch, the crop of the full plane, the direct road

GRID = [dict(stride=s, padding=p, output_padding=op, dilation=d, groups=g)
        for s, p, op, d, g in itertools.product([1, 2, 3], [0, 1, 3], [0, 1, 2], [1, 2], [1, 2])
        if (op < s or op < d) and 2 * s - 2 * p + d + op + 1 >= 1]  # torch's rule; a 3x4 input's 2x3 kernel keeps a row


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [None, 2], ids=["unbatched", "batched"])
def test_the_final_state_is_the_engines_and_torchs_output_over_a_grid(dtype, batch):
    rng = np.random.default_rng(1)
    for kwargs, has_bias in itertools.product(GRID, [False, True]):
        x, w, b = arrays(rng, batch, kwargs["groups"], 2, 2, (3, 4), (2, 3), dtype, has_bias)
        what = f"{kwargs} bias={has_bias}"
        trace = trace_conv_transpose2d(x, w, b, **kwargs)
        final = trace.state(-1)
        engine = conv_transpose2d(x, w, b, **kwargs)
        np.testing.assert_array_equal(final["output"], engine, err_msg=what)
        np.testing.assert_array_equal(trace.output, engine, err_msg=what)
        assert final.written["output"].all() and final["output"].dtype == dtype
        expected = torch_reference(x, w, b, **kwargs)
        assert_close(final["output"], expected, dtype, what)
        s, p, op, d = (kwargs[k] for k in ("stride", "padding", "output_padding", "dilation"))
        full_height, full_width = (3 - 1) * s + d * (2 - 1) + 1 + op, (4 - 1) * s + d * (3 - 1) + 1 + op
        assert final["full"].shape == trace.full_shape == expected.shape[:-2] + (full_height, full_width), what
        cropped = final["full"][..., p : p + expected.shape[-2], p : p + expected.shape[-1]]
        assert_close(cropped + (0 if b is None else b[:, None, None]), expected, dtype, what)
        # every output channel of a group receives each of its 2 input channels' pattern once
        np.testing.assert_array_equal(final["counts"], np.broadcast_to(2 * trace.full_counts(), final["counts"].shape))


@pytest.mark.parametrize("batch", [None, 2], ids=["unbatched", "batched"])
def test_the_direct_road_is_a_convolution_trace_with_the_same_output(batch):
    rng = np.random.default_rng(2)
    for kwargs in GRID[::3]:
        x, w, b = arrays(rng, batch, kwargs["groups"], 2, 2, (3, 4), (2, 3))
        trace = trace_conv_transpose2d(x, w, b, **kwargs)
        road = trace.direct_road()
        assert isinstance(road, Trace) and road is trace.direct_road()  # built once
        g = road.geometry
        assert (g.stride, g.pads, g.dilation, g.groups) == ((1, 1), (0, 0, 0, 0), trace.dilation, trace.groups)
        assert_close(road.output, torch_reference(x, w, b, **kwargs), np.float64, str(kwargs))
        assert_close(road.state(road.phase("slide").last)["output"], trace.output, np.float64, str(kwargs))


def zero_inserted_by_hand(x, s, p, op, d, k):
    """x (C, H, W) with s - 1 zeros between pixels, then d·(k - 1) - p zeros on each side and
    output_padding more at the bottom and right; a negative count crops instead."""
    channels, height, width = x.shape
    spread = np.zeros((channels, (height - 1) * s[0] + 1, (width - 1) * s[1] + 1))
    spread[:, :: s[0], :: s[1]] = x
    pads = [(d[a] * (k[a] - 1) - p[a], d[a] * (k[a] - 1) - p[a] + op[a]) for a in (0, 1)]
    grown = np.pad(spread, [(0, 0)] + [(max(0, lo), max(0, hi)) for lo, hi in pads])
    (top, bottom), (left, right) = ((-min(0, lo), -min(0, hi)) for lo, hi in pads)
    return grown[:, top : grown.shape[1] - bottom, left : grown.shape[2] - right]


@pytest.mark.parametrize("kwargs", [
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(3, 2), padding=(0, 2), output_padding=(2, 0), dilation=(1, 2)),
    dict(stride=2, padding=(4, 3), dilation=1),  # p > d·(K - 1): the road crops instead of padding
    dict(stride=1, padding=0, dilation=(2, 1), output_padding=(1, 0), groups=2),
], ids=["classic", "pairs", "negative padding", "stride 1"])
def test_the_direct_roads_input_has_zeros_exactly_where_the_construction_says(kwargs):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 4)) + 10  # no pixel is 0, so a 0 is an inserted zero
    w = rng.standard_normal((2, 2, 3, 2))
    trace = trace_conv_transpose2d(x, w, **kwargs)
    pair = lambda name, default: np.broadcast_to(kwargs.get(name, default), 2).tolist()  # noqa: E731
    s, p, op, d = pair("stride", 1), pair("padding", 0), pair("output_padding", 0), pair("dilation", 1)
    expected = zero_inserted_by_hand(x, s, p, op, d, (3, 2))
    values, is_pixel = trace.zero_inserted_input()
    np.testing.assert_array_equal(values, expected)
    np.testing.assert_array_equal(is_pixel, expected[0] != 0)
    np.testing.assert_array_equal(trace.direct_road().input, expected)
    assert trace.zero_insertion.inserted == (s[0] - 1, s[1] - 1) and trace.zero_insertion.shape == expected.shape[1:]
    # the rotated kernel, written out: rotated[g·F/G + k, c, i, j] = w[g·C/G + c, k, KH-1-i, KW-1-j]
    groups, cin, fout = trace.groups, 2 // trace.groups, w.shape[1]
    rotated = np.empty((groups * fout, cin, 3, 2))
    for g, k, c, i, j in itertools.product(range(groups), range(fout), range(cin), range(3), range(2)):
        rotated[g * fout + k, c, i, j] = w[g * cin + c, k, 2 - i, 1 - j]
    np.testing.assert_array_equal(trace.rotated_kernel(), rotated)
    np.testing.assert_array_equal(trace.direct_road().weight, rotated)
    assert_close(trace.direct_road().output, torch_reference(x, w, None, **kwargs), np.float64)


# ----------------------------------------------------------------------------------------------
# The overlap: contribution counts


def test_contribution_counts_are_torchs_transposed_convolution_of_ones():
    for (s, p, op, d), (kh, kw), (h, w) in itertools.product(
            [(1, 0, 0, 1), (2, 0, 1, 1), (2, 1, 1, 1), (3, 1, 2, 1), ((2, 3), (1, 0), (1, 2), (2, 1)), (1, 2, 1, 2)],
            [(3, 3), (2, 4), (1, 1)], [(4, 5), (1, 3)]):
        kwargs = dict(stride=s, padding=p, output_padding=op, dilation=d)
        try:
            trace = trace_conv_transpose2d(np.ones((3, h, w)), np.ones((3, 2, kh, kw)), **kwargs)
        except ValueError:
            continue  # the padding crops everything away: refused as the engine does
        ones = torch_reference(np.ones((1, 1, h, w)), np.ones((1, 1, kh, kw)), None, **kwargs)[0, 0]
        np.testing.assert_array_equal(trace.contribution_counts(), ones, err_msg=str(kwargs))
        uncropped = torch_reference(np.ones((1, 1, h, w)), np.ones((1, 1, kh, kw)), None, **dict(kwargs, padding=0))
        np.testing.assert_array_equal(trace.full_counts(), uncropped[0, 0], err_msg=str(kwargs))
        assert trace.contribution_counts().dtype.kind == "i" and not trace.full_counts().flags.writeable


def test_stride_2_with_a_3x3_kernel_makes_the_checkerboard():
    trace = trace_conv_transpose2d(np.ones((1, 3, 3)), np.ones((1, 1, 3, 3)), stride=2)
    assert trace.contribution_counts().tolist() == [
        [1, 1, 2, 1, 2, 1, 1],
        [1, 1, 2, 1, 2, 1, 1],
        [2, 2, 4, 2, 4, 2, 2],
        [1, 1, 2, 1, 2, 1, 1],
        [2, 2, 4, 2, 4, 2, 2],
        [1, 1, 2, 1, 2, 1, 1],
        [1, 1, 2, 1, 2, 1, 1],
    ]
    assert "between 1 and 4 products" in trace.phase("scatter").explanation
    # the classic upsampling layer (padding 1, output_padding 1) keeps the uneven overlap
    classic = trace_conv_transpose2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), stride=2, padding=1, output_padding=1)
    # full-plane rows get [1, 1, 2, 1, 2, 1, 2, 1, 1, 0] products; the crop keeps rows 1..8
    assert classic.contribution_counts()[0].tolist() == [1, 2, 1, 2, 1, 2, 1, 1]
    assert classic.contribution_counts()[1, :4].tolist() == [2, 4, 2, 4]
    assert sorted(set(classic.contribution_counts().ravel().tolist())) == [1, 2, 4]


# ----------------------------------------------------------------------------------------------
# Frames and states

RNG = np.random.default_rng(4)
X, W, B = arrays(RNG, 2, 2, 2, 2, (3, 4), (2, 3))
KWARGS = dict(stride=(2, 1), padding=(1, 2), output_padding=(1, 0), dilation=(1, 2), groups=2)


def test_each_phase_has_the_frames_its_formula_says():
    trace = trace_conv_transpose2d(X, W, B, **KWARGS)
    assert trace.phase_counts() == {"scatter": 2 * 4 * 3 * 4, "crop": 1} and len(trace) == 97
    assert [(p.name, p.first, p.last) for p in trace.phases] == [("scatter", 0, 95), ("crop", 96, 96)]
    assert trace.phase_at(95).name == "scatter" and trace.phase_at(-1).name == "crop"
    assert [frame.index for frame in trace] == list(range(97))
    unbatched = trace_conv_transpose2d(X[0], W, **KWARGS)
    assert unbatched.phase_counts() == {"scatter": 48, "crop": 1} and unbatched.unbatched
    empty = trace_conv_transpose2d(X[:0], W, **KWARGS)
    assert len(empty) == 0 and empty.phases == () and empty.output.shape == (0, 4) + trace.output_shape[2:]
    with pytest.raises(IndexError, match="no frames"):
        empty.state(0)
    with pytest.raises(IndexError, match=r"valid indices are 0\.\.96"):
        trace[97]
    with pytest.raises(TypeError, match="frame index must be an int"):
        trace.state(1.0)
    with pytest.raises(KeyError, match=r"no 'slide' phase; its phases are \['scatter', 'crop'\]"):
        trace.phase("slide")


def test_every_scatter_frame_adds_x_times_w_at_iy_s_plus_i_d():
    trace = trace_conv_transpose2d(X, W, B, **KWARGS)
    (sh, sw), (dh, dw), (ph, pw) = trace.stride, trace.dilation, trace.padding
    out_h, out_w = trace.output_shape[-2:]
    for frame in itertools.islice(trace, 96):
        n, c, iy, ix = frame.element
        assert frame.phase == "scatter" and frame.value == X[n, c, iy, ix] and frame.zeros == () and frame.crop is None
        cells, amounts, kept = [], [], []
        for k, i, j in itertools.product(range(2), range(2), range(3)):  # w[c] is (F/G, KH, KW)
            y, x = iy * sh + i * dh, ix * sw + j * dw
            cells.append((n, (c // 2) * 2 + k, y, x))
            amounts.append(X[n, c, iy, ix] * W[c, k, i, j])
            kept.append(0 <= y - ph < out_h and 0 <= x - pw < out_w)
        full, counts = frame.adds
        assert (full.array, counts.array) == ("full", "counts")
        assert list(zip(*(a.tolist() for a in full.index))) == cells
        np.testing.assert_array_equal(bits(full.amount), bits(np.array(amounts)))
        assert [a.tolist() for a in counts.index] == [a.tolist() for a in full.index] and (counts.amount == 1).all()
        assert frame.kept.tolist() == kept and (frame.output[frame.kept] == frame.full[frame.kept] - (ph, pw)).all()
        assert (frame.output[~frame.kept] == -1).all() and frame.out_channels == range((c // 2) * 2, (c // 2) * 2 + 2)
        assert f"(n={n}, c={c}, y={iy}, x={ix})" in frame.caption and f"{frame.value:.4g}" in frame.caption
        assert not frame.product.flags.writeable and not full.amount.flags.writeable
    crop = trace[-1]
    assert crop.phase == "crop" and crop.rows == range(ph, ph + out_h) and crop.columns == range(pw, pw + out_w)
    np.testing.assert_array_equal(crop.adds[0].amount.reshape(trace.output.shape), trace.output)
    before = trace.state(-2)
    assert not before.written["output"].any()
    assert_close(before["full"][..., crop.rows.start : crop.rows.stop, crop.columns.start : crop.columns.stop]
                 + B[:, None, None], trace.output, np.float64)
    full_plane = before["full"]
    assert crop.dropped_cells == full_plane.shape[-2] * full_plane.shape[-1] - out_h * out_w
    assert crop.dropped_sum == pytest.approx(full_plane.sum() - full_plane[..., ph : ph + out_h, pw : pw + out_w].sum())
    assert f"{crop.dropped_cells} border cells" in crop.caption


@st.composite
def configurations(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    cin, fout = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    kernel = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pair = lambda lo, hi: st.tuples(st.integers(lo, hi), st.integers(lo, hi))  # noqa: E731
    stride, dilation, padding, output_padding = draw(pair(1, 3)), draw(pair(1, 2)), draw(pair(0, 3)), draw(pair(0, 2))
    assume(all(op < s or op < d for op, s, d in zip(output_padding, stride, dilation)))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, w, b = arrays(rng, draw(st.sampled_from([None, 1, 2])), groups, cin, fout,
                     (draw(st.integers(1, 4)), draw(st.integers(1, 4))), kernel, dtype, draw(st.booleans()))
    if draw(st.booleans()):  # one input channel 10^4 times the others: float32 sums in another order differ
        x[..., draw(st.integers(0, x.shape[-3] - 1)), :, :] *= 1e4
    kwargs = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups)
    try:
        conv_transpose2d(x, w, b, **kwargs)
    except ValueError:
        assume(False)  # the padding crops the whole output
    checkpoint_bytes = draw(st.sampled_from([record_module.CHECKPOINT_BYTES, 1]))  # 1: every channel apart
    return (x, w, b), kwargs, checkpoint_bytes, draw(st.integers(0, 2**32 - 1))


def build(configuration):
    (x, w, b), kwargs, checkpoint_bytes, _ = configuration
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(record_module, "CHECKPOINT_BYTES", checkpoint_bytes)
        return trace_conv_transpose2d(x, w, b, **kwargs)


@given(configurations())
def test_the_state_after_frame_i_is_frames_0_to_i_replayed_bit_for_bit(configuration):
    """Replaying every frame from zeros (apply_frame) meets, at random frames, the state a fresh
    trace computes from scratch and the state played forward one frame at a time."""
    trace, played = build(configuration), build(configuration)
    (x, w, b), kwargs = configuration[:2]
    random = np.random.default_rng(configuration[3])
    checked = set(random.integers(0, len(trace), 6).tolist()) | {0, len(trace) - 2, len(trace) - 1}
    arrays_, written = zero_state(trace)
    for i, frame in enumerate(trace):
        apply_frame(arrays_, written, frame)
        forward = played.state(i)
        if i in checked:
            assert_same_state(build(configuration).state(i), arrays_, written, f"frame {i} from scratch")
            assert_same_state(forward, arrays_, written, f"frame {i} played forward")
            assert forward.phase == trace.phase_at(i).name and forward.frame == i
    final = trace.state(-1)
    np.testing.assert_array_equal(final["output"], conv_transpose2d(x, w, b, **kwargs))
    assert_close(final["output"], torch_reference(x, w, b, **kwargs), x.dtype)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # inf·0 = NaN is expected, not warned about
def test_inf_and_nan_flow_through_the_states_as_through_the_engine():
    x, w, b = arrays(np.random.default_rng(5), None, 1, 2, 2, (3, 3), (3, 3))
    x[0, 1, 1], x[1, 0, 2], w[1, 0, 2, 2] = np.inf, np.nan, 0.0  # 0·NaN and inf·0 products
    kwargs = dict(stride=2, padding=1)
    trace = trace_conv_transpose2d(x, w, b, **kwargs)
    arrays_, written = zero_state(trace)
    for i, frame in enumerate(trace):
        apply_frame(arrays_, written, frame)
        if i % 4 == 0 or i == len(trace) - 1:
            assert_same_state(trace_conv_transpose2d(x, w, b, **kwargs).state(i), arrays_, written, f"frame {i}")
    final = trace.state(-1)["output"]
    assert np.isnan(final).any() and np.isinf(final).any()
    np.testing.assert_allclose(final, torch_reference(x, w, b, **kwargs), rtol=1e-10, atol=1e-12)


def test_states_are_read_only_and_counts_tell_what_is_not_computed_yet():
    trace = trace_conv_transpose2d(X[0], W, B, **KWARGS)
    state = trace.state(4)  # five elements of channel 0: (0, 0) .. (1, 0)
    assert state["full"].shape == state["counts"].shape == trace.full_shape
    assert state["output"].shape == trace.output_shape and not state.written["output"].any()
    np.testing.assert_array_equal(state.written["full"], state["counts"] > 0)
    assert (state["full"][~state.written["full"]] == 0).all() and not state["counts"][2:].any()  # group 1 untouched
    for name in state.keys():
        assert not state[name].flags.writeable and not state.written[name].flags.writeable
    later = trace.state(5)
    assert later["counts"].sum() - state["counts"].sum() == 2 * 2 * 3 and state["counts"].sum() == 5 * 12
    last_rows = trace.full_shape[-2] - trace.output_padding[0]
    assert not trace.state(-1).written["full"][:, last_rows:].any()  # output_padding rows: no product reaches


def test_playing_forward_applies_frames_instead_of_recomputing(monkeypatch):
    calls = []
    original = states_module.state_from_scratch
    monkeypatch.setattr(states_module, "state_from_scratch", lambda *a: calls.append(a[2]) or original(*a))
    trace = trace_conv_transpose2d(X, W, B, **KWARGS)
    for index in range(40, len(trace)):  # through the end of the scatter and the crop
        trace.state(index)
    trace.state(len(trace) - 1 - states_module.TRANSPOSED_REPLAY_LIMIT)  # back: from scratch
    trace.state(len(trace) - 1)  # a jump of exactly the limit: played forward
    assert calls == [41, len(trace) - states_module.TRANSPOSED_REPLAY_LIMIT]


# ----------------------------------------------------------------------------------------------
# Hover questions


def test_the_hover_answers_are_the_frames_products_and_sum_to_the_output():
    trace = trace_conv_transpose2d(X, W, B, **KWARGS)
    (ph, pw), out_h, out_w = trace.padding, *trace.output_shape[-2:]
    landing = {}  # (n, f, y, x) output cell -> [(frame, product)] from the frames themselves
    for frame in itertools.islice(trace, trace.phase("scatter").count):
        footprint = trace.pixel_readers(*frame.element)
        assert footprint.frame == frame.index and footprint.value == frame.value
        for name in ("weight_index", "out_channel", "full", "output", "kept", "weight_value", "product"):
            np.testing.assert_array_equal(getattr(footprint, name), getattr(frame, name), err_msg=name)
        n = frame.element[0]
        for t in np.flatnonzero(frame.kept):
            cell = (n, int(frame.out_channel[t])) + tuple(frame.output[t].tolist())
            landing.setdefault(cell, []).append((frame.index, frame.product[t]))
            assert footprint.output_value[t] == trace.output[cell]
        assert np.isnan(footprint.output_value[~frame.kept]).all()
    full = trace.state(-1)["full"]
    for n, f, oy, ox in itertools.product(range(2), range(4), range(out_h), range(out_w)):
        field = trace.receptive_field(n, f, oy, ox)
        expected = landing.get((n, f, oy, ox), [])
        assert field.frame.tolist() == [index for index, _ in expected]
        np.testing.assert_array_equal(field.product, [product for _, product in expected])
        np.testing.assert_array_equal(field.product, field.input_value * field.weight_value)
        c, k, i, j = field.weight_index.T
        np.testing.assert_array_equal(field.weight_value, W[c, k, i, j])
        assert (field.source[:, 0] == c).all() and (k == f % 2).all()  # the weight of the pixel's channel
        _, iy, ix = field.source.T
        np.testing.assert_array_equal(field.input_value, X[n, c, iy, ix])
        assert field.sum == full[n, f, oy + ph, ox + pw] and field.full_cell == (oy + ph, ox + pw)
        assert field.sum + field.bias == pytest.approx(trace.output[n, f, oy, ox], abs=1e-12)
        assert field.value == trace.output[n, f, oy, ox] and field.bias == B[f]


def test_hover_coordinates_out_of_range_are_named():
    trace = trace_conv_transpose2d(X, W, **KWARGS)
    with pytest.raises(IndexError, match=r"oy=9 is out of range: the output height is 5, so valid values are 0\.\.4"):
        trace.receptive_field(0, 0, 9, 0)
    with pytest.raises(IndexError, match=r"c=4 is out of range: the number of input channels is 4"):
        trace.pixel_readers(0, 4, 0, 0)
    with pytest.raises(TypeError, match="x must be an int, got 1.0"):
        trace.pixel_readers(0, 0, 0, 1.0)
    assert trace.receptive_field(0, 0, 0, 0).bias is None


# ----------------------------------------------------------------------------------------------
# Refusals and the public surface

BAD_CALLS = [
    ("integer input", (X.astype(np.int64), W), {}),
    ("not an array", (X.tolist(), W), {}),
    ("input rank", (X[0, 0], W), {}),
    ("weight rank", (X, W[0]), {}),
    ("channel mismatch", (X[:, :3], W), {}),
    ("groups do not divide", (X, W), {"groups": 3}),
    ("zero stride", (X, W), {"stride": 0}),
    ("negative padding", (X, W), {"padding": -1}),
    ("float dilation", (X, W), {"dilation": 1.5}),
    ("output_padding not below stride or dilation", (X, W), {"output_padding": 2, "stride": 2}),
    ("padding crops everything", (X, W), {"padding": 5}),
    ("bias shape", (X, W, np.zeros(3)), {}),
    ("dtype mismatch", (X, W.astype(np.float32)), {}),
]


@pytest.mark.parametrize("description, args, kwargs", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_get_the_engines_message_before_anything_is_computed(description, args, kwargs, monkeypatch):
    with pytest.raises((TypeError, ValueError)) as from_engine:
        conv_transpose2d(*args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("the trace started computing before validating its arguments")

    monkeypatch.setattr(transposed_module, "record_conv_transpose2d", refuse)
    with pytest.raises(type(from_engine.value)) as from_trace:
        trace_conv_transpose2d(*args, **kwargs)
    assert str(from_trace.value) == str(from_engine.value)


def test_the_traced_arrays_are_read_only_copies_in_the_callers_layout():
    x, w, b = X[0].copy(), W.copy(), B.copy()
    trace = trace_conv_transpose2d(x, w, b, **KWARGS)
    expected = {"input": X[0], "weight": W, "bias": B, "output": conv_transpose2d(X[0], W, B, **KWARGS)}
    x[...], w[...], b[...] = 0, 0, 0  # the caller reuses its arrays
    for name, value in expected.items():
        np.testing.assert_array_equal(getattr(trace, name), value, err_msg=name)
        assert not getattr(trace, name).flags.writeable
    assert trace.full.shape == trace.full_shape == (4, (3 - 1) * 2 + 1 * (2 - 1) + 1 + 1, (4 - 1) * 1 + 2 * (3 - 1) + 1)
    assert (trace.in_channels, trace.out_channels, trace.groups, trace.kernel_size) == (4, 4, 2, (2, 3))
    assert (trace.stride, trace.padding, trace.output_padding, trace.dilation) == ((2, 1), (1, 2), (1, 0), (1, 2))
    assert trace.dtype == np.float64 and trace.unbatched and "TransposedTrace" in repr(trace)
    with pytest.raises(AttributeError):
        trace.output = None


def test_the_module_docstring_runs():
    failures, tried = doctest.testmod(transposed_module)
    assert tried and not failures
