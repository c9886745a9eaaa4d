"""A worked example checked by hand: one 3×3 input channel, one 2×2 kernel.

Every expected number below was computed on paper, not by the engine:

    x = | 1  2  0 |     w = | 1 -1 |    bias = 0.5    grad_output = |  1   2  |
        | 3 -1  2 |         | 2  0 |                                | -1  0.5 |
        | 0  1  1 |

First without padding at stride 1 (a frame per output element), then with reflect padding 1 at
stride 2 and a frame per multiply-add.
"""

from __future__ import annotations

import numpy as np
import pytest

from convviz.trace import Crop, CropFrame, FoldFrame, PadFrame, ScatterFrame, SlideFrame, trace_conv2d

X = np.array([[[1.0, 2.0, 0.0], [3.0, -1.0, 2.0], [0.0, 1.0, 1.0]]])  # (C=1, 3, 3), unbatched
W = np.array([[[[1.0, -1.0], [2.0, 0.0]]]])  # (F=1, C=1, 2, 2)
BIAS = np.array([0.5])
GRAD_OUTPUT = np.array([[[1.0, 2.0], [-1.0, 0.5]]])  # (F=1, 2, 2)


@pytest.fixture(scope="module")
def plain():
    return trace_conv2d(X, W, BIAS, GRAD_OUTPUT)


@pytest.fixture(scope="module")
def reflected():
    return trace_conv2d(X, W, BIAS, GRAD_OUTPUT, stride=2, padding=1, padding_mode="reflect",
                        granularity="tap")


# ----------------------------------------------------------------------------------------------
# Stride 1, no padding, one frame per output element.


def test_plain_phases(plain):
    assert [(p.name, p.first, p.last) for p in plain.phases] == [
        ("slide", 0, 3), ("scatter", 4, 7), ("weight_grad", 8, 11), ("bias_grad", 12, 12)]
    slide = plain.phase("slide").explanation
    assert "sum of 4 products (1 channel × 2×2 taps)" in slide and "4 outputs" in slide


def test_plain_first_window(plain):
    frame = plain[0]
    assert isinstance(frame, SlideFrame)
    assert frame.element == (0, 0, 0, 0) and frame.group == 0 and frame.channels == range(0, 1)
    taps = frame.taps
    assert taps.kernel_index.tolist() == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1]]
    assert taps.padded.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert taps.source.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and not taps.is_padding.any()
    assert taps.input_value.tolist() == [1, 2, 3, -1]
    assert taps.weight_value.tolist() == [1, -1, 2, 0]
    assert taps.product.tolist() == [1, -2, 6, 0]
    assert frame.channel_sums.tolist() == [5] and frame.bias == 0.5
    assert frame.value == 5.5 and frame.complete
    # The im2col picture: row 0 of the weight matrix times column 0 of the column matrix.
    assert (frame.im2col.weight_row, frame.im2col.column, frame.im2col.tap_row) == (0, 0, None)
    assert frame.im2col.weight_matrix_shape == (1, 4) and frame.im2col.column_matrix_shape == (4, 4)


def test_plain_outputs(plain):
    # y00 = 1 - 2 + 6 + 0 + .5, y01 = 2 - 0 - 2 + 0 + .5, y10 = 3 + 1 + 0 + 0 + .5, y11 = -1 - 2 + 2 + 0 + .5
    assert [plain[i].value for i in range(4)] == [5.5, 0.5, 4.5, -0.5]
    after_two = plain.state(1)
    assert after_two["output"].tolist() == [[[5.5, 0.5], [0.0, 0.0]]]
    assert after_two.written["output"].tolist() == [[[True, True], [False, False]]]
    assert "grad_input" in after_two and not after_two.written["grad_input"].any()
    assert plain.state(3)["output"].tolist() == [[[5.5, 0.5], [4.5, -0.5]]]


def test_plain_scatter(plain):
    frame = plain[5]  # output (0, 0, 0, 1), gradient 2, sent through w = [1, -1, 2, 0]
    assert isinstance(frame, ScatterFrame) and frame.element == (0, 0, 0, 1) and frame.grad_output == 2
    (addition,) = frame.adds
    assert addition.array == "grad_input"
    assert [a.tolist() for a in addition.index] == [[0, 0, 0, 0], [0, 0, 1, 1], [1, 2, 1, 2]]
    assert addition.amount.tolist() == [2, -2, 4, 0]
    # after outputs (0,0) [adds 1,-1,2,0 at (0,0),(0,1),(1,0),(1,1)] and (0,1):
    state = plain.state(5)
    assert state["grad_input"].tolist() == [[[1, 1, -2], [2, 4, 0], [0, 0, 0]]]
    assert state.written["grad_input"].tolist() == [[[True] * 3, [True] * 3, [False] * 3]]
    # + output (1,0), gradient -1: -1, 1, -2, 0 at (1,0),(1,1),(2,0),(2,1)
    # + output (1,1), gradient .5: .5, -.5, 1, 0 at (1,1),(1,2),(2,1),(2,2)
    assert plain.state(7)["grad_input"].tolist() == [[[1, 1, -2], [1, 5.5, -0.5], [-2, 1, 0]]]


