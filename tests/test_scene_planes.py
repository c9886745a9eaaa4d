"""The plane grid every panel is made of: the size of a cell on screen, and the numbers written
into cells only when they are big enough to read."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from convviz.scene.planes import PlaneGrid, format_number


@pytest.fixture
def grid(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    view = widget.ci.addViewBox(enableMenu=False)
    plane_grid = PlaneGrid(view, None)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, plane_grid


def shown_texts(plane_grid):
    return [(text.textItem.toPlainText(), (text.pos().x(), text.pos().y()))
            for text in plane_grid._texts if text.isVisible()]


def test_cell_pixels_is_pyqtgraphs_pixel_size_inverted(grid, qtbot):
    widget, plane_grid = grid
    for count, height, width in ((1, 3, 3), (2, 5, 4), (8, 12, 12)):
        plane_grid.set_layout(count, height, width)
        qtbot.waitUntil(lambda: plane_grid.view.viewPixelSize()[0] > 0)
        assert plane_grid.cell_pixels() == pytest.approx(1 / plane_grid.view.viewPixelSize()[0], rel=1e-6)


def test_numbers_are_written_in_big_cells_and_hidden_in_small_ones(grid, qtbot):
    widget, plane_grid = grid
    plane_grid.set_layout(1, 3, 3)
    cells = [(0, 0, 0), (0, 1, 2), (0, 2, 1)]
    values = [1.5, -0.25, 1234.0]
    plane_grid.numbers(cells, values)
    assert shown_texts(plane_grid) == [(format_number(v), (x + 0.5, y + 0.5)) for (_, y, x), v in zip(cells, values)]
    assert [t for t, _ in shown_texts(plane_grid)] == ["1.5", "-0.25", "1.2e3"]
    plane_grid.set_layout(1, 200, 200)  # cells of about one pixel: nothing can be read
    plane_grid.numbers(cells, values)
    assert plane_grid.cell_pixels() < 3 and shown_texts(plane_grid) == []
    plane_grid.set_layout(1, 3, 3)
    widget.resize(400, 301)  # a resize writes the last numbers again, now that they fit
    qtbot.waitUntil(lambda: len(shown_texts(plane_grid)) == 3)


def test_planes_show_their_arrays_and_nan_is_transparent(grid):
    _, plane_grid = grid
    plane_grid.set_layout(2, 2, 3)
    planes = np.array([[[1, 2, 3], [4, 5, 6]], [[np.nan, 0, -1], [2, 2, 2]]], dtype=np.float32)
    plane_grid.set_planes(planes, None, (-6, 6))
    for image, plane in zip(plane_grid.images, planes):
        np.testing.assert_array_equal(image.image, plane)
    assert [plane_grid.origin(k) for k in range(2)] == [(0, 0), (4, 0)]
    assert plane_grid.cell_at(4.5, 0.5) == (1, 0, 0) and plane_grid.cell_at(3.5, 0.5) is None
