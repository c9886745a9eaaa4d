"""convviz.nn layers against torch.nn layers with the same weights: forward, every gradient,
buffers, train/eval, state_dict both ways, printing, and the rules of the Module API."""

import numpy as np
import pytest
import torch

import convviz.nn as nn
from convviz.nn import Parameter
from convviz.nn import functional as F

from engine_spies import ran_as, record_algorithms

DTYPES = [np.float32, np.float64]
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def assert_close(actual, expected, dtype, rtol=None):
    """rtol 1e-4 (float32) / 1e-10 (float64), with an absolute floor scaled to the values' size."""
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    assert np.asarray(actual).shape == expected.shape
    scale = float(np.abs(expected).max()) if expected.size else 1.0
    scale = scale if scale > 0 else 1.0
    if rtol is None:
        rtol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * 0.1 * scale)


def assert_zero_gradient(grad, torch_grad, name, dtype, params):
    weight_scale = float(np.abs(params[name.replace("bias", "weight")].grad).max())
    limit = (1e-4 if dtype == np.float32 else 1e-12) * weight_scale
    assert np.abs(grad).max() <= limit and torch_grad.abs().max().item() <= limit, name


def to_torch_state(state):
    return {key: torch.from_numpy(value.copy()) for key, value in state.items()}


def from_torch_state(state):
    return {key: value.detach().numpy().copy() for key, value in state.items()}


def make_pair(ours, theirs, dtype):
    """Our layer in ``dtype`` and the torch layer with our weights and buffers."""
    ours.to(dtype)
    theirs.to(TORCH_DTYPE[dtype])
    theirs.load_state_dict(to_torch_state(ours.state_dict()))
    return ours, theirs


