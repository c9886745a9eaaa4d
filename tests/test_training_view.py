"""The Training view driven as a user would (tiny built-in data, a few steps), read back from
what it shows: the run's states and threads, the curves' data, the learning rate changed while
paused, the filters and feature maps (also as they were after an epoch), the test results, and
the checkpoint and data-folder errors."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QThread

from convviz.data import builtin_dataset
from convviz.train import conv_layer_indices, feature_maps
from convviz.qt.training import TrainingView
from convviz.qt.training.filters import MAPS_PER_LAYER, filter_images, map_levels, mosaic
from convviz.qt.training.jobs import dataset_key
from convviz.qt.training.plots import smoothed

WAIT = int(__import__("os").environ.get("TRAIN_WAIT", 60_000))  # ms; the machine is shared, so waits are generous (they end as soon as the condition holds)
RUN_THREADS = ("convviz-train", "convviz-load")


def run_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith(RUN_THREADS)]


@pytest.fixture(scope="module")
def tiny_data():
    return builtin_dataset(64, 32, 8, 0)


@pytest.fixture
def view(qtbot, tiny_data):
    """A Training view on tiny built-in data: 32 + 8 images per class, batches of 16 (4 steps an
    epoch). The images are drawn once per module and handed to the view as if it had loaded them
    (test_start_pause_resume_stop has it draw them itself)."""
    widget = TrainingView()
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    widget.form.train_per_class.setValue(32)
    widget.form.test_per_class.setValue(8)
    widget.form.epochs.setValue(20)  # never over before a test pauses it (tests that want the end set 2)
    widget.dataset, widget.dataset_key = tiny_data, dataset_key(widget.form.config())
    yield widget
    widget.close()
    assert run_threads() == [], f"threads left running: {run_threads()}"
    assert not widget.pump.isActive(), "the redraw timer is still running"
    assert [t for t in widget.findChildren(QThread) if t.isRunning()] == []


def start_and_pause(qtbot, view, after_steps: int = 1) -> None:
    view.start()
    qtbot.waitUntil(lambda: view.state == "running" and len(view.curves.batch_x) >= after_steps, timeout=WAIT)
    view.pause_button.click()
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)


def run_to_end(qtbot, view) -> None:
    view.start()
    qtbot.waitUntil(lambda: view.state == "ended", timeout=WAIT)


def test_start_pause_resume_stop_leaves_no_thread(qtbot, view, tiny_data):
    view.dataset = view.dataset_key = None  # the run draws its images on its thread
    assert view.start_button.isEnabled() and not view.pause_button.isEnabled()
    start_and_pause(qtbot, view)
    trainer = view.trainer
    np.testing.assert_array_equal(trainer.dataset.test.images, tiny_data.test.images)
    assert view.pause_button.text() == "Resume" and view.form.lr.isEnabled() and not view.form.epochs.isEnabled()
    assert view.session.alive and run_threads() == ["convviz-train"]
    qtbot.waitUntil(lambda: f"now, after {trainer.step_count} steps" in view.filters.title.text(), timeout=WAIT)
    steps = trainer.step_count
    assert steps == len(view.curves.batch_x)  # every step was drawn, none is running
    view.pause_button.click()  # resume
    assert view.state == "running"
    qtbot.waitUntil(lambda: len(view.curves.batch_x) > steps, timeout=WAIT)
    view.stop_button.click()
    assert view.state == "ended" and not view.session.alive
    assert run_threads() == []
    assert view.start_button.isEnabled() and view.save_button.isEnabled()
    qtbot.waitUntil(lambda: not view.pump.isActive(), timeout=WAIT)


def test_a_run_started_paused_waits_before_its_first_step(qtbot, view):
    view.start(paused=True)
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    assert view.trainer.step_count == 0 and view.curves.batch_x == []
    qtbot.waitUntil(lambda: "now, after 0 steps" in view.filters.title.text(), timeout=WAIT)
    weight = view.trainer.weights_at(0)["0.weight"]
    for item, expected in zip(view.filters.items, filter_images(weight)):
        np.testing.assert_array_equal(item.image, expected)
    view.stop()


def test_closing_while_running_stops_the_run(qtbot, view):
    view.start()
    qtbot.waitUntil(lambda: len(view.curves.batch_x) >= 1, timeout=WAIT)
    view.close()
    assert not view.session.alive and run_threads() == [] and not view.pump.isActive()


def test_curves_hold_the_records(qtbot, view):
    view.form.epochs.setValue(2)
    run_to_end(qtbot, view)
    history = view.trainer.history
    assert [record.epoch for record in history] == [1, 2]
    losses = [loss for record in history for loss in record.batch_losses]
    x, y = view.curves.raw_loss.getOriginalDataset()
    np.testing.assert_array_equal(y, losses)
    np.testing.assert_allclose(x, [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0])
    _, smooth = view.curves.smooth_loss.getOriginalDataset()
    np.testing.assert_allclose(smooth, smoothed(losses))
    assert smooth[0] == pytest.approx(losses[0], rel=1e-12)  # bias-corrected: the first point is the first loss
    np.testing.assert_allclose(smooth[1], (0.9 * 0.1 * losses[0] + 0.1 * losses[1]) / (1 - 0.81))
    for item, name in ((view.curves.train_accuracy, "train_accuracy"), (view.curves.test_accuracy, "test_accuracy"),
                       (view.curves.test_loss, "test_loss")):
        epochs, values = item.getOriginalDataset()
        np.testing.assert_array_equal(epochs, [1, 2])
        np.testing.assert_array_equal(values, [getattr(record, name) for record in history])
    assert "Finished: 2 epochs" in view.message.text()
    # the results of the last epoch: the confusion matrix and the mistakes are the trainer's own
    evaluation = view.trainer.last_test
    np.testing.assert_array_equal(view.results.confusion.matrix, evaluation.confusion_matrix)
    assert view.results.mistakes.shown == [int(i) for i in evaluation.misclassified()[:12]]


def test_learning_rate_changed_while_paused(qtbot, view, monkeypatch):
    # Every batch record the view receives (several can arrive in one 30 Hz drain of the queue).
    received = []
    add_batch = view.curves.add_batch
    monkeypatch.setattr(view.curves, "add_batch", lambda record: (received.append(record), add_batch(record)))
    view.start()
    qtbot.waitUntil(lambda: view.state == "running", timeout=WAIT)
    assert not view.form.lr.isEnabled()  # not while running
    view.pause_button.click()
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    assert view.form.lr.isEnabled()
    view.form.lr.setValue(1e-4)
    qtbot.waitUntil(lambda: "Learning rate 0.0001 from the next step" in view.message.text(), timeout=WAIT)
    assert view.trainer.lr == 1e-4 and view.trainer.backend.lr == 1e-4
    steps = view.trainer.step_count
    view.pause_button.click()
    qtbot.waitUntil(lambda: view.last_batch is not None and view.last_batch.step > steps, timeout=WAIT)
    view.stop()
    after = [record for record in received if record.step > steps]
    assert after[0].step == steps + 1  # the next step, without starting over
    assert all(record.lr == 1e-4 for record in after)  # used the new rate


def test_filters_and_feature_maps_show_the_weights(qtbot, view):
    start_and_pause(qtbot, view)
    trainer = view.trainer
    qtbot.waitUntil(lambda: f"now, after {trainer.step_count} steps" in view.filters.title.text(), timeout=WAIT)
    first = conv_layer_indices(trainer.model)[0]
    shown = filter_images(trainer.model[first].weight.data)
    assert len(view.filters.items) == 16
    for item, expected in zip(view.filters.items, shown):
        np.testing.assert_array_equal(item.image, expected)
    assert np.allclose(np.abs(np.stack([i.image for i in view.filters.items]) - 0.5).max(), 0.5)  # one scale

    # feature maps of the chosen test image: every spatial layer, its first channels, one scale per layer
    view.image_index.setValue(5)
    qtbot.waitUntil(lambda: "Test image 5" in view.maps.title.text(), timeout=WAIT)
    expected = [(name, array) for name, array in feature_maps(trainer, trainer.dataset.test.images[5]) if array.ndim == 3]
    assert len(view.maps.row_items) == len(expected) == 15
    for item, (_, array), levels in zip(view.maps.row_items, expected, view.maps.levels):
        np.testing.assert_allclose(item.image, mosaic(array[:MAPS_PER_LAYER]), rtol=1e-5, atol=1e-6, equal_nan=True)
        np.testing.assert_allclose(levels, map_levels(array[:MAPS_PER_LAYER]), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(view.maps.input_item.image, trainer.dataset.test.images[5].transpose(1, 2, 0))
    view.stop()


def click_plot(qtbot, plot, x: float) -> None:
    """A left click on ``plot`` at data coordinate x (middle height), as the mouse would."""
    box = plot.getPlotItem().vb
    (_, (low, high)) = box.viewRange()
    scene_point = box.mapViewToScene(QPointF(x, (low + high) / 2))
    qtbot.mouseClick(plot.viewport(), Qt.LeftButton, pos=plot.mapFromScene(scene_point))


def test_clicking_an_epoch_shows_its_weights(qtbot, view):
    view.form.epochs.setValue(2)
    run_to_end(qtbot, view)
    trainer = view.trainer
    with qtbot.waitSignal(view.curves.epochClicked, timeout=WAIT) as clicked:
        click_plot(qtbot, view.curves.accuracy_plot, 1.1)
    assert clicked.args == [1]
    qtbot.waitUntil(lambda: "after epoch 1" in view.filters.title.text(), timeout=WAIT)
    then = filter_images(trainer.weights_at(1)["0.weight"])
    for item, expected in zip(view.filters.items, then):
        np.testing.assert_array_equal(item.image, expected)
    assert not np.array_equal(then, filter_images(trainer.weights_at(2)["0.weight"]))
    assert view.curves.markers[0].isVisible() and view.curves.markers[0].value() == 1
    assert "after epoch 1" in view.results.title.text()
    np.testing.assert_array_equal(view.results.confusion.matrix, view.evaluations[1].confusion_matrix)
    view.live_button.click()  # back to the weights of the moment
    qtbot.waitUntil(lambda: "now" in view.filters.title.text(), timeout=WAIT)
    assert not view.curves.markers[0].isVisible()


def test_saliency_of_the_chosen_image(qtbot, view):
    from convviz.qt.training.results import saliency_map

    view.start(paused=True)
    qtbot.waitUntil(lambda: "after 0 steps" in view.filters.title.text(), timeout=WAIT)
    view.image_index.setValue(2)
    qtbot.waitUntil(lambda: "test image 2" in view.results.saliency.title.text(), timeout=WAIT)
    gradient = view.trainer.saliency(view.trainer.dataset.test.images[2])
    np.testing.assert_allclose(view.results.saliency.heat_item.image, saliency_map(gradient), rtol=1e-4, atol=1e-6)
    assert view.results.saliency.heat_item.image.max() == pytest.approx(1.0)
    view.stop()


def test_a_nan_loss_pauses_with_its_message(qtbot, view, tiny_data):
    config = view.form.config()
    clean = tiny_data
    poisoned = np.array(clean.train.images)
    poisoned[:] = np.nan  # every batch gives a NaN loss
    view.dataset = type(clean)(type(clean.train)(poisoned, clean.train.labels, clean.train.paths), clean.test,
                               clean.skipped, clean.source)
    view.dataset_key = dataset_key(config)
    view.start()
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    text = view.message.text()
    assert "training stopped at epoch 1, batch 1" in text and "smaller learning rate" in text
    assert all(np.all(np.isfinite(value)) for value in view.trainer.model.state_dict().values())
    view.stop()
