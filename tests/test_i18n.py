"""The interface in Simplified Chinese: every string translated, nothing cut off, the choice
remembered for the next start, the lessons in Chinese too (the trace's words: test_i18n_narration.py)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QMessageBox, QStyle, QStyleOptionComboBox

from convviz.qt import i18n
from convviz.qt.settings import Settings
from convviz.state.spec import ConvSpec
from convviz.trace import pooling_narration, transposed_narration
from i18n_walk import english_words, plain, visible_texts

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "translations" / "convviz_zh_CN.ts"
QM = ROOT / "convviz" / "qt" / "translations" / "convviz_zh_CN.qm"
# Every phase, bias, reflect padding (padded rows), a stride that drops a row, dilation: every kind of words.
ALL_PHASES = ConvSpec(size=9, mode="backward", bias=True, padding=(1, 1), padding_mode="reflect", stride=(2, 2),
                      dilation=(2, 1))
# The other operations, each with the configuration that has the most kinds of words: padding and
# ceil_mode (max, backward), padding left out of the divisor (average), output_padding, a bias and
# two output channels (transposed), and the transposed convolution's direct road.
MAX_POOL = dataclasses.replace(ConvSpec(size=9).with_operation("max_pool"), kernel_size=(3, 3), stride=(2, 2),
                               padding=(1, 1), ceil_mode=True, mode="backward")
AVG_POOL = dataclasses.replace(ConvSpec(size=8).with_operation("avg_pool"), kernel_size=(3, 3), stride=(2, 1),
                               padding=(1, 1), count_include_pad=False, mode="backward")
TRANSPOSED = dataclasses.replace(ConvSpec(size=5).with_operation("conv_transpose"), out_channels=2,
                                 presets=("box", "random"), bias=True, bias_value=0.25)
TRANSPOSED_DIRECT = dataclasses.replace(TRANSPOSED, transposed_road="direct")
OTHER_MODES = {"max pooling": MAX_POOL, "average pooling": AVG_POOL, "transposed, scatter road": TRANSPOSED,
               "transposed, direct road": TRANSPOSED_DIRECT}


@pytest.fixture
def chinese(qapp):
    """The zh_CN translators installed for the test, English again after it."""
    i18n.install("zh_CN")
    yield
    i18n.uninstall()


def every_view(window, other_pages=True):
    """Show each page, each side tab and the first and last frame of each phase in turn (hovering
    the corner cells of every grid at each), yielding after each (so a test can look at what is on
    screen then); with ``other_pages``, the training page and the receptive-field page's presets,
    layers and refusals too."""
    window.pages.setCurrentWidget(window.visualizer_page)
    for tab in range(window.side_tabs.count()):
        window.side_tabs.setCurrentIndex(tab)
        yield f"side tab {tab}"
    for phase in window.document.built.trace.phases:
        for frame in (phase.first, phase.last):
            window.player.seek(frame)
            yield f"{phase.name} frame {frame}"
            for name, grid in window.scene.grids.items():
                count, height, width = grid.shape
                if grid.view.isVisible() and count:
                    for cell in ((0, 0, 0), (count - 1, height - 1, width - 1)):
                        window.scene.hover(name, cell)
                        yield f"{phase.name} frame {frame}, hover {name} {cell}"
    window.scene.hover(None, None)
    if other_pages:
        window.pages.setCurrentIndex(1)
        yield "training page"
        yield from receptive_field_views(window)
    window.pages.setCurrentWidget(window.visualizer_page)


def receptive_field_views(window):
    """The Receptive field page: each preset with its corner output pixel chosen and each layer
    lit, then the two refusals (a layer that no longer fits, a pooling's padding over half its kernel)."""
    from convviz.qt.receptive_field_view import PRESET_KEYS
    from convviz.trace.receptive_field import Layer

    view = window.receptive_field
    window.pages.setCurrentWidget(view)
    for key in PRESET_KEYS:
        view.apply_preset(key)
        view.set_output_pixel(0, 0)  # its field reaches into the padding
        yield f"receptive field {key}"
        for layer in range(1, len(view.layers()) + 1):
            view.highlight(layer)
            yield f"receptive field {key}, layer {layer} lit"
        view.highlight(None)
    view.set_layers((Layer.conv(9), Layer.conv(9)), size=12)
    yield "receptive field: a layer that does not fit"
    view.set_layers((Layer.conv(3), Layer.max_pool(2)), size=12)
    view.editor.rows[1].spins["padding"].setValue(2)
    yield "receptive field: a pooling's padding over half its kernel"
    view.apply_preset("two_3x3")


def english_left(window, other_pages=True) -> dict[str, list[str]]:
    left = {}
    for view in every_view(window, other_pages):
        for where, text in visible_texts(window) + [("hover text", window.scene.hover_text)]:
            words = english_words(text)
            if words:
                left.setdefault(f"{where}: {plain(text)[:90]!r}", words)
    return left


def test_in_chinese_no_string_of_the_window_is_left_in_english(make_window, chinese):
    window = make_window(ALL_PHASES)
    assert window.document.built is not None and len(window.document.built.trace.phases) == 7
    left = english_left(window)
    assert left == {}, "\n".join(f"{where} -> {words}" for where, words in left.items())


@pytest.mark.parametrize("mode", OTHER_MODES)
def test_in_chinese_the_other_operations_show_no_english_and_nothing_cut_off(make_window, chinese, mode):
    """Pooling (max with backward, average) and the transposed convolution (both roads): every
    phase, side tab and hover in Chinese, and no label, button or combo box too narrow for its
    text (at 1280×800, the smaller of the sizes the convolution is checked at)."""
    window = make_window(OTHER_MODES[mode])
    window.resize(1280, 800)
    assert window.document.built is not None and window.document.spec == OTHER_MODES[mode]
    left, problems = {}, {}
    for view in every_view(window, other_pages=False):
        QCoreApplication.processEvents()
        for where, text in visible_texts(window) + [("hover text", window.scene.hover_text)]:
            if english_words(text):
                left.setdefault(f"{where}: {plain(text)[:90]!r}", english_words(text))
        for problem in cut_off(window):
            problems.setdefault(problem, view)
    assert left == {}, "\n".join(f"{where} -> {words}" for where, words in left.items())
    assert problems == {}, "\n".join(f"{p} ({view})" for p, view in problems.items())


def test_the_english_detector_finds_the_english_window(make_window):
    """Without the translator the same walk finds the English words (so the test above can fail)."""
    left = english_left(make_window(ALL_PHASES))
    found = {word for words in left.values() for word in words}
    assert {"Parameters", "Kernel", "Stride", "File", "Start", "Pad", "channel"} <= found
    assert {"jump", "Hover", "stack", "convolutions"} <= found  # the Receptive field page was walked
    assert {"itself", "pooling"} <= found  # its table's cells and their tool tips too
    left = english_left(make_window(MAX_POOL), other_pages=False)
    found = {word for words in left.values() for word in words}
    assert {"Operation", "pooling", "maximum", "windows"} <= found  # and so were the pooling's scene and hovers


def cut_off(window) -> list[str]:
    """Labels, buttons and combo boxes on show whose text is wider than they are."""
    problems = []
    for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton) + window.findChildren(QComboBox):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel):
            if widget.wordWrap() or not widget.text() or widget is getattr(window, "status", None):
                continue  # the status line is one stretching cell; long messages show as a tool tip too
            needed = widget.sizeHint().width() if widget.textFormat() != 0 or "<" in widget.text() else \
                max(widget.fontMetrics().horizontalAdvance(line) for line in widget.text().split("\n"))
            room = widget.contentsRect().width() if "<" not in widget.text() else widget.width()
        elif isinstance(widget, QComboBox):
            if not widget.currentText():
                continue
            option = QStyleOptionComboBox()
            widget.initStyleOption(option)
            room = widget.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, widget).width()
            needed = widget.fontMetrics().horizontalAdvance(widget.currentText())
        else:
            if not widget.text():
                continue  # an icon
            needed, room = widget.sizeHint().width(), widget.width()
        if needed > room + 1:
            text = widget.currentText() if isinstance(widget, QComboBox) else widget.text()
            problems.append(f"{type(widget).__name__} {plain(text)[:60]!r}: needs {needed}, has {room}")
    return problems


