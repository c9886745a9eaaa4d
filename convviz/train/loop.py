"""``Trainer``: a training run as a generator of frozen records.

    trainer = Trainer(dataset, TrainConfig(epochs=3))
    for record in trainer.steps():          # BatchRecord ... EpochRecord ... (or a final Stopped)
        print(record)

The generator does one optimiser step per ``next()``, so whoever drives it decides when the next
step happens: a test runs it as a plain loop, the window's worker adds pause (stop pulling),
resume (pull again) and stop (``close()``). Between two steps the learning rate may be changed
(``set_lr``), the model evaluated, a saliency map computed or a checkpoint saved. Time spent
outside the generator (a pause) is not counted in the speeds and times it reports.

Order and randomness come from the config's seed alone: epoch e shuffles with
``np.random.default_rng((seed, e)).permutation(N)`` and augments with
``np.random.default_rng((seed, e, 1))``, so a run resumed from a checkpoint after epoch e sees the
same batches as one that never stopped. The last batch of an epoch may be smaller (torch's
``drop_last=False``).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .backend import NumpyBackend
from .checkpoint import apply_checkpoint, read_checkpoint, save_checkpoint
from .config import TrainConfig, TrainConfigError, build_model
from .evaluation import Evaluation, evaluate, saliency
from .records import BatchRecord, EpochRecord, Stopped

__all__ = ["Trainer", "make_backend", "train_steps"]

AUGMENT_STREAM = 1  # the third word of the augmentation generator's seed


def make_backend(config: TrainConfig, model=None, optimizer=None):
    """The config's backend around ``model`` (built from the seed when None)."""
    model = model if model is not None else build_model(config)
    if config.backend == "torch":
        from .torch_backend import TorchBackend, torch_available

        available, reason = torch_available()
        if not available:
            raise TrainConfigError(f"the torch backend is not available: {reason}")
        if optimizer is not None:
            raise TrainConfigError("the torch backend makes its own torch optimiser; pass optimizer=None")
        return TorchBackend(model, lr=config.lr)
    return NumpyBackend(model, optimizer, lr=config.lr)


@dataclasses.dataclass
class _EpochProgress:
    """Where the current epoch stands, so that a new ``steps()`` continues it."""

    epoch: int
    order: np.ndarray
    augment_rng: np.random.Generator
    next_batch: int = 0
    seen: int = 0
    correct: int = 0
    loss_sum: float = 0.0  # sum over images of the loss
    train_seconds: float = 0.0
    batch_losses: list = dataclasses.field(default_factory=list)


