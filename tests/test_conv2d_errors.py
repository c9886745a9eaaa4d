"""Bad input gets a clear TypeError / ValueError; NaN and inf propagate exactly as in torch.

Every message must name the argument, show the values given and state the rule; each case below
lists fragments (plain substrings, or compiled regular expressions) the message must contain.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch

from convviz.nn.functional import ALGORITHMS as ENGINE_ALGORITHMS
from convviz.nn.functional import conv2d, conv2d_backward

from torch_conv_reference import torch_reference

# Every algorithm the engine offers. None (the default) runs "banded": see
# test_conv2d_parity.py::test_none_runs_banded, so it needs no cases of its own here.
ALGORITHMS = list(ENGINE_ALGORITHMS)


def zeros(*shape, dtype=np.float64):
    return np.zeros(shape, dtype=dtype)


X = zeros(1, 4, 5, 5)  # the default input
W = zeros(2, 4, 3, 3)  # the default weight: output (1, 2, 3, 3)


def case(case_id, error, fragments, **kwargs):
    return pytest.param(kwargs, error, fragments, id=case_id)


FLOOR = "floor((H + p_before + p_after - d(k - 1) - 1) / s) + 1"

# Argument errors shared by conv2d and conv2d_backward (no bias among them).
GEOMETRY_CASES = [
    # groups
    case("groups-not-dividing-out_channels", ValueError,
         ["groups", "groups=2", "in_channels=4", "out_channels=3", "divide"],
         weight=zeros(3, 2, 3, 3), groups=2),
    case("groups-not-dividing-in_channels", ValueError,
         ["groups", "groups=3", "in_channels=4", "out_channels=3", "divide"],
         weight=zeros(3, 1, 3, 3), groups=3),
    case("groups-bigger-than-channels", ValueError, ["groups=8", "in_channels=4", "divide"],
         weight=zeros(8, 1, 3, 3), groups=8),
    case("groups-zero", ValueError, ["groups", "0", "positive"], groups=0),
    case("groups-negative", ValueError, ["groups", "-2", "positive"], groups=-2),
    case("groups-float", TypeError, ["groups", "2.0", "int"], groups=2.0),
    case("groups-bool", TypeError, ["groups", "True", "int"], groups=True),
    case("groups-string", TypeError, ["groups", "'2'", "int"], groups="2"),
    # channels per group
    case("weight-in-channels-mismatch", ValueError,
         ["weight", "(2, 3, 3, 3)", "(1, 4, 5, 5)", "4 channels", "weight.shape[1] must be in_channels // groups"],
         weight=zeros(2, 3, 3, 3)),
    case("weight-in-channels-mismatch-grouped", ValueError,
         ["weight", "(2, 1, 3, 3)", "groups=2", "4 channels", "weight.shape[1] must be in_channels // groups"],
         weight=zeros(2, 1, 3, 3), groups=2),
    case("unbatched-weight-in-channels-mismatch", ValueError, ["weight", "(2, 3, 3, 3)", "(4, 5, 5)"],
         input=zeros(4, 5, 5), weight=zeros(2, 3, 3, 3)),
    # the kernel does not fit
    case("kernel-taller-than-input", ValueError,
         ["height", FLOOR, re.compile(r"floor\(\(3 \+ 0 \+ 0 - 1\W*\(5 - 1\) - 1\) / 1\) \+ 1 = -1"), "empty"],
         input=zeros(1, 1, 3, 3), weight=zeros(1, 1, 5, 5)),
    case("dilated-kernel-wider-than-input", ValueError,
         ["width", re.compile(r"floor\(\(5 \+ 0 \+ 0 - 3\W*\(3 - 1\) - 1\) / 2\) \+ 1 = 0"), "empty"],
         input=zeros(1, 1, 9, 5), weight=zeros(1, 1, 3, 3), dilation=(1, 3), padding=(1, 0), stride=2),
    case("kernel-bigger-than-padded-input", ValueError,
         ["height", re.compile(r"floor\(\(2 \+ 1 \+ 1 - 1\W*\(7 - 1\) - 1\) / 1\) \+ 1 = -2")],
         input=zeros(1, 2, 2, 2), weight=zeros(1, 2, 7, 7), padding=1),
    # ranks
    case("input-2d", ValueError, ["input", "(5, 5)", "3-D or 4-D"], input=zeros(5, 5)),
    case("input-1d", ValueError, ["input", "(5,)", "3-D or 4-D"], input=zeros(5)),
    case("input-5d", ValueError, ["input", "(1, 1, 4, 5, 5)", "3-D or 4-D"], input=zeros(1, 1, 4, 5, 5)),
    case("weight-3d", ValueError, ["weight", "(4, 3, 3)", "4-D"], weight=zeros(4, 3, 3)),
    case("weight-5d", ValueError, ["weight", "(2, 4, 3, 3, 1)", "4-D"], weight=zeros(2, 4, 3, 3, 1)),
    # stride and dilation
    case("stride-zero", ValueError, ["stride", "0", "positive"], stride=0),
    case("stride-negative-in-pair", ValueError, ["stride", "(1, -1)", "positive"], stride=(1, -1)),
    case("dilation-zero", ValueError, ["dilation", "0", "positive"], dilation=0),
    case("dilation-zero-in-pair", ValueError, ["dilation", "(0, 2)", "positive"], dilation=(0, 2)),
    case("stride-float", TypeError, ["stride", "1.5", "int"], stride=1.5),
    case("stride-triple", TypeError, ["stride", "(1, 1, 1)", "pair"], stride=(1, 1, 1)),
    case("stride-string", TypeError, ["stride", "'2'", "int"], stride="2"),
    case("dilation-float-pair", TypeError, ["dilation", "(1, 2.0)", "int"], dilation=(1, 2.0)),
    # padding
    case("padding-negative", ValueError, ["padding", "-1", re.compile(r"at least 0|non-negative|>= ?0")],
         padding=-1),
    case("padding-negative-in-pair", ValueError, ["padding", "(0, -2)", re.compile(r"at least 0|non-negative")],
         padding=(0, -2)),
    case("padding-unknown-string", ValueError, ["padding", "'full'", "'valid'", "'same'"], padding="full"),
    case("padding-upper-case-string", ValueError, ["padding", "'SAME'", "'same'"], padding="SAME"),
    case("padding-float", TypeError, ["padding", "1.5"], padding=1.5),
    case("padding-four-values", TypeError, ["padding", "(1, 1, 1, 1)", "pair"], padding=(1, 1, 1, 1)),
    case("same-with-stride", ValueError, ["'same'", "stride", "(1, 2)", "strided"], padding="same", stride=(1, 2)),
    case("same-with-int-stride", ValueError, ["'same'", "stride", "strided"], padding="same", stride=2),
    # dtypes
    case("input-int64", TypeError, ["input", "int64", "float32 or float64"], input=X.astype(np.int64)),
    case("input-bool", TypeError, ["input", "bool", "float32 or float64"], input=X.astype(bool)),
    case("input-float16", TypeError, ["input", "float16", "float32 or float64"],
         input=X.astype(np.float16), weight=W.astype(np.float16)),
    case("weight-int32", TypeError, ["weight", "int32", "float32 or float64"], weight=W.astype(np.int32)),
    case("input-complex", TypeError, ["input", "complex128", "float32 or float64"], input=X.astype(complex)),
    case("input-float32-weight-float64", TypeError, ["input is float32", "weight is float64", "dtype"],
         input=X.astype(np.float32)),
    case("input-float64-weight-float32", TypeError, ["input is float64", "weight is float32", "dtype"],
         weight=W.astype(np.float32)),
    # not arrays
    case("input-list", TypeError, ["input", "list", "ndarray"], input=X.tolist()),
    case("input-none", TypeError, ["input", "NoneType", "ndarray"], input=None),
    case("input-float", TypeError, ["input", "float", "ndarray"], input=1.0),
    case("weight-tensor", TypeError, ["weight", "Tensor", "ndarray"], weight=torch.zeros(2, 4, 3, 3)),
    # padding mode
    case("padding-mode-unknown", ValueError, ["padding_mode", "'mirror'", "'zeros'", "'reflect'", "'circular'"],
         padding_mode="mirror"),
    case("padding-mode-constant", ValueError, ["padding_mode", "'constant'", "'zeros'"], padding_mode="constant"),
    case("padding-mode-none", ValueError, ["padding_mode", "None"], padding_mode=None),
    case("reflect-padding-equal-to-height", ValueError, ["reflect", "3", "height", "greater than"],
         input=zeros(1, 4, 3, 8), padding=3, padding_mode="reflect"),
    case("reflect-same-padding-too-wide", ValueError, ["reflect", "3", "width"],
         input=zeros(1, 4, 8, 3), weight=zeros(2, 4, 1, 7), padding="same", padding_mode="reflect"),
    case("circular-padding-wider-than-input", ValueError, ["circular", "4", "width", "3"],
         input=zeros(1, 4, 8, 3), padding=(1, 4), padding_mode="circular"),
    case("circular-padding-taller-than-unbatched-input", ValueError, ["circular", "3", "height", "2"],
         input=zeros(4, 2, 8), weight=zeros(2, 4, 1, 1), padding=(3, 0), padding_mode="circular"),
    # algorithm
    case("algorithm-unknown", ValueError, ["algorithm", "'fft'", "'loops'", "'im2col'", "'strided'"],
         algorithm="fft"),
    case("algorithm-wrong-case", ValueError, ["algorithm", "'Loops'"], algorithm="Loops"),
]

BIAS_CASES = [
    case("bias-too-long", ValueError, ["bias", "(2,)", "(3,)"], bias=zeros(3)),
    case("bias-2d", ValueError, ["bias", "(2,)", "(2, 1)"], bias=zeros(2, 1)),
    case("bias-0d", ValueError, ["bias", "(2,)", "()"], bias=zeros()),
    case("bias-int", TypeError, ["bias", "int64", "float32 or float64"], bias=zeros(2, dtype=np.int64)),
    case("bias-list", TypeError, ["bias", "list", "ndarray"], bias=[0.0, 0.0]),
    case("bias-float32-with-float64", TypeError, ["bias is float32", "input is float64", "dtype"],
         bias=zeros(2, dtype=np.float32)),
]


def assert_refuses(function, arguments, error, fragments) -> None:
    """``function(**arguments)`` raises exactly ``error`` (not a subclass), with every fragment in
    its message."""
    with pytest.raises(error) as caught:
        function(**arguments)
    assert type(caught.value) is error
    message = str(caught.value)
    for fragment in fragments:
        if isinstance(fragment, re.Pattern):
            assert fragment.search(message), f"message {message!r} does not match {fragment.pattern!r}"
        else:
            assert fragment in message, f"message {message!r} does not contain {fragment!r}"


@pytest.mark.parametrize(("kwargs", "error", "fragments"), GEOMETRY_CASES + BIAS_CASES)
def test_conv2d_refuses(kwargs, error, fragments):
    assert_refuses(conv2d, {"input": X, "weight": W, **kwargs}, error, fragments)


@pytest.mark.parametrize(("kwargs", "error", "fragments"), GEOMETRY_CASES)
def test_conv2d_backward_refuses(kwargs, error, fragments):
    """The same checks guard the backward (they come before any check of grad_output)."""
    arguments = {"input": X, "weight": W, **kwargs}
    dtype = getattr(arguments["input"], "dtype", np.float64)
    grad_output = np.ones((1, 2, 3, 3), dtype=dtype if dtype in (np.float32, np.float64) else np.float64)
    assert_refuses(conv2d_backward, {"grad_output": grad_output, **arguments}, error, fragments)


GRAD_OUTPUT_CASES = [
    case("grad-output-wrong-spatial-shape", ValueError, ["grad_output", "(1, 2, 3, 3)", "(1, 2, 4, 4)"],
         grad_output=zeros(1, 2, 4, 4)),
    case("grad-output-wrong-channels", ValueError, ["grad_output", "(1, 2, 3, 3)", "(1, 3, 3, 3)"],
         grad_output=zeros(1, 3, 3, 3)),
    case("grad-output-batched-for-unbatched-input", ValueError, ["grad_output", "(2, 3, 3)", "(1, 2, 3, 3)"],
         grad_output=zeros(1, 2, 3, 3), input=zeros(4, 5, 5)),
    case("grad-output-unbatched-for-batched-input", ValueError, ["grad_output", "(1, 2, 3, 3)", "(2, 3, 3)"],
         grad_output=zeros(2, 3, 3)),
    case("grad-output-strided-shape", ValueError, ["grad_output", "(1, 2, 2, 3)", "(1, 2, 3, 3)"],
         grad_output=zeros(1, 2, 3, 3), stride=(2, 1)),
    case("grad-output-int", TypeError, ["grad_output", "int64", "float32 or float64"],
         grad_output=zeros(1, 2, 3, 3, dtype=np.int64)),
    case("grad-output-list", TypeError, ["grad_output", "list", "ndarray"], grad_output=zeros(1, 2, 3, 3).tolist()),
    case("grad-output-float32-for-float64", TypeError, ["grad_output is float32", "input is float64"],
         grad_output=zeros(1, 2, 3, 3, dtype=np.float32)),
]


@pytest.mark.parametrize(("kwargs", "error", "fragments"), GRAD_OUTPUT_CASES)
def test_conv2d_backward_refuses_a_bad_grad_output(kwargs, error, fragments):
    assert_refuses(conv2d_backward, {"input": X, "weight": W, **kwargs}, error, fragments)


def test_the_limits_themselves_are_accepted():
    """The boundaries of the rules above are valid: reflect padding = size - 1, circular padding =
    size, a kernel exactly as large as the padded input, groups = channels (depthwise)."""
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 4))
    assert conv2d(x, zeros(2, 2, 1, 1), padding=(2, 3), padding_mode="reflect").shape == (1, 2, 7, 10)
    assert conv2d(x, zeros(2, 2, 1, 1), padding=(3, 4), padding_mode="circular").shape == (1, 2, 9, 12)
    assert conv2d(x, zeros(1, 2, 5, 6), padding=1).shape == (1, 1, 1, 1)
    assert conv2d(x, zeros(1, 2, 2, 2), dilation=(2, 3)).shape == (1, 1, 1, 1)
    assert conv2d(x, zeros(4, 1, 3, 3), groups=2, padding="same").shape == (1, 4, 3, 4)


# ----------------------------------------------------------------------------------------------
# NaN and inf


def nonfinite_problem(where: str, dtype=np.float64, seed=0):
    """x (2, 3, 6, 6), w (4, 3, 3, 3), b (4,), dY (2, 4, 6, 6) with NaN or inf planted in one of them.

    Weights are never zero, so that no 0 * inf arises except where torch has it too.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, 6, 6))
    w = rng.uniform(0.5, 1.5, (4, 3, 3, 3)) * rng.choice([-1.0, 1.0], (4, 3, 3, 3))
    b = rng.standard_normal(4)
    gy = rng.standard_normal((2, 4, 6, 6))
    if where == "nan in input":
        x[0, 1, 2, 3] = np.nan
    elif where == "+inf and -inf in input":
        x[0, 0, 2, 2], x[0, 1, 2, 3], x[1, 2, 0, 5] = np.inf, -np.inf, np.inf  # overlapping windows: inf - inf
    elif where == "inf in weight":
        w[1, 2, 0, 1] = np.inf
    elif where == "nan in bias":
        b[2] = np.nan
    elif where == "nan in grad_output":
        gy[1, 3, 4, 2] = np.nan  # interior: kept when dY is cropped for padding 0
    else:
        raise AssertionError(where)
    return tuple(a.astype(dtype) for a in (x, w, b, gy))


