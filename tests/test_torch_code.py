"""The code panel's PyTorch code, run with torch, gives exactly the numbers the trace ends with."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from convviz.data.picture import load_sample, working_image
from convviz.state.build import build_trace, conv_arguments
from convviz.state.spec import ConvSpec
from convviz.state.torch_code import torch_code

CASES = {
    "default": {},
    "backward random, rgb, groups": dict(mode="backward", grad_output="random", grad_seed=3, channels=3,
                                         presets=("random", "sobel_y", "box"), out_channels=3, groups=3),
    "same, dilation, reflect, bias, sum of squares": dict(mode="backward", grad_output="sum_of_squares",
                                                          padding="same", dilation=(2, 1), padding_mode="reflect",
                                                          bias=True, bias_value=0.25, kernel_size=(3, 5)),
    "stride, circular, typed value": dict(mode="backward", stride=(2, 3), padding=(2, 1), padding_mode="circular",
                                          weight_edits=(((0, 0, 1, 1), 2.5),)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_code_reproduces_the_screen(name):
    spec = dataclasses.replace(ConvSpec(size=10), **CASES[name])
    image = working_image(load_sample("shapes"), spec.size, spec.channels)
    trace = build_trace(spec, image)
    final = trace.state(len(trace) - 1)
    namespace: dict = {}
    exec(compile(torch_code(spec, conv_arguments(spec, image)), "torch_code", "exec"), namespace)
    np.testing.assert_array_equal(namespace["x"].detach().numpy()[0], image.astype(np.float64))
    np.testing.assert_allclose(namespace["y"].detach().numpy()[0], final["output"], rtol=1e-12, atol=1e-12)
    if spec.mode == "backward":
        np.testing.assert_allclose(namespace["x"].grad.numpy()[0], final["grad_input"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(namespace["conv"].weight.grad.numpy(), final["grad_weight"], rtol=1e-12,
                                   atol=1e-12)
        if spec.bias:
            np.testing.assert_allclose(namespace["conv"].bias.grad.numpy(), final["grad_bias"], rtol=1e-12)


def test_the_code_names_a_file_picture_and_the_spec_arguments(tmp_path):
    spec = ConvSpec(image=str(tmp_path / "my picture.png"), stride=(2, 2), groups=1)
    code = torch_code(spec)
    assert "load_picture(" in code and "my picture.png" in code
    assert "stride=(2, 2)" in code and "padding=(1, 1)" in code and "backward" not in code


OTHER_OPERATIONS = {
    "max pooling, backward, ceil mode": dict(operation="max_pool", kernel_size=(3, 3), stride=(2, 2), padding=(1, 1),
                                             ceil_mode=True, mode="backward", grad_output="random", channels=3),
    "average pooling, padding not counted": dict(operation="avg_pool", kernel_size=(3, 3), stride=(2, 1),
                                                 padding=(1, 1), count_include_pad=False, mode="backward"),
    "transposed, groups, bias": dict(operation="conv_transpose", channels=3, out_channels=3, groups=3,
                                     presets=("box", "random", "sobel_x"), stride=(2, 2), padding=(1, 1),
                                     output_padding=(1, 1), bias=True, bias_value=0.5),
    "transposed, direct road, dilation": dict(operation="conv_transpose", stride=(2, 1), dilation=(2, 2),
                                              output_padding=(1, 0), transposed_road="direct"),
}


@pytest.mark.parametrize("name", list(OTHER_OPERATIONS))
def test_the_code_of_a_pooling_or_a_transposed_convolution_reproduces_the_screen(name):
    from convviz.state.build import make_built

    spec = dataclasses.replace(ConvSpec(size=10), **OTHER_OPERATIONS[name])
    image = working_image(load_sample("shapes"), spec.size, spec.channels)
    built = make_built(spec, image)
    final = built.trace.state(len(built.trace) - 1)
    namespace: dict = {}
    exec(compile(torch_code(spec, built.args), "torch_code", "exec"), namespace)
    np.testing.assert_allclose(namespace["y"].detach().numpy()[0], final["output"], rtol=1e-12, atol=1e-12)
    if spec.mode == "backward":
        np.testing.assert_allclose(namespace["x"].grad.numpy()[0], final["grad_input"], rtol=1e-12, atol=1e-12)
