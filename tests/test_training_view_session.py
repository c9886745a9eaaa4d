"""The Training view's thread (convviz/qt/training/session.py) without Qt: a scripted trainer
whose steps() yields records, so every ordering is exact and nothing waits on the clock."""

from __future__ import annotations

import threading

import pytest

from convviz import models
from convviz.qt.training.session import (BackgroundLoad, Cancelled, Failed, Finished, Loaded, Paused, Progress, Ready,
                                         TrainingSession, restarts_steps)
from convviz.train import BatchRecord, EpochRecord


def batch(epoch: int, index: int, batches: int) -> BatchRecord:
    return BatchRecord(epoch=epoch, batch=index, batches=batches, step=index + 1, loss=0.5, accuracy=0.5,
                       images_per_second=1.0, seen=index + 1, total=batches, seconds_left=0.0, lr=5e-4)


def epoch_record(epoch: int) -> EpochRecord:
    return EpochRecord(epoch, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 5e-4, "numpy")


class ScriptedTrainer:
    """What TrainingSession uses of a Trainer; ``steps()`` plays ``script`` (records, or functions
    called in the training thread at that point, e.g. to request a pause mid-run)."""

    def __init__(self, script):
        self.script = list(script)
        self.model = models.catdog_cnn_small(rng=0)
        self.dataset = self.config = None
        self.history, self.step_count, self.epochs_done = [], 0, 0
        self.last_test = "the epoch's evaluation"
        self.generators = 0

    def steps(self):
        self.generators += 1
        while self.script:
            item = self.script.pop(0)
            if callable(item):
                item()
                continue
            self.step_count += isinstance(item, BatchRecord)
            self.epochs_done += isinstance(item, EpochRecord)
            yield item


def drain_until(session, wanted):
    """Messages until one of type ``wanted`` arrives (each call blocks until the thread posts)."""
    seen = []
    while not any(isinstance(m, wanted) for m in seen):
        arrived = session.messages(wait=30)
        assert arrived, f"no {wanted.__name__} within 30 s; so far {seen}"
        seen += arrived
    return seen


def test_a_pause_after_an_epochs_last_batch_waits_for_the_epoch():
    session = None
    trainer = ScriptedTrainer([batch(1, 0, 2), lambda: session.pause(), batch(1, 1, 2), epoch_record(1),
                               batch(2, 0, 2)])
    session = TrainingSession(lambda progress: trainer)
    session.start(running=True)
    seen = drain_until(session, Paused)
    kinds = [type(m).__name__ for m in seen]
    assert kinds == ["Ready", "BatchRecord", "BatchRecord", "EpochRecord", "str", "Paused"]
    assert seen[-1] == Paused(step=2, epochs_done=1) and seen[4] == "the epoch's evaluation"
    assert isinstance(seen[0], Ready) and seen[0].conv_layers == ((0, 3, 16), (4, 16, 32), (8, 32, 32), (11, 32, 32))
    session.resume()
    seen = drain_until(session, Finished)
    assert [type(m).__name__ for m in seen] == ["BatchRecord", "Finished"]
    session.thread.join()
    assert not session.alive


def test_jobs_run_between_steps_and_answer_through_messages():
    trainer = ScriptedTrainer([batch(1, 0, 1)])
    session = TrainingSession(lambda progress: trainer)
    session.start(running=False)
    drain_until(session, Paused)
    answers, problems = [], []
    session.submit(lambda t: t.step_count * 10, answers.append, problems.append)
    session.submit(lambda t: 1 / 0, answers.append, problems.append)
    session.submit(lambda t: "third", answers.append, problems.append)
    while len(answers) + len(problems) < 3:
        session.messages(wait=30)
    assert answers == [0, "third"] and problems == ["ZeroDivisionError: division by zero"]
    session.stop()
    assert not session.alive
    session.submit(lambda t: t.step_count + 1, answers.append)  # no thread: it runs here, at once
    assert answers[-1] == 1


def test_a_job_that_replaces_the_weights_starts_a_new_generator():
    trainer = ScriptedTrainer([batch(1, 0, 3), batch(1, 1, 3), batch(1, 2, 3), epoch_record(1)])
    session = None
    trainer.script.insert(1, lambda: session.pause())
    session = TrainingSession(lambda progress: trainer)
    session.start(running=True)
    drain_until(session, Paused)
    assert trainer.generators == 1
    session.submit(restarts_steps(lambda t: None))
    session.resume()
    drain_until(session, Finished)
    assert trainer.generators == 2  # the suspended one was closed, a fresh steps() continued


def test_a_failure_while_preparing_or_training_ends_the_thread_with_its_message(capsys):
    def no_data(progress):
        progress(1, 4, "reading")
        raise ValueError("missing split /data/test_set; expected ROOT/training_set/...")

    session = TrainingSession(no_data)
    session.start()
    session.thread.join()
    messages = session.messages()
    assert messages == [Progress(1, 4, "reading"), Failed("missing split /data/test_set; expected ROOT/training_set/...")]

    def broken():
        raise MemoryError()

    trainer = ScriptedTrainer([batch(1, 0, 2), broken])
    session = TrainingSession(lambda progress: trainer)
    session.start()
    session.thread.join()
    assert [type(m).__name__ for m in session.messages()] == ["Ready", "BatchRecord", "Failed"]
    assert "MemoryError" in capsys.readouterr().err  # the traceback is printed too


def test_stop_while_preparing_cancels_the_load():
    started, release = threading.Event(), threading.Event()

    def slow_load(progress):
        started.set()
        release.wait()
        progress(1, 2)  # the stop flag is seen here
        raise AssertionError("not reached")

    session = TrainingSession(slow_load)
    session.start()
    started.wait()
    with session._wake:  # what stop() does before it joins, then the load goes on and sees it
        session._stop = True
    release.set()
    session.stop()
    assert not session.alive and session.messages() == []


def test_background_load_gives_the_value_or_the_failure():
    load = BackgroundLoad(lambda progress: (progress(2, 2, "done"), "dataset")[1])
    load.start()
    load._thread.join()
    assert load.messages() == [Progress(2, 2, "done"), Loaded("dataset")]

    def missing(progress):
        raise FileNotFoundError("/nope: no such folder")

    load = BackgroundLoad(missing)
    load.start()
    load._thread.join()
    assert load.messages() == [Failed("/nope: no such folder")]
    with pytest.raises(Cancelled):
        cancelled = BackgroundLoad(lambda progress: None)
        cancelled._cancelled = True
        cancelled._progress(0, 1)
