"""relu, sigmoid, linear, flatten and the binary cross-entropy losses equal PyTorch.

Forward values and torch autograd's gradients, in float32 (rtol 1e-4) and float64 (rtol 1e-10),
including NaN, ±inf and the extreme values where a naive formula overflows. Pooling and batch
normalization have their own files (test_functional_pooling.py, test_functional_normalization.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convviz.nn.functional import (
    binary_cross_entropy,
    binary_cross_entropy_backward,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_backward,
    flatten,
    flatten_backward,
    linear,
    linear_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
)

DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["float32", "float64"]
TOLERANCE = {np.dtype(np.float32): dict(rtol=1e-4, atol=1e-6), np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12)}
# torch on one thread while this module runs (the fixture is in conftest.py).
pytestmark = pytest.mark.usefixtures("one_torch_thread")
t = torch.from_numpy

SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-30, -1e-30, 20.0, -20.0, 88.0, -88.0, 89.0, -89.0, 100.0, -100.0, 710.0,
           -710.0, 1e30, -1e30, np.inf, -np.inf, np.nan]


def assert_close(actual, expected, dtype=None):
    dtype = np.dtype(dtype or actual.dtype)
    assert np.asarray(actual).dtype == dtype
    np.testing.assert_allclose(actual, expected, equal_nan=True, **TOLERANCE[dtype])


def special_values(dtype, shape=(3, 7)):
    """Ordinary values plus every edge case, the float32 ones limited to float32's range."""
    values = np.array(SPECIAL, dtype=np.float64)
    if dtype == np.float32:
        values = values[np.abs(values) < 1e30]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(int(np.prod(shape))) * 4
    return np.concatenate([values, x]).astype(dtype)


# ----------------------------------------------------------------------------------------------
# relu and sigmoid.


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_relu_matches_torch_including_zero_nan_and_inf(dtype):
    x = special_values(dtype)
    gy = np.random.default_rng(1).standard_normal(x.shape).astype(dtype)
    gy[:3] = [np.nan, np.inf, -np.inf]  # at x = 0, -0, 1: a non-finite gradient is cut to 0 only at x <= 0
    xt = t(x).requires_grad_()
    ref = torch.relu(xt)
    ref.backward(t(gy))
    assert_close(relu(x), ref.detach().numpy())
    assert_close(relu_backward(gy, x), xt.grad.numpy())


def test_relu_gradient_at_zero_is_zero_and_nan_input_lets_the_gradient_through():
    x = np.array([-1.0, 0.0, 2.0, np.nan])
    np.testing.assert_array_equal(relu_backward(np.full(4, 5.0), x), [0.0, 0.0, 5.0, 5.0])
    np.testing.assert_array_equal(relu(x), [0.0, 0.0, 2.0, np.nan])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_sigmoid_matches_torch_without_overflow_warnings(dtype):
    x = special_values(dtype)
    gy = np.random.default_rng(2).standard_normal(x.shape).astype(dtype)
    xt = t(x).requires_grad_()
    ref = torch.sigmoid(xt)
    ref.backward(t(gy))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exp overflow would warn: there must be none
        y = sigmoid(x)
        grad = sigmoid_backward(gy, y)
    # torch's float32 sigmoid(-89) is a denormal its formula rounds differently: absolute 1e-30.
    np.testing.assert_allclose(y, ref.detach().numpy(), rtol=TOLERANCE[np.dtype(dtype)]["rtol"], atol=1e-30,
                               equal_nan=True)
    assert y.dtype == dtype and grad.dtype == dtype
    assert_close(grad, xt.grad.numpy())
    finite = ~np.isnan(x)
    assert np.all((y[finite] >= 0) & (y[finite] <= 1))
    assert sigmoid(np.array([np.inf, -np.inf], dtype)).tolist() == [1.0, 0.0]


@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4, 4)])
def test_activations_keep_shape(shape):
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    assert np.shape(relu(x)) == shape and np.shape(sigmoid(x)) == shape
    assert relu_backward(np.ones_like(x), x).shape == shape


