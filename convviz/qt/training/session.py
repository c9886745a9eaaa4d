"""A training run on its own thread, and a dataset load on another (no Qt in here).

The trainer belongs to its thread. The window never calls it while that thread is alive: it
sends commands (``resume``, ``pause``, ``stop``) and jobs (a function of the trainer, run on the
training thread between two steps), and reads what comes back from ``messages()``: the frozen
records of ``Trainer.steps()``, the end-of-epoch ``Evaluation``, the few messages below, and job
results. Nothing is signalled per record: the window drains the queue on its own ~30 Hz timer, so
a fast trainer cannot flood the event loop, and a paused run waits on a condition (no polling).

Why a plain ``threading.Thread`` and not a QThread or superqt's worker: the run needs no Qt
event loop of its own, and on Python 3.11 a thread started by Qt stays in
``threading.enumerate()`` after it ends, so a test could not tell a finished run from a live one.

Once the thread has ended (the run finished, failed or was stopped), jobs run on the calling
thread at once: nobody else touches the trainer any more.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import traceback
from typing import Any, Callable

from convviz.train import BatchRecord, EpochRecord, Stopped

__all__ = ["BackgroundLoad", "Cancelled", "Failed", "Finished", "Loaded", "Paused", "Progress", "Ready", "TrainingSession"]


class Cancelled(Exception):
    """Raised by a progress callback to stop a load that is no longer wanted."""


@dataclasses.dataclass(frozen=True)
class Progress:
    """Preparing the run (loading or drawing the images): ``done`` of ``total`` (0 of 0: busy)."""

    done: int
    total: int
    text: str


@dataclasses.dataclass(frozen=True)
class Ready:
    """The trainer is built. ``dataset`` is frozen (read-only arrays), so the window may show its
    images; ``conv_layers`` is (layer index, in_channels, out_channels) per Conv2d layer."""

    dataset: Any
    config: Any
    history: tuple
    conv_layers: tuple[tuple[int, int, int], ...]


@dataclasses.dataclass(frozen=True)
class Paused:
    """The run is suspended between two steps: the trainer may be looked at (by jobs)."""

    step: int
    epochs_done: int


@dataclasses.dataclass(frozen=True)
class Finished:
    """Every epoch is done; the thread has ended."""

    epochs_done: int


@dataclasses.dataclass(frozen=True)
class Failed:
    """The run could not start or go on (the message says why); the thread has ended."""

    message: str


@dataclasses.dataclass(frozen=True)
class Loaded:
    """A background load's result (a ``Dataset``)."""

    value: Any


@dataclasses.dataclass(frozen=True)
class _JobResult:
    job: int
    result: Any = None
    error: str | None = None


def describe(error: BaseException) -> str:
    """A message for the window: the exception's own text (our errors name the problem)."""
    text = str(error) or type(error).__name__
    return text if isinstance(error, (ValueError, OSError, KeyError)) or type(error).__module__.startswith("convviz") \
        else f"{type(error).__name__}: {text}"


