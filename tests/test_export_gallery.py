"""`convviz export --gallery DIR`: every standard configuration in every phase is a GIF of the
expected frames (small: at most about 60 frames of 640×480), and index.html links and shows each
file, with its parameters, and nothing that is not there."""

from __future__ import annotations

import dataclasses
from html import escape
from html.parser import HTMLParser

import pytest
from export_helpers import read_gif

from convviz.cli import main
from convviz.data.picture import load_sample, working_image
from convviz.export.animation import build_for
from convviz.export.gallery import GALLERY, PHASES, SIZE
from convviz.export.options import caption_text, phase_frames

pytestmark = [pytest.mark.usefixtures("qapp"), pytest.mark.slow]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.images = [], []

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "a":
            self.hrefs.append(attributes["href"])
        if tag == "img":
            self.images.append(attributes["src"])


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gallery")
    assert main(["export", "--gallery", str(folder)]) == 0
    return folder


def expected_files():
    return [f"{entry.name}-{phase}.gif" for entry in GALLERY for phase in PHASES]


def test_the_gallery_has_every_configuration_in_every_phase_and_nothing_else(gallery):
    names = {entry.name for entry in GALLERY}
    assert {"no-padding", "padding", "same", "stride-2", "dilation-2", "groups-3", "depthwise"} == names
    assert sorted(p.name for p in gallery.iterdir()) == sorted(expected_files() + ["index.html"])


@pytest.mark.parametrize("entry", GALLERY, ids=[entry.name for entry in GALLERY])
def test_each_gif_has_the_frames_of_its_phase_at_the_gallery_size(gallery, entry):
    for phase in PHASES:
        spec = dataclasses.replace(entry.spec, mode="forward" if phase == "forward" else "backward")
        built = build_for(spec, working_image(load_sample(entry.sample), spec.size, spec.channels))
        frames, _ = read_gif(gallery / f"{entry.name}-{phase}.gif")
        assert len(frames) == len(phase_frames(built.trace, phase)) <= 60
        assert frames[0].shape == (SIZE[1], SIZE[0], 3)


def test_the_index_links_and_shows_every_file_with_its_parameters(gallery):
    page = (gallery / "index.html").read_text(encoding="utf-8")
    links = Links()
    links.feed(page)
    assert links.hrefs == expected_files() and links.images == expected_files()
    assert all((gallery / link).is_file() for link in links.hrefs)
    for entry in GALLERY:
        assert escape(caption_text(entry.spec)) in page and escape(entry.title) in page
