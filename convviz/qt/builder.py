"""Building traces off the GUI thread, newest request wins.

Every request carries a generation number. One worker thread builds them in order; a request that
is no longer the newest when its turn comes is skipped, and a finished build that is not the newest
is dropped by the receiver, so a parameter dragged through ten values builds at most two traces
and shows only the last. The comparison with PyTorch runs on a second thread (importing torch the
first time takes a second or two) and arrives later as its own signal.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QObject, Signal

from convviz.state.build import Built, ConvArguments, make_built
from convviz.state.spec import ConvSpec
from convviz.state.torch_check import TorchCheck, check_against_torch


class TraceBuilder(QObject):
    built = Signal(object)          # Built
    failed = Signal(int, str)       # generation, message
    checked = Signal(int, object)   # generation, TorchCheck

    def __init__(self, parent=None, check_with_torch: bool = True):
        super().__init__(parent)
        self._builds = ThreadPoolExecutor(max_workers=1, thread_name_prefix="convviz-build")
        self._checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="convviz-torch")
        self.check_with_torch = check_with_torch
        self.latest = 0
        self._closed = False
        # Checks wait while held (the app holds them until its window has painted: importing
        # torch takes a second or two of CPU, which the first paint should not share).
        self._checks_held = False
        self._held_check = None
        self._held_lock = threading.Lock()
        # With wait_for_paint (the window sets it), a build's check also waits until the window
        # says the build is on screen (painted): torch's work should not share the two cores with
        # the drawing of the picture it checks, the slowest part of a parameter change.
        self.wait_for_paint = False
        self._painted = 0  # the newest generation the window has painted

    def request(self, spec: ConvSpec, image: np.ndarray | None = None, args: ConvArguments | None = None,
                label: str = "") -> int:
        """Build ``spec`` on ``image`` (C, H, W), or the convolution ``args`` describes (labelled
        ``label``), in the background; returns its generation."""
        self.latest += 1
        generation = self.latest
        self._builds.submit(self._build, generation, spec, image, args, label)
        return generation

    def build_now(self, spec: ConvSpec, image: np.ndarray | None = None, args: ConvArguments | None = None,
                  label: str = "") -> Built:
        """The same build on the calling thread (the screenshot and the tests use it)."""
        self.latest += 1
        return self._make(self.latest, spec, image, args, label)

    def _make(self, generation: int, spec: ConvSpec, image, args, label) -> Built:
        return make_built(spec, image, args, label, generation)

    def _build(self, generation: int, spec: ConvSpec, image, args, label) -> None:
        if generation != self.latest or self._closed:
            return  # superseded before it started
        try:
            result = self._make(generation, spec, image, args, label)
        except Exception as error:  # the engine's messages: shown in the window, never a crash
            if not self._closed:
                self.failed.emit(generation, str(error))
            return
        if self._closed:
            return
        self.built.emit(result)
        if self.check_with_torch:
            with self._held_lock:
                self._held_check = result
            self._check_if_free()

    def hold_checks(self) -> None:
        """Keep the comparisons with torch until ``release_checks`` (the newest one is kept; with
        ``wait_for_paint`` it also waits for ``painted``)."""
        with self._held_lock:
            self._checks_held = True

    @property
    def held_check(self) -> Built | None:
        """The build whose comparison with torch waits (for ``release_checks`` or, with
        ``wait_for_paint``, for ``painted``), if any."""
        with self._held_lock:
            return self._held_check

    def release_checks(self) -> None:
        with self._held_lock:
            self._checks_held = False
        self._check_if_free()

    def painted(self, generation: int) -> None:
        """The window has painted build ``generation``: its check may start (with wait_for_paint)."""
        with self._held_lock:
            self._painted = max(self._painted, generation)
        self._check_if_free()

    def _check_if_free(self) -> None:
        """Start the held check unless checks are held or its build is not on screen yet."""
        with self._held_lock:
            held = self._held_check
            if held is None or self._checks_held or (self.wait_for_paint and held.generation > self._painted):
                return
            self._held_check = None
        if not self._closed:
            self._checks.submit(self._check, held)

    def check(self, result: Built) -> TorchCheck:
        return check_against_torch(result.args, result.trace)

    def _check(self, result: Built) -> None:
        if result.generation != self.latest or self._closed:
            return
        try:
            outcome = self.check(result)
        except Exception as error:
            outcome = TorchCheck(True, False, reason=f"the comparison with torch failed: {error}")
        if not self._closed:
            self.checked.emit(result.generation, outcome)

    def shutdown(self) -> None:
        """Stop taking work and wait for the running build (closing the window calls this)."""
        self._closed = True
        self._builds.shutdown(wait=True, cancel_futures=True)
        self._checks.shutdown(wait=True, cancel_futures=True)
