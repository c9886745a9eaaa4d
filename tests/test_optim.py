"""convviz.optim against torch.optim: the same weights (and state) after several steps."""

import tracemalloc

import numpy as np
import pytest
import torch

from convviz.nn import Parameter
from convviz.optim import CHUNK, SGD, Adam

# (300, 230) is larger than optim.CHUNK and not a multiple of it: the step walks it in slices.
SHAPES = [(6, 3, 3, 3), (6,), (300, 230), (1,)]
# The absolute floor is a few units in the last place of the O(1) values: an element that lands
# near 0 after subtracting O(1) numbers keeps only their absolute rounding error (torch fuses
# param + alpha·g into one rounding, NumPy rounds twice).
TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}


def _pair(dtype, seed=0, shapes=SHAPES):
    """The same initial parameters as convviz Parameters and as torch leaf tensors."""
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(s).astype(dtype) for s in shapes]
    return ([Parameter(v.copy()) for v in values],
            [torch.tensor(v.copy(), requires_grad=True) for v in values])


def _run(ours, theirs, ours_opt, torch_opt, dtype, steps, seed=1, skip=()):
    rng = np.random.default_rng(seed)
    for step in range(steps):
        for i, (p, t) in enumerate(zip(ours, theirs)):
            if i in skip:
                p.grad, t.grad = None, None
                continue
            g = (rng.standard_normal(p.shape) * 10.0 ** rng.integers(-3, 2)).astype(dtype)
            p.grad, t.grad = g.copy(), torch.tensor(g)
        ours_opt.step()
        torch_opt.step()


def _assert_same(ours, theirs, dtype):
    for p, t in zip(ours, theirs):
        assert p.data.dtype == dtype
        np.testing.assert_allclose(p.data, t.detach().numpy(), **TOLERANCE[dtype])


ADAM_CONFIGS = [
    {},
    {"lr": 5e-4},
    {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.02, "betas": (0.3, 0.5), "weight_decay": 0.01, "amsgrad": True},  # lerp's other branch
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", ADAM_CONFIGS, ids=str)
def test_adam_equals_torch(config, dtype):
    ours, theirs = _pair(dtype)
    ours_opt, torch_opt = Adam(ours, **config), torch.optim.Adam(theirs, **config)
    _run(ours, theirs, ours_opt, torch_opt, dtype, steps=6)
    _assert_same(ours, theirs, dtype)
    for p, t in zip(ours, theirs):
        state, reference = ours_opt.state[p], torch_opt.state[t]
        assert state["step"] == reference["step"].item() == 6
        np.testing.assert_allclose(state["exp_avg"], reference["exp_avg"].numpy(), **TOLERANCE[dtype])
        np.testing.assert_allclose(state["exp_avg_sq"], reference["exp_avg_sq"].numpy(), **TOLERANCE[dtype])
        assert state["exp_avg"].dtype == dtype


@pytest.mark.parametrize("make,make_torch", [
    (lambda p: Adam(p, lr=0.01, amsgrad=True), lambda p: torch.optim.Adam(p, lr=0.01, amsgrad=True)),
    (lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9,
                                                                                           weight_decay=0.1)),
])
def test_non_contiguous_parameters_and_gradients_are_updated_in_place(make, make_torch):
    # Not the arrays our layers make, but an assigned .data or .grad may be a transposed view.
    assert CHUNK < 300 * 230
    rng = np.random.default_rng(0)
    value = rng.standard_normal((230, 300))
    param = Parameter(value.copy().T)  # Fortran-ordered (300, 230)
    data = param.data
    reference = torch.tensor(value.T.copy(), requires_grad=True)
    ours, theirs = make([param]), make_torch([reference])
    for _ in range(3):
        grad = rng.standard_normal((230, 300))
        param.grad = grad.T  # a non-contiguous view
        reference.grad = torch.tensor(grad.T.copy())
        ours.step()
        theirs.step()
    assert param.data is data
    np.testing.assert_allclose(param.data, reference.detach().numpy(), **TOLERANCE[np.float64])