def test_the_cut_off_check_finds_a_label_too_narrow_for_its_text(make_window, chinese):
    window = make_window()
    label = QLabel("一个很长很长的标签，放不下", window.controls)
    label.setFixedWidth(20)
    combo = QComboBox(window.controls)
    combo.addItem("一个很长很长很长的选项")
    combo.setFixedWidth(80)
    label.show(), combo.show()
    QCoreApplication.processEvents()
    problems = cut_off(window)
    assert any("一个很长很长的标签" in problem for problem in problems)
    assert any("一个很长很长很长的选项" in problem for problem in problems)


@pytest.mark.parametrize("size", [(1400, 900), (1280, 800)])
def test_in_chinese_nothing_is_cut_off(make_window, chinese, size):
    window = make_window(ALL_PHASES)
    window.resize(*size)
    problems = {}
    for view in every_view(window):
        QCoreApplication.processEvents()
        for problem in cut_off(window):
            problems.setdefault(problem, view)
    assert problems == {}, "\n".join(f"{p} ({view})" for p, view in problems.items())


@pytest.mark.parametrize("spec", [ALL_PHASES, MAX_POOL, TRANSPOSED], ids=["convolution", "max pooling", "transposed"])
def test_in_chinese_the_export_dialog_is_chinese_and_nothing_is_cut_off(make_window, chinese, qtbot, spec):
    """Each operation's phases (their titles in the dialog's choice of frames) in Chinese."""
    from convviz.qt.export_dialog import ExportDialog

    window = make_window(spec)
    window.export_animation_action.trigger()
    dialog = window.findChild(ExportDialog)
    qtbot.waitExposed(dialog)
    left = {text: english_words(text) for _, text in visible_texts(dialog) if english_words(text)}
    assert left == {}, "\n".join(f"{t!r}: {w}" for t, w in left.items())
    assert cut_off(dialog) == []
    dialog.reject()


