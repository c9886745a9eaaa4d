"""conv_transpose2d, its backward and nn.ConvTranspose2d against torch, and their refusals.

Parity: the forward and every gradient (input, weight, bias) equal torch's in float32 and float64
over a grid of configurations and a hypothesis property test; a float64 centred difference checks
the gradients without torch; each refusal names the argument and the rule; the layer's state_dict
loads into torch.nn.ConvTranspose2d and gives the same output and gradients.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import convviz.nn as nn
from convviz.nn.functional import conv_transpose2d, conv_transpose2d_backward
from test_conv2d_gradcheck import centred_difference_check

TOLERANCE = {np.dtype(np.float32): (1e-4, 1e-5), np.dtype(np.float64): (1e-10, 1e-12)}


def torch_transpose(x, w, b, grad_output_seed=7, **options):
    """torch's output and gradients (input, weight, bias) for a random output gradient."""
    tensors = [None if a is None else torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = torch.nn.functional.conv_transpose2d(*tensors, **options)
    gy = np.random.default_rng(grad_output_seed).standard_normal(tuple(y.shape)).astype(x.dtype)
    y.backward(torch.tensor(gy))
    grads = [None if t is None else t.grad.numpy() for t in tensors]
    return y.detach().numpy(), gy, grads


def check_against_torch(x, w, b, **options):
    rtol, atol = TOLERANCE[x.dtype]
    y_ref, gy, (gx_ref, gw_ref, gb_ref) = torch_transpose(x, w, b, **options)
    y = conv_transpose2d(x, w, b, **options)
    gx, gw, gb = conv_transpose2d_backward(gy, x, w, has_bias=b is not None, **options)
    for name, ours, ref in (("output", y, y_ref), ("grad_input", gx, gx_ref), ("grad_weight", gw, gw_ref)):
        assert ours.dtype == x.dtype and ours.shape == ref.shape, (name, ours.dtype, ours.shape, ref.shape)
        np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol, err_msg=name)
    if b is None:
        assert gb is None
    else:
        np.testing.assert_allclose(gb, gb_ref, rtol=rtol, atol=atol, err_msg="grad_bias")


def arrays(in_channels, out_channels, groups, kernel, size, batch=2, dtype=np.float64, bias=True, seed=0):
    """x (batch, C, H, W) (unbatched when batch is None), w (C, F/G, KH, KW), b (F,)."""
    rng = np.random.default_rng(seed)
    shape = (in_channels,) + size if batch is None else (batch, in_channels) + size
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((in_channels, out_channels // groups) + kernel).astype(dtype)
    b = rng.standard_normal(out_channels).astype(dtype) if bias else None
    return x, w, b


# ------------------------------------------------------------------------------------------------
# A grid of configurations: every stride, padding, dilation and output_padding torch accepts.

def grid():
    for stride, padding, dilation, out_pad in itertools.product((1, 2, 3), (0, 1, 2), (1, 2), (0, 1, 2)):
        if out_pad >= stride and out_pad >= dilation:
            continue  # torch refuses it: see test_output_padding_refused
        yield pytest.param(dict(stride=stride, padding=padding, dilation=dilation, output_padding=out_pad),
                           id=f"s{stride}-p{padding}-d{dilation}-op{out_pad}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", grid())
def test_grid_equals_torch(options, dtype):
    # kernel 3x2 keeps every padding's output non-empty; 2 groups of 2 -> 3 channels each
    x, w, b = arrays(4, 6, 2, (3, 2), (5, 4), dtype=dtype)
    check_against_torch(x, w, b, groups=2, **options)


SHAPE_CASES = [
    # (C, F, groups, kernel, input size, batch, bias, options)
    pytest.param(3, 5, 1, (1, 1), (4, 4), 2, True, {}, id="kernel-1"),
    pytest.param(2, 3, 1, (4, 4), (3, 5), 1, True, dict(stride=2, padding=1), id="kernel-4"),
    pytest.param(2, 4, 1, (2, 4), (4, 3), 2, False, dict(stride=(2, 3), padding=(0, 2)), id="non-square"),
    pytest.param(4, 4, 4, (3, 3), (5, 5), 2, True, dict(stride=2, output_padding=1), id="depthwise"),
    pytest.param(4, 8, 4, (3, 3), (4, 4), 1, True, dict(dilation=2, padding=1), id="depthwise-multiplier"),
    pytest.param(3, 2, 1, (3, 3), (4, 5), None, True, dict(stride=2, padding=1, output_padding=1), id="unbatched"),
    pytest.param(2, 2, 1, (3, 2), (3, 3), 2, True,
                 dict(stride=(1, 2), dilation=(3, 1), output_padding=(2, 1)), id="output_padding-below-dilation"),
    pytest.param(2, 3, 1, (3, 3), (4, 4), 0, True, dict(stride=2), id="empty-batch"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("C,F,groups,kernel,size,batch,bias,options", SHAPE_CASES)
def test_shapes_equal_torch(C, F, groups, kernel, size, batch, bias, options, dtype):
    x, w, b = arrays(C, F, groups, kernel, size, batch=batch, dtype=dtype, bias=bias)
    check_against_torch(x, w, b, groups=groups, **options)


def test_the_stride_2_checkerboard():
    # The textbook picture: with stride 2 and a 3x3 kernel of ones, an input of ones puts 1, 2 or 4
    # contributions on each output pixel; this is what the visualizer will count.
    y = conv_transpose2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), stride=2)
    row = [1, 1, 2, 1, 2, 1, 1]
    np.testing.assert_array_equal(y[0, 0], np.outer(row, row))


@pytest.mark.parametrize("stride", [1, 2])  # the direct road and the scatter
def test_inf_and_nan_weights_spread_as_in_torch(stride):
    # Only products of real pairs: an inf weight must not meet an inserted or padded zero (0·inf = NaN)
    x, w, _ = arrays(2, 3, 1, (3, 3), (4, 4), batch=1)
    w[0, 1, 1, 1], w[1, 2, 0, 0] = np.inf, np.nan
    y = conv_transpose2d(x, w, stride=stride, padding=1)
    expected = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), stride=stride, padding=1)
    assert np.isfinite(y).any() and not np.isfinite(y).all()
    np.testing.assert_allclose(y, expected.numpy(), rtol=1e-10, atol=1e-12)  # NaN and inf where torch has them


