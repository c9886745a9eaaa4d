"""``convviz export --gallery DIR``: a standard set of small GIFs and an index.html showing them.

Each entry is one convolution (no padding, padding, same, stride 2, dilation 2, groups, depthwise)
on a built-in picture of 5 to 9 pixels, exported twice: the forward pass (the window sliding) and
the input gradient (grad_output scattered back, then the padding folded). The pictures are kept
small so each GIF has at most about 60 frames and the whole gallery takes seconds, not minutes.

``groups 2`` needs an even number of input channels, and the visualizer's pictures have 1 (gray)
or 3 (RGB): the grouped entry is 3 channels in 3 groups with 2 filters each, and depthwise is 3
groups with 1 filter each.
"""

from __future__ import annotations

import dataclasses
import html
import time
from dataclasses import dataclass
from pathlib import Path

from convviz.state.spec import ConvSpec

from .animation import build_for, export_animation
from .options import caption_text, phase_frames

SIZE = (640, 480)   # at 480×360 the scene's titles and math are cut; 640×480 reads on a slide
FPS = 8
PHASES = ("forward", "grad_input")
PHASE_TEXT = {"forward": "forward: the kernel slides over the padded input",
              "grad_input": "backward: ∂L/∂y scattered into ∂L/∂x (then the padding folded back)",
              "grad_weight": "backward: the weight gradient accumulating"}


@dataclass(frozen=True)
class Entry:
    name: str          # the files' stem
    title: str
    spec: ConvSpec
    sample: str = "shapes"


GALLERY = (
    Entry("no-padding", "no padding", ConvSpec(size=8, padding=(0, 0))),
    Entry("padding", "padding 1 (zeros)", ConvSpec(size=7, padding=(1, 1))),
    Entry("same", "padding same, 5×5 kernel", ConvSpec(size=7, kernel_size=(5, 5), padding="same",
                                                       presets=("gaussian",))),
    Entry("stride-2", "stride 2", ConvSpec(size=9, stride=(2, 2), padding=(1, 1))),
    Entry("dilation-2", "dilation 2", ConvSpec(size=9, dilation=(2, 2), padding=(0, 0))),
    Entry("groups-3", "groups 3 (2 filters per group)",
          ConvSpec(size=5, channels=3, padding=(0, 0), groups=3).with_out_channels(6), "gradient"),
    Entry("depthwise", "depthwise (groups = channels = 3)",
          ConvSpec(size=6, channels=3, padding=(0, 0), groups=3).with_out_channels(3), "gradient"),
)


@dataclass(frozen=True)
class GalleryItem:
    file: str          # relative to the gallery folder
    title: str
    phase: str
    parameters: str
    frames: int
    bytes: int


def _picture(sample: str):
    from convviz.data.picture import load_sample

    return load_sample(sample)


def write_gallery(folder, entries=GALLERY, phases=PHASES, size=SIZE, fps=FPS, progress=None,
                  done=None) -> list[GalleryItem]:
    """Export every entry in every phase into ``folder`` as ``NAME-PHASE.gif`` and write
    ``folder/index.html`` listing them; returns the items in the index's order. ``progress(file)``
    is called before each file is made, ``done(file)`` after."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for entry in entries:
        for phase in phases:
            from convviz.data.picture import working_image

            spec = dataclasses.replace(entry.spec, mode="backward" if phase != "forward" else "forward")
            image = working_image(_picture(entry.sample), spec.size, spec.channels)
            built = build_for(spec, image)
            file = f"{entry.name}-{phase}.gif"
            if progress is not None:
                progress(file)
            result = export_animation(built, folder / file, phase_frames(built.trace, phase), fps=fps, size=size)
            items.append(GalleryItem(file, entry.title, phase, caption_text(spec), result.frames, result.bytes))
            if done is not None:
                done(file)
    write_index(folder / "index.html", items, size)
    return items


def write_index(path, items, size) -> None:
    width, height = size
    cards = []
    for item in items:
        cards.append(
            f'<figure><a href="{html.escape(item.file)}"><img src="{html.escape(item.file)}" width="{width}" '
            f'height="{height}" alt="{html.escape(item.title)}, {html.escape(item.phase)}"></a>'
            f"<figcaption><b>{html.escape(item.title)}</b> · {html.escape(PHASE_TEXT[item.phase])}<br>"
            f"<code>{html.escape(item.parameters)}</code><br>"
            f"{item.frames} frames, {item.bytes / 1024:.0f} KB</figcaption></figure>")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>convviz gallery</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #202020; }}
main {{ display: flex; flex-wrap: wrap; gap: 1.5em; }}
figure {{ margin: 0; width: {width}px; }}
figcaption {{ font-size: 0.9em; line-height: 1.4; }}
</style></head>
<body><h1>convviz: convolution, forward and backward</h1>
<p>Each animation was made by <code>convviz export</code> from the window's own scene; made
{time.strftime("%Y-%m-%d")}.</p>
<main>
{chr(10).join(cards)}
</main></body></html>
"""
    Path(path).write_text(page, encoding="utf-8")
