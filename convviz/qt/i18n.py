"""The interface's language: English (the source strings) or Simplified Chinese (Qt translation files).

The strings are marked in the code with ``self.tr("...")``, ``QCoreApplication.translate("Context",
"...")`` or a module's ``tr("...")`` helper (pyside6-lupdate files those under the empty context,
so the helpers translate in it too). ``tools/update_translations.sh`` collects them into
``translations/convviz_zh_CN.ts`` (the translator's file) and compiles it into
``convviz/qt/translations/convviz_zh_CN.qm``, which ships inside the package.

The language is chosen before the window is built (``install_for(settings)`` in ``convviz.app``):
the View > Language menu's choice, remembered in the settings, or else the system's locale. A new
choice takes effect at the next start: every widget sets its text once, when it is built, and a
half-translated window would be worse than a clear message.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMessageBox

from . import narration_zh

# Each language named in itself, so that a reader finds theirs whatever the interface shows.
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
TRANSLATIONS = Path(__file__).with_name("translations")
# Said in the chosen language (the user may not read the current one), after the current one's.
NEXT_START = {"en": "convviz will be in English the next time it starts.",
              "zh_CN": "下次启动 convviz 时界面将显示为简体中文。"}

# Strings the code translates from a variable (pyside6-lupdate sees only literals), listed for it;
# tests/test_i18n.py checks these lists against the tables the strings come from.
PHASE_TITLES = (QT_TRANSLATE_NOOP("", "pad"), QT_TRANSLATE_NOOP("", "dilate the kernel"),
                QT_TRANSLATE_NOOP("", "forward: slide"), QT_TRANSLATE_NOOP("", "backward: scatter ∂L/∂y into ∂L/∂x"),
                QT_TRANSLATE_NOOP("", "backward: ∂L/∂w"), QT_TRANSLATE_NOOP("", "backward: ∂L/∂b"),
                QT_TRANSLATE_NOOP("", "backward: fold the padding back"),
                QT_TRANSLATE_NOOP("", "forward: pool each window"),
                QT_TRANSLATE_NOOP("", "backward: route ∂L/∂y into ∂L/∂x"),
                QT_TRANSLATE_NOOP("", "scatter: each input value × the kernel"),
                QT_TRANSLATE_NOOP("", "crop the full plane to the output"))
PHASE_UNITS = (QT_TRANSLATE_NOOP("", "the whole zero border"), QT_TRANSLATE_NOOP("", "one padded row"),
               QT_TRANSLATE_NOOP("", "one kernel tap"), QT_TRANSLATE_NOOP("", "one multiply-add"),
               QT_TRANSLATE_NOOP("", "one output element"), QT_TRANSLATE_NOOP("", "one filter"),
               QT_TRANSLATE_NOOP("", "the crop"), QT_TRANSLATE_NOOP("", "one padded row, then the crop"),
               QT_TRANSLATE_NOOP("", "one input element (n, c, y, x)"))
PALETTE_NAMES = (QT_TRANSLATE_NOOP("MainWindow", "Standard"), QT_TRANSLATE_NOOP("MainWindow", "High contrast"),
                 QT_TRANSLATE_NOOP("MainWindow", "Colour-blind safe"))
EXPORT_FORMATS = (QT_TRANSLATE_NOOP("", "GIF: one palette, loops, for slides and web pages"),
                  QT_TRANSLATE_NOOP("", "MP4: H.264, plays in browsers and presentation software"),
                  QT_TRANSLATE_NOOP("", "numbered PNGs in this folder (frame_0001.png, ...)"))
SAMPLES = (QT_TRANSLATE_NOOP("MainWindow", "shapes"), QT_TRANSLATE_NOOP("MainWindow", "digit"),
           QT_TRANSLATE_NOOP("MainWindow", "checker"), QT_TRANSLATE_NOOP("MainWindow", "stripes"),
           QT_TRANSLATE_NOOP("MainWindow", "gradient"))
PRESETS = (QT_TRANSLATE_NOOP("ControlPanel", "identity"), QT_TRANSLATE_NOOP("ControlPanel", "box"),
           QT_TRANSLATE_NOOP("ControlPanel", "gaussian"), QT_TRANSLATE_NOOP("ControlPanel", "sobel x"),
           QT_TRANSLATE_NOOP("ControlPanel", "sobel y"), QT_TRANSLATE_NOOP("ControlPanel", "laplacian"),
           QT_TRANSLATE_NOOP("ControlPanel", "sharpen"), QT_TRANSLATE_NOOP("ControlPanel", "emboss"),
           QT_TRANSLATE_NOOP("ControlPanel", "random"))
PRESET_TIPS = (
    QT_TRANSLATE_NOOP("ControlPanel", "Identity: a single 1 at the centre, so the output copies the input"),
    QT_TRANSLATE_NOOP("ControlPanel", "Box blur: every weight equal, summing to 1 (the mean of the window)"),
    QT_TRANSLATE_NOOP("ControlPanel",
                      "Gaussian blur: binomial weights (1 2 1 at 3×3), heavier at the centre, summing to 1"),
    QT_TRANSLATE_NOOP("ControlPanel",
                      "Sobel x: a horizontal derivative; positive where the image gets brighter to the right"),
    QT_TRANSLATE_NOOP("ControlPanel",
                      "Sobel y: a vertical derivative; positive where the image gets brighter downwards"),
    QT_TRANSLATE_NOOP("ControlPanel", "Laplacian: the centre against its neighbours; zero on flat and linear "
                                      "areas, strong on edges"),
    QT_TRANSLATE_NOOP("ControlPanel", "Sharpen: identity minus the Laplacian, so edges are pushed apart"),
    QT_TRANSLATE_NOOP("ControlPanel",
                      "Emboss: a diagonal derivative plus the identity, so the picture looks carved in relief"),
    QT_TRANSLATE_NOOP("ControlPanel", "Random: normal values from the seed, scaled by 1/sqrt(height × width)"))
# The undo menu's names of what changed (convviz.qt.document.describe_change).
CHANGES = (QT_TRANSLATE_NOOP("Document", "image"), QT_TRANSLATE_NOOP("Document", "size"),
           QT_TRANSLATE_NOOP("Document", "channels"), QT_TRANSLATE_NOOP("Document", "filters"),
           QT_TRANSLATE_NOOP("Document", "kernel size"), QT_TRANSLATE_NOOP("Document", "kernel preset"),
           QT_TRANSLATE_NOOP("Document", "seed"), QT_TRANSLATE_NOOP("Document", "kernel values"),
           QT_TRANSLATE_NOOP("Document", "bias"), QT_TRANSLATE_NOOP("Document", "bias value"),
           QT_TRANSLATE_NOOP("Document", "stride"), QT_TRANSLATE_NOOP("Document", "dilation"),
           QT_TRANSLATE_NOOP("Document", "padding"), QT_TRANSLATE_NOOP("Document", "padding mode"),
           QT_TRANSLATE_NOOP("Document", "groups"), QT_TRANSLATE_NOOP("Document", "mode"),
           QT_TRANSLATE_NOOP("Document", "grad_output"), QT_TRANSLATE_NOOP("Document", "grad seed"),
           QT_TRANSLATE_NOOP("Document", "granularity"), QT_TRANSLATE_NOOP("Document", "nothing"),
           QT_TRANSLATE_NOOP("Document", "operation"), QT_TRANSLATE_NOOP("Document", "ceil mode"),
           QT_TRANSLATE_NOOP("Document", "count include pad"), QT_TRANSLATE_NOOP("Document", "output padding"),
           QT_TRANSLATE_NOOP("Document", "transposed road"))
# The player bar's phase names (phase.name with spaces), in both of its classes.
PHASE_NAMES = (QT_TRANSLATE_NOOP("PlayerBar", "pad"), QT_TRANSLATE_NOOP("PlayerBar", "dilate"),
               QT_TRANSLATE_NOOP("PlayerBar", "slide"), QT_TRANSLATE_NOOP("PlayerBar", "scatter"),
               QT_TRANSLATE_NOOP("PlayerBar", "weight grad"), QT_TRANSLATE_NOOP("PlayerBar", "bias grad"),
               QT_TRANSLATE_NOOP("PlayerBar", "fold"), QT_TRANSLATE_NOOP("PlayerBar", "frames"),
               QT_TRANSLATE_NOOP("PlayerBar", "pool"), QT_TRANSLATE_NOOP("PlayerBar", "route"),
               QT_TRANSLATE_NOOP("PlayerBar", "crop"),
               QT_TRANSLATE_NOOP("PhaseSlider", "pad"), QT_TRANSLATE_NOOP("PhaseSlider", "dilate"),
               QT_TRANSLATE_NOOP("PhaseSlider", "slide"), QT_TRANSLATE_NOOP("PhaseSlider", "scatter"),
               QT_TRANSLATE_NOOP("PhaseSlider", "weight grad"), QT_TRANSLATE_NOOP("PhaseSlider", "bias grad"),
               QT_TRANSLATE_NOOP("PhaseSlider", "fold"), QT_TRANSLATE_NOOP("PhaseSlider", "pool"),
               QT_TRANSLATE_NOOP("PhaseSlider", "route"), QT_TRANSLATE_NOOP("PhaseSlider", "crop"))
GRAD_OUTPUTS = (QT_TRANSLATE_NOOP("ControlPanel", "ones (the gradient of sum(y))"),
                QT_TRANSLATE_NOOP("ControlPanel", "random normal values (seeded)"),
                QT_TRANSLATE_NOOP("ControlPanel", "y (the gradient of ½·sum(y²))"))
# The operation combo's items (convviz.state.spec.OPERATION_TEXT).
OPERATIONS = (QT_TRANSLATE_NOOP("ControlPanel", "convolution"), QT_TRANSLATE_NOOP("ControlPanel", "max pooling"),
              QT_TRANSLATE_NOOP("ControlPanel", "average pooling"),
              QT_TRANSLATE_NOOP("ControlPanel", "transposed convolution"))
CLASSES = (QT_TRANSLATE_NOOP("MistakesGallery", "cat"), QT_TRANSLATE_NOOP("MistakesGallery", "dog"))
BUTTONS = (QT_TRANSLATE_NOOP("TrainingView", "Start"), QT_TRANSLATE_NOOP("TrainingView", "Pause"),
           QT_TRANSLATE_NOOP("TrainingView", "Stop"))

_translators: list[QTranslator] = []
_language = "en"


def tr(text: str) -> str:
    return QCoreApplication.translate("", text)


def system_language() -> str:
    """"zh_CN" on a Chinese system (any zh locale: Simplified is the translation there is), else "en"."""
    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


def resolve(choice: str) -> str:
    """The language a stored choice means: "en" / "zh_CN" as chosen, anything else the system's."""
    return choice if choice in LANGUAGES else system_language()


