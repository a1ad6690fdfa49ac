"""The brand on a render: logo sizing and placing, the cards drawn, and the builder's graph
for a storyboard with cards and a logo (asserted without running FFmpeg)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from mediakit import brand, builder
from mediakit.spec import LogoOverlay, SceneSpec, StoryboardSpec
from mediakit.timeline import group_pieces, plan


def _storyboard(*, logo: bool = True) -> StoryboardSpec:
    card = SceneSpec(
        picture="/in/intro.png", duration_ms=2500, narration=None, narration_ms=0, caption_text="", card=True
    )
    content = SceneSpec(
        picture="/in/scene.png", duration_ms=4000, narration="/in/voice.wav", narration_ms=3000, caption_text="Hello"
    )
    outro = replace(card, picture="/in/outro.png")
    return StoryboardSpec(
        scenes=(card, content, outro),
        width=854,
        height=480,
        fps=30,
        captions=False,
        logo=LogoOverlay(path="/in/logo.png", x=714, y=24) if logo else None,
    )


def _graph(spec: StoryboardSpec) -> str:
    timeline = plan(spec)
    (pieces,) = group_pieces(timeline, 10_000)
    return " ".join(builder.segment_argv(spec, timeline, pieces, "/out/segment.mp4"))


def test_a_card_holds_still_at_the_frame_size_while_a_scene_moves() -> None:
    spec = _storyboard()
    timeline = plan(spec)
    assert builder.scene_still_size(spec, timeline, 0) == (854, 480)
    assert builder.scene_still_size(spec, timeline, 1) != (854, 480)
    graph = _graph(spec)
    # The content scene pans or zooms; the cards' chains have neither.
    assert graph.count("zoompan") + graph.count("crop=854:480:exact=1") >= 1
    assert graph.count("/in/intro.png") == 1 and graph.count("/in/outro.png") == 1


def test_the_logo_is_drawn_over_the_scenes_but_not_the_cards() -> None:
    spec = _storyboard()
    graph = _graph(spec)
    assert graph.count("-i /in/logo.png") == 1
    # The content scene shows in three pieces (from the intro, its body, into the outro): one
    # logo overlay each, at the logo's place; the cards' own bodies have none.
    assert graph.count("format=yuv420:x=714:y=24") == 3
    assert "/in/logo.png" not in _graph(_storyboard(logo=False))


def test_the_logo_is_sized_from_the_frames_shorter_side_and_kept_in_proportion() -> None:
    assert brand.logo_size(400, 200, 1920, 1080, 20) == (216, 108)
    assert brand.logo_size(200, 400, 1080, 1920, 20) == (108, 216)


@pytest.mark.parametrize(
    ("corner", "expected"),
    [("top-left", (24, 24)), ("top-right", (854 - 100 - 24, 24)), ("bottom-right", (854 - 100 - 24, 480 - 50 - 24))],
)
def test_the_logo_sits_in_its_corner_inside_the_title_safe_margin(corner: str, expected: tuple[int, int]) -> None:
    assert brand.logo_position(corner, 854, 480, 100, 50) == expected


def test_in_9_16_the_logo_keeps_clear_of_the_apps_rows_and_buttons() -> None:
    # 12 % of 480 from the side (58 -> 58), 12 % of 854 from the top (102), 21 % from the bottom (180).
    assert brand.logo_position("top-right", 480, 854, 60, 30) == (480 - 60 - 58, 102)
    assert brand.logo_position("bottom-left", 480, 854, 60, 30) == (58, 854 - 30 - 180)


def test_an_unknown_corner_is_refused() -> None:
    with pytest.raises(ValueError, match="corner"):
        brand.logo_position("centre", 854, 480, 100, 50)


def test_the_prepared_logo_carries_its_opacity_in_its_alpha(tmp_path: Path) -> None:
    source = tmp_path / "logo.png"
    Image.new("RGBA", (300, 100), (255, 0, 0, 255)).save(source)
    size = brand.prepare_logo(
        source, frame_w=854, frame_h=480, size_percent=20, opacity=50, out_path=tmp_path / "o.png"
    )
    with Image.open(tmp_path / "o.png") as out:
        assert out.size == size == (96, 32)
        assert out.mode == "RGBA"
        assert 125 <= out.getpixel((48, 16))[3] <= 129


def test_a_card_is_drawn_in_its_colours_with_its_title(tmp_path: Path) -> None:
    card = brand.Card(title="Harbour Stories", line="Subscribe", duration_ms=2000, background="#0b1f3a")
    path = brand.draw_card(card, width=480, height=854, out_path=tmp_path / "card.png")
    with Image.open(path) as image:
        assert image.size == (480, 854)
        assert image.getpixel((5, 5)) == (11, 31, 58)
        # White letters of the title somewhere across the middle.
        middle = image.crop((0, 380, 480, 480)).getcolors(1 << 16)
        assert any(colour == (255, 255, 255) for _count, colour in middle)


def test_a_card_outside_its_limits_is_refused() -> None:
    with pytest.raises(ValueError, match="duration"):
        brand.Card(title="Hi", line="", duration_ms=brand.CARD_MS_MAX + 1)