def test_need_input_grad_false_skips_it():
    x, w, b = arrays(2, 3, 1, (3, 3), (4, 4))
    gy = np.ones((2, 3, 6, 6))
    grad_input, grad_weight, grad_bias = conv_transpose2d_backward(gy, x, w, need_input_grad=False)
    assert grad_input is None
    _, grad_weight_again, _ = conv_transpose2d_backward(gy, x, w)
    np.testing.assert_array_equal(grad_weight, grad_weight_again)
    np.testing.assert_array_equal(grad_bias, np.full(3, 2 * 36.0))


# ------------------------------------------------------------------------------------------------
# Property test: every parameter at once.

@st.composite
def configurations(draw):
    groups = draw(st.integers(1, 3))
    in_channels = groups * draw(st.integers(1, 2))
    out_channels = groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # below the stride or the dilation, torch's rule
    out_pad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    size = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    # the largest padding that leaves an output: (H - 1)·s + d·(k - 1) + op + 1 - 2p >= 1
    padding = tuple(draw(st.integers(0, ((n - 1) * s + d * (k - 1) + op) // 2))
                    for n, s, d, k, op in zip(size, stride, dilation, kernel, out_pad))
    batch = draw(st.sampled_from([None, 1, 2]))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    options = dict(stride=stride, padding=padding, output_padding=out_pad, dilation=dilation, groups=groups)
    return (in_channels, out_channels, groups, kernel, size, batch, dtype, bias, seed), options


@settings(max_examples=40, deadline=None)
@given(configurations())
def test_random_configurations_equal_torch(configuration):
    (C, F, groups, kernel, size, batch, dtype, bias, seed), options = configuration
    x, w, b = arrays(C, F, groups, kernel, size, batch=batch, dtype=dtype, bias=bias, seed=seed)
    check_against_torch(x, w, b, **options)


# ------------------------------------------------------------------------------------------------
# A centred difference, independent of torch.

def test_gradients_equal_centred_differences():
    x, w, b = arrays(2, 4, 2, (3, 2), (3, 4), batch=1)
    options = dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2), groups=2)
    gy = np.random.default_rng(3).standard_normal(conv_transpose2d(x, w, b, **options).shape)

    def loss():
        return float(np.sum(conv_transpose2d(x, w, b, **options) * gy))

    analytic = dict(zip("xwb", conv_transpose2d_backward(gy, x, w, **options)))
    # L is linear in each entry: only rounding is left, about 1e-16·|L| / eps
    centred_difference_check(loss, {"x": x, "w": w, "b": b}, analytic, eps=1e-4, rtol=1e-6, atol=1e-8)
    for name in "xwb":
        assert np.abs(analytic[name]).max() > 0.1, name  # a zero gradient would pass too easily