def current_language() -> str:
    """The language the interface is in: the one last installed (English when none was)."""
    return _language


def install(language: str) -> str:
    """Install the translators for ``language`` on the running QApplication (replacing any earlier
    ones) and return it. Qt's own strings (standard buttons, file dialogs) come from Qt's qtbase
    translation when the installation has it. A missing convviz .qm is an error: the package is
    broken, and an English window that claims to be Chinese would hide it."""
    global _language
    uninstall()
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: choose one of {sorted(LANGUAGES)}")
    if language != "en":
        app = QCoreApplication.instance()
        ours = QTranslator(app)
        if not ours.load(str(TRANSLATIONS / f"convviz_{language}.qm")):
            raise FileNotFoundError(f"cannot load the {language} translation from {TRANSLATIONS}")
        qt_own = QTranslator(app)
        if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
            _translators.append(qt_own)
        _translators.append(ours)  # installed last, so it is asked first
        for translator in _translators:
            app.installTranslator(translator)
        narration_zh.use()  # the trace's explanations and captions (not Qt strings)
    _language = language
    return language


def uninstall() -> None:
    """Back to the source strings (English)."""
    global _language
    app = QCoreApplication.instance()
    while _translators:
        translator = _translators.pop()
        if app is not None:
            app.removeTranslator(translator)
    narration_zh.restore()
    _language = "en"


