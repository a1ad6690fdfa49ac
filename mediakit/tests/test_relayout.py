"""Laying a layered picture out again for another frame (mediakit.relayout)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from mediakit.relayout import FEET_LIMIT_PORTRAIT, FEET_LIMIT_WIDE, SIDE_MARGIN, hero_box, relayout_layers
from mediakit.spec import SceneLayers


def _layers(tmp_path: Path, *, size=(1280, 720), hero=(380, 150, 360, 420)) -> SceneLayers:
    """A sky-over-grass background and a red hero box at `hero` (x, y, w, h)."""
    width, height = size
    background = Image.new("RGB", size, (140, 200, 240))
    background.paste((120, 190, 110), (0, height * 6 // 10, width, height))
    background.save(tmp_path / "bg.png")
    x, y, w, h = hero
    Image.new("RGBA", (w, h), (220, 30, 30, 255)).save(tmp_path / "hero.png")
    return SceneLayers(
        background=str(tmp_path / "bg.png"),
        hero=str(tmp_path / "hero.png"),
        hero_x=x,
        hero_y=y,
        hero_width=w,
        hero_height=h,
        picture_width=width,
        picture_height=height,
    )


@pytest.mark.parametrize(
    ("width", "height", "feet_limit"), [(720, 1280, FEET_LIMIT_PORTRAIT), (720, 720, FEET_LIMIT_WIDE)]
)
def test_a_wide_pictures_hero_stays_whole_inside_the_sides_and_above_the_captions(tmp_path, width, height, feet_limit):
    # The hero stands low and off centre in 16:9: a centre crop to 9:16 would cut it in half.
    box = hero_box(_layers(tmp_path, hero=(700, 260, 420, 430)), width, height)
    side = round(width * SIDE_MARGIN)
    assert side <= box.x and box.x + box.width <= width - side
    assert box.y >= 0 and box.y + box.height <= round(height * feet_limit)
    # Its own proportions, and not shrunk to a speck.
    assert abs(box.width / box.height - 420 / 430) < 0.02
    assert box.height >= 0.3 * height * (720 / 1280 if height > width else 1)


def test_the_recomposed_picture_shows_the_hero_in_its_box_over_the_covered_background(tmp_path):
    layers = _layers(tmp_path)
    picture, relaid = relayout_layers(layers, width=480, height=854, out_dir=tmp_path / "out", prefix="s1")
    image = Image.open(picture).convert("RGB")
    assert image.size == (480, 854)
    assert (relaid.picture_width, relaid.picture_height) == (480, 854)
    assert Image.open(relaid.background).size == (480, 854)
    assert Image.open(relaid.hero).size == (relaid.hero_width, relaid.hero_height)
    centre = (relaid.hero_x + relaid.hero_width // 2, relaid.hero_y + relaid.hero_height // 2)
    assert image.getpixel(centre) == (220, 30, 30)
    # Outside the hero: the background, sky above and grass below the (kept) horizon.
    assert image.getpixel((5, 5)) == (140, 200, 240)
    assert image.getpixel((5, 850)) == (120, 190, 110)
