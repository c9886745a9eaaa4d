"""The pooling trace obeys the convolution traces' invariants and matches torch.

- Over a grid (and random draws) of kernel, stride, padding, dilation (max), ceil_mode and
  count_include_pad (avg), float32/float64, batched/unbatched: the final state is the engine's
  pooling and backward and torch's output, indices and grad_input; one frame per output element
  per phase; every frame adds what it says (checked against the window worked out from the
  formula and torch's indices and divisor); state(i) is frames 0..i replayed, bit for bit.
- Ties, signed zeros, NaN, ±inf, padding and ceil_mode windows: torch's choice and gradient.
- Hover: receptive_field is the window; pixel_readers lists the windows reading a pixel, which
  chose it, and contributions adding up to grad_input.
(What a view reads and the refusals: test_trace_pooling_api.py.)
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convviz.nn.functional import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward, pool_geometry
from convviz.trace import PoolTrace, apply_frame, trace_pool2d

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ----------------------------------------------------------------------------------------------
# References: torch, and the window worked out from the formula


def torch_pool(x, kind, kwargs, grad_output=None):
    """torch's (output, indices or None, grad_input or None, divisor (OH, OW) or None)."""
    t = torch.from_numpy(x.copy()).requires_grad_(grad_output is not None)
    if kind == "max":
        y, indices = F.max_pool2d(t, return_indices=True, **kwargs)
        indices, divisor = indices.numpy(), None
    else:
        y, indices = F.avg_pool2d(t, **kwargs), None
        # torch's divisor, read off torch: (sum of the pixels of a window of ones) / (its mean)
        ones = torch.ones((1, 1) + x.shape[-2:], dtype=torch.float64)
        sums = F.avg_pool2d(ones, divisor_override=1, **kwargs)
        divisor = np.rint((sums / F.avg_pool2d(ones, **kwargs)).numpy()[0, 0])
    grad_input = None
    if grad_output is not None:
        y.backward(torch.from_numpy(grad_output))
        grad_input = t.grad.numpy()
    return y.detach().numpy(), indices, grad_input, divisor


