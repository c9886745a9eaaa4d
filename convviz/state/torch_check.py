"""Does what is on screen equal PyTorch? (numpy only; torch imported when asked, if installed.)

The check builds ``torch.nn.Conv2d`` with the spec's own arguments (so torch works out the padding,
``same`` and the padding modes its own way), copies in the same weight and bias, runs it on the same
input and, in backward mode, calls ``backward`` with the same ``grad_output``. Every array the trace
ends with is compared with torch's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convviz.trace import Trace

from .build import ConvArguments


@dataclass(frozen=True)
class TorchCheck:
    available: bool
    agree: bool = False
    max_difference: float = float("nan")
    differences: dict = field(default_factory=dict)   # array name -> max |ours - torch|
    reason: str = ""                                  # why unchecked, or what differs


def torch_version() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


def check_against_torch(args: ConvArguments, trace: Trace, tolerance: float = 1e-9) -> TorchCheck:
    """Compare the trace's final arrays (what the last frame shows) with torch for ``args``."""
    try:
        import torch
    except ImportError:
        return TorchCheck(False, reason="PyTorch is not installed, so the numbers are unchecked")
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
    final = trace.state(len(trace) - 1)
    differences = {}
    for name, expected in theirs.items():
        ours = final[name]
        if ours.shape != expected.shape:
            return TorchCheck(True, False, float("inf"), {name: float("inf")},
                              f"{name} has shape {ours.shape} here but {expected.shape} in torch")
        differences[name] = float(np.max(np.abs(ours - expected), initial=0.0))
    worst = max(differences.values())
    # Sums of the same terms in another order: relative to the largest magnitude involved.
    scale = max(1.0, *(float(np.max(np.abs(a), initial=0.0)) for a in theirs.values()))
    agree = bool(np.isfinite(worst) and worst <= tolerance * scale)
    reason = "" if agree else "differs in " + ", ".join(n for n, d in differences.items() if d > tolerance * scale)
    return TorchCheck(True, agree, worst, differences, reason)