def test_adam_first_step_is_lr_times_sign():
    # Bias correction makes the first step lr · g / (|g| + eps·...) ~ lr · sign(g): the textbook check.
    p = Parameter(np.zeros(4))
    p.grad = np.array([3.0, -0.5, 1e-3, -200.0])
    Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [-0.1, 0.1, -0.1, 0.1], rtol=1e-4)


SGD_CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    {"lr": 0.1, "weight_decay": 0.05},
    {"lr": 0.02, "momentum": 0.5, "dampening": 0.1, "weight_decay": 0.01},
    {"lr": 0.02, "momentum": 0.9, "weight_decay": 0.01, "nesterov": True},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", SGD_CONFIGS, ids=str)
def test_sgd_equals_torch(config, dtype):
    ours, theirs = _pair(dtype)
    ours_opt, torch_opt = SGD(ours, **config), torch.optim.SGD(theirs, **config)
    _run(ours, theirs, ours_opt, torch_opt, dtype, steps=6)
    _assert_same(ours, theirs, dtype)


def test_sgd_default_lr_is_torchs():
    ours, theirs = _pair(np.float64)
    assert SGD(ours).param_groups[0]["lr"] == torch.optim.SGD(theirs).param_groups[0]["lr"]


@pytest.mark.parametrize("make", [lambda p: Adam(p, lr=0.01), lambda p: SGD(p, lr=0.1, momentum=0.9)])
def test_parameters_without_gradient_are_skipped_as_in_torch(make):
    ours, theirs = _pair(np.float64)
    before = ours[1].data.copy()
    ours_opt = make(ours)
    torch_opt = (torch.optim.Adam(theirs, lr=0.01) if isinstance(ours_opt, Adam)
                 else torch.optim.SGD(theirs, lr=0.1, momentum=0.9))
    _run(ours, theirs, ours_opt, torch_opt, np.float64, steps=3, skip=(1,))
    np.testing.assert_array_equal(ours[1].data, before)
    assert ours[1] not in ours_opt.state
    _assert_same(ours, theirs, np.float64)


def test_parameter_groups_equal_torch():
    ours, theirs = _pair(np.float32)
    ours_opt = Adam([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.1, "weight_decay": 0.01}], lr=0.003)
    torch_opt = torch.optim.Adam([{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.1, "weight_decay": 0.01}],
                                 lr=0.003)
    _run(ours, theirs, ours_opt, torch_opt, np.float32, steps=4)
    _assert_same(ours, theirs, np.float32)
    # Changing the learning rate during training works as in torch.
    ours_opt.param_groups[0]["lr"] = torch_opt.param_groups[0]["lr"] = 0.5
    _run(ours, theirs, ours_opt, torch_opt, np.float32, steps=2, seed=3)
    _assert_same(ours, theirs, np.float32)


def test_zero_grad_sets_none_by_default_or_zeros():
    ours, _ = _pair(np.float32)
    opt = SGD(ours, lr=0.1)
    for p in ours:
        p.grad = np.ones_like(p.data)
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in ours)
    opt.zero_grad()
    assert all(p.grad is None for p in ours)


def test_state_dict_resumes_exactly():
    ours, _ = _pair(np.float64)
    copies, _ = _pair(np.float64)
    opt = Adam(ours, lr=0.01, amsgrad=True)
    rng = np.random.default_rng(0)
    grads = [[rng.standard_normal(p.shape) for p in ours] for _ in range(5)]

    def step(params, optimizer, g):
        for p, gi in zip(params, g):
            p.grad = gi.copy()
        optimizer.step()

    for g in grads[:3]:
        step(ours, opt, g)
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert saved["state"][0]["step"] == 3 and set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq",
                                                                          "max_exp_avg_sq"}
    saved["state"][0]["exp_avg"][...] = 1e9  # a copy: the optimiser is unaffected
    saved = opt.state_dict()
    for p, c in zip(ours, copies):
        c.data[...] = p.data
    resumed = Adam(copies, lr=0.5)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == 0.01
    for g in grads[3:]:
        step(ours, opt, g)
        step(copies, resumed, g)
    for p, c in zip(ours, copies):
        np.testing.assert_array_equal(p.data, c.data)


