"""What a view reads from a trace without reaching inside: the traced arrays as read-only
properties in the caller's layout, the words from ``narration`` (replaceable without touching the
numbers), and the transposed road by every engine algorithm."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import convviz.trace

from convviz.nn.functional import ALGORITHMS, conv2d, pad2d
from convviz.trace import narration, trace_conv2d

RNG = np.random.default_rng(8)
KWARGS = dict(stride=(2, 1), padding=(1, 2), padding_mode="reflect", groups=2)


def arrays(batched: bool):
    shape = (2, 4, 6, 5) if batched else (4, 6, 5)
    x, w, b = RNG.standard_normal(shape), RNG.standard_normal((6, 2, 3, 2)), RNG.standard_normal(6)
    grad_output = RNG.standard_normal(conv2d(x, w, b, **KWARGS).shape)
    return x, w, b, grad_output


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_the_traced_arrays_are_read_only_copies_in_the_callers_layout(batched):
    x, w, b, grad_output = arrays(batched)
    trace = trace_conv2d(x, w, b, grad_output, **KWARGS)
    padded = pad2d(x if batched else x[None], trace.geometry.pads, "reflect")
    expected = {"input": x, "weight": w, "bias": b, "grad_output": grad_output,
                "output": conv2d(x, w, b, **KWARGS), "padded_input": padded if batched else padded[0]}
    kept = {name: value.copy() for name, value in expected.items()}
    for value in (x, w, b, grad_output):
        value[...] = 0  # the caller reuses its arrays; the trace keeps its own
    for name, value in kept.items():
        shown = getattr(trace, name)
        assert shown.shape == value.shape and shown.dtype == value.dtype, name
        np.testing.assert_array_equal(shown, value, err_msg=name)
        assert not shown.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            shown[(0,) * shown.ndim] = 1.0
        with pytest.raises(AttributeError):
            setattr(trace, name, None)
    np.testing.assert_array_equal(trace.output, trace.state(trace.phase("slide").last)["output"])


def test_without_bias_or_backward_those_properties_are_none():
    x, w, _, _ = arrays(True)
    trace = trace_conv2d(x, w, **KWARGS)
    assert trace.bias is None and trace.grad_output is None and not trace.has_backward
    for name in ("geometry", "granularity", "has_backward", "taps_per_window", "unbatched"):
        with pytest.raises(AttributeError):
            setattr(trace, name, None)


def test_captions_and_explanations_come_from_narration(monkeypatch):
    """A view restyles the words by replacing narration's functions; the numbers stay the same."""
    x, w, b, grad_output = arrays(True)
    plain = trace_conv2d(x, w, b, grad_output, **KWARGS, granularity="tap")
    scatter, fold = plain.phase("scatter").first + 7, plain.phase("fold").first
    before = {index: plain[index] for index in (scatter, fold)}
    slide_explanation = plain.phase("slide").explanation
    monkeypatch.setattr(narration, "scatter_tap_caption",
                        lambda element, kernel_index, padded, channel, grad, weight, sent: f"{element} ← {sent:.2f}")
    monkeypatch.setattr(narration, "fold_caption", lambda row, cells, source_row: f"Zeile {row}")
    monkeypatch.setattr(narration, "weight_grad", lambda g: "Gewichte.")
    restyled = trace_conv2d(x, w, b, grad_output, **KWARGS, granularity="tap")
    assert restyled[scatter].caption == f"{restyled[scatter].element} ← {restyled[scatter].adds[0].amount[0]:.2f}"
    assert restyled[fold].caption == "Zeile 0"
    assert restyled.phase("weight_grad").explanation == "Gewichte."
    assert restyled.phase("slide").explanation == slide_explanation
    assert plain[fold].caption == "Zeile 0"  # captions are worded when a frame is built
    for index, frame in before.items():
        assert restyled[index].caption != frame.caption
        for new, old in zip(restyled[index].adds, frame.adds):
            np.testing.assert_array_equal(new.amount, old.amount)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_engine_algorithm_takes_the_transposed_road(algorithm):
    x, w, b, grad_output = arrays(True)
    roads = trace_conv2d(x, w, b, grad_output, **KWARGS).input_gradient_roads(algorithm)
    assert roads.agree
    np.testing.assert_allclose(roads.transposed, roads.scatter, rtol=1e-12, atol=1e-12)


def test_the_packages_example_runs_as_documented():
    """convviz.trace's docstring shows a trace and apply_frame replaying a frame: it must run."""
    result = doctest.testmod(convviz.trace)
    assert result.attempted >= 10 and result.failed == 0
