"""``TrainConfig``: every setting of a training run, as one frozen value.

An edit makes a new config (``dataclasses.replace``); checkpoints store it as JSON; the terminal's
``convviz train`` and the window's Training view both build one. Each field is checked when the
config is made, with a message that names the setting and the rule it breaks.
"""

from __future__ import annotations

import dataclasses
import numbers

from .. import models
from ..nn import Sequential

__all__ = ["BACKENDS", "MODELS", "TrainConfig", "TrainConfigError", "build_model", "input_size"]

# "small": catdog_cnn_small on 64x64 images (the default, for live demos);
# "source": the source article's catdog_cnn on 224x224 images.
MODELS = {"small": (models.catdog_cnn_small, 64), "source": (models.catdog_cnn, 224)}
BACKENDS = ("numpy", "torch")


class TrainConfigError(ValueError):
    """A setting out of range or of the wrong kind; the message names the setting."""


def _positive_int(name: str, value) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TrainConfigError(f"{name} must be a whole number, got {value!r}")
    if value < 1:
        raise TrainConfigError(f"{name} must be at least 1, got {value}")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The settings of one run; the defaults are the source article's (batch 16, Adam lr 5e-4,
    1000 + 200 images per class, no augmentation) with the small model and the built-in data.

    ``epochs`` is the total number of epochs of the run: resuming after epoch 3 of a 5-epoch
    config trains epochs 4 and 5. ``data`` is ``"builtin"`` or a dataset folder.
    """

    model: str = "small"
    epochs: int = 5
    batch_size: int = 16
    lr: float = 5e-4
    augment: bool = False
    seed: int = 0
    backend: str = "numpy"
    data: str = "builtin"
    train_per_class: int = 1000
    test_per_class: int = 200

    def __post_init__(self):
        if self.model not in MODELS:
            raise TrainConfigError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.backend not in BACKENDS:
            raise TrainConfigError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        for name in ("epochs", "batch_size", "train_per_class", "test_per_class"):
            _positive_int(name, getattr(self, name))
        if not isinstance(self.seed, numbers.Integral) or isinstance(self.seed, bool) or self.seed < 0:
            raise TrainConfigError(f"seed must be a whole number >= 0, got {self.seed!r}")
        if not isinstance(self.lr, numbers.Real) or isinstance(self.lr, bool) or not 0 < self.lr < float("inf"):
            raise TrainConfigError(f"lr (the learning rate) must be a number > 0, got {self.lr!r}")
        if not isinstance(self.augment, bool):
            raise TrainConfigError(f"augment must be True or False, got {self.augment!r}")
        if not isinstance(self.data, str) or not self.data:
            raise TrainConfigError(f"data must be 'builtin' or a dataset folder, got {self.data!r}")
        # Plain Python numbers, so that the JSON of a config is the same whatever made it.
        for name in ("epochs", "batch_size", "train_per_class", "test_per_class", "seed"):
            object.__setattr__(self, name, int(getattr(self, name)))
        object.__setattr__(self, "lr", float(self.lr))

    @property
    def input_size(self) -> int:
        """The side of the square images the model takes (64 for "small", 224 for "source")."""
        return input_size(self.model)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """A config from ``to_dict()``'s output; unknown names are refused (they mean another version)."""
        if not isinstance(values, dict):
            raise TrainConfigError(f"settings must be a mapping of names to values, got {type(values).__name__}")
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise TrainConfigError(f"unknown setting(s) {', '.join(unknown)}")
        return cls(**values)


def input_size(model: str) -> int:
    return MODELS[model][1]


def build_model(config: TrainConfig) -> Sequential:
    """The config's network, initialised from its seed (the same seed gives the same weights)."""
    factory, _ = MODELS[config.model]
    return factory(rng=config.seed)
