"""The work the Training view hands to the training thread (numpy only, no Qt): loading the
data, a snapshot of the network for the pictures, and a layer's backward pass for the visualizer.

Each job is a function of the trainer run between two steps (or after the run), returning frozen
values with arrays of their own, so the window can keep them while training goes on.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import QCoreApplication

from convviz.data import builtin_dataset, load_folder
from convviz.train import build_model, conv_layer_indices, conv_layer_pass, saliency

from .layer_pass import layer_arguments

__all__ = ["Snapshot", "dataset_key", "layer_name", "load_dataset", "open_layer_job", "take_snapshot"]


def dataset_key(config) -> tuple:
    """What decides a run's images: the same key gives the same dataset."""
    return (config.data, config.input_size, config.train_per_class, config.test_per_class, config.seed)


def load_dataset(config, progress):
    """The config's images: the built-in cats and dogs drawn from its seed, or its folder
    (``DataError`` naming the path and the layout when it is unusable). ``progress(done, total,
    text)`` is called as images arrive (0 of 0 while drawing)."""
    if config.data == "builtin":
        progress(0, 0, f"drawing {2 * (config.train_per_class + config.test_per_class)} built-in images")
        return builtin_dataset(config.input_size, config.train_per_class, config.test_per_class, config.seed)
    return load_folder(config.data, config.input_size, config.train_per_class, config.test_per_class, config.seed,
                       progress=lambda done, total: progress(done, total, f"decoding images from {config.data}"))


def layer_name(order: int, index: int) -> str:
    """'conv2 (layer 4)': the order among the convolutions, and the index in the Sequential."""
    # QCoreApplication.translate is thread-safe: jobs run on the training thread.
    return QCoreApplication.translate("TrainingJobs", "conv%1 (layer %2)").replace("%1", str(order + 1)).replace(
        "%2", str(index))


@dataclasses.dataclass(frozen=True, eq=False)
class Snapshot:
    """The network at one moment, for one test image.

    epoch         the epoch whose weights these are (None: the weights of the moment)
    when          says so in words ("after epoch 2", "now, after 37 steps")
    image_index   the test image; first_weight (F, 3, KH, KW) the first convolution's weights
    maps          (layer repr, output (C, H, W) or (F,)) per layer; probability P(cat)
    gradient      ∂P(cat)/∂image (3, S, S)
    """

    epoch: int | None
    when: str
    image_index: int
    first_weight: np.ndarray
    maps: tuple
    probability: float
    gradient: np.ndarray


def take_snapshot(trainer, epoch: int | None, image_index: int) -> Snapshot:
    """The weights after ``epoch`` (``trainer.weights_at``), or the current ones for None, on a
    copy of the model in evaluation mode: feature maps, the answer and the saliency of one image."""
    if epoch is None:
        weights = trainer.model.state_dict()
        when = QCoreApplication.translate("TrainingJobs", "now, after %1 steps (%2 epochs done)").replace(
            "%1", str(trainer.step_count)).replace("%2", str(trainer.epochs_done))
    else:
        weights = trainer.weights_at(epoch)
        when = QCoreApplication.translate("TrainingJobs", "before training") if epoch == 0 else \
            QCoreApplication.translate("TrainingJobs", "after epoch %1").replace("%1", str(epoch))
    model = build_model(trainer.config)
    model.load_state_dict(weights)
    model.eval()
    images = trainer.dataset.test.images
    if not 0 <= image_index < len(images):
        raise ValueError(f"test image {image_index} does not exist: there are {len(images)} (0-{len(images) - 1})")
    image = images[image_index]
    x, maps = image[None], []
    for layer in model:
        x = layer(x)
        maps.append((repr(layer), np.array(x[0])))
    first = conv_layer_indices(model)[0]
    return Snapshot(epoch, when, image_index, np.array(weights[f"{first}.weight"]), tuple(maps),
                    float(np.ravel(x)[0]), saliency(model, image))


def open_layer_job(layer_index: int, sample: int, channels: range, filters: range):
    """A job giving (ConvArguments, label) of Conv2d layer ``layer_index``'s real backward pass
    for the next batch, cut to ``sample``, ``channels`` and ``filters`` (see layer_pass.py)."""
    def job(trainer):
        indices = conv_layer_indices(trainer.model)
        if layer_index not in indices:
            raise ValueError(f"layer {layer_index} is not a convolution; the convolutions are layers {indices}")
        layer_pass = conv_layer_pass(trainer, layer_index)
        return layer_arguments(layer_pass, sample, channels, filters, layer_name(indices.index(layer_index), layer_index))

    return job