def check_against_torch(ours, theirs, x, dtype, seed=0, zero_gradient=()):
    """Forward and backward both layers; compare output, input gradient, parameter gradients
    and buffers (running statistics after the forward).

    ``zero_gradient`` names parameters whose exact gradient is 0: the bias of a convolution
    followed by a training-mode BatchNorm, which subtracts the batch mean and with it any constant
    the bias adds. Both libraries compute rounding noise there, so those are checked to be ~0
    next to the gradient of the same layer's weight instead."""
    x = x.astype(dtype)
    x_t = torch.tensor(x, requires_grad=True)
    y = ours(x)
    y_t = theirs(x_t)
    assert y.dtype == dtype
    assert_close(y, y_t, dtype)
    grad_output = np.random.default_rng(1000 + seed).standard_normal(y.shape).astype(dtype)
    grad_input = ours.backward(grad_output)
    y_t.backward(torch.tensor(grad_output))
    assert grad_input.dtype == dtype
    assert_close(grad_input, x_t.grad, dtype)
    torch_params = dict(theirs.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(torch_params)
    for name, param in ours.named_parameters():
        assert param.grad is not None and param.grad.dtype == dtype, name
        if name in zero_gradient:
            assert_zero_gradient(param.grad, torch_params[name].grad, name, dtype, dict(ours.named_parameters()))
        else:
            assert_close(param.grad, torch_params[name].grad, dtype)
    torch_buffers = dict(theirs.named_buffers())
    assert [name for name, _ in ours.named_buffers()] == list(torch_buffers)
    for name, buffer in ours.named_buffers():
        assert_close(buffer, torch_buffers[name], dtype)
    return y


def image(shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------------------------------------
# Each layer against torch's.

CONV_CASES = [
    (dict(in_channels=3, out_channels=6, kernel_size=3), (2, 3, 9, 8)),
    (dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=(2, 1), padding=(1, 2), dilation=(2, 1)),
     (2, 4, 11, 9)),
    (dict(in_channels=4, out_channels=8, kernel_size=3, groups=4, bias=False), (3, 4, 7, 7)),
    (dict(in_channels=4, out_channels=4, kernel_size=4, padding="same", padding_mode="reflect"), (2, 4, 8, 9)),
    (dict(in_channels=2, out_channels=3, kernel_size=5, stride=2, padding=2, padding_mode="circular"),
     (1, 2, 10, 10)),
    (dict(in_channels=3, out_channels=2, kernel_size=2, padding="valid", padding_mode="replicate"), (2, 3, 5, 6)),
    (dict(in_channels=3, out_channels=4, kernel_size=3, padding=1), (3, 8, 8)),  # unbatched
    (dict(in_channels=3, out_channels=16, kernel_size=11, stride=3), (2, 3, 40, 40)),  # the CNN's first layer
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs,shape", CONV_CASES, ids=[str(c[0]) for c in CONV_CASES])
def test_conv2d_equals_torch(kwargs, shape, dtype):
    ours, theirs = make_pair(nn.Conv2d(**kwargs, rng=0), torch.nn.Conv2d(**kwargs), dtype)
    check_against_torch(ours, theirs, image(shape), dtype)


@pytest.mark.parametrize("algorithm", [*F.ALGORITHMS, None])
def test_conv2d_passes_its_algorithm_to_the_engine(algorithm, monkeypatch):
    # Every algorithm gives the same numbers, so the engine's dispatch table is what tells.
    kwargs = dict(in_channels=2, out_channels=3, kernel_size=3, stride=2, padding=1)
    ours, theirs = make_pair(nn.Conv2d(**kwargs, rng=0, algorithm=algorithm), torch.nn.Conv2d(**kwargs), np.float64)
    ran = record_algorithms(monkeypatch)
    check_against_torch(ours, theirs, image((1, 2, 6, 5)), np.float64)
    assert ran == ran_as(algorithm or "banded")
    ours.algorithm = "loops"  # may be changed at any time
    ours(image((1, 2, 6, 5)))
    assert ran[-1] == "forward_loops"


BN_CASES = [
    dict(num_features=3),
    dict(num_features=3, momentum=0.3, eps=1e-3),
    dict(num_features=3, momentum=None),
    dict(num_features=3, affine=False),
    dict(num_features=3, track_running_stats=False),
    dict(num_features=3, bias=False),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", BN_CASES, ids=str)
def test_batchnorm2d_equals_torch_in_training_and_evaluation(kwargs, dtype):
    ours, theirs = make_pair(nn.BatchNorm2d(**kwargs), torch.nn.BatchNorm2d(**kwargs), dtype)
    # Weights other than 1 and 0, so that the affine part is exercised.
    if ours.weight is not None:
        ours.weight.data[...] = [0.5, 2.0, -1.5]
    if ours.bias is not None:
        ours.bias.data[...] = [0.1, -0.3, 2.0]
    theirs.load_state_dict(to_torch_state(ours.state_dict()))
    # Three training batches with a mean far from 0 (moves the running statistics) ...
    for seed in range(3):
        ours.zero_grad()
        theirs.zero_grad()
        check_against_torch(ours, theirs, 3.0 + 2.0 * image((4, 3, 5, 6), seed), dtype, seed)
    if ours.track_running_stats:
        assert ours.num_batches_tracked.shape == () and ours.num_batches_tracked.dtype == np.int64
        assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked) == 3
    # ... then evaluation, which uses them (and changes nothing).
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    state = ours.state_dict()
    check_against_torch(ours, theirs, 3.0 + image((2, 3, 4, 4), 7), dtype, seed=7)
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value, state[key])


def test_batchnorm2d_eval_output_uses_running_statistics():
    bn = nn.BatchNorm2d(2, dtype=np.float64)
    bn.running_mean[...] = [1.0, -2.0]
    bn.running_var[...] = [4.0, 0.25]
    bn.eval()
    x = image((3, 2, 4, 4))
    expected = (x - np.array([1.0, -2.0])[:, None, None]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5)[:, None, None]
    np.testing.assert_allclose(bn(x), expected, rtol=1e-12)
    bn.train()
    y = bn(x)  # training: the batch's own statistics, so each channel has mean 0 and variance ~1
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-4)


def test_batchnorm2d_refuses_non_4d_input():
    with pytest.raises(ValueError, match="4-D input.*\\(3, 4, 5\\)"):
        nn.BatchNorm2d(3)(np.zeros((3, 4, 5), np.float32))


