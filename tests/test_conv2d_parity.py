"""conv2d and conv2d_backward equal PyTorch, for every algorithm, in float32 and float64.

The reference is torch: ``F.conv2d`` for zero padding and ``nn.Conv2d(..., padding_mode=...)`` with
copied parameters for the other padding modes, differentiated by autograd. The grid holds every
case of torch's own ``sample_inputs_conv2d`` (batched and unbatched, checked against the installed
torch source below), every padding mode, odd and even kernels with ``"same"``, and asymmetric
stride / dilation / padding pairs.
"""

from __future__ import annotations

import ast
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch

from convviz.nn.functional import ALGORITHMS as ENGINE_ALGORITHMS
from convviz.nn.functional import conv2d, conv2d_backward

from engine_spies import ran_as, record_algorithms
from torch_conv_reference import torch_reference

# torch's own note that it copies the input for "same" with an even kernel; not a problem here.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

# Every algorithm the engine offers. None (the default) runs "banded" (test_none_runs_banded
# below), so it needs no cases of its own.
ALGORITHMS = list(ENGINE_ALGORITHMS)
DTYPES = [np.float32, np.float64]
PADDING_MODES = ["zeros", "reflect", "replicate", "circular"]
# The parity the engine promises (rtol 1e-4 in float32, 1e-10 in float64: torch sums in another
# order), plus an atol of this fraction of the largest reference magnitude, which absorbs the
# rounding of long sums that cancel to almost zero.
TOLERANCE = {np.dtype(np.float32): (1e-4, 1e-5), np.dtype(np.float64): (1e-10, 1e-12)}

# torch.testing._internal.common_methods_invocations.sample_inputs_conv2d, torch 2.13.0:
# (input shape, weight shape, bias shape or None, keyword arguments).
TORCH_SAMPLE_CASES = [
    ((1, 3, 4, 4), (3, 3, 3, 3), (3,), {"stride": (2, 2), "padding": 2, "groups": 1}),
    ((2, 4, 8, 8), (2, 2, 3, 3), (2,), {"stride": (3, 2), "padding": (2, 1), "groups": 2, "dilation": (4, 4)}),
    ((1, 4, 5, 5), (1, 4, 2, 3), (1,), {"stride": 2, "padding": 1, "groups": 1, "dilation": (2, 3)}),
    ((1, 2, 4, 3), (4, 2, 3, 4), None, {"stride": 2, "padding": 1, "groups": 1}),
    ((1, 4, 5, 5), (1, 4, 2, 3), (1,), {"stride": 2, "padding": "valid"}),
    ((1, 4, 5, 5), (1, 4, 2, 3), (1,), {"stride": 1, "padding": "same", "dilation": 3}),
    ((2, 4, 6, 6), (4, 1, 3, 3), (4,), {"groups": 4}),
    ((2, 4, 6, 6), (8, 1, 3, 3), (8,), {"groups": 4}),
    ((2, 4, 6, 6), (8, 1, 3, 3), None, {"groups": 4}),
    ((2, 4, 6, 6), (4, 1, 3, 3), (4,), {"groups": 4, "stride": (3, 2)}),
    ((2, 4, 6, 6), (4, 1, 3, 3), (4,), {"groups": 4, "padding": (1, 1)}),
    ((2, 4, 5, 5), (4, 1, 2, 2), (4,), {"groups": 4, "dilation": (2, 2)}),
    ((2, 4, 6, 5), (6, 2, 3, 2), (6,), {"groups": 2}),
    ((1, 4, 5, 5), (3, 4, 3, 3), None, {}),
]


def case_id(case) -> str:
    input_shape, weight_shape, bias_shape, kwargs = case
    parts = ["x" + "x".join(map(str, input_shape)), "w" + "x".join(map(str, weight_shape)),
             "bias" if bias_shape else "nobias"]
    parts += [f"{k}={v}".replace(" ", "") for k, v in kwargs.items()]
    return "-".join(parts)


# ----------------------------------------------------------------------------------------------
# Helpers


