"""A caption is drawn once per folder: the same words, size and look asked for again (a phrase
said in two scenes) reuse the first drawing; anything that changes the image draws anew."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from mediakit.caption_images import KEPT_CAPTIONS_DIR, CaptionLook, render_caption_png, render_phrase_pngs


def test_a_phrase_said_in_two_scenes_is_drawn_once(tmp_path: Path) -> None:
    first = render_phrase_pngs(
        ["The tide came in.", "The gulls came back."],
        width=640,
        height=360,
        style="classic",
        out_dir=tmp_path,
        prefix="scene-001",
    )
    second = render_phrase_pngs(
        ["The tide came in.", "Night fell."],
        width=640,
        height=360,
        style="classic",
        out_dir=tmp_path,
        prefix="scene-002",
    )
    assert os.path.samefile(first[0], second[0])
    assert not os.path.samefile(first[1], second[1])
    # Three captions, three drawings; each file a whole PNG.
    assert len(list((tmp_path / KEPT_CAPTIONS_DIR).glob("*.png"))) == 3
    assert not list((tmp_path / KEPT_CAPTIONS_DIR).glob(".*"))
    for path in (*first, *second):
        with Image.open(path) as image:
            image.load()
            assert image.mode == "RGBA" and 0 < image.width <= 640 and 0 < image.height <= 360


@pytest.mark.parametrize(
    "change",
    [
        {"text": "The tide came in!"},
        {"width": 854, "height": 480},
        {"style": "boxed"},
        {"highlight": 1},
        {"caption_look": CaptionLook(color="#ff0000")},
    ],
)
def test_anything_that_changes_the_image_draws_it_again(tmp_path: Path, change: dict) -> None:
    base = {"text": "The tide came in.", "width": 640, "height": 360, "style": "classic"}
    size = render_caption_png(**base, out_path=tmp_path / "a.png")
    changed_size = render_caption_png(**{**base, **change}, out_path=tmp_path / "b.png")
    assert not os.path.samefile(tmp_path / "a.png", tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() != (tmp_path / "b.png").read_bytes()
    again = render_caption_png(**base, out_path=tmp_path / "c.png")
    assert os.path.samefile(tmp_path / "a.png", tmp_path / "c.png") and again == size
    with Image.open(tmp_path / "b.png") as image:
        assert image.size == changed_size


def test_a_caption_with_no_words_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "captions"
    folder.mkdir()
    with pytest.raises(ValueError, match="empty"):
        render_caption_png("  ", width=640, height=360, style="classic", out_path=folder / "a.png")
    assert list(folder.iterdir()) == []
