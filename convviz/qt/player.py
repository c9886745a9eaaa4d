"""The player: the one timer that owns time, and the frame index it moves.

Animation moves an index; it never changes numbers (a frame is a pure function of the trace and
the index). While playing, each tick advances by the wall-clock time since the last one times the
speed, so a slow repaint drops frames instead of queueing them.
"""

from __future__ import annotations

import bisect
import time

from PySide6.QtCore import QObject, QTimer, Signal

SPEEDS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)  # frames per second, for + and −
SPEED_RANGE = (0.5, 120.0)
TICK_MS = 16  # about 60 ticks a second; at 0.5 frames/s most ticks move nothing


class Player(QObject):
    frameChanged = Signal(int)
    playingChanged = Signal(bool)
    speedChanged = Signal(float)

    def __init__(self, parent=None, clock=time.perf_counter):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._clock = clock
        self.frame = 0
        self.length = 0
        self.phase_starts: list[int] = []
        self.speed = 10.0
        self._last_tick = 0.0
        self._carry = 0.0  # fraction of a frame owed from earlier ticks

    # ------------------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def set_trace(self, length: int, phase_starts, keep_frame: bool = True) -> None:
        """A new trace: its frame count and where each phase starts. The frame stays where it was
        when it still exists, so a parameter change does not throw the student back to frame 0."""
        self.length = length
        self.phase_starts = sorted(phase_starts)
        frame = min(self.frame, length - 1) if keep_frame else 0
        self.frame = -1
        self.seek(max(frame, 0))
        if not length:
            self.pause()

    def seek(self, frame: int) -> None:
        if not self.length:
            return
        frame = max(0, min(int(frame), self.length - 1))
        if frame != self.frame:
            self.frame = frame
            self.frameChanged.emit(frame)

    def step(self, frames: int = 1) -> None:
        self.pause()
        self.seek(self.frame + frames)

    def home(self) -> None:
        self.step(-self.length)

    def end(self) -> None:
        self.step(self.length)

    def next_phase(self) -> None:
        later = [s for s in self.phase_starts if s > self.frame]
        self.step((later[0] if later else self.length - 1) - self.frame)

    def previous_phase(self) -> None:
        """To the start of this phase, or of the one before when already at its start."""
        index = bisect.bisect_right(self.phase_starts, self.frame) - 1
        start = self.phase_starts[index] if index >= 0 else 0
        if start == self.frame and index > 0:
            start = self.phase_starts[index - 1]
        self.step(start - self.frame)

    # ------------------------------------------------------------------------------------------
    def set_speed(self, speed: float) -> None:
        speed = max(SPEED_RANGE[0], min(float(speed), SPEED_RANGE[1]))
        if speed != self.speed:
            self.speed = speed
            self.speedChanged.emit(speed)

    def faster(self) -> None:
        self.set_speed(next((s for s in SPEEDS if s > self.speed), SPEEDS[-1]))

    def slower(self) -> None:
        self.set_speed(next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0]))

    def play(self) -> None:
        if not self.length or self.playing:
            return
        if self.frame >= self.length - 1:
            self.seek(0)  # Space at the end plays again from the start
        self._last_tick, self._carry = self._clock(), 0.0
        self._timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def _tick(self) -> None:
        now = self._clock()
        self._carry += (now - self._last_tick) * self.speed
        self._last_tick = now
        frames = int(self._carry)
        if frames < 1:
            return
        self._carry -= frames
        target = self.frame + frames
        self.seek(target)
        if target >= self.length - 1:
            self.pause()
