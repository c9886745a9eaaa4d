"""max_pool2d, avg_pool2d and their backwards equal PyTorch, in float32 and float64.

The reference is torch.nn.functional differentiated by autograd. The grids hold torch's own
sample inputs for both ops (``sample_inputs_max_pool`` / ``sample_inputs_avgpool2d`` of torch
2.13.0, copied below) and a sweep of kernels, strides, paddings, dilations and ceil_mode; a
hypothesis test draws random valid (and invalid) configurations. Max pooling is fed small
integers, so most windows hold tied maxima and torch's tie rule is exercised everywhere.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.nn.functional import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    pool_geometry,
)

DTYPES = [np.float32, np.float64]
TOLERANCE = {np.dtype(np.float32): dict(rtol=1e-4, atol=1e-6), np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12)}
# torch on one thread while this module runs (the fixture is in conftest.py).
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def tied_values(rng, shape, dtype):
    """Integers in [-3, 3]: most windows contain the same maximum more than once."""
    return rng.integers(-3, 4, size=shape).astype(dtype)


def torch_max_pool(x, grad_seed=0, **kwargs):
    """torch's output, indices and the gradient of sum(output · g) for a random g; and g."""
    xt = torch.from_numpy(x).requires_grad_()
    out, indices = F.max_pool2d(xt, return_indices=True, **kwargs)
    gy = np.random.default_rng(grad_seed).standard_normal(out.shape).astype(x.dtype)
    out.backward(torch.from_numpy(gy))
    return out.detach().numpy(), indices.numpy(), xt.grad.numpy(), gy


def check_max_pool(x, **kwargs):
    ref_out, ref_indices, ref_grad, gy = torch_max_pool(x, **kwargs)
    out, indices = max_pool2d(x, return_indices=True, **kwargs)
    assert out.dtype == x.dtype and indices.dtype == np.int64
    assert out.shape == ref_out.shape
    # A maximum is one of the input values, so the outputs are exactly equal, NaN included.
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(indices, ref_indices)
    np.testing.assert_array_equal(max_pool2d(x, **kwargs), ref_out)  # without indices
    grad = max_pool2d_backward(gy, x.shape, indices)
    assert grad.dtype == x.dtype and grad.shape == x.shape
    np.testing.assert_allclose(grad, ref_grad, **TOLERANCE[x.dtype])


def check_avg_pool(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                   divisor_override=None):
    options = dict(stride=stride, padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                   divisor_override=divisor_override)
    xt = torch.from_numpy(x).requires_grad_()
    ref = F.avg_pool2d(xt, kernel_size, **options)
    gy = np.random.default_rng(1).standard_normal(ref.shape).astype(x.dtype)
    ref.backward(torch.from_numpy(gy))
    out = avg_pool2d(x, kernel_size, **options)
    assert out.dtype == x.dtype and out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out, ref.detach().numpy(), **TOLERANCE[x.dtype])
    grad = avg_pool2d_backward(gy, x.shape, kernel_size, **options)
    assert grad.dtype == x.dtype and grad.shape == x.shape
    np.testing.assert_allclose(grad, xt.grad.numpy(), **TOLERANCE[x.dtype])


# ----------------------------------------------------------------------------------------------
# torch's own sample inputs.

# _TestParamsMaxPool2d of torch 2.13.0: shapes batch {1, 2, none} x channels {2} x H {3, 6} x W {6};
# every combination of these keyword values.
TORCH_MAX_POOL_KWARGS = {
    "kernel_size": [3, (3, 2)],
    "stride": [2, None, (2, 1)],
    "ceil_mode": [True, False],
    "padding": [0, 1, (1, 1)],
    "dilation": [1, (1, 2)],
}
TORCH_MAX_POOL_SHAPES = [shape for batch, h in itertools.product([1, 2, None], [3, 6])
                         for shape in [((batch,) if batch else ()) + (2, h, 6)]]
