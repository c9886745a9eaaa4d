"""Training works: a short run on the built-in cartoon cats and dogs lowers the loss and beats
chance clearly on newly generated images (another seed, never seen in training)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("convviz.data")

from convviz.data import builtin_dataset  # noqa: E402
from convviz.train import BatchRecord, TrainConfig, Trainer, evaluate  # noqa: E402


@pytest.mark.slow
def test_a_short_training_lowers_the_loss_and_beats_chance_on_new_images():
    trainer = Trainer(builtin_dataset(64, 300, 50, seed=0), TrainConfig(epochs=2))
    untrained = evaluate(trainer.backend, builtin_dataset(64, 0, 100, seed=1).test)
    losses = [r.loss for r in trainer.steps() if isinstance(r, BatchRecord)]
    assert len(losses) == 2 * 38  # 600 images: 37 batches of 16 and one of 8 per epoch
    assert np.mean(losses[-10:]) < 0.7 * np.mean(losses[:10])
    new_images = builtin_dataset(64, 0, 100, seed=1).test
    result = evaluate(trainer.backend, new_images)
    assert result.total == 200
    assert result.accuracy > 0.75, result.summary()  # chance is 0.5 (sd 0.035 for 200 images)
    assert result.loss < untrained.loss