POOL_CASES = [
    (nn.MaxPool2d, torch.nn.MaxPool2d, dict(kernel_size=2), (2, 3, 8, 8)),
    (nn.MaxPool2d, torch.nn.MaxPool2d, dict(kernel_size=3, stride=2, padding=1), (2, 2, 9, 7)),
    (nn.MaxPool2d, torch.nn.MaxPool2d, dict(kernel_size=(2, 3), stride=(1, 2), dilation=2, ceil_mode=True),
     (1, 2, 9, 10)),
    (nn.MaxPool2d, torch.nn.MaxPool2d, dict(kernel_size=2, stride=2), (3, 7, 7)),  # unbatched
    (nn.AvgPool2d, torch.nn.AvgPool2d, dict(kernel_size=2), (2, 3, 8, 8)),
    (nn.AvgPool2d, torch.nn.AvgPool2d, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                            count_include_pad=False), (2, 2, 8, 9)),
    (nn.AvgPool2d, torch.nn.AvgPool2d, dict(kernel_size=(3, 2), padding=1, divisor_override=4), (1, 2, 7, 6)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ours_cls,torch_cls,kwargs,shape", POOL_CASES,
                         ids=[f"{c[0].__name__}{c[2]}" for c in POOL_CASES])
def test_pooling_equals_torch(ours_cls, torch_cls, kwargs, shape, dtype):
    ours, theirs = make_pair(ours_cls(**kwargs), torch_cls(**kwargs), dtype)
    check_against_torch(ours, theirs, image(shape), dtype)


def test_maxpool2d_return_indices_equals_torch():
    x = image((2, 3, 6, 6))
    output, indices = nn.MaxPool2d(2, return_indices=True)(x)
    output_t, indices_t = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(output, output_t.numpy())
    np.testing.assert_array_equal(indices, indices_t.numpy())


def test_maxpool2d_routes_overlapping_windows_like_torch():
    # Stride 1 and a repeated maximum: gradients of several windows land on one pixel and add up.
    x = np.array([[[[1.0, 5.0, 2.0], [5.0, 0.0, 5.0], [3.0, 5.0, 4.0]]]])
    ours, theirs = nn.MaxPool2d(2, stride=1), torch.nn.MaxPool2d(2, stride=1)
    check_against_torch(ours, theirs, x, np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make_ours,make_torch", [
    (nn.ReLU, torch.nn.ReLU), (nn.Sigmoid, torch.nn.Sigmoid),
    (nn.Flatten, torch.nn.Flatten),
    (lambda: nn.Flatten(0, 2), lambda: torch.nn.Flatten(0, 2)),
    (lambda: nn.Flatten(2), lambda: torch.nn.Flatten(2)),
], ids=["ReLU", "Sigmoid", "Flatten", "Flatten(0,2)", "Flatten(2)"])
def test_parameterless_layers_equal_torch(make_ours, make_torch, dtype):
    x = 3 * image((2, 3, 4, 5))
    x[0, 0, 0, :2] = 0.0  # ReLU's gradient at exactly 0 is 0, as torch's
    check_against_torch(make_ours(), make_torch(), x, dtype)


def test_relu_inplace_writes_into_its_input_and_keeps_the_gradient():
    x = image((2, 3, 4, 4))
    x_copy = x.copy()
    relu = nn.ReLU(inplace=True)
    y = relu(x)
    assert y is x and (x >= 0).all()
    np.testing.assert_array_equal(relu.backward(np.ones_like(x)), (x_copy > 0).astype(x.dtype))
    assert repr(relu) == repr(torch.nn.ReLU(inplace=True)) == "ReLU(inplace=True)"