TORCH_MAX_POOL_CASES = [dict(zip(TORCH_MAX_POOL_KWARGS, values))
                        for values in itertools.product(*TORCH_MAX_POOL_KWARGS.values())]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("kwargs", TORCH_MAX_POOL_CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_max_pool2d_torch_sample_inputs(kwargs, dtype):
    rng = np.random.default_rng(0)
    for shape in TORCH_MAX_POOL_SHAPES:  # batched and unbatched
        check_max_pool(tied_values(rng, shape, dtype), **kwargs)


# sample_inputs_avgpool2d of torch 2.13.0: (input shape, kernel, stride, padding, ceil_mode,
# count_include_pad, divisor_override); torch's stride () means "the kernel size".
TORCH_AVG_POOL_CASES = [
    ((1, 3, 9, 9), 3, 1, 1, True, False, 2),
    ((1, 3, 9, 9), (4, 4), (2, 3), 1, True, False, 2),
    ((1, 3, 9, 9), (6, 6), (3, 3), (2, 3), True, True, 2),
    ((2, 3, 9, 9), (3, 3), (1, 1), 1, True, False, 2),
    ((1, 1, 4, 4), (2, 2), None, 0, False, True, -2),
    ((1, 2, 6, 6), (4, 4), (2, 2), 2, True, True, None),
    ((1, 3, 9, 9), (3, 3), None, 0, False, True, None),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", TORCH_AVG_POOL_CASES)
def test_avg_pool2d_torch_sample_inputs(case, dtype):
    shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor = case
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    check_avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor)


# ----------------------------------------------------------------------------------------------
# A sweep of geometries.


def output_fits(kernel, stride, padding, dilation, ceil_mode, size=(7, 7)) -> bool:
    """torch's output size formula gives at least one window on a 7 x 7 input."""
    stride = kernel if stride is None else (stride, stride) if isinstance(stride, int) else stride
    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    for n, k, s, p, d in zip(size, kernel, stride, padding, dilation):
        if (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1 < 1:
            return False
    return True


def sweep(kernels, strides, paddings, dilations):
    """Every combination that torch accepts for a 7 x 8 input: padding at most half the kernel and a
    non-empty output."""
    cases = []
    for kernel, stride, padding, dilation, ceil_mode in itertools.product(kernels, strides, paddings, dilations,
                                                                          [False, True]):
        k = (kernel, kernel) if isinstance(kernel, int) else kernel
        p = (padding, padding) if isinstance(padding, int) else padding
        if p[0] <= k[0] // 2 and p[1] <= k[1] // 2 and output_fits(k, stride, p, dilation, ceil_mode):
            cases.append(dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                              ceil_mode=ceil_mode))
    return cases


MAX_SWEEP = sweep([1, 2, 3, (2, 3), (4, 1)], [None, 1, 2, (1, 3)], [0, 1, (1, 0), (0, 2)], [1, 2, (3, 1)])


@pytest.mark.parametrize("kwargs", MAX_SWEEP, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_max_pool2d_sweep(kwargs):
    rng = np.random.default_rng(2)
    for dtype in DTYPES:
        check_max_pool(tied_values(rng, (2, 3, 7, 8), dtype), **kwargs)
        check_max_pool(rng.standard_normal((3, 7, 8)).astype(dtype), **kwargs)  # unbatched, no ties


AVG_SWEEP = [dict(case, count_include_pad=include, divisor_override=divisor)
             for case in sweep([1, 2, 3, (2, 3), (5, 2)], [None, 1, 2, (3, 1)], [0, 1, (0, 1), (2, 1)], [1])
             for include, divisor in [(True, None), (False, None), (True, 3)]]


@pytest.mark.parametrize("kwargs", AVG_SWEEP, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_avg_pool2d_sweep(kwargs):
    kwargs = dict(kwargs)
    del kwargs["dilation"]
    kernel = kwargs.pop("kernel_size")
    rng = np.random.default_rng(3)
    for dtype in DTYPES:
        check_avg_pool(rng.standard_normal((2, 3, 7, 8)).astype(dtype), kernel, **kwargs)
        check_avg_pool(rng.standard_normal((3, 8, 7)).astype(dtype), kernel, **kwargs)


def test_pooling_of_the_catdog_network_shape():
    """MaxPool2d(2, 2) after the first convolution: output, indices, gradient as torch."""
    x = np.random.default_rng(4).standard_normal((2, 16, 72, 72)).astype(np.float32)
    check_max_pool(x, kernel_size=2, stride=2)
    check_avg_pool(x, 2, 2)


def test_empty_batch_is_accepted_as_torch_accepts_it():
    x = np.zeros((0, 2, 6, 6), dtype=np.float32)
    out, indices = max_pool2d(x, 2, return_indices=True)
    assert out.shape == indices.shape == (0, 2, 3, 3)
    assert max_pool2d_backward(out, x.shape, indices).shape == x.shape
    assert avg_pool2d(x, 3, 1, 1).shape == (0, 2, 6, 6)


@settings(max_examples=40)
@given(data=st.data())
def test_pooling_matches_torch_on_random_configurations(data):
    kernel = (data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4)))
    stride = data.draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = (data.draw(st.integers(0, kernel[0] // 2)), data.draw(st.integers(0, kernel[1] // 2)))
    dilation = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    ceil_mode = data.draw(st.booleans())
    shape = ((data.draw(st.integers(1, 2)),) if data.draw(st.booleans()) else ()) + (
        data.draw(st.integers(1, 3)), data.draw(st.integers(1, 9)), data.draw(st.integers(1, 9)))
    dtype = data.draw(st.sampled_from(DTYPES))
    x = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).standard_normal(shape).astype(dtype)
    if data.draw(st.booleans()):
        x = np.round(x)  # ties
    max_kwargs = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    try:
        F.max_pool2d(torch.from_numpy(x), **max_kwargs)
        torch_accepts = True
    except RuntimeError:
        torch_accepts = False
    try:
        pool_geometry(shape, **max_kwargs)
        we_accept = True
    except ValueError as error:
        we_accept = False
        # Our only deliberate refusal beyond torch's: a dilated window that skips the whole input
        # (torch returns an index outside the image for it and its backward writes out of bounds).
        assert not torch_accepts or "none of them inside" in str(error)
    if we_accept:
        assert torch_accepts
        check_max_pool(x, **max_kwargs)
    try:
        F.avg_pool2d(torch.from_numpy(x), kernel, stride, padding, ceil_mode)
    except RuntimeError:
        with pytest.raises(ValueError):
            avg_pool2d(x, kernel, stride, padding, ceil_mode)
        return
    count_include_pad = data.draw(st.booleans())
    divisor = data.draw(st.sampled_from([None, None, 1, 5, -3]))
    check_avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor)


# ----------------------------------------------------------------------------------------------
# Ties, NaN and inf: which pixel torch picks.


def test_ties_pick_the_first_maximum_in_scan_order():
    x = np.array([[[[1.0, 5.0, 5.0],
                    [5.0, 2.0, 5.0],
                    [0.0, 5.0, 1.0]]]])
    out, indices = max_pool2d(x, 2, stride=1, return_indices=True)
    np.testing.assert_array_equal(out, [[[[5.0, 5.0], [5.0, 5.0]]]])
    # Window (0, 0) holds 5 at flat 1 and 3: the first, row by row, wins; and so on.
    np.testing.assert_array_equal(indices, [[[[1, 1], [3, 5]]]])
    check_max_pool(x, kernel_size=2, stride=1)


def test_constant_input_routes_every_gradient_to_each_windows_first_pixel():
    x = np.full((1, 1, 4, 4), 2.0, dtype=np.float32)
    out, indices = max_pool2d(x, 3, stride=1, padding=1, return_indices=True)
    # With padding, a window's first pixel is its first one inside the image.
    np.testing.assert_array_equal(indices[0, 0], [[0, 0, 1, 2], [0, 0, 1, 2], [4, 4, 5, 6], [8, 8, 9, 10]])
    grad = max_pool2d_backward(np.ones_like(out), x.shape, indices)
    # Overlapping windows that chose the same pixel add their gradients up.
    np.testing.assert_array_equal(grad[0, 0], [[4, 2, 2, 0], [2, 1, 1, 0], [2, 1, 1, 0], [0, 0, 0, 0]])
    check_max_pool(x, kernel_size=3, stride=1, padding=1)


def test_nan_wins_and_the_last_nan_of_a_window_is_picked():
    x = np.array([[[[1.0, np.nan, 3.0, np.nan, 7.0, 2.0, 9.0, 1.0]]]], dtype=np.float32)
    out, indices = max_pool2d(x, (1, 4), return_indices=True)
    np.testing.assert_array_equal(out, [[[[np.nan, 9.0]]]])
    np.testing.assert_array_equal(indices, [[[[3, 6]]]])
    grad = max_pool2d_backward(np.array([[[[10.0, 20.0]]]], dtype=np.float32), x.shape, indices)
    np.testing.assert_array_equal(grad, [[[[0, 0, 0, 10, 0, 0, 20, 0]]]])
    check_max_pool(x, kernel_size=(1, 4))


def test_nan_and_inf_propagate_as_in_torch():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 2, 7, 7))
    x[0, 0, 1, 1] = np.nan
    x[0, 1, 2:4, 2:4] = np.nan
    x[1, 0, 3, 3] = np.inf
    x[1, 1, :, :3] = -np.inf
    for kwargs in [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                   dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, dilation=(1, 2))]:
        check_max_pool(x, **kwargs)
        check_avg_pool(x, kwargs["kernel_size"], kwargs.get("stride"), kwargs.get("padding", 0),
                       kwargs.get("ceil_mode", False))


