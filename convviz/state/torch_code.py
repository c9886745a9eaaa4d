"""The PyTorch code that reproduces what the visualizer shows, as text (numpy only).

The code builds the same working image with convviz's own loader (so the pixels are the ones on
screen), a ``torch.nn.Conv2d`` with the spec's arguments and the weights written out as numbers,
the same ``grad_output``, and calls ``backward``. Run it and ``y``, ``x.grad``, ``conv.weight.grad``
(and ``conv.bias.grad``) equal the arrays of the trace's last frame.
"""

from __future__ import annotations

import numpy as np

from .build import ConvArguments, weight_of
from .pool_build import KINDS, padding_of
from .spec import ConvSpec
from .transposed_build import transposed_weight


def _literal(array: np.ndarray) -> str:
    """A nested list of exact float literals (repr round-trips a float64)."""
    if array.ndim == 0:
        return repr(float(array))
    return "[" + ", ".join(_literal(a) for a in array) + "]"


def _picture_lines(spec: ConvSpec) -> list[str]:
    if spec.image.startswith("sample:"):
        load = f"load_sample({spec.image.split(':', 1)[1]!r})"
        imports = "from convviz.data.picture import load_sample, working_image"
    else:
        load = f"load_picture({spec.image!r})"
        imports = "from convviz.data.picture import load_picture, working_image"
    return [imports,
            "",
            f"# The working image on screen: {spec.channels} channel(s), longer side {spec.size} pixels, a batch of one.",
            f"image = working_image({load}, {spec.size}, {spec.channels})",
            "x = torch.tensor(image, dtype=torch.float64).unsqueeze(0).requires_grad_(True)"]


def _layer_lines(spec: ConvSpec, weight: np.ndarray, layer: str, weight_note: str = "") -> list[str]:
    """The imports, the picture, ``conv = <layer>`` with the weights (and the bias) on screen, and y."""
    lines = ["import numpy as np",
             "import torch",
             *_picture_lines(spec),
             "",
             f"conv = {layer}",
             "with torch.no_grad():",
             f"    conv.weight.copy_(torch.tensor({_literal(weight)}, dtype=torch.float64)){weight_note}"]
    if spec.bias:
        lines.append(f"    conv.bias.fill_({float(spec.bias_value)!r})")
    return lines + ["", "y = conv(x)  # the output on screen: y[0]"]


def _grad_output_lines(spec: ConvSpec) -> list[str]:
    if spec.grad_output == "ones":
        return ["grad_output = torch.ones_like(y)"]
    if spec.grad_output == "random":
        return [f"grad_output = torch.tensor(np.random.default_rng({spec.grad_seed})"
                f".standard_normal(tuple(y.shape[1:])))[None]"]
    return ["grad_output = y.detach().clone()  # the gradient of L = ½·sum(y²)"]


def torch_code(spec: ConvSpec, args: ConvArguments | None = None) -> str:
    """Python source reproducing ``spec`` in torch; ``args`` (when given) must be the spec's
    convolution arguments (a pooling and a transposed convolution are rebuilt from the spec)."""
    if spec.is_pooling:
        return _pooling_code(spec)
    if spec.operation == "conv_transpose":
        return _transposed_code(spec)
    weight = weight_of(spec) if args is None else args.weight
    out_channels, per_group, kh, kw = weight.shape
    padding = spec.padding if isinstance(spec.padding, str) else tuple(spec.padding)
    lines = _layer_lines(spec, weight,
                         f"torch.nn.Conv2d({per_group * spec.groups}, {out_channels}, kernel_size={(kh, kw)}, "
                         f"stride={tuple(spec.stride)}, padding={padding!r}, dilation={tuple(spec.dilation)}, "
                         f"groups={spec.groups}, bias={spec.bias}, padding_mode={spec.padding_mode!r}, "
                         f"dtype=torch.float64)")
    if spec.mode == "backward":
        lines += _grad_output_lines(spec)
        lines += ["y.backward(grad_output)",
                  "# x.grad[0] is ∂L/∂x, conv.weight.grad is ∂L/∂w" + (", conv.bias.grad is ∂L/∂b" if spec.bias else "")]
    return "\n".join(lines) + "\n"


def _pooling_code(spec: ConvSpec) -> str:
    kind = KINDS[spec.operation]
    options = (f"kernel_size={tuple(spec.kernel_size)}, stride={tuple(spec.stride)}, padding={padding_of(spec)}, ")
    if kind == "max":
        call = f"torch.nn.functional.max_pool2d(x, {options}dilation={tuple(spec.dilation)}, ceil_mode={spec.ceil_mode})"
    else:
        call = (f"torch.nn.functional.avg_pool2d(x, {options}ceil_mode={spec.ceil_mode}, "
                f"count_include_pad={spec.count_include_pad})")
    lines = ["import numpy as np", "import torch", *_picture_lines(spec), "", f"y = {call}  # the output on screen: y[0]"]
    if spec.mode == "backward":
        lines += _grad_output_lines(spec)
        lines += ["y.backward(grad_output)", "# x.grad[0] is ∂L/∂x: each window's gradient "
                  + ("sent to its maximum" if kind == "max" else "spread evenly over its pixels")]
    return "\n".join(lines) + "\n"


def _transposed_code(spec: ConvSpec) -> str:
    weight = transposed_weight(weight_of(spec), spec.groups)
    in_channels, per_group, kh, kw = weight.shape
    padding = padding_of(spec)
    lines = _layer_lines(spec, weight,
                         f"torch.nn.ConvTranspose2d({in_channels}, {per_group * spec.groups}, kernel_size={(kh, kw)}, "
                         f"stride={tuple(spec.stride)}, padding={padding}, output_padding={tuple(spec.output_padding)}, "
                         f"groups={spec.groups}, bias={spec.bias}, dilation={tuple(spec.dilation)}, dtype=torch.float64)",
                         "  # (C, F/G, KH, KW)")
    return "\n".join(lines) + "\n"
