"""convviz.state (numpy only, no Qt): the spec as one value, its JSON round trip and its checks,
the problems a control shows with their allowed values and formulas, the arrays a spec builds and
the trace of them equal to torch, and the torch check able to say "differs"."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from torch_conv_reference import torch_reference

from convviz.state.build import (
    allowed_groups,
    build_trace,
    colour_levels,
    conv_arguments,
    problems,
    weight_of,
)
from convviz.state.kernels import preset_kernel
from convviz.state.spec import NEW_FILTER_PRESETS, ConvSpec, SpecError
from convviz.state.torch_check import check_against_torch

pytestmark = pytest.mark.usefixtures("one_torch_thread")

ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(7)
IMAGE1 = RNG.random((1, 9, 11))
IMAGE3 = RNG.random((3, 9, 11))


def test_a_spec_is_a_frozen_value():
    spec = ConvSpec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.size = 30
    assert spec == ConvSpec() and hash(spec) == hash(ConvSpec())
    assert dataclasses.replace(spec, stride=(2, 1)) != spec


SPECS = [
    ConvSpec(),
    ConvSpec(size=20, channels=3, out_channels=2, kernel_size=(5, 2), presets=("emboss", "random"), seed=9,
             weight_edits=(((0, 0, 0, 0), 3.0), ((1, 2, 4, 1), -2.5)), bias=True, bias_value=0.125,
             dilation=(3, 1), padding="same", padding_mode="circular", mode="backward",
             grad_output="sum_of_squares", grad_seed=6, granularity="tap"),
    ConvSpec(image="/some where/中文.png", padding="valid", stride=(2, 3), groups=1),
]


@pytest.mark.parametrize("spec", SPECS)
def test_to_dict_survives_json_and_comes_back_equal(spec):
    text = json.dumps(spec.to_dict())
    assert ConvSpec.from_dict(json.loads(text)) == spec


def test_from_dict_ignores_unknown_keys_and_fills_missing_ones():
    assert ConvSpec.from_dict({"stride": [2, 2], "from_a_later_version": 1}) == ConvSpec(stride=(2, 2))
    assert ConvSpec.from_dict({}) == ConvSpec()
    # presets shorter than the filters (an older file): the filters get the next presets
    spec = ConvSpec.from_dict({"out_channels": 3, "presets": ["box"]})
    assert spec.presets == ("box",) + NEW_FILTER_PRESETS[1:3]


@pytest.mark.parametrize("data, words", [
    ([], "a spec must be a JSON object"),
    ({"size": 3}, "size must be an integer from 4 to 256, got 3"),
    ({"size": 12.0}, "size must be an integer"),
    ({"size": True}, "size must be an integer"),
    ({"channels": 2}, "channels must be one of"),
    ({"kernel_size": [3]}, "kernel_size must be a pair of integers"),
    ({"kernel_size": [3, 16]}, "kernel_size must be an integer from 1 to 15, got 16"),
    ({"out_channels": 17}, "out_channels must be an integer from 1 to 16"),
    ({"presets": []}, "presets must be a list of preset names"),
    ({"presets": ["sobel_z"]}, "presets must be one of"),
    ({"seed": -1}, "seed must be an integer from 0"),
    ({"weight_edits": [[[0, 0, 0], 1.0]]}, "each weight edit must be [[f, c, i, j], value]"),
    ({"weight_edits": [[[0, 0, 0, 0], float("nan")]]}, "weight_edits value must be a finite number"),
    ({"bias": "yes"}, "bias must be true or false"),
    ({"bias_value": float("inf")}, "bias_value must be a finite number"),
    ({"stride": [0, 1]}, "stride must be an integer from 1 to 8, got 0"),
    ({"padding": "full"}, "padding must be one of valid, same"),
    ({"padding": [1, 16]}, "padding must be an integer from 0 to 15"),
    ({"padding_mode": "mirror"}, "padding_mode must be one of zeros, reflect, replicate, circular"),
    ({"groups": 0}, "groups must be an integer from 1"),
    ({"mode": "sideways"}, "mode must be one of forward, backward"),
    ({"grad_output": "twos"}, "grad_output must be one of"),
    ({"granularity": "pixel"}, "granularity must be one of output, tap"),
    ({"image": ""}, "image must be a file path or sample:NAME"),
])
def test_a_wrong_stored_value_names_its_field_and_rule(data, words):
    with pytest.raises(SpecError) as error:
        ConvSpec.from_dict(data)
    assert words in str(error.value)


def test_the_spec_edits():
    spec = ConvSpec(out_channels=2, presets=("sobel_x", "sobel_y"))
    edited = spec.with_edit(1, 0, 2, 2, 5).with_edit(0, 0, 0, 1, -1).with_edit(1, 0, 2, 2, 6)
    assert edited.weight_edits == (((0, 0, 0, 1), -1.0), ((1, 0, 2, 2), 6.0))  # sorted, last value wins
    assert edited.with_preset("box", [1]).weight_edits == (((0, 0, 0, 1), -1.0),)   # filter 1's typed values go
    assert edited.with_preset("box").presets == ("box", "box") and edited.with_preset("box").weight_edits == ()
    fewer = edited.with_out_channels(1)
    assert fewer.presets == ("sobel_x",) and fewer.weight_edits == (((0, 0, 0, 1), -1.0),)
    more = spec.with_out_channels(10)
    assert more.presets[:2] == ("sobel_x", "sobel_y") and len(more.presets) == 10
    assert more.presets[2:] == NEW_FILTER_PRESETS[2:] + NEW_FILTER_PRESETS[:2]


def test_weight_of_is_the_presets_over_the_channels_then_the_typed_values():
    spec = ConvSpec(channels=3, out_channels=2, kernel_size=(3, 5), presets=("sobel_x", "random"), seed=4,
                    weight_edits=(((0, 1, 2, 4), 7.0),))
    weight = weight_of(spec)
    assert weight.shape == (2, 3, 3, 5) and weight.dtype == np.float64
    np.testing.assert_array_equal(weight[0, 0], preset_kernel("sobel_x", 3, 5) / 3)
    assert weight[0, 1, 2, 4] == 7.0
    assert not np.array_equal(weight[1, 0], weight[1, 1]), "each channel of a random filter differs"
    grouped = weight_of(dataclasses.replace(spec, groups=1, out_channels=3, presets=("box",) * 3))
    depthwise = weight_of(dataclasses.replace(spec, groups=3, out_channels=3, presets=("box",) * 3))
    assert grouped.shape == (3, 3, 3, 5) and depthwise.shape == (3, 1, 3, 5)
    # an edit outside the kernel (left from a bigger one) is ignored, not an IndexError
    assert weight_of(dataclasses.replace(spec, kernel_size=(2, 2))).shape == (2, 3, 2, 2)


def test_allowed_groups_are_the_common_divisors():
    assert allowed_groups(12, 8) == [1, 2, 4]
    assert allowed_groups(3, 3) == [1, 3]
    assert allowed_groups(1, 16) == [1]


@pytest.mark.parametrize("changes, field, words", [
    (dict(channels=3, out_channels=2, presets=("box",) * 2, groups=2), "groups",
     ["3 input channels and the 2 filters", "it can be 1"]),
    (dict(channels=3, out_channels=6, presets=("box",) * 6, groups=2), "groups", ["it can be 1, 3"]),
    (dict(dilation=(6, 1)), "kernel_size",
     ["does not fit", "floor((9 + 1 + 1 - 6·(3 - 1) - 1) / 1) + 1 = -1", "spans 13 pixels"]),
    (dict(padding="same", stride=(1, 2)), "padding", ["'same'", "stride=(1, 2)"]),
    (dict(padding=(9, 1), padding_mode="reflect"), "padding", ["reflect padding of 9", "height 9"]),
])
def test_problems_name_the_control_and_the_rule(changes, field, words):
    spec = dataclasses.replace(ConvSpec(), **changes)
    found = problems(spec, 9, 11)
    assert [p.field for p in found] == [field]
    for word in words:
        assert word in found[0].message


def test_a_spec_that_can_run_has_no_problems():
    for spec in SPECS:
        assert problems(dataclasses.replace(spec, image="sample:shapes"), 9, 11) == []


@pytest.mark.parametrize("spec", [
    ConvSpec(),
    ConvSpec(channels=3, out_channels=3, presets=("sobel_x", "random", "gaussian"), groups=3, stride=(2, 1),
             dilation=(1, 2), padding=(2, 1), padding_mode="reflect", bias=True, bias_value=-0.5,
             mode="backward", grad_output="random", grad_seed=2),
    ConvSpec(channels=3, out_channels=2, presets=("laplacian", "emboss"), kernel_size=(4, 2), padding="same",
             padding_mode="replicate", mode="backward", grad_output="sum_of_squares"),
    ConvSpec(kernel_size=(2, 3), padding="valid", stride=(3, 2), mode="backward", padding_mode="circular"),
], ids=["default", "depthwise-reflect", "same-replicate", "valid-strided"])
def test_the_arguments_and_the_trace_of_a_spec_equal_torch(spec):
    image = IMAGE3 if spec.channels == 3 else IMAGE1
    args = conv_arguments(spec, image)
    trace = build_trace(spec, image)
    kwargs = args.conv_kwargs()
    go = None if args.grad_output is None else args.grad_output[None]
    y, _, gi, gw, gb = torch_reference(image[None], args.weight, args.bias, go, **kwargs)
    np.testing.assert_allclose(trace.output, y[0], rtol=1e-12, atol=1e-12)
    if spec.mode == "backward":
        final = trace.state(len(trace) - 1)
        np.testing.assert_allclose(final["grad_input"], gi[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(final["grad_weight"], gw, rtol=1e-12, atol=1e-12)
        if spec.grad_output == "sum_of_squares":
            np.testing.assert_allclose(args.grad_output, y[0], rtol=1e-12, atol=1e-12)
        if spec.grad_output == "ones":
            assert np.all(args.grad_output == 1)
    check = check_against_torch(args, trace)
    assert check.available and check.agree and check.max_difference <= 1e-12, check
    levels = colour_levels(trace, args)
    assert levels["output"] == pytest.approx(np.abs(y).max())


def test_the_torch_check_says_when_the_arrays_differ():
    spec = ConvSpec(mode="backward", grad_output="random")
    trace = build_trace(spec, IMAGE1)
    other = conv_arguments(dataclasses.replace(spec, presets=("sobel_y",)), IMAGE1)
    check = check_against_torch(other, trace)
    assert check.available and not check.agree
    assert "output" in check.reason and check.max_difference > 0.1


def test_the_random_grad_output_is_seeded():
    spec = ConvSpec(mode="backward", grad_output="random", grad_seed=3)
    first, again = conv_arguments(spec, IMAGE1).grad_output, conv_arguments(spec, IMAGE1).grad_output
    other = conv_arguments(dataclasses.replace(spec, grad_seed=4), IMAGE1).grad_output
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_convviz_state_imports_no_qt_and_no_opencv():
    code = ("import sys; import convviz.state.spec, convviz.state.build, convviz.state.torch_check, "
            "convviz.state.kernels; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', "
            "'cv2', 'torch')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_colour_level_is_the_largest_finite_magnitude_or_one():
    from convviz.state.built import biggest

    assert biggest(np.array([-2.0, 1.0])) == 2.0 and biggest(np.array([0.5, -0.25])) == 0.5
    assert biggest(np.array([np.inf, -3.0, 1.0])) == 3.0 and biggest(np.array([np.nan, 2.0])) == 2.0
    for nothing in (np.array([]), np.zeros(4), np.array([np.nan]), np.array([-np.inf, np.inf])):
        assert biggest(nothing) == 1.0


def test_a_spec_listing_fewer_presets_than_filters_gets_the_new_filters_presets():
    spec = ConvSpec(out_channels=3, presets=("box",))
    weight = weight_of(spec)
    expected = weight_of(spec.with_out_channels(1).with_out_channels(3))
    np.testing.assert_array_equal(weight, expected)
    assert np.isfinite(weight).all() and np.abs(weight).max() <= 8  # the presets, not leftover memory
