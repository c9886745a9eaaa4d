"""The kernel grid: a typed value becomes the weight (``spec.weight_edits``) and changes the output;
text that is not a number is refused with a message and the value stays. Every edit is undoable:
Ctrl+Z / Ctrl+Shift+Z on the window restore the specs and the pictures."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from app_helpers import FLOAT32, grid_planes, rebuild, torch_answer
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from convviz.state.spec import ConvSpec

pytestmark = pytest.mark.usefixtures("no_threads_left", "one_torch_thread")

START = ConvSpec(size=8, channels=3, out_channels=2, presets=("sobel_x", "sobel_y"))


def cell_text(window, i, j) -> str:
    return window.controls.editor.table.item(i, j).text()


def type_in_cell(qtbot, window, i, j, text) -> None:
    """Double-click-free editing: open the cell's editor, type, press Enter (as a user types)."""
    table = window.controls.editor.table
    table.setCurrentCell(i, j)
    table.editItem(table.item(i, j))
    editor = table.viewport().focusWidget()
    assert editor is not None and editor is not table.viewport(), "the cell's editor opened"
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key_Backspace)
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:
        editor.insert(text)  # QTest can only type ASCII keys
    qtbot.keyClick(editor, Qt.Key_Return)
    # the delegate commits the text and closes its editor through a queued call
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.EditingState, timeout=2000)


def test_a_typed_kernel_value_becomes_the_weight_and_changes_the_output(make_window, qtbot):
    window = make_window(START)
    editor = window.controls.editor
    before = window.document.built.trace.output.copy()
    editor.filter_box.setValue(1)
    editor.channel_box.setValue(2)
    type_in_cell(qtbot, window, 0, 2, "2.5")
    spec = window.document.spec
    assert spec.weight_edits == (((1, 2, 0, 2), 2.5),)
    built = rebuild(window)
    assert built.args.weight[1, 2, 0, 2] == 2.5
    expected = torch_answer(spec, window.document.working_image())
    np.testing.assert_allclose(built.trace.output, expected["output"], rtol=1e-12, atol=1e-12)
    assert not np.allclose(built.trace.output[1], before[1])     # filter 1 changed
    np.testing.assert_array_equal(built.trace.output[0], before[0])  # filter 0 did not
    window.player.end()
    np.testing.assert_allclose(grid_planes(window, "output"), expected["output"], **FLOAT32)
    kernel_plane = grid_planes(window, "kernel")[1 * 3 + 2]  # filter 1, channel 2
    assert kernel_plane[0, 2] == 2.5
    assert cell_text(window, 0, 2) == "2.5"
    # a comma and a typographic minus are read as a decimal point and a minus
    type_in_cell(qtbot, window, 1, 1, "−0,5")
    assert dict(window.document.spec.weight_edits)[(1, 2, 1, 1)] == -0.5


def test_text_that_is_not_a_finite_number_is_refused_and_the_value_stays(make_window, qtbot):
    window = make_window(START)
    editor = window.controls.editor
    spec, built, shown = window.document.spec, window.document.built, cell_text(window, 1, 0)
    undo_steps = window.document.undo_stack.count()
    for text in ("abc", "", "nan", "inf", "1e999", "1/2"):
        type_in_cell(qtbot, window, 1, 0, text)
        assert editor.error.isVisible(), text
        assert "finite number" in editor.error.text() and f"'{text}'" in editor.error.text()
        assert window.document.spec == spec and window.document.built is built
        assert window.document.undo_stack.count() == undo_steps
        assert cell_text(window, 1, 0) == shown
    type_in_cell(qtbot, window, 1, 0, "3")  # a good value clears the message
    assert not editor.error.isVisible()
    assert dict(window.document.spec.weight_edits)[(0, 0, 1, 0)] == 3.0


def press(qtbot, window, key, modifiers=Qt.NoModifier) -> None:
    window.activateWindow()
    window.scene.setFocus()
    qtbot.keyClick(window.scene, key, modifiers)


