"""What every build is made of, whatever the operation (numpy only): the dtype of the arrays on
screen, a problem tied to a control, and a finished build.

``build.py`` (convolution), ``pool_build.py`` (pooling) and ``transposed_build.py`` (transposed
convolution) each turn a spec into a ``Built``; ``build.make_built`` picks the one the spec's
operation names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .kernels import preset_kernel
from .spec import ConvSpec

# float64: the numbers on screen are the exact sums the frames narrate, and the comparison with
# PyTorch (``convviz.state.torch_check``) is to the last few bits.
DTYPE = np.float64


@dataclass(frozen=True)
class Problem:
    """Why a control cannot take its value: ``field`` names the spec field the message belongs to."""

    field: str
    message: str


@dataclass(frozen=True, eq=False)
class Built:
    """A finished build: the spec it was made from and everything a scene draws (the window's
    builder and the exporter both make these, with ``make_built``)."""

    spec: ConvSpec
    args: Any             # ConvArguments, PoolArguments or TransposedArguments: what the engine was called with
    trace: Any            # Trace, PoolTrace or TransposedTrace (or the direct road's Trace)
    levels: dict          # array name -> the symmetric colour level (max |value| at its fullest)
    label: str = ""       # set when the arrays came from elsewhere (a training run's layer), not the spec
    generation: int = 0   # the window's build counter: a build that is not the newest is dropped
    note: str = ""        # a line the scene's header shows under the phase (the direct road says what it is)

    @property
    def operation(self) -> str:
        """What the scene shows: "conv", "max_pool", "avg_pool", "conv_transpose" (the scatter
        road), or "conv" again for the transposed convolution's direct road."""
        spec = self.spec
        if spec.operation == "conv_transpose" and spec.transposed_road == "direct" and not self.label:
            return "conv"
        return "conv" if self.label else spec.operation


def biggest(array) -> float:
    """max |value| over the finite entries, 1.0 when there are none or all are 0: a colour level."""
    array = np.asarray(array)
    if not array.size:
        return 1.0
    # Two reductions and no copy (a parameter change computes six of these); the mask only when
    # the array holds an inf or a NaN.
    level = max(float(array.max()), -float(array.min()))
    if not np.isfinite(level):
        finite = np.abs(array[np.isfinite(array)])
        level = float(finite.max()) if finite.size else 0.0
    return level if level > 0 else 1.0


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def allowed_groups(channels: int, out_channels: int) -> list[int]:
    """The values ``groups`` may take: the common divisors of both channel counts."""
    return [d for d in divisors(channels) if out_channels % d == 0]


def weight_of(spec: ConvSpec) -> np.ndarray:
    """(F, C/G, KH, KW): filter f's preset on each of its input channels, divided by their number
    (so a filter answers the channels' mean, as on a grayscale image), then the typed values."""
    kh, kw = spec.kernel_size
    per_group = spec.in_per_group
    weight = np.empty((spec.out_channels, per_group, kh, kw), dtype=DTYPE)
    # One preset per filter, however the spec was made (a spec built in code may list fewer).
    presets = spec.with_out_channels(spec.out_channels).presets
    for f, name in enumerate(presets):
        if name != "random":  # the same 2-D kernel on every channel of the filter
            weight[f] = preset_kernel(name, kh, kw) / per_group
            continue
        for c in range(per_group):
            seed = spec.seed + 7919 * f + c  # a different random kernel per filter and channel
            weight[f, c] = preset_kernel(name, kh, kw, seed=seed) / per_group
    for (f, c, i, j), value in spec.weight_edits:
        if f < weight.shape[0] and c < weight.shape[1] and i < kh and j < kw:
            weight[f, c, i, j] = value
    return weight


def grad_output_for(spec: ConvSpec, output: np.ndarray) -> np.ndarray:
    """The ∂L/∂y the spec chooses for an output: ones, seeded normal values, or y itself (the
    gradient of L = ½·sum(y²))."""
    if spec.grad_output == "ones":
        return np.ones(output.shape, dtype=DTYPE)
    if spec.grad_output == "random":
        return np.random.default_rng(spec.grad_seed).standard_normal(output.shape).astype(DTYPE)
    return np.array(output, dtype=DTYPE)


def fit_field(changed, default: str = "kernel_size") -> str:
    """The control a "the window does not fit" message belongs to: whichever of the fields it
    shares the user changed last."""
    return next((name for name in changed if name in FIT_FIELDS), default)


# A kernel that does not fit is the fault of whichever of these the user changed last.
FIT_FIELDS = ("kernel_size", "dilation", "padding", "stride", "size", "output_padding")
