"""Hover linking and the side panels: an output cell outlines exactly its receptive field, an input
pixel every output it feeds (its gradient the sum torch's autograd gives), a weight every input
cell it multiplies (its gradient torch's); the im2col, groups and two-roads panels show the
arrays of the build on screen."""

from __future__ import annotations

import re

import numpy as np
import pytest
from app_helpers import outlined_cells, outlined_colours, torch_answer
from PySide6.QtCore import QPointF

from convviz.scene.palette import tap_colour
from convviz.scene.planes import format_number
from convviz.state.spec import ConvSpec

pytestmark = pytest.mark.usefixtures("no_threads_left", "one_torch_thread")

# Depthwise (3 channels, 3 filters, groups 3) with reflect padding, so that pixels also feed outputs
# through the padding cells copied from them; and a dense one with zero padding.
DEPTHWISE = ConvSpec(size=8, channels=3, out_channels=3, presets=("sobel_x", "random", "laplacian"), seed=2,
                     groups=3, stride=(2, 1), dilation=(1, 2), padding=(1, 2), padding_mode="reflect",
                     mode="backward", grad_output="random", grad_seed=1)
DENSE = ConvSpec(size=8, channels=3, out_channels=2, presets=("sobel_y", "random"), seed=5, padding=(2, 1),
                 mode="backward", grad_output="random", grad_seed=3, stride=(1, 2))


def last_number(text: str) -> str:
    match = re.search(r"= ([-+0-9.e]+|nan|inf)$", text)
    assert match, text
    return match.group(1)


@pytest.mark.parametrize("spec", [DEPTHWISE, DENSE], ids=["depthwise-reflect", "dense-zeros"])
def test_an_output_cell_outlines_exactly_its_receptive_field(make_window, spec):
    window = make_window(spec)
    scene, trace = window.scene, window.document.built.trace
    g = trace.geometry
    window.player.end()
    for f, oy, ox in [(0, 0, 0), (g.out_channels - 1, g.out_height - 1, g.out_width - 1), (1, 1, 2)]:
        text = scene.hover("output", (f, oy, ox))
        taps = trace.receptive_field(0, f, oy, ox)
        expected = {(int(c), int(y), int(x)) for c, (y, x) in zip(taps.channel, taps.padded)}
        assert outlined_cells(scene.grids["input"]) == expected
        colours = outlined_colours(scene.grids["input"])
        for (c, i, j), cell in zip(taps.kernel_index, zip(taps.channel, taps.padded[:, 0], taps.padded[:, 1])):
            assert colours[tuple(int(v) for v in cell)] == tap_colour(int(i), int(j), g.kernel_size[1])
        assert f"y[{f}, {oy}, {ox}]" in text and f"{len(taps)} taps" in text
        assert format_number(float(trace.output[f, oy, ox])) in text
        assert f"∂L/∂y = {format_number(float(trace.grad_output[f, oy, ox]))}" in text
        assert scene.hover_text == text
        # hovering the same cell of ∂L/∂y links the same way
        assert scene.hover("grad_output", (f, oy, ox)) == text
    assert outlined_cells(scene.grids["output"]) == set()
    scene.hover(None, None)
    assert all(outlined_cells(grid) == set() for grid in scene.grids.values())
    assert scene.hover_text == ""


def test_an_output_not_computed_yet_says_so(make_window):
    window = make_window(ConvSpec(size=8))
    window.player.home()
    text = window.scene.hover("output", (0, 3, 3))
    assert "not computed yet" in text
    window.player.end()
    assert "not computed yet" not in window.scene.hover("output", (0, 3, 3))


@pytest.mark.parametrize("spec", [DEPTHWISE, DENSE], ids=["depthwise-reflect", "dense-zeros"])
def test_an_input_pixel_outlines_every_output_it_feeds_and_its_gradient_is_torchs(make_window, spec):
    window = make_window(spec)
    scene, trace = window.scene, window.document.built.trace
    g = trace.geometry
    top, _, left, _ = g.pads
    expected = torch_answer(spec, window.document.working_image())["grad_input"]
    for c, y, x in [(0, 0, 0), (g.in_channels - 1, g.height - 1, g.width - 1), (1, 3, 4), (2, 5, 1)]:
        text = scene.hover("input", (c, y + top, x + left))
        readers = trace.pixel_readers(0, c, y, x)
        outputs = {(int(f), int(oy), int(ox)) for _, f, oy, ox in readers.element}
        assert outlined_cells(scene.grids["output"]) == outputs
        assert outlined_cells(scene.grids["grad_output"]) == outputs
        assert f"x[{c}, {y}, {x}]" in text and f"feeds {len(outputs)} output values" in text
        assert f"sum of {len(readers)} terms" in text
        assert float(readers.contribution.sum()) == pytest.approx(expected[c, y, x], abs=1e-12)
        assert last_number(text) == format_number(float(expected[c, y, x]))
        # the same pixel of ∂L/∂x links the same way
        assert scene.hover("grad_input", (c, y + top, x + left)) == text