class TrainingSession:
    """``prepare(progress) -> Trainer`` and then the trainer's steps, on the thread "convviz-train".

    start(running)   start the thread; training begins at once when ``running``, else it reports
                     ``Paused`` when ready
    resume() / pause()   pull steps again / stop pulling after the current step
    stop()           end the run and wait for the thread (at most one step)
    submit(fn, done, failed)   ``fn(trainer)`` between two steps; ``done(result)`` or
                     ``failed(message)`` are called from ``messages()`` on the window's thread
    messages(wait)   what arrived since the last call, oldest first (job callbacks run inside)
    """

    def __init__(self, prepare: Callable, name: str = "convviz-train"):
        self._prepare = prepare
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._wake = threading.Condition()
        self._want_running = False
        self._stop = False
        self._closed = False  # set by the thread when it takes no more jobs
        self._jobs: list[tuple[int, Callable]] = []
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._job_count = 0
        self.trainer = None  # the thread's; read it only while paused (a job) or after the thread ended
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    # ------------------------------------------------------------------------------------------
    # The window's side.

    def start(self, running: bool = True) -> None:
        self._want_running = running
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def resume(self) -> None:
        with self._wake:
            self._want_running = True
            self._wake.notify()

    def pause(self) -> None:
        with self._wake:
            self._want_running = False
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stop, self._want_running = True, False
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join()

    def submit(self, fn: Callable, done: Callable | None = None, failed: Callable | None = None) -> None:
        with self._wake:
            if not self._closed and self._thread.is_alive():
                self._job_count += 1
                self._callbacks[self._job_count] = (done, failed)
                self._jobs.append((self._job_count, fn))
                self._wake.notify()
                return
        try:  # nobody else uses the trainer now: run it here
            result = fn(self.trainer)
        except Exception as error:
            if failed is not None:
                failed(describe(error))
            return
        if done is not None:
            done(result)

    def messages(self, wait: float = 0.0) -> list:
        """What arrived, oldest first; ``wait`` > 0 blocks up to that many seconds for the first
        message (scripts and tests; the window never blocks)."""
        found = []
        while True:
            try:
                message = self._outbox.get(timeout=wait) if wait > 0 and not found else self._outbox.get_nowait()
            except queue.Empty:
                return found
            wait = 0.0
            if isinstance(message, _JobResult):
                done, failed = self._callbacks.pop(message.job, (None, None))
                if message.error is None and done is not None:
                    done(message.result)
                elif message.error is not None and failed is not None:
                    failed(message.error)
                continue
            found.append(message)

    # ------------------------------------------------------------------------------------------
    # The thread's side.

    def _progress(self, done: int, total: int, text: str = "") -> None:
        if self._stop:
            raise Cancelled()
        self._outbox.put(Progress(int(done), int(total), text))

    def _run(self) -> None:
        try:
            trainer = self.trainer = self._prepare(self._progress)
        except Cancelled:
            trainer = None
        except Exception as error:
            self._outbox.put(Failed(describe(error)))
            trainer = None
        if trainer is not None:
            from convviz.train import conv_layer_indices

            model = trainer.model
            layers = tuple((i, model[i].in_channels, model[i].out_channels) for i in conv_layer_indices(model))
            self._outbox.put(Ready(trainer.dataset, trainer.config, tuple(trainer.history), layers))
            self._train(trainer)
        with self._wake:
            self._closed = True
            leftover, self._jobs = self._jobs, []
        if trainer is not None:
            for job in leftover:
                self._run_job(job)

    def _train(self, trainer) -> None:
        steps, pause_reported, finishing = None, False, False
        try:
            while True:
                with self._wake:
                    while not (self._stop or self._jobs or self._want_running or finishing or not pause_reported):
                        self._wake.wait()
                    stop, jobs, running = self._stop, self._jobs, self._want_running
                    self._jobs = []
                if stop:
                    return
                for job in jobs:
                    if self._run_job(job) and steps is not None:
                        steps.close()  # the job replaced the weights: the next steps() starts afresh
                        steps, finishing = None, False
                if not running and not finishing:
                    if not pause_reported:
                        self._outbox.put(Paused(trainer.step_count, trainer.epochs_done))
                        pause_reported = True
                    continue
                pause_reported = False
                if steps is None:
                    steps = trainer.steps()
                try:
                    record = next(steps)
                except StopIteration:
                    self._outbox.put(Finished(trainer.epochs_done))
                    return
                self._outbox.put(record)
                # After an epoch's last batch the next "step" is its evaluation: a pause waits for
                # it, so that a paused run always has a next batch to show (and its epoch scored).
                finishing = isinstance(record, BatchRecord) and record.batch + 1 == record.batches
                if isinstance(record, EpochRecord):
                    self._outbox.put(trainer.last_test)
                elif isinstance(record, Stopped):  # a NaN: wait, keeping the last good weights
                    steps = None
                    with self._wake:
                        self._want_running = False
        except Exception as error:  # the engine failed mid-run: say so, never hang the window
            traceback.print_exc()
            self._outbox.put(Failed(describe(error)))
        finally:
            if steps is not None:
                steps.close()

    def _run_job(self, job) -> bool:
        """Run one job; True when it asked for the step generator to start again."""
        number, fn = job
        try:
            result = fn(self.trainer)
        except Exception as error:
            self._outbox.put(_JobResult(number, error=describe(error)))
            return False
        self._outbox.put(_JobResult(number, result))
        return bool(getattr(fn, "restarts_steps", False))


class BackgroundLoad:
    """``load(progress) -> value`` on the thread "convviz-load"; ``messages()`` gives ``Progress``
    and then ``Loaded(value)`` or ``Failed``. ``cancel()`` makes the next progress call stop the load."""

    def __init__(self, load: Callable, name: str = "convviz-load"):
        self._load = load
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def cancel(self) -> None:
        self._cancelled = True
        if self._thread.is_alive():
            self._thread.join()

    def _progress(self, done: int, total: int, text: str = "") -> None:
        if self._cancelled:
            raise Cancelled()
        self._outbox.put(Progress(int(done), int(total), text))

    def _run(self) -> None:
        try:
            self._outbox.put(Loaded(self._load(self._progress)))
        except Cancelled:
            pass
        except Exception as error:
            self._outbox.put(Failed(describe(error)))

    def messages(self) -> list:
        found = []
        while True:
            try:
                found.append(self._outbox.get_nowait())
            except queue.Empty:
                return found


def restarts_steps(fn: Callable) -> Callable:
    """Mark a job that replaces the trainer's weights (loading a checkpoint): the suspended
    ``steps()`` generator holds the old epoch's progress, so the next step starts a new one."""
    fn.restarts_steps = True
    return fn