def test_adam_step_allocates_no_parameter_sized_temporaries():
    # numpy reports its allocations to tracemalloc: after the first step (which allocates the
    # state and two scratch buffers) a step must not allocate anything close to a parameter.
    shapes = [(512, 1024), (1024,), (64, 32, 3, 3)]
    params = [Parameter(np.ones(s, np.float32)) for s in shapes]
    for p in params:
        p.grad = np.full(p.shape, 0.5, np.float32)
    for opt in (Adam(params, weight_decay=0.01, amsgrad=True), SGD(params, lr=0.1, momentum=0.9, nesterov=True,
                                                                     weight_decay=0.1)):
        opt.step()
        tracemalloc.start()
        try:
            for _ in range(3):
                opt.step()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 64 * 1024, f"{type(opt).__name__}.step() allocated {peak} bytes"
        assert all(p.data.dtype == np.float32 for p in params)


def test_bad_arguments_are_named():
    ours, _ = _pair(np.float32)
    with pytest.raises(ValueError, match="learning rate.*-0.1"):
        Adam(ours, lr=-0.1)
    with pytest.raises(ValueError, match="beta parameter at index 1.*1.0"):
        Adam(ours, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="weight_decay"):
        SGD(ours, lr=0.1, weight_decay=-1)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum > 0 and zero dampening"):
        SGD(ours, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])
    with pytest.raises(TypeError, match="only optimize Parameters.*ndarray"):
        Adam([np.zeros(3)])
    with pytest.raises(ValueError, match="more than once"):
        SGD([ours[0], ours[0]], lr=0.1)
    opt = SGD(ours, lr=0.1)
    ours[0].grad = np.zeros((2, 2), np.float32)
    with pytest.raises(ValueError, match="does not match its parameter"):
        opt.step()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make,make_torch", [
    (lambda p: Adam(p, lr=0.01, weight_decay=0.01, amsgrad=True),
     lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01, amsgrad=True)),
    (lambda p: Adam(p, lr=5e-4), lambda p: torch.optim.Adam(p, lr=5e-4)),
    (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9,
                                                                                         nesterov=True)),
])
def test_steps_shared_out_between_the_cores_equal_torch_and_one_core(make, make_torch, dtype, monkeypatch):
    # Enough elements for several CHUNK-sized slices per core, with a parameter cut by the boundary
    # between the cores' runs and small ones around it.
    from convviz.nn import parallel

    shapes = [(3, 5), (300, 230), (7,), (CHUNK + 5,), (1,)]
    assert sum(np.prod(s) for s in shapes) >= 2 * CHUNK  # two runs of slices, for two cores
    monkeypatch.setattr(parallel, "CORES", 2)
    ours, theirs = _pair(dtype, seed=3, shapes=shapes)
    _run(ours, theirs, make(ours), make_torch(theirs), dtype, steps=4)
    _assert_same(ours, theirs, dtype)
    one_core, theirs_again = _pair(dtype, seed=3, shapes=shapes)
    monkeypatch.setattr(parallel, "CORES", 1)
    _run(one_core, theirs_again, make(one_core), make_torch(theirs_again), dtype, steps=4)
    for p, q in zip(ours, one_core):  # the same operations on every element, whichever thread runs them
        np.testing.assert_array_equal(p.data, q.data)


def test_a_mismatched_gradient_changes_no_parameter_and_no_state():
    ours, _ = _pair(np.float32)
    opt = Adam(ours, lr=0.1)
    before = [p.data.copy() for p in ours]
    for p in ours:
        p.grad = np.ones(p.shape, np.float32)
    ours[2].grad = np.ones((2, 2), np.float32)
    with pytest.raises(ValueError, match="does not match its parameter"):
        opt.step()
    assert opt.state == {}
    for p, b in zip(ours, before):
        np.testing.assert_array_equal(p.data, b)