NONFINITE = ["nan in input", "+inf and -inf in input", "inf in weight", "nan in bias", "nan in grad_output"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "circular"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("where", NONFINITE)
def test_nan_and_inf_propagate_as_in_torch(where, dtype, padding_mode, algorithm):
    x, w, b, gy = nonfinite_problem(where, dtype)
    # A zero-padded tap is 0 * w: with inf in w (or NaN in dY) torch's result would depend on whether
    # its kernel multiplies the padding zeros or skips them, so those cases run without padding.
    padding = 0 if (padding_mode == "zeros" and where in ("inf in weight", "nan in grad_output")) else 1
    if padding == 0:
        gy = gy[:, :, 1:-1, 1:-1]
    y_ref, _, *grads_ref = torch_reference(x, w, b, gy, padding=padding, padding_mode=padding_mode)
    expected = (y_ref, *grads_ref)  # output, grad_input, grad_weight, grad_bias
    assert any(not np.isfinite(e).all() for e in expected), "the planted value must reach some result"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # values only; warnings have their own test
        y = conv2d(x, w, b, padding=padding, padding_mode=padding_mode, algorithm=algorithm)
        grads = conv2d_backward(gy, x, w, padding=padding, padding_mode=padding_mode, algorithm=algorithm)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for name, got, want in zip(["output", "grad_input", "grad_weight", "grad_bias"], (y, *grads), expected):
        assert got.dtype == dtype, name
        # Same NaN positions, same infinities (with sign), finite values close.
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"NaN positions of {name}")
        np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want), err_msg=f"+inf positions of {name}")
        np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want), err_msg=f"-inf positions of {name}")
        finite = np.isfinite(want)
        scale = float(np.max(np.abs(want[finite]), initial=1.0))
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 0.1 * scale, equal_nan=True, err_msg=name)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("where", NONFINITE)
def test_nan_and_inf_raise_no_warning(where, algorithm):
    """torch computes with NaN and inf silently; so must the engine, or a program (or pytest) that
    turns warnings into errors crashes on a NaN that torch would just pass on."""
    x, w, b, gy = nonfinite_problem(where, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = conv2d(x, w, b, padding=1, padding_mode="reflect", algorithm=algorithm)
        grads = conv2d_backward(gy, x, w, padding=1, padding_mode="reflect", algorithm=algorithm)
    assert not all(np.isfinite(a).all() for a in (y, *grads))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_inf_weight_gives_no_nan_where_torch_has_none(algorithm):
    """The smallest case of the above: a 1x2 kernel [inf, 1] over a 1x3 input, dY = 1.

    grad_input[k] = sum of dY[ox] * w[j] over ox + j = k: [inf, inf + 1, 1] = [inf, inf, 1] (torch too).
    A transposed convolution that also multiplies the inserted zeros by inf makes the last one NaN.
    """
    x = np.ones((1, 1, 1, 3))
    w = np.array([[[[np.inf, 1.0]]]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        grad_input, grad_weight, _ = conv2d_backward(np.ones((1, 1, 1, 2)), x, w, algorithm=algorithm)
    np.testing.assert_array_equal(grad_input.ravel(), [np.inf, np.inf, 1.0])
    np.testing.assert_array_equal(grad_weight.ravel(), [2.0, 2.0])


@pytest.mark.parametrize("keyword, value", [("stride", 10**30), ("padding", 10**12), ("dilation", (1, 2**40))])
def test_absurdly_large_sizes_are_named_not_left_to_numpy(keyword, value):
    x, w = np.ones((1, 1, 4, 4), np.float32), np.ones((1, 1, 2, 2), np.float32)
    with pytest.raises(ValueError, match=rf"{keyword} must be at most 2,147,483,647"):
        conv2d(x, w, **{keyword: value})


@pytest.mark.parametrize("flag", ["has_bias", "need_input_grad"])
def test_backward_flags_must_be_booleans(flag):
    x, w = np.ones((1, 1, 4, 4), np.float32), np.ones((1, 1, 2, 2), np.float32)
    with pytest.raises(TypeError, match=rf"{flag} must be True or False, got 'no'"):
        conv2d_backward(np.ones((1, 1, 3, 3), np.float32), x, w, **{flag: "no"})
