"""Training the cat/dog CNN: a generator of steps, evaluation, checkpoints, a torch backend.

numpy only (torch when the torch backend is chosen; convviz.data, and so OpenCV, only when
augmenting): no Qt, so a test, a notebook or the terminal drives it as well as the window.

    from convviz.data import builtin_dataset
    from convviz.train import TrainConfig, Trainer

    trainer = Trainer(builtin_dataset(train_per_class=200, test_per_class=50), TrainConfig(epochs=2))
    for record in trainer.steps():       # BatchRecord per step, EpochRecord per epoch, Stopped on NaN
        ...
    trainer.save("run/model.npz")         # atomic, no pickle; trainer.load(...) / resume(...)
    print(trainer.evaluate("test").summary())   # accuracy: 0.950 (95/100)
"""

from .backend import NumpyBackend, StepResult
from .checkpoint import FORMAT_VERSION, Checkpoint, CheckpointError, apply_checkpoint, read_checkpoint, save_checkpoint
from .config import BACKENDS, MODELS, TrainConfig, TrainConfigError, build_model
from .evaluation import Evaluation, bce_loss, evaluate, saliency
from .inspect import ConvLayerPass, conv_layer_indices, conv_layer_pass, feature_maps
from .loop import Trainer, make_backend, resume, train_steps
from .records import EPOCH_COLUMNS, BatchRecord, EpochRecord, Stopped
from .torch_backend import TorchBackend, torch_available, torch_sequential

__all__ = [
    "BACKENDS", "BatchRecord", "Checkpoint", "CheckpointError", "ConvLayerPass", "EPOCH_COLUMNS", "EpochRecord", "Evaluation",
    "FORMAT_VERSION", "MODELS", "NumpyBackend", "StepResult", "Stopped", "TorchBackend", "TrainConfig",
    "TrainConfigError", "Trainer", "apply_checkpoint", "bce_loss", "build_model", "conv_layer_indices", "conv_layer_pass", "evaluate",
    "feature_maps", "make_backend",
    "read_checkpoint", "resume", "saliency", "save_checkpoint", "torch_available", "torch_sequential", "train_steps",
]
