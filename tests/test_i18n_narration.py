"""The trace's words in Simplified Chinese (convviz.qt.narration_zh and its pooling and transposed
parts): every English function replaced by one with the same parameters, swapped in and out by the
language, no English left in any operation's explanations and captions, the same numbers said."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest

from convviz.qt import i18n, narration_zh, narration_zh_pooling, narration_zh_transposed
from convviz.state.spec import ConvSpec
from convviz.trace import narration, pooling_narration, transposed_narration
from i18n_walk import english_words
from test_i18n import ALL_PHASES, AVG_POOL, MAX_POOL, OTHER_MODES, TRANSPOSED, TRANSPOSED_DIRECT

# Each English module, its Chinese one, and its functions that write no sentence (names of arrays,
# number formats; unit: its strings are translated by tr() in the scene).
NARRATIONS = [(narration, narration_zh, {"size", "count", "number", "plural", "every", "unit"}),
              (pooling_narration, narration_zh_pooling, {"element_name", "pixel_name", "unit"}),
              (transposed_narration, narration_zh_transposed, {"unit"})]


@pytest.mark.parametrize("english, chinese_words, helpers", NARRATIONS, ids=lambda m: getattr(m, "__name__", ""))
def test_the_chinese_narration_replaces_every_english_line_with_the_same_parameters(english, chinese_words, helpers):
    words = {name for name, f in inspect.getmembers(english, inspect.isfunction)
             if f.__module__ == english.__name__ and not name.startswith("_")}
    assert words - helpers == set(chinese_words.REPLACED)
    for name in chinese_words.REPLACED:
        assert (inspect.signature(getattr(chinese_words, name)).parameters.keys()
                == inspect.signature(chinese_words.ENGLISH[name]).parameters.keys()), name


def test_use_swaps_every_module_and_restore_puts_the_english_back(qapp):
    try:
        i18n.install("zh_CN")
        for english, chinese_words, _ in NARRATIONS:
            assert all(getattr(english, name) is getattr(chinese_words, name) for name in chinese_words.REPLACED)
    finally:
        i18n.uninstall()
    for english, chinese_words, _ in NARRATIONS:
        assert all(getattr(english, name) is chinese_words.ENGLISH[name] for name in chinese_words.REPLACED)


def trace_words(spec: ConvSpec) -> list[str]:
    """Every line of words the trace of ``spec`` (any operation, either road) and its build put on screen."""
    from convviz.data.picture import load_sample, working_image
    from convviz.state.build import make_built

    built = make_built(spec, working_image(load_sample("shapes"), spec.size, spec.channels))
    trace = built.trace
    return ([phase.explanation for phase in trace.phases] + [trace[i].caption for i in range(len(trace))]
            + ([built.note] if built.note else []))


def test_traces_built_in_chinese_speak_chinese_and_english_again_after(qapp):
    per_tap = dataclasses.replace(ALL_PHASES, granularity="tap", size=6)
    specs = (ALL_PHASES, per_tap, dataclasses.replace(ALL_PHASES, padding_mode="zeros"), *OTHER_MODES.values(),
             dataclasses.replace(AVG_POOL, count_include_pad=True, ceil_mode=True, stride=(2, 2)),
             dataclasses.replace(MAX_POOL, padding=(0, 0), dilation=(2, 2), ceil_mode=False),
             dataclasses.replace(TRANSPOSED, padding=(0, 0), output_padding=(0, 0), bias=False, stride=(1, 1)))
    try:
        i18n.install("zh_CN")
        for spec in specs:
            lines = trace_words(spec)
            english = {line for line in lines if english_words(line)}
            assert english == set() and all(re.search(r"[\u4e00-\u9fff]", line) for line in lines), spec
    finally:
        i18n.uninstall()
    assert trace_words(ALL_PHASES)[0].startswith("Pad with 1 row above")
    assert trace_words(MAX_POOL)[0].startswith("Slide the 3×3 window")
    assert trace_words(TRANSPOSED)[0].startswith("Scatter: each of the")
    assert trace_words(TRANSPOSED_DIRECT)[-1].startswith("The transposed convolution as a direct convolution")


def test_the_chinese_captions_say_the_same_numbers_as_the_english(qapp):
    """Every number of every English line (phase explanations, frame captions) of a pooling or a
    transposed convolution is in its Chinese line. (The convolution's dilation line says "every 2nd
    row" as "每隔 1 行": same meaning, other numbers.)"""
    specs = (*OTHER_MODES.values(), dataclasses.replace(AVG_POOL, count_include_pad=True, ceil_mode=True),
             dataclasses.replace(MAX_POOL, dilation=(2, 2), padding=(0, 0)))
    english = [line for spec in specs for line in trace_words(spec)]
    try:
        i18n.install("zh_CN")
        chinese = [line for spec in specs for line in trace_words(spec)]
    finally:
        i18n.uninstall()
    assert len(english) == len(chinese)
    numbers = re.compile(r"-?\d+(?:[.,]\d+)*")
    for in_english, in_chinese in zip(english, chinese):
        assert sorted(numbers.findall(in_english)) == sorted(numbers.findall(in_chinese)), (in_english, in_chinese)