def rng_for(*key) -> np.random.Generator:
    """A generator seeded from the test's parameters: reproducible, different per case."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def random_arrays(rng, input_shape, weight_shape, bias_shape, dtype):
    x = rng.standard_normal(input_shape).astype(dtype)
    w = rng.standard_normal(weight_shape).astype(dtype)
    b = None if bias_shape is None else rng.standard_normal(bias_shape).astype(dtype)
    return x, w, b


def assert_matches(actual, expected, dtype, what: str) -> None:
    """Same dtype, same shape, and equal within the dtype's tolerance."""
    dtype = np.dtype(dtype)
    assert isinstance(actual, np.ndarray), f"{what}: expected an ndarray, got {type(actual).__name__}"
    assert actual.dtype == dtype, f"{what}: dtype {actual.dtype}, expected {dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    rtol, atol_scale = TOLERANCE[dtype]
    finite = expected[np.isfinite(expected)]
    magnitude = float(np.max(np.abs(finite), initial=0.0))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol_scale * magnitude, err_msg=what)


def check_against_torch(x, w, b, algorithm, grad_output="random", **conv_args):
    """Forward and backward of one algorithm against torch; returns torch's output for further checks."""
    if isinstance(grad_output, str):
        assert grad_output == "random"
        rng = rng_for("dy", x.shape, w.shape, x.dtype)
        grad_output = lambda shape: rng.standard_normal(shape).astype(x.dtype)  # noqa: E731
    y_ref, gy, gx_ref, gw_ref, gb_ref = torch_reference(x, w, b, grad_output, **conv_args)
    label = f"algorithm={algorithm!r} {conv_args}"

    x_before, w_before = x.copy(), w.copy()
    y = conv2d(x, w, b, algorithm=algorithm, **conv_args)
    assert_matches(y, y_ref, x.dtype, f"output, {label}")

    grad_input, grad_weight, grad_bias = conv2d_backward(gy, x, w, has_bias=b is not None,
                                                         algorithm=algorithm, **conv_args)
    assert_matches(grad_input, gx_ref, x.dtype, f"grad_input, {label}")
    assert_matches(grad_weight, gw_ref, w.dtype, f"grad_weight, {label}")
    if b is None:
        assert grad_bias is None, f"grad_bias must be None without a bias, {label}"
    else:
        assert_matches(grad_bias, gb_ref, b.dtype, f"grad_bias, {label}")
    # Neither pass may write into its arguments.
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(w, w_before)
    return y_ref


# ----------------------------------------------------------------------------------------------
# torch's own sample inputs


def _torch_sample_cases_from_source():
    """The ``cases`` tuple of sample_inputs_conv2d, read from the installed torch's source."""
    source = Path(torch.__file__).parent / "testing" / "_internal" / "common_methods_invocations.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    function = next(node for node in ast.walk(tree)
                    if isinstance(node, ast.FunctionDef) and node.name == "sample_inputs_conv2d")
    for node in ast.walk(function):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "cases":
            return ast.literal_eval(node.value)
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "cases" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("no `cases` in sample_inputs_conv2d")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_name_runs_that_algorithm(algorithm, monkeypatch):
    ran = record_algorithms(monkeypatch)
    x, w, b = random_arrays(rng_for("dispatch"), (2, 4, 6, 5), (6, 2, 3, 2), (6,), np.float64)
    y = conv2d(x, w, b, groups=2, algorithm=algorithm)
    conv2d_backward(np.ones_like(y), x, w, groups=2, algorithm=algorithm)
    assert ran == ran_as(algorithm)


def test_none_runs_banded(monkeypatch):
    """The default is the fast algorithm, and the parity grid above covers it by that name."""
    ran = record_algorithms(monkeypatch)
    x, w, b = random_arrays(rng_for("default"), (2, 4, 6, 5), (6, 2, 3, 2), (6,), np.float64)
    y = conv2d(x, w, b, groups=2)
    conv2d_backward(np.ones_like(y), x, w, groups=2, algorithm=None)
    assert ran == ran_as("banded")


def test_grid_holds_every_torch_sample_case():
    torch_cases = _torch_sample_cases_from_source()
    assert len(torch_cases) >= 14
    missing = [case for case in torch_cases if tuple(case) not in TORCH_SAMPLE_CASES]
    assert not missing, f"torch's sample_inputs_conv2d has cases this grid lacks: {missing}"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("case", TORCH_SAMPLE_CASES, ids=[case_id(c) for c in TORCH_SAMPLE_CASES])
def test_torch_sample_inputs(case, batched, dtype, algorithm):
    input_shape, weight_shape, bias_shape, kwargs = case
    if not batched:
        input_shape = input_shape[1:]  # as sample_inputs_conv2d yields it: (C, H, W)
    x, w, b = random_arrays(rng_for(case_id(case), batched, dtype), input_shape, weight_shape, bias_shape, dtype)
    y_ref = check_against_torch(x, w, b, algorithm, **kwargs)
    assert y_ref.ndim == (4 if batched else 3)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", TORCH_SAMPLE_CASES, ids=[case_id(c) for c in TORCH_SAMPLE_CASES])
