"""convviz.nn.init against torch.nn.init: fans, gains, and the distribution each function draws."""

import math

import numpy as np
import pytest
import torch

from convviz.nn import Conv2d, Linear, Parameter, init

# Non-square shapes, so that fan_in != fan_out and a swapped fan shows in the std.
SHAPES = [(40, 300), (64, 16, 5, 5), (32, 96, 3, 3), (128, 24, 7)]


def _torch_fans(shape):
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("shape", SHAPES + [(5, 3), (16, 3, 11, 11), (3, 1), (2, 3, 1, 1, 4)])
def test_fan_in_and_fan_out_equal_torch(shape):
    assert init.fan_in_and_fan_out(shape) == _torch_fans(shape)


def test_fans_follow_the_textbook_formula():
    # Conv2d(16 -> 64, 5x5): fan_in = 16·25, fan_out = 64·25.
    assert init.fan_in_and_fan_out((64, 16, 5, 5)) == (400, 1600)
    assert init.fan_in_and_fan_out((2048, 3136)) == (3136, 2048)


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions.*\\(7,\\)"):
        init.xavier_normal_(np.zeros(7, np.float32))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_uniform_(np.zeros(7, np.float32))


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
    ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None),
])
def test_calculate_gain_equals_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


def test_calculate_gain_refuses_unknown_names():
    with pytest.raises(ValueError, match="nonlinearity must be one of.*got 'gelu'"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "0.1")


# ------------------------------------------------------------------------------------------------
# Distributions. For each function: the formula's std, the std of a large sample of ours (within
# 1.5 %: the standard error of a sample std over >= 12,000 values is under 0.7 %), and torch's
# sample std for the same shape and arguments (within 3 % of ours).


def _xavier_std(shape, gain=1.0):
    fan_in, fan_out = _torch_fans(shape)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def _kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = _torch_fans(shape)
    return torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


CASES = [
    ("xavier_normal_", {}, _xavier_std, "normal"),
    ("xavier_normal_", {"gain": 2.5}, lambda s: _xavier_std(s, 2.5), "normal"),
    ("xavier_uniform_", {}, _xavier_std, "uniform"),
    ("xavier_uniform_", {"gain": math.sqrt(2)}, lambda s: _xavier_std(s, math.sqrt(2)), "uniform"),
    ("kaiming_normal_", {}, _kaiming_std, "normal"),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"},
     lambda s: _kaiming_std(s, mode="fan_out", nonlinearity="relu"), "normal"),
    ("kaiming_normal_", {"a": 0.3}, lambda s: _kaiming_std(s, a=0.3), "normal"),
    ("kaiming_uniform_", {}, _kaiming_std, "uniform"),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, lambda s: _kaiming_std(s, a=math.sqrt(5)), "uniform"),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "tanh"},
     lambda s: _kaiming_std(s, mode="fan_out", nonlinearity="tanh"), "uniform"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,kwargs,formula,kind", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_init_std_matches_formula_and_torch(name, kwargs, formula, kind, shape, dtype):
    array = np.full(shape, np.nan, dtype=dtype)
    returned = getattr(init, name)(array, rng=np.random.default_rng(1), **kwargs)
    assert returned is array and array.dtype == dtype and np.isfinite(array).all()

    expected_std = formula(shape)
    assert array.std() == pytest.approx(expected_std, rel=0.015)
    assert abs(array.mean()) < 5 * expected_std / math.sqrt(array.size)

    torch.manual_seed(2)
    reference = getattr(torch.nn.init, name)(torch.empty(shape, dtype=torch.float64), **kwargs)
    assert array.std() == pytest.approx(reference.std().item(), rel=0.03)

    bound = math.sqrt(3) * expected_std
    if kind == "uniform":
        # Every value inside the bound, and the extremes reach it.
        assert np.abs(array).max() <= bound * (1 + 1e-6)
        assert np.abs(array).max() > 0.99 * bound
    else:
        # A normal has tails beyond a uniform's bound: about 8 % of its values.
        outside = np.mean(np.abs(array) > bound)
        assert 0.06 < outside < 0.10


