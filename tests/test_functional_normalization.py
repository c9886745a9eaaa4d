"""batch_norm and batch_norm_backward equal PyTorch, in float32 and float64.

The reference is torch.nn.functional.batch_norm differentiated by autograd, with its running
statistics updated in place exactly as ours must be.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.nn.functional import batch_norm, batch_norm_backward

DTYPES = [np.float32, np.float64]
TOLERANCE = {np.dtype(np.float32): dict(rtol=1e-4, atol=2e-5), np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12)}
# torch on one thread while this module runs (the fixture is in conftest.py).
pytestmark = pytest.mark.usefixtures("one_torch_thread")
t = torch.from_numpy


def make_case(rng, shape, dtype, affine=True, loc=3.0, scale=2.0):
    channels = shape[1]
    x = (rng.standard_normal(shape) * scale + loc).astype(dtype)
    weight = rng.normal(1.0, 0.3, channels).astype(dtype) if affine else None
    bias = rng.standard_normal(channels).astype(dtype) if affine else None
    running_mean = rng.standard_normal(channels).astype(dtype)
    running_var = (rng.random(channels) + 0.5).astype(dtype)
    return x, weight, bias, running_mean, running_var


def torch_batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps, gy):
    """torch's output, gradients and updated running statistics (on copies)."""
    xt = t(x).requires_grad_()
    wt = None if weight is None else t(weight.copy()).requires_grad_()
    bt = None if bias is None else t(bias.copy()).requires_grad_()
    rm = None if running_mean is None else t(running_mean.copy())
    rv = None if running_var is None else t(running_var.copy())
    out = F.batch_norm(xt, rm, rv, wt, bt, training, momentum, eps)
    out.backward(t(gy))
    grads = (xt.grad.numpy(), None if wt is None else wt.grad.numpy(), None if bt is None else bt.grad.numpy())
    stats = (None if rm is None else rm.numpy(), None if rv is None else rv.numpy())
    return out.detach().numpy(), grads, stats


def check_batch_norm(x, weight, bias, running_mean, running_var, training, momentum=0.1, eps=1e-5, seed=0):
    tol = TOLERANCE[x.dtype]
    gy = np.random.default_rng(seed).standard_normal(x.shape).astype(x.dtype)
    ref_out, ref_grads, ref_stats = torch_batch_norm(x, weight, bias, running_mean, running_var, training,
                                                     momentum, eps, gy)
    stats_before = None if running_mean is None else (running_mean.copy(), running_var.copy())
    out = batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)
    assert out.dtype == x.dtype and out.shape == x.shape
    np.testing.assert_allclose(out, ref_out, **tol)
    if running_mean is not None:
        np.testing.assert_allclose(running_mean, ref_stats[0], **tol)
        np.testing.assert_allclose(running_var, ref_stats[1], **tol)
    # The backward of an evaluation-mode call uses the statistics the forward used.
    used_mean, used_var = stats_before if stats_before is not None else (None, None)
    grad_input, grad_weight, grad_bias = batch_norm_backward(gy, x, weight, used_mean, used_var, training, eps)
    assert grad_input.dtype == x.dtype and grad_input.shape == x.shape
    np.testing.assert_allclose(grad_input, ref_grads[0], **tol)
    if weight is None:
        assert grad_weight is None and grad_bias is None
    else:
        assert grad_weight.dtype == grad_bias.dtype == x.dtype
        np.testing.assert_allclose(grad_weight, ref_grads[1], **tol)
        np.testing.assert_allclose(grad_bias, ref_grads[2], **tol)


SHAPES = [(4, 3), (2, 3, 5, 4), (3, 2, 7), (1, 2, 3, 3), (16, 4, 6, 6)]
CASES = [(shape, training, affine, stats)
         for shape, training, affine, stats in itertools.product(SHAPES, [True, False], [True, False], [True, False])
         if stats or training]  # evaluation needs running statistics


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("shape, training, affine, stats", CASES,
                         ids=[f"{'x'.join(map(str, s))}-{'train' if tr else 'eval'}-{'affine' if a else 'plain'}"
                              f"-{'stats' if st_ else 'nostats'}" for s, tr, a, st_ in CASES])