def window_by_formula(x4, kind, g, n, c, oy, ox):
    """Per tap in scan order: the padded cell (y, x) = (oy·sh + i·dh, ox·sw + j·dw), the input pixel
    (y - ph, x - pw) or None outside the input, and the value the window sees."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = g.kernel_size, g.stride, g.padding, g.dilation
    padded = [(oy * sh + i * dh, ox * sw + j * dw) for i in range(kh) for j in range(kw)]
    pixels = [(y - ph, x - pw) if 0 <= y - ph < g.height and 0 <= x - pw < g.width else None for y, x in padded]
    fill = -np.inf if kind == "max" else 0.0
    values = np.array([fill if p is None else x4[n, c, p[0], p[1]] for p in pixels], dtype=x4.dtype)
    return padded, pixels, values


def bits(array):
    array = np.ascontiguousarray(array)
    return array.view(np.uint64 if array.dtype == np.float64 else np.uint32)


TOLERANCE = {np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6), np.dtype(np.float64): dict(rtol=1e-12, atol=1e-13)}


def empty_state(trace):
    arrays = {"output": np.zeros(trace.output.shape, trace.dtype)}
    if trace.has_backward:
        arrays["grad_input"] = np.zeros(trace.input.shape, trace.dtype)
    return arrays, {name: np.zeros(a.shape, dtype=bool) for name, a in arrays.items()}


def same_bits(a, b) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and bool((bits(a) == bits(b)).all())


def walk(trace):
    """Replay every frame with apply_frame, checking state(i) against the replay at each step; then
    states asked for in a random order. Returns the replayed arrays and the frames."""
    arrays, written = empty_state(trace)
    snapshots, frames = [], list(trace)
    for i, frame in enumerate(frames):
        assert frame.index == i and frame.phase == trace.phase_at(i).name
        apply_frame(arrays, written, frame)
        state = trace.state(i)
        assert state.frame == i and state.phase == frame.phase and set(state.keys()) == set(arrays)
        for name in arrays:
            assert same_bits(state[name], arrays[name]), (i, name, frame.caption)
            assert np.array_equal(state.written[name], written[name]), (i, name, "written")
        snapshots.append({name: a.copy() for name, a in arrays.items()})
    for i in np.random.default_rng(len(trace)).permutation(len(trace))[:12]:
        state = trace.state(int(i))
        assert all(same_bits(state[name], expected) for name, expected in snapshots[i].items()), i
    return arrays, frames


def check_frames_say_what_they_add(trace, frames, x, kind, torch_indices, torch_divisor, grad_output):
    """Each frame's window and ``adds`` against the formula and torch, in the caller's layout."""
    g = trace.geometry
    x4 = x[None] if g.unbatched else x
    indices4 = torch_indices[None] if g.unbatched and torch_indices is not None else torch_indices
    go4 = None if grad_output is None else (grad_output[None] if g.unbatched else grad_output)
    elements = list(itertools.product(range(g.batch), range(g.channels), range(g.out_height), range(g.out_width)))
    caller = (lambda n, *rest: tuple(rest)) if g.unbatched else (lambda *index: tuple(index))
    for i, frame in enumerate(frames):
        n, c, oy, ox = elements[i % len(elements)]
        assert frame.element == (n, c, oy, ox)
        padded, pixels, values = window_by_formula(x4, kind, g, n, c, oy, ox)
        assert [tuple(cell) for cell in frame.padded.tolist()] == padded
        assert frame.inside.tolist() == [p is not None for p in pixels]
        assert same_bits(frame.values, values), i
        if kind == "max":
            torch_pixel = divmod(int(indices4[n, c, oy, ox]), g.width)
            assert pixels[frame.chosen] == torch_pixel, (i, frame.caption)
        else:
            assert frame.divisor == torch_divisor[oy, ox] == frame.window.counted.sum()
        (addition,) = frame.adds
        if frame.phase == "pool":
            assert addition.array == "output" and [int(a[0]) for a in addition.index] == list(caller(n, c, oy, ox))
            assert np.array_equal(addition.amount, [frame.value], equal_nan=True)
            if kind == "avg":
                mean = x.dtype.type(frame.window.total) / x.dtype.type(frame.divisor)
                assert np.array_equal(frame.value, mean, equal_nan=True), (i, frame.caption)
            continue
        assert addition.array == "grad_input"
        cells = [tuple(int(a[k]) for a in addition.index) for k in range(len(addition))]
        grad = go4[n, c, oy, ox]
        if kind == "max":
            assert cells == [caller(n, c, *torch_pixel)]
            assert addition.amount.tolist() == [grad]
        else:
            assert cells == [caller(n, c, *p) for p in pixels if p is not None]
            assert (addition.amount == grad / x.dtype.type(torch_divisor[oy, ox])).all()
        assert frame.grad == grad and frame.caption.startswith("∂L/∂y")


# ----------------------------------------------------------------------------------------------
# The grid


def grid():
    kernels, strides, paddings = [1, 2, 3, (2, 3)], [None, 1, (2, 1)], [0, 1, (0, 1)]
    for kind in ("max", "avg"):
        extras = [dict(dilation=d) for d in (1, (2, 1))] if kind == "max" else \
                 [dict(count_include_pad=b) for b in (True, False)]
        for k, s, p, extra, ceil in itertools.product(kernels, strides, paddings, extras, (False, True)):
            kwargs = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil, **extra)
            geometry_kwargs = {k: v for k, v in kwargs.items() if k != "count_include_pad"}
            try:
                pool_geometry((1, 1, 5, 6), **geometry_kwargs)
            except ValueError:
                continue  # padding more than half the kernel, as torch refuses
            yield kind, kwargs


CASES = list(grid())


def check_trace(kind, kwargs, x, rng):
    """The trace of ``kind`` pooling of x: final state against the engine and torch, phases, every
    frame replayed, every frame's window and adds."""
    dtype, engine = x.dtype, (max_pool2d if kind == "max" else avg_pool2d)
    output = engine(x, **kwargs)
    grad_output = rng.standard_normal(output.shape).astype(dtype)
    trace = trace_pool2d(x, kind, grad_output=grad_output, **kwargs)
    assert isinstance(trace, PoolTrace) and trace.kind == kind and trace.dtype == dtype and trace.has_backward
    assert trace.unbatched == (x.ndim == 3) and trace.pads[0::2] == trace.geometry.padding  # (top, left)
    assert trace.phase_counts() == {"pool": output.size, "route": output.size} and len(trace) == 2 * output.size
    assert [(p.name, p.first, p.last, p.unit) for p in trace.phases] == [
        ("pool", 0, output.size - 1, "one output element"),
        ("route", output.size, 2 * output.size - 1, "one output element")]

    torch_output, torch_indices, torch_grad, torch_divisor = torch_pool(x, kind, kwargs, grad_output)
    final, tolerance = trace.state(-1), TOLERANCE[dtype]
    np.testing.assert_array_equal(final["output"], output)
    np.testing.assert_array_equal(trace.output, output)
    np.testing.assert_allclose(final["output"], torch_output, **tolerance)
    if kind == "max":
        indices = max_pool2d(x, return_indices=True, **kwargs)[1]
        np.testing.assert_array_equal(trace.indices, indices)
        np.testing.assert_array_equal(trace.indices, torch_indices)
        # the engine adds window after window, as the frames do: bit for bit
        assert same_bits(final["grad_input"], max_pool2d_backward(grad_output, x.shape, indices))
    else:
        np.testing.assert_array_equal(trace.divisor, torch_divisor)
        engine_grad = avg_pool2d_backward(grad_output, x.shape, **kwargs)  # adds tap by tap: rounds apart
        np.testing.assert_allclose(final["grad_input"], engine_grad, **tolerance)
    np.testing.assert_allclose(final["grad_input"], torch_grad, **tolerance)
    np.testing.assert_array_equal(trace.grad_input, final["grad_input"])

    replayed, frames = walk(trace)
    np.testing.assert_array_equal(replayed["output"], output)
    check_frames_say_what_they_add(trace, frames, x, kind, torch_indices, torch_divisor, grad_output)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{k} {kw}" for k, kw in CASES])