# ------------------------------------------------------------------------------------------------
# Refusals: torch refuses these too; our messages name the argument and the rule.

X = np.zeros((1, 4, 5, 5))
W = np.zeros((4, 3, 3, 3))

REFUSALS = [
    pytest.param(dict(stride=1, output_padding=1), ValueError,
                 ["output_padding", "smaller than either stride or dilation", "output_padding=1", "stride=1"],
                 id="output_padding-not-below-stride"),
    pytest.param(dict(stride=2, dilation=2, output_padding=(0, 2)), ValueError,
                 ["output_padding", "along the width", "output_padding=2", "stride=2", "dilation=2"],
                 id="output_padding-width-only"),
    pytest.param(dict(output_padding=-1), ValueError, ["output_padding", "-1"], id="output_padding-negative"),
    pytest.param(dict(padding=-1), ValueError, ["padding", "-1"], id="padding-negative"),
    pytest.param(dict(padding=5), ValueError, ["padding", "output height", "= -3"], id="padding-crops-all"),
    pytest.param(dict(padding="same"), TypeError, ["padding", "'same'", "int"], id="padding-string"),
    pytest.param(dict(stride=0), ValueError, ["stride", "positive"], id="stride-zero"),
    pytest.param(dict(dilation=0), ValueError, ["dilation", "positive"], id="dilation-zero"),
    pytest.param(dict(groups=3), ValueError, ["groups=3", "weight.shape[0]", "(4, 3, 3, 3)"], id="groups-not-dividing"),
    pytest.param(dict(groups=0), ValueError, ["groups", "positive"], id="groups-zero"),
    pytest.param(dict(weight=np.zeros((3, 3, 3, 3))), ValueError,
                 ["weight (3, 3, 3, 3)", "input (1, 4, 5, 5)", "weight.shape[0] must be in_channels"],
                 id="weight-channels-mismatch"),
    pytest.param(dict(weight=np.zeros((4, 3, 3))), ValueError, ["weight", "4-D", "(in_channels, out_channels"],
                 id="weight-3d"),
    pytest.param(dict(bias=np.zeros(4)), ValueError, ["bias", "(3,)", "(4,)"], id="bias-shape"),
    pytest.param(dict(input=np.zeros((4, 5))), ValueError, ["input", "3-D or 4-D"], id="input-2d"),
    pytest.param(dict(input=np.zeros((1, 4, 5, 5), np.float32)), TypeError, ["dtype", "float32", "float64"],
                 id="mixed-dtypes"),
    pytest.param(dict(input=np.zeros((1, 4, 5, 5), np.int64)), TypeError, ["input", "int64"], id="int-input"),
]


@pytest.mark.parametrize("changes,error,fragments", REFUSALS)
def test_refusals_name_the_rule(changes, error, fragments):
    arguments = dict(input=X, weight=W, bias=None)
    arguments.update(changes)
    options = {k: arguments.pop(k) for k in list(arguments) if k not in ("input", "weight", "bias")}
    torch_args = [None if a is None else torch.tensor(a) for a in (arguments["input"], arguments["weight"],
                                                                      arguments["bias"])]
    with pytest.raises((RuntimeError, TypeError, ValueError)):  # torch refuses as well
        torch.nn.functional.conv_transpose2d(*torch_args, **options)
    with pytest.raises(error) as forward_error:
        conv_transpose2d(**arguments, **options)
    for fragment in fragments:
        assert fragment in str(forward_error.value)
    if arguments["bias"] is None:  # the backward checks the same arguments with the same words
        with pytest.raises(error) as backward_error:
            conv_transpose2d_backward(np.zeros((1, 3, 7, 7)), arguments["input"], arguments["weight"], **options)
        assert str(backward_error.value) == str(forward_error.value)