def test_batch_norm_matches_torch(shape, training, affine, stats, dtype):
    x, weight, bias, running_mean, running_var = make_case(np.random.default_rng(0), shape, dtype, affine)
    if not stats:
        running_mean = running_var = None
    check_batch_norm(x, weight, bias, running_mean, running_var, training)


@pytest.mark.parametrize("momentum, eps, modes", [(0.0, 1e-5, (True, False)), (1.0, 1e-5, (True, False)),
                                                  (0.3, 1e-3, (True, False)), (0.1, 0.0, (False,))])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_momentum_and_eps(momentum, eps, modes, dtype):
    for training in modes:  # torch allows eps = 0 in evaluation only
        x, weight, bias, running_mean, running_var = make_case(np.random.default_rng(1), (3, 4, 5, 5), dtype)
        check_batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps)


def test_weight_without_bias_and_bias_without_weight():
    x, weight, bias, running_mean, running_var = make_case(np.random.default_rng(2), (4, 3, 2, 2), np.float64)
    for training in (True, False):
        gy = np.ones_like(x)
        for w, b in [(weight, None), (None, bias)]:
            ref_out, _, _ = torch_batch_norm(x, w, b, running_mean, running_var, training, 0.1, 1e-5, gy)
            out = batch_norm(x, running_mean.copy(), running_var.copy(), w, b, training)
            np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_running_statistics_after_several_training_steps(dtype):
    """Five training batches (of shifting statistics) then evaluation: equal to torch throughout."""
    rng = np.random.default_rng(3)
    channels = 5
    running_mean, running_var = np.zeros(channels, dtype), np.ones(channels, dtype)
    torch_mean, torch_var = t(running_mean.copy()), t(running_var.copy())
    weight, bias = rng.normal(1.0, 0.02, channels).astype(dtype), np.zeros(channels, dtype)
    mean_object = running_mean
    for step in range(5):
        x = (rng.standard_normal((8, channels, 6, 6)) * (step + 1) + 10 * step).astype(dtype)
        out = batch_norm(x, running_mean, running_var, weight, bias, training=True, momentum=0.1)
        ref = F.batch_norm(t(x), torch_mean, torch_var, t(weight), t(bias), training=True, momentum=0.1)
        np.testing.assert_allclose(out, ref.numpy(), **TOLERANCE[np.dtype(dtype)])
        np.testing.assert_allclose(running_mean, torch_mean.numpy(), **TOLERANCE[np.dtype(dtype)])
        np.testing.assert_allclose(running_var, torch_var.numpy(), **TOLERANCE[np.dtype(dtype)])
    assert running_mean is mean_object  # updated in place, not replaced
    assert running_mean.dtype == dtype and running_var.dtype == dtype
    assert running_mean[0] > 5  # the statistics really moved (mean 0, 10, ..., 40)
    x = rng.standard_normal((2, channels, 3, 3)).astype(dtype)
    out = batch_norm(x, running_mean, running_var, weight, bias, training=False)
    ref = F.batch_norm(t(x), torch_mean, torch_var, t(weight), t(bias), training=False)
    np.testing.assert_allclose(out, ref.numpy(), **TOLERANCE[np.dtype(dtype)])


def test_evaluation_does_not_touch_the_running_statistics():
    x, weight, bias, running_mean, running_var = make_case(np.random.default_rng(4), (2, 3, 4, 4), np.float32)
    before = running_mean.copy(), running_var.copy()
    batch_norm(x, running_mean, running_var, weight, bias, training=False)
    np.testing.assert_array_equal(running_mean, before[0])
    np.testing.assert_array_equal(running_var, before[1])


