"""The torch backend: the same network and start, the same batches, the same records; agreeing
with the NumPy engine on the loss over the first 20 steps within 1e-3; checkpoints shared."""

from __future__ import annotations

import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from convviz import models  # noqa: E402
from convviz.train import BatchRecord, EpochRecord, TrainConfig, Trainer, torch_available, torch_sequential  # noqa: E402

from test_train_loop import dataset, split  # noqa: E402

# Batches of 16 small images: torch's thread pool only adds wake-up latency on two busy cores.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_torch_is_available_here_and_the_reason_names_its_version():
    assert torch_available() == (True, f"torch {torch.__version__}")


def test_without_torch_the_reason_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    available, reason = torch_available()
    assert not available and "pip install torch==2.13.0" in reason
    with pytest.raises(ValueError, match="the torch backend is not available"):
        Trainer(dataset(), TrainConfig(backend="torch"))


def test_the_torch_twin_has_the_same_weights_and_forward():
    model = models.catdog_cnn_small(rng=5)
    twin = torch_sequential(model).eval()
    images = split(4, 3).images
    expected = model.eval()(images)
    with torch.no_grad():
        np.testing.assert_allclose(twin(torch.from_numpy(images)).numpy(), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.slow  # 2 x 20 steps and the first torch calls: 3-10 s on two busy cores
@pytest.mark.parametrize("augment", [False, True])
def test_numpy_and_torch_agree_on_the_loss_over_the_first_20_steps(augment):
    if augment:
        pytest.importorskip("convviz.data")
    config = TrainConfig(epochs=1, batch_size=16, augment=augment, seed=6)
    data = dataset(320, 32)  # 20 batches of 16
    runs = {backend: list(Trainer(data, TrainConfig(**{**config.to_dict(), "backend": backend})).steps())
            for backend in ("numpy", "torch")}
    losses = {backend: [r.loss for r in records if isinstance(r, BatchRecord)] for backend, records in runs.items()}
    assert len(losses["numpy"]) == len(losses["torch"]) == 20
    np.testing.assert_allclose(losses["torch"], losses["numpy"], rtol=0, atol=1e-3)
    assert losses["numpy"][-1] < losses["numpy"][0]  # it learnt something, so the losses moved
    ends = {backend: records[-1] for backend, records in runs.items()}
    assert all(isinstance(end, EpochRecord) for end in ends.values())
    assert (ends["numpy"].backend, ends["torch"].backend) == ("numpy", "torch")
    assert ends["torch"].test_accuracy == pytest.approx(ends["numpy"].test_accuracy, abs=1 / 32 + 1e-9)
    assert ends["torch"].test_loss == pytest.approx(ends["numpy"].test_loss, abs=1e-3)


def test_a_torch_checkpoint_resumes_in_numpy_and_the_runs_stay_together(tmp_path):
    config = TrainConfig(epochs=2, batch_size=16, seed=8, backend="torch")
    data = dataset(96, 16)
    torch_run = Trainer(data, config)
    steps = torch_run.steps()
    while not isinstance(next(steps), EpochRecord):
        pass
    torch_run.save(tmp_path / "model.npz")
    numpy_run = Trainer(data, TrainConfig(**{**config.to_dict(), "backend": "numpy"}))
    numpy_run.load(tmp_path / "model.npz")
    assert numpy_run.step_count == 6 and numpy_run.backend.optimizer.state_dict()["state"][0]["step"] == 6
    torch_losses = [r.loss for r in steps if isinstance(r, BatchRecord)]
    numpy_losses = [r.loss for r in numpy_run.steps() if isinstance(r, BatchRecord)]
    np.testing.assert_allclose(numpy_losses, torch_losses, rtol=0, atol=1e-3)
    # ...and the numpy model the window looks at follows the torch weights.
    np.testing.assert_allclose(torch_run.model[0].weight.data, numpy_run.model[0].weight.data, atol=1e-4)


def test_a_numpy_checkpoint_loads_into_the_torch_backend_with_adams_state(tmp_path):
    data = dataset(32, 16)
    numpy_run = Trainer(data, TrainConfig(epochs=1, batch_size=16))
    list(numpy_run.steps())
    numpy_run.save(tmp_path / "model.npz")
    torch_run = Trainer(data, TrainConfig(epochs=1, batch_size=16, backend="torch"))
    torch_run.load(tmp_path / "model.npz")
    saved = numpy_run.backend.optimizer_state()
    loaded = torch_run.backend.optimizer_state()
    assert loaded["param_groups"] == [{k: v for k, v in saved["param_groups"][0].items()}]
    for index, entries in saved["state"].items():
        assert loaded["state"][index]["step"] == entries["step"] == 2
        np.testing.assert_array_equal(loaded["state"][index]["exp_avg_sq"], entries["exp_avg_sq"])
    np.testing.assert_array_equal(torch_run.backend.state_dict()["4.weight"], numpy_run.model.state_dict()["4.weight"])