def test_torch_sample_inputs_with_grad_output_ones(case, dtype, algorithm):
    """dY = 1 everywhere, the gradient the source article propagates."""
    input_shape, weight_shape, bias_shape, kwargs = case
    x, w, b = random_arrays(rng_for("ones", case_id(case), dtype), input_shape, weight_shape, bias_shape, dtype)
    check_against_torch(x, w, b, algorithm, grad_output=None, **kwargs)


# ----------------------------------------------------------------------------------------------
# Padding modes, "same" with odd and even kernels, asymmetric pairs

# (input shape, weight shape, bias?, keyword arguments); every one valid for all four modes.
PADDING_CASES = [
    ((2, 3, 6, 7), (4, 3, 3, 3), True, {"padding": 1}),
    ((2, 4, 7, 6), (6, 2, 3, 2), True, {"padding": (2, 1), "stride": (2, 1), "dilation": (1, 2), "groups": 2}),
    ((1, 2, 5, 6), (3, 2, 3, 5), False, {"padding": "same", "dilation": (2, 1)}),
    ((2, 2, 6, 7), (2, 2, 2, 4), True, {"padding": "same", "dilation": (3, 2)}),
    ((1, 3, 5, 5), (2, 3, 2, 2), True, {"padding": "valid", "stride": 2}),
    ((1, 2, 4, 3), (2, 2, 2, 3), True, {"padding": (0, 3)}),  # circular may wrap the whole width
    ((1, 2, 4, 3), (2, 2, 3, 1), True, {"padding": (3, 2)}),  # reflect: padding = height - 1 is the most
    ((3, 5, 5), (6, 1, 3, 3), True, {"padding": 2, "groups": 3, "stride": (1, 2)}),  # unbatched
    ((2, 4, 5, 5), (4, 1, 3, 3), False, {"padding": (1, 2), "groups": 4, "dilation": 2}),  # depthwise
]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("padding_mode", PADDING_MODES)
@pytest.mark.parametrize("case", PADDING_CASES, ids=[case_id((c[0], c[1], c[2], c[3])) for c in PADDING_CASES])
def test_padding_modes(case, padding_mode, dtype, algorithm):
    input_shape, weight_shape, has_bias, kwargs = case
    if padding_mode == "reflect" and kwargs.get("padding") == (0, 3):
        kwargs = {**kwargs, "padding": (0, 2)}  # reflect needs padding < width 3
    x, w, b = random_arrays(rng_for(case_id(case), padding_mode, dtype), input_shape, weight_shape,
                            (weight_shape[0],) if has_bias else None, dtype)
    check_against_torch(x, w, b, algorithm, padding_mode=padding_mode, **kwargs)


SAME_KERNELS = [(1, 1), (2, 2), (3, 3), (2, 5), (4, 3), (6, 1), (5, 4)]
SAME_DILATIONS = [(1, 1), (2, 3)]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("padding_mode", PADDING_MODES)
@pytest.mark.parametrize("dilation", SAME_DILATIONS, ids=lambda d: f"d{d[0]}x{d[1]}")
@pytest.mark.parametrize("kernel", SAME_KERNELS, ids=lambda k: f"k{k[0]}x{k[1]}")
def test_same_padding_matches_torch(kernel, dilation, padding_mode, algorithm):
    """Odd and even kernels: torch pads d(k-1)//2 before and the rest (the extra pixel) after."""
    height, width = 9, 10 + kernel[1]  # big enough for reflect's d(k-1) - d(k-1)//2 < size
    x, w, b = random_arrays(rng_for(kernel, dilation, padding_mode), (1, 2, height, width), (2, 2) + kernel, (2,),
                            np.float64)
    y_ref = check_against_torch(x, w, b, algorithm, padding="same", dilation=dilation, padding_mode=padding_mode)
    assert y_ref.shape[-2:] == (height, width)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("kernel", [(2, 4), (4, 2), (2, 3), (5, 6)], ids=lambda k: f"k{k[0]}x{k[1]}")
