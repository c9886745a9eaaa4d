"""convviz.models: the article's cat/dog CNN against the same network in torch, and the small variant.

THE KEY TEST is ``test_catdog_cnn_equals_torch_through_three_adam_steps``: the whole network with
weights loaded from a torch model built the same way, batch 4, 3×224×224 input in [0, 1], BCE loss,
then three Adam(lr=5e-4) steps: same output, loss, every gradient, running statistics and weights.
"""

import math
import re

import numpy as np
import pytest
import torch

import convviz.models as models
import convviz.nn as nn
from convviz.models import catdog_cnn, catdog_cnn_small, output_shapes
from convviz.optim import Adam

tnn = torch.nn
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
LR = 5e-4
# Convolution biases followed by a training-mode BatchNorm: the batch mean removes them, so their
# exact gradient is 0 and both libraries compute rounding noise (see test_layers.check_against_torch).
# Adam divides that noise by its own size (m / sqrt(v)), so each library moves these biases by up
# to ~lr per step with its own random signs. They change nothing downstream in training mode, but
# they do shift the BatchNorm running means. The key test therefore checks their gradients are
# noise (~0), checks Adam moved them by at most a few lr, and copies torch's values into ours
# after each step so that everything else is compared tightly.
BIASES_BEFORE_BATCHNORM = ("0.bias", "4.bias", "8.bias", "11.bias")


def torch_catdog_cnn():
    """The article's network in torch, initialised as the article does."""
    model = tnn.Sequential(
        tnn.Conv2d(3, 16, 11, stride=3), tnn.BatchNorm2d(16), tnn.ReLU(), tnn.MaxPool2d(2, 2),
        tnn.Conv2d(16, 32, 5), tnn.BatchNorm2d(32), tnn.ReLU(), tnn.MaxPool2d(2, 2),
        tnn.Conv2d(32, 64, 3, padding=1), tnn.BatchNorm2d(64), tnn.ReLU(),
        tnn.Conv2d(64, 64, 3), tnn.BatchNorm2d(64), tnn.ReLU(), tnn.MaxPool2d(2, 2),
        tnn.Flatten(), tnn.Linear(3136, 2048), tnn.ReLU(), tnn.Linear(2048, 1), tnn.Sigmoid(),
    )
    for layer in model:
        if isinstance(layer, (tnn.Conv2d, tnn.Linear)):
            tnn.init.xavier_normal_(layer.weight)
            tnn.init.zeros_(layer.bias)
        elif isinstance(layer, tnn.BatchNorm2d):
            tnn.init.normal_(layer.weight, 1.0, 0.02)
            tnn.init.zeros_(layer.bias)
    return model


def torch_catdog_cnn_small():
    return tnn.Sequential(
        tnn.Conv2d(3, 16, 5, stride=2), tnn.BatchNorm2d(16), tnn.ReLU(), tnn.MaxPool2d(2, 2),
        tnn.Conv2d(16, 32, 3), tnn.BatchNorm2d(32), tnn.ReLU(), tnn.MaxPool2d(2, 2),
        tnn.Conv2d(32, 32, 3, padding=1), tnn.BatchNorm2d(32), tnn.ReLU(),
        tnn.Conv2d(32, 32, 3), tnn.BatchNorm2d(32), tnn.ReLU(), tnn.MaxPool2d(2, 2),
        tnn.Flatten(), tnn.Linear(128, 64), tnn.ReLU(), tnn.Linear(64, 1), tnn.Sigmoid(),
    )


def documented_shapes(title: str):
    """The (layer, output shape) table of models.py's docstring that follows ``title``."""
    text = models.__doc__.split(title, 1)[1].split("::", 1)[1]
    rows = re.findall(r"^\s+(\d+)\s+(\w+)\S*.*?\s{2,}([\d×]+)", text.split("\n\n", 2)[1], flags=re.M)
    return [(int(i), name, tuple(int(n) for n in size.split("×"))) for i, name, size in rows]


@pytest.mark.parametrize("make,make_torch,input_shape,title", [
    (catdog_cnn, torch_catdog_cnn, (3, 224, 224), "``catdog_cnn()``"),
    (catdog_cnn_small, torch_catdog_cnn_small, (3, 64, 64), "``catdog_cnn_small()``"),
])
def test_models_have_the_documented_layers_and_torchs_keys(make, make_torch, input_shape, title):
    ours, theirs = make(rng=0), make_torch()
    assert repr(ours) == repr(theirs)
    reference = theirs.state_dict()
    state = ours.state_dict()
    assert list(state) == list(reference)
    assert all(state[k].shape == tuple(reference[k].shape) for k in state)
    assert sum(p.size for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())

    table = documented_shapes(title)
    shapes = output_shapes(ours, input_shape)
    assert len(table) == len(shapes) == len(ours) == 20
    for (index, name, documented), (layer, shape), module in zip(table, shapes, ours):
        assert name == type(module).__name__ and layer.startswith(name), (index, name, layer)
        assert shape == documented, (index, name)
    # And torch agrees with every shape.
    x = torch.zeros((1,) + input_shape)
    for (_, shape), layer in zip(shapes, theirs.eval()):
        x = layer(x)
        assert tuple(x.shape[1:]) == shape