def test_the_language_is_remembered_and_used_at_the_next_start(make_window, app_settings_file, qtbot):
    window = make_window()
    assert window.language == "en" and window.menuBar().actions()[0].text() == "&File"
    assert window.language_actions[""].isChecked()  # nothing chosen yet: the system's
    window.language_actions["zh_CN"].trigger()
    box = window.findChild(QMessageBox, "language-message")
    assert box is not None and box.isVisible()
    assert "next time" in box.text() and "下次启动" in box.text()  # said in both languages
    box.close()
    assert window.language_actions["zh_CN"].isChecked()
    window.close()

    settings = Settings(QSettings(str(app_settings_file), QSettings.IniFormat))
    assert settings.language() == "zh_CN"
    try:
        assert i18n.install_for(settings) == "zh_CN"  # what convviz.app does before building the window
        again = make_window(settings_file=app_settings_file)
        assert again.language == "zh_CN" and again.menuBar().actions()[0].text() == "文件(&F)"
        assert again.language_actions["zh_CN"].isChecked()
        again.language_actions["en"].trigger()  # back to English: said, in English too
        box = again.findChild(QMessageBox, "language-message")
        assert "新的语言" in box.text() and "English the next time" in box.text()
        box.close()
        assert Settings(QSettings(str(app_settings_file), QSettings.IniFormat)).language() == "en"
    finally:
        i18n.uninstall()


def test_choosing_the_language_already_on_screen_says_nothing(make_window):
    window = make_window()
    assert i18n.choose_language(window, "en") is None
    assert window.findChild(QMessageBox, "language-message") is None and window.settings.language() == "en"