def test_grid_final_state_is_the_engine_and_torch_and_every_frame_replays(case):
    kind, kwargs = CASES[case]
    rng = np.random.default_rng(case)
    shape = ((2, 5, 6), (2, 1, 5, 6), (1, 2, 5, 6))[case % 3]
    # small integers (one case in four): many ties, which torch breaks by scan order
    x = rng.integers(-3, 4, shape) if case % 4 == 0 else rng.standard_normal(shape)
    check_trace(kind, kwargs, x.astype((np.float64, np.float32)[case % 2]), rng)


@settings(max_examples=25)
@given(st.data())
def test_random_configurations_beyond_the_grid(data):
    """Strides past the kernel (pixels no window reads), larger kernels and dilations, odd sizes."""
    draw = data.draw
    kind = draw(st.sampled_from(["max", "avg"]))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    kwargs = dict(kernel_size=kernel, stride=(draw(st.integers(1, 4)), draw(st.integers(1, 4))),
                  padding=(draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2))),
                  ceil_mode=draw(st.booleans()))
    if kind == "max":
        kwargs["dilation"] = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    else:
        kwargs["count_include_pad"] = draw(st.booleans())
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    if draw(st.booleans()):
        shape = (draw(st.integers(1, 2)),) + shape
    try:
        g = pool_geometry(shape, **{k: v for k, v in kwargs.items() if k != "count_include_pad"})
    except ValueError:
        assume(False)  # a window with no pixel of the input, as torch would let through and we refuse
    assume(g.batch * g.channels * g.out_height * g.out_width <= 60)  # a quick walk
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-2, 3, shape) if draw(st.booleans()) else rng.standard_normal(shape)
    check_trace(kind, kwargs, x.astype(draw(st.sampled_from([np.float32, np.float64]))), rng)


