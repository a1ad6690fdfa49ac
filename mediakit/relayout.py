"""Laying a layered picture out again for another frame: the 9:16 or 1:1 master of a
storyboard whose pictures were drawn for 16:9 (or any other pair of aspects).

A picture drawn in layers (spec.SceneLayers: a background without the hero, and the hero
with its shadow) is recomposed, not cropped: the background covers the new frame (a sky,
hills or a wall lose only their edges) and the hero is placed again, sized for the frame
and standing where it stood on the ground, but always inside the title-safe sides and
above the band the captions take (two lines from ~66 % of a tall frame's height, ~76 % of
a wide or square one: mediakit.caption_images' margins, the numbers frame_drawing lays its
own heroes out by). A flat picture (a photo, an upload) needs nothing here: the render
covers the frame with it (render.fit_still).

Pillow only, local files in and out; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from mediakit.spec import SceneLayers

__all__ = ["HeroBox", "hero_box", "relayout_layers"]

# The hero's feet (the bottom of its box, contact shadow included) stay above this much of
# the frame's height, clear of two lines of bottom captions (caption_images.PORTRAIT_BOTTOM
# and LANDSCAPE_BOTTOM plus two lines).
FEET_LIMIT_PORTRAIT = 0.66
FEET_LIMIT_WIDE = 0.76
# Title-safe sides and top (builder.TITLE_SAFE_MARGIN, 5 %) once a zooming scene's Ken Burns
# move (to 1.1x, centred) has carried the edges out: 0.5 - 0.45 / 1.1 = 9 %.
SIDE_MARGIN = 0.09
TOP_MARGIN = 0.09
# frame_drawing sizes its hero at 0.6 of a tall frame's short side, 0.5 of any other's.
HERO_SHARE_PORTRAIT = 0.6
HERO_SHARE_WIDE = 0.5


def _portrait(width: int, height: int) -> bool:
    return height > width * 1.15  # frame_drawing's own test


@dataclass(frozen=True)
class HeroBox:
    """Where the hero goes in a width x height frame: its box in frame pixels."""

    x: int
    y: int
    width: int
    height: int


def _cover(src_w: int, src_h: int, width: int, height: int) -> tuple[float, float, float]:
    """(scale, left, top): a src_w x src_h picture scaled to cover width x height, centred;
    left and top are the cut-off part, in the scaled picture's pixels."""
    scale = max(width / src_w, height / src_h)
    return scale, (src_w * scale - width) / 2, (src_h * scale - height) / 2


def hero_box(layers: SceneLayers, width: int, height: int) -> HeroBox:
    """The hero of `layers` laid out for a width x height frame (pure arithmetic).

    Size: the same share of the frame's short side as in its own picture, adjusted as
    frame_drawing sizes heroes (larger in a tall frame), then shrunk to fit between the
    safe sides and between the safe top and the caption band. Place: horizontally half as
    far from the middle (as a share of the width) as it was, inside the safe sides; its feet on the same ground line of the covered background, raised above the
    caption band when that line is lower."""
    src_w, src_h = layers.picture_width, layers.picture_height
    share = (HERO_SHARE_PORTRAIT if _portrait(width, height) else HERO_SHARE_WIDE) / (
        HERO_SHARE_PORTRAIT if _portrait(src_w, src_h) else HERO_SHARE_WIDE
    )
    scale = min(width, height) / min(src_w, src_h) * share
    bg_scale, _left, top = _cover(src_w, src_h, width, height)
    feet_limit = round(height * (FEET_LIMIT_PORTRAIT if _portrait(width, height) else FEET_LIMIT_WIDE))
    feet = min(round((layers.hero_y + layers.hero_height) * bg_scale - top), feet_limit)
    top_limit = round(height * TOP_MARGIN)
    side = round(width * SIDE_MARGIN)
    scale = min(
        scale,
        (width - 2 * side) / layers.hero_width,
        max(feet - top_limit, 2) / layers.hero_height,
    )
    box_w = max(2, round(layers.hero_width * scale))
    box_h = max(2, round(layers.hero_height * scale))
    feet = max(feet, top_limit + box_h)
    offset = (layers.hero_x + layers.hero_width / 2 - src_w / 2) / src_w
    centre = width / 2 + offset * width / 2
    x = round(min(max(centre - box_w / 2, side), width - side - box_w))
    return HeroBox(x=x, y=feet - box_h, width=box_w, height=box_h)


def relayout_layers(
    layers: SceneLayers, *, width: int, height: int, out_dir: Path, prefix: str
) -> tuple[str, SceneLayers]:
    """The picture of `layers` recomposed for a width x height frame: (the composite
    picture's path, the new layers), written in out_dir as PREFIX-*.png. The hero (and its
    count-up steps) is resampled to its new box: the builder draws a hero at its picture's
    scale, so the file must be the box's size."""
    box = hero_box(layers, width, height)
    out_dir.mkdir(parents=True, exist_ok=True)
    with Image.open(layers.background) as opened:
        background = ImageOps.fit(opened.convert("RGB"), (width, height), Image.Resampling.BICUBIC)
    background_path = out_dir / f"{prefix}-background.png"
    background.save(background_path, format="PNG", compress_level=1)

    def resized(path: str, name: str) -> tuple[str, Image.Image]:
        with Image.open(path) as opened:
            image = opened.convert("RGBA").resize((box.width, box.height), Image.Resampling.LANCZOS)
        target = out_dir / f"{prefix}-{name}.png"
        image.save(target, format="PNG", compress_level=1)
        return str(target), image

    hero_path, hero = resized(layers.hero, "hero")
    steps = tuple(resized(step, f"step-{index:02d}")[0] for index, step in enumerate(layers.hero_steps))
    composite = background.convert("RGBA")
    composite.alpha_composite(hero, (box.x, box.y))
    picture_path = out_dir / f"{prefix}-picture.png"
    composite.convert("RGB").save(picture_path, format="PNG", compress_level=1)
    return str(picture_path), SceneLayers(
        background=str(background_path),
        hero=hero_path,
        hero_x=box.x,
        hero_y=box.y,
        hero_width=box.width,
        hero_height=box.height,
        picture_width=width,
        picture_height=height,
        hero_steps=steps,
    )