def test_plain_weight_and_bias_gradients(plain):
    frame = plain[8]  # output (0,0,0,0), gradient 1 times its window [1, 2, 3, -1]
    assert frame.phase == "weight_grad" and frame.adds[0].amount.tolist() == [1, 2, 3, -1]
    # + gradient 2 times window (0,1) [2, 0, -1, 2]
    assert plain.state(9)["grad_weight"].tolist() == [[[[5, 2], [1, 3]]]]
    # w00 = 1·1 + 2·2 - 1·3 + .5·(-1) = 1.5, w01 = 2 + 0 + 1 + 1 = 4,
    # w10 = 3 - 2 - 0 + .5 = 1.5,              w11 = -1 + 4 - 1 + .5 = 2.5
    assert plain.state(11)["grad_weight"].tolist() == [[[[1.5, 4], [1.5, 2.5]]]]
    bias = plain[12]
    assert (bias.filter, bias.terms, bias.value) == (0, 4, 2.5)  # 1 + 2 - 1 + .5
    final = plain.state(12)
    assert final["grad_bias"].tolist() == [2.5]
    assert final["grad_input"].tolist() == [[[1, 1, -2], [1, 5.5, -0.5], [-2, 1, 0]]]


def test_plain_hover_questions(plain):
    # The centre pixel is read by all four outputs: (0,0) through w11=0, (0,1) through w10=2,
    # (1,0) through w01=-1, (1,1) through w00=1; its gradient 0 + 4 + 1 + .5 = 5.5.
    readers = plain.pixel_readers(0, 0, 1, 1)
    assert readers.element.tolist() == [[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 0, 1, 1]]
    assert readers.kernel_index.tolist() == [[0, 1, 1], [0, 1, 0], [0, 0, 1], [0, 0, 0]]
    assert readers.contribution.tolist() == [0, 4, 1, 0.5]
    # w01 multiplies x01, x02, x11, x12 = 2, 0, -1, 2 with gradients 1, 2, -1, .5: 2 + 0 + 1 + 1 = 4
    reads = plain.weight_tap_reads(0, 0, 0, 1)
    assert reads.padded.tolist() == [[0, 1], [0, 2], [1, 1], [1, 2]]
    assert reads.input_value.tolist() == [2, 0, -1, 2]
    assert reads.contribution.tolist() == [2, 0, 1, 1]
    assert plain.receptive_field(0, 0, 1, 1).input_value.tolist() == [-1, 2, 1, 1]


def test_plain_two_roads(plain):
    roads = plain.input_gradient_roads()
    expected = [[[[1, 1, -2], [1, 5.5, -0.5], [-2, 1, 0]]]]
    assert roads.scatter.tolist() == expected and roads.agree
    np.testing.assert_allclose(roads.transposed, expected, atol=1e-12)
    # grad_output spread over a 4x4 plane: the kernel's reach (1) of zeros before, stride 1
    assert roads.spread_grad_output.tolist() == [[[[0, 0, 0, 0], [0, 1, 2, 0], [0, -1, 0.5, 0], [0, 0, 0, 0]]]]
    assert roads.transposed_kernel.tolist() == [[[[0, 2], [-1, 1]]]]


# ----------------------------------------------------------------------------------------------
# Reflect padding 1, stride 2, one frame per multiply-add.
#
# Reflect maps padded index 0..4 to input index 1, 0, 1, 2, 1 on both axes, so the padded input
# and the windows (top-left corners (0,0), (0,2), (2,0), (2,2)) are
#
#     | -1  3 -1  2 -1 |     y00 = -1·1 + 3·(-1) + 2·2 + 1·0 + .5 =  0.5
#     |  2  1  2  0  2 |     y01 = -1 - 2 + 4 + 0 + .5            =  1.5
#     | -1  3 -1  2 -1 |     y10 = -1 - 3 + 2 + 0 + .5            = -1.5
#     |  1  0  1  1  1 |     y11 = -1 - 2 + 2 + 0 + .5            = -0.5
#     | -1  3 -1  2 -1 |


def test_reflected_phases(reflected):
    # pad: every padded row holds padding (left and right columns): 5 rows; 16 multiply-adds per
    # window phase; fold: 5 rows and the crop.
    assert [(p.name, p.first, p.last) for p in reflected.phases] == [
        ("pad", 0, 4), ("slide", 5, 20), ("scatter", 21, 36), ("weight_grad", 37, 52),
        ("bias_grad", 53, 53), ("fold", 54, 59)]
    assert "3×3 input channel becomes 5×5" in reflected.phase("pad").explanation


def test_reflected_pad_frames(reflected):
    top = reflected[0]
    assert isinstance(top, PadFrame) and top.row == 0
    assert top.cells.tolist() == [[0, 0], [0, 1], [0, 2], [0, 3], [0, 4]]
    assert top.sources.tolist() == [[1, 1], [1, 0], [1, 1], [1, 2], [1, 1]]
    assert top.values.tolist() == [[-1, 3, -1, 2, -1]]
    middle = reflected[2]  # padded row 2 is input row 1; only its two side cells are padding
    assert middle.cells.tolist() == [[2, 0], [2, 4]]
    assert middle.sources.tolist() == [[1, 1], [1, 1]] and middle.values.tolist() == [[-1, -1]]


