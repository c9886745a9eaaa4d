"""Saved scenes: round trip, every refusal (the state is kept), and every shipped lesson opens."""

from __future__ import annotations

import dataclasses
import json

import pytest

from convviz.data.picture import load_sample, working_image
from convviz.state.build import make_built, problems
from convviz.state.scene_file import (SavedScene, SceneError, VERSION, lesson_paths, read_scene, write_scene)
from convviz.state.spec import ConvSpec


def test_a_scene_round_trips_every_field(tmp_path):
    spec = dataclasses.replace(ConvSpec(), mode="backward", stride=(2, 1), padding="valid", groups=1,
                               weight_edits=(((0, 0, 1, 2), -3.5),), bias=True, bias_value=0.5)
    scene = SavedScene(spec, frame=17, panel="roads", title={"en": "T"}, text={"en": "x", "zh_CN": "说明"})
    path = write_scene(tmp_path / "s.json", scene)
    assert read_scene(path) == scene
    assert list(tmp_path.iterdir()) == [path]  # the temporary file is gone


def test_a_relative_picture_is_found_next_to_the_scene(tmp_path):
    write_scene(tmp_path / "s.json", SavedScene(dataclasses.replace(ConvSpec(), image="photo.png")))
    assert read_scene(tmp_path / "s.json").spec.image == str((tmp_path / "photo.png").resolve())


@pytest.mark.parametrize("content, message", [
    ("{", "not valid JSON"),
    ("[1, 2]", "not a convviz scene"),
    ('{"format": "something else", "version": 1}', "not a convviz scene"),
    (json.dumps({"format": "convviz-scene", "version": VERSION + 1}), "saved by a newer convviz"),
    (json.dumps({"format": "convviz-scene", "version": "one"}), "version must be a positive integer"),
    (json.dumps({"format": "convviz-scene", "version": 1, "spec": {"stride": [0, 1]}}), "stride must be"),
    (json.dumps({"format": "convviz-scene", "version": 1, "frame": -2}), "frame must be"),
    (json.dumps({"format": "convviz-scene", "version": 1, "panel": "nope"}), "panel must be one of"),
    (json.dumps({"format": "convviz-scene", "version": 1, "text": {"en": 3}}), "'text' must map"),
])
def test_a_broken_or_newer_scene_is_refused_with_its_reason(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SceneError, match=message) as caught:
        read_scene(path)
    assert str(path) in str(caught.value)


def test_missing_binary_and_huge_files_are_refused(tmp_path):
    with pytest.raises(SceneError, match="No such file"):
        read_scene(tmp_path / "missing.json")
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SceneError, match="cannot open scene"):
        read_scene(tmp_path / "binary.json")
    (tmp_path / "huge.json").write_text(" " * (2 << 20))
    with pytest.raises(SceneError, match="more than a scene's"):
        read_scene(tmp_path / "huge.json")


def test_every_lesson_opens_runs_and_has_both_languages():
    paths = lesson_paths()
    assert len(paths) == 9
    for path in paths:
        lesson = read_scene(path)
        assert lesson.title_in("en") and lesson.title_in("zh_CN") != lesson.title_in("en")
        assert len(lesson.text_in("en")) > 100 and len(lesson.text_in("zh_CN")) > 50
        spec = lesson.spec
        image = working_image(load_sample(spec.image.split(":", 1)[1]), spec.size, spec.channels)
        assert problems(spec, *image.shape[1:]) == []
        trace = make_built(spec, image).trace
        assert lesson.frame < len(trace)
        assert lesson.panel is None or lesson.panel in ("groups", "im2col", "roads", "code")
