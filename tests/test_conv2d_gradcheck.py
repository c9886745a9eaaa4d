"""A float64 centred-difference check of the "loops" algorithm's gradients, independent of torch.

The loss is L = sum(conv2d(x, w, b) * dY) for a fixed random dY, so dL/dx, dL/dw and dL/db are
exactly what conv2d_backward(dY, ...) returns. Each entry of x, w and b is nudged by +-eps and
(L(+eps) - L(-eps)) / (2 eps) compared with the analytic gradient. The same checker must reject
deliberately wrong gradients, otherwise passing it would prove nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

from convviz.nn.functional import conv2d, conv2d_backward, conv_geometry, pad2d_backward
from convviz.nn.functional.conv import transposed_conv_input_grad

EPS = 1e-4
# L is linear in each single entry, so the centred difference has no truncation error; what is
# left is rounding, about 1e-16 * |L| / EPS, i.e. about 1e-10 for these sizes.
RTOL, ATOL = 1e-6, 1e-8


def centred_difference_check(loss, params: dict[str, np.ndarray], analytic: dict[str, np.ndarray],
                             eps: float = EPS, rtol: float = RTOL, atol: float = ATOL) -> dict[str, float]:
    """Compare ``analytic[name]`` with the centred difference of ``loss()`` in every entry of
    ``params[name]`` (arrays that ``loss`` reads; each is perturbed in place and restored).

    Raises AssertionError naming the parameter whose gradient disagrees; returns the largest
    absolute difference per parameter.
    """
    worst = {}
    for name, value in params.items():
        assert value.dtype == np.float64, f"{name}: the check needs float64, got {value.dtype}"
        grad = analytic[name]
        assert grad is not None and grad.shape == value.shape, \
            f"{name}: analytic gradient of shape {getattr(grad, 'shape', None)}, expected {value.shape}"
        numeric = np.empty_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + eps
            plus = loss()
            value[index] = original - eps
            minus = loss()
            value[index] = original
            numeric[index] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"analytic gradient of {name} != centred difference")
        worst[name] = float(np.max(np.abs(grad - numeric)))
    return worst


# (input shape, weight shape, keyword arguments): small, so that the ~2 forward passes per entry
# of the pure-Python loops stay quick.
CONFIGS = {
    "grouped-strided-dilated": ((1, 4, 5, 6), (4, 2, 3, 2),
                                {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2), "groups": 2}),
    # unbatched; "same" pads d(k-1) = 3 on each axis as 1 before and 2 after
    "depthwise-same-even-kernel": ((3, 6, 5), (6, 1, 2, 4),
                                   {"padding": "same", "dilation": (3, 1), "groups": 3}),
}
MODES = ["reflect", "replicate", "circular", "zeros"]


def make_problem(shape_x, shape_w, kwargs, padding_mode, seed=0):
    """Random x, w, b, dY and the loss closure reading them, for the loops algorithm."""
    rng = np.random.default_rng(seed)
    params = {"input": rng.standard_normal(shape_x), "weight": rng.standard_normal(shape_w),
              "bias": rng.standard_normal(shape_w[0])}
    conv_args = dict(kwargs, padding_mode=padding_mode)
    out_shape = conv2d(params["input"], params["weight"], params["bias"], algorithm="loops", **conv_args).shape
    grad_output = rng.standard_normal(out_shape)

    def loss():
        y = conv2d(params["input"], params["weight"], params["bias"], algorithm="loops", **conv_args)
        return float(np.sum(y * grad_output))

    gx, gw, gb = conv2d_backward(grad_output, params["input"], params["weight"], algorithm="loops", **conv_args)
    return params, loss, {"input": gx, "weight": gw, "bias": gb}, grad_output, conv_args


@pytest.mark.parametrize("padding_mode", MODES)
@pytest.mark.parametrize("config", CONFIGS, ids=list(CONFIGS))
def test_loops_gradients_match_centred_differences(config, padding_mode):
    shape_x, shape_w, kwargs = CONFIGS[config]
    params, loss, analytic, _, _ = make_problem(shape_x, shape_w, kwargs, padding_mode)
    worst = centred_difference_check(loss, params, analytic)
    assert set(worst) == {"input", "weight", "bias"}
    # Non-trivial gradients: a check of zeros against zeros would prove nothing.
    for name, grad in analytic.items():
        assert np.max(np.abs(grad)) > 0.1, name


def _wrong_gradients(params, analytic, grad_output, conv_args):
    """Plausible mistakes, each producing a gradient of the right shape but the wrong value."""
    x, w = params["input"], params["weight"]
    g = conv_geometry(x, w, None, conv_args["stride"], conv_args["padding"], conv_args["dilation"],
                      conv_args["groups"], conv_args["padding_mode"])
    gy = grad_output if not g.unbatched else grad_output[None]
    unrotated = transposed_conv_input_grad(gy, w[:, :, ::-1, ::-1], g)  # forgot the 180° rotation
    unrotated = pad2d_backward(unrotated, g.pads, g.padding_mode)
    rotated = pad2d_backward(transposed_conv_input_grad(gy, w, g), g.pads, g.padding_mode)
    cropped = pad2d_backward(transposed_conv_input_grad(gy, w, g), g.pads, "zeros")  # padding not folded back
    if g.unbatched:
        unrotated, rotated, cropped = unrotated[0], rotated[0], cropped[0]
    # The un-sabotaged transposed convolution is right: the mistakes below are the only difference.
    np.testing.assert_allclose(rotated, analytic["input"], rtol=1e-12, atol=1e-12)
    return {
        "kernel not rotated": ("input", unrotated),
        "padding gradient cropped instead of folded back": ("input", cropped),
        "grad_weight off by 1%": ("weight", analytic["weight"] * 1.01),
        "grad_weight off by a factor 2": ("weight", analytic["weight"] * 2),
        # divided by the N·OH·OW output positions of each filter
        "grad_bias averaged instead of summed": ("bias", analytic["bias"] / (grad_output.size / w.shape[0])),
    }


MISTAKES = ["kernel not rotated", "padding gradient cropped instead of folded back", "grad_weight off by 1%",
            "grad_weight off by a factor 2", "grad_bias averaged instead of summed"]


@pytest.mark.parametrize("mistake", MISTAKES)
def test_the_check_fails_on_a_wrong_gradient(mistake):
    shape_x, shape_w, kwargs = CONFIGS["grouped-strided-dilated"]
    params, loss, analytic, grad_output, conv_args = make_problem(shape_x, shape_w, kwargs, "reflect", seed=1)
    name, wrong = _wrong_gradients(params, analytic, grad_output, conv_args)[mistake]
    assert not np.allclose(wrong, analytic[name], rtol=RTOL, atol=ATOL), "the sabotage changed nothing"
    # The right gradients pass ...
    centred_difference_check(loss, {name: params[name]}, {name: analytic[name]})
    # ... and the wrong one is caught, with the parameter named.
    with pytest.raises(AssertionError, match=f"gradient of {name}"):
        centred_difference_check(loss, {name: params[name]}, {name: wrong})