def test_following_the_system(monkeypatch, app_settings_file):
    monkeypatch.setattr(i18n, "system_language", lambda: "zh_CN")
    settings = Settings(QSettings(str(app_settings_file), QSettings.IniFormat))
    assert settings.language() == "" and i18n.resolve(settings.language()) == "zh_CN"
    settings.set_language("en")
    assert i18n.resolve(settings.language()) == "en"
    monkeypatch.setattr(i18n, "system_language", lambda: "en")
    settings.set_language("")
    assert i18n.resolve(settings.language()) == "en"


def test_a_bad_language_is_refused_or_ignored(app_settings_file, qapp):
    settings = Settings(QSettings(str(app_settings_file), QSettings.IniFormat))
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        settings.set_language("fr")
    settings.store.setValue("language", "klingon")  # a hand-edited file: the system's language
    assert settings.language() == ""
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.install("fr")
    assert i18n.current_language() == "en"


def test_a_missing_translation_file_is_said_and_the_window_stays_english(monkeypatch, tmp_path, app_settings_file,
                                                                       capsys, qapp):
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)  # no .qm there
    settings = Settings(QSettings(str(app_settings_file), QSettings.IniFormat))
    settings.set_language("zh_CN")
    assert i18n.install_for(settings) == "en" and i18n.current_language() == "en"
    assert "cannot load the zh_CN translation" in capsys.readouterr().err
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"


def test_the_lessons_open_in_chinese(make_window, chinese):
    from convviz.state.scene_file import lesson_paths, read_scene

    window = make_window()
    lessons = [read_scene(path) for path in lesson_paths()]
    assert [action.text() for action in window.lesson_actions] == [lesson.title_in("zh_CN") for lesson in lessons]
    window.lesson_actions[0].trigger()
    window.document.build_now()
    assert lessons[0].text_in("zh_CN")[:20] in window.lesson_text.toPlainText()
    assert window.lesson_dock.isVisible() and window.lesson_dock.windowTitle() == "课程"


# ----------------------------------------------------------------------------------------------
# The translation files


def messages(path: Path):
    for context in ET.parse(path).getroot():
        name = context.find("name").text or ""
        for message in context.findall("message"):
            yield name, message.find("source").text, message.find("translation")


def test_every_string_is_translated_and_keeps_its_placeholders():
    found = list(messages(TS))
    assert len(found) > 300
    for context, source, translation in found:
        assert translation.get("type") is None and translation.text, f"not translated: {context}/{source!r}"
        assert sorted(re.findall(r"%\d", source)) == sorted(re.findall(r"%\d", translation.text)), source
        assert source.count("&") == translation.text.count("&"), f"mnemonic lost: {source!r}"


def test_the_translation_files_are_up_to_date_with_the_code(tmp_path):
    """A string added to the code without running tools/update_translations.sh fails here, and so
    does a .ts edited without recompiling the .qm."""
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "convviz").rglob("*.py"))
    subprocess.run(["pyside6-lupdate", *sources, "-ts", str(fresh)], check=True, capture_output=True)
    in_code = {(context, source) for context, source, _ in messages(fresh)}
    in_file = {(context, source) for context, source, _ in messages(TS)}
    assert in_code - in_file == set(), "run tools/update_translations.sh and translate the new strings"
    assert in_file - in_code == set(), "strings no longer in the code: run tools/update_translations.sh"
    compiled = tmp_path / "fresh.qm"
    subprocess.run(["pyside6-lrelease", str(TS), "-qm", str(compiled)], check=True, capture_output=True)
    assert compiled.read_bytes() == QM.read_bytes(), "the shipped .qm is not compiled from the .ts"