def test_forward_only_has_one_phase_and_no_gradient():
    x = np.random.default_rng(1).standard_normal((3, 4, 4))
    trace = trace_pool2d(x, "avg", 2)
    assert [p.name for p in trace.phases] == ["pool"] and trace.phase_counts() == {"pool": 12, "route": 0}
    assert not trace.has_backward and trace.grad_output is None and trace.grad_input is None
    assert set(trace.state(-1).keys()) == {"output"}
    np.testing.assert_array_equal(walk(trace)[0]["output"], avg_pool2d(x, 2))
    with pytest.raises(KeyError, match=re.escape("this trace has no 'route' phase; its phases are ['pool']")):
        trace.phase("route")


def test_an_empty_batch_has_no_frames():
    trace = trace_pool2d(np.zeros((0, 2, 4, 4)), "max", 2, grad_output=np.zeros((0, 2, 2, 2)))
    assert len(trace) == 0 and trace.phases == () and trace.phase_counts() == {"pool": 0, "route": 0}
    with pytest.raises(IndexError, match="this trace has no frames"):
        trace.state(0)


# ----------------------------------------------------------------------------------------------
# Ties, NaN, -inf, padding, ceil_mode: torch's choice


TRICKY = {
    "ties everywhere, signed zeros": (lambda rng: np.where(rng.random((2, 5, 5)) < 0.5, -0.0, 0.0),
                                      dict(kernel_size=3, stride=1, padding=1)),
    "two-valued ties": (lambda rng: rng.integers(0, 2, (2, 6, 7)).astype(float), dict(kernel_size=(3, 2), stride=1)),
    "NaNs, several per window": (lambda rng: np.where(rng.random((2, 6, 6)) < 0.3, np.nan, rng.random((2, 6, 6))),
                                 dict(kernel_size=3, stride=1, padding=1)),
    "-inf pixels, whole windows of them": (lambda rng: np.where(rng.random((2, 6, 6)) < 0.6, -np.inf, 0.0),
                                           dict(kernel_size=2, stride=1, padding=1)),
    "-inf and NaN, dilated, ceil_mode": (lambda rng: np.choose(rng.integers(0, 3, (2, 7, 6)), [-np.inf, np.nan, 1.0]),
                                         dict(kernel_size=3, stride=2, padding=1, dilation=(2, 1), ceil_mode=True)),
    "ceil_mode past the input": (lambda rng: rng.integers(-1, 2, (2, 5, 5)).astype(float),
                                 dict(kernel_size=2, stride=2, ceil_mode=True)),
    "+inf and -inf": (lambda rng: np.choose(rng.integers(0, 3, (2, 5, 6)), [-np.inf, np.inf, 0.0]),
                      dict(kernel_size=2, stride=1, padding=1)),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("name", list(TRICKY))
def test_ties_nan_and_infinities_as_torch(name, kind, dtype):
    """max: the chosen pixel is torch's return_indices, the gradient goes where torch's does; avg:
    NaN and inf spread as in torch (check_trace); every frame still replays."""
    make, kwargs = TRICKY[name]
    if kind == "avg" and "dilation" in kwargs:
        kwargs = {k: v for k, v in kwargs.items() if k != "dilation"}
    rng = np.random.default_rng(5)
    check_trace(kind, kwargs, make(rng).astype(dtype), rng)


def test_the_captions_name_ties_nan_and_dead_windows():
    x = np.array([[[np.nan, 1.0, 0.0], [np.nan, 2.0, 0.0], [-np.inf, -np.inf, 3.0]]])
    captions = [frame.caption for frame in trace_pool2d(x, "max", 2, stride=1)]
    assert captions[0] == ("y[0, 0, 0] = max of 4 values = nan: a NaN beats every number, and torch takes "
                           "the last NaN, x[0, 1, 0] (tap (1, 0)).")
    assert captions[1] == "y[0, 0, 1] = max of 4 values = 2, at x[0, 1, 1] (tap (1, 0))."
    assert captions[3] == "y[0, 1, 1] = max of 4 values = 3, at x[0, 2, 2] (tap (1, 1))."
    dead = np.full((1, 2, 2), -np.inf)
    frame = trace_pool2d(dead, "max", 2, padding=1, stride=2)[0]
    assert frame.caption == ("y[0, 0, 0] = max of 4 values = -inf: every pixel is -inf, and torch reports the "
                             "first inside the window, x[0, 0, 0] (tap (1, 1)); 3 cells lie outside the input "
                             "and hold -inf.")
    ties = trace_pool2d(np.ones((1, 2, 2)), "max", 2)[0]
    assert ties.caption == ("y[0, 0, 0] = max of 4 values = 1, at x[0, 0, 0] (tap (0, 0)); 4 values tie and "
                            "torch takes the first.")


def test_average_captions_say_what_the_divisor_counts():
    x = np.arange(1.0, 26.0).reshape(1, 5, 5)
    kwargs = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
    counted = trace_pool2d(x, "avg", count_include_pad=True, **kwargs)
    assert counted[0].caption == ("y[0, 0, 0] = sum of 9 values / 9 = 16 / 9 = 1.778; 5 cells lie outside the "
                                  "input and add 0; the divisor counts 4 pixels + 5 padding.")
    inside = trace_pool2d(x, "avg", count_include_pad=False, **kwargs)
    assert inside[0].caption == ("y[0, 0, 0] = sum of 9 values / 4 = 16 / 4 = 4; 5 cells lie outside the "
                                 "input and add 0; the divisor counts the 4 pixels only.")
    assert counted[4].caption == "y[0, 1, 1] = sum of 9 values / 9 = 117 / 9 = 13."
    # H = 6 with ceil_mode: the last window row starts at 5 and runs one row past the padding
    past = trace_pool2d(np.ones((1, 6, 6)), "avg", grad_output=np.ones((1, 4, 4)), **kwargs)
    assert past.divisor[-1].tolist() == [6.0, 6.0, 6.0, 4.0]
    assert past[15].caption == ("y[0, 3, 3] = sum of 9 values / 4 = 1 / 4 = 0.25; 8 cells lie outside the input "
                                "and add 0; the divisor counts 1 pixel + 3 padding, not the 5 past the padding.")
    assert past[-1].caption == ("∂L/∂y[0, 3, 3] = 1 shared: 1 / 4 = 0.25 to the one pixel of its window; "
                                "the 8 cells outside the input keep none.")
    assert past[-2].caption == ("∂L/∂y[0, 3, 2] = 1 shared: 1 / 6 = 0.1667 to each of the 3 pixels of its "
                                "window; the 6 cells outside the input keep none.")
    np.testing.assert_array_equal(past.divisor, torch_pool(np.ones((1, 6, 6)), "avg", kwargs)[3])


def test_phase_explanations_carry_the_configuration():
    grad_output = np.ones((1, 3, 3))
    past = trace_pool2d(np.zeros((1, 4, 4)), "avg", 3, 2, 1, ceil_mode=True, count_include_pad=False,
                        grad_output=grad_output)
    assert [p.explanation for p in past.phases] == [
        "Slide the 3×3 window with stride (2, 2) over the channel (padding (1, 1) holds zeros, not counted in "
        "the divisor; ceil_mode lets the last windows run past the padding, onto zeros the divisor never "
        "counts): each output is the mean of its window, its sum divided by the cells counted, 9 outputs in all.",
        "Backward: each output's gradient is shared evenly, gradient / divisor to every pixel of its window "
        "inside the input (the padding's shares are dropped); where windows overlap the shares add up."]
    fits = trace_pool2d(np.zeros((2, 5, 5)), "max", 3, 2, 1, dilation=(1, 2), ceil_mode=True)
    assert fits.phases[0].explanation == (
        "Slide the 3×3 window with stride (2, 2), dilation (1, 2) (spanning 3×5) over each of the 2 channels "
        "(padding (1, 1) holds -inf, which never wins): each output is the largest value in its window (on a "
        "tie the first in reading order, as torch), 12 outputs in all.")


# ----------------------------------------------------------------------------------------------
# Hover


@pytest.mark.parametrize("kind, kwargs", [
    ("max", dict(kernel_size=3, stride=1, padding=1)),
    ("max", dict(kernel_size=2, stride=(1, 2), dilation=2, ceil_mode=True)),
    ("avg", dict(kernel_size=3, stride=1, padding=1, count_include_pad=False)),
    ("avg", dict(kernel_size=(3, 2), stride=2, padding=(1, 0), ceil_mode=True)),
], ids=["max 3x3", "max dilated ceil", "avg 3x3 no pad count", "avg ceil"])
def test_hover_answers_match_the_windows_and_torchs_gradient(kind, kwargs):
    rng = np.random.default_rng(11)
    x = rng.integers(-2, 3, (2, 2, 5, 6)).astype(np.float32)  # ties, so "which chose it" matters
    engine = max_pool2d if kind == "max" else avg_pool2d
    grad_output = rng.standard_normal(engine(x, **kwargs).shape).astype(np.float32)
    trace = trace_pool2d(x, kind, grad_output=grad_output, **kwargs)
    torch_grad = torch_pool(x, kind, kwargs, grad_output)[2]
    grad_input = trace.state(-1)["grad_input"]
    g = trace.geometry
    windows = {(n, c, oy, ox): trace.receptive_field(n, c, oy, ox) for n, c, oy, ox in
               itertools.product(range(g.batch), range(g.channels), range(g.out_height), range(g.out_width))}
    for key, window in windows.items():
        frame = trace[int(np.ravel_multi_index(key, trace.output.shape))]
        assert frame.element == key
        for name in ("padded", "inside", "values", "source", "kernel_index"):
            np.testing.assert_array_equal(getattr(window, name), getattr(frame.window, name))
        assert window.value == frame.value and window.chosen == frame.chosen and window.divisor == frame.divisor
    for n, c, y, x_ in itertools.product(range(g.batch), range(g.channels), range(g.height), range(g.width)):
        readers = trace.pixel_readers(n, c, y, x_)
        assert readers.pixel == (n, c, y, x_) and readers.value == x[n, c, y, x_]
        expected = [key for key, w in windows.items() if key[:2] == (n, c) and (y, x_) in map(tuple, w.source.tolist())]
        assert [tuple(e) for e in readers.element.tolist()] == expected  # C order
        for element, (i, j), k in zip(expected, readers.kernel_index.tolist(), range(len(readers))):
            w = windows[element]
            tap = i * g.kernel_size[1] + j
            assert tuple(w.source[tap]) == (y, x_)
            if kind == "max":
                assert readers.chosen[k] == (w.chosen_pixel == (y, x_))
            else:
                assert readers.divisor[k] == w.divisor
        total = np.float32(0)
        for amount in readers.contribution:  # in the readers' order: the frames' order
            total = total + amount
        assert bits(np.array(total)) == bits(np.array(grad_input[n, c, y, x_]))
        np.testing.assert_allclose(readers.contribution.sum(), torch_grad[n, c, y, x_], rtol=1e-5, atol=1e-6)
        _, _, oy, ox = readers.element.T
        np.testing.assert_array_equal(readers.grad_output, grad_output[n, c, oy, ox])


def test_hover_without_backward_has_no_gradients():
    trace = trace_pool2d(np.ones((1, 3, 3)), "max", 2, stride=1)
    readers = trace.pixel_readers(0, 0, 1, 1)
    assert len(readers) == 4 and readers.grad_output is None and readers.contribution is None
    assert readers.chosen.tolist() == [False, False, False, True]  # equal values: the first tap of each window wins