def test_reflected_taps(reflected):
    first = reflected[5]  # output (0,0,0,0), tap (0,0,0): a padding cell copied from x[1,1]
    assert isinstance(first, SlideFrame) and first.tap_number == 0
    (tap,) = first.taps
    assert tap.kernel_index == (0, 0, 0) and tap.padded == (0, 0)
    assert tap.is_padding and tap.source == (1, 1)
    assert (tap.input_value, tap.weight_value, tap.product) == (-1, 1, -1)
    assert first.value == -1 and not first.complete
    assert first.im2col.tap_row == 0 and first.im2col.column == 0

    last = reflected[8]  # tap (0,1,1) of the same window: padded (1,1) is input pixel (0,0)
    (tap,) = last.taps
    assert tap.padded == (1, 1) and not tap.is_padding and tap.source == (0, 0)
    assert (tap.input_value, tap.weight_value, tap.product) == (1, 0, 0)
    assert last.channel_sums.tolist() == [0] and last.complete and last.value == 0.5
    assert last.adds[0].amount.tolist() == [0.5]  # product 0 plus the bias

    third_window = reflected[13]  # output (0,0,1,0), its first tap: window corner (2, 0)
    assert third_window.element == (0, 0, 1, 0) and third_window.taps.padded.tolist() == [[2, 0]]


def test_reflected_states(reflected):
    mid = reflected.state(10)  # window 0 done, window 1 after 2 taps: -1·1 + 2·(-1) = -3
    assert mid["output"].tolist() == [[[0.5, -3], [0, 0]]]
    assert mid.written["output"].tolist() == [[[True, True], [False, False]]]
    assert reflected.state(20)["output"].tolist() == [[[0.5, 1.5], [-1.5, -0.5]]]

    tap = reflected[25]  # output (0,0,0,1), tap (0,0,0): gradient 2 × w00 = 1 at padded (0,2)
    assert tap.adds[0].amount.tolist() == [2] and [a.tolist() for a in tap.adds[0].index] == [[0], [0], [2]]
    # After the scatter, the padded gradient (each window adds gradient × w at its cells):
    padded_gradient = [[1, -1, 2, -2, 0],
                       [2, 0, 4, 0, 0],
                       [-1, 1, 0.5, -0.5, 0],
                       [-2, 0, 1, 0, 0],
                       [0, 0, 0, 0, 0]]
    assert reflected.state(36)["grad_input"].tolist() == [padded_gradient]
    # w00 = 1·(-1) + 2·(-1) - 1·(-1) + .5·(-1) = -2.5, w01 = 3 + 4 - 3 + 1 = 5,
    # w10 = 2 + 4 - 1 + .5 = 5.5, w11 = 1 + 0 - 0 + .5 = 1.5
    assert reflected.state(52)["grad_weight"].tolist() == [[[[-2.5, 5], [5.5, 1.5]]]]


def test_reflected_fold(reflected):
    row0 = reflected[54]
    assert isinstance(row0, FoldFrame) and row0.row == 0
    assert row0.targets.tolist() == [[2, 2], [2, 1], [2, 2], [2, 3], [2, 2]]
    assert row0.gradients.tolist() == [[1, -1, 2, -2, 0]]
    # What the frame does to the state: take the gradient off row 0, add it at the targets, and
    # leave row 0's cells at exactly 0.
    (cells,) = (zeroing.index for zeroing in row0.zeros)
    assert [a.tolist() for a in cells] == [[0] * 5, [0] * 5, [0, 1, 2, 3, 4]]
    assert [a.tolist() for a in row0.adds[1].index] == [[0] * 5, [2, 2, 2, 2, 2], [2, 1, 2, 3, 2]]
    assert row0.adds[0].amount.tolist() == [-1, 1, -2, 2, 0] and row0.crop is None
    # Row 0 hands 1 + 2 + 0 to padded (2,2), -1 to (2,1), -2 to (2,3) and is left at 0.
    after = reflected.state(54)["grad_input"][0]
    assert after[0].tolist() == [0, 0, 0, 0, 0] and after[2].tolist() == [-1, 0, 3.5, -2.5, 0]
    # Rows 1-3 hand their side cells 2, -1, -2 to (1,2), (2,2), (3,2); row 4 holds zeros.
    crop = reflected[59]
    assert isinstance(crop, CropFrame) and crop.rows == range(1, 4) and crop.columns == range(1, 4)
    assert crop.crop == Crop("grad_input", range(1, 4), range(1, 4)) and crop.adds == crop.zeros == ()
    assert reflected.state(58)["grad_input"].shape == (1, 5, 5)
    final = reflected.state(59)
    assert final["grad_input"].tolist() == [[[0, 6, 0], [0, 2.5, -2.5], [0, -1, 0]]]
    assert final["grad_bias"].tolist() == [2.5]