@settings(max_examples=60)
@given(hnp.arrays(st.sampled_from(DTYPES), hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                  elements=st.floats(allow_nan=True, allow_infinity=True, width=32)))
def test_activations_match_torch_on_any_floats(x):
    gy = np.ones_like(x)
    xt = t(x).requires_grad_()
    torch.sigmoid(xt).backward(t(gy))
    y = sigmoid(x)
    np.testing.assert_allclose(y, torch.sigmoid(t(x)).numpy(), rtol=TOLERANCE[x.dtype]["rtol"], atol=1e-30,
                               equal_nan=True)
    assert_close(sigmoid_backward(gy, y), xt.grad.numpy())
    xt = t(x).requires_grad_()
    torch.relu(xt).backward(t(gy))
    assert_close(relu(x), torch.relu(t(x)).numpy())
    assert_close(relu_backward(gy, x), xt.grad.numpy())


# ----------------------------------------------------------------------------------------------
# linear and flatten.

LINEAR_SHAPES = [((5,), 3), ((4, 5), 3), ((2, 3, 5), 4), ((16, 64), 1), ((3, 1), 2),
                 ((2, 5), 7), ((2, 3, 5), 9), ((0, 5), 3)]  # fewer input vectors than outputs; none


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("has_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("input_shape, out_features", LINEAR_SHAPES)
def test_linear_matches_torch(input_shape, out_features, has_bias, dtype):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(input_shape).astype(dtype)
    w = rng.standard_normal((out_features, input_shape[-1])).astype(dtype)
    b = rng.standard_normal(out_features).astype(dtype) if has_bias else None
    xt, wt = t(x).requires_grad_(), t(w).requires_grad_()
    bt = t(b).requires_grad_() if has_bias else None
    ref = F.linear(xt, wt, bt)
    gy = rng.standard_normal(ref.shape).astype(dtype)
    ref.backward(t(gy))
    assert_close(linear(x, w, b), ref.detach().numpy())
    grad_input, grad_weight, grad_bias = linear_backward(gy, x, w, has_bias=has_bias)
    assert_close(grad_input, xt.grad.numpy())
    assert_close(grad_weight, wt.grad.numpy())
    if has_bias:
        assert_close(grad_bias, bt.grad.numpy())
    else:
        assert grad_bias is None


def test_linear_of_the_catdog_network_shape():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((16, 3136)).astype(np.float32)
    w = (rng.standard_normal((2048, 3136)) * 0.02).astype(np.float32)
    b = rng.standard_normal(2048).astype(np.float32)
    xt, wt, bt = (t(a).requires_grad_() for a in (x, w, b))
    ref = F.linear(xt, wt, bt)
    gy = rng.standard_normal(ref.shape).astype(np.float32)
    ref.backward(t(gy))
    np.testing.assert_allclose(linear(x, w, b), ref.detach().numpy(), rtol=1e-4, atol=1e-4)
    for grad, expected in zip(linear_backward(gy, x, w), (xt.grad, wt.grad, bt.grad)):
        np.testing.assert_allclose(grad, expected.numpy(), rtol=1e-4, atol=1e-4)


def test_linear_propagates_nan_and_inf_as_torch():
    x = np.array([[1.0, np.nan], [np.inf, 2.0], [1.0, 2.0]])
    w = np.array([[1.0, 0.0], [0.5, -1.0]])
    b = np.array([np.inf, 0.0])
    assert_close(linear(x, w, b), F.linear(t(x), t(w), t(b)).numpy())


FLATTEN_CASES = [((2, 3, 4, 5), 1, -1), ((2, 3, 4, 5), 0, -1), ((2, 3, 4, 5), 1, 2), ((2, 3, 4, 5), -3, -2),
                 ((2, 3, 4, 5), 2, 2), ((2, 3), 0, 1), ((7,), 0, -1), ((2, 0, 3), 1, 2), ((), 0, -1), ((), -1, 0)]


@pytest.mark.parametrize("shape, start_dim, end_dim", FLATTEN_CASES)
def test_flatten_matches_torch(shape, start_dim, end_dim):
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    ref = torch.flatten(t(x), start_dim, end_dim).numpy()
    y = flatten(x, start_dim, end_dim)
    assert y.shape == ref.shape
    np.testing.assert_array_equal(y, ref)
    assert np.shares_memory(y, x) or x.size == 0  # a view, as torch's
    np.testing.assert_array_equal(flatten_backward(y, x.shape), x)


def test_flatten_keeps_values_in_order_of_a_non_contiguous_input():
    x = np.arange(24.0).reshape(2, 3, 4).transpose(0, 2, 1)
    np.testing.assert_array_equal(flatten(x), torch.flatten(t(x.copy()), 1).numpy())


# ----------------------------------------------------------------------------------------------
# binary_cross_entropy.

REDUCTIONS = ["mean", "sum", "none"]


def bce_case(rng, shape, dtype, weight_shape):
    p = rng.uniform(0.001, 0.999, shape).astype(dtype)
    target = rng.integers(0, 2, shape).astype(dtype)
    target[..., :1] = 0.3  # soft labels too
    weight = None if weight_shape is None else rng.uniform(0.1, 2.0, weight_shape).astype(dtype)
    return p, target, weight


def grad_for(reduction, shape, dtype, rng):
    return np.asarray(rng.uniform(0.5, 2.0), dtype=dtype) if reduction != "none" else \
        rng.standard_normal(shape).astype(dtype)


BCE_WEIGHTS = [None, (4, 3), (3,), (1, 3), ()]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", BCE_WEIGHTS, ids=lambda s: "noweight" if s is None else f"weight{s}")
def test_binary_cross_entropy_matches_torch(weight_shape, reduction, dtype):
    rng = np.random.default_rng(6)
    p, target, weight = bce_case(rng, (4, 3), dtype, weight_shape)
    pt = t(p).requires_grad_()
    ref = F.binary_cross_entropy(pt, t(target), None if weight is None else t(weight), reduction=reduction)
    g = grad_for(reduction, p.shape, dtype, rng)
    ref.backward(t(g))
    loss = binary_cross_entropy(p, target, weight, reduction)
    assert isinstance(loss, np.ndarray) and loss.shape == tuple(ref.shape)
    assert_close(loss, ref.detach().numpy())
    assert_close(binary_cross_entropy_backward(p, target, weight, reduction, grad_output=g), pt.grad.numpy())
    if reduction != "none":  # a plain number as grad_output works too
        assert_close(binary_cross_entropy_backward(p, target, weight, reduction, grad_output=float(g)),
                     pt.grad.numpy())


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_binary_cross_entropy_clamps_its_logs_at_minus_100(dtype):
    """p = 0 or 1 against the opposite label costs 100 (not inf); the gradient is large but finite."""
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-45, 1 - 1e-7, 0.5], dtype=dtype)
    target = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.5], dtype=dtype)
    for reduction in REDUCTIONS:
        pt = t(p).requires_grad_()
        ref = F.binary_cross_entropy(pt, t(target), reduction=reduction)
        ref.backward(torch.ones_like(ref))
        loss = binary_cross_entropy(p, target, reduction=reduction)
        assert_close(loss, ref.detach().numpy())
        grad = binary_cross_entropy_backward(p, target, reduction=reduction,
                                             grad_output=1.0 if reduction != "none" else np.ones_like(p))
        assert_close(grad, pt.grad.numpy())
    assert binary_cross_entropy(p[:2], target[:2], reduction="none").tolist() == [100.0, 100.0]
    assert np.isfinite(binary_cross_entropy_backward(p, target)).all()


