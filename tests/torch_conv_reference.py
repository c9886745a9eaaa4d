"""torch as the reference for conv2d and conv2d_backward, shared by the conv2d test files.

Not a test module (pytest collects only ``test_*.py``); the tests import it as
``from torch_conv_reference import torch_reference``, pytest having put tests/ on sys.path.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def torch_reference(x, w, b, grad_output=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """torch's output, the grad_output used, and autograd's (grad_input, grad_weight, grad_bias),
    all as numpy arrays: ``(y, grad_output, grad_input, grad_weight, grad_bias)``, grad_bias None
    without a bias.

    ``F.conv2d`` for zero padding; otherwise ``nn.Conv2d(..., padding_mode=...)`` with the
    parameters copied in (which pads with ``F.pad`` and convolves without padding).

    grad_output: an array; None for "all ones" (dY = 1, as the source article did); or a function
    of the output's shape that draws one (once torch knows that shape).
    """
    xt = torch.tensor(x, requires_grad=True)
    if padding_mode == "zeros":
        wt = torch.tensor(w, requires_grad=True)
        bt = None if b is None else torch.tensor(b, requires_grad=True)
        yt = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation, groups=groups)
    else:
        layer = torch.nn.Conv2d(x.shape[-3], w.shape[0], w.shape[2:], stride=stride, padding=padding,
                                dilation=dilation, groups=groups, bias=b is not None,
                                padding_mode=padding_mode, dtype=xt.dtype)
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(w))
            if b is not None:
                layer.bias.copy_(torch.tensor(b))
        wt, bt = layer.weight, layer.bias
        yt = layer(xt)
    if grad_output is None:
        grad_output = np.ones(tuple(yt.shape), dtype=x.dtype)
    elif callable(grad_output):
        grad_output = grad_output(tuple(yt.shape))
    yt.backward(torch.tensor(grad_output))
    return (yt.detach().numpy(), grad_output, xt.grad.numpy(), wt.grad.numpy(),
            None if b is None else bt.grad.numpy())
