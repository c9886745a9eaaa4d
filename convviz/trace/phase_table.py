"""Phases laid end to end, and a frame index checked and decoded against them: what the
convolution's, the pooling's and the transposed convolution's layouts share.

``lay_out(names, counts, describe)`` places the phases that run (a count above 0) one after the
other; a layout class that inherits ``PhaseLookup`` and has the fields it returns (``counts``,
``phases``, ``by_name``, ``length``) answers the index questions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from convviz.nn.functional.checks import is_int

from .frames import Phase


def lay_out(names: Sequence[str], counts: Mapping[str, int], describe: Callable[[str], tuple[str, str]]) -> dict:
    """``counts`` (frames per phase name), ``phases`` (the ones that run, in ``names``' order, each
    after the last), ``by_name`` and ``length``; ``describe(name)`` gives a phase's (unit, explanation)."""
    phases, first = [], 0
    for name in names:
        if counts[name]:
            unit, explanation = describe(name)
            phases.append(Phase(name, first, first + counts[name] - 1, unit, explanation))
            first += counts[name]
    return dict(counts=MappingProxyType({name: counts[name] for name in names}), phases=tuple(phases),
                by_name=MappingProxyType({phase.name: phase for phase in phases}), length=first)


class PhaseLookup:
    """The index questions of a layout with ``phases``, ``by_name`` and ``length``."""

    phases: tuple[Phase, ...]
    by_name: Mapping[str, Phase]
    length: int

    def frame_index(self, index) -> int:
        """``index`` checked and made non-negative (negative indices count from the end)."""
        if not is_int(index):
            raise TypeError(f"a frame index must be an int, got {type(index).__name__} {index!r} "
                            f"(iterate over the trace or over range(len(trace)) for several frames)")
        n = self.length
        if not n:
            raise IndexError(f"frame {index} is out of range: this trace has no frames (its batch is empty)")
        if not -n <= index < n:
            raise IndexError(f"frame {index} is out of range: this trace has {n} frames, so valid "
                             f"indices are 0..{n - 1} (or -{n}..-1 counting from the end)")
        return int(index) % n

    def phase_at(self, i: int) -> Phase:
        """The phase frame ``i`` (checked, non-negative) belongs to."""
        return next(phase for phase in self.phases if i <= phase.last)

    def phase(self, name: str) -> Phase:
        """The phase called ``name``; KeyError naming the phases this trace has if it does not run."""
        if name not in self.by_name:
            raise KeyError(f"this trace has no {name!r} phase; its phases are {list(self.by_name)}")
        return self.by_name[name]

    def done_in(self, name: str, applied: int) -> int:
        """How many frames of phase ``name`` the first ``applied`` frames include."""
        phase = self.by_name.get(name)
        return 0 if phase is None else min(max(applied - phase.first, 0), phase.count)
