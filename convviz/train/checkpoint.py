"""Checkpoints: a training run's state in one ``.npz`` file that loads without pickle.

Entries (every one a plain numeric or text array; ``np.load(path, allow_pickle=False)`` reads it):

    format                "convviz.train checkpoint"      format_version   1
    settings              the TrainConfig as a JSON text   history          the EpochRecords as JSON
    step_count            optimiser steps so far (int64)
    model/<key>           the state_dict, torch's keys ("0.weight", "1.running_mean", ...)
    optimizer/param_groups  JSON (lr, betas, eps, weight_decay, amsgrad, parameter indices)
    optimizer/state/<i>/<name>  Adam's step (int64), exp_avg, exp_avg_sq for parameter i

Writing is atomic: the file is written to a temporary file in the same folder, flushed to disk,
then renamed over the target (``os.replace``), so a crash leaves the old checkpoint or the new
one, never half of one. Reading checks everything before anything is changed: a missing,
truncated or corrupt file, one that is not a convviz checkpoint, a newer format, an entry holding
pickled Python objects (which could run code when loaded), invalid settings, non-finite weights,
and a network or optimiser whose names or shapes differ from the model's are refused with a
``CheckpointError`` naming the file and the problem; the model is then exactly as it was.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .config import TrainConfig, TrainConfigError
from .files import replace_atomically
from .records import EpochRecord

__all__ = ["FORMAT", "FORMAT_VERSION", "Checkpoint", "CheckpointError", "apply_checkpoint", "read_checkpoint",
           "resume", "save_checkpoint"]

FORMAT = "convviz.train checkpoint"
FORMAT_VERSION = 1
ADAM_STATE = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")


class CheckpointError(Exception):
    """A checkpoint that cannot be used; the message names the file and the problem."""

    def __init__(self, path, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint file holds, read and checked (but not yet applied to a model)."""

    path: str
    config: TrainConfig
    history: tuple[EpochRecord, ...]
    step_count: int
    model_state: dict
    optimizer_state: dict


def _text(value: str) -> np.ndarray:
    return np.array(value)  # a 0-d unicode array: text that loads without pickle


def checkpoint_arrays(config: TrainConfig, history, step_count: int, model_state: dict, optimizer_state: dict) -> dict:
    """The named arrays of a checkpoint (see the module docstring)."""
    arrays = {"format": _text(FORMAT), "format_version": np.array(FORMAT_VERSION, np.int64),
              "settings": _text(json.dumps(config.to_dict())),
              "history": _text(json.dumps([record.to_dict() for record in history])),
              "step_count": np.array(int(step_count), np.int64),
              "optimizer/param_groups": _text(json.dumps(optimizer_state["param_groups"]))}
    for key, value in model_state.items():
        arrays[f"model/{key}"] = np.asarray(value)
    for index, entries in optimizer_state["state"].items():
        for name, value in entries.items():
            arrays[f"optimizer/state/{index}/{name}"] = np.asarray(value, np.int64) if name == "step" else np.asarray(value)
    return arrays


def save_checkpoint(path, trainer) -> Path:
    """Write ``trainer``'s weights, optimiser state, history and settings to ``path`` atomically."""
    arrays = checkpoint_arrays(trainer.config, trainer.history, trainer.step_count,
                               trainer.backend.state_dict(), trainer.backend.optimizer_state())
    return write_atomically(path, arrays)


