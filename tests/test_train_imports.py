"""convviz.train imports numpy only (no Qt, no OpenCV, no torch, no tqdm) until it is asked for
the torch backend, augmentation or a terminal command; so does the CLI that registers them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import importlib, json, sys
sys.path.insert(0, {root!r})
for name in {modules!r}:
    importlib.import_module(name)
{then}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & {{"PySide6", "pyqtgraph", "cv2", "torch", "tqdm"}})))
"""


def heavy_modules(modules, then: str = "") -> list[str]:
    code = PROBE.format(root=str(ROOT), modules=list(modules), then=then)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["convviz.train", "convviz.train.commands", "convviz.cli"])
def test_importing_loads_no_qt_opencv_torch_or_tqdm(module):
    assert heavy_modules([module]) == []


def test_a_run_on_arrays_without_augmentation_stays_numpy_only():
    run = """
import numpy as np, types
from convviz.train import Trainer, TrainConfig
part = types.SimpleNamespace(images=np.zeros((4, 3, 64, 64), np.float32), labels=np.array([0, 1, 0, 1], np.float32))
trainer = Trainer(types.SimpleNamespace(train=part, test=part), TrainConfig(epochs=1, batch_size=2))
list(trainer.steps())
trainer.saliency(part.images[0])
"""
    assert heavy_modules(["convviz.train"], run) == []


@pytest.mark.slow  # importing torch in a fresh interpreter: 3-13 s on two busy cores
def test_the_probe_sees_torch_when_the_torch_backend_is_made():
    run = """
from convviz.train import TorchBackend
from convviz import models
TorchBackend(models.catdog_cnn_small(rng=0))
"""
    loaded = heavy_modules(["convviz.train"], run)
    assert "torch" in loaded and not {"PySide6", "pyqtgraph", "cv2"} & set(loaded)  # (torch itself loads tqdm)