def install_for(settings) -> str:
    """Install the language ``settings`` remember (or the system's) and return it. A translation
    that cannot be loaded (a broken install) is said on stderr and the window opens in English."""
    try:
        return install(resolve(settings.language()))
    except FileNotFoundError as error:
        print(f"convviz: {error}; the interface stays in English", file=sys.stderr)
        return install("en")


def add_language_menu(window, menu) -> dict[str, QAction]:
    """View > Language: follow the system, English, 简体中文; the choice is saved in
    ``window.settings`` and, when it changes the language, a message says it applies at the next
    start. Returns the actions by choice ("" is the system's)."""
    languages = menu.addMenu(tr("&Language"))
    group = QActionGroup(window)
    actions = {}
    choices = {"": tr("Follow the system"), **LANGUAGES}
    stored = window.settings.language()
    for choice, title in choices.items():
        action = languages.addAction(title)
        action.setCheckable(True)
        action.setChecked(choice == stored)
        action.triggered.connect(lambda checked=False, c=choice: choose_language(window, c))
        group.addAction(action)
        actions[choice] = action
    return actions


def choose_language(window, choice: str) -> QMessageBox | None:
    """Remember ``choice``; if the interface would change, say so in a (non-blocking) message box,
    which is returned."""
    window.settings.set_language(choice)
    window.settings.sync()
    window.language_actions[choice].setChecked(True)
    language = resolve(choice)
    if language == current_language():
        return None
    text = tr("The new language takes effect when convviz starts next time.") + "\n\n" + NEXT_START[language]
    box = QMessageBox(QMessageBox.Information, tr("Language"), text, QMessageBox.Ok, window)
    box.setObjectName("language-message")
    box.open()
    return box