def test_every_input_pixel_feeds_the_outputs_that_read_it(make_window):
    """Output -> input and input -> output are the same relation, cell for cell."""
    window = make_window(DEPTHWISE)
    scene, trace = window.scene, window.document.built.trace
    g = trace.geometry
    reads = {}
    for f in range(g.out_channels):
        for oy in range(g.out_height):
            for ox in range(g.out_width):
                taps = trace.receptive_field(0, f, oy, ox)
                for c, (sy, sx) in zip(taps.channel, taps.source):
                    if sy >= 0:
                        reads.setdefault((int(c), int(sy), int(sx)), set()).add((f, oy, ox))
    top, _, left, _ = g.pads
    for c in range(g.in_channels):
        for y in range(0, g.height, 3):
            for x in range(0, g.width, 3):
                scene.hover("input", (c, y + top, x + left))
                assert outlined_cells(scene.grids["output"]) == reads.get((c, y, x), set()), (c, y, x)


@pytest.mark.parametrize("spec", [DEPTHWISE, DENSE], ids=["depthwise-reflect", "dense-zeros"])
def test_a_weight_outlines_the_input_cells_it_touches_and_its_gradient_is_torchs(make_window, spec):
    window = make_window(spec)
    scene, trace = window.scene, window.document.built.trace
    g = trace.geometry
    per_group = g.in_per_group
    expected = torch_answer(spec, window.document.working_image())["grad_weight"]
    kh, kw = g.kernel_size
    for f, c, i, j in [(0, 0, 0, 0), (g.out_channels - 1, per_group - 1, kh - 1, kw - 1), (1, 0, 1, 2)]:
        text = scene.hover("kernel", (f * per_group + c, i, j))
        reads = trace.weight_tap_reads(f, c, i, j)
        cells = {(int(reads.channel), int(y), int(x)) for y, x in reads.padded}
        assert outlined_cells(scene.grids["input"]) == cells
        assert len(cells) == g.out_height * g.out_width  # one cell per output of the filter
        assert f"w[{f}, {c}, {i}, {j}]" in text and f"multiplies {len(reads)} input cells" in text
        assert f"= {format_number(float(trace.weight[f, c, i, j]))} " in text
        assert float(reads.contribution.sum()) == pytest.approx(expected[f, c, i, j], abs=1e-12)
        assert last_number(text) == format_number(float(expected[f, c, i, j]))
        assert scene.hover("grad_weight", (f * per_group + c, i, j)) == text


def test_a_copied_padding_cell_says_where_it_comes_from(make_window):
    window = make_window(DEPTHWISE)
    scene, trace = window.scene, window.document.built.trace
    g = trace.geometry
    top, _, left, _ = g.pads
    rows = np.pad(np.arange(g.height), (top, g.pads[1]), mode="reflect")
    columns = np.pad(np.arange(g.width), (left, g.pads[3]), mode="reflect")
    for y, x in [(0, 0), (0, 5), (g.padded_height - 1, g.padded_width - 1)]:
        text = scene.hover("input", (1, y, x))
        assert "padding cell" in text and "reflect" in text
        assert f"a copy of input pixel x[1, {rows[y]}, {columns[x]}]" in text
        assert outlined_cells(scene.grids["input"]) == {(1, rows[y] + top, columns[x] + left)}
    window.document.restore(ConvSpec(size=8))
    window.document.build_now()
    text = scene.hover("input", (0, 0, 0))
    assert "padding cell" in text and "zeros" in text and "copy" not in text


def test_the_mouse_over_a_cell_hovers_it_and_the_status_bar_says_so(make_window, qtbot):
    window = make_window(DENSE)
    scene = window.scene
    qtbot.waitUntil(lambda: scene.grids["output"].view.sceneBoundingRect().width() > 10, timeout=5000)
    for name, cell in [("output", (1, 2, 3)), ("kernel", (4, 1, 2)), ("input", (2, 4, 5))]:
        grid = scene.grids[name]
        x0, y0 = grid.origin(cell[0])
        position = grid.view.mapViewToScene(QPointF(x0 + cell[2] + 0.5, y0 + cell[1] + 0.5))
        expected = scene.hover(name, cell)
        scene.hover(None, None)
        window.status.setText("")
        scene.scene().sigMouseMoved.emit(position)
        assert scene.hover_text == expected != ""
        assert window.status.text() == expected
        assert scene.toolTip() == expected


def test_the_hover_text_goes_when_the_mouse_leaves_or_the_numbers_change(make_window):
    """The status bar never keeps describing a cell that is no longer under the mouse, or numbers
    that a new build replaced; a message that is not a hover text stays."""
    window = make_window(DENSE)
    scene = window.scene
    text = scene.hover("output", (1, 2, 3))
    assert window.status.text() == text != "" and scene.toolTip() == text
    scene.hover(None, None)  # the mouse left the cells
    assert window.status.text() == "" and scene.toolTip() == ""
    scene.hover("output", (1, 2, 3))
    window.controls.stride_h.setValue(2)
    window.document.build_now()
    assert window.status.text() == "" and scene.toolTip() == "" and scene.hover_text == ""
    assert scene.grids["output"].outlined("hover") == {}
    window.show_error("a message")
    scene.hover(None, None)
    assert window.status.text() == "a message"