LINEAR_CASES = [
    (dict(in_features=7, out_features=5), (4, 7)),
    (dict(in_features=6, out_features=3, bias=False), (2, 5, 6)),
    (dict(in_features=3136, out_features=16), (2, 3136)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs,shape", LINEAR_CASES, ids=[str(c[0]) for c in LINEAR_CASES])
def test_linear_equals_torch(kwargs, shape, dtype):
    ours, theirs = make_pair(nn.Linear(**kwargs, rng=0), torch.nn.Linear(**kwargs), dtype)
    check_against_torch(ours, theirs, image(shape), dtype)


# ------------------------------------------------------------------------------------------------
# Losses: ``loss = criterion(p, t)`` then ``criterion.backward()``.

LOSS_CASES = [
    (nn.BCELoss, torch.nn.BCELoss, {}, True),
    (nn.BCELoss, torch.nn.BCELoss, {"reduction": "sum"}, True),
    (nn.BCELoss, torch.nn.BCELoss, {"reduction": "none"}, True),
    (nn.BCELoss, torch.nn.BCELoss, {"weight": "w"}, True),
    (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, {}, False),
    (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, {"reduction": "sum", "pos_weight": "pw"}, False),
    (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, {"reduction": "none", "weight": "w", "pos_weight": "pw"},
     False),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ours_cls,torch_cls,kwargs,probabilities", LOSS_CASES,
                         ids=[f"{c[0].__name__}{c[2]}" for c in LOSS_CASES])
def test_losses_equal_torch(ours_cls, torch_cls, kwargs, probabilities, dtype):
    rng = np.random.default_rng(0)
    logits = 2 * rng.standard_normal((6, 3))
    prediction = (1 / (1 + np.exp(-logits)) if probabilities else logits).astype(dtype)
    target = (rng.random((6, 3)) > 0.5).astype(dtype)
    target[0] = [0.25, 0.5, 1.0]  # soft labels too
    extra = {"w": rng.random((6, 3)).astype(dtype), "pw": np.array([0.5, 2.0, 3.0], dtype)}
    ours = ours_cls(**{k: extra.get(v, v) for k, v in kwargs.items()})
    theirs = torch_cls(**{k: torch.tensor(extra[v]) if v in extra else v for k, v in kwargs.items()})

    x_t = torch.tensor(prediction, requires_grad=True)
    loss = ours(prediction, target)
    loss_t = theirs(x_t, torch.tensor(target))
    assert np.asarray(loss).dtype == dtype
    assert_close(loss, loss_t, dtype)
    if kwargs.get("reduction") == "none":
        grad_output = rng.standard_normal(loss.shape).astype(dtype)
        grad = ours.backward(grad_output)
        loss_t.backward(torch.tensor(grad_output))
    else:
        assert np.ndim(loss) == 0
        grad = ours.backward()
        loss_t.backward()
    assert_close(grad, x_t.grad, dtype)
    assert repr(ours) == repr(theirs)


def test_loss_refuses_unknown_reduction():
    with pytest.raises(ValueError, match="reduction must be one of 'none', 'mean', 'sum', got 'avg'"):
        nn.BCELoss(reduction="avg")


# ------------------------------------------------------------------------------------------------
# Sequential, and a whole small network against torch.


def small_pair(dtype):
    ours = nn.Sequential(
        nn.Conv2d(3, 4, 3, stride=2, padding=1, rng=0), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding="same", rng=0), nn.BatchNorm2d(6), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(24, 5, rng=0), nn.ReLU(), nn.Linear(5, 1, rng=0), nn.Sigmoid(),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 6, 3, padding="same"), torch.nn.BatchNorm2d(6), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(24, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1), torch.nn.Sigmoid(),
    )
    return make_pair(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sequential_equals_torch(dtype):
    ours, theirs = small_pair(dtype)
    assert repr(ours) == repr(theirs)
    check_against_torch(ours, theirs, np.random.default_rng(0).random((3, 3, 16, 16)), dtype,
                        zero_gradient=("0.bias", "4.bias"))


def test_sequential_indexing_len_iteration():
    layers = [nn.Conv2d(1, 2, 3, rng=0), nn.ReLU(), nn.Flatten(), nn.Linear(8, 1, rng=0)]
    model = nn.Sequential(*layers)
    assert len(model) == 4 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[3] and model[-4] is layers[0]
    tail = model[1:3]
    assert isinstance(tail, nn.Sequential) and list(tail) == layers[1:3]
    assert [name for name, _ in tail.named_children()] == ["1", "2"]  # torch keeps the names
    with pytest.raises(IndexError, match="index 4 is out of range for a Sequential of 4 layers"):
        model[4]
    with pytest.raises(TypeError, match="integers or slices"):
        model["0"]
    with pytest.raises(TypeError, match="Sequential takes Modules.*ndarray"):
        nn.Sequential(nn.ReLU(), np.zeros(3))
    named = nn.Sequential({"conv": nn.Conv2d(1, 1, 1, rng=0), "act": nn.ReLU()})
    assert list(named.state_dict()) == ["conv.weight", "conv.bias"]
    assert named.append(nn.Sigmoid()) is named and len(named) == 3


def test_sequential_backward_runs_the_layers_in_reverse():
    calls = []

    class Record(nn.Module):
        def __init__(self, name):
            super().__init__()
            self.name = name

        def forward(self, x):
            calls.append(("forward", self.name))
            return x * 2

        def backward(self, g):
            calls.append(("backward", self.name))
            return g * 2

    model = nn.Sequential(Record("a"), Record("b"), Record("c"))
    assert model(np.ones(2)).tolist() == [8, 8]
    assert model.backward(np.ones(2)).tolist() == [8, 8]
    assert calls == [("forward", "a"), ("forward", "b"), ("forward", "c"),
                     ("backward", "c"), ("backward", "b"), ("backward", "a")]


# ------------------------------------------------------------------------------------------------
# state_dict and load_state_dict, both ways with torch.


def test_state_dict_keys_order_and_values_equal_torch_both_ways():
    ours, theirs = small_pair(np.float32)
    # Train torch one step so that running statistics and num_batches_tracked are not defaults.
    theirs(torch.rand(4, 3, 16, 16))
    reference = theirs.state_dict()
    result = ours.load_state_dict(from_torch_state(reference))
    assert result.missing_keys == [] and result.unexpected_keys == []
    state = ours.state_dict()
    assert list(state) == list(reference)
    for key, value in state.items():
        assert isinstance(value, np.ndarray) and value.dtype == reference[key].numpy().dtype, key
        np.testing.assert_array_equal(value, reference[key].numpy())
    assert state["1.num_batches_tracked"].shape == () and state["1.num_batches_tracked"].dtype == np.int64
    assert int(state["1.num_batches_tracked"]) == 1

    # And back: ours trains two steps, torch loads our state.
    ours(np.random.default_rng(0).random((4, 3, 16, 16), dtype=np.float32))
    ours(np.random.default_rng(1).random((4, 3, 16, 16), dtype=np.float32))
    theirs.load_state_dict(to_torch_state(ours.state_dict()))
    state = ours.state_dict()
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), state[key])
    assert int(theirs[1].num_batches_tracked) == 3