def test_strings_translated_from_a_variable_are_listed_for_lupdate(chinese):
    """The tables the code translates through a variable: each of their strings is in i18n's lists
    (which lupdate reads) and has a Chinese translation."""
    from convviz.data.picture import sample_names
    from convviz.qt.document import describe_change
    from convviz.qt.export_dialog import FORMAT_TEXT
    from convviz.scene.conv_scene import PHASE_TITLES
    from convviz.scene.pool_scene import PHASE_TITLES as POOL_TITLES
    from convviz.scene.transposed_scene import PHASE_TITLES as TRANSPOSED_TITLES
    from convviz.scene.palette import PALETTE_NAMES
    from convviz.state.kernels import PRESETS
    from convviz.state.spec import GRAD_OUTPUT_TEXT, OPERATION_TEXT

    tables = [
        ("", PHASE_TITLES.values(), i18n.PHASE_TITLES), ("", FORMAT_TEXT.values(), i18n.EXPORT_FORMATS),
        ("", [*POOL_TITLES.values(), *TRANSPOSED_TITLES.values()], i18n.PHASE_TITLES),
        ("", [pooling_narration.unit(p) for p in ("pool", "route")]
         + [transposed_narration.unit(p) for p in ("scatter", "crop")], i18n.PHASE_UNITS),
        ("ControlPanel", OPERATION_TEXT.values(), i18n.OPERATIONS),
        ("MainWindow", PALETTE_NAMES.values(), i18n.PALETTE_NAMES), ("MainWindow", sample_names(), i18n.SAMPLES),
        ("ControlPanel", [name.replace("_", " ") for name in PRESETS], i18n.PRESETS),
        ("ControlPanel", PRESETS.values(), i18n.PRESET_TIPS), ("ControlPanel", GRAD_OUTPUT_TEXT.values(), i18n.GRAD_OUTPUTS),
        ("PlayerBar", [phase.replace("_", " ") for phase in narration_phases()], i18n.PHASE_NAMES),
        ("PhaseSlider", [phase.replace("_", " ") for phase in narration_phases()], i18n.PHASE_NAMES),
    ]
    base = ConvSpec()
    changes = {describe_change(base, dataclasses.replace(base, **{field.name: value}))
               for field, value in zip(dataclasses.fields(ConvSpec), changed_values(base))}
    tables.append(("Document", changes | {"nothing"}, i18n.CHANGES))
    for context, strings, listed in tables:
        for text in strings:
            assert text in listed, f"{text!r} is not listed in convviz.qt.i18n"
            translated = QCoreApplication.translate(context, text)
            assert translated != text or text == "grad_output", f"{context}/{text!r} has no translation"


def narration_phases():
    return ("pad", "dilate", "slide", "scatter", "weight_grad", "bias_grad", "fold", "pool", "route", "crop")


def changed_values(spec: ConvSpec):
    """For each field of ConvSpec, another valid value (only describe_change reads them)."""
    for field in dataclasses.fields(ConvSpec):
        value = getattr(spec, field.name)
        yield {str: "sample:digit", int: 5, float: 0.5, bool: not value, tuple: (9, 9)}.get(type(value), ("x",))


def test_in_chinese_a_finished_training_run_shows_no_english(qtbot, chinese, tmp_path):
    """The training page after a run (tiny built-in data, 2 epochs): curves, filters, feature
    maps, saliency, test results, the mistakes and the status line all in Chinese."""
    from convviz.data import builtin_dataset
    from convviz.qt.training import TrainingView
    from convviz.qt.training.jobs import dataset_key

    view = TrainingView()
    qtbot.addWidget(view)
    view.resize(1300, 850)
    view.show()
    view.form.train_per_class.setValue(32)
    view.form.test_per_class.setValue(8)
    view.form.epochs.setValue(2)
    view.dataset, view.dataset_key = builtin_dataset(64, 32, 8, 0), dataset_key(view.form.config())
    view.start()
    qtbot.waitUntil(lambda: view.state == "ended", timeout=120_000)
    QCoreApplication.processEvents()
    left = {text: english_words(text) for _, text in visible_texts(view) if english_words(text)}
    view.grab().save(str(tmp_path / "training.png"))
    problems = cut_off(view)
    view.close()
    assert left == {}, "\n".join(f"{t!r}: {w}" for t, w in left.items())
    assert problems == []