def test_float32_statistics_survive_a_large_mean():
    """Mean 1000, spread 1: the one-pass E[x²] - E[x]² would be off by per cents in float32.

    float32 resolves values near 1000 to 6e-5 only, so x - mean carries an error of about 3e-5
    whoever computes it (torch's own float32 output is 5e-5 from its float64 one): hence an atol
    of 1e-4 against the float64 reference. The gradients, whose sums gather that rounding, are
    compared with torch's float32 ones.
    """
    rng = np.random.default_rng(5)
    x, weight, bias, _, _ = make_case(rng, (8, 3, 10, 10), np.float32, loc=1000.0, scale=1.0)
    gy = rng.standard_normal(x.shape).astype(np.float32)
    exact_out, _, _ = torch_batch_norm(x.astype(np.float64), weight.astype(np.float64), bias.astype(np.float64),
                                       None, None, True, 0.1, 1e-5, gy.astype(np.float64))
    _, ref_grads, _ = torch_batch_norm(x, weight, bias, None, None, True, 0.1, 1e-5, gy)
    np.testing.assert_allclose(batch_norm(x, None, None, weight, bias, training=True), exact_out, rtol=1e-4, atol=1e-4)
    for grad, ref in zip(batch_norm_backward(gy, x, weight, None, None, True), ref_grads):
        np.testing.assert_allclose(grad, ref, rtol=1e-4, atol=1e-4)


def test_nan_and_inf_propagate_as_in_torch():
    x, weight, bias, running_mean, running_var = make_case(np.random.default_rng(6), (4, 3, 3, 3), np.float64)
    x[0, 0, 0, 0] = np.nan
    x[1, 1, 1, 1] = np.inf
    for training in (True, False):
        gy = np.random.default_rng(7).standard_normal(x.shape)
        ref_out, ref_grads, ref_stats = torch_batch_norm(x, weight, bias, running_mean, running_var, training,
                                                         0.1, 1e-5, gy)
        rm, rv = running_mean.copy(), running_var.copy()
        out = batch_norm(x, rm, rv, weight, bias, training)
        np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12, equal_nan=True)
        np.testing.assert_allclose(rm, ref_stats[0], rtol=1e-10, equal_nan=True)
        grads = batch_norm_backward(gy, x, weight, running_mean, running_var, training)
        for grad, ref in zip(grads, ref_grads):
            np.testing.assert_allclose(grad, ref, rtol=1e-10, atol=1e-12, equal_nan=True)
        if training:  # channel 2 holds no NaN or inf and stays finite
            assert np.isfinite(out[:, 2]).all() and np.isnan(out[:, 0]).all()


@settings(max_examples=30)
@given(batch=st.integers(1, 5), channels=st.integers(1, 4), spatial=st.sampled_from([(), (1,), (3,), (2, 3)]),
       training=st.booleans(), affine=st.booleans(), dtype=st.sampled_from(DTYPES),
       momentum=st.floats(0, 1), eps=st.sampled_from([1e-5, 1e-3, 0.1]), seed=st.integers(0, 2**32 - 1))
def test_batch_norm_matches_torch_on_random_shapes(batch, channels, spatial, training, affine, dtype, momentum,
                                                    eps, seed):
    shape = (batch, channels) + spatial
    if training and batch * int(np.prod(spatial)) == 1:
        return  # one value per channel: refused (tested below)
    x, weight, bias, running_mean, running_var = make_case(np.random.default_rng(seed), shape, dtype, affine)
    check_batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps, seed=seed % 97)


# ----------------------------------------------------------------------------------------------
# Bad input.

X = np.zeros((2, 3, 4, 4), dtype=np.float32)
C3 = np.zeros(3, dtype=np.float32)
ONES3 = np.ones(3, dtype=np.float32)