class Trainer:
    """Trains one model on one ``Dataset`` (``train`` and ``test`` splits: ``images`` (N,3,S,S)
    float32 in [0, 1], ``labels`` (N,) 1 = cat, 0 = dog) as ``config`` says.

    ``history``        the EpochRecords so far (continued when resumed from a checkpoint)
    ``epoch_weights``  epoch -> state_dict copy of the weights after that epoch (0: before the
                       first epoch of this session, or the weights a checkpoint was loaded with)
    ``model``          the convviz model with the current weights (for the torch backend, the
                       torch weights are copied into it when asked for)
    ``last_test``      the ``Evaluation`` of the test split at the end of the last epoch
                       (probabilities, confusion matrix, misclassified images), or None

    Driven from a worker thread, the generator is suspended between two ``next()`` calls; only
    then may another thread call ``set_lr``, ``evaluate``, ``saliency``, ``save`` or read the model.
    """

    def __init__(self, dataset, config: TrainConfig | None = None, model=None, optimizer=None, *,
                 require_training_images: bool = True):
        self.config = config if config is not None else TrainConfig()
        self.dataset = dataset
        self._check_images(dataset, require_training_images)
        self.backend = make_backend(self.config, model, optimizer)
        self.history: list[EpochRecord] = []
        self.epoch_weights: dict[int, dict[str, np.ndarray]] = {0: self.backend.state_dict()}
        self.step_count = 0
        self.last_test: Evaluation | None = None  # the test split scored at the end of the last epoch
        self._progress: _EpochProgress | None = None

    def _check_images(self, dataset, require_training_images: bool) -> None:
        size = self.config.input_size
        for name in ("train", "test"):
            images = getattr(dataset, name).images
            if images.ndim != 4 or images.shape[1:] != (3, size, size):
                raise TrainConfigError(f"the {self.config.model!r} model takes images of shape (N, 3, {size}, {size}); "
                                       f"the {name} split has shape {images.shape}")
            if images.dtype != np.float32:
                raise TrainConfigError(f"the {name} images must be float32, got {images.dtype}")
        if require_training_images and len(dataset.train.labels) == 0:
            raise TrainConfigError("the training split is empty")

    # ------------------------------------------------------------------------------------------
    # Settings that may change between steps.

    @property
    def lr(self) -> float:
        return self.config.lr

    def set_lr(self, lr: float) -> None:
        """Use ``lr`` from the next step on (Adam's moments are kept, as in torch when a group's
        lr is changed); the config, and so the next checkpoint, records it."""
        self.config = dataclasses.replace(self.config, lr=lr)  # checks the value
        self.backend.set_lr(self.config.lr)

    def set_epochs(self, epochs: int) -> None:
        """Change the total number of epochs (more, to keep going after the end)."""
        if isinstance(epochs, int) and epochs < self.epochs_done:
            raise TrainConfigError(f"epochs must be at least the {self.epochs_done} already trained, got {epochs}")
        self.config = dataclasses.replace(self.config, epochs=epochs)

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    @property
    def model(self):
        return self.backend.numpy_model()

    @property
    def finished(self) -> bool:
        return self.epochs_done >= self.config.epochs

    # ------------------------------------------------------------------------------------------
    # The generator.

    def _start_epoch(self, epoch: int | None = None) -> _EpochProgress:
        epoch = self.epochs_done + 1 if epoch is None else epoch
        order = np.random.default_rng((self.config.seed, epoch)).permutation(len(self.dataset.train.labels))
        return _EpochProgress(epoch, order, np.random.default_rng((self.config.seed, epoch, AUGMENT_STREAM)))

    def next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The images (B,3,S,S) and labels (B,1) the next step will train on, as it will see
        them (augmented when the config says so); nothing changes, so this may be called while
        paused (for instance to look at the real backward pass of that batch)."""
        progress = self._progress if self._progress is not None else self._start_epoch()
        batches = -(-len(self.dataset.train.labels) // self.config.batch_size)
        if progress.next_batch >= batches:  # between an epoch's last step and its evaluation
            progress = self._start_epoch(progress.epoch + 1)
        state = progress.augment_rng.bit_generator.state
        try:
            return self._batch(progress, progress.next_batch)
        finally:
            progress.augment_rng.bit_generator.state = state  # the step draws the same numbers again

    def _batch(self, progress: _EpochProgress, index: int) -> tuple[np.ndarray, np.ndarray]:
        size = self.config.batch_size
        chosen = progress.order[index * size:(index + 1) * size]
        images = self.dataset.train.images[chosen]
        if self.config.augment:
            from ..data import augment_batch  # convviz.data (and OpenCV) only when augmenting

            images = np.ascontiguousarray(augment_batch(images, progress.augment_rng), dtype=np.float32)
        labels = np.asarray(self.dataset.train.labels[chosen], np.float32).reshape(-1, 1)
        return images, labels

    def steps(self):
        """Yield a ``BatchRecord`` after every step and an ``EpochRecord`` after every epoch
        until ``config.epochs`` are done; a NaN or infinite loss or gradient yields ``Stopped``
        and ends the generator, with the model left at its last good weights."""
        total = len(self.dataset.train.labels)
        batches = -(-total // self.config.batch_size)
        while not self.finished:
            if self._progress is None:
                self._progress = self._start_epoch()
            progress = self._progress
            while progress.next_batch < batches:
                started = time.perf_counter()
                images, labels = self._batch(progress, progress.next_batch)
                result = self.backend.train_step(images, labels, self.config.lr)
                if result.problem is not None:
                    yield self._stop(progress, result.problem)
                    return
                progress.train_seconds += time.perf_counter() - started
                self.step_count += 1
                count = len(labels)
                progress.seen += count
                progress.correct += int(np.sum((result.probabilities > 0.5) == (labels.reshape(-1) > 0.5)))
                progress.loss_sum += result.loss * count
                progress.batch_losses.append(result.loss)
                progress.next_batch += 1
                speed = progress.seen / max(progress.train_seconds, 1e-9)
                remaining = (total - progress.seen) + (self.config.epochs - progress.epoch) * total
                yield BatchRecord(epoch=progress.epoch, batch=progress.next_batch - 1, batches=batches,
                                  step=self.step_count, loss=result.loss, accuracy=progress.correct / progress.seen,
                                  images_per_second=speed, seen=progress.seen, total=total,
                                  seconds_left=remaining / speed, lr=self.config.lr)
            yield self._finish_epoch(progress)

    def _finish_epoch(self, progress: _EpochProgress) -> EpochRecord:
        started = time.perf_counter()
        test = self.last_test = self.evaluate("test")
        seconds = progress.train_seconds + time.perf_counter() - started
        record = EpochRecord(epoch=progress.epoch, train_loss=progress.loss_sum / progress.seen,
                             train_accuracy=progress.correct / progress.seen, test_loss=test.loss,
                             test_accuracy=test.accuracy, images_per_second=progress.seen / max(progress.train_seconds, 1e-9),
                             seconds=seconds, lr=self.config.lr, backend=self.backend.name,
                             batch_losses=tuple(progress.batch_losses))
        self.history.append(record)
        self.epoch_weights[progress.epoch] = self.backend.state_dict()
        self._progress = None
        return record

    def _stop(self, progress: _EpochProgress, problem: str) -> Stopped:
        kept = "the weights of the last good step"
        weights = self.backend.state_dict()
        if not all(np.all(np.isfinite(value)) for value in weights.values()):  # should not happen: see backend
            last = max(self.epoch_weights)
            self.backend.load_state_dict(self.epoch_weights[last])
            kept = f"the weights after epoch {last}"
        self._progress = None  # a new steps() starts this epoch again, from its first batch
        message = (f"training stopped at epoch {progress.epoch}, batch {progress.next_batch + 1}: {problem}; "
                   f"the update was not applied and the model keeps {kept}. Try a smaller learning rate "
                   f"(now {self.config.lr:g}) or check the data for NaN values.")
        return Stopped(epoch=progress.epoch, batch=progress.next_batch, step=self.step_count,
                       reason="nonfinite", message=message)

    def forget_progress(self) -> None:
        """Drop the unfinished epoch: the next ``steps()`` starts it again from its first batch."""
        self._progress = None

    # ------------------------------------------------------------------------------------------
    # Checkpoints (see checkpoint.py for the format and every refusal).

    def save(self, path):
        """Write a checkpoint (atomically); mid-epoch, the resumed run repeats that epoch whole."""
        return save_checkpoint(path, self)

    def load(self, path) -> None:
        """Continue from a checkpoint: weights, optimiser state, lr, history and step count.
        A refused checkpoint raises ``CheckpointError`` and leaves this trainer as it was."""
        apply_checkpoint(read_checkpoint(path), self)

    # ------------------------------------------------------------------------------------------
    # Looking at the model between steps.

    def evaluate(self, split: str = "test", batch_size: int = 64) -> Evaluation:
        """Score the current weights on ``"test"`` or ``"train"`` (evaluation mode)."""
        if split not in ("test", "train"):
            raise ValueError(f"split must be 'test' or 'train', got {split!r}")
        return evaluate(self.backend, getattr(self.dataset, split), batch_size)

    def saliency(self, image: np.ndarray) -> np.ndarray:
        """d P(cat) / d image for one image (3,S,S) -> (3,S,S), with the current weights."""
        return saliency(self.model, image)

    def weights_at(self, epoch: int) -> dict[str, np.ndarray]:
        """A copy of the weights after ``epoch`` (0: at the start), for the filters "as they were then"."""
        if epoch not in self.epoch_weights:
            raise KeyError(f"no weights kept for epoch {epoch}; kept: {sorted(self.epoch_weights)}")
        return {key: value.copy() for key, value in self.epoch_weights[epoch].items()}


def train_steps(model, optimizer, dataset, config: TrainConfig, history=()):
    """The records of ``Trainer.steps`` for a NumPy model and optimiser, as a plain generator;
    ``history`` (EpochRecords of epochs already trained) makes it continue after them."""
    trainer = Trainer(dataset, dataclasses.replace(config, backend="numpy"), model, optimizer)
    trainer.history = list(history)
    yield from trainer.steps()


def resume(path, dataset, **changes):
    """A ``Trainer`` continuing the run saved at ``path``: the checkpoint's settings with
    ``changes`` (e.g. ``epochs=10``, ``backend="torch"``), its weights, optimiser state and history."""
    checkpoint = read_checkpoint(path)
    try:
        config = dataclasses.replace(checkpoint.config, **changes)
    except TypeError as error:
        raise TrainConfigError(str(error)) from None
    trainer = Trainer(dataset, config)
    apply_checkpoint(checkpoint, trainer)
    if "lr" in changes:
        trainer.set_lr(changes["lr"])
    return trainer