def test_binary_cross_entropy_lets_nan_through_where_torch_refuses_it():
    """A NaN prediction (a diverged network) gives a NaN loss and gradient rather than an error,
    which the app can show. torch 2.13 raises "all elements of input should be between 0 and 1"."""
    p = np.array([0.2, np.nan, 0.7])
    target = np.array([0.0, 1.0, np.nan])
    loss = binary_cross_entropy(p, target, reduction="none")
    np.testing.assert_allclose(loss[0], -np.log(0.8))
    assert np.isnan(loss[1:]).all() and np.isnan(binary_cross_entropy(p, target))
    grad = binary_cross_entropy_backward(p, target, reduction="none", grad_output=np.ones(3))
    assert np.isfinite(grad[0]) and np.isnan(grad[1:]).all()


def test_binary_cross_entropy_of_nothing_is_nan_as_in_torch():
    empty = np.zeros((0,), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy(empty, empty)
    assert loss.shape == () and np.isnan(loss) and loss.dtype == np.float32
    assert np.isnan(F.binary_cross_entropy(t(empty), t(empty)).item())
    assert binary_cross_entropy(empty, empty, reduction="sum") == 0.0


# ----------------------------------------------------------------------------------------------
# binary_cross_entropy_with_logits.

LOGIT_OPTIONS = [(None, None), ((4, 3), None), (None, (3,)), ((3,), (3,)), ((1, 3), (4, 3)), (None, ())]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape, pos_weight_shape", LOGIT_OPTIONS,
                         ids=lambda s: "none" if s is None else f"{s}".replace(" ", ""))