def test_same_padding_puts_the_extra_pixel_after(kernel, algorithm):
    """Independent of torch: "same" equals a valid convolution of the input padded explicitly by
    d(k-1)//2 before and d(k-1) - d(k-1)//2 after on each axis."""
    dilation = (1, 3)  # odd totals d(k-1) on at least one axis for every kernel below
    rng = rng_for("explicit same", kernel)
    x = rng.standard_normal((1, 2, 7, 8))
    w = rng.standard_normal((3, 2) + kernel)
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    explicit = np.pad(x, ((0, 0), (0, 0), pads[0], pads[1]))
    expected = conv2d(explicit, w, dilation=dilation, algorithm="loops")
    y = conv2d(x, w, padding="same", dilation=dilation, algorithm=algorithm)
    assert y.shape == (1, 3, 7, 8)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
    # And the split really is asymmetric for these kernels: the mirrored split gives another result.
    mirrored = np.pad(x, ((0, 0), (0, 0), pads[0][::-1], pads[1][::-1]))
    assert not np.allclose(conv2d(mirrored, w, dilation=dilation, algorithm="loops"), expected)


ASYMMETRIC_CASES = [
    {"stride": (1, 3), "dilation": (3, 1), "padding": (0, 2)},
    {"stride": (3, 1), "dilation": (1, 2), "padding": (3, 0)},
    {"stride": (2, 3), "dilation": (2, 1), "padding": (1, 0)},
    {"stride": [1, 2], "dilation": [2, 3], "padding": [2, 1]},  # lists, as torch also accepts
    {"stride": (3, 2), "dilation": (1, 1), "padding": (0, 1)},
]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("kernel", [(1, 5), (4, 1), (3, 2)], ids=lambda k: f"k{k[0]}x{k[1]}")
@pytest.mark.parametrize("kwargs", ASYMMETRIC_CASES, ids=lambda kw: "-".join(f"{k}{tuple(v)}" for k, v in kw.items()))
def test_asymmetric_stride_dilation_padding(kwargs, kernel, dtype, algorithm):
    x, w, b = random_arrays(rng_for(str(kwargs), kernel, dtype), (2, 3, 11, 12), (2, 3) + kernel, (2,), dtype)
    check_against_torch(x, w, b, algorithm, **kwargs)


# ----------------------------------------------------------------------------------------------
# Argument forms, layouts and dtypes


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_numpy_integers_and_lists_are_accepted_as_torch_does(algorithm):
    x, w, b = random_arrays(rng_for("forms"), (2, 4, 9, 8), (6, 2, 3, 2), (6,), np.float64)
    kwargs = {"stride": np.int64(2), "padding": [np.int32(1), 2], "dilation": (np.int16(2), 1),
              "groups": np.int64(2)}
    torch_kwargs = {"stride": 2, "padding": (1, 2), "dilation": (2, 1), "groups": 2}
    y_ref, _, gx_ref, gw_ref, gb_ref = torch_reference(x, w, b, None, **torch_kwargs)
    y = conv2d(x, w, b, algorithm=algorithm, **kwargs)
    assert_matches(y, y_ref, np.float64, "output")
    gx, gw, gb = conv2d_backward(np.ones_like(y), x, w, algorithm=algorithm, **kwargs)
    assert_matches(gx, gx_ref, np.float64, "grad_input")
    assert_matches(gw, gw_ref, np.float64, "grad_weight")
    assert_matches(gb, gb_ref, np.float64, "grad_bias")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("padding_mode", ["zeros", "reflect"])
