"""What the visualizer shows, as one value: ``ConvSpec`` (numpy only, no Qt).

Everything that defines the picture (image reference, working size, channels, kernel, stride,
padding, dilation, groups, mode, the choice of ``grad_output``, granularity) is one frozen
dataclass. An edit makes a new spec (``dataclasses.replace``); the undo stack holds specs; the
settings and scene files store ``spec.to_dict()``; a trace is built from a spec (``build.py``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from convviz.nn.functional import PADDING_MODES

from .kernels import PRESETS

MODES = ("forward", "backward")
# What the visualizer plays: a convolution, a pooling, or a transposed convolution.
OPERATIONS = ("conv", "max_pool", "avg_pool", "conv_transpose")
OPERATION_TEXT = {
    "conv": "convolution",
    "max_pool": "max pooling",
    "avg_pool": "average pooling",
    "conv_transpose": "transposed convolution",
}
# The transposed convolution is shown two ways: each input value times the kernel scattered into
# the output, or the same output as a convolution over the zero-inserted input.
TRANSPOSED_ROADS = ("scatter", "direct")
GRAD_OUTPUTS = ("ones", "random", "sum_of_squares")
GRAD_OUTPUT_TEXT = {
    "ones": "ones (the gradient of sum(y))",
    "random": "random normal values (seeded)",
    "sum_of_squares": "y (the gradient of ½·sum(y²))",
}
PADDING_CHOICES = ("numbers", "valid", "same")
# Presets given to new filters, in this order, when the number of filters grows.
NEW_FILTER_PRESETS = ("sobel_x", "sobel_y", "laplacian", "gaussian", "sharpen", "emboss", "box", "identity")
KERNEL_RANGE = (1, 15)
OUT_CHANNEL_RANGE = (1, 16)
SIZE_RANGE = (4, 256)
STEP_RANGE = (1, 8)       # stride and dilation per axis in the controls
PAD_RANGE = (0, 15)


class SpecError(ValueError):
    """A stored spec (settings, a scene file) that cannot be used; the message names the field."""


@dataclass(frozen=True)
class ConvSpec:
    image: str = "sample:shapes"         # a file path, or "sample:NAME" for a built-in picture
    size: int = 24                       # the working image's longer side, in pixels
    channels: int = 1                    # 1 (luma) or 3 (RGB)
    out_channels: int = 1
    kernel_size: tuple[int, int] = (3, 3)
    presets: tuple[str, ...] = ("sobel_x",)   # one preset per filter
    seed: int = 0                        # for the "random" preset
    # Values typed into the kernel grid, over the presets: ((f, c, i, j), value) pairs.
    weight_edits: tuple[tuple[tuple[int, int, int, int], float], ...] = ()
    bias: bool = False
    bias_value: float = 0.0
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    padding: str | tuple[int, int] = (1, 1)   # (ph, pw), "valid" or "same"
    padding_mode: str = "zeros"
    groups: int = 1
    mode: str = "forward"
    grad_output: str = "ones"
    grad_seed: int = 0
    granularity: str = "output"           # a frame per output element, or "tap": per multiply-add
    operation: str = "conv"               # one of OPERATIONS
    ceil_mode: bool = False               # pooling: round the output size up
    count_include_pad: bool = True        # average pooling: padding cells count in the divisor
    output_padding: tuple[int, int] = (0, 0)   # transposed convolution: extra rows/columns at the bottom/right
    transposed_road: str = "scatter"      # one of TRANSPOSED_ROADS

    @property
    def is_pooling(self) -> bool:
        return self.operation in ("max_pool", "avg_pool")

    # ------------------------------------------------------------------------------------------
    @property
    def padding_choice(self) -> str:
        return self.padding if isinstance(self.padding, str) else "numbers"

    @property
    def in_per_group(self) -> int:
        return self.channels // self.groups if self.groups and self.channels % self.groups == 0 else self.channels

    def with_out_channels(self, count: int) -> ConvSpec:
        """The spec with ``count`` filters: existing filters keep their preset, new ones take the
        next of NEW_FILTER_PRESETS, edits of removed filters are dropped."""
        presets = list(self.presets[:count])
        while len(presets) < count:
            presets.append(NEW_FILTER_PRESETS[len(presets) % len(NEW_FILTER_PRESETS)])
        edits = tuple(e for e in self.weight_edits if e[0][0] < count)
        return dataclasses.replace(self, out_channels=count, presets=tuple(presets), weight_edits=edits)

    def with_edit(self, f: int, c: int, i: int, j: int, value: float) -> ConvSpec:
        """The spec with weight w[f, c, i, j] typed in as ``value``."""
        edits = {key: v for key, v in self.weight_edits}
        edits[(f, c, i, j)] = float(value)
        return dataclasses.replace(self, weight_edits=tuple(sorted(edits.items())))

    def with_preset(self, name: str, filters=None) -> ConvSpec:
        """The spec with preset ``name`` on ``filters`` (all when None); their typed values go."""
        chosen = set(range(self.out_channels) if filters is None else filters)
        presets = tuple(name if f in chosen else p for f, p in enumerate(self.presets))
        edits = tuple(e for e in self.weight_edits if e[0][0] not in chosen)
        return dataclasses.replace(self, presets=presets, weight_edits=edits)

    def with_operation(self, operation: str) -> ConvSpec:
        """The spec playing ``operation``. Moving to another kind of operation starts from the
        geometry a lecturer shows first: 2×2 windows with stride 2 for pooling, a 3×3 box kernel
        with stride 2 for the transposed convolution (which doubles the size and shows the
        checkerboard), the default 3×3 with padding 1 for the convolution."""
        if operation not in OPERATIONS:
            raise SpecError(f"operation must be one of {', '.join(OPERATIONS)}, got {operation!r}")
        family = lambda op: "pool" if op in ("max_pool", "avg_pool") else op
        changed = dataclasses.replace(self, operation=operation)
        if family(operation) == family(self.operation):
            return dataclasses.replace(changed, dilation=(1, 1)) if operation == "avg_pool" else changed
        if family(operation) == "pool":
            return dataclasses.replace(changed, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1))
        default = ConvSpec()
        if operation == "conv_transpose":
            changed = dataclasses.replace(changed, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1),
                                          output_padding=(1, 1), dilation=(1, 1), groups=1, mode="forward")
            return changed.with_preset("box")
        return dataclasses.replace(changed, kernel_size=default.kernel_size, stride=default.stride,
                                   padding=default.padding, dilation=default.dilation, output_padding=(0, 0))

    # ------------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-able dict (tuples become lists)."""
        data = dataclasses.asdict(self)
        data["weight_edits"] = [[list(key), value] for key, value in self.weight_edits]
        return data

    @classmethod
    def from_dict(cls, data) -> ConvSpec:
        """The spec stored by ``to_dict``; unknown keys are ignored and missing keys take their
        defaults, so settings from an older version still load. A wrong value raises SpecError."""
        if not isinstance(data, dict):
            raise SpecError(f"a spec must be a JSON object, got {type(data).__name__}")
        default = cls()
        values = {}
        for field in dataclasses.fields(cls):
            if field.name not in data:
                continue
            values[field.name] = _read_field(field.name, data[field.name], getattr(default, field.name))
        spec = dataclasses.replace(default, **values)
        if len(spec.presets) != spec.out_channels:
            spec = spec.with_out_channels(spec.out_channels)
        return spec


