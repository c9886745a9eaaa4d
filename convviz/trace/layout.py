"""Phase layout and index decoding: which phase a frame index falls in, and which output element
and tap it stands for. All arithmetic on the index; nothing per frame is stored.

The phases, in the order they run (a phase with nothing to show, such as padding when there is
none, is left out of ``phases``):

``pad``          zeros mode: one frame, the whole zero border at once (a lecturer says "surround it
                 with zeros" once, not once per cell). reflect/replicate/circular: one frame per
                 padded row that holds padding, each border cell with the input pixel it copies; the
                 padding maps are separable (a row map and a column map), so a row is the unit in
                 which "this row mirrors input row 1" is told.
``dilate``       only with dilation > 1: one frame per kernel tap (i, j), in C order: where it lands
                 in the dilated footprint and which holes follow it.
``slide``        one frame per output element (n, f, oy, ox) in C order, the order of the engine's
                 textbook loops; with ``granularity="tap"`` one frame per multiply-add (n, f, oy, ox,
                 c, i, j), the bias joining on the window's last tap.
``scatter``      (backward, with ``grad_output``) the same walk: each element's gradient sent back
                 through its taps onto the padded input's gradient.
``weight_grad``  the same walk again: each element adds grad_output × its window onto its filter's
                 gradient ("each window, weighted by how much its output mattered"; the other
                 reading, one weight at a time, is the hover question ``weight_tap_reads``).
``bias_grad``    (with a bias) one frame per filter: the sum of its outputs' gradients. There is no
                 multiply-add in it, so tap granularity changes nothing here.
``fold``         (with padding) zeros: one frame cropping the border away, its gradient dropped.
                 Other modes: one frame per padded row holding padding, each cell handing its
                 gradient to the pixel it was copied from, then one crop frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from convviz.nn.functional import ConvGeometry

from . import narration
from .frames import Phase
from .phase_table import PhaseLookup, lay_out
from .record import TraceRecord

PHASE_NAMES = ("pad", "dilate", "slide", "scatter", "weight_grad", "bias_grad", "fold")


@dataclass(frozen=True, eq=False)
class PhaseLayout(PhaseLookup):
    """Where each phase's frames lie, and the decoding of a frame index."""

    geometry: ConvGeometry
    taps_per_window: int
    per_tap: bool  # granularity "tap": a frame per multiply-add in the window phases
    counts: Mapping[str, int]  # frames per phase, every phase in order, 0 if it does not run
    phases: tuple[Phase, ...]  # the phases that run
    by_name: Mapping[str, Phase]
    length: int  # frames in all

    def element_and_tap(self, local: int) -> tuple[int, int | None]:
        """Index within a window phase -> (output element in C order, tap, or None per element)."""
        if self.per_tap:
            return divmod(local, self.taps_per_window)
        return local, None

    def split_progress(self, done: int) -> tuple[int, int]:
        """Frames done in a window phase -> (whole elements done, taps done of the next one)."""
        if self.per_tap:
            return divmod(done, self.taps_per_window)
        return done, 0

    def decode_element(self, element: int) -> tuple[int, int, int, int]:
        """Output element number (C order) -> (n, f, oy, ox)."""
        g = self.geometry
        plane = g.out_height * g.out_width
        n, rest = divmod(element, g.out_channels * plane)
        f, rest = divmod(rest, plane)
        oy, ox = divmod(rest, g.out_width)
        return n, f, oy, ox


def lay_out_phases(record: TraceRecord) -> PhaseLayout:
    g, per_tap = record.geometry, record.granularity == "tap"
    taps = record.taps_per_window
    padded, zeros, backward = any(g.pads), g.padding_mode == "zeros", record.has_backward
    window_frames = record.elements * (taps if per_tap else 1)
    counts = {
        "pad": 0 if not padded else 1 if zeros else len(record.pad_rows),
        "dilate": g.kernel_size[0] * g.kernel_size[1] if g.dilation != (1, 1) else 0,
        "slide": window_frames,
        "scatter": window_frames if backward else 0,
        "weight_grad": window_frames if backward else 0,
        "bias_grad": g.out_channels if backward and record.bias is not None else 0,
        "fold": 0 if not (backward and padded) else 1 if zeros else len(record.pad_rows) + 1,
    }
    return PhaseLayout(g, taps, per_tap, **lay_out(PHASE_NAMES, counts, lambda name: (
        narration.unit(name, g, per_tap), narration.explanation(name, g, taps, record.bias is not None, per_tap))))
