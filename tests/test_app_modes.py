"""The visualizer's other operations, driven as a user would: max and average pooling (forward and
backward) and the transposed convolution (the scatter road and the direct road). What the grids
hold, the math line, the hover links and the badge are checked against torch's own functions on
the same arrays; invalid combinations say why next to their control and keep the last picture."""

from __future__ import annotations

import dataclasses
import html
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from app_helpers import FLOAT32, choose, grid_planes, outlined_colours, rebuild

from convviz.data.picture import resize_axis, working_shape
from convviz.scene import palette
from convviz.scene.conv_scene import ConvScene
from convviz.scene.pool_scene import PoolScene
from convviz.scene.transposed_scene import TransposedScene
from convviz.state.spec import ConvSpec

pytestmark = pytest.mark.usefixtures("no_threads_left", "one_torch_thread")

MAX_BACKWARD = dataclasses.replace(ConvSpec(size=9, channels=3).with_operation("max_pool"), kernel_size=(3, 3),
                                   stride=(2, 2), padding=(1, 1), ceil_mode=True, mode="backward",
                                   grad_output="random", grad_seed=4)
AVG_BACKWARD = dataclasses.replace(ConvSpec(size=8).with_operation("avg_pool"), kernel_size=(3, 3), stride=(2, 1),
                                   padding=(1, 1), count_include_pad=False, mode="backward", grad_output="random")
TRANSPOSED = dataclasses.replace(ConvSpec(size=6, channels=3, out_channels=2).with_operation("conv_transpose"),
                                 presets=("box", "random"), seed=3, bias=True, bias_value=0.25)


def shown_text(label) -> str:
    """A scene label's text as the user reads it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", label.text))


def torch_pool(window):
    """torch's output and input gradient for the pooling on screen."""
    args = window.document.built.args
    x = torch.tensor(args.input, requires_grad=True)
    pool = F.max_pool2d if args.kind == "max" else F.avg_pool2d
    y = pool(x, **args.pool_kwargs())
    gi = None
    if args.grad_output is not None:
        y.backward(torch.tensor(args.grad_output))
        gi = x.grad.numpy()
    return y.detach().numpy(), gi


def torch_transposed(window):
    args = window.document.built.args
    bias = None if args.bias is None else torch.tensor(args.bias)
    return F.conv_transpose2d(torch.tensor(args.input), torch.tensor(args.weight), bias,
                              **args.transposed_kwargs()).numpy()


def test_choosing_max_pooling_shows_the_pooling_and_only_its_controls(window):
    controls = window.controls
    choose(controls.operation, "max_pool")
    spec = window.document.spec
    assert spec.operation == "max_pool" and spec.kernel_size == (2, 2) and spec.stride == (2, 2)
    rebuild(window)
    assert isinstance(window.scene, PoolScene) and window.scene_stack.currentWidget() is window.scene
    assert controls.weights_box.isHidden() and controls.groups_row.isHidden() and controls.padding_mode_row.isHidden()
    assert not controls.ceil_mode_row.isHidden() and controls.count_include_pad_row.isHidden()
    assert controls.kernel_group.title() == "Window"
    window.player.end()
    expected, _ = torch_pool(window)
    np.testing.assert_allclose(grid_planes(window, "output"), expected, **FLOAT32)
    assert "equals torch.nn.functional.max_pool2d" in shown_text(window.scene.header)
    assert "max pooling 2×2" in shown_text(window.scene.math) or "max(" in shown_text(window.scene.math)
    # back to the convolution, and the undo stack walks the same way
    window.document.undo_stack.undo()
    rebuild(window)
    assert window.document.spec.operation == "conv" and isinstance(window.scene, ConvScene)
    assert not controls.weights_box.isHidden()


def test_max_pooling_forward_and_backward_frames_show_the_engine_and_torch(make_window):
    window = make_window(MAX_BACKWARD)
    trace = window.document.built.trace
    scene = window.scene
    pool = trace.phase("pool")
    frame = trace[pool.first + 5]
    window.player.seek(pool.first + 5)
    n, c, oy, ox = frame.element
    # the window's cells are outlined, the maximum in its own colour, and the math names it
    colours = outlined_colours(scene.grids["input"], "frame")
    cells = [(c, int(y), int(x)) for y, x in frame.window.padded]
    assert set(colours) == set(cells)
    assert colours[cells[frame.chosen]] == palette.HOVER.lower()
    assert f"y[{c}, {oy}, {ox}]" in shown_text(scene.math) and "max(" in shown_text(scene.math)
    # the output so far: exactly the first 6 elements, the rest not computed yet (NaN)
    shown = grid_planes(window, "output")
    assert np.count_nonzero(~np.isnan(shown)) == 6
    window.player.end()
    expected, grad_input = torch_pool(window)
    np.testing.assert_allclose(grid_planes(window, "output"), expected, **FLOAT32)
    np.testing.assert_allclose(grid_planes(window, "grad_input"), grad_input, **FLOAT32)
    route = trace[trace.phase("route").first]
    window.player.seek(route.index)
    assert "all of it goes to the window's maximum" in shown_text(scene.math)
    assert set(outlined_colours(scene.grids["grad_input"], "frame")) == {
        (route.element[1], int(y), int(x)) for y, x in route.targets}


