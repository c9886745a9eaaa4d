"""What an export covers and how it is labelled, without Qt (the command line parses with it).

``phase_frames(trace, "forward" | "grad_input" | "grad_weight", operation)`` lists the trace
frames an export of that phase covers; ``caption_text(spec)`` is the parameters line under every exported frame;
``check_size`` and ``MAX_FPS`` are the limits the terminal and the dialog both apply.
"""

from __future__ import annotations

# Phase names of the command line -> the trace phases they cover, in order.
EXPORT_PHASES = {
    "forward": ("slide",),                 # the window sliding over the padded input
    "grad_input": ("scatter", "fold"),     # grad_output scattered into the padded input gradient, then folded
    "grad_weight": ("weight_grad",),       # the weight gradient accumulating
}
# The same for the other operations (``Built.operation``; a pooling's two kinds share theirs).
EXPORT_PHASES_OF = {
    "conv": EXPORT_PHASES,
    "max_pool": {"forward": ("pool",), "grad_input": ("route",)},   # windows pooled; ∂L/∂y routed back
    "avg_pool": {"forward": ("pool",), "grad_input": ("route",)},
    "conv_transpose": {"forward": ("scatter", "crop")},              # each input value × the kernel, then the crop
}
MIN_SIZE = (160, 120)      # smaller frames have no room for a readable number
MAX_SIZE = (3840, 2160)
MAX_FPS = 60


def check_size(size) -> tuple[int, int]:
    """(width, height) as ints; ValueError unless both are whole numbers within MIN_SIZE..MAX_SIZE."""
    try:
        width, height = (int(side) for side in size)
        whole = all(int(side) == side for side in size)
    except (TypeError, ValueError):
        whole = False
    if not whole or not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise ValueError(f"the size must be WIDTHxHEIGHT from {MIN_SIZE[0]}x{MIN_SIZE[1]} to "
                         f"{MAX_SIZE[0]}x{MAX_SIZE[1]} pixels, got {size!r}")
    return width, height


def phase_frames(trace, phase: str, operation: str = "conv") -> list[int]:
    """The trace frames of export phase ``phase``, in order: every frame of each of its trace
    phases that runs (``fold`` only runs with padding; it comes after the weight gradient, so
    ``grad_input`` is the scatter and then the fold). ValueError naming the phase when the trace
    lacks it (a gradient phase of a forward-only trace)."""
    phases = EXPORT_PHASES_OF[operation]
    if phase not in phases:
        raise ValueError(f"the phase of a {operation} must be one of {', '.join(phases)}, got {phase!r}")
    present = [p for p in trace.phases if p.name in phases[phase]]
    if not present:
        raise ValueError(f"phase {phase} needs the backward pass (mode backward); this trace has only "
                         f"{', '.join(p.name for p in trace.phases)}")
    return [index for p in present for index in range(p.first, p.last + 1)]


def _number_or_pair(values) -> str:
    values = tuple(values)
    return str(values[0]) if values[0] == values[1] else f"({values[0]}, {values[1]})"


def caption_text(spec) -> str:
    """The parameters in one line, e.g. ``3×3 kernel sobel_x · 1 → 1 channels · stride 1 ·
    padding 1 (zeros) · dilation 1 · groups 1``; a pooling or a transposed convolution says so
    first, with its own parameters."""
    kh, kw = spec.kernel_size
    if spec.operation in ("max_pool", "avg_pool"):
        padding = (0, 0) if spec.padding == "valid" else spec.padding
        parts = [f"{'max' if spec.operation == 'max_pool' else 'average'} pooling {kh}×{kw}",
                 f"{spec.channels} channel{'s' * (spec.channels != 1)}", f"stride {_number_or_pair(spec.stride)}",
                 f"padding {_number_or_pair(padding)}"]
        if spec.operation == "max_pool":
            parts.append(f"dilation {_number_or_pair(spec.dilation)}")
        elif not spec.count_include_pad:
            parts.append("padding not counted")
        if spec.ceil_mode:
            parts.append("ceil mode")
        return " · ".join(parts)
    presets = list(dict.fromkeys(spec.presets))  # each name once, in order
    kernel = f"{kh}×{kw} kernel {', '.join(presets)}" + (" (edited)" if spec.weight_edits else "")
    if isinstance(spec.padding, str):
        padding = f"padding {spec.padding}"
    else:
        padding = f"padding {_number_or_pair(spec.padding)}"
    if spec.padding_mode != "zeros" and spec.padding != "valid" and spec.padding != (0, 0):
        padding += f" ({spec.padding_mode})"
    parts = [kernel, f"{spec.channels} → {spec.out_channels} channels", f"stride {_number_or_pair(spec.stride)}",
             padding, f"dilation {_number_or_pair(spec.dilation)}", f"groups {spec.groups}"]
    if spec.operation == "conv_transpose":
        road = "scatter road" if spec.transposed_road == "scatter" else "direct road"
        parts = ["transposed convolution"] + parts[:4] + [f"output padding {_number_or_pair(spec.output_padding)}"] \
            + parts[4:] + [road]
    if spec.bias:
        parts.append(f"bias {spec.bias_value:g}")
    return " · ".join(parts)


def caption_for(built) -> str:
    """The caption of a build: ``caption_text`` of its spec, or, for arrays that did not come
    from the spec (a training run's layer, ``built.label``), the label and the trace's geometry."""
    label = getattr(built, "label", "")
    if not label:
        return caption_text(built.spec)
    g = built.trace.geometry
    top, bottom, left, right = g.pads
    padding = _number_or_pair((top, left)) if (top, left) == (bottom, right) else f"{g.pads}"
    return " · ".join([label, f"{g.kernel_size[0]}×{g.kernel_size[1]} kernel",
                       f"{g.in_channels} → {g.out_channels} channels", f"stride {_number_or_pair(g.stride)}",
                       f"padding {padding}", f"dilation {_number_or_pair(g.dilation)}", f"groups {g.groups}"])