def test_load_state_dict_accepts_torch_tensors_directly():
    ours, theirs = small_pair(np.float32)
    for p in theirs.parameters():
        torch.nn.init.normal_(p)
    ours.load_state_dict(theirs.state_dict())
    state = ours.state_dict()
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(state[key], value.numpy())


def test_load_state_dict_copies_into_the_same_objects_and_state_dict_returns_copies():
    ours, _ = small_pair(np.float32)
    params = list(ours.parameters())
    arrays = [p.data for p in params]
    running_mean = ours[1].running_mean
    state = ours.state_dict()
    new = {key: value + 1 for key, value in state.items()}
    ours.load_state_dict(new)
    assert [p for p in ours.parameters()] == params
    assert all(p.data is a for p, a in zip(params, arrays))
    assert ours[1].running_mean is running_mean
    np.testing.assert_array_equal(ours[0].weight.data, state["0.weight"] + 1)
    assert int(ours[1].num_batches_tracked) == 1 and ours[1].num_batches_tracked.dtype == np.int64
    # Mutating a state_dict does not reach the model.
    snapshot = ours.state_dict()
    snapshot["0.weight"][...] = 123.0
    assert not (ours[0].weight.data == 123.0).any()


def test_load_state_dict_casts_float64_values_to_the_model_dtype():
    ours, _ = small_pair(np.float32)
    state = {key: (value.astype(np.float64) if value.dtype == np.float32 else value)
             for key, value in ours.state_dict().items()}
    state["0.bias"] = state["0.bias"] + 0.5
    ours.load_state_dict(state)
    assert ours[0].bias.data.dtype == np.float32
    np.testing.assert_allclose(ours[0].bias.data, state["0.bias"], rtol=1e-7)