def test_output_padding_allowed_below_dilation_alone():
    # torch accepts output_padding >= stride when it is below the dilation; so do we
    x, w, _ = arrays(1, 1, 1, (2, 2), (3, 3), batch=1)
    check_against_torch(x, w, None, stride=1, dilation=2, output_padding=1)


def test_backward_refuses_a_wrong_grad_output():
    with pytest.raises(ValueError, match=r"grad_output must have the output's shape \(1, 3, 7, 7\)"):
        conv_transpose2d_backward(np.zeros((1, 3, 6, 7)), X, W)
    with pytest.raises(TypeError, match="float32"):
        conv_transpose2d_backward(np.zeros((1, 3, 7, 7), np.float32), X, W)


# ------------------------------------------------------------------------------------------------
# The layer.

LAYER_CASES = [
    dict(in_channels=3, out_channels=4, kernel_size=3),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=2, padding=1, output_padding=1, groups=2,
         dilation=(1, 2)),
    dict(in_channels=2, out_channels=2, kernel_size=4, stride=2, padding=1, groups=2, bias=False),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", LAYER_CASES, ids=str)
def test_layer_state_dict_loads_into_torch_and_agrees(kwargs, dtype):
    ours = nn.ConvTranspose2d(**kwargs, dtype=dtype, rng=0)
    theirs = torch.nn.ConvTranspose2d(**kwargs, dtype=torch.float32 if dtype == np.float32 else torch.float64)
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())
    theirs.load_state_dict({name: torch.tensor(value) for name, value in state.items()})

    x = np.random.default_rng(1).standard_normal((2, kwargs["in_channels"], 5, 4)).astype(dtype)
    x_torch = torch.tensor(x, requires_grad=True)
    y_torch = theirs(x_torch)
    gy = np.random.default_rng(2).standard_normal(tuple(y_torch.shape)).astype(dtype)
    y_torch.backward(torch.tensor(gy))
    rtol, atol = TOLERANCE[np.dtype(dtype)]
    np.testing.assert_allclose(ours(x), y_torch.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours.backward(gy), x_torch.grad.numpy(), rtol=rtol, atol=atol)
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad, dict(theirs.named_parameters())[name].grad.numpy(),
                                   rtol=rtol, atol=atol, err_msg=name)
    assert repr(ours) == repr(theirs)


def test_layer_default_init_follows_torch():
    # weight (in, out/groups, KH, KW): torch's fan_in is shape[1]·KH·KW = 64/2·3·3 = 288 (not
    # in/groups·KH·KW = 72, as a Conv2d's would be), so both are U(-1/sqrt(288), 1/sqrt(288))
    layer = nn.ConvTranspose2d(16, 64, 3, groups=2, rng=0)
    assert layer.weight.shape == (16, 32, 3, 3) == tuple(torch.nn.ConvTranspose2d(16, 64, 3, groups=2).weight.shape)
    bound = 1 / math.sqrt(288)
    for values in (layer.weight.data, layer.bias.data):
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.9 * bound  # filled up to the bound, not a smaller one
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)  # U(-b, b)
    np.testing.assert_array_equal(nn.ConvTranspose2d(16, 64, 3, groups=2, rng=0).weight.data, layer.weight.data)


def test_layer_refuses_bad_settings_before_any_image():
    with pytest.raises(ValueError, match="output_padding must be smaller than either stride or dilation"):
        nn.ConvTranspose2d(2, 2, 3, output_padding=1)
    with pytest.raises(ValueError, match="groups must divide both channel counts: groups=2, in_channels=3"):
        nn.ConvTranspose2d(3, 4, 3, groups=2)
    with pytest.raises(TypeError, match="kernel_size"):
        nn.ConvTranspose2d(3, 4, 2.5)
    with pytest.raises(TypeError, match="dtype"):
        nn.ConvTranspose2d(3, 4, 3, dtype=np.int32)


def test_layer_accumulates_gradients_and_skips_the_input_grad():
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 3))
    gy = np.ones_like(layer(x))
    assert layer.backward(gy, need_input_grad=False) is None
    first = layer.weight.grad.copy()
    layer(x)
    layer.backward(gy)
    np.testing.assert_allclose(layer.weight.grad, 2 * first)
    np.testing.assert_allclose(layer.bias.grad, 2 * gy.sum(axis=(0, 2, 3)))