def test_all_minus_inf_windows_with_padding_report_their_first_inside_pixel():
    x = np.full((1, 1, 4, 4), -np.inf)
    out, indices = max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True)
    assert np.all(out == -np.inf)
    np.testing.assert_array_equal(indices[0, 0], [[0, 1, 3], [4, 5, 7], [12, 13, 15]])
    check_max_pool(x, kernel_size=3, stride=2, padding=1, ceil_mode=True)


def test_ceil_mode_keeps_a_partial_last_window_but_never_one_starting_in_the_padding():
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    assert max_pool2d(x, 2, 2).shape == (1, 1, 2, 2)
    assert max_pool2d(x, 2, 2, ceil_mode=True).shape == (1, 1, 3, 3)
    # (6 + 2 - 3 + 3) / 4 rounds up to 2 windows, plus 1 = 3, but the third would start at
    # 2·4 - 1 = 7, past the input and its left padding: dropped, as torch drops it.
    assert max_pool2d(np.zeros((1, 1, 6, 6)), 3, 4, 1, ceil_mode=True).shape == (1, 1, 2, 2)
    np.testing.assert_allclose(avg_pool2d(np.ones((1, 1, 3, 3)), 2, 2, 1, ceil_mode=True)[0, 0],
                               [[0.25, 0.5], [0.5, 1.0]])