def test_load_state_dict_errors_name_the_keys_and_shapes_and_change_nothing():
    ours, _ = small_pair(np.float32)
    good = ours.state_dict()

    missing = dict(good)
    del missing["1.running_var"]
    with pytest.raises(ValueError, match=r"missing key\(s\) in state_dict: '1.running_var'"):
        ours.load_state_dict(missing)

    unexpected = {**good, "13.weight": np.zeros(3, np.float32)}
    with pytest.raises(ValueError, match=r"unexpected key\(s\) in state_dict: '13.weight'"):
        ours.load_state_dict(unexpected)

    changed = {key: value + 5 if value.dtype == np.float32 else value for key, value in good.items()}
    changed["4.weight"] = np.zeros((6, 4, 5, 5), np.float32)
    with pytest.raises(ValueError, match=r"size mismatch for 4.weight: the state_dict gives shape "
                                         r"\(6, 4, 5, 5\), the model's is \(6, 4, 3, 3\)"):
        ours.load_state_dict(changed)
    for key, value in ours.state_dict().items():  # nothing was copied
        np.testing.assert_array_equal(value, good[key])

    bad_dtype = {**good, "1.num_batches_tracked": np.array(1.5)}
    with pytest.raises(ValueError, match="dtype mismatch for 1.num_batches_tracked.*float64.*int64"):
        ours.load_state_dict(bad_dtype)

    with pytest.raises(TypeError, match="mapping"):
        ours.load_state_dict([("0.weight", good["0.weight"])])

    # strict=False loads the keys that match and reports the others.
    partial = {"0.bias": good["0.bias"] + 1, "extra": np.zeros(1)}
    result = ours.load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["extra"] and "0.weight" in result.missing_keys
    np.testing.assert_array_equal(ours[0].bias.data, good["0.bias"] + 1)


# ------------------------------------------------------------------------------------------------
# The Module rules.


ALL_LAYERS = [
    lambda: nn.Conv2d(1, 1, 1), lambda: nn.BatchNorm2d(1), nn.ReLU, nn.Sigmoid, lambda: nn.MaxPool2d(2),
    lambda: nn.AvgPool2d(2), nn.Flatten, lambda: nn.Linear(1, 1), lambda: nn.Sequential(nn.ReLU()),
    nn.BCELoss, nn.BCEWithLogitsLoss,
]


@pytest.mark.parametrize("make", ALL_LAYERS)
def test_backward_before_forward_is_a_clear_error(make):
    layer = make()
    with pytest.raises(RuntimeError, match=r"backward\(\) was called before forward\(\)"):
        layer.backward(np.ones((1, 1, 1, 1), np.float32))


def test_backward_never_changes_weights_or_buffers_and_gradients_accumulate():
    ours, _ = small_pair(np.float64)
    x = np.random.default_rng(0).random((3, 3, 16, 16))
    y = ours(x)
    state = ours.state_dict()
    grad_output = np.ones_like(y)
    ours.backward(grad_output)
    first = {name: p.grad.copy() for name, p in ours.named_parameters()}
    ours.backward(grad_output)  # a second backward adds the same gradients again
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, 2 * first[name], rtol=1e-12, atol=1e-300)
    ours.zero_grad()
    assert all(p.grad is None for p in ours.parameters())
    ours.backward(grad_output)
    ours.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in ours.parameters())


def test_train_and_eval_reach_every_layer():
    ours, _ = small_pair(np.float32)
    assert all(m.training for m in ours.modules())
    assert ours.eval() is ours and not any(m.training for m in ours.modules())
    ours.train()
    assert all(m.training for m in ours.modules())
    with pytest.raises(TypeError, match="bool"):
        ours.train("yes")


