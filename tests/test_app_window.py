"""The window shows the engine's numbers: the arrays in the scene's image items are the trace's
states (NaN where nothing is written yet) and torch's at the last frame, the math panel writes out
the frame's products and result, the header names the frame and phase, the badge says whether the
screen equals PyTorch."""

from __future__ import annotations

import dataclasses
import re
import sys
from html import escape, unescape

import numpy as np
import pytest
from app_helpers import FLOAT32, grid_planes, masked_state, rebuild, torch_answer

from convviz.scene.planes import format_number
from convviz.state.build import conv_arguments
from convviz.state.spec import ConvSpec
from convviz.state.torch_check import check_against_torch

pytestmark = pytest.mark.usefixtures("no_threads_left", "one_torch_thread")

FORWARD = ConvSpec(size=10, channels=3, out_channels=2, presets=("sobel_x", "gaussian"), bias=True,
                   bias_value=0.5, stride=(1, 2), dilation=(2, 1), padding=(2, 1))
BACKWARD = ConvSpec(size=8, channels=3, out_channels=3, presets=("sobel_y", "laplacian", "random"), seed=3,
                    groups=3, stride=(2, 1), padding=(1, 2), padding_mode="reflect", mode="backward",
                    grad_output="random", grad_seed=4, bias=True, bias_value=-0.25)


def plain(html: str) -> str:
    """The text of the math panel's HTML, tags dropped."""
    return unescape(re.sub(r"<[^>]+>", "", html.replace("<br>", "\n")))


def factor(value) -> str:
    """A regex for ``value`` written as a factor: format_number's text, negatives maybe in brackets."""
    text = re.escape(format_number(float(value)))
    return rf"(?:{text}|\({text}\))"


def badge_difference(header: str) -> float:
    match = re.search(r"largest difference ([-+0-9.e]+)", header)
    assert match, header
    return float(match.group(1))