def test_the_im2col_panel_lights_the_frames_row_and_column(make_window):
    window = make_window(DENSE)
    window.side_tabs.setCurrentWidget(window.im2col_panel)
    panel, trace = window.im2col_panel, window.document.built.trace
    slide = trace.phase("slide")
    for index in (slide.first, slide.first + 7, slide.last):
        window.player.seek(index)
        position = trace.im2col_position(index)
        frame = trace[index]
        assert panel.column_box.rect().x() == position.column
        assert panel.weight_row.rect().y() == position.weight_row
        columns = panel.column_image.image
        weights = panel.weight_image.image
        # the lit column holds the window's input values, the lit row the filter's weights
        np.testing.assert_allclose(columns[:, position.column], frame.taps.input_value, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(weights[position.weight_row], frame.taps.weight_value, rtol=1e-6, atol=1e-7)
        assert f"column {position.column}" in panel.note.text()


def test_the_groups_panel_shows_who_connects_to_whom(make_window):
    window = make_window(DEPTHWISE)
    panel = window.groups_panel
    np.testing.assert_array_equal(panel.matrix, np.where(np.eye(3, dtype=bool), np.arange(3)[:, None], -1))
    assert "3 group" in panel.title.text
    text = panel.counts.text()
    assert "= 27" in text and "(81 with groups=1)" in text   # 3·1·3·3 weights, 3·3·3·3 dense
    window.document.restore(ConvSpec(size=8, channels=3, out_channels=2, presets=("box", "box")))
    window.document.build_now()
    np.testing.assert_array_equal(panel.matrix, np.zeros((3, 2)))
    assert "1 group" in panel.title.text


def test_the_two_roads_panel_agrees_with_torch(make_window):
    spec = ConvSpec(size=8, mode="backward", grad_output="random", stride=(2, 2), padding=(1, 1))
    window = make_window(spec)
    window.side_tabs.setCurrentWidget(window.roads_panel)
    panel = window.roads_panel
    assert "agree" in panel.check.text() and "DISAGREE" not in panel.check.text()
    g = window.document.built.trace.geometry
    top, _, left, _ = g.pads
    result = np.asarray(panel.result_image.image, dtype=np.float64)
    expected = torch_answer(spec, window.document.working_image())["grad_input"][0]
    np.testing.assert_allclose(result[top:top + g.height, left:left + g.width], expected, rtol=1e-6, atol=1e-6)
    window.controls.mode.setCurrentIndex(window.controls.mode.findData("forward"))
    window.document.build_now()
    assert "backward mode" in panel.check.text()


def test_a_column_matrix_too_large_to_draw_is_said_not_built(make_window, monkeypatch):
    """The im2col panel builds its matrices on the GUI thread: past its size limit it says so."""
    from convviz.qt.side_panels import Im2colPanel
    from convviz.state.spec import ConvSpec

    window = make_window(ConvSpec(size=12))
    window.side_tabs.setCurrentWidget(window.im2col_panel)
    panel, trace = window.im2col_panel, window.document.built.trace
    monkeypatch.setattr(Im2colPanel, "MAX_CELLS", 10)
    built = []
    monkeypatch.setattr(trace, "im2col_matrices", lambda group: built.append(group))
    window.player.seek(trace.phase("slide").first + 3)
    assert "too large to draw" in panel.note.text() and built == []
    assert panel.column_image.image is None


def test_the_code_panel_writes_the_code_of_the_build_when_its_tab_is_seen(make_window):
    """The code is written when its tab is shown (not on every build behind another tab), and is
    then the code of the build on screen."""
    from convviz.state.torch_code import torch_code

    window = make_window(ConvSpec(size=8))
    panel = window.code_panel
    assert not panel.isVisible() and panel.text.toPlainText() == ""  # behind the groups tab
    window.side_tabs.setCurrentWidget(panel)
    built = window.document.built
    assert panel.text.toPlainText() == torch_code(built.spec, built.args)
    window.controls.stride_h.setValue(2)  # seen: a new build rewrites it at once
    window.document.build_now()
    built = window.document.built
    assert built.spec.stride == (2, 1) and panel.text.toPlainText() == torch_code(built.spec, built.args)
    window.side_tabs.setCurrentWidget(window.groups_panel)
    window.controls.stride_h.setValue(3)
    window.document.build_now()
    assert "stride=(2, 1)" in panel.text.toPlainText()  # hidden: not rewritten yet
    window.side_tabs.setCurrentWidget(panel)
    assert "stride=(3, 1)" in panel.text.toPlainText()
