"""Does what is on screen equal PyTorch? (numpy only; torch imported when asked, if installed.)

For a convolution the check builds ``torch.nn.Conv2d`` with the spec's own arguments (so torch works
out the padding, ``same`` and the padding modes its own way), copies in the same weight and bias,
runs it on the same input and, in backward mode, calls ``backward`` with the same ``grad_output``. A
pooling is run by ``torch.nn.functional.max_pool2d`` / ``avg_pool2d`` with autograd, a transposed
convolution by ``torch.nn.functional.conv_transpose2d`` (its direct road, a convolution over the
zero-inserted input, must give torch's conv_transpose2d output too). Every array the trace ends
with is compared with torch's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convviz.trace import Trace

from .build import ConvArguments
from .pool_build import PoolArguments
from .transposed_build import TransposedArguments


@dataclass(frozen=True)
class TorchCheck:
    available: bool
    agree: bool = False
    max_difference: float = float("nan")
    differences: dict = field(default_factory=dict)   # array name -> max |ours - torch|
    reason: str = ""                                  # why unchecked, or what differs
    reference: str = "torch.nn.functional.conv2d and autograd"   # what the screen was compared with


def torch_version() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


def check_against_torch(args, trace: Trace, tolerance: float = 1e-9) -> TorchCheck:
    """Compare the trace's final arrays (what the last frame shows) with torch for ``args``
    (ConvArguments, PoolArguments or TransposedArguments)."""
    try:
        import torch
    except ImportError:
        return TorchCheck(False, reason="PyTorch is not installed, so the numbers are unchecked")
    if isinstance(args, PoolArguments):
        theirs = _torch_pooling(torch, args)
        function = "max_pool2d" if args.kind == "max" else "avg_pool2d"
        reference = f"torch.nn.functional.{function}" + (" and autograd" if args.grad_output is not None else "")
    elif isinstance(args, TransposedArguments):
        theirs, reference = _torch_transposed(torch, args), "torch.nn.functional.conv_transpose2d"
    else:
        theirs, reference = _torch_convolution(torch, args), TorchCheck.reference
    return _compare(trace.state(len(trace) - 1), theirs, tolerance, reference)


def _torch_convolution(torch, args: ConvArguments) -> dict:
    weight = torch.tensor(args.weight)
    out_channels, per_group, kh, kw = weight.shape
    layer = torch.nn.Conv2d(per_group * args.groups, out_channels, (kh, kw), stride=args.stride,
                            padding=args.padding, dilation=args.dilation, groups=args.groups,
                            bias=args.bias is not None, padding_mode=args.padding_mode, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(weight)
        if args.bias is not None:
            layer.bias.copy_(torch.tensor(args.bias))
    x = torch.tensor(args.input, requires_grad=True)
    y = layer(x)
    theirs = {"output": y.detach().numpy()}
    if args.grad_output is not None:
        y.backward(torch.tensor(args.grad_output))
        theirs["grad_input"] = x.grad.numpy()
        theirs["grad_weight"] = layer.weight.grad.numpy()
        if args.bias is not None:
            theirs["grad_bias"] = layer.bias.grad.numpy()
    return theirs


def _torch_pooling(torch, args: PoolArguments) -> dict:
    pool = torch.nn.functional.max_pool2d if args.kind == "max" else torch.nn.functional.avg_pool2d
    x = torch.tensor(args.input, requires_grad=True)
    y = pool(x, **args.pool_kwargs())
    theirs = {"output": y.detach().numpy()}
    if args.grad_output is not None:
        y.backward(torch.tensor(args.grad_output))
        theirs["grad_input"] = x.grad.numpy()
    return theirs


def _torch_transposed(torch, args: TransposedArguments) -> dict:
    bias = None if args.bias is None else torch.tensor(args.bias)
    y = torch.nn.functional.conv_transpose2d(torch.tensor(args.input), torch.tensor(args.weight), bias,
                                             **args.transposed_kwargs())
    return {"output": y.numpy()}


def _compare(final, theirs: dict, tolerance: float, reference: str) -> TorchCheck:
    differences = {}
    for name, expected in theirs.items():
        ours = final[name]
        if ours.shape != expected.shape:
            return TorchCheck(True, False, float("inf"), {name: float("inf")},
                              f"{name} has shape {ours.shape} here but {expected.shape} in torch", reference)
        differences[name] = float(np.max(np.abs(ours - expected), initial=0.0))
    worst = max(differences.values())
    # Sums of the same terms in another order: relative to the largest magnitude involved.
    scale = max(1.0, *(float(np.max(np.abs(a), initial=0.0)) for a in theirs.values()))
    agree = bool(np.isfinite(worst) and worst <= tolerance * scale)
    reason = "" if agree else "differs in " + ", ".join(n for n, d in differences.items() if d > tolerance * scale)
    return TorchCheck(True, agree, worst, differences, reason, reference)
