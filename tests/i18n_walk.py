"""Every string a user can read in a window, with where it is (tests/test_i18n.py).

``visible_texts(window)`` walks the widgets (labels, buttons, group boxes, combo box items, tabs,
docks, form labels, menus and their actions, tool tips, table headers, cells and their tool tips,
spin box affixes) and the text items of every graphics view (the scene's titles and header, the
plots' titles and axes).
``english_words(text)`` is what is left in English once markup, code and allowed tokens are removed.
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QGraphicsTextItem,
    QGraphicsView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabWidget,
    QTableWidget,
    QTextBrowser,
    QWidget,
)

# Words that stay in Latin letters in the Chinese interface: names of programs, formats, code and
# PyTorch's own argument values (the lessons' Chinese text uses them too), symbols of the maths.
ALLOWED = {
    "convviz", "PyTorch", "torch", "NumPy", "numpy", "im2col", "col2im", "nn", "Conv2d", "conv2d", "functional",
    "autograd", "backward", "grad_output", "grad_input", "grad_weight", "requires_grad", "GIF", "MP4", "PNG",
    "PNGs", "JSON", "json", "gif", "mp4", "png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff", "RGB", "H.264",
    "yuv420p", "KH", "KW", "OH", "OW", "zeros", "reflect", "replicate", "circular", "same", "valid", "SGD",
    "Adam", "ReLU", "softmax", "lr", "KB", "MB", "px", "fps", "Ctrl", "Shift", "Esc", "F11", "Space",
    "PgUp", "PgDown", "Home", "End", "frame_0001", "max", "min", "Sobel", "sobel", "Laplacian", "English",
    "Okabe", "Ito", "import", "print", "as", "np", "id", "ms", "e.g", "CNN", "BCE", "Left", "Right", "ROOT",
    "training_set", "test_set", "cats", "dogs", "Conv2d", "BatchNorm2d", "MaxPool2d", "Linear", "Flatten",
    "Sigmoid", "Dropout", "AdaptiveAvgPool2d", "AvgPool2d", "Sequential", "groups", "grad", "conv", "weight", "sum",
    "Hz", "Wz", "Hf", "Wf", "ceil_mode", "count_include_pad", "output_padding", "ConvTranspose2d", "conv_transpose2d", "max_pool2d",
    "avg_pool2d", "NaN", "inf",
}
# An English term glossed in brackets after its Chinese name, as the lessons do: 填充 (padding).
GLOSS = re.compile(r"(?<=[\u4e00-\u9fff]) ?[(（][A-Za-z][A-Za-z\- ]*[)）]")
# A picture's reference: a file's path, or a built-in sample's name (sample:shapes).
REFERENCE = re.compile(r"\bsample:\w+|\S*/\S*")
# An array's name before its index is code, as in the maths: full[0, 8, 8], full[:, 1:11, 1:11].
INDEXED = re.compile(r"\b[A-Za-z_]\w*(?=\[)")
# A pair of Latin letters or more is a word; single letters are the maths' names (x, y, w, C, H, W).
WORD = re.compile(r"[A-Za-z][A-Za-z_0-9.]*[A-Za-z0-9_]")


def plain(text: str) -> str:
    """The text without markup, entities and mnemonics (&File)."""
    text = re.sub(r"<[^>]*>", " ", text)
    return html.unescape(text).replace("&&", "&").replace("&", "")


def english_words(text: str) -> list[str]:
    text = INDEXED.sub(" ", REFERENCE.sub(" ", GLOSS.sub(" ", plain(text))))
    text = re.sub(r"\S+\.(json|png|gif|mp4|npz|jpg|jpeg)\b", " ", text)   # file names
    text = re.sub(r"\b\d+(\.\d+)?e[-+]?\d+\b", " ", text)                    # 1.2e-07
    return [w for w in WORD.findall(text) if not all(part in ALLOWED or len(part) < 2 for part in w.strip(".").split("."))]


def _menu_texts(menu: QMenu, where: str):
    yield where, menu.title()
    for action in menu.actions():
        if action.menu() is not None:
            yield from _menu_texts(action.menu(), f"{where} > {action.menu().title()}")
        elif action.text():
            yield f"{where} > action", action.text()
        if action.toolTip() and action.toolTip() != action.text().replace("&", ""):
            yield f"{where} > tooltip", action.toolTip()


def visible_texts(window: QWidget):
    """(where, text) for every string of ``window`` a user can read (empty strings skipped)."""
    found = [("window title", window.windowTitle())]
    for widget in [window] + window.findChildren(QWidget):
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        if isinstance(widget, QLabel):
            found.append((name, widget.text()))
        elif isinstance(widget, QAbstractButton):
            found.append((name, widget.text()))
        elif isinstance(widget, QGroupBox):
            found.append((name, widget.title()))
        elif isinstance(widget, QComboBox):
            found += [(f"{name} item", widget.itemText(i)) for i in range(widget.count())]
        elif isinstance(widget, QTabWidget):
            found += [(f"{name} tab", widget.tabText(i)) for i in range(widget.count())]
            found += [(f"{name} tab tooltip", widget.tabToolTip(i)) for i in range(widget.count())]
        elif isinstance(widget, QDockWidget):
            found.append((name, widget.windowTitle()))
        elif isinstance(widget, QLineEdit):
            found.append((f"{name} placeholder", widget.placeholderText()))
        elif isinstance(widget, QAbstractSpinBox):
            for affix in ("prefix", "suffix", "specialValueText"):
                if hasattr(widget, affix):
                    found.append((f"{name} {affix}", getattr(widget, affix)()))
        elif isinstance(widget, QTableWidget):
            for i in range(widget.columnCount()):
                item = widget.horizontalHeaderItem(i)
                found.append((f"{name} column", item.text() if item else ""))
            for i in range(widget.rowCount()):
                item = widget.verticalHeaderItem(i)
                found.append((f"{name} row", item.text() if item else ""))
                for j in range(widget.columnCount()):
                    cell = widget.item(i, j)
                    if cell is not None:
                        found += [(f"{name} cell", cell.text()), (f"{name} cell tooltip", cell.toolTip())]
        elif isinstance(widget, QTextBrowser) and not isinstance(widget, QLabel):
            found.append((f"{name} placeholder", widget.placeholderText()))
        elif isinstance(widget, QMenu) and widget.parent() is None:
            pass  # menus are walked from the menu bar below
        if widget.toolTip():
            found.append((f"{name} tooltip", widget.toolTip()))
        if isinstance(widget, QGraphicsView) and widget.scene() is not None:
            for item in widget.scene().items():
                if isinstance(item, QGraphicsTextItem) and item.isVisible():
                    found.append((f"{name} scene text", item.toPlainText()))
    if hasattr(window, "menuBar"):
        for action in window.menuBar().actions():
            if action.menu() is not None:
                found += list(_menu_texts(action.menu(), action.menu().title()))
    return [(where, text) for where, text in found if text and text.strip()]