def test_binary_cross_entropy_with_logits_matches_torch(weight_shape, pos_weight_shape, reduction, dtype):
    rng = np.random.default_rng(7)
    z = (rng.standard_normal((4, 3)) * 5).astype(dtype)
    z[0] = [60.0, -60.0, 0.0]  # beyond where 1 - sigmoid(z) rounds to 0 in float32
    target = rng.uniform(0, 1, (4, 3)).astype(dtype)
    target[1] = [0.0, 1.0, 1.0]
    weight = None if weight_shape is None else rng.uniform(0.1, 2.0, weight_shape).astype(dtype)
    pos_weight = None if pos_weight_shape is None else rng.uniform(0.5, 3.0, pos_weight_shape).astype(dtype)
    zt = t(z).requires_grad_()
    ref = F.binary_cross_entropy_with_logits(zt, t(target), None if weight is None else t(weight),
                                             reduction=reduction,
                                             pos_weight=None if pos_weight is None else t(pos_weight))
    g = grad_for(reduction, z.shape, dtype, rng)
    ref.backward(t(g))
    loss = binary_cross_entropy_with_logits(z, target, weight, reduction, pos_weight)
    assert isinstance(loss, np.ndarray) and loss.shape == tuple(ref.shape)
    assert_close(loss, ref.detach().numpy())
    grad = binary_cross_entropy_with_logits_backward(z, target, weight, reduction, pos_weight, grad_output=g)
    assert_close(grad, zt.grad.numpy())


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_logits_extremes_nan_and_inf_as_torch(dtype):
    z = special_values(dtype, shape=(0,))
    target = np.resize(np.array([0.0, 1.0, 0.25], dtype=dtype), z.shape)
    zt = t(z).requires_grad_()
    ref = F.binary_cross_entropy_with_logits(zt, t(target), reduction="none")
    ref.backward(torch.ones_like(ref))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy_with_logits(z, target, reduction="none")
        grad = binary_cross_entropy_with_logits_backward(z, target, reduction="none", grad_output=np.ones_like(z))
    assert_close(loss, ref.detach().numpy())
    assert_close(grad, zt.grad.numpy())
    # Large finite logits stay finite (a naive log(sigmoid(z)) gives -inf at z = -100 in float32).
    big = np.array([-100.0, 100.0], dtype=dtype)
    assert np.allclose(binary_cross_entropy_with_logits(big, np.array([1.0, 0.0], dtype=dtype), reduction="none"),
                       [100.0, 100.0])


@settings(max_examples=60)
@given(data=st.data())
def test_losses_match_torch_on_random_inputs(data):
    dtype = data.draw(st.sampled_from(DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    z = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-50, 50, width=32)))
    target = data.draw(hnp.arrays(dtype, shape, elements=st.floats(0, 1, width=32)))
    reduction = data.draw(st.sampled_from(REDUCTIONS))
    pos_weight = data.draw(st.none() | hnp.arrays(dtype, shape[-1:], elements=st.floats(0.125, 5, width=32)))
    g = grad_for(reduction, shape, dtype, np.random.default_rng(data.draw(st.integers(0, 1000))))

    zt = t(z).requires_grad_()
    ref = F.binary_cross_entropy_with_logits(zt, t(target), reduction=reduction,
                                             pos_weight=None if pos_weight is None else t(pos_weight))
    ref.backward(t(g))
    tol = dict(rtol=TOLERANCE[np.dtype(dtype)]["rtol"], atol=1e-5 if dtype == np.float32 else 1e-12)
    np.testing.assert_allclose(binary_cross_entropy_with_logits(z, target, reduction=reduction, pos_weight=pos_weight),
                               ref.detach().numpy(), **tol)
    np.testing.assert_allclose(binary_cross_entropy_with_logits_backward(z, target, reduction=reduction,
                                                                         pos_weight=pos_weight, grad_output=g),
                               zt.grad.numpy(), **tol)

    p = torch.sigmoid(t(z)).numpy()  # probabilities, 0 and 1 included where float32 rounds
    pt = t(p).requires_grad_()
    ref = F.binary_cross_entropy(pt, t(target), reduction=reduction)
    ref.backward(t(g))
    np.testing.assert_allclose(binary_cross_entropy(p, target, reduction=reduction), ref.detach().numpy(), **tol)
    np.testing.assert_allclose(binary_cross_entropy_backward(p, target, reduction=reduction, grad_output=g),
                               pt.grad.numpy(), **tol)