def test_average_pooling_backward_spreads_the_gradient_as_torch(make_window):
    window = make_window(AVG_BACKWARD)
    scene, trace = window.scene, window.document.built.trace
    window.player.end()
    expected, grad_input = torch_pool(window)
    np.testing.assert_allclose(grid_planes(window, "output"), expected, **FLOAT32)
    np.testing.assert_allclose(grid_planes(window, "grad_input"), grad_input, **FLOAT32)
    first = trace.phase("pool").first  # a corner window: 4 of its 9 cells are padding, not counted
    window.player.seek(first)
    assert "/ 4 =" in shown_text(scene.math) and "divisor counts only the image's pixels" in shown_text(scene.math)
    window.player.seek(trace.phase("route").first)
    assert "spread evenly" in shown_text(scene.math) and "÷ 4" in shown_text(scene.math)


def test_pooling_hover_links_a_pixel_to_the_windows_that_chose_it(make_window):
    window = make_window(MAX_BACKWARD)
    scene, trace = window.scene, window.document.built.trace
    window.player.end()
    top, _, left, _ = trace.pads
    # an output cell lights its window, the maximum in the current colour
    window_record = trace.receptive_field(0, 1, 1, 2)
    text = scene.hover("output", (1, 1, 2))
    colours = outlined_colours(scene.grids["input"])
    assert set(colours) == {(1, int(y), int(x)) for y, x in window_record.padded}
    chosen = tuple(int(v) for v in window_record.padded[window_record.chosen])
    assert colours[(1,) + chosen] == palette.CURRENT.lower()
    assert "y[1, 1, 2]" in text and "its maximum x[1" in text
    # an input pixel lights every window reading it; its gradient is the sum torch's autograd gives
    _, grad_input = torch_pool(window)
    y, x = chosen[0] - top, chosen[1] - left
    text = scene.hover("input", (1, chosen[0], chosen[1]))
    readers = trace.pixel_readers(0, 1, y, x)
    assert set(outlined_colours(scene.grids["output"])) == {(1, int(oy), int(ox)) for _, _, oy, ox in readers.element}
    assert f"is in {len(readers)} windows" in text
    np.testing.assert_allclose(float(readers.contribution.sum()), grad_input[1, y, x], rtol=1e-12, atol=1e-12)
    assert scene.hover("input", (1, 0, 0)).startswith("padding cell")


def test_invalid_pooling_values_say_why_and_keep_the_last_picture(make_window):
    window = make_window(dataclasses.replace(AVG_BACKWARD, mode="forward"))
    built = window.document.built
    controls = window.controls
    window.document.propose(dataclasses.replace(window.document.spec, dilation=(2, 1)))
    assert "average pooling has no dilation" in controls.errors["dilation"].text()
    assert not controls.dilation_h.isEnabled()
    assert window.document.built is built and window.document.stale and window.scene.stale
    window.document.propose(dataclasses.replace(window.document.spec, dilation=(1, 1), padding=(2, 1)))
    assert "padding must be at most half the kernel size" in controls.errors["padding"].text()
    window.document.propose(dataclasses.replace(window.document.spec, padding="same"))
    assert "'same' is for convolutions" in controls.errors["padding"].text()
    assert window.document.built is built


def test_the_transposed_scatter_road_ends_in_torchs_conv_transpose2d(make_window):
    window = make_window(TRANSPOSED)
    scene, trace = window.scene, window.document.built.trace
    assert isinstance(scene, TransposedScene)
    assert not window.controls.road_row.isHidden() and not window.controls.output_padding_row.isHidden()
    frame = trace[7]
    window.player.seek(7)
    n, c, iy, ix = frame.element
    assert f"x[{c}, {iy}, {ix}]" in shown_text(scene.math) and "times every weight" in shown_text(scene.math)
    assert set(outlined_colours(scene.grids["full"], "frame")) == {
        (int(f), int(y), int(x)) for f, (y, x) in zip(frame.out_channel, frame.full)}
    window.player.end()
    np.testing.assert_allclose(grid_planes(window, "output"), torch_transposed(window), **FLOAT32)
    # every product has landed: the counts are the overlap, C/G input channels' worth per cell
    counts = grid_planes(window, "counts")
    np.testing.assert_array_equal(counts, np.broadcast_to(trace.full_counts() * 3, counts.shape))
    assert "1, 2, 4" in shown_text(scene.math) and "checkerboard" in shown_text(scene.math)
    assert "equals torch.nn.functional.conv_transpose2d" in shown_text(scene.header)


