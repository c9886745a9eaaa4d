"""convviz.train's Trainer: the records its generator yields, batch order from the seed, the
learning rate changed between steps, the stop on a NaN, time outside the generator, per-epoch
weights, evaluation and saliency (against torch autograd)."""

from __future__ import annotations

import dataclasses
import types

import numpy as np
import pytest

from convviz import models, optim
from convviz.train import (BatchRecord, EpochRecord, Stopped, TrainConfig, TrainConfigError, Trainer, bce_loss,
                           evaluate, saliency, train_steps)
from convviz.train import loop as loop_module


def split(count: int, seed: int, size: int = 64):
    """Images whose class shows in the red channel's brightness; pixel (0, 0, 0) numbers the image."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(count) % 2).astype(np.float32)
    images = rng.random((count, 3, size, size), dtype=np.float32) * 0.5
    images[labels == 1, 0] += 0.4
    images[:, 0, 0, 0] = np.arange(count) / 1000
    return types.SimpleNamespace(images=images, labels=labels, paths=tuple(f"image{i}" for i in range(count)))


def dataset(train: int = 40, test: int = 20):
    return types.SimpleNamespace(train=split(train, 1), test=split(test, 2), skipped=(), source="test")


def image_ids(images: np.ndarray) -> list[int]:
    return [int(round(value * 1000)) for value in images[:, 0, 0, 0]]


def test_the_generator_runs_as_a_plain_loop_and_its_records_add_up():
    trainer = Trainer(dataset(40, 20), TrainConfig(epochs=2, batch_size=16))
    records = list(trainer.steps())
    assert [type(r).__name__ for r in records] == ["BatchRecord"] * 3 + ["EpochRecord"] + ["BatchRecord"] * 3 + ["EpochRecord"]
    batches = [r for r in records if isinstance(r, BatchRecord)]
    assert [(r.epoch, r.batch, r.seen, r.step) for r in batches] == [
        (1, 0, 16, 1), (1, 1, 32, 2), (1, 2, 40, 3), (2, 0, 16, 4), (2, 1, 32, 5), (2, 2, 40, 6)]
    assert all(r.total == 40 and r.batches == 3 and r.lr == 5e-4 for r in batches)
    assert batches[-1].seconds_left == 0 and batches[0].seconds_left > 0
    first_epoch = records[3]
    assert first_epoch.batch_losses == tuple(r.loss for r in batches[:3])
    assert first_epoch.train_loss == pytest.approx((16 * batches[0].loss + 16 * batches[1].loss + 8 * batches[2].loss) / 40)
    assert first_epoch.train_accuracy == batches[2].accuracy
    final = trainer.evaluate("test")
    assert records[-1].test_accuracy == final.accuracy and records[-1].test_loss == pytest.approx(final.loss)
    np.testing.assert_array_equal(trainer.last_test.probabilities, final.probabilities)
    assert trainer.history == [records[3], records[7]] and trainer.finished
    assert list(trainer.steps()) == []  # nothing left to do
    with pytest.raises(dataclasses.FrozenInstanceError):
        batches[0].loss = 0.0


def test_train_steps_is_the_same_loop_for_a_numpy_model_and_optimizer():
    data = dataset(40, 20)
    config = TrainConfig(epochs=1, batch_size=16, seed=3)
    model = models.catdog_cnn_small(rng=3)
    plain = [r.loss for r in train_steps(model, optim.Adam(model.parameters(), lr=5e-4), data, config)
             if isinstance(r, BatchRecord)]
    trained = [r.loss for r in Trainer(data, config).steps() if isinstance(r, BatchRecord)]
    assert plain == trained


def spy_on_batches(trainer: Trainer) -> list[np.ndarray]:
    seen, step = [], trainer.backend.train_step

    def recording_step(images, labels, lr):
        seen.append(images.copy())
        return step(images, labels, lr)

    trainer.backend.train_step = recording_step
    return seen


def test_the_batch_order_is_the_seeds_permutation_per_epoch():
    trainer = Trainer(dataset(40, 20), TrainConfig(epochs=2, batch_size=16, seed=7))
    seen = spy_on_batches(trainer)
    list(trainer.steps())
    order = [i for images in seen for i in image_ids(images)]
    expected = [list(np.random.default_rng((7, epoch)).permutation(40)) for epoch in (1, 2)]
    assert order == expected[0] + expected[1]
    assert expected[0] != expected[1]


def test_next_batch_is_what_the_next_step_trains_on_even_with_augmentation():
    pytest.importorskip("convviz.data")
    trainer = Trainer(dataset(40, 20), TrainConfig(epochs=1, batch_size=16, augment=True))
    seen = spy_on_batches(trainer)
    steps = trainer.steps()
    next(steps)
    upcoming, labels = trainer.next_batch()
    again, _ = trainer.next_batch()
    next(steps)
    np.testing.assert_array_equal(upcoming, seen[1])
    np.testing.assert_array_equal(again, seen[1])
    assert labels.shape == (16, 1)
    assert not np.array_equal(seen[1], trainer.dataset.train.images[np.random.default_rng((0, 1)).permutation(40)[16:32]])


def test_a_learning_rate_set_between_steps_scales_the_next_update():
    """Two identical runs; after the first step one of them gets 10x the learning rate. Adam's
    update is proportional to the learning rate, given the same moments and gradient."""
    runs = [Trainer(dataset(64, 20), TrainConfig(epochs=1, batch_size=16, lr=1e-3)) for _ in range(2)]
    generators = [run.steps() for run in runs]
    for generator in generators:
        next(generator)
    before = [run.model[0].weight.data.copy() for run in runs]
    runs[1].set_lr(1e-2)
    records = [next(generator) for generator in generators]
    changes = [run.model[0].weight.data - start for run, start in zip(runs, before)]
    np.testing.assert_allclose(changes[1], 10 * changes[0], rtol=1e-3, atol=1e-7)
    assert np.abs(changes[0]).max() > 1e-4
    assert (records[0].lr, records[1].lr, runs[1].config.lr) == (1e-3, 1e-2, 1e-2)


@pytest.mark.parametrize("lr", [0, -1e-3, float("nan"), float("inf"), "fast"])
def test_a_bad_learning_rate_is_refused_and_the_old_one_kept(lr):
    trainer = Trainer(dataset(), TrainConfig(lr=1e-3))
    with pytest.raises(TrainConfigError, match="lr"):
        trainer.set_lr(lr)
    assert trainer.lr == 1e-3 and trainer.backend.lr == 1e-3


def test_a_nan_loss_stops_training_and_keeps_the_last_good_weights():
    data = dataset(64, 20)
    bad_image = int(np.random.default_rng((0, 1)).permutation(64)[40])  # in the third batch of epoch 1
    data.train.images[bad_image, 1, 5, 5] = np.inf
    trainer = Trainer(data, TrainConfig(epochs=2, batch_size=16))
    kept = []
    for record in trainer.steps():
        if isinstance(record, BatchRecord):
            kept.append(trainer.model.state_dict())
        last = record
    assert isinstance(last, Stopped) and (last.epoch, last.batch, last.step, last.reason) == (1, 2, 2, "nonfinite")
    assert "the loss is nan" in last.message and "batch 3" in last.message and "learning rate" in last.message
    assert len(kept) == 2
    now = trainer.model.state_dict()
    for key, value in kept[-1].items():  # weights and batch norm's running statistics as they were
        np.testing.assert_array_equal(now[key], value, err_msg=key)
    assert all(np.all(np.isfinite(value)) for value in now.values())
    assert trainer.history == []


def test_a_nonfinite_gradient_stops_training_without_applying_it():
    trainer = Trainer(dataset(40, 20), TrainConfig(epochs=1, batch_size=16))
    criterion = trainer.backend.criterion

    class NanGradient:  # the loss as usual, a NaN for its gradient
        def __call__(self, prediction, target):
            return criterion(prediction, target)

        def backward(self):
            return np.full_like(criterion.backward(), np.nan)

    trainer.backend.criterion = NanGradient()
    before = trainer.model.state_dict()
    records = list(trainer.steps())
    assert len(records) == 1 and isinstance(records[0], Stopped)
    assert "gradient of 0.weight" in records[0].message
    for key, value in before.items():
        np.testing.assert_array_equal(trainer.model.state_dict()[key], value, err_msg=key)


def test_time_outside_the_generator_is_not_counted(monkeypatch):
    """A fake clock: each step takes 0.5 s, the consumer pauses 100 s between records."""
    clock = types.SimpleNamespace(now=0.0)
    monkeypatch.setattr(loop_module.time, "perf_counter", lambda: clock.now)
    trainer = Trainer(dataset(32, 20), TrainConfig(epochs=1, batch_size=16))
    step = trainer.backend.train_step

    def slow_step(*args):
        clock.now += 0.5
        return step(*args)

    trainer.backend.train_step = slow_step
    records = []
    for record in trainer.steps():
        records.append(record)
        clock.now += 100.0  # paused
    assert [r.images_per_second for r in records[:2]] == [32.0, 32.0]
    assert records[0].seconds_left == pytest.approx(0.5)
    assert records[2].seconds == pytest.approx(1.0) and records[2].images_per_second == 32.0


def test_the_weights_of_every_epoch_are_kept():
    trainer = Trainer(dataset(32, 20), TrainConfig(epochs=2, batch_size=16))
    start = trainer.model.state_dict()
    list(trainer.steps())
    assert sorted(trainer.epoch_weights) == [0, 1, 2]
    np.testing.assert_array_equal(trainer.weights_at(0)["0.weight"], start["0.weight"])
    np.testing.assert_array_equal(trainer.weights_at(2)["0.weight"], trainer.model[0].weight.data)
    assert not np.array_equal(trainer.weights_at(1)["0.weight"], trainer.weights_at(2)["0.weight"])
    trainer.weights_at(1)["0.weight"][:] = 0  # a copy
    assert np.any(trainer.weights_at(1)["0.weight"] != 0)
    with pytest.raises(KeyError, match="no weights kept for epoch 3"):
        trainer.weights_at(3)


class FixedBackend:
    def __init__(self, probabilities):
        self.probabilities = np.array(probabilities, np.float32)

    def predict(self, images, batch_size):
        return self.probabilities.copy()


def test_evaluation_counts_accuracy_confusion_and_the_most_confident_mistakes_first():
    torch = pytest.importorskip("torch")
    labels = np.array([1, 0, 0, 1, 1, 0], np.float32)
    probabilities = [0.9, 0.2, 0.8, 0.45, 0.5, 0.3]  # p = 0.5 counts as dog, as mean(p > 0.5 == label)
    result = evaluate(FixedBackend(probabilities), types.SimpleNamespace(images=np.zeros((6, 3, 4, 4)), labels=labels,
                                                                            paths=tuple("abcdef")))
    assert (result.correct, result.total, result.accuracy) == (3, 6, 0.5)
    np.testing.assert_array_equal(result.confusion_matrix, [[1, 2], [1, 2]])  # rows true cat, dog
    assert list(result.misclassified()) == [2, 3, 4]
    expected = torch.nn.functional.binary_cross_entropy(torch.tensor(probabilities, dtype=torch.float64),
                                                         torch.tensor(labels, dtype=torch.float64))
    assert result.loss == pytest.approx(float(expected), rel=1e-6)
    assert result.summary() == "accuracy: 0.500 (3/6)"
    assert result.paths == tuple("abcdef")
    assert bce_loss([0.0], [1.0]) == pytest.approx(100.0)  # torch's clamp of log at -100


def test_evaluation_uses_evaluation_mode_and_restores_training_mode():
    model = models.catdog_cnn_small(rng=0)
    data = split(20, 4)
    result = evaluate(model, data)
    assert model.training
    np.testing.assert_allclose(result.probabilities, model.eval()(data.images).reshape(-1), rtol=1e-6)


def test_saliency_equals_torch_autograd_and_leaves_the_model_as_it_was():
    torch = pytest.importorskip("torch")
    from convviz.train import torch_sequential

    model = models.catdog_cnn_small(rng=1)
    image = split(1, 5).images[0]
    model.train()
    grads = saliency(model, image)
    assert model.training and all(p.grad is None for p in model.parameters())
    twin = torch_sequential(model).eval()
    x = torch.from_numpy(image[None].copy()).requires_grad_(True)
    twin(x).sum().backward()
    np.testing.assert_allclose(grads, x.grad[0].numpy(), rtol=1e-4, atol=1e-6 * np.abs(grads).max())
    assert grads.shape == (3, 64, 64) and np.abs(grads).max() > 0


@pytest.mark.parametrize("change, name", [
    (dict(model="big"), "model"), (dict(epochs=0), "epochs"), (dict(batch_size=2.5), "batch_size"),
    (dict(lr=0.0), "lr"), (dict(seed=-1), "seed"), (dict(backend="jax"), "backend"),
    (dict(augment="yes"), "augment"), (dict(train_per_class=0), "train_per_class"), (dict(data=""), "data"),
])
def test_a_bad_setting_is_refused_with_its_name(change, name):
    with pytest.raises(TrainConfigError, match=name):
        TrainConfig(**change)


def test_images_of_the_wrong_size_for_the_model_are_refused():
    with pytest.raises(TrainConfigError, match=r"takes images of shape \(N, 3, 224, 224\); the train split has shape"):
        Trainer(dataset(), TrainConfig(model="source"))


def test_epoch_records_round_trip_through_their_dict():
    record = EpochRecord(1, 0.5, 0.75, 0.6, 0.7, 900.0, 2.5, 5e-4, "numpy", (0.7, 0.6))
    assert EpochRecord.from_dict(record.to_dict()) == record


def test_next_batch_after_an_epochs_last_step_is_the_next_epochs_first_batch():
    """Paused between an epoch's last step and its evaluation, the next batch is not empty: it is the
    first batch the next epoch will train on."""
    import numpy as np

    from convviz.data import builtin_dataset
    from convviz.train import BatchRecord, TrainConfig, Trainer

    trainer = Trainer(builtin_dataset(size=64, train_per_class=8, test_per_class=4, seed=1),
                      TrainConfig(epochs=2, batch_size=16, seed=3))
    steps = trainer.steps()
    record = next(steps)
    assert isinstance(record, BatchRecord) and record.batch == record.batches - 1  # one batch per epoch
    images, labels = trainer.next_batch()
    assert len(labels) == 16
    next(steps)  # the epoch's evaluation
    record = next(steps)  # epoch 2's first step trains on exactly that batch
    assert record.epoch == 2
    order = np.random.default_rng((3, 2)).permutation(16)
    np.testing.assert_array_equal(images, trainer.dataset.train.images[order[:16]])
    steps.close()
