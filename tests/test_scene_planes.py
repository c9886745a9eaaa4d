"""The plane grid every panel is made of: the size of a cell on screen, and the numbers written
into cells only when they are big enough to read."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, QRectF

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


def test_small_planes_share_one_mosaic_image_with_nan_in_the_gaps(grid):
    _, plane_grid = grid
    planes = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    planes[1, 0, 0] = np.nan
    plane_grid.set_layout(5, 2, 3, columns=2)
    plane_grid.set_planes(planes, None, (-30, 30))
    assert plane_grid.mosaic and len(plane_grid.images) == len(plane_grid.overlays) == 1
    mosaic = plane_grid.images[0].image
    assert mosaic.shape == (3 * 3 - 1, 2 * 4 - 1) and plane_grid.images[0].pos() == QPointF(0, 0)
    for k in range(5):
        x, y = plane_grid.origin(k)
        np.testing.assert_array_equal(mosaic[y:y + 2, x:x + 3], planes[k])
    assert np.isnan(mosaic[2, :]).all() and np.isnan(mosaic[:, 3]).all()  # the gaps
    assert np.isnan(mosaic[6:8, 4:7]).all()  # the sixth place of the last row is empty
    np.testing.assert_array_equal(plane_grid.shown_planes(), planes)
    assert [plane_grid.origin(k) for k in range(3)] == [(0, 0), (4, 0), (0, 3)]
    assert plane_grid.cell_at(4.5, 0.5) == (1, 0, 0) and plane_grid.cell_at(3.5, 0.5) is None
    # an overlay on one plane: its tint where the plane is, nothing elsewhere
    tint = np.full((2, 3, 4), 200, dtype=np.uint8)
    plane_grid.set_overlay(3, tint)
    overlay = plane_grid.overlays[0].image
    assert overlay.shape == mosaic.shape + (4,) and (overlay[3:5, 4:7] == 200).all()
    assert overlay.sum() == tint.sum()
    plane_grid.set_overlay(3, None)
    assert plane_grid.overlays[0].image is None


def test_large_planes_get_an_image_each(grid):
    _, plane_grid = grid
    planes = np.random.default_rng(0).normal(size=(3, 40, 30)).astype(np.float32)
    plane_grid.set_layout(3, 40, 30)
    plane_grid.set_planes(planes, None, (-4, 4))
    assert not plane_grid.mosaic and len(plane_grid.images) == 3
    for k, image in enumerate(plane_grid.images):
        np.testing.assert_array_equal(image.image, planes[k])
        assert (image.pos().x(), image.pos().y()) == plane_grid.origin(k)
    np.testing.assert_array_equal(plane_grid.shown_planes(), planes)
    before = [image.image for image in plane_grid.images]
    changed = planes.copy()
    changed[1, 5, 5] = 9
    plane_grid.set_planes(changed, None, (-4, 4))
    after = [image.image for image in plane_grid.images]
    assert after[0] is before[0] and after[2] is before[2] and after[1] is not before[1]  # only plane 1 redone


def test_the_hatch_lies_under_every_plane_and_nowhere_else(grid):
    _, plane_grid = grid
    plane_grid.set_layout(3, 2, 2, columns=3)
    path = plane_grid.background.path()
    assert path.boundingRect() == QRectF(0, 0, 3 * 3 - 1, 2)
    assert path.contains(QPointF(0.5, 0.5)) and path.contains(QPointF(3.5, 1.5)) and not path.contains(QPointF(2.5, 0.5))


@pytest.mark.parametrize("grow_only", [False, True])
def test_a_grow_only_label_keeps_its_tallest_height_at_its_width(qtbot, grow_only):
    from convviz.scene.planes import WrappedLabel
    from convviz.scene.scene_base import settle_layout

    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    label = WrappedLabel("", justify="left", size="9pt")
    label.grow_only = grow_only
    widget.ci.addItem(label, row=0, col=0)
    widget.ci.addViewBox(row=1, col=0)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)

    def height_for(text):
        label.setText(text)
        settle_layout()
        return label.minimumHeight()

    one = height_for("one line")
    many = height_for("<br>".join(["a line"] * 6))
    assert many > 4 * one
    assert height_for("one line") == (many if grow_only else one)  # shorter text: kept, or shrunk
    widget.resize(500, 300)  # another width: the lines wrap anew, the tallest so far is forgotten
    settle_layout()
    assert height_for("one line") == one