def test_backward_accumulates_where_overlapping_windows_share_a_maximum():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0  # the centre is the maximum of all four 2 x 2 windows
    out, indices = max_pool2d(x, 2, 1, return_indices=True)
    grad = max_pool2d_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), x.shape, indices)
    assert grad[0, 0, 1, 1] == 10.0 and grad.sum() == 10.0


# ----------------------------------------------------------------------------------------------
# Bad input.

X = np.zeros((1, 2, 5, 5), dtype=np.float32)


@pytest.mark.parametrize("call, error, match", [
    (lambda: max_pool2d(X.tolist(), 2), TypeError, "input must be a numpy ndarray of float32 or float64, got list"),
    (lambda: max_pool2d(X.astype(np.int64), 2), TypeError, "input must have dtype float32 or float64, got int64"),
    (lambda: max_pool2d(X[0, 0], 2), ValueError, r"input must be 3-D or 4-D .*got shape \(5, 5\)"),
    (lambda: max_pool2d(X, 0), ValueError, r"kernel_size must be positive, got 0"),
    (lambda: max_pool2d(X, 2.0), TypeError, r"kernel_size must be an int or a pair of ints, got 2.0"),
    (lambda: max_pool2d(X, (2, 2, 2)), TypeError, r"kernel_size must be an int or a pair of ints"),
    (lambda: max_pool2d(X, 2, stride=0), ValueError, r"stride must be positive, got 0"),
    (lambda: max_pool2d(X, 2, stride=(1, -1)), ValueError, r"stride must be positive, got \(1, -1\)"),
    (lambda: max_pool2d(X, 3, padding=-1), ValueError, r"padding must be at least 0, got -1"),
    (lambda: max_pool2d(X, 2, dilation=0), ValueError, r"dilation must be positive, got 0"),
    (lambda: max_pool2d(X, 3, padding=2), ValueError,
     r"padding must be at most half the kernel size .*got padding=\(2, 2\) for kernel_size=\(3, 3\)"),
    (lambda: max_pool2d(X, (3, 1), padding=(1, 1)), ValueError,
     r"padding must be at most half .*padding=\(1, 1\) for kernel_size=\(3, 1\)"),
    (lambda: max_pool2d(X, 7), ValueError,
     r"output would be empty: output height = floor\(\(H \+ 2p - d\(k - 1\) - 1\) / s\) \+ 1 = "
     r"floor\(\(5 \+ 2·0 - 1·\(7 - 1\) - 1\) / 7\) \+ 1 = 0"),
    (lambda: max_pool2d(X, (1, 3), dilation=3), ValueError, r"output width = .*= 0; the window spans 7 pixels"),
    (lambda: max_pool2d(X, 3, ceil_mode=True, stride=1, dilation=3), ValueError,
     r"floor\(\(H \+ 2p - d\(k - 1\) - 1 \+ \(s - 1\)\) / s\) \+ 1"),
    (lambda: max_pool2d(np.zeros((1, 1, 2, 2)), 2, stride=1, padding=1, dilation=3), ValueError,
     r"pooling window 0 along the height reads positions \[-1, 2\], none of them inside the input height 2"),
    (lambda: max_pool2d(X, 2, ceil_mode=1), TypeError, "ceil_mode must be True or False, got 1"),
    (lambda: max_pool2d(X, 2, return_indices="yes"), TypeError, "return_indices must be True or False"),
    (lambda: max_pool2d(np.zeros((1, 0, 4, 4)), 2), ValueError, r"non-empty channel.*got shape \(1, 0, 4, 4\)"),
    (lambda: max_pool2d(np.zeros((0, 4, 4)), 2), ValueError, r"non-empty channel.*got shape \(0, 4, 4\)"),
    (lambda: avg_pool2d(X, 2, divisor_override=0), ValueError, "divisor_override must not be zero"),
    (lambda: avg_pool2d(X, 2, divisor_override=2.5), TypeError, "divisor_override must be None or an int, got 2.5"),
    (lambda: avg_pool2d(X, 2, count_include_pad=None), TypeError, "count_include_pad must be True or False"),
    (lambda: avg_pool2d(X, 6), ValueError, r"output would be empty.*= 0"),
    (lambda: avg_pool2d(X, 2, padding=2), ValueError, r"padding must be at most half"),
    (lambda: avg_pool2d(np.zeros(5), 2), ValueError, r"input must be 3-D or 4-D"),
])
def test_bad_forward_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


