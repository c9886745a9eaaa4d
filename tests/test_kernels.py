"""Kernel presets: the textbook 3×3 values exactly, their sums and symmetries at every size 1..15,
the seed, and the messages for a bad name, size or seed."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from convviz.state.kernels import MAX_SIZE, PRESETS, preset_kernel

SIZES = list(itertools.product(range(1, MAX_SIZE + 1), repeat=2))

TEXTBOOK_3X3 = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box": np.full((3, 3), 1 / 9),
    "gaussian": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


def test_the_presets_are_the_ones_the_window_offers_in_this_order():
    assert list(PRESETS) == [
        "identity", "box", "gaussian", "sobel_x", "sobel_y", "laplacian", "sharpen", "emboss", "random"
    ]
    assert all(isinstance(text, str) and text and "\n" not in text for text in PRESETS.values())


@pytest.mark.parametrize("name", sorted(TEXTBOOK_3X3))
def test_3x3_is_the_textbook_kernel_exactly(name):
    kernel = preset_kernel(name, 3, 3)
    assert kernel.dtype == np.float64 and kernel.shape == (3, 3)
    np.testing.assert_array_equal(kernel, np.asarray(TEXTBOOK_3X3[name], dtype=np.float64))


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_size_from_1_to_15_per_axis_gives_a_finite_float64_kernel_of_that_shape(name):
    for height, width in SIZES:
        kernel = preset_kernel(name, height, width, seed=3)
        assert kernel.shape == (height, width) and kernel.dtype == np.float64, (name, height, width)
        assert np.all(np.isfinite(kernel)), (name, height, width)
        assert np.abs(kernel).max() <= 5, (name, height, width)  # readable numbers at every size


@pytest.mark.parametrize(("name", "total"), [("identity", 1), ("box", 1), ("gaussian", 1), ("sobel_x", 0),
                                             ("sobel_y", 0), ("laplacian", 0), ("sharpen", 1), ("emboss", 1)])
def test_sums_at_every_size(name, total):
    for height, width in SIZES:
        assert preset_kernel(name, height, width).sum() == pytest.approx(total, abs=1e-12), (name, height, width)


def test_identity_sits_at_the_centre_or_just_up_left_of_it_on_even_sizes():
    for height, width in SIZES:
        kernel = preset_kernel("identity", height, width)
        assert np.count_nonzero(kernel) == 1
        assert np.argwhere(kernel).tolist() == [[(height - 1) // 2, (width - 1) // 2]]
    assert np.argwhere(preset_kernel("identity", 4, 2)).tolist() == [[1, 0]]


def test_gaussian_is_the_binomial_outer_product_and_box_is_flat():
    np.testing.assert_allclose(preset_kernel("gaussian", 1, 5), [[1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16]])
    np.testing.assert_allclose(preset_kernel("gaussian", 2, 1), [[0.5], [0.5]])
    g = preset_kernel("gaussian", 7, 4)
    np.testing.assert_allclose(g, np.outer(g.sum(axis=1), g.sum(axis=0)))  # separable
    np.testing.assert_allclose(g.sum(axis=1), np.array([1, 6, 15, 20, 15, 6, 1]) / 64)
    np.testing.assert_array_equal(preset_kernel("box", 2, 5), np.full((2, 5), 0.1))


def test_sobel_5x5_is_the_binomial_sobel_scaled_so_its_positive_weights_sum_to_4():
    integer_sobel = np.outer([1, 4, 6, 4, 1], [-1, -2, 0, 2, 1])  # OpenCV's 5×5 Sobel
    np.testing.assert_allclose(preset_kernel("sobel_x", 5, 5), integer_sobel / 12)
    for height, width in SIZES:
        kernel = preset_kernel("sobel_x", height, width)
        if width == 1:
            np.testing.assert_array_equal(kernel, 0)  # no horizontal neighbours, no x-derivative
            continue
        assert kernel[kernel > 0].sum() == pytest.approx(4)
        np.testing.assert_allclose(kernel, -kernel[:, ::-1], atol=1e-15)  # antisymmetric left-right
        np.testing.assert_allclose(kernel, kernel[::-1, :], atol=1e-15)  # symmetric up-down
        assert np.all(kernel[:, -1] > 0) and np.all(kernel[:, 0] < 0)  # x grows to the right
        np.testing.assert_array_equal(preset_kernel("sobel_y", width, height), kernel.T)


def test_sobel_x_answers_a_step_brighter_to_the_right_positively_and_sobel_y_one_brighter_below():
    step = np.zeros((15, 15))
    step[:, 8:] = 1.0  # brighter to the right of column 7 (the middle)
    for size in range(2, 16):
        kernel = preset_kernel("sobel_x", size, size)
        window = step[7 - (size - 1) // 2:, 7 - (size - 1) // 2:][:size, :size]
        assert (window * kernel).sum() > 0
        assert (window.T * preset_kernel("sobel_y", size, size)).sum() > 0


def test_laplacian_is_zero_on_flat_and_linear_patches_and_negative_on_a_bright_dot():
    rows, cols = np.mgrid[0:15, 0:15]
    ramp = 0.3 * rows - 0.7 * cols + 2.0
    for height, width in SIZES:
        kernel = preset_kernel("laplacian", height, width)
        assert (kernel * ramp[:height, :width]).sum() == pytest.approx(0, abs=1e-9), (height, width)
        if max(height, width) < 3:
            np.testing.assert_array_equal(kernel, 0)  # a second difference needs three cells
            continue
        assert kernel[kernel > 0].sum() == pytest.approx(4)
        np.testing.assert_allclose(kernel, kernel[::-1, ::-1], atol=1e-15)  # point symmetric
        if height % 2 and width % 2:
            assert kernel[height // 2, width // 2] == kernel.min() < 0
    np.testing.assert_allclose(preset_kernel("laplacian", 1, 3), [[2, -4, 2]])
    np.testing.assert_allclose(preset_kernel("laplacian", 5, 5)[2], [0.5, -0.5, -2, -0.5, 0.5])


def test_sharpen_is_identity_minus_laplacian_and_emboss_is_a_diagonal_ramp_plus_identity():
    for height, width in SIZES:
        identity = preset_kernel("identity", height, width)
        np.testing.assert_allclose(
            preset_kernel("sharpen", height, width), identity - preset_kernel("laplacian", height, width)
        )
        ramp = preset_kernel("emboss", height, width) - identity
        if height * width > 1:
            assert ramp[0, 0] == -2 and ramp[-1, -1] == 2  # carved from the top left
        np.testing.assert_allclose(ramp, -ramp[::-1, ::-1], atol=1e-15)
    np.testing.assert_array_equal(preset_kernel("emboss", 1, 1), [[1.0]])


def test_random_is_seeded_scaled_and_different_for_different_seeds():
    a = preset_kernel("random", 15, 15, seed=7)
    np.testing.assert_array_equal(a, preset_kernel("random", 15, 15, seed=7))
    np.testing.assert_array_equal(a, np.random.default_rng(7).standard_normal((15, 15)) / 15)
    assert not np.array_equal(a, preset_kernel("random", 15, 15, seed=8))
    assert 0.5 < a.std() * 15 < 1.5
    np.testing.assert_array_equal(preset_kernel("random", 2, 3), preset_kernel("random", 2, 3, seed=0))
    numpy_seed = preset_kernel("random", 2, 3, seed=np.int64(4))
    np.testing.assert_array_equal(numpy_seed, preset_kernel("random", 2, 3, seed=4))


def test_kernels_are_fresh_arrays_the_caller_may_edit():
    kernel = preset_kernel("sobel_y", 3, 3)
    kernel[0, 0] = 99.0
    assert preset_kernel("sobel_y", 3, 3)[0, 0] == -1


@pytest.mark.parametrize("name", ["Sobel", "sobelx", "", None, 3])
def test_an_unknown_name_lists_the_presets(name):
    with pytest.raises(ValueError, match=r"unknown kernel preset .*identity, box, gaussian, sobel_x, sobel_y, "
                                         r"laplacian, sharpen, emboss, random"):
        preset_kernel(name, 3, 3)


@pytest.mark.parametrize(("height", "width", "axis"), [(0, 3, "height"), (16, 3, "height"), (3, 0, "width"),
                                                       (3, 99, "width"), (3.0, 3, "height"), (True, 3, "height"),
                                                       (3, "3", "width"), (-1, 3, "height")])
def test_a_size_outside_1_to_15_names_the_axis_and_the_range(height, width, axis):
    with pytest.raises(ValueError, match=rf"kernel {axis} must be a whole number from 1 to 15, got"):
        preset_kernel("box", height, width)


@pytest.mark.parametrize("seed", [-1, 1.5, "1", None, True])
def test_a_bad_seed_says_what_a_seed_is(seed):
    with pytest.raises(ValueError, match="seed must be a whole number 0 or more"):
        preset_kernel("random", 3, 3, seed=seed)


def test_the_presets_import_numpy_only():
    """convviz.state sits below the window and beside the engine: no Qt, no OpenCV, no torch."""
    code = (
        f"import sys, json; sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r}); "
        "import convviz.state.kernels; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'cv2', 'PySide6', 'shiboken6', 'pyqtgraph', 'torch'})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