def write_atomically(path, arrays: dict) -> Path:
    path = Path(path)
    if path.suffix != ".npz":
        raise CheckpointError(path, "a checkpoint's name must end in .npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    return replace_atomically(path, lambda stream: np.savez(stream, **arrays))


# ----------------------------------------------------------------------------------------------
# Reading.

def _member_dtype(archive: zipfile.ZipFile, member: str) -> np.dtype:
    """The dtype in a .npy member's header, read without loading (or unpickling) its data."""
    with archive.open(member) as stream:
        version = np.lib.format.read_magic(stream)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        _, _, dtype = read_header(stream)
    return dtype


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise CheckpointError(path, "no such checkpoint file" if not path.exists() else "not a file")
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy") and _member_dtype(archive, member).hasobject:
                    raise CheckpointError(path, f"entry {member[:-4]!r} holds pickled Python objects, which could "
                                                f"run code when loaded; checkpoints hold numbers and text only")
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as error:
        raise CheckpointError(path, f"not a readable .npz checkpoint (truncated or corrupt: {error})") from None


def _json_entry(path: Path, arrays: dict, name: str):
    entry = arrays.get(name)
    if entry is None or entry.dtype.kind != "U" or entry.ndim != 0:
        raise CheckpointError(path, f"the {name!r} entry is missing or not text")
    try:
        return json.loads(str(entry))
    except json.JSONDecodeError as error:
        raise CheckpointError(path, f"the {name!r} entry is not valid JSON ({error})") from None


def _integer_entry(path: Path, arrays: dict, name: str) -> int:
    entry = arrays.get(name)
    if entry is None or entry.ndim != 0 or entry.dtype.kind not in "iu":
        raise CheckpointError(path, f"the {name!r} entry is missing or not a whole number")
    return int(entry)


def read_checkpoint(path) -> Checkpoint:
    """Read and check a checkpoint file (raises ``CheckpointError``); nothing is applied."""
    path = Path(path)
    arrays = _read_arrays(path)
    kind = arrays.get("format")
    if kind is None or kind.dtype.kind != "U" or str(kind) != FORMAT:
        raise CheckpointError(path, "not a convviz checkpoint (its 'format' entry is missing or different)")
    version = _integer_entry(path, arrays, "format_version")
    if version > FORMAT_VERSION:
        raise CheckpointError(path, f"written in checkpoint format {version} by a newer convviz; this one reads "
                                    f"format {FORMAT_VERSION}")
    try:
        config = TrainConfig.from_dict(_json_entry(path, arrays, "settings"))
    except (TrainConfigError, TypeError) as error:
        raise CheckpointError(path, f"its settings are invalid: {error}") from None
    try:
        history = tuple(EpochRecord.from_dict(values) for values in _json_entry(path, arrays, "history"))
    except (TypeError, ValueError, AttributeError) as error:
        raise CheckpointError(path, f"its history is invalid: {error}") from None
    model_state = {name[len("model/"):]: value for name, value in arrays.items() if name.startswith("model/")}
    if not model_state:
        raise CheckpointError(path, "it holds no model weights")
    for key, value in model_state.items():
        if value.dtype.kind not in "fiu":
            raise CheckpointError(path, f"model entry {key!r} is {value.dtype}, not numbers")
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            raise CheckpointError(path, f"model entry {key!r} holds NaN or infinite values")
    groups = _json_entry(path, arrays, "optimizer/param_groups")
    _check_param_groups(path, groups)
    state: dict[int, dict] = {}
    for name, value in arrays.items():
        if name.startswith("optimizer/state/"):
            parts = name.split("/")
            if len(parts) != 4 or not parts[2].isdigit() or parts[3] not in ADAM_STATE:
                raise CheckpointError(path, f"unexpected optimiser entry {name!r}")
            state.setdefault(int(parts[2]), {})[parts[3]] = int(value) if parts[3] == "step" else value
    return Checkpoint(str(path), config, history, _integer_entry(path, arrays, "step_count"), model_state,
                      {"state": state, "param_groups": groups})


def _check_param_groups(path: Path, groups) -> None:
    """Adam's hyper-parameters as saved: one group, a positive lr, a pair of betas (made a tuple)."""
    if not isinstance(groups, list) or len(groups) != 1 or not isinstance(groups[0], dict):
        raise CheckpointError(path, "its optimiser state must hold exactly one parameter group")
    group = groups[0]
    lr, betas = group.get("lr"), group.get("betas")
    if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not 0 < lr < float("inf"):
        raise CheckpointError(path, f"its optimiser's learning rate is {lr!r}, not a number > 0")
    if not isinstance(betas, list) or len(betas) != 2 or not all(isinstance(b, (int, float)) for b in betas):
        raise CheckpointError(path, f"its optimiser's betas are {betas!r}, not a pair of numbers")
    group["betas"] = tuple(float(b) for b in betas)


def check_fits(checkpoint: Checkpoint, model_state: dict, parameter_shapes: list[tuple[int, ...]]) -> None:
    """Refuse a checkpoint whose weights or optimiser state do not fit a model (names, shapes)."""
    path, saved = checkpoint.path, checkpoint.model_state
    problems = [f"missing {key!r}" for key in model_state if key not in saved]
    problems += [f"unexpected {key!r}" for key in saved if key not in model_state]
    problems += [f"{key!r} has shape {saved[key].shape}, the model's is {value.shape}"
                 for key, value in model_state.items() if key in saved and saved[key].shape != value.shape]
    if problems:
        raise CheckpointError(path, f"saved from another network (model {checkpoint.config.model!r}): "
                                    + "; ".join(problems[:4]) + (" ..." if len(problems) > 4 else ""))
    groups = checkpoint.optimizer_state["param_groups"]
    if groups[0].get("params") != list(range(len(parameter_shapes))):
        raise CheckpointError(path, f"its optimiser state is for other parameters (expected one group of "
                                    f"{len(parameter_shapes)} parameters)")
    for index, entries in checkpoint.optimizer_state["state"].items():
        if index >= len(parameter_shapes):
            raise CheckpointError(path, f"its optimiser state names parameter {index}; the model has {len(parameter_shapes)}")
        for name, value in entries.items():
            if name != "step" and value.shape != parameter_shapes[index]:
                raise CheckpointError(path, f"optimiser state {name!r} of parameter {index} has shape {value.shape}, "
                                            f"the parameter's is {parameter_shapes[index]}")


def apply_checkpoint(checkpoint: Checkpoint, trainer) -> None:
    """Put a checked checkpoint's weights, optimiser state (and its lr), history and step count
    into ``trainer``; its other settings (epochs, batch size, backend, ...) stay the trainer's."""
    shapes = [param.shape for _, param in trainer.model.named_parameters()]
    check_fits(checkpoint, trainer.backend.state_dict(), shapes)
    trainer.backend.load_state_dict(checkpoint.model_state)
    trainer.backend.load_optimizer_state(checkpoint.optimizer_state)
    lr = float(checkpoint.optimizer_state["param_groups"][0].get("lr", checkpoint.config.lr))
    trainer.config = dataclasses.replace(trainer.config, lr=lr, epochs=max(trainer.config.epochs, len(checkpoint.history)))
    trainer.history = list(checkpoint.history)
    trainer.step_count = checkpoint.step_count
    trainer.epoch_weights = {len(trainer.history): trainer.backend.state_dict()}
    trainer.last_test = None
    trainer.forget_progress()
