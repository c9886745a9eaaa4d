"""The receptive-field view driven with qtbot: read back from what it shows (the table's text, the
rectangles' coordinates on the picture, the labels), never from its private state alone."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QSpinBox

from convviz.qt.receptive_field_view import MAX_LAYERS, PRESET_KEYS, ReceptiveFieldView
from convviz.trace.receptive_field import PRESETS, SOURCE_NETWORK, Layer

R_COLUMN, FORMULA_COLUMN = 2, 5


@pytest.fixture
def view(qtbot, no_threads_left):
    widget = ReceptiveFieldView()
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def column(view, c: int) -> list[str]:
    return [view.table.item(r, c).text() for r in range(view.table.rowCount())]


def rects(view) -> list[QRectF]:
    return [item.rect() for item in view.share_items]


def test_it_opens_on_the_source_network_with_the_hand_worked_numbers(view):
    assert view.layers() == SOURCE_NETWORK and view.working_size() == 224 and view.current
    assert column(view, 1) == ["224 × 224", "72 × 72", "36 × 36", "32 × 32", "16 × 16", "16 × 16", "14 × 14", "7 × 7"]
    assert column(view, R_COLUMN) == ["1", "11", "14", "38", "44", "68", "92", "104"]
    assert column(view, 3) == ["1", "3", "6", "6", "12", "12", "12", "24"]
    assert column(view, 4) == ["0", "5", "6.5", "18.5", "21.5", "21.5", "33.5", "39.5"]
    assert view.table.item(3, FORMULA_COLUMN).text() == "r₃ = r₂ + (k−1)·j₂ = 14 + (5−1)·6 = 38"
    assert view.table.item(3, 1).toolTip() == "n₃ = ⌊(n₂ + 2p − k)/s⌋ + 1 = ⌊(36 + 2·0 − 5)/1⌋ + 1 = 32"
    # Output (3, 3): centre 39.5 + 3·24 = 111.5, ± 51.5 -> rows and columns 60..163.
    assert view.output_pixel() == (3, 3)
    assert rects(view)[-1] == QRectF(60, 60, 104, 104)
    assert "rows 60 to 163 and columns 60 to 163" in view.picture_title.text()
    assert view.editor.preset.currentData() == "source_network"


def test_changing_a_kernel_changes_the_table_and_the_rectangles(view, qtbot):
    view.apply_preset("two_3x3")
    view.set_working_size(16)
    view.set_output_pixel(2, 1)
    assert column(view, R_COLUMN) == ["1", "3", "5"]
    # Output (2, 1) of two 3×3: rows 2..6, columns 1..5; layer 1's central unit (3, 2) sees rows 3..5.
    assert rects(view) == [QRectF(2, 3, 3, 3), QRectF(1, 2, 5, 5)]
    with qtbot.waitSignal(view.changed):
        view.editor.rows[0].spins["kernel"].setValue(5)
    # r₁ = 5, r₂ = 5 + 2·1 = 7; output (2, 1) now sees rows 2..8, columns 1..7.
    assert column(view, R_COLUMN) == ["1", "5", "7"]
    assert view.table.item(2, FORMULA_COLUMN).text() == "r₂ = r₁ + (k−1)·j₁ = 5 + (3−1)·1 = 7"
    assert column(view, 1) == ["16 × 16", "12 × 12", "10 × 10"]
    assert rects(view) == [QRectF(2, 3, 5, 5), QRectF(1, 2, 7, 7)]
    assert view.editor.preset.currentIndex() == -1  # no longer the preset
    assert view.editor.preset.currentText() == "" and view.editor.preset.placeholderText() == "your own stack"


@pytest.mark.parametrize("key, last_r, last_jump", [("two_3x3", "5", "1"), ("conv_pool_conv", "8", "2"),
                                                    ("dilated", "15", "1"), ("source_network", "104", "24")])
def test_each_preset_from_the_combo(view, key, last_r, last_jump):
    view.set_working_size(64)
    view.set_layers([Layer.conv(1)])
    view.editor.preset.activated.emit(view.editor.preset.findData(key))  # what choosing it in the list sends
    assert view.layers() == PRESETS[key]
    assert column(view, R_COLUMN)[-1] == last_r and column(view, 3)[-1] == last_jump
    assert view.working_size() == (224 if key == "source_network" else 64)
    assert view.editor.preset.currentData() == key
    assert len(view.share_items) == len(PRESETS[key]) == view.table.rowCount() - 1
    assert sorted(view.editor.preset.itemData(i) for i in range(view.editor.preset.count())) == sorted(PRESET_KEYS)


def test_a_stack_that_no_longer_fits_is_named_and_the_old_drawing_stays_marked(view):
    before = rects(view)
    view.set_working_size(40)
    # 40 -> ⌊29/3⌋+1 = 10 -> 5 -> 1 -> a 2×2 pool cannot fit one row.
    assert not view.current
    assert "Layer 4 does not fit" in view.message.text()
    assert "n₄ = ⌊(n₃ + 2p − k)/s⌋ + 1 = ⌊(1 + 2·0 − 2)/2⌋ + 1 = 0" in view.message.text()
    assert rects(view) == before
    assert all(item.pen().style() == Qt.DashLine for item in view.share_items)
    assert view.stale_text.toPlainText() == "not current: the stack is invalid" and view.stale_text.isVisible()
    assert view.picture_title.text().startswith("Not current")
    assert column(view, 1)[0] == "224 × 224"  # the table keeps the last valid numbers, greyed
    view.set_working_size(224)
    assert view.current and view.message.text() == "" and not view.stale_text.isVisible()
    assert all(item.pen().style() == Qt.SolidLine for item in view.share_items)
    assert rects(view) == before


def test_a_pooling_padding_over_half_its_kernel_is_refused_with_the_rule(view):
    before = rects(view)
    view.editor.rows[1].spins["padding"].setValue(2)  # max pool 2×2 with p = 2
    assert not view.current and rects(view) == before
    assert view.message.text() == ("Layer 2: a pooling's padding must be at most half its kernel (p ≤ k // 2, as "
                                   "torch requires); here p = 2 and k = 2.")
    view.editor.rows[1].spins["kernel"].setValue(4)  # now p = 2 = 4 // 2: allowed; r₂ = 11 + 3·3 = 20
    assert view.current and column(view, R_COLUMN)[2] == "20"


def test_hovering_a_row_lights_its_share_and_shows_its_formulas(view, qtbot):
    table = view.table
    centre = table.visualItemRect(table.item(3, 2)).center()
    qtbot.mouseMove(table.viewport(), centre)
    qtbot.waitUntil(lambda: view.lit == 3)
    lit = view.share_items[2]
    assert lit.pen().widthF() == 4.5 and lit.brush().style() != Qt.NoBrush
    assert all(item.pen().color().alpha() == 70 for i, item in enumerate(view.share_items) if i != 2)
    assert [table.item(r, 0).background().color().alpha() for r in range(1, 8)] == [0, 0, 45, 0, 0, 0, 0]
    text = view.formula.text()
    assert "r₃ = r₂ + (k−1)·j₂ = 14 + (5−1)·6 = 38" in text and "j₃ = j₂·s = 6·1 = 6" in text
    assert "c₃ = c₂ + ((k−1)/2 − p)·j₂ = 6.5 + ((5−1)/2 − 0)·6 = 18.5" in text
    # Layer 3's central unit on the way to output (3, 3): its field is 38 wide, inside the whole field.
    assert lit.rect().width() == 38 and view.share_items[-1].rect().contains(lit.rect())
    second = table.visualItemRect(table.item(6, 0)).center()
    qtbot.mouseMove(table.viewport(), second)
    qtbot.waitUntil(lambda: view.lit == 6)
    assert "r₆ = r₅ + (k−1)·j₅ = 68 + (3−1)·12 = 92" in view.formula.text()
    qtbot.mouseMove(view.size_spin)   # leaving the table: nothing lit
    qtbot.waitUntil(lambda: view.lit is None)
    assert all(item.brush().style() == Qt.NoBrush for item in view.share_items)
    assert view.formula.text().startswith("Hover a layer")


def click_box(qtbot, widget, box, x: float, y: float) -> None:
    point = widget.mapFromScene(box.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(widget.viewport(), Qt.LeftButton, pos=point)


def test_clicking_the_output_grid_chooses_the_pixel(view, qtbot):
    with qtbot.waitSignal(view.changed):
        click_box(qtbot, view.output_grid, view.grid_box, 6.5, 0.5)  # row 0, column 6
    assert view.output_pixel() == (0, 6)
    assert view.chosen_item.rect() == QRectF(6, 0, 1, 1)
    # Row 0 starts at 39.5 − 51.5 = −12; column 6 at 39.5 + 144 − 51.5 = 132 and ends at 235.
    assert rects(view)[-1] == QRectF(132, -12, 104, 104)
    assert "past the picture's edge (top, right), into the padding" in view.picture_title.text()


def test_clicking_the_picture_chooses_the_output_centred_nearest(view, qtbot):
    click_box(qtbot, view.picture, view.picture_box, 40.5, 200.5)  # pixel (200, 40)
    # Centres are 39.5 + 24·o: row (200 − 39.5)/24 = 6.7 -> 7, clamped to 6; column 0.02 -> 0.
    assert view.output_pixel() == (6, 0)


def test_a_smaller_output_clamps_the_chosen_pixel(view):
    view.set_output_pixel(6, 5)
    view.set_working_size(120)   # 120 -> 37 -> 18 -> 14 -> 7 -> 7 -> 5 -> 2
    assert column(view, 1)[-1] == "2 × 2" and view.output_pixel() == (1, 1)
    assert view.out_row.maximum() == 1


def test_adding_and_removing_layers_within_one_to_eight(view):
    view.apply_preset("two_3x3")
    while view.editor.add_button.isEnabled():
        view.editor.add_button.click()
    assert len(view.layers()) == MAX_LAYERS == view.table.rowCount() - 1
    assert view.layers()[-1] == Layer.conv(3) and column(view, R_COLUMN)[-1] == "17"  # 1 + 8·2
    while view.editor.remove_button.isEnabled():
        view.editor.remove_button.click()
    assert view.layers() == (Layer.conv(3),) and len(view.share_items) == 1
    # A removed row's widgets never become windows of their own while they wait to be deleted.
    assert view.editor.rows[0].kind.isVisible()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, (QLabel, QSpinBox, QComboBox))]


def test_switching_a_row_to_pooling_gives_it_torchs_stride(view):
    view.apply_preset("two_3x3")
    view.editor.rows[1].kind.setCurrentIndex(view.editor.rows[1].kind.findData("avg_pool"))
    assert view.layers()[1] == Layer.avg_pool(3) and not view.editor.rows[1].spins["dilation"].isEnabled()
    assert view.editor.describe(view.layers()[1]) == "average pooling 3×3, stride 3"


def test_the_picture_gray_or_colour_at_the_working_size(view):
    view.apply_preset("two_3x3")
    view.set_image(np.linspace(0, 1, 50 * 100, dtype=np.float32).reshape(50, 100))
    view.set_working_size(64)
    assert view.image_item.image.shape == (32, 64) and column(view, 1)[0] == "32 × 64"
    view.set_image(np.full((30, 20, 3), 0.5))
    assert view.image_item.image.shape == (64, 43, 3) and view.image_frame.rect() == QRectF(0, 0, 43, 64)


@pytest.mark.parametrize("image, words", [(np.zeros((4, 4, 2)), "must be \\(H, W\\) or \\(H, W, 3\\)"),
                                          (np.zeros((4, 4), dtype=np.uint8), "must hold floats")])
def test_a_bad_picture_is_refused_and_the_old_one_kept(view, image, words):
    shown = view.image_item.image.copy()
    with pytest.raises(ValueError, match=words):
        view.set_image(image)
    np.testing.assert_array_equal(view.image_item.image, shown)


def test_the_state_round_trips(view, qtbot):
    view.apply_preset("dilated")
    view.set_working_size(30)
    view.set_output_pixel(2, 4)
    state = view.state()
    assert state == {"rows": [{"kind": "conv", "kernel": 3, "stride": 1, "padding": 0, "dilation": d}
                              for d in (1, 2, 4)], "size": 30, "output": [2, 4]}
    other = ReceptiveFieldView()
    qtbot.addWidget(other)
    other.set_layers([Layer.conv(3)] * 8, size=20)   # an output of 4×4: rows 0..3 only
    other.restore_state(state)
    assert other.layers() == PRESETS["dilated"] and other.working_size() == 30 and other.output_pixel() == (2, 4)
    assert rects(other) == rects(view)
    for bad in ({"rows": [{"kind": "conv"}], "size": 9, "output": [0, 0]}, {"rows": state["rows"], "size": 2,
                                                                         "output": [0, 0]}, {"size": 30}):
        with pytest.raises(ValueError, match="not a receptive-field view's state"):
            other.restore_state(bad)
        assert other.layers() == PRESETS["dilated"] and other.working_size() == 30


def test_an_invalid_stack_is_kept_as_shown_in_the_state(view, qtbot):
    view.editor.rows[1].spins["padding"].setValue(2)   # a 2×2 max pool with p = 2: refused
    state = view.state()
    other = ReceptiveFieldView()
    qtbot.addWidget(other)
    other.restore_state(state)
    assert other.state() == state and not other.current and "Layer 2:" in other.message.text()


@pytest.mark.parametrize("layers, words", [([], "1 to 8"), ([Layer.conv(3)] * 9, "1 to 8"),
                                           ([Layer.conv((3, 5))], "square layers"),
                                           ([Layer.conv(3, stride=9)], "stride must be a whole number from 1 to 8"),
                                           (["conv"], "shows Layers, got str")])
def test_stacks_the_editor_cannot_show_are_refused(view, layers, words):
    with pytest.raises(ValueError, match=words):
        view.set_layers(layers)
    assert view.layers() == SOURCE_NETWORK


def test_a_dilated_field_with_holes_says_so(view):
    view.set_layers([Layer.conv(3, dilation=2)], size=12)
    view.set_output_pixel(0, 0)
    assert rects(view) == [QRectF(0, 0, 5, 5)]
    assert "leaves some of it unread" in view.picture_title.text()
    # Rows and columns 0, 2, 4 are read; the others of the 5×5 are veiled.
    veiled = view.unread_item.image[:6, :6, 3] > 0
    expected = np.ones((6, 6), bool)
    expected[np.ix_([0, 2, 4], [0, 2, 4])] = False
    expected[5, :] = expected[:, 5] = False
    np.testing.assert_array_equal(veiled, expected)
    view.set_layers([Layer.conv(3)], size=12)
    assert "unread" not in view.picture_title.text() and not view.unread_item.image[..., 3].any()


def test_the_view_is_not_cramped_at_the_window_size(view):
    """Every row of the table shown (no scrolling), and the picture gets real room."""
    view.apply_preset("source_network")
    table = view.table
    last = table.visualItemRect(table.item(table.rowCount() - 1, 0))
    assert table.viewport().rect().contains(last)
    assert view.picture.width() >= 550 and view.picture.height() >= 400
    assert view.picture_box.viewRect().contains(QRectF(0, 0, 224, 224))
    # On a small screen the page scrolls instead of making the window larger.
    assert view.minimumSizeHint().width() < 300 and view.minimumSizeHint().height() < 300