def test_the_direct_road_is_a_convolution_with_the_same_output(make_window):
    window = make_window(TRANSPOSED)
    expected = torch_transposed(window)
    choose(window.controls.road, "direct")
    rebuild(window)
    scene = window.scene
    assert isinstance(scene, ConvScene)
    assert "zero-inserted input z" in shown_text(scene.grids["input"].title)
    assert "as a direct convolution" in shown_text(scene.header)
    window.player.end()
    np.testing.assert_allclose(grid_planes(window, "output"), expected, **FLOAT32)
    # the zero-inserted input: x's pixels every 2nd cell, zeros between
    z = grid_planes(window, "input")
    x = window.document.built.args.input
    np.testing.assert_allclose(z[:, 1:-1:2, 1:-1:2][:, : x.shape[1], : x.shape[2]], x, **FLOAT32)
    assert np.all(z[:, 2:-1:2, :] == 0)


def test_the_transposed_convolution_plays_forward_only_and_says_so(make_window):
    window = make_window(TRANSPOSED)
    controls = window.controls
    assert not controls.mode.model().item(1).isEnabled()
    window.document.propose(dataclasses.replace(window.document.spec, mode="backward"))
    assert "its backward is an ordinary convolution" in controls.errors["mode"].text()
    window.document.propose(dataclasses.replace(window.document.spec, mode="forward", output_padding=(2, 2)))
    assert "output_padding must be smaller than either stride or dilation" in controls.errors["output_padding"].text()


def test_the_operation_is_remembered_by_the_next_window(make_window, app_settings_file):
    window = make_window(TRANSPOSED)
    window.close()
    again = make_window()
    assert again.document.spec == TRANSPOSED
    assert isinstance(again.scene, TransposedScene)
    assert again.controls.operation.currentData() == "conv_transpose"


def test_presenter_mode_grows_the_text_of_a_scene_made_later(make_window):
    window = make_window(ConvSpec(size=8))
    window.set_presenter_mode(True)
    window.document.propose(window.document.spec.with_operation("max_pool"))
    rebuild(window)
    assert isinstance(window.scene, PoolScene) and window.scene.text_scale == 1.7
    window.set_presenter_mode(False)
    assert window.scene.text_scale == 1.0


def test_the_receptive_field_page_draws_on_the_visualizers_picture_and_is_remembered(make_window):
    window = make_window(ConvSpec(size=8))
    view = window.receptive_field
    assert window.pages.tabText(window.pages.indexOf(view)) == "Receptive field"
    def expected_picture():
        picture = window.document.picture
        pixels = picture.pixels[..., 0] if picture.was_gray else picture.pixels
        height, width = working_shape(pixels.shape[:2], view.working_size(), minimum=1)
        return np.clip(resize_axis(resize_axis(np.ascontiguousarray(pixels), width, axis=1), height, axis=0), 0, 1)

    np.testing.assert_allclose(view.image_item.image, expected_picture(), **FLOAT32)
    window.document.open_sample("checker")
    assert window.document.picture.was_gray
    np.testing.assert_allclose(view.image_item.image, expected_picture(), **FLOAT32)
    window.pages.setCurrentWidget(view)
    assert all(dock.isHidden() for dock in window.findChildren(type(window.lesson_dock)))
    view.apply_preset("source_network")
    view.set_output_pixel(2, 5)
    state = view.state()
    window.close()
    again = make_window()
    assert again.receptive_field.state() == state


def test_the_pooling_and_checkerboard_lessons_open_in_their_modes(make_window):
    window = make_window(ConvSpec(size=8))
    titles = [action.text() for action in window.lesson_actions]
    for title, scene_type, frame in (("Where the gradient of a max goes", PoolScene, 40),
                                     ("The checkerboard of a transposed convolution", TransposedScene, 30)):
        window.lesson_actions[titles.index(title)].trigger()
        rebuild(window)
        assert isinstance(window.scene, scene_type) and window.player.frame == frame
        assert title in window.lesson_text.toPlainText()