def frames_to_check(trace):
    """The first frame, the first and a middle one of every phase, and the last."""
    picks = {0, len(trace) - 1}
    for phase in trace.phases:
        picks |= {phase.first, (phase.first + phase.last) // 2, phase.last}
    return sorted(picks)


def padded_back(values, trace):
    """A cropped (C, H, W) gradient put back into its padded place with NaN around, as drawn."""
    g = trace.geometry
    if values.shape[-2:] == (g.padded_height, g.padded_width):
        return values
    top, _, left, _ = g.pads
    full = np.full((g.in_channels, g.padded_height, g.padded_width), np.nan)
    full[:, top:top + g.height, left:left + g.width] = values
    return full


@pytest.mark.parametrize("spec", [FORWARD, BACKWARD], ids=["forward", "backward"])
def test_each_frame_shows_the_traced_state_its_number_and_its_phase(make_window, spec):
    window = make_window(spec)
    trace = window.document.built.trace
    assert window.document.built.spec == spec
    for index in frames_to_check(trace):
        window.player.seek(index)
        assert window.scene.frame_index == index
        phase = trace.phase_at(index)
        header = window.scene.header.text
        assert f"frame {index + 1:,} / {len(trace):,}" in header
        assert escape(phase.explanation) in header
        assert escape(phase.unit) in header
        assert not window.scene.shows_not_current()
        assert window.player_bar.frame_label.text() == f"frame {index + 1:,} of {len(trace):,}"
        assert phase.name.replace("_", " ") in window.player_bar.explanation.text()
        np.testing.assert_allclose(grid_planes(window, "output"), masked_state(trace, index, "output"),
                                   **FLOAT32, err_msg=f"output at frame {index}")
        if trace.has_backward:
            np.testing.assert_allclose(grid_planes(window, "grad_input"),
                                       padded_back(masked_state(trace, index, "grad_input"), trace),
                                       **FLOAT32, err_msg=f"grad_input at frame {index}")
            weight = masked_state(trace, index, "grad_weight")
            np.testing.assert_allclose(grid_planes(window, "grad_weight"), weight.reshape(-1, *weight.shape[2:]),
                                       **FLOAT32, err_msg=f"grad_weight at frame {index}")


@pytest.mark.parametrize("spec", [FORWARD, BACKWARD], ids=["forward", "backward"])
def test_the_last_frame_shows_what_torch_computes_and_the_badge_says_so(make_window, spec):
    window = make_window(spec)
    window.player.end()
    expected = torch_answer(spec, window.document.working_image())
    header = window.scene.header.text
    assert "equals torch.nn.functional.conv2d" in header
    assert badge_difference(header) <= 1e-9
    check = window.last_check
    assert check.agree and f"{check.max_difference:.1e}" in header
    names = {"output", "grad_input", "grad_weight", "grad_bias"} if spec.mode == "backward" else {"output"}
    assert set(check.differences) == names
    final = window.document.built.trace.state(len(window.document.built.trace) - 1)
    for name in names:  # the same arrays, against torch computed here
        assert np.max(np.abs(final[name] - expected[name])) <= 1e-9
    shown = grid_planes(window, "output")
    assert not np.isnan(shown).any(), "every output is computed at the last frame"
    np.testing.assert_allclose(shown, expected["output"], **FLOAT32)
    # the input grid shows the padded input the engine convolved (zeros, reflect ... as torch pads)
    args = expected["args"]
    g = window.document.built.trace.geometry
    top, _, left, _ = g.pads
    np.testing.assert_allclose(grid_planes(window, "input")[:, top:top + g.height, left:left + g.width],
                               args.input, **FLOAT32)
    weight = grid_planes(window, "kernel")
    np.testing.assert_allclose(weight, args.weight.reshape(-1, *args.weight.shape[2:]), **FLOAT32)
    if spec.mode == "backward":
        gi = grid_planes(window, "grad_input")[:, top:top + g.height, left:left + g.width]
        # pixels no window reads are never written (NaN on screen); torch's gradient there is 0
        unread = np.isnan(gi)
        assert np.all(expected["grad_input"][unread] == 0)
        np.testing.assert_allclose(np.where(unread, 0, gi), expected["grad_input"], **FLOAT32)
        gw = grid_planes(window, "grad_weight")
        np.testing.assert_allclose(gw, expected["grad_weight"].reshape(gw.shape), **FLOAT32)
        np.testing.assert_allclose(grid_planes(window, "grad_output"), args.grad_output, **FLOAT32)


def test_the_math_panel_writes_out_the_frames_products_and_result(make_window):
    window = make_window(FORWARD)
    trace = window.document.built.trace
    slide = trace.phase("slide")
    for index in (slide.first, (slide.first + slide.last) // 2, slide.last):
        window.player.seek(index)
        frame = trace[index]
        text = window.scene.math.text
        n, f, oy, ox = frame.element
        assert f"y[{f}, {oy}, {ox}]" in text
        for x, w in zip(frame.taps.input_value, frame.taps.weight_value):
            assert re.search(factor(x) + "×" + factor(w), plain(text)), (x, w, plain(text))
        for channel_sum in frame.channel_sums:
            assert f"<b>{format_number(float(channel_sum))}</b>" in text
        assert f"bias {format_number(0.5)}" in text
        assert f"<b>{format_number(float(frame.value))}</b>" in text
        # the result written is the output element torch computes
        expected = torch_answer(FORWARD, window.document.working_image())["output"]
        assert frame.value == pytest.approx(expected[f, oy, ox], abs=1e-12)
        g = trace.geometry
        assert f"= {g.out_height}" in text and f"= {g.out_width}" in text  # the size formula's results


def test_the_math_panel_at_tap_granularity_shows_one_product_and_the_running_sum(make_window):
    window = make_window(ConvSpec(size=8, granularity="tap"))
    trace = window.document.built.trace
    index = trace.phase("slide").first + 4   # the fifth tap of the first window
    window.player.seek(index)
    frame = trace[index]
    text = window.scene.math.text
    assert f"tap 5 of {trace.taps_per_window}" in text
    x, w = float(frame.taps.input_value[0]), float(frame.taps.weight_value[0])
    assert f"{format_number(x)} × w[0, 0, 1, 1] = {format_number(w)}" in text
    assert f"running sum = " in text and f"<b>{format_number(float(frame.value))}</b>" in text


def test_the_math_panel_in_backward_phases(make_window):
    window = make_window(BACKWARD)
    trace = window.document.built.trace
    for name in ("scatter", "weight_grad"):
        index = trace.phase(name).first + 1
        window.player.seek(index)
        frame = trace[index]
        text = window.scene.math.text
        n, f, oy, ox = frame.element
        assert f"∂L/∂y[{f}, {oy}, {ox}] = {format_number(float(frame.grad_output))}" in text
        assert f"{format_number(float(frame.grad_output))}×" in text
    index = trace.phase("bias_grad").first
    window.player.seek(index)
    frame = trace[index]
    expected = torch_answer(BACKWARD, window.document.working_image())["grad_bias"]
    assert frame.value == pytest.approx(expected[frame.filter], abs=1e-12)
    assert f"∂L/∂b[{frame.filter}]" in window.scene.math.text
    assert f"<b>{format_number(float(frame.value))}</b>" in window.scene.math.text


def test_the_badge_says_when_the_screen_differs_from_torch_or_torch_is_missing(make_window, monkeypatch):
    """The check can fail: compare the trace with torch for a different weight."""
    window = make_window(FORWARD)
    other = conv_arguments(ConvSpec(**{**FORWARD.__dict__, "presets": ("box", "box")}), window.document.working_image())
    window.document.builder.check = lambda result: check_against_torch(other, result.trace)
    rebuild(window)
    header = window.scene.header.text
    assert "differs from PyTorch" in header and "output" in header
    assert "equals torch" not in header
    # and without torch it says the numbers are unchecked
    del window.document.builder.check  # the real check again
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    rebuild(window)
    header = window.scene.header.text
    assert "unchecked" in header and "PyTorch is not installed" in header
    assert "equals torch" not in header


def test_backward_grids_are_hidden_in_forward_mode_and_shown_in_backward(make_window):
    window = make_window(FORWARD)
    grids = window.scene.grids
    assert not any(grids[name].view.isVisible() for name in ("grad_input", "grad_weight", "grad_output"))
    g = window.document.built.trace.geometry
    assert "output" in grids["output"].title.text
    assert f"{g.out_channels}×{g.out_height}×{g.out_width}" in grids["output"].title.text
    window.controls.mode.setCurrentIndex(window.controls.mode.findData("backward"))
    rebuild(window)
    assert all(grids[name].view.isVisible() for name in ("grad_input", "grad_weight", "grad_output"))
    assert "∂L/∂w" in grids["grad_weight"].title.text
    assert f"{g.out_channels}×{g.in_per_group}×3×3" in grids["grad_weight"].title.text


def test_the_colour_bars_show_the_levels_the_images_are_drawn_with(make_window):
    """Each colour bar spans -level..level of its array, the same levels its images use, and
    follows a new build (left alone only when its levels did not change)."""
    window = make_window(dataclasses.replace(FORWARD, mode="backward", grad_output="random"))
    scene = window.scene
    for _ in range(2):
        built = window.document.built
        for name in ("output", "grad_output"):
            level = built.levels[name]
            bar = scene.colour_bars[name]
            assert tuple(bar.levels()) == (-level, level)
            assert tuple(bar.axis.range) == (-level, level)
            assert tuple(scene.grids[name].images[0].levels) == (-level, level)
        window.controls.grad_seed.setValue(window.controls.grad_seed.value() + 1)  # new ∂L/∂y, new levels
        rebuild(window)
        assert window.document.built.levels["grad_output"] != built.levels["grad_output"]


def test_the_dilated_kernels_follow_the_kernels_and_leave_with_dilation_1(make_window):
    """The dilated kernels sit under the kernels, wherever more filters push them (their images,
    hatch and outlines together), and when dilation goes back to 1 the kernel view shows the
    kernels again."""
    window = make_window(ConvSpec(size=10, channels=3, out_channels=2, dilation=(2, 2)))
    scene = window.scene
    for filters in (2, 4):
        window.controls.out_channels.setValue(filters)
        rebuild(window)
        dilated, kernel = scene.dilated, scene.grids["kernel"]
        assert dilated.offset[1] > kernel.bounds().bottom()  # below the kernels
        x0, y0 = dilated.origin(0)
        items = dilated.images if not dilated.mosaic else dilated.images[:1]
        assert (items[0].pos().x(), items[0].pos().y()) == (x0, y0)
        assert dilated.background.path().boundingRect().top() == y0
    window.controls.dilation_h.setValue(1)
    window.controls.dilation_w.setValue(1)
    rebuild(window)
    kernel = scene.grids["kernel"]
    shown = kernel.view.viewRect()
    assert scene.dilated.shape[0] == 0
    assert shown.contains(kernel.bounds().adjusted(0.1, 0.1, -0.1, -0.1))
    assert abs(shown.center().y() - kernel.bounds().center().y()) < 0.5  # on the kernels, not the old pair


def test_a_colour_bar_is_not_set_again_with_the_same_levels(make_window, monkeypatch):
    window = make_window(FORWARD)
    scene, built = window.scene, window.document.built
    calls = []
    bar = scene.colour_bars["output"]
    real = bar.setLevels
    monkeypatch.setattr(bar, "setLevels", lambda *a, **k: (calls.append(k), real(*a, **k))[1])
    scene.show_built(built)
    assert calls == []  # the same levels: pyqtgraph's axis is not laid out again