# ----------------------------------------------------------------------------------------------
# Bad input.

V = np.full((2, 3), 0.5, dtype=np.float32)
W = np.ones((4, 3), dtype=np.float32)


@pytest.mark.parametrize("call, error, match", [
    (lambda: relu([1.0, 2.0]), TypeError, "input must be a numpy ndarray of float32 or float64, got list"),
    (lambda: relu(np.arange(3)), TypeError, "input must have dtype float32 or float64, got int64"),
    (lambda: sigmoid(np.ones(2, bool)), TypeError, "input must have dtype float32 or float64, got bool"),
    (lambda: relu_backward(V, V[:1]), ValueError, r"grad_output must have the shape of input \(1, 3\), got \(2, 3\)"),
    (lambda: relu_backward(V.astype(np.float64), V), TypeError,
     "arrays must share one dtype, but grad_output is float64, input is float32"),
    (lambda: sigmoid_backward(V, V.T), ValueError, r"grad_output must have the shape of output \(3, 2\)"),
    (lambda: sigmoid_backward(1.0, V), TypeError, "grad_output must be a numpy ndarray"),
    (lambda: linear(V, W[:, :2]), ValueError,
     r"input's last axis must hold weight's in_features: input \(2, 3\) has 3 features but weight \(4, 2\) expects 2"),
    (lambda: linear(V, W[0]), ValueError, r"weight must be 2-D \(out_features, in_features\), got shape \(3,\)"),
    (lambda: linear(np.array(1.0, np.float32), W), ValueError, r"input must have at least 1 axis .*got shape \(\)"),
    (lambda: linear(V, W, np.ones(3, np.float32)), ValueError, r"bias must have shape \(4,\), one value per output"),
    (lambda: linear(V, W, [0.0] * 4), TypeError, "bias must be a numpy ndarray"),
    (lambda: linear(V, W.astype(np.float64)), TypeError,
     "arrays must share one dtype, but input is float32, weight is float64"),
    (lambda: linear(V, W.astype(np.int8)), TypeError, "weight must have dtype float32 or float64, got int8"),
    (lambda: linear_backward(np.ones((2, 3), np.float32), V, W), ValueError,
     r"grad_output must have the output's shape \(2, 4\) for input \(2, 3\) and weight \(4, 3\), got \(2, 3\)"),
    (lambda: flatten([1, 2]), TypeError, "input must be a numpy ndarray, got list"),
    (lambda: flatten(W, 2), ValueError, r"start_dim must be an axis of the input, in \[-2, 1\] for 2 axes, got 2"),
    (lambda: flatten(W, 0, -3), ValueError, r"end_dim must be an axis of the input, in \[-2, 1\] for 2 axes, got -3"),
    (lambda: flatten(W, 1, 0), ValueError,
     r"start_dim must not come after end_dim, got start_dim=1 \(axis 1\) and end_dim=0 \(axis 0\)"),
    (lambda: flatten(W, 1.0), TypeError, "start_dim must be an int, got 1.0"),
    (lambda: flatten(np.zeros(2), 1), ValueError, r"start_dim must be an axis of the input, in \[-1, 0\]"),
    (lambda: flatten_backward(V, (4, 2)), ValueError,
     r"grad_output \(2, 3\) has 6 values but input_shape \(4, 2\) holds 8"),
])
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


LOSSES = {
    "bce": (binary_cross_entropy, binary_cross_entropy_backward),
    "logits": (binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_backward),
}


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(target=V[:1]), ValueError,
     r"target must have the input's shape: input has shape \(2, 3\), target has shape \(1, 3\)"),
    (dict(target=V.ravel()), ValueError, r"input has shape \(2, 3\), target has shape \(6,\)"),
    (dict(target=V.astype(np.float64)), TypeError,
     "arrays must share one dtype, but input is float32, target is float64"),
    (dict(target=V.tolist()), TypeError, "target must be a numpy ndarray"),
    (dict(input=V > 0), TypeError, "input must have dtype float32 or float64, got bool"),
    (dict(reduction="avg"), ValueError, "reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    (dict(reduction=None), ValueError, "reduction must be one of 'mean', 'sum', 'none', got None"),
    (dict(weight=np.ones(2, np.float32)), ValueError,
     r"weight must broadcast to the input's shape \(2, 3\), got shape \(2,\)"),
    (dict(weight=np.ones((2, 2, 3), np.float32)), ValueError,
     r"weight must broadcast to the input's shape \(2, 3\), got shape \(2, 2, 3\)"),
    (dict(weight=[1.0, 2.0, 3.0]), TypeError, "weight must be a numpy ndarray"),
])
def test_bad_loss_arguments_are_named(name, kwargs, error, match):
    arguments = {"input": V, "target": V, **kwargs}
    forward, backward = LOSSES[name]
    with pytest.raises(error, match=match):
        forward(**arguments)
    with pytest.raises(error, match=match):
        backward(**arguments)


