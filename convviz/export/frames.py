"""Frames for an export: the window's own scene (``ConvScene``), drawn off screen at an exact size.

``FrameRenderer(built, width, height, caption)`` makes a ConvScene that is never shown, gives it
the build (``show_built``) and renders frame i (``show_frame(i)`` then ``render_image``), so an
exported frame has the colours, numbers and header of the screen because it *is* that drawing.
The only thing added is the caption strip under it: one line (wrapped if long) with the
parameters, for a slide that has to say what it shows.

What to export (phases, sizes, the caption's text) is in ``options`` (no Qt).
"""

from __future__ import annotations

import os
import sys

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter


SETTLE_ATTEMPTS = 6  # drawings of a frame at most, while the scene's layout settles


def use_offscreen_without_display() -> None:
    """Exporting needs no window: with no display Qt draws offscreen."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def application():
    """The running QApplication, or a new one (the terminal's export has none yet)."""
    use_offscreen_without_display()
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """(H, W, 3) uint8 RGB copy of ``image`` (any format; its rows may be padded)."""
    import cv2

    if image.format() not in (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32,
                              QImage.Format.Format_ARGB32_Premultiplied):
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    height, width = image.height(), image.width()
    # RGB32 is 0xffRRGGBB per pixel: the bytes B, G, R, 255 on a little-endian machine.
    rows = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.bytesPerLine() * height)
    pixels = rows.reshape(height, image.bytesPerLine())[:, : width * 4].reshape(height, width, 4)
    if sys.byteorder == "little":
        return cv2.cvtColor(pixels, cv2.COLOR_BGRA2RGB)
    return pixels[:, :, 1:].copy()


class FrameRenderer:
    """Frames of one build at ``width`` × ``height`` pixels, by a scene of its own (the one the window uses for that operation).

    ``caption``: the text of the strip under the scene (None: no strip, the scene fills the
    frame). ``badge``: the window's sentence about PyTorch, shown as on screen ("" for none).
    Needs a QApplication (``application()``); call ``close()`` when done.
    """

    def __init__(self, built, width: int, height: int, caption: str | None = None, badge: str = ""):
        from convviz.scene import palette
        from convviz.scene.scenes import scene_class

        self.built, self.width, self.height = built, int(width), int(height)
        self._background, self._text = QColor(palette.BACKGROUND), QColor(palette.TEXT)
        self.caption = caption
        self._font = QFont()
        self._font.setPixelSize(max(11, round(self.height / 36)))
        self.caption_height = self._caption_height() if caption else 0
        self.scene = scene_class(built.operation)()
        # The window keeps the scene at least 480×360; an export may be smaller (a thumbnail).
        self.scene.setMinimumSize(1, 1)
        self.scene.show_built(built)
        if badge:
            self.scene.set_badge(badge)

    def _caption_height(self) -> int:
        metrics = QFontMetrics(self._font)
        box = metrics.boundingRect(QRect(0, 0, self.width - 16, 10_000), Qt.TextWordWrap, self.caption)
        return min(box.height() + 10, self.height // 3)

    def __len__(self) -> int:
        return len(self.built.trace)

    def image(self, index: int) -> QImage:
        """Frame ``index`` as a ``width`` × ``height`` QImage (the scene, then the caption strip)."""
        scene_image = self._steady_drawing(index)
        if not self.caption_height and scene_image.size().toTuple() == (self.width, self.height):
            return scene_image
        frame = QImage(self.width, self.height, QImage.Format.Format_RGB32)
        frame.fill(self._background)
        painter = QPainter(frame)
        painter.drawImage(0, 0, scene_image)
        if self.caption_height:
            painter.setFont(self._font)
            painter.setPen(self._text)
            strip = QRect(8, self.height - self.caption_height, self.width - 16, self.caption_height)
            painter.drawText(strip, Qt.AlignCenter | Qt.TextWordWrap, self.caption)
        painter.end()
        return frame

    def _steady_drawing(self, index: int) -> QImage:
        """Frame ``index`` shown and drawn until two drawings agree (at most SETTLE_ATTEMPTS).

        A frame's text can change a label's height and so the size of the panels, and the scene
        decides from a panel's size on screen whether its cells are big enough for numbers: shown
        again once the layout is this frame's own, the frame is drawn the same whatever came
        before it (an export's frame k equals frame k drawn alone)."""
        height = self.height - self.caption_height
        self.scene.show_frame(index)
        drawing = self.scene.render_image(self.width, height)
        for _ in range(SETTLE_ATTEMPTS - 1):
            self.scene.show_frame(index)
            again = self.scene.render_image(self.width, height)
            if again == drawing:
                break
            drawing = again
        return drawing

    def rgb(self, index: int) -> np.ndarray:
        """Frame ``index`` as (height, width, 3) uint8 RGB."""
        return qimage_to_rgb(self.image(index))

    def close(self) -> None:
        self.scene.close()
        self.scene.deleteLater()
