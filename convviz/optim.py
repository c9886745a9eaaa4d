"""Optimisers: ``SGD`` and ``Adam``, with torch.optim's arguments, defaults and update rules.

An optimiser holds the model's ``Parameter`` objects; ``step()`` changes each ``param.data`` in
place from its ``param.grad`` (parameters whose grad is None are skipped, as in torch), and
``zero_grad()`` sets every grad to None (torch's default, ``set_to_none=True``) or to zeros.

Speed. A step of Adam over the cat/dog CNN's 6.5 M float32 parameters makes about a dozen
passes over them. Each pass is an in-place ufunc (``out=``), so nothing is allocated per step
besides the optimiser's state and scratch buffers (allocated on the first step), and the
parameters are walked in slices of ``CHUNK`` elements: the six or so arrays one slice touches
(parameter, gradient, state, two scratch buffers) then stay in the CPU's L2 cache across all the
passes instead of streaming through main memory once per pass, which makes the step about twice
as fast. The slices of all parameters are shared out between the cores
(``convviz.nn.parallel.map_on_all_cores``), each thread with its own scratch buffers; every
element is still updated by the same sequence of operations, so the result does not depend on
the number of threads. Everything stays in the parameters' dtype (float32 by default).
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

from .nn import parallel
from .nn.parameter import Parameter

__all__ = ["Adam", "Optimizer", "SGD"]

# Elements per slice of a parameter; 64 K float32 values are 256 KB per array, so the six arrays
# of a slice (1.5 MB) fit in one core's L2 cache. Slices much smaller than this cost more in
# Python and thread hand-overs than they gain.
CHUNK = 65536


class SliceUpdate(NamedTuple):
    """One parameter's element-wise update, to be run slice by slice: ``function(*slices,
    scratch_a, scratch_b)`` updates in place matching slices of ``arrays`` (the parameter, its
    gradient, then the optimiser's state arrays; None for a state array the settings do not use),
    with two scratch buffers of the slices' size."""

    function: Callable[..., None]
    arrays: list[np.ndarray | None]


def _check_number(name: str, value, minimum: float = 0.0, below: float | None = None) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not value >= minimum or (below is not None and not value < below):
        rule = f">= {minimum}" if below is None else f"in [{minimum}, {below})"
        raise ValueError(f"invalid {name}: {value!r} (it must be {rule})")
    return float(value)


class Optimizer:
    """Base class: parameter groups (as torch's ``param_groups``), per-parameter state, scratch."""

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self.param_groups: list[dict] = []
        self.state: dict[Parameter, dict] = {}
        # Two CHUNK-sized scratch buffers per (thread, dtype), made on the first step.
        self._scratch: dict[tuple[int, np.dtype], tuple[np.ndarray, np.ndarray]] = {}
        if isinstance(params, Parameter):
            raise TypeError("params must be an iterable of Parameters (e.g. model.parameters()), got one Parameter")
        params = list(params)
        if not params:
            raise ValueError("the optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add ``{"params": [...], "lr": ...}``: parameters with their own hyper-parameters."""
        group = dict(group)
        params = group["params"]
        params = [params] if isinstance(params, Parameter) else list(params)
        for param in params:
            if not isinstance(param, Parameter):
                raise TypeError(f"an optimizer can only optimize Parameters, got {type(param).__name__}")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear more than once (in a group or in more than one group)")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} in a parameter group of {type(self).__name__}")
        group["params"] = params
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict) -> None:
        pass

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's grad to None (default, as torch) or fill it with zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad.fill(0)

    def _scratch_for(self, worker: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """Two CHUNK-sized buffers for one thread and dtype, allocated once and then reused."""
        buffers = self._scratch.get((worker, dtype))
        if buffers is None:
            buffers = self._scratch[(worker, dtype)] = (np.empty(CHUNK, dtype), np.empty(CHUNK, dtype))
        return buffers

    def step(self) -> None:
        """Update every parameter that has a gradient.

        Each parameter's bookkeeping (state, step count, scalars) is done here, in order
        (``_prepare_update``); its element-wise update is cut into CHUNK-sized slices, and the
        slices of all parameters are then shared out between the cores in contiguous runs of
        about equal size.
        """
        todo = [(param, group) for group in self.param_groups for param in group["params"]
                if param.grad is not None]
        for param, _ in todo:  # every gradient is checked before any state or weight changes
            if param.grad.shape != param.data.shape or param.grad.dtype != param.data.dtype:
                raise ValueError(f"a gradient of shape {param.grad.shape} and dtype {param.grad.dtype} does "
                                 f"not match its parameter ({param.data.shape}, {param.data.dtype})")
        jobs, whole = [], []
        for param, group in todo:
            state = self.state.setdefault(param, {})
            update, arrays = self._prepare_update(param, param.grad, state, group)
            if not all(a.flags.c_contiguous for a in arrays if a is not None):
                # Only if someone assigned such a .data or .grad: processed whole, with its own scratch.
                whole.append((update, arrays))
                continue
            flat = [None if a is None else a.reshape(-1) for a in arrays]  # views: the arrays are contiguous
            for start in range(0, flat[0].size, CHUNK):
                jobs.append((update, [None if f is None else f[start : start + CHUNK] for f in flat]))
        for update, arrays in whole:
            update(*arrays, np.empty_like(arrays[0]), np.empty_like(arrays[0]))
        if not jobs:
            return
        total = sum(arrays[0].size for _, arrays in jobs)
        workers = min(parallel.CORES, max(1, total // CHUNK))
        runs, run, filled = [], [], 0
        for job in jobs:  # contiguous runs of about total / workers elements each
            run.append(job)
            filled += job[1][0].size
            if filled * workers >= total * (len(runs) + 1) and len(runs) < workers - 1:
                runs.append(run)
                run = []
        runs.append(run)

        def work(worker: int) -> None:
            for update, arrays in runs[worker]:
                size = arrays[0].size
                scratch, other = self._scratch_for(worker, arrays[0].dtype)
                update(*arrays, scratch[:size], other[:size])

        parallel.map_on_all_cores(work, range(len(runs)))

    def _prepare_update(self, param: Parameter, grad: np.ndarray, state: dict, group: dict) -> SliceUpdate:
        """Make or advance ``state`` for this step and return the element-wise update."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``, as torch's.

        Parameters are numbered in the order of the groups; state arrays are copies.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            for param in group["params"]:
                index.setdefault(id(param), len(index))
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": [index[id(p)] for p in group["params"]]})
        state = {}
        for group in self.param_groups:
            for param in group["params"]:
                if param in self.state:
                    state[index[id(param)]] = {k: (v.copy() if isinstance(v, np.ndarray) else v)
                                               for k, v in self.state[param].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict()`` of an optimiser built over parameters of the same shapes."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
                len(g["params"]) != len(own["params"]) for g, own in zip(groups, self.param_groups)):
            raise ValueError("the state_dict's parameter groups do not match this optimizer's (number or sizes)")
        params = {}
        for saved, own in zip(groups, self.param_groups):
            params.update(zip(saved["params"], own["params"]))
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {}
        for key, entries in state_dict["state"].items():
            param = params[key]
            restored = {}
            for name, value in entries.items():
                if isinstance(value, np.ndarray) and value.shape == param.data.shape:
                    value = value.astype(param.data.dtype, copy=True)
                elif isinstance(value, np.ndarray):
                    raise ValueError(f"state {name!r} of parameter {key} has shape {value.shape}, "
                                     f"the parameter's is {param.data.shape}")
                restored[name] = value
            self.state[param] = restored

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as torch.optim.SGD.

    g = grad + weight_decay · param
    with momentum:  buf = g on the first step, then buf = momentum · buf + (1 - dampening) · g;
                    g = g + momentum · buf (nesterov) or g = buf
    param = param - lr · g
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        _check_number("learning rate (lr)", group["lr"])
        _check_number("momentum", group["momentum"])
        _check_number("dampening", group["dampening"])
        _check_number("weight_decay", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"Nesterov momentum requires a momentum > 0 and zero dampening, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

    def _prepare_update(self, param, grad, state, group) -> SliceUpdate:
        first_step = False
        if group["momentum"] != 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.empty_like(param.data)  # set to the gradient below
            first_step = True
        buf = state["momentum_buffer"] if group["momentum"] != 0 else None
        return SliceUpdate(functools.partial(self._update_slice, group=group, first_step=first_step),
                           [param.data, grad, buf])

    @staticmethod
    def _update_slice(p, grad, buf, decayed, scratch, *, group, first_step) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        if group["weight_decay"] != 0:
            np.multiply(p, group["weight_decay"], out=decayed)
            np.add(grad, decayed, out=decayed)  # grad + weight_decay · param
            grad = decayed
        if buf is not None:
            if first_step:
                np.copyto(buf, grad)  # torch starts the buffer at the gradient itself
            else:
                buf *= momentum
                if dampening == 0:
                    buf += grad
                else:
                    np.multiply(grad, 1 - dampening, out=scratch)
                    buf += scratch  # momentum · buf + (1 - dampening) · grad
            if group["nesterov"]:
                np.multiply(buf, momentum, out=scratch)
                np.add(grad, scratch, out=scratch)  # grad + momentum · buf
                grad = scratch
            else:
                grad = buf
        np.multiply(grad, -lr, out=scratch)
        p += scratch  # param - lr · grad


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (bias-corrected, eps outside the square root).

    step t = 1, 2, ... per parameter:
        g     = grad + weight_decay · param               (L2 penalty, when weight_decay > 0)
        m     = m + (1 - beta1) · (g - m)                   (torch's lerp: beta1·m + (1 - beta1)·g)
        v     = beta2 · v + (1 - beta2) · g²
        v̂max  = max(v̂max, v)                                (amsgrad only; used instead of v)
        denom = sqrt(v) / sqrt(1 - beta2^t) + eps
        param = param - lr / (1 - beta1^t) · m / denom
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=bool(amsgrad))
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        _check_number("learning rate (lr)", group["lr"])
        _check_number("epsilon value (eps)", group["eps"])
        betas = group["betas"]
        if not (isinstance(betas, tuple) and len(betas) == 2):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        _check_number("beta parameter at index 0", betas[0], 0.0, 1.0)
        _check_number("beta parameter at index 1", betas[1], 0.0, 1.0)
        _check_number("weight_decay", group["weight_decay"])

    def _prepare_update(self, param, grad, state, group) -> SliceUpdate:
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param.data)
            state["exp_avg_sq"] = np.zeros_like(param.data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param.data)
        state["step"] += 1
        step = state["step"]
        # The scalars, in Python floats as torch computes them.
        bias_correction1 = 1 - beta1**step
        bias_correction2_sqrt = math.sqrt(1 - beta2**step)
        step_size = group["lr"] / bias_correction1
        update = functools.partial(self._update_slice, group=group, step_size=step_size,
                                   bias_correction2_sqrt=bias_correction2_sqrt)
        v_max = state["max_exp_avg_sq"] if group["amsgrad"] else None
        return SliceUpdate(update, [param.data, grad, state["exp_avg"], state["exp_avg_sq"], v_max])

    @staticmethod
    def _update_slice(p, grad, m, v, v_max, tmp, update, *, group, step_size, bias_correction2_sqrt) -> None:
        beta1, beta2 = group["betas"]
        if group["weight_decay"] != 0:
            np.multiply(p, group["weight_decay"], out=update)
            np.add(grad, update, out=update)  # grad + weight_decay · param
            grad = update

        # m: torch's lerp(m, g, w) with w = 1 - beta1, in the form torch picks for the size of w.
        weight = 1 - beta1
        np.subtract(grad, m, out=tmp)
        if abs(weight) < 0.5:
            tmp *= weight
            m += tmp  # m + w · (g - m)
        else:
            tmp *= 1 - weight
            np.subtract(grad, tmp, out=m)  # g - (1 - w) · (g - m)

        # v = beta2 · v + (1 - beta2) · g · g
        v *= beta2
        np.multiply(grad, 1 - beta2, out=tmp)
        tmp *= grad
        v += tmp

        if v_max is not None:  # amsgrad: normalise by the largest v so far
            np.maximum(v_max, v, out=v_max)
            v = v_max

        np.sqrt(v, out=tmp)
        tmp /= bias_correction2_sqrt
        tmp += group["eps"]  # denom = sqrt(v) / sqrt(1 - beta2^t) + eps
        np.multiply(m, -step_size, out=update)
        update /= tmp
        p += update  # param - lr / (1 - beta1^t) · m / denom