@pytest.mark.parametrize("call, error, match", [
    (lambda: binary_cross_entropy(V + 1, V), ValueError,
     r"every element of input must be between 0 and 1, but 6 are not, e.g. input\[0, 0\] = 1.5 "
     r"\(binary_cross_entropy takes probabilities: apply sigmoid first, or give the raw scores to "
     r"binary_cross_entropy_with_logits\)"),
    (lambda: binary_cross_entropy(np.array([0.5, -0.25]), np.array([1.0, 0.0])), ValueError,
     r"but 1 are not, e.g. input\[1\] = -0.25"),
    (lambda: binary_cross_entropy_backward(V + 1, V), ValueError, "every element of input must be between 0 and 1"),
    (lambda: binary_cross_entropy(V, V * 3), ValueError, r"every element of target must be between 0 and 1, .*= 1.5$"),
    (lambda: binary_cross_entropy_backward(V, V, reduction="none", grad_output=np.ones((3, 2), np.float32)),
     ValueError,
     r"grad_output for reduction='none' must be a number or shape \(2, 3\) \(the loss's shape\), got shape \(3, 2\)"),
    (lambda: binary_cross_entropy_backward(V, V, grad_output=np.ones((2, 3), np.float32)), ValueError,
     r"grad_output for reduction='mean' must be a number or a 0-d array .*got shape \(2, 3\)"),
    (lambda: binary_cross_entropy_with_logits_backward(V, V, reduction="sum", grad_output=np.ones(1, np.float32)),
     ValueError, r"grad_output for reduction='sum' must be a number or a 0-d array"),
    (lambda: binary_cross_entropy_backward(V, V, grad_output="1"), TypeError, "grad_output must be a numpy ndarray"),
    (lambda: binary_cross_entropy_backward(V, V, grad_output=np.array(1.0)), TypeError,
     "arrays must share one dtype, but input is float32, grad_output is float64"),
    (lambda: binary_cross_entropy_with_logits(V, V, pos_weight=np.ones(2, np.float32)), ValueError,
     r"pos_weight must broadcast to the input's shape \(2, 3\), got shape \(2,\)"),
    (lambda: binary_cross_entropy_with_logits_backward(V, V, pos_weight=np.ones(3)), TypeError,
     "arrays must share one dtype, but input is float32, target is float32, pos_weight is float64"),
])
def test_bad_probabilities_and_gradients_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_relu_inplace_writes_into_its_input():
    x = np.array([-1.0, 0.0, 2.0, np.nan])
    assert relu(x, inplace=True) is x
    np.testing.assert_array_equal(x, [0.0, 0.0, 2.0, np.nan])
    with pytest.raises(TypeError, match="inplace must be True or False"):
        relu(x, inplace=1)


def test_relu_of_large_arrays_split_over_the_cores_equals_torch():
    from convviz.nn.functional import activation

    shape = (16, 16, 72, 72)
    assert int(np.prod(shape)) >= activation.PARALLEL_MIN_VALUES
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    x.reshape(-1)[:6] = [0.0, -0.0, np.nan, np.inf, -np.inf, 1.0]
    x.reshape(-1)[-3:] = [0.0, np.nan, -2.0]
    gy = rng.standard_normal(shape).astype(np.float32)
    gy.reshape(-1)[:6] = [np.inf, np.nan, 3.0, np.nan, np.inf, -np.inf]
    xt = t(x).requires_grad_()
    ref = torch.relu(xt)
    ref.backward(t(gy))
    np.testing.assert_array_equal(relu(x), ref.detach().numpy())
    np.testing.assert_array_equal(relu_backward(gy, x), xt.grad.numpy())
    np.testing.assert_array_equal(relu(x[:, :, ::2]), torch.relu(t(x[:, :, ::2])).numpy())  # not contiguous
