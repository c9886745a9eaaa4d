"""The frozen records a training run yields: one per batch, one per epoch, one if it stops early.

Records hold plain Python numbers and tuples only (no arrays that training could change later),
so they can cross threads, be kept in lists and be compared in tests.
"""

from __future__ import annotations

import dataclasses

__all__ = ["BatchRecord", "EPOCH_COLUMNS", "EpochRecord", "Stopped"]


@dataclasses.dataclass(frozen=True)
class BatchRecord:
    """After one optimiser step.

    epoch           1, 2, ... (the epoch this batch belongs to)
    batch           0-based index of the batch within its epoch
    batches         batches per epoch
    step            optimiser steps so far in the whole run (1 after the first batch)
    loss            this batch's mean BCE loss, before the update
    accuracy        running training accuracy of this epoch (predictions in training mode)
    images_per_second  training throughput of this epoch so far
    seen, total     images trained on in this epoch so far, and per epoch
    seconds_left    estimate for the rest of the run, at this epoch's throughput
    lr              the learning rate used for this step
    """

    epoch: int
    batch: int
    batches: int
    step: int
    loss: float
    accuracy: float
    images_per_second: float
    seen: int
    total: int
    seconds_left: float
    lr: float


# The columns of metrics.csv, in order (the fields of an EpochRecord without batch_losses).
EPOCH_COLUMNS = ("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                 "images_per_second", "seconds", "lr", "backend")


@dataclasses.dataclass(frozen=True)
class EpochRecord:
    """After an epoch's last batch and the evaluation on the test split.

    train_loss, train_accuracy   over the epoch's batches (mean per image; training mode)
    test_loss, test_accuracy     on the test split, in evaluation mode (running BN statistics)
    images_per_second            training images / training time (the evaluation not counted)
    seconds                      the epoch's time, training and evaluation (pauses not counted)
    lr                           the learning rate at the end of the epoch
    backend                      "numpy" or "torch"
    batch_losses                 every batch's loss, in order (the loss curve of this epoch)
    """

    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    images_per_second: float
    seconds: float
    lr: float
    backend: str
    batch_losses: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        values = dataclasses.asdict(self)
        values["batch_losses"] = list(self.batch_losses)
        return values

    @classmethod
    def from_dict(cls, values: dict) -> EpochRecord:
        values = dict(values)
        values["batch_losses"] = tuple(float(v) for v in values.get("batch_losses", ()))
        return cls(**values)

    def row(self) -> list:
        """The values of ``EPOCH_COLUMNS``, for metrics.csv."""
        return [getattr(self, name) for name in EPOCH_COLUMNS]


@dataclasses.dataclass(frozen=True)
class Stopped:
    """Training stopped before the end: ``reason`` is "nonfinite" (a NaN or infinite loss or
    gradient); ``message`` says what happened and which weights the model kept."""

    epoch: int
    batch: int
    step: int
    reason: str
    message: str