OUT, INDICES = max_pool2d(X, 2, return_indices=True)


@pytest.mark.parametrize("call, error, match", [
    (lambda: max_pool2d_backward(OUT, X.shape, INDICES.astype(np.float64)), TypeError,
     "indices must be an integer ndarray .*got float64"),
    (lambda: max_pool2d_backward(OUT, X.shape, INDICES.tolist()), TypeError,
     "indices must be an integer ndarray .*list"),
    (lambda: max_pool2d_backward(OUT, X.shape, INDICES[..., :1]), ValueError,
     r"indices must have grad_output's shape \(1, 2, 2, 2\), got \(1, 2, 2, 1\)"),
    (lambda: max_pool2d_backward(OUT, X.shape, INDICES + 25), ValueError,
     r"indices must lie in \[0, H·W\) = \[0, 25\) for input_shape \(1, 2, 5, 5\), got values from 25 to 37"),
    (lambda: max_pool2d_backward(OUT, X.shape, INDICES - 1), ValueError, r"got values from -1 to"),
    (lambda: max_pool2d_backward(OUT, (1, 3, 5, 5), INDICES), ValueError,
     r"grad_output \(1, 2, 2, 2\) does not match input_shape \(1, 3, 5, 5\)"),
    (lambda: max_pool2d_backward(OUT, (2, 5, 5), INDICES), ValueError, r"does not match input_shape"),
    (lambda: max_pool2d_backward(OUT, "1x2x5x5", INDICES), TypeError, "input_shape must be a tuple of ints"),
    (lambda: max_pool2d_backward(OUT, (5, 5), INDICES), ValueError, r"input_shape must be \(N, C, H, W\)"),
    (lambda: max_pool2d_backward(OUT.astype(int), X.shape, INDICES), TypeError, "grad_output must have dtype"),
    (lambda: avg_pool2d_backward(OUT, X.shape, 3), ValueError,
     r"grad_output must have the output's shape \(1, 2, 1, 1\) for input_shape \(1, 2, 5, 5\), got \(1, 2, 2, 2\)"),
    (lambda: avg_pool2d_backward(OUT, X.shape, 2, divisor_override=0), ValueError, "divisor_override must not be zero"),
    (lambda: avg_pool2d_backward(OUT, (1, 0, 5), 2), ValueError, r"input must have non-empty .*got shape \(1, 0, 5\)"),
])
def test_bad_backward_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------------------------------------
# The 2×2, stride-2 road (the cat/dog CNN's pooling) and the split over the cores.


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (2, 3, 9, 7), (3, 5, 6), (1, 1, 2, 2)])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_2x2_stride_2_pooling_with_ties_equals_torch(shape, ceil_mode, dtype):
    # Odd sizes: without ceil_mode the last row/column is left out (still the 2×2 road); with it
    # the last window hangs out of the input (the general road).
    rng = np.random.default_rng(11)
    check_max_pool(tied_values(rng, shape, dtype), kernel_size=2, stride=2, ceil_mode=ceil_mode)
    check_max_pool(rng.standard_normal(shape).astype(dtype), kernel_size=2, ceil_mode=ceil_mode)