@pytest.mark.parametrize("call, error, match", [
    (lambda: batch_norm(X.tolist(), C3, ONES3), TypeError, "input must be a numpy ndarray"),
    (lambda: batch_norm(X.astype(np.int32), C3, ONES3), TypeError,
     "input must have dtype float32 or float64, got int32"),
    (lambda: batch_norm(np.zeros(3, np.float32), C3, ONES3), ValueError, r"input must be \(N, C\).*got shape \(3,\)"),
    (lambda: batch_norm(X, np.zeros(4, np.float32), ONES3), ValueError,
     r"running_mean must have shape \(3,\), one value per channel of the input \(2, 3, 4, 4\), got \(4,\)"),
    (lambda: batch_norm(X, C3, ONES3, weight=np.ones((3, 1), np.float32)), ValueError,
     r"weight must have shape \(3,\)"),
    (lambda: batch_norm(X, C3, ONES3, bias=np.ones(2, np.float32)), ValueError, r"bias must have shape \(3,\)"),
    (lambda: batch_norm(X, C3, ONES3, weight=[1.0, 1.0, 1.0]), TypeError, "weight must be a numpy ndarray"),
    (lambda: batch_norm(X, C3.astype(np.float64), ONES3), TypeError,
     "arrays must share one dtype, but input is float32, running_mean is float64"),
    (lambda: batch_norm(X, C3, None, training=True), ValueError,
     "running_mean and running_var must either both be None or both be arrays"),
    (lambda: batch_norm(X, None, None, training=False), ValueError,
     r"running_mean and running_var are required in evaluation mode \(training=False\)"),
    (lambda: batch_norm(np.zeros((1, 3), np.float32), None, None, training=True), ValueError,
     r"more than 1 value per channel .*got input of shape \(1, 3\)"),
    (lambda: batch_norm(np.zeros((1, 3, 1, 1), np.float32), C3, ONES3, training=True), ValueError,
     r"more than 1 value per channel .*\(1, 3, 1, 1\)"),
    (lambda: batch_norm(X, C3, ONES3, training=1), TypeError, "training must be True or False, got 1"),
    (lambda: batch_norm(X, C3, ONES3, momentum=None), TypeError, "momentum must be a real number, got None"),
    (lambda: batch_norm(X, C3, ONES3, momentum=1.5), ValueError, "momentum must be between 0 and 1 .*got 1.5"),
    (lambda: batch_norm(X, C3, ONES3, eps=-1e-5), ValueError, "eps must be non-negative .*got -1e-05"),
    (lambda: batch_norm(X, C3, ONES3, training=True, eps=0), ValueError, "eps must be positive in training .*got 0.0"),
    (lambda: batch_norm_backward(X, X, None, None, None, True, eps=0.0), ValueError,
     "eps must be positive in training"),
    (lambda: batch_norm(X, C3, ONES3, eps="1e-5"), TypeError, "eps must be a real number"),
    (lambda: batch_norm_backward(X[:1], X, None, None, None, True), ValueError,
     r"grad_output must have the input's shape \(2, 3, 4, 4\), got \(1, 3, 4, 4\)"),
    (lambda: batch_norm_backward(X.astype(np.float64), X, None, None, None, True), TypeError,
     "arrays must share one dtype, but input is float32, grad_output is float64"),
    (lambda: batch_norm_backward(X, X, None, None, None, False), ValueError, "required in evaluation mode"),
    (lambda: batch_norm_backward(X, X, np.ones(2, np.float32), None, None, True), ValueError,
     r"weight must have shape \(3,\)"),
    (lambda: batch_norm_backward(X, X, None, None, None, "train"), TypeError, "training must be True or False"),
    (lambda: batch_norm_backward(X[:1, :, :1, :1], X[:1, :, :1, :1], None, None, None, True), ValueError,
     "more than 1 value per channel"),
])
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_an_empty_batch_changes_nothing_as_in_torch():
    running_mean, running_var = np.full(3, 7.0, np.float32), np.full(3, 2.0, np.float32)
    weight = np.ones(3, np.float32)
    empty = np.zeros((0, 3, 4, 4), np.float32)
    for training in (True, False):
        assert batch_norm(empty, running_mean, running_var, weight, training=training).shape == empty.shape
        grad_input, grad_weight, grad_bias = batch_norm_backward(empty, empty, weight, running_mean, running_var,
                                                                 training)
        assert grad_input.shape == empty.shape
        assert grad_weight.tolist() == grad_bias.tolist() == [0.0, 0.0, 0.0]
    assert (running_mean == 7.0).all() and (running_var == 2.0).all()