def test_catdog_cnn_has_the_articles_size():
    model = catdog_cnn(rng=0)
    assert sum(p.size for p in model.parameters()) == 6_501_057  # "6.5 M parameters"
    assert models.__doc__.count("6,501,057") == 1
    assert all(p.data.dtype == np.float32 for p in model.parameters())


def test_catdog_cnn_small_documented_size():
    count = sum(p.size for p in catdog_cnn_small(rng=0).parameters())
    assert f"{count:,} parameters" in models.__doc__


@pytest.mark.parametrize("make", [catdog_cnn, catdog_cnn_small])
def test_initialisation_is_the_articles(make):
    model = make(rng=0)
    torch.manual_seed(0)
    reference = dict(torch_catdog_cnn().named_parameters()) if make is catdog_cnn else None
    bn_weights = []
    for name, layer in model.named_modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            w = layer.weight.data
            fan_in, fan_out = nn.init.fan_in_and_fan_out(w.shape)
            xavier = math.sqrt(2.0 / (fan_in + fan_out))
            if w.size > 2000:  # enough values for a sample std within a few percent
                assert w.std() == pytest.approx(xavier, rel=0.05), name
                assert abs(w.mean()) < 4 * xavier / math.sqrt(w.size), name
                # normal, not uniform: a normal puts ~8 % beyond a uniform's bound sqrt(3)·std
                assert 0.05 < np.mean(np.abs(w) > math.sqrt(3) * xavier) < 0.11, name
                if reference is not None:
                    assert w.std() == pytest.approx(reference[f"{name}.weight"].detach().std().item(), rel=0.08)
            assert not layer.bias.data.any(), name
        elif isinstance(layer, nn.BatchNorm2d):
            bn_weights.append(layer.weight.data)
            assert not layer.bias.data.any()
            assert not layer.running_mean.any() and (layer.running_var == 1).all()
            assert int(layer.num_batches_tracked) == 0
    gamma = np.concatenate(bn_weights)
    assert gamma.mean() == pytest.approx(1.0, abs=0.01)
    assert 0.014 < gamma.std() < 0.026


def test_models_are_reproducible_from_a_seed():
    a, b, c = catdog_cnn_small(rng=7), catdog_cnn_small(rng=7), catdog_cnn_small(rng=8)
    for (key, x), y, z in zip(a.state_dict().items(), b.state_dict().values(), c.state_dict().values()):
        np.testing.assert_array_equal(x, y)
        if key.endswith("weight"):
            assert not np.array_equal(x, z), key
    nn.init.manual_seed(3)
    d = catdog_cnn_small()
    nn.init.manual_seed(3)
    e = catdog_cnn_small()
    np.testing.assert_array_equal(d[0].weight.data, e[0].weight.data)


# ------------------------------------------------------------------------------------------------
# THE KEY TEST.

# float32: the two libraries differ by ~1e-6 relative after the forward pass. A max-pool window
# whose two largest values were closer than that could route its gradient to a different pixel;
# with these seeds the closest such pair is 4e-6 of its layer's range, so none is. The float64
# run is the tight check.
TOLERANCES = {
    # output and loss, gradients, weights after the steps (absolute, on top of rtol)
    np.float32: dict(rtol=1e-4, grad_atol=1e-5, weight_rtol=1e-5, weight_atol=0.02 * LR),
    np.float64: dict(rtol=1e-10, grad_atol=1e-12, weight_rtol=1e-10, weight_atol=1e-12),
}