def test_2x2_ties_pick_the_first_maximum_in_scan_order_for_every_pattern():
    # Every assignment of {0, 1} to a window's four taps a b / c d: the winner is the first 1
    # (or, for all zeros, the first 0) in the order a, b, c, d.
    patterns = np.array(list(itertools.product([0.0, 1.0], repeat=4)))  # (16, 4)
    x = np.zeros((1, 16, 2, 2))
    x[0, :, 0, 0], x[0, :, 0, 1], x[0, :, 1, 0], x[0, :, 1, 1] = patterns.T
    out, indices = max_pool2d(x, 2, 2, return_indices=True)
    expected = np.where(patterns.max(axis=1) == 1, np.argmax(patterns, axis=1), 0)
    np.testing.assert_array_equal(out.ravel(), patterns.max(axis=1))
    np.testing.assert_array_equal(indices.ravel(), expected)  # tap k of a 2×2 input is pixel k
    check_max_pool(x, kernel_size=2, stride=2)


def test_2x2_nan_and_inf_windows_equal_torch():
    rng = np.random.default_rng(12)
    x = tied_values(rng, (2, 2, 6, 6), np.float64)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan  # two NaNs in one window: the last one wins
    x[0, 1, 2, 2] = np.inf
    x[1, 0, 4:6, 4:6] = -np.inf
    x[1, 1, 0, 0] = np.nan
    check_max_pool(x, kernel_size=2, stride=2)


def test_large_inputs_split_over_the_cores_equal_torch():
    # Above PARALLEL_MIN_VALUES the 2×2 road runs on every core, a share of the images each.
    from convviz.nn.functional import pooling

    rng = np.random.default_rng(13)
    x = tied_values(rng, (16, 16, 72, 72), np.float32)
    assert x.size >= pooling.PARALLEL_MIN_VALUES
    check_max_pool(x, kernel_size=2, stride=2)
    check_max_pool(x, kernel_size=3, stride=2, padding=1)  # the general road on the same input
