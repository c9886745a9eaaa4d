"""The hover questions and the im2col picture, checked against the frames and the engine.

- receptive_field(n, f, oy, ox) is exactly the window the slide frame of that element reads;
- pixel_readers(n, c, y, x) lists exactly the (output element, tap) pairs whose frames read that
  pixel (directly or through a padding copy), and their contributions sum to grad_input;
- weight_tap_reads(f, c, i, j) lists exactly the cells that weight multiplies in the frames, and
  their contributions sum to grad_weight;
- frame.im2col points at the row of the engine's weight matrix and the column of its column matrix
  whose product is the output element.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from convviz.trace import trace_conv2d

CASES = [
    # (input shape, weight shape, kwargs)
    ((2, 2, 5, 6), (2, 2, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))),
    ((4, 5, 5), (4, 2, 2, 3), dict(padding=2, padding_mode="reflect", groups=2, stride=2)),
    ((1, 3, 4, 5), (3, 1, 3, 3), dict(padding=(2, 1), padding_mode="circular", groups=3, dilation=(2, 1))),
    ((1, 1, 4, 4), (2, 1, 2, 2), dict(padding=3, padding_mode="replicate", stride=3)),
]


def build(case, bias=True):
    input_shape, weight_shape, kwargs = case
    rng = np.random.default_rng(sum(input_shape) * 7 + sum(weight_shape))
    x, w = rng.standard_normal(input_shape), rng.standard_normal(weight_shape)
    b = rng.standard_normal(weight_shape[0]) if bias else None
    probe = trace_conv2d(x, w, b, **kwargs)
    grad_output = rng.standard_normal(probe.geometry.output_shape)
    return trace_conv2d(x, w, b, grad_output, **kwargs), x, w


def slide_frames(trace):
    phase = trace.phase("slide")
    return [trace[i] for i in range(phase.first, phase.last + 1)]


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_receptive_field_is_the_slide_frames_window(case):
    trace, _, _ = build(case)
    for frame in slide_frames(trace):
        field = trace.receptive_field(*frame.element)
        for name in ("kernel_index", "channel", "padded", "is_padding", "source", "input_value", "product"):
            np.testing.assert_array_equal(getattr(field, name), getattr(frame.taps, name), err_msg=name)


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_pixel_readers_are_the_frames_that_read_the_pixel(case):
    trace, x, _ = build(case)
    g = trace.geometry
    # Brute force over the frames: which (element, tap) reads each input pixel (n, c, y, x)?
    readers = Counter()
    for frame in slide_frames(trace):
        n = frame.element[0]
        for tap in frame.taps:
            if tap.source[0] >= 0:
                readers[(n, tap.channel) + tap.source, frame.element, tap.kernel_index] += 1
    grad_input = trace.state(-1)["grad_input"]
    grad_input = grad_input[None] if trace.unbatched else grad_input
    for pixel in np.ndindex(g.batch, g.in_channels, g.height, g.width):
        answer = trace.pixel_readers(*pixel)
        pairs = zip(answer.element.tolist(), answer.kernel_index.tolist())
        listed = Counter((pixel, tuple(e), tuple(k)) for e, k in pairs)
        expected = Counter({key: count for key, count in readers.items() if key[0] == pixel})
        assert listed == expected, pixel
        np.testing.assert_allclose(answer.contribution.sum(), grad_input[pixel], rtol=1e-10, atol=1e-12)
        f = answer.element[:, 1]
        c_in_group, i, j = answer.kernel_index.T
        np.testing.assert_array_equal(answer.weight_value, trace.weight[f, c_in_group, i, j])


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_weight_tap_reads_are_what_the_weight_multiplies(case):
    trace, _, w = build(case)
    reads_by_frames = {}
    for frame in slide_frames(trace):
        f = frame.element[1]
        for tap in frame.taps:
            reads_by_frames.setdefault((f,) + tap.kernel_index, []).append(
                (frame.element, tap.padded, tap.input_value))
    grad_weight = trace.state(-1)["grad_weight"]
    for weight in np.ndindex(w.shape):
        answer = trace.weight_tap_reads(*weight)
        listed = list(zip(map(tuple, answer.element.tolist()), map(tuple, answer.padded.tolist()),
                          answer.input_value.tolist()))
        assert listed == reads_by_frames[weight], weight
        np.testing.assert_allclose(answer.contribution.sum(), grad_weight[weight], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
@pytest.mark.parametrize("bias", [True, False])
def test_im2col_position_points_at_the_engines_matrices(case, bias):
    trace, _, _ = build(case, bias)
    g = trace.geometry
    output = trace.state(trace.phase("slide").last)["output"]
    output = output[None] if trace.unbatched else output
    matrices = {group: trace.im2col_matrices(group) for group in range(g.groups)}
    for frame in slide_frames(trace):
        position = frame.im2col
        weights, columns = matrices[position.group]
        assert weights.shape == position.weight_matrix_shape and columns.shape == position.column_matrix_shape
        np.testing.assert_array_equal(weights[position.weight_row], frame.taps.weight_value)
        np.testing.assert_array_equal(columns[:, position.column], frame.taps.input_value)
        bias_value = frame.bias or 0.0
        np.testing.assert_allclose(weights[position.weight_row] @ columns[:, position.column] + bias_value,
                                   output[frame.element], rtol=1e-10, atol=1e-12)


def test_tap_granularity_names_the_tap_row():
    trace = trace_conv2d(np.ones((1, 2, 3, 3)), np.ones((1, 2, 2, 2)), granularity="tap")
    rows = [trace.im2col_position(i).tap_row for i in range(8)]
    assert rows == list(range(8))  # (c, i, j) in C order is the column matrix's row order
    assert trace.im2col_position(8).column == 1
