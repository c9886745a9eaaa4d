"""What every scene shares, whatever the operation it draws: the header (frame, phase, its one-line
explanation, the torch badge, the "not current" note), the math line, the grids of planes with
their titles, hover dispatch, presenter-size text and rendering to an image.

A scene for an operation (``conv_scene.ConvScene``, ``pool_scene.PoolScene``,
``transposed_scene.TransposedScene``) adds its grids in ``__init__`` and writes ``show_built``
(a new trace: lay the grids out, draw what does not change), ``show_frame`` (frame i) and
``_link`` (what a hovered cell is linked to). ``scenes.scene_class`` picks the one a build needs.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QImage

from . import palette
from .planes import PlaneGrid, WrappedLabel

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, background=palette.BACKGROUND,
                    foreground=palette.TEXT)


def tr(text: str) -> str:
    # pyside6-lupdate files a free function's tr("...") under the empty context.
    return QCoreApplication.translate("", text)


def square_columns(count: int) -> int:
    """Columns for ``count`` planes laid out about as wide as tall (1, 2, 2, 2, 3, ...)."""
    return max(1, int(np.ceil(np.sqrt(count))))


def shape_text(*sizes) -> str:
    """'3×24×24'."""
    return "×".join(str(s) for s in sizes)


def escape_html(text: str) -> str:
    return escape(text)


def written_or_nan(state, name: str) -> np.ndarray:
    """``state[name]`` as float32 with NaN where no frame has written yet: a grid shows those
    cells as "not computed yet" (the hatch)."""
    values = np.array(state[name], dtype=np.float32)
    values[~state.written[name]] = np.nan
    return values


def border_tint(height: int, width: int, top: int, left: int, inner_height: int, inner_width: int):
    """(height, width, 4) RGBA shading every cell outside the inner rectangle (padding, or what a
    crop drops); None when there is no such cell."""
    if (inner_height, inner_width) == (height, width):
        return None
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[...] = palette.PADDING_TINT
    rgba[top : top + inner_height, left : left + inner_width] = 0
    return rgba


def _stale_note(shown: bool) -> str:
    """The header's "not current" line. It is always there, transparent while the picture is
    current: a header that grew and shrank by a line on every parameter change would lay out,
    resize and repaint every panel under it twice."""
    note = tr("not current: the controls show a change that cannot run or is still being built")
    return f'<span style="color:{palette.STALE if shown else "transparent"}"><b>{escape_html(note)}</b></span>'


def settle_layout(passes: int = 4) -> None:
    """Let the layout settle: a label that wraps to a new width asks for a new height, which takes
    another pass of the event loop."""
    for _ in range(passes):
        QCoreApplication.processEvents()


class SceneBase(pg.GraphicsLayoutWidget):
    """The frame of a scene. ``hovered`` carries the text of what is under the mouse (also in
    ``hover_text``). Subclasses set PHASE_TITLES (phase name -> its title in the header)."""

    hovered = Signal(str)
    PHASE_TITLES: dict[str, str] = {}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(480, 360)
        self.ci.setSpacing(4)
        self._labels: list[WrappedLabel] = []
        self.text_scale = 1.0
        self.header = self._label(0, 0, colspan=4, justify="left")
        self.grids: dict[str, PlaneGrid] = {}
        self.math: WrappedLabel | None = None   # added by the subclass, under its grids
        self.built = None
        self.frame_index = None
        self.stale = False
        self.badge = ""
        self.hover_text = ""
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def _label(self, row: int, col: int, colspan: int = 1, justify: str = "center") -> WrappedLabel:
        label = WrappedLabel("", justify=justify, size="9pt")
        self.ci.addItem(label, row=row, col=col, colspan=colspan)
        self._labels.append(label)
        return label

    def _add_grid(self, name: str, row: int, col: int) -> PlaneGrid:
        """Grid ``name``: its title at (row, col), its view under it."""
        title = self._label(row, col)
        view = self.ci.addViewBox(row=row + 1, col=col, enableMenu=False)
        self.grids[name] = PlaneGrid(view, title)
        return self.grids[name]

    def _add_math(self, row: int) -> None:
        self.math = self._label(row, 0, colspan=4, justify="left")

    def _set_visible(self, names, visible: bool) -> None:
        for name in names:
            grid = self.grids[name]
            grid.view.setVisible(visible)
            grid.title.setVisible(visible)
            grid.view.setMaximumHeight(16777215 if visible else 0)
            grid.title.setMaximumHeight(16777215 if visible else 0)

    # ------------------------------------------------------------------------------------------
    # What subclasses write

    def show_built(self, built) -> None:
        raise NotImplementedError

    def show_frame(self, index: int) -> None:
        raise NotImplementedError

    def _link(self, name: str, k: int, y: int, x: int) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------
    # The header

    def _draw_header(self, index: int, phase) -> None:
        trace = self.built.trace
        stale = f"<br>{_stale_note(self.stale)}"
        # Translated outside the f-string: pyside6-lupdate does not look inside one.
        frame_word, one_frame = tr("frame"), escape_html(tr("one frame ="))
        title, unit = escape_html(tr(self.PHASE_TITLES.get(phase.name, phase.name))), escape_html(tr(phase.unit))
        label = self.built.label or self.built.note
        self.header.setText(
            f'<span style="font-size:{11 * self.text_scale:.0f}pt"><b>{frame_word} {index + 1:,} / {len(trace):,}</b> · '
            f'<b>{title}</b> ({one_frame} {unit})</span><br>'
            f'<span style="color:{palette.MUTED}">{escape_html(phase.explanation)}</span>'
            + (f"<br>{self.badge}" if self.badge else "")
            + (f'<br><b>{escape_html(label)}</b>' if label else "") + stale)

    def set_text_scale(self, scale: float) -> None:
        """Make every text of the scene ``scale`` times its normal size (presenter mode)."""
        self.text_scale = scale
        for label in self._labels:  # the panel titles grow less than the header and the math
            grow = scale if label in (self.header, self.math) else 1 + (scale - 1) / 2
            label.setText(label.text, size=f"{9 * grow:.0f}pt")
        for grid in self._all_grids():
            grid.set_text_size(8 * scale)
        if self.frame_index is not None:
            self.show_frame(self.frame_index)

    def _all_grids(self) -> list[PlaneGrid]:
        return list(self.grids.values())

    def shows_not_current(self) -> bool:
        """Whether the header shows its "not current" note (it always holds it, invisible while
        the picture is current)."""
        return _stale_note(True) in self.header.text

    def set_stale(self, stale: bool) -> None:
        self.stale = stale
        if self.frame_index is not None:
            self._draw_header(self.frame_index, self.built.trace.phase_at(self.frame_index))

    def set_badge(self, html: str) -> None:
        self.badge = html
        if self.frame_index is not None:
            self._draw_header(self.frame_index, self.built.trace.phase_at(self.frame_index))

    # ------------------------------------------------------------------------------------------
    # Hover linking

    def _on_mouse_moved(self, position) -> None:
        if self.built is None:
            return
        for name, grid in list(self.grids.items()):
            if not grid.view.isVisible() or not grid.view.sceneBoundingRect().contains(position):
                continue
            point = grid.view.mapSceneToView(position)
            cell = grid.cell_at(point.x(), point.y())
            self.hover(name, cell)
            return
        self.hover(None, None)

    def hover(self, name: str | None, cell) -> str:
        """Light what ``cell`` ((plane, row, column) of grid ``name``) is linked to; returns (and
        emits) the text describing it. ``hover(None, None)`` clears."""
        for grid in self.grids.values():
            grid.outline("hover", [], palette.HOVER)
        text = "" if cell is None or self.built is None else self._link(name, *cell)
        self.hover_text = text
        self.hovered.emit(text)
        return text

    # ------------------------------------------------------------------------------------------
    def render_image(self, width: int | None = None, height: int | None = None) -> QImage:
        """The scene as an image of the given size (the current size when not given)."""
        if width and height and not self.isVisible():
            self.resize(width, height)
        settle_layout()
        return self.grab().toImage()