def _int(name, value, low, high) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def _pair(name, value, low, high) -> tuple[int, int]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise SpecError(f"{name} must be a pair of integers, got {value!r}")
    return (_int(name, value[0], low, high), _int(name, value[1], low, high))


def _choice(name, value, choices) -> str:
    if value not in choices:
        raise SpecError(f"{name} must be one of {', '.join(map(str, choices))}, got {value!r}")
    return value


def _number(name, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SpecError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _read_field(name: str, value, default):
    if name == "image":
        if not isinstance(value, str) or not value:
            raise SpecError(f"image must be a file path or sample:NAME, got {value!r}")
        return value
    if name == "size":
        return _int(name, value, *SIZE_RANGE)
    if name == "channels":
        return _choice(name, value, (1, 3))
    if name == "out_channels":
        return _int(name, value, *OUT_CHANNEL_RANGE)
    if name == "kernel_size":
        return _pair(name, value, *KERNEL_RANGE)
    if name == "presets":
        if not isinstance(value, (list, tuple)) or not value:
            raise SpecError(f"presets must be a list of preset names, got {value!r}")
        return tuple(_choice(name, p, tuple(PRESETS)) for p in value)
    if name in ("seed", "grad_seed"):
        return _int(name, value, 0, 2**32 - 1)
    if name == "weight_edits":
        if not isinstance(value, (list, tuple)):
            raise SpecError(f"weight_edits must be a list of [[f, c, i, j], value], got {value!r}")
        edits = []
        for entry in value:
            if not (isinstance(entry, (list, tuple)) and len(entry) == 2 and isinstance(entry[0], (list, tuple))
                    and len(entry[0]) == 4):
                raise SpecError(f"each weight edit must be [[f, c, i, j], value], got {entry!r}")
            key = tuple(_int("weight_edits index", v, 0, 255) for v in entry[0])
            edits.append((key, _number("weight_edits value", entry[1])))
        return tuple(sorted(edits))
    if name in ("bias", "ceil_mode", "count_include_pad"):
        if not isinstance(value, bool):
            raise SpecError(f"{name} must be true or false, got {value!r}")
        return value
    if name == "operation":
        return _choice(name, value, OPERATIONS)
    if name == "transposed_road":
        return _choice(name, value, TRANSPOSED_ROADS)
    if name == "output_padding":
        return _pair(name, value, 0, STEP_RANGE[1] - 1)
    if name == "bias_value":
        return _number(name, value)
    if name in ("stride", "dilation"):
        return _pair(name, value, *STEP_RANGE)
    if name == "padding":
        if isinstance(value, str):
            return _choice(name, value, ("valid", "same"))
        return _pair(name, value, *PAD_RANGE)
    if name == "padding_mode":
        return _choice(name, value, PADDING_MODES)
    if name == "groups":
        return _int(name, value, 1, 256)
    if name == "mode":
        return _choice(name, value, MODES)
    if name == "grad_output":
        return _choice(name, value, GRAD_OUTPUTS)
    if name == "granularity":
        return _choice(name, value, ("output", "tap"))
    return default