def _close(actual, expected, rtol, atol_fraction, what):
    """rtol, plus an absolute floor of atol_fraction × the largest expected value."""
    expected = expected.detach().numpy()
    scale = max(float(np.abs(expected).max()), 1e-30)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol_fraction * scale, err_msg=what)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_catdog_cnn_equals_torch_through_three_adam_steps(dtype):
    tol = TOLERANCES[dtype]
    torch.manual_seed(0)
    theirs = torch_catdog_cnn().to(TORCH_DTYPE[dtype])
    ours = catdog_cnn(rng=1).to(dtype)
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    loaded = ours.state_dict()
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(loaded[key], value.numpy())

    rng = np.random.default_rng(0)
    images = rng.random((3, 4, 3, 224, 224)).astype(dtype)  # three batches of 4, pixels in [0, 1]
    labels = np.array([[[1], [0], [1], [0]], [[0], [0], [1], [1]], [[1], [1], [0], [1]]], dtype=dtype)
    ours_opt, torch_opt = Adam(ours.parameters(), lr=LR), torch.optim.Adam(theirs.parameters(), lr=LR)
    criterion, torch_criterion = nn.BCELoss(), tnn.BCELoss()
    torch_params = dict(theirs.named_parameters())
    params = dict(ours.named_parameters())
    initial = ours.state_dict()

    for step in range(3):
        prediction = ours(images[step])
        loss = criterion(prediction, labels[step])
        ours_opt.zero_grad()
        ours.backward(criterion.backward())

        torch_prediction = theirs(torch.from_numpy(images[step]))
        torch_loss = torch_criterion(torch_prediction, torch.from_numpy(labels[step]))
        torch_opt.zero_grad()
        torch_loss.backward()

        assert prediction.shape == (4, 1) and prediction.dtype == dtype
        _close(prediction, torch_prediction, tol["rtol"], tol["rtol"] * 0.1, f"output, step {step}")
        _close(loss, torch_loss, tol["rtol"], 0, f"loss, step {step}")
        for name, param in ours.named_parameters():
            reference = torch_params[name].grad
            if name in BIASES_BEFORE_BATCHNORM:
                weight_scale = float(torch_params[name.replace("bias", "weight")].grad.abs().max())
                limit = 10 * tol["grad_atol"] * weight_scale
                assert np.abs(param.grad).max() <= limit and reference.abs().max().item() <= limit, name
            else:
                _close(param.grad, reference, tol["rtol"], tol["grad_atol"], f"gradient of {name}, step {step}")
        for name, buffer in ours.named_buffers():
            _close(buffer, theirs.get_buffer(name), tol["rtol"], 0, f"{name}, step {step}")

        ours_opt.step()
        torch_opt.step()
        for name in BIASES_BEFORE_BATCHNORM:
            param, expected = params[name], torch_params[name].detach().numpy()
            assert np.abs(param.data - expected).max() <= 6 * LR, name  # each moved by at most ~3 lr
            param.data[...] = expected

    assert int(ours[1].num_batches_tracked) == 3
    for name, param in ours.named_parameters():
        expected = torch_params[name].detach().numpy()
        np.testing.assert_allclose(param.data, expected, rtol=tol["weight_rtol"], atol=tol["weight_atol"],
                                   err_msg=f"{name} after three Adam steps")

    # The comparison is not of models that stayed put: every parameter moved, by ~lr per step typically.
    moves = [np.abs(param.data - initial[name]) for name, param in ours.named_parameters()]
    assert all(move.max() > 0 for move in moves)
    assert np.concatenate([move.ravel() for move in moves]).mean() > LR

    # The trained networks also agree in evaluation mode (running statistics), on new images.
    ours.eval()
    theirs.eval()
    fresh = rng.random((4, 3, 224, 224)).astype(dtype)
    with torch.no_grad():
        _close(ours(fresh), theirs(torch.from_numpy(fresh)), tol["rtol"], tol["rtol"] * 0.1, "evaluation output")


# ------------------------------------------------------------------------------------------------
# The small variant.


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_catdog_cnn_small_equals_torch_for_a_training_step(dtype):
    theirs = torch_catdog_cnn_small().to(TORCH_DTYPE[dtype])
    ours = catdog_cnn_small(rng=0).to(dtype)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(1).random((8, 3, 64, 64)).astype(dtype)
    y = (np.arange(8) % 2).reshape(8, 1).astype(dtype)
    ours_opt, torch_opt = Adam(ours.parameters(), lr=LR), torch.optim.Adam(theirs.parameters(), lr=LR)
    criterion = nn.BCELoss()
    loss = criterion(ours(x), y)
    ours.backward(criterion.backward())
    ours_opt.step()
    torch_loss = tnn.BCELoss()(theirs(torch.from_numpy(x)), torch.from_numpy(y))
    torch_loss.backward()
    torch_opt.step()
    tol = TOLERANCES[dtype]
    _close(loss, torch_loss, tol["rtol"], 0, "loss")
    for name, param in ours.named_parameters():
        if name not in BIASES_BEFORE_BATCHNORM:
            np.testing.assert_allclose(param.data, theirs.get_parameter(name).detach().numpy(),
                                       rtol=tol["weight_rtol"], atol=tol["weight_atol"], err_msg=name)


def test_catdog_cnn_small_learns_a_batch():
    # 16 random 64×64 images with random labels: a working forward/backward/Adam loop memorises them.
    rng = np.random.default_rng(0)
    x = rng.random((16, 3, 64, 64), dtype=np.float32)
    y = (np.arange(16) % 2).reshape(16, 1).astype(np.float32)
    model = catdog_cnn_small(rng=0)
    opt = Adam(model.parameters(), lr=5e-3)
    criterion = nn.BCELoss()
    losses = []
    for _ in range(30):
        losses.append(float(criterion(model(x), y)))
        opt.zero_grad()
        model.backward(criterion.backward())
        opt.step()
    model.eval()
    accuracy = np.mean((model(x) > 0.5) == (y == 1))
    assert losses[-1] < 0.2 * losses[0], losses
    assert accuracy == 1.0