def test_undo_and_redo_with_the_keyboard_restore_specs_and_pictures(make_window, qtbot):
    window = make_window(START)
    document, controls = window.document, window.controls
    window.player.end()
    pictures = [(document.spec, grid_planes(window, "output").copy())]

    def step(change):
        change()
        rebuild(window)
        window.player.end()
        pictures.append((document.spec, grid_planes(window, "output").copy()))

    step(lambda: controls.stride_h.setValue(2))
    step(lambda: controls.kernel_w.setValue(5))
    step(lambda: type_in_cell(qtbot, window, 0, 4, "4"))
    specs = [spec for spec, _ in pictures]
    assert len(set(specs)) == 4, "three different edits"
    assert document.undo_stack.count() == 3

    for back in (2, 1, 0):
        press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
        assert document.spec == specs[back]
        assert controls.stride_h.value() == specs[back].stride[0]
        assert controls.kernel_w.value() == specs[back].kernel_size[1]
        rebuild(window)
        window.player.end()
        np.testing.assert_array_equal(grid_planes(window, "output"), pictures[back][1])
    assert not document.undo_stack.canUndo()
    for forward in (1, 2, 3):
        press(qtbot, window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
        assert document.spec == specs[forward]
        rebuild(window)
        window.player.end()
        np.testing.assert_array_equal(grid_planes(window, "output"), pictures[forward][1])
    assert cell_text(window, 0, 4) == "4"
    # the menu says what would be undone
    assert "kernel values" in window.undo_action.text()


def test_undo_of_a_preset_brings_back_the_typed_values(make_window, qtbot):
    window = make_window(START)
    type_in_cell(qtbot, window, 0, 0, "9")
    typed = window.document.spec
    window.controls.preset.setCurrentIndex(window.controls.preset.findData("box"))
    window.controls.preset.activated.emit(window.controls.preset.currentIndex())
    assert window.document.spec.weight_edits == () and window.document.spec.presets[0] == "box"
    window.document.undo_stack.undo()
    assert window.document.spec == typed and cell_text(window, 0, 0) == "9"


def test_an_undo_to_a_spec_that_cannot_run_marks_the_picture_stale_and_redo_clears_it(make_window, qtbot):
    window = make_window(dataclasses.replace(START, channels=3, out_channels=3, presets=("box",) * 3))
    window.controls.groups.setValue(3)
    rebuild(window)
    window.controls.channels.setCurrentIndex(window.controls.channels.findData(1))  # 1 channel, 3 groups: invalid
    assert window.document.problems and window.document.stale
    window.document.undo_stack.undo()
    assert window.document.problems == []
    rebuild(window)
    assert not window.document.stale and not window.scene.shows_not_current()


def test_undo_merges_quick_edits_of_one_field_but_not_separate_ones(window):
    """Holding a spin box's arrow is one step; an edit a while later, or another kernel cell, is its own."""
    from convviz.qt.document import SpecCommand

    document = window.document
    now = [100.0]
    clock = lambda: now[0]  # noqa: E731
    start = document.spec

    def edit(**changes):
        import dataclasses
        document.undo_stack.push(SpecCommand(document, document.spec, dataclasses.replace(document.spec, **changes),
                                             clock=clock))

    edit(stride=(2, 1))
    now[0] += 0.2
    edit(stride=(3, 1))  # merged: quick, same field
    now[0] += 5.0
    edit(stride=(4, 1))  # a while later: a step of its own
    document.undo_stack.undo()
    assert document.spec.stride == (3, 1)
    document.undo_stack.undo()
    assert document.spec.stride == start.stride
    document.undo_stack.push(SpecCommand(document, document.spec, document.spec.with_edit(0, 0, 0, 0, 1.5), clock=clock))
    now[0] += 0.1
    document.undo_stack.push(SpecCommand(document, document.spec, document.spec.with_edit(0, 0, 1, 1, 2.5), clock=clock))
    document.undo_stack.undo()  # the second cell only
    assert dict(document.spec.weight_edits) == {(0, 0, 0, 0): 1.5}