def test_parameters_buffers_and_their_names():
    ours, theirs = small_pair(np.float32)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert [name for name, _ in ours.named_buffers()] == [name for name, _ in theirs.named_buffers()]
    assert all(isinstance(p, Parameter) for p in ours.parameters())
    assert sum(p.size for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
    assert repr(ours[0].weight) == "Parameter(shape=(4, 3, 3, 3), dtype=float32, grad=None)"
    assert [name for name, _ in nn.Conv2d(1, 2, 3, bias=False).named_parameters()] == ["weight"]
    assert "running_mean" not in nn.BatchNorm2d(3, track_running_stats=False).state_dict()


def test_to_changes_dtype_in_place():
    ours, _ = small_pair(np.float32)
    params = list(ours.parameters())
    ours.double()
    assert list(ours.parameters()) == params
    assert all(p.data.dtype == np.float64 for p in params)
    assert ours[1].running_var.dtype == np.float64 and ours[1].num_batches_tracked.dtype == np.int64
    assert ours(np.zeros((1, 3, 16, 16))).dtype == np.float64
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        ours.to(np.int32)


def test_assigning_attributes_registers_them():
    layer = nn.Linear(2, 3, rng=0)
    replacement = Parameter(np.zeros((3, 2), np.float32))
    layer.weight = replacement
    assert layer.weight is replacement and dict(layer.named_parameters())["weight"] is replacement
    layer.bias = None
    assert list(layer.state_dict()) == ["weight"]
    with pytest.raises(TypeError, match="cannot assign ndarray as parameter 'weight'"):
        layer.weight = np.zeros((3, 2), np.float32)


REPR_CASES = [
    (lambda m: m.Conv2d(3, 16, 11, stride=3), "Conv2d(3, 16, kernel_size=(11, 11), stride=(3, 3))"),
    (lambda m: m.Conv2d(32, 64, 3, padding=1), None),
    (lambda m: m.Conv2d(4, 8, (3, 5), stride=2, padding="valid", dilation=2, groups=4, bias=False,
                        padding_mode="reflect"), None),
    (lambda m: m.Conv2d(4, 4, 3, padding="same"), None),
    (lambda m: m.BatchNorm2d(16),
     "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
    (lambda m: m.BatchNorm2d(4, bias=False), None),
    (lambda m: m.BatchNorm2d(8, eps=1e-3, momentum=None, affine=False, track_running_stats=False), None),
    (lambda m: m.ReLU(), "ReLU()"),
    (lambda m: m.Sigmoid(), "Sigmoid()"),
    (lambda m: m.MaxPool2d(2, 2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (lambda m: m.MaxPool2d((3, 2), padding=1, ceil_mode=True), None),
    (lambda m: m.AvgPool2d(3, 2, 1), "AvgPool2d(kernel_size=3, stride=2, padding=1)"),
    (lambda m: m.Flatten(), "Flatten(start_dim=1, end_dim=-1)"),
    (lambda m: m.Linear(3136, 2048), "Linear(in_features=3136, out_features=2048, bias=True)"),
    (lambda m: m.Linear(5, 1, bias=False), None),
    (lambda m: m.BCELoss(), "BCELoss()"),
    (lambda m: m.BCEWithLogitsLoss(), "BCEWithLogitsLoss()"),
]


@pytest.mark.parametrize("make,expected", REPR_CASES)
def test_repr_equals_torch(make, expected):
    assert repr(make(nn)) == repr(make(torch.nn))
    if expected is not None:
        assert repr(make(nn)) == expected


CONV2D_ARGUMENT_ERRORS = [
    # (Conv2d's arguments, the same settings as conv2d keywords for a (1, 4, 8, 8) input)
    (dict(in_channels=4, out_channels=6, kernel_size=3, groups=3), dict(groups=3)),
    (dict(in_channels=4, out_channels=6, kernel_size=3, groups=0), dict(groups=0)),
    (dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding="same"), dict(stride=2, padding="same")),
    (dict(in_channels=4, out_channels=6, kernel_size=3, stride=(1, 2), padding="same"),
     dict(stride=(1, 2), padding="same")),
    (dict(in_channels=4, out_channels=6, kernel_size=3, padding="full"), dict(padding="full")),
    (dict(in_channels=4, out_channels=6, kernel_size=3, padding=-1), dict(padding=-1)),
    (dict(in_channels=4, out_channels=6, kernel_size=3, padding_mode="mirror"), dict(padding_mode="mirror")),
    (dict(in_channels=4, out_channels=6, kernel_size=3, stride=0), dict(stride=0)),
    (dict(in_channels=4, out_channels=6, kernel_size=3, dilation=(1, 2.0)), dict(dilation=(1, 2.0))),
    (dict(in_channels=4, out_channels=6, kernel_size=3, algorithm="fft"), dict(algorithm="fft")),
]


@pytest.mark.parametrize("layer_kwargs,conv_kwargs", CONV2D_ARGUMENT_ERRORS, ids=lambda kw: str(kw))
def test_conv2d_refuses_bad_settings_with_the_engines_own_message(layer_kwargs, conv_kwargs):
    with pytest.raises((TypeError, ValueError)) as from_engine:
        groups = conv_kwargs.get("groups", 1)
        weight = np.zeros((6, 4 // groups if groups in (1, 2, 4) else 1, 3, 3))
        F.conv2d(np.zeros((1, 4, 8, 8)), weight, **conv_kwargs)
    with pytest.raises(type(from_engine.value)) as from_layer:
        nn.Conv2d(**layer_kwargs)
    assert str(from_layer.value) == str(from_engine.value)


def test_constructor_arguments_are_checked():
    with pytest.raises(ValueError, match="groups must divide both channel counts: groups=3, in_channels=4"):
        nn.Conv2d(4, 6, 3, groups=3)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of.*got 'mirror'"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="algorithm must be None or one of.*got 'fft'"):
        nn.Conv2d(1, 1, 3, algorithm="fft")
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair of ints, got 2.5"):
        nn.Conv2d(1, 1, 2.5)
    with pytest.raises(TypeError, match="dtype must be float32 or float64, got <class 'numpy.int64'>"):
        nn.Linear(2, 2, dtype=np.int64)
    with pytest.raises(ValueError, match="in_features must be positive, got 0"):
        nn.Linear(0, 2)
    with pytest.raises(ValueError, match="momentum must be a number in \\[0, 1\\] or None"):
        nn.BatchNorm2d(3, momentum=1.5)
    with pytest.raises(TypeError, match="weight must be None or a numpy ndarray"):
        nn.BCELoss(weight=[1.0, 2.0])
    # The article's pitfall: an array where a flag belongs.
    with pytest.raises(TypeError, match="bias must be True or False, got array"):
        nn.Conv2d(1, 1, 3, bias=np.zeros(1))
    with pytest.raises(TypeError, match="ceil_mode must be True or False"):
        nn.MaxPool2d(2, ceil_mode=1)


def test_models_copy_and_pickle():
    import copy
    import pickle

    ours, _ = small_pair(np.float32)
    ours.eval()
    x = np.random.default_rng(0).random((2, 3, 16, 16), dtype=np.float32)
    for clone in (copy.deepcopy(ours), pickle.loads(pickle.dumps(ours))):
        assert clone[0].weight is not ours[0].weight
        np.testing.assert_array_equal(clone(x), ours(x))


def test_sequential_backward_can_skip_the_first_layers_input_gradient():
    rng = np.random.default_rng(7)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, rng=rng), nn.ReLU(), nn.Conv2d(4, 2, 3, rng=rng))
    x = rng.random((2, 3, 11, 11), dtype=np.float32)
    grad_y = rng.standard_normal(model(x).shape).astype(np.float32)

    full = model.backward(grad_y)
    grads = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    model(x)
    assert full is not None and full.shape == x.shape
    assert model.backward(grad_y, need_input_grad=False) is None
    for kept, p in zip(grads, model.parameters()):
        np.testing.assert_array_equal(p.grad, kept)


def test_accumulate_grad_copies_unless_the_array_is_handed_over():
    p = Parameter(np.zeros((2, 3), np.float32))
    g = np.ones((2, 3), np.float32)
    p.accumulate_grad(g)
    assert p.grad is not g and not np.shares_memory(p.grad, g)
    p.grad = None
    p.accumulate_grad(g, take=True)  # the caller's promise that nothing else uses g
    assert p.grad is g
    p.accumulate_grad(g.copy(), take=True)  # later gradients are added, as always
    np.testing.assert_array_equal(g, 2.0)
    for unsuitable in (np.ones((2, 3)), np.ones((3, 2), np.float32).T):  # wrong dtype, not C-contiguous
        p.grad = None
        p.accumulate_grad(unsuitable, take=True)
        assert p.grad is not unsuitable and p.grad.dtype == np.float32 and p.grad.flags.c_contiguous


def test_layer_gradients_share_no_memory_with_what_the_caller_holds():
    # Linear and BatchNorm2d hand their fresh gradients over without a copy: none of them may be
    # a view of the input, the output gradient or another parameter's gradient.
    model = nn.Sequential(nn.Conv2d(2, 3, 3, rng=0), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(),
                          nn.Linear(3 * 4 * 4, 4, rng=0), nn.Linear(4, 1, rng=0))
    x = image((5, 2, 6, 6)).astype(np.float32)
    y = model(x)
    grad_output = np.ones_like(y)
    model.backward(grad_output)
    grads = [p.grad for p in model.parameters()]
    for i, grad in enumerate(grads):
        assert not np.shares_memory(grad, x) and not np.shares_memory(grad, grad_output)
        assert not any(np.shares_memory(grad, other) for other in grads[i + 1 :])
    before = [g.copy() for g in grads]
    grad_output += 1  # the caller changing its arrays leaves the gradients alone
    x += 1
    for grad, copy in zip(grads, before):
        np.testing.assert_array_equal(grad, copy)