def test_a_refused_call_leaves_the_running_statistics_alone():
    running_mean, running_var = np.full(3, 7.0, np.float32), np.full(3, 2.0, np.float32)
    with pytest.raises(ValueError):
        batch_norm(np.zeros((1, 3), np.float32), running_mean, running_var, training=True)
    assert (running_mean == 7.0).all() and (running_var == 2.0).all()


# ----------------------------------------------------------------------------------------------
# The statistics handed from the forward to the backward, and the split over the cores.


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("affine", [True, False])
def test_saved_statistics_give_the_same_gradients_as_recomputing_them(affine, dtype):
    x, weight, bias, running_mean, running_var = make_case(np.random.default_rng(8), (5, 3, 4, 6), dtype, affine)
    gy = np.random.default_rng(9).standard_normal(x.shape).astype(dtype)
    y, save_mean, save_invstd = batch_norm(x, running_mean, running_var, weight, bias, training=True,
                                           return_stats=True)
    np.testing.assert_array_equal(y, batch_norm(x, None, None, weight, bias, training=True))
    assert save_mean.dtype == save_invstd.dtype == x.dtype and save_mean.shape == (3,)
    # torch's native_batch_norm saves the same two vectors.
    _, ref_mean, ref_invstd = torch.native_batch_norm(t(x), None if weight is None else t(weight),
                                                      None if bias is None else t(bias), None, None, True, 0.1, 1e-5)
    np.testing.assert_allclose(save_mean, ref_mean.numpy(), **TOLERANCE[x.dtype])
    np.testing.assert_allclose(save_invstd, ref_invstd.numpy(), **TOLERANCE[x.dtype])
    recomputed = batch_norm_backward(gy, x, weight, None, None, True)
    saved = batch_norm_backward(gy, x, weight, None, None, True, save_mean=save_mean, save_invstd=save_invstd)
    for ours, reference in zip(saved, recomputed):
        np.testing.assert_array_equal(ours, reference)
    # In evaluation there are no batch statistics to hand over.
    _, mean, invstd = batch_norm(x, running_mean, running_var, weight, bias, training=False, return_stats=True)
    assert mean is None and invstd is None


def test_saved_statistics_come_in_pairs():
    x = np.ones((2, 3, 2, 2), np.float32)
    with pytest.raises(ValueError, match="save_mean and save_invstd"):
        batch_norm_backward(x, x, None, None, None, True, save_mean=np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"save_invstd must have shape \(3,\)"):
        batch_norm_backward(x, x, None, None, None, True, save_mean=np.zeros(3, np.float32),
                            save_invstd=np.ones(4, np.float32))


@pytest.mark.parametrize("training", [True, False])
def test_large_inputs_split_over_the_cores_give_the_same_result_as_one_core(training, monkeypatch):
    from convviz.nn.functional import normalization

    x, weight, bias, running_mean, running_var = make_case(np.random.default_rng(10), (16, 16, 72, 72), np.float32)
    assert x.size >= normalization.PARALLEL_MIN_VALUES
    gy = np.random.default_rng(11).standard_normal(x.shape).astype(np.float32)

    def run():
        rm, rv = running_mean.copy(), running_var.copy()
        out, mean, invstd = batch_norm(x, rm, rv, weight, bias, training, return_stats=True)
        grads = batch_norm_backward(gy, x, weight, running_mean, running_var, training, save_mean=mean,
                                    save_invstd=invstd)
        return (out, rm, rv) + grads

    split = run()
    monkeypatch.setattr(normalization, "PARALLEL_MIN_VALUES", x.size + 1)
    for ours, one_core in zip(split, run()):
        np.testing.assert_array_equal(ours, one_core)
    check_batch_norm(x, weight, bias, running_mean.copy(), running_var.copy(), training)