def test_non_contiguous_views_give_the_same_result(padding_mode, algorithm):
    """Transposed, strided and reversed views must be read by value, not by memory layout."""
    rng = rng_for("views", padding_mode)
    base_x = rng.standard_normal((6, 2, 9, 16))
    x_view = base_x.transpose(1, 0, 2, 3)[:, ::2, ::-1, ::2]  # (2, 3, 9, 8), no unit stride anywhere
    base_w = rng.standard_normal((3, 4, 6, 3))
    w_view = base_w.transpose(1, 0, 3, 2)[:, :, ::-1, ::2]  # (4, 3, 3, 3)
    b_view = rng.standard_normal(8)[::2]
    assert not (x_view.flags.c_contiguous or w_view.flags.c_contiguous or b_view.flags.c_contiguous)
    args = {"stride": (2, 1), "padding": 1, "padding_mode": padding_mode}
    gy_view = rng.standard_normal((2, 4, 5, 16))[..., ::2]
    gy = gy_view.copy()
    expected_y = conv2d(x_view.copy(), w_view.copy(), b_view.copy(), algorithm="loops", **args)
    expected_grads = conv2d_backward(gy, x_view.copy(), w_view.copy(), algorithm="loops", **args)
    np.testing.assert_allclose(conv2d(x_view, w_view, b_view, algorithm=algorithm, **args), expected_y,
                               rtol=1e-12, atol=1e-12)
    for got, want in zip(conv2d_backward(gy_view, x_view, w_view, algorithm=algorithm, **args),
                         expected_grads):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # And the reference itself is torch's.
    y_ref = torch_reference(x_view.copy(), w_view.copy(), b_view.copy(), None, **args)[0]
    assert_matches(expected_y, y_ref, np.float64, "output of the loops on contiguous copies")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_output_and_gradients_keep_the_input_dtype(dtype, algorithm):
    rng = rng_for("dtype", dtype)
    x = rng.standard_normal((1, 2, 5, 5)).astype(dtype)
    w = rng.standard_normal((2, 2, 3, 3)).astype(dtype)
    b = rng.standard_normal(2).astype(dtype)
    y = conv2d(x, w, b, padding=1, padding_mode="circular", algorithm=algorithm)
    grads = conv2d_backward(np.ones_like(y), x, w, padding=1, padding_mode="circular", algorithm=algorithm)
    assert [a.dtype for a in (y, *grads)] == [np.dtype(dtype)] * 4
    assert (y.shape, grads[0].shape, grads[1].shape, grads[2].shape) == ((1, 2, 5, 5), x.shape, w.shape, (2,))
    # grad_bias with dY = 1 is the number of output positions per filter.
    np.testing.assert_array_equal(grads[2], np.full(2, 25, dtype=dtype))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_hand_computed_example(algorithm):
    """A 1-channel 3x3 input and a 2x2 kernel, worked out by hand (no torch involved)."""
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # [[1 2 3] [4 5 6] [7 8 9]]
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    b = np.array([0.5])
    y = conv2d(x, w, b, algorithm=algorithm)
    # 1+4+12+20 = 37, 2+6+15+24 = 47, 4+10+21+32 = 67, 5+12+24+36 = 77
    np.testing.assert_array_equal(y, np.array([[[[37.5, 47.5], [67.5, 77.5]]]]))
    gx, gw, gb = conv2d_backward(np.ones((1, 1, 2, 2)), x, w, algorithm=algorithm)
    # dX = full correlation of dY=1 with the rotated kernel; dW[i, j] = sum of the window at (i, j).
    np.testing.assert_array_equal(gx, np.array([[[[1.0, 3.0, 2.0], [4.0, 10.0, 6.0], [3.0, 7.0, 4.0]]]]))
    np.testing.assert_array_equal(gw, np.array([[[[12.0, 16.0], [24.0, 28.0]]]]))
    np.testing.assert_array_equal(gb, np.array([4.0]))


# Output rows or columns of size 1 together with a stride: the strides of length-1 axes are
# arbitrary in NumPy, so code that reads an array's strides to build a view must not trust them.
SINGLE_OUTPUT_CASES = [
    ((1, 1, 2), (1, 1, 1, 2), {"stride": (1, 2)}),  # unbatched, one output pixel
    ((1, 2, 3, 5), (3, 2, 3, 2), {"stride": (3, 4)}),  # OH = OW = 1
    ((2, 3, 4), (1, 2, 3, 1), {"stride": (5, 1)}),  # unbatched, OH = 1, OW = 4
    ((1, 2, 6, 3), (2, 2, 2, 3), {"stride": (2, 3), "padding": (1, 0)}),  # OW = 1, OH = 4
    ((3, 1, 5, 6), (2, 1, 3, 3), {"stride": 3, "dilation": (1, 2)}),  # OH = OW = 1, batch 3
]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("case", SINGLE_OUTPUT_CASES, ids=lambda c: case_id((c[0], c[1], None, c[2])))
def test_single_output_row_or_column_with_a_stride(case, algorithm):
    input_shape, weight_shape, kwargs = case
    x, w, b = random_arrays(rng_for("single", case_id((input_shape, weight_shape, None, kwargs))), input_shape,
                            weight_shape, (weight_shape[0],), np.float64)
    check_against_torch(x, w, b, algorithm, **kwargs)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_single_output_pixel_by_hand(algorithm):
    """[1, 2] correlated with [3, 5] is 13, whatever the stride."""
    y = conv2d(np.array([[[1.0, 2.0]]]), np.array([[[[3.0, 5.0]]]]), stride=(1, 2), algorithm=algorithm)
    np.testing.assert_array_equal(y, [[[13.0]]])
