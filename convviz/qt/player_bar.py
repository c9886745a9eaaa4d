"""The transport under the picture: buttons, a scrub bar with a mark at each phase, the speed, and
always the frame number, the phase and its one-line explanation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSignalBlocker, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..scene.palette import GROUP_COLOURS
from .player import SPEED_RANGE, Player


class PhaseSlider(QSlider):
    """A horizontal slider over all frames with a coloured band and name per phase."""

    def __init__(self, parent=None):
        super().__init__(Qt.Horizontal, parent)
        self.phases = ()
        self.setMinimumHeight(34)

    def set_phases(self, phases) -> None:
        self.phases = tuple(phases)
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        total = self.maximum() + 1
        span = self.style().pixelMetric(QStyle.PM_SliderLength, None, self)
        left, width = span // 2, self.width() - span
        for k, phase in enumerate(self.phases):
            x0 = left + int(width * phase.first / max(total - 1, 1))
            x1 = left + int(width * phase.last / max(total - 1, 1))
            colour = QColor(GROUP_COLOURS[k % len(GROUP_COLOURS)])
            colour.setAlpha(70)
            painter.fillRect(QRect(x0, 0, max(x1 - x0, 2), 12), colour)
            painter.setPen(QColor("#404040"))
            painter.drawLine(x0, 0, x0, 14)
            painter.drawText(QRect(x0 + 3, 0, max(x1 - x0 - 3, 0), 12), Qt.AlignLeft | Qt.AlignVCenter,
                             self.tr(phase.name.replace("_", " ")))  # names listed in convviz.qt.i18n
        painter.end()
        super().paintEvent(event)


class PlayerBar(QWidget):
    def __init__(self, player: Player, parent=None):
        super().__init__(parent)
        self.player = player
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 2, 6, 2)
        row = QHBoxLayout()
        column.addLayout(row)
        style = self.style()

        def button(icon, tip, slot):
            tool = QToolButton()
            tool.setIcon(style.standardIcon(icon))
            tool.setToolTip(tip)
            tool.clicked.connect(slot)
            tool.setFocusPolicy(Qt.NoFocus)  # the keyboard stays with the window's shortcuts
            row.addWidget(tool)
            return tool

        self.previous_phase = button(QStyle.SP_MediaSkipBackward, self.tr("Previous phase (Shift+Left)"),
                                     player.previous_phase)
        self.back = button(QStyle.SP_MediaSeekBackward, self.tr("Step back (Left)"), lambda: player.step(-1))
        self.play = button(QStyle.SP_MediaPlay, self.tr("Play / pause (Space)"), player.toggle)
        self.forward = button(QStyle.SP_MediaSeekForward, self.tr("Step forward (Right)"), lambda: player.step(1))
        self.next_phase = button(QStyle.SP_MediaSkipForward, self.tr("Next phase (Shift+Right)"), player.next_phase)
        self.slider = PhaseSlider()
        self.slider.setFocusPolicy(Qt.NoFocus)
        self.slider.valueChanged.connect(player.seek)
        self.slider.sliderPressed.connect(player.pause)
        row.addWidget(self.slider, 1)
        self.speed = QDoubleSpinBox()
        self.speed.setRange(*SPEED_RANGE)
        self.speed.setDecimals(1)
        self.speed.setSuffix(self.tr(" frames/s"))
        self.speed.setToolTip(self.tr("Playing speed, 0.5 to 120 frames a second (+ and −)"))
        self.speed.setKeyboardTracking(False)
        self.speed.valueChanged.connect(player.set_speed)
        row.addWidget(self.speed)
        self.frame_label = QLabel()
        self.frame_label.setMinimumWidth(150)
        row.addWidget(self.frame_label)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self._explanation_width = None
        self._reserve_explanation_lines()
        column.addWidget(self.explanation)
        player.frameChanged.connect(self._show_frame)
        player.playingChanged.connect(self._show_playing)
        player.speedChanged.connect(self._show_speed)
        self._show_speed(player.speed)
        self.trace = None

    def _reserve_explanation_lines(self) -> None:
        """The explanation keeps the tallest height it has needed at this width (two lines at
        least): a label that grew and shrank with each phase would resize the whole scene above
        it, a full layout and paint of every panel, at phase changes while playing and after
        parameter changes."""
        label = self.explanation
        if label.width() != self._explanation_width:  # a new width (or font): wrapped anew
            self._explanation_width = label.width()
            label.setMinimumHeight(2 * label.fontMetrics().lineSpacing())
        needed = label.heightForWidth(label.width())
        if needed > label.minimumHeight():
            label.setMinimumHeight(needed)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._explanation_width = None
            self._reserve_explanation_lines()

    def set_trace(self, trace) -> None:
        self.trace = trace
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, max(len(trace) - 1, 0))
            self.slider.setValue(self.player.frame)
        self.slider.set_phases(trace.phases)
        self._show_frame(self.player.frame)

    def _show_frame(self, frame: int) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(frame)
        if self.trace is None or not len(self.trace):
            return
        phase = self.trace.phase_at(frame)
        self.frame_label.setText(self.tr("frame %1 of %2").replace("%1", f"{frame + 1:,}")
                                 .replace("%2", f"{len(self.trace):,}"))
        name, frames = self.tr(phase.name.replace("_", " ")), self.tr("frames")  # lupdate skips f-strings
        self.explanation.setText(f"<b>{name}</b> ({frames} {phase.first + 1:,}–{phase.last + 1:,}): {phase.explanation}")
        self._reserve_explanation_lines()

    def _show_playing(self, playing: bool) -> None:
        self.play.setIcon(self.style().standardIcon(QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay))

    def _show_speed(self, speed: float) -> None:
        with QSignalBlocker(self.speed):
            self.speed.setValue(speed)