def test_normal_and_uniform_with_arguments():
    a = init.normal_(np.empty((300, 400)), mean=1.0, std=0.02, rng=0)
    assert a.mean() == pytest.approx(1.0, abs=1e-3) and a.std() == pytest.approx(0.02, rel=0.01)
    u = init.uniform_(np.empty((300, 400), np.float32), -0.5, 2.0, rng=0)
    assert u.min() >= -0.5 and u.max() < 2.0 and u.min() < -0.49 and u.max() > 1.99
    assert u.mean() == pytest.approx(0.75, abs=0.01)


def test_constant_fills():
    a = np.full((3, 4), 7.0, np.float32)
    assert init.zeros_(a) is a and not a.any()
    assert init.ones_(a) is a and (a == 1).all()
    assert (init.constant_(a, -2.5) == -2.5).all()


def test_fills_in_place_also_non_contiguous_views_and_parameters():
    base = np.zeros((20, 30))
    view = base[:, ::2]
    init.xavier_uniform_(view, rng=0)
    assert (base[:, 1::2] == 0).all() and (base[:, ::2] != 0).all()

    param = Parameter(np.zeros((8, 4, 3, 3), np.float32))
    data = param.data
    assert init.kaiming_normal_(param, rng=0) is param
    assert param.data is data and data.std() > 0


def test_rng_makes_it_reproducible():
    a = init.xavier_normal_(np.empty((10, 10)), rng=np.random.default_rng(5))
    b = init.xavier_normal_(np.empty((10, 10)), rng=np.random.default_rng(5))
    c = init.xavier_normal_(np.empty((10, 10)), rng=np.random.default_rng(6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)

    init.manual_seed(11)
    d = init.kaiming_uniform_(np.empty((10, 10)))
    init.manual_seed(11)
    e = init.kaiming_uniform_(np.empty((10, 10)))
    assert np.array_equal(d, e)


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="dtype float32 or float64"):
        init.zeros_(np.zeros((2, 2), np.int64))
    with pytest.raises(TypeError, match="ndarray"):
        init.ones_([1.0, 2.0])
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_normal_(np.zeros((2, 2)), mode="fan_avg")
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(np.zeros(3), 1.0, 0.0)
    with pytest.raises(ValueError, match="std >= 0"):
        init.normal_(np.zeros(3), 0.0, -1.0)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy.random.Generator"):
        init.normal_(np.zeros(3), rng=np.random.RandomState(0))


# ------------------------------------------------------------------------------------------------
# The layers' default initialisation: torch's kaiming_uniform_(a=sqrt(5)) and bias U(±1/sqrt(fan_in)).


@pytest.mark.parametrize("make_ours,make_torch,fan_in", [
    (lambda: Conv2d(24, 64, 5, rng=0), lambda: torch.nn.Conv2d(24, 64, 5), 24 * 25),
    (lambda: Conv2d(32, 64, 3, groups=4, rng=0), lambda: torch.nn.Conv2d(32, 64, 3, groups=4), 8 * 9),
    (lambda: Linear(500, 300, rng=0), lambda: torch.nn.Linear(500, 300), 500),
])
def test_layer_default_init_equals_torch_in_distribution(make_ours, make_torch, fan_in):
    ours = make_ours()
    torch.manual_seed(0)
    reference = make_torch()
    bound = 1 / math.sqrt(fan_in)
    weight, bias = ours.weight.data, ours.bias.data
    assert weight.dtype == np.float32
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.99 * bound
    assert weight.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert weight.std() == pytest.approx(reference.weight.detach().std().item(), rel=0.04)
    assert np.abs(bias).max() <= bound
    assert np.abs(reference.bias.detach().numpy()).max() <= bound
