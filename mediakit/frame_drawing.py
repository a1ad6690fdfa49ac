"""Drawing an illustrated frame: a flat, layered scene (sky, hills or a skyline, a wall,
a ground, water or table plane, soft shadows) with the scene's artwork placed in it, and
no text at all, so captions never repeat on the picture.

What to draw is decided elsewhere (``mediakit.illustration``); this module only lays out
and paints. Deterministic: the same objects, palette and seed give the same pixels.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from PIL import Image, ImageDraw, ImageFilter

from .art_library import Artwork, artwork_image

__all__ = ["Frame", "Placed", "compose", "palette_for"]

RGB = tuple[int, int, int]
_Tint = Callable[[RGB], RGB]  # a colour under the scene's light


class Placed(Protocol):
    """What the layout needs to know of a thing it places."""

    @property
    def hexcode(self) -> str:
        """The emoji code for emoji artwork ("26F4"), else the artwork id."""

    @property
    def group(self) -> str:
        """Where it belongs, in CLDR's words: "objects", "food-drink", "travel-places"."""

    @property
    def subgroup(self) -> str:
        """ "transport-water", "animal-bird", "place-building", ..."""

    @property
    def about(self) -> str:
        """The sense of the scene's thing it stands for ("sun.n.01"), or ""."""

    @property
    def artwork(self) -> Artwork: ...


def _raster(pict: Placed, size: int) -> Image.Image | None:
    return artwork_image(pict.artwork, size)


@dataclass(frozen=True)
class _Palette:
    sky_top: RGB
    sky_bottom: RGB
    hill_far: RGB
    hill_near: RGB
    ground_top: RGB
    ground_bottom: RGB
    water_top: RGB
    water_bottom: RGB
    wall_top: RGB
    wall_bottom: RGB
    table_top: RGB
    table_front: RGB
    sun: RGB
    accent: RGB


def _hex(value: str) -> RGB:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


# Hand-picked flat-design families: a video's scenes all use one, chosen by the video.
_PALETTES = tuple(
    _Palette(*map(_hex, colours))
    for colours in (
        # sky top, sky bottom, far hill, near hill, ground top/bottom, water top/bottom,
        # wall top/bottom, table top/front, sun, accent
        (
            "#8fd3f4",
            "#e6f6fb",
            "#a8d8c8",
            "#7cc3a6",
            "#9fd89a",
            "#6fbf7a",
            "#4fa9d8",
            "#2f7fb8",
            "#f3e9dc",
            "#e7d5c0",
            "#c98f5e",
            "#a66f45",
            "#ffd166",
            "#ef476f",
        ),
        (
            "#a7c5eb",
            "#f4efe6",
            "#c8b6e2",
            "#9f8fcf",
            "#e9c46a",
            "#d4a24c",
            "#5aa9c9",
            "#3a7ca5",
            "#f6eee3",
            "#ead8c3",
            "#b5835a",
            "#8e6140",
            "#f9c74f",
            "#2a9d8f",
        ),
        (
            "#ffd6a5",
            "#fff3e2",
            "#f7b797",
            "#e48f72",
            "#c7d88a",
            "#98b869",
            "#62b6cb",
            "#1b7f9e",
            "#fdf0e0",
            "#f6dcc0",
            "#c0845a",
            "#94603c",
            "#ffb347",
            "#5e60ce",
        ),
        (
            "#b8e0d2",
            "#eaf4f4",
            "#95c8b8",
            "#6aa595",
            "#cfe3a6",
            "#a4c67a",
            "#69b4c6",
            "#3d8ca3",
            "#eef4ee",
            "#dbe7dc",
            "#b98b67",
            "#8f6547",
            "#ffe28a",
            "#f28482",
        ),
        (
            "#cdb4db",
            "#fdf1f6",
            "#c9b3e0",
            "#9fc9b4",
            "#b9e4c9",
            "#8fcfa6",
            "#7fb7e6",
            "#5089c6",
            "#f8eef5",
            "#eddbe7",
            "#b58a7a",
            "#8d6558",
            "#ffd97a",
            "#7b2cbf",
        ),
        (
            "#90caf9",
            "#e3f2fd",
            "#80cbc4",
            "#4db6ac",
            "#aed581",
            "#7cb342",
            "#4fc3f7",
            "#0288d1",
            "#eceff1",
            "#dfe4e8",
            "#a1887f",
            "#795548",
            "#fff176",
            "#ff7043",
        ),
    )
)

# Mood: sky top and bottom, and how the rest of the scene is dimmed and tinted for it.
_MOOD_SKIES: dict[str, tuple[RGB, RGB, float, RGB]] = {
    "dawn": (_hex("#7fa7d9"), _hex("#ffd3a8"), 0.12, _hex("#ffb38a")),
    "dusk": (_hex("#5b5ea6"), _hex("#ffa987"), 0.25, _hex("#ff8a65")),
    "night": (_hex("#141b3d"), _hex("#2f3f7a"), 0.55, _hex("#1b2450")),
    "storm": (_hex("#6b7a8f"), _hex("#b8c2cc"), 0.25, _hex("#7d8896")),
    "fog": (_hex("#c9d3dc"), _hex("#eef2f5"), 0.05, _hex("#dde4ea")),
    "rain": (_hex("#5f6f86"), _hex("#a9b6c6"), 0.2, _hex("#6e7c90")),
    "snow": (_hex("#a9bdd6"), _hex("#eef3f8"), 0.08, _hex("#c8d6e6")),
}


Palette = _Palette  # as other modules name it


def palette_for(palette_seed: str | int) -> _Palette:
    """A video's colours: one hand-picked family, chosen by the video."""
    key = hashlib.sha256(f"palette\0{palette_seed}".encode()).digest()
    return _PALETTES[int.from_bytes(key[:4], "big") % len(_PALETTES)]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _shade(colour: RGB, lightness: float) -> RGB:
    r, g, b = (c / 255 for c in colour)
    h, li, s = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(h, max(0.0, min(1.0, li + lightness)), s)
    return round(r * 255), round(g * 255), round(b * 255)


# --- rendering ----------------------------------------------------------------------------

# Shapes are drawn this many times larger and scaled down: Pillow's polygons have no
# anti-aliasing of their own.
_SUPERSAMPLE = 2
# Drawings of the sun (by the sense they stand for, or as emoji): the sky then has no other.
_SUN_SENSES = frozenset({"sun.n.01", "sunlight.n.01", "sun.n.02"})
_SUN_CODES = frozenset({"2600", "1F31E", "1F323", "1F324", "1F305", "1F304"})
# Subgroups that belong up in the sky, not standing on the ground.
_SKY_SUBGROUPS = frozenset({"sky-weather", "transport-air", "animal-bird"})
# Things that fly although CLDR files them elsewhere: a kite, a balloon, a parachute.
_FLYING = frozenset({"1FA81", "1F388", "1FA82"})
# Weather things that are objects, not sky: they stand or go in a badge.
_NOT_SKY = frozenset({"2602", "2614", "26F1", "1F4A7", "1F525", "1F30A", "1F321", "1F302", "26A1"})
# What can stand in each kind of scene; anything else is shown as a round badge floating
# in the sky, the way explainer videos show an idea next to the scene.
_LAND_SUBGROUPS = frozenset(
    {
        "animal-mammal",
        "animal-amphibian",
        "animal-reptile",
        "animal-bug",
        "plant-flower",
        "plant-other",
        "place-geographic",
        "place-building",
        "place-religious",
        "place-other",
        "place-map",
        "transport-ground",
        "person",
        "person-role",
        "person-activity",
        "person-sport",
        "person-resting",
        "family",
    }
)
_WATER_COMPATIBLE = frozenset({"transport-water", "animal-marine"})
# Things that stand for an idea better than they stand in a scene (an anchor for a port).
_EMBLEMS = frozenset({"2693"})
_WATER_CODES = frozenset({"1F30A", "1F3DD", "1F3D6"})  # water wave, desert island, beach
# Twemoji draws a strip of its own water under boats: in a sea of ours it would float.
_TWEMOJI_WATER = (0x55, 0xAC, 0xEE)
_BOATS = frozenset({"1F6A2", "26F4", "26F5", "1F6A4", "1F6E5", "1F6F6", "1F6F3"})
# Things that belong on a table indoors.
_INDOOR_GROUPS = frozenset({"food-drink", "objects"})


def compose(
    *,
    width: int,
    height: int,
    palette: _Palette,
    mood: str,
    scene: str,
    city: bool,
    objects: Sequence[Placed],
    rng: random.Random,
) -> Frame:
    """The frame: ``scene`` is "land", "water" or "indoor"; ``objects`` hero first."""
    ss = _SUPERSAMPLE if max(width, height) <= 2048 else 1
    W, H = width * ss, height * ss
    short = min(W, H)
    portrait = H > W * 1.15
    # The horizon sits a little below the middle; captions cover the bottom band, which
    # stays plain ground. The Ken Burns zoom (to 1.1x, centred) crops ~5% of each edge, so
    # everything that matters sits well inside.
    horizon = round(H * (0.58 if portrait else 0.6) + rng.uniform(-0.02, 0.02) * H)

    sky_top, sky_bottom, dim, tint = _MOOD_SKIES.get(mood, (palette.sky_top, palette.sky_bottom, 0.0, palette.sky_top))

    def tinted(colour: RGB) -> RGB:
        return _mix(colour, tint, dim) if dim else colour

    canvas = Image.new("RGBA", (W, H))
    draw = ImageDraw.Draw(canvas)
    # Objects: a hero large in the middle, up to three smaller companions further back.
    placements = _layout(objects, W=W, H=H, horizon=horizon, portrait=portrait, scene=scene, rng=rng)
    # The sky's sun, moon and clouds keep clear of what floats up there.
    busy = [
        (cx / W, (base if how != "ground" else base - size) / H)
        for _, (cx, base, size), how in placements
        if how != "ground"
    ]
    if scene == "indoor":
        _vertical_gradient(canvas, 0, horizon, tinted(palette.wall_top), tinted(palette.wall_bottom))
        _indoor_backdrop(canvas, palette, rng, horizon, tinted, (sky_top, sky_bottom), busy)
    else:
        _vertical_gradient(canvas, 0, horizon, sky_top, sky_bottom)
        # A sun drawn as the scene's subject is the sky's sun: not a second one beside it.
        own_sun = any(p.about in _SUN_SENSES or p.hexcode in _SUN_CODES for p in objects)
        _sky(canvas, palette, mood, rng, horizon, busy, draw_sun=not own_sun)
        if city and scene != "water":
            _skyline(canvas, palette, rng, horizon, tinted, lit=mood in ("night", "dusk"))
        else:
            _hills(canvas, palette, rng, horizon, tinted, scene)

    # The ground plane: land, water or a table top, lighter far away and darker near.
    if scene == "water":
        _vertical_gradient(canvas, horizon, H, tinted(palette.water_top), tinted(palette.water_bottom))
        for i in range(rng.randint(5, 8)):
            y = horizon + (H - horizon) * (0.12 + i * 0.13 + rng.uniform(-0.03, 0.03))
            x = rng.uniform(0.05, 0.85) * W
            length = rng.uniform(0.06, 0.16) * W
            thick = max(2, round(short * 0.006))
            colour = (*_shade(tinted(palette.water_top), 0.12), 150)
            draw.rounded_rectangle((x, y, x + length, y + thick), radius=thick / 2, fill=colour)
    elif scene == "indoor":
        top = tinted(palette.table_top)
        _vertical_gradient(canvas, horizon, H, _shade(top, 0.06), _shade(top, -0.06))
        draw.rectangle((0, horizon, W, horizon + max(2, short * 0.012)), fill=(*_shade(top, 0.14), 255))
    else:
        _vertical_gradient(canvas, horizon, H, tinted(palette.ground_top), tinted(palette.ground_bottom))

    if scene == "indoor":
        # A rug under the group ties the things on the floor together.
        grounded = [(cx, size) for _, (cx, _, size), how in placements if how == "ground"]
        left = min(cx - size / 2 for cx, size in grounded)
        right = max(cx + size / 2 for cx, size in grounded)
        rug_y = max(base for _, (_, base, _), how in placements if how == "ground")
        rug_h = (H - horizon) * 0.3
        pad = short * 0.08
        rug = Image.new("RGBA", (W, H), (0, 0, 0, 0))
        ImageDraw.Draw(rug).ellipse(
            (left - pad, rug_y - rug_h * 0.62, right + pad, rug_y + rug_h * 0.38),
            fill=(*_shade(palette.accent, 0.1), 70),
        )
        canvas = Image.alpha_composite(canvas, rug)
    # The hero (the first object, unless it is a badge) is drawn on a layer of its own, with
    # its contact shadow, so a render can move it apart from the scene (parallax, entrance).
    hero = objects[0]
    hero_canvas = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    shadows = Image.new("L", (max(1, W // 8), max(1, H // 8)), 0)
    hero_shadows = Image.new("L", shadows.size, 0)
    for pict, (cx, base, size), how in placements:
        if how == "ground":
            shadow_draw = ImageDraw.Draw(hero_shadows if pict is hero else shadows)
            sw, sh = size * 0.78, size * 0.11
            shadow_draw.ellipse(
                ((cx - sw / 2) / 8, (base - sh / 2) / 8, (cx + sw / 2) / 8, (base + sh / 2) / 8),
                fill=90 if scene != "water" else 60,
            )
    blur = ImageFilter.GaussianBlur(max(1.0, short / 8 * 0.012))
    _composite_shadow(canvas, shadows.filter(blur))
    _composite_shadow(hero_canvas, hero_shadows.filter(blur))

    # Badges are drawn shapes, anti-aliased by the scaling down, as the backdrop is.
    for pict, (cx, base, size), how in placements:
        if how == "badge":
            _badge(canvas, pict, cx, base, size, palette, mood, tint)
    background = canvas.convert("RGB")
    if ss != 1:
        # Each frame pixel the mean of the ss x ss it was drawn as (9 ms at 1080p; LANCZOS
        # took 87 ms for the same look: smooth gradients and shape edges, compared at 2x).
        if (W, H) == (width * ss, height * ss):
            background = background.reduce(ss)
        else:
            background = background.resize((width, height), Image.Resampling.LANCZOS)
    # The artwork is drawn at the frame's own size, onto the scaled-down backdrop: resvg
    # anti-aliases it already, and drawing it twice as large to scale it down took four
    # times the rasterising (a Fluent emoji hero: 230 ms) for the same picture.
    scene_layer = background.convert("RGBA")
    hero_layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    shadow, shadow_at = _downscaled_drawn_part(hero_canvas, ss)
    if shadow is not None:
        hero_layer.alpha_composite(shadow, shadow_at)
    frame_short = min(width, height)
    for pict, (cx, base, size), how in placements:
        if how == "badge":
            continue
        layer = hero_layer if pict is hero else scene_layer
        art = _raster(pict, max(1, round(size / ss)))
        if art is None:
            continue
        if scene == "water" and how == "ground" and pict.hexcode in _BOATS:
            art = _without_twemoji_water(art)
            box = art.getchannel("A").getbbox()
            if box is not None:
                art = art.crop(box)  # so the hull, not the cut-away water, meets the sea
        if mood in ("night", "dusk", "storm"):
            art = _dimmed(art, 0.14 if mood == "night" else 0.08, tint)
        x = round(cx / ss - art.width / 2)
        # Grounded things stand with their feet a little below the base line; in water they
        # sink a little, as a hull does.
        if how == "ground":
            y = round(base / ss - art.height * (0.86 if scene == "water" else 0.97))
        else:
            y = round(base / ss)
            _soft_drop(layer, art, x, y, frame_short)
        _composite_at(layer, art, x, y)
        if how == "ground" and scene == "water":
            # A line of foam where the thing meets the water: it floats in the sea, not on it.
            foam_thick = max(1.5, frame_short * 0.012)
            foam_y = y + art.height - foam_thick * 0.7
            _foam(
                layer,
                (x - art.width * 0.06, foam_y, x + art.width * 1.06, foam_y + foam_thick),
                (*_shade(tinted(palette.water_top), 0.18), 235),
                max(ss, 2),
            )

    # A gentle vignette gives the frame a focus and hides the flat edges.
    background = _vignette(scene_layer.convert("RGB"))
    image = background.convert("RGBA")
    image.alpha_composite(hero_layer)
    box = hero_layer.getchannel("A").getbbox()
    return Frame(
        image=image.convert("RGB"),
        background=background,
        hero=hero_layer.crop(box) if box else None,
        hero_at=(box[0], box[1]) if box else (0, 0),
    )


def _composite_at(layer: Image.Image, art: Image.Image, x: int, y: int) -> None:
    """art composited onto layer at (x, y), whatever of it falls outside cut off."""
    left, top = max(0, -x), max(0, -y)
    right, bottom = min(art.width, layer.width - x), min(art.height, layer.height - y)
    if right <= left or bottom <= top:
        return
    if (left, top, right, bottom) != (0, 0, art.width, art.height):
        art = art.crop((left, top, right, bottom))
    layer.alpha_composite(art, (x + left, y + top))


def _foam(layer: Image.Image, box: tuple[float, float, float, float], fill: tuple[int, ...], ss: int) -> None:
    """A rounded bar, drawn ss times larger and scaled down (Pillow draws shapes without
    anti-aliasing), composited onto layer."""
    x0, y0 = math.floor(box[0]), math.floor(box[1])
    x1, y1 = math.ceil(box[2]), math.ceil(box[3])
    patch = Image.new("RGBA", ((x1 - x0) * ss, (y1 - y0) * ss), (0, 0, 0, 0))
    ImageDraw.Draw(patch).rounded_rectangle(
        ((box[0] - x0) * ss, (box[1] - y0) * ss, (box[2] - x0) * ss, (box[3] - y0) * ss),
        radius=(box[3] - box[1]) * ss / 2,
        fill=fill,
    )
    _composite_at(layer, patch.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS), x0, y0)


_SHADOW_RGB = (20, 24, 40)


def _composite_shadow(canvas: Image.Image, mask: Image.Image) -> None:
    """The blurred shadow mask, scaled up to the canvas (bilinear), composited in place in
    the shadow colour: only round the shadows, not over the whole canvas (two 3840x2160
    scalings and composites per frame, 70 ms). The same pixels: the margin keeps every
    scaled pixel whose taps reach a shadow inside the part scaled."""
    box = mask.getbbox()
    if box is None:
        return
    pad = 2  # mask pixels: bilinear reaches one
    left, top = max(0, box[0] - pad), max(0, box[1] - pad)
    right, bottom = min(mask.width, box[2] + pad), min(mask.height, box[3] + pad)
    # The whole mask scales to the canvas's size, which need not be 8 times its own exactly.
    sx, sy = canvas.width / mask.width, canvas.height / mask.height
    x0, y0 = math.floor(left * sx), math.floor(top * sy)
    x1, y1 = min(canvas.width, math.ceil(right * sx)), min(canvas.height, math.ceil(bottom * sy))
    # Pillow's resize box: the same source coordinates the whole scaling gives these pixels.
    alpha = mask.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR, box=(x0 / sx, y0 / sy, x1 / sx, y1 / sy))
    layer = Image.new("RGBA", alpha.size, (*_SHADOW_RGB, 0))
    layer.putalpha(alpha)
    canvas.alpha_composite(layer, (x0, y0))


# Output pixels of margin round the hero's drawn part before it is scaled down: more than
# LANCZOS reaches (3), so no pixel near the edge of the part has its taps cut short.
_DRAWN_PART_PAD = 8


def _downscaled_drawn_part(layer: Image.Image, ss: int) -> tuple[Image.Image | None, tuple[int, int]]:
    """The layer's drawn part (alpha above 0), scaled down ss times as the whole layer
    would be (LANCZOS), and where it sits in the scaled frame; (None, (0, 0)) when nothing
    is drawn. Only the part round the hero is scaled: the whole transparent canvas took
    140 ms a frame at 1080p."""
    box = layer.getchannel("A").getbbox()
    if box is None:
        return None, (0, 0)
    if ss != 1:
        pad = _DRAWN_PART_PAD * ss
        left, top = max(0, (box[0] - pad) // ss), max(0, (box[1] - pad) // ss)
        right = min(layer.width // ss, -(-(box[2] + pad) // ss))
        bottom = min(layer.height // ss, -(-(box[3] + pad) // ss))
        part = layer.crop((left * ss, top * ss, right * ss, bottom * ss))
        layer = part.resize((right - left, bottom - top), Image.Resampling.LANCZOS)
        inner = layer.getchannel("A").getbbox()
        if inner is None:
            return None, (0, 0)
        return layer.crop(inner), (left + inner[0], top + inner[1])
    return layer.crop(box), (box[0], box[1])


def _layout(
    objects: Sequence[Placed],
    *,
    W: int,
    H: int,
    horizon: int,
    portrait: bool,
    scene: str,
    rng: random.Random,
) -> list[tuple[Placed, tuple[float, float, float], str]]:
    """Centre x, base y (or top y for floating things) and size of each object, back to
    front, and how it is drawn: "ground" (standing, with a contact shadow), "sky" (flying,
    with a drop shadow) or "badge" (inside a floating disc)."""
    short = min(W, H)
    hero_size = short * (0.6 if portrait else 0.5) * rng.uniform(0.94, 1.04)
    out: list[tuple[Placed, tuple[float, float, float], str]] = []
    hero = objects[0]

    def kind(p: Placed) -> str:
        if p.hexcode in _EMBLEMS or p.subgroup == "country-flag":
            return "badge"  # the hero too: a flag or an emblem does not stand on grass
        if scene == "water" and (p.subgroup in _WATER_COMPATIBLE or p.hexcode in _WATER_CODES):
            return "ground"
        flies = (p.subgroup in _SKY_SUBGROUPS and p.hexcode not in _NOT_SKY) or p.hexcode in _FLYING
        if flies and scene != "indoor":
            return "sky"
        if p is hero:
            return "ground"
        if scene == "indoor":
            return "ground" if p.group in _INDOOR_GROUPS | {"activities"} else "badge"
        if scene == "land" and p.subgroup in _LAND_SUBGROUPS:
            return "ground"
        return "badge"

    kinds = {p.hexcode: kind(p) for p in objects}
    ground = [p for p in objects if kinds[p.hexcode] == "ground"]
    sky = [p for p in objects if kinds[p.hexcode] == "sky"]
    hero_badge = kinds[hero.hexcode] == "badge"  # a flag or an emblem: a big disc in the middle
    badges = [p for p in objects if kinds[p.hexcode] == "badge" and p is not hero]
    hero_in_sky = hero in sky
    # The hero's feet stay above the caption band (two lines from ~78 % of a wide frame's
    # height, ~68 % of a tall one's, and the Ken Burns zoom carries them 10 % further from
    # the middle). Afloat, it sinks 14 % of its height below its line: the line rises to match.
    if portrait:
        hero_base = horizon + (H - horizon) * (0.0 if scene == "water" else 0.08)
    else:
        hero_base = horizon + (H - horizon) * (0.1 if scene == "water" else 0.2)
    side_first = rng.choice((-1, 1))

    # Companions stand beside the hero, a little further back (higher, smaller); a tall
    # frame has room for two beside it, the rest become badges.
    companions = [p for p in ground if p is not hero]
    room = 2 if portrait else 3
    badges += companions[room:]
    companions = companions[:room]
    placed: list[tuple[Placed, float, float, float]] = []  # (pictogram, x offset, base, size)
    gap = short * 0.04
    reach = {-1: hero_size / 2, 1: hero_size / 2}  # how far the group reaches on each side
    for index, pict in enumerate(companions):
        size = hero_size * rng.uniform(0.46, 0.54) * (1 - 0.1 * index) * (0.85 if portrait else 1.0)
        side = side_first if index % 2 == 0 else -side_first
        # In a tall frame they tuck in behind the hero's shoulders.
        overlap = size * 0.35 if portrait else -gap
        dx = side * (reach[side] + size / 2 - overlap)
        reach[side] = abs(dx) + size / 2
        depth = (0.16 if portrait else 0.08) + 0.05 * index
        placed.append((pict, dx, horizon + (H - horizon) * depth, size))
    # The whole group is centred, give or take a little: balance beats a rule of thirds here.
    shift = (reach[1] - reach[-1]) / -2
    if portrait:
        # A tall frame is narrow: the hero keeps to the middle, companions clamp to the edges.
        shift = max(-0.04 * W, min(0.04 * W, shift))
    centre = W / 2 + shift + rng.uniform(-0.025, 0.025) * W
    if hero_in_sky or hero_badge:
        centre = W / 2 + rng.uniform(-0.03, 0.03) * W
    hero_x = centre
    for pict, dx, base, size in placed:
        margin = size * 0.5 + W * 0.06
        x = min(max(centre + dx, margin), W - margin)
        out.append((pict, (x, base, size), "ground"))
    out.sort(key=lambda item: item[1][1])  # farther (higher) first

    # Badges float left and right of the hero's head, high enough to clear it.
    badge_size = short * (0.27 if portrait else 0.22)
    if portrait:
        badge_slots = [(0.27, 0.29), (0.73, 0.29), (0.5, 0.16)]
    else:
        badge_slots = [(0.2, 0.24), (0.8, 0.24), (0.5, 0.1)]
    if side_first < 0:
        badge_slots[0], badge_slots[1] = badge_slots[1], badge_slots[0]
    for index, pict in enumerate(badges[:3]):
        bx, by = badge_slots[index]
        out.append((pict, (W * bx, H * by + rng.uniform(-0.02, 0.02) * H, badge_size), "badge"))

    for index, pict in enumerate(p for p in sky if p is not hero or hero_in_sky):
        size = hero_size * (0.62 if pict is hero else 0.42)
        if pict is hero:
            x, top = hero_x, horizon - size - (horizon * 0.12)
        else:
            x = W * (0.22 if (index + side_first) % 2 else 0.78) + rng.uniform(-0.04, 0.04) * W
            top = horizon * rng.uniform(0.14, 0.26)
        top = max(top, H * 0.08)
        out.append((pict, (x, top, size), "sky"))

    if hero_badge:
        size = hero_size * 0.8
        out.append((hero, (hero_x, hero_base - size * 0.62, size), "badge"))
    elif not hero_in_sky:
        out.append((hero, (hero_x, hero_base, hero_size), "ground"))
    return out


def _vertical_gradient(canvas: Image.Image, top: int, bottom: int, a: RGB, b: RGB) -> None:
    height = max(1, bottom - top)
    ramp = Image.linear_gradient("L").resize((1, height), Image.Resampling.BILINEAR)
    band = Image.composite(Image.new("RGB", (1, height), b), Image.new("RGB", (1, height), a), ramp)
    canvas.paste(band.resize((canvas.width, height), Image.Resampling.NEAREST).convert("RGBA"), (0, top))


def _free_x(busy: list[tuple[float, float]], candidates: Iterable[float], rng: random.Random) -> float:
    """The candidate x (a fraction of the width) farthest from everything busy."""
    options = list(candidates)
    rng.shuffle(options)
    return max(options, key=lambda x: min((abs(x - bx) for bx, _ in busy), default=1.0))


def _sky(
    canvas: Image.Image,
    palette: _Palette,
    mood: str,
    rng: random.Random,
    horizon: int,
    busy: list[tuple[float, float]],
    *,
    draw_sun: bool = True,
) -> None:
    W, H = canvas.size
    short = min(W, H)
    draw = ImageDraw.Draw(canvas)
    if mood == "night":
        for _ in range(rng.randint(40, 60)):
            x, y = rng.uniform(0, W), rng.uniform(0, horizon * 0.85)
            r = short * rng.uniform(0.002, 0.005)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 250, 225, rng.randint(120, 230)))
        # A crescent moon: a disc with a sky-coloured disc bitten out of it.
        fx = _free_x(busy, (0.18, 0.82, 0.5), rng)
        mx, my, mr = W * fx, horizon * 0.3, short * 0.07
        if any(abs(fx - bx) < 0.12 for bx, _ in busy):
            mr = 0  # no clear sky for the moon: the stars say night well enough
        if not mr:
            return
        moon = Image.new("L", canvas.size, 0)
        moon_draw = ImageDraw.Draw(moon)
        moon_draw.ellipse((mx - mr, my - mr, mx + mr, my + mr), fill=255)
        moon_draw.ellipse((mx - mr * 0.45, my - mr * 1.15, mx + mr * 1.45, my + mr * 0.75), fill=0)
        _glow(canvas, (mx, my), mr * 2.2, (255, 244, 200), 50)
        canvas.paste((255, 244, 205, 255), (0, 0), moon)
        return
    # The sun: a flat disc with halo rings, low on the horizon at dawn and dusk.
    if mood in ("dawn", "dusk"):
        sx, sy, sr = W * rng.uniform(0.3, 0.7), horizon - short * 0.02, short * 0.16
        sun = _shade(palette.sun, 0.05) if mood == "dawn" else _hex("#ff9e5e")
    elif mood in ("storm", "fog", "rain", "snow"):
        sx, sy, sr, sun = 0, 0, 0, palette.sun
    else:
        fx = _free_x(busy, (0.16, 0.84, 0.5), rng)
        sx, sy, sr = W * fx, horizon * rng.uniform(0.22, 0.3), short * 0.075
        sun = palette.sun
        if any(abs(fx - bx) < 0.12 for bx, _ in busy):
            sr = 0  # no clear patch of sky: no sun rather than a sun behind something
    if not draw_sun:
        sr = 0
    if sr:
        _glow(canvas, (sx, sy), sr * 2.1, _shade(sun, 0.1), 110)
        draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(*sun, 255))
    # Flat clouds: rounded bars with bumps on top.
    cloud_colour = (120, 130, 145, 235) if mood in ("storm", "rain") else (255, 255, 255, 215)
    clouds = 4 if mood in ("storm", "rain", "snow") else rng.randint(2, 3)
    taken = [*busy, (sx / W, 0.0)] if sr else list(busy)
    for _ in range(clouds):
        cw = short * rng.uniform(0.2, 0.3)
        ch = cw * 0.26
        fx = _free_x(taken, (0.1, 0.3, 0.5, 0.7, 0.9), rng)
        if any(abs(fx - bx) < 0.15 for bx, _ in taken):
            break  # no clear patch of sky left: fewer clouds beat a cluttered sky
        taken.append((fx, 0.0))
        cx = W * (fx + rng.uniform(-0.04, 0.04))
        cy = horizon * rng.uniform(0.12, 0.4)
        _cloud(draw, cx, cy, cw, ch, cloud_colour)
    if mood == "snow":
        # Flakes: small soft dots all over the sky.
        for _ in range(90):
            x, y = rng.uniform(0, W), rng.uniform(horizon * 0.1, horizon)
            r = short * rng.uniform(0.003, 0.007)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 200))
    if mood in ("storm", "rain"):
        for _ in range(70):
            x, y = rng.uniform(0, W), rng.uniform(horizon * 0.3, horizon)
            length = short * 0.04
            draw.line(
                (x, y, x - length * 0.25, y + length), fill=(210, 220, 235, 120), width=max(1, round(short * 0.003))
            )


def _cloud(draw: ImageDraw.ImageDraw, cx: float, cy: float, cw: float, ch: float, fill: tuple[int, ...]) -> None:
    draw.rounded_rectangle((cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2), radius=ch / 2, fill=fill)
    for fx, fr in ((-0.18, 0.75), (0.12, 1.05)):
        r = ch * fr
        x = cx + cw * fx
        draw.ellipse((x - r, cy - r * 0.9 - ch * 0.1, x + r, cy + r * 1.1 - ch * 0.1), fill=fill)


def _hills(canvas: Image.Image, palette: _Palette, rng: random.Random, horizon: int, tinted: _Tint, scene: str) -> None:
    W, H = canvas.size
    draw = ImageDraw.Draw(canvas)
    layers: tuple[tuple[RGB, float, float], ...] = ((palette.hill_far, 0.2, 0.05), (palette.hill_near, 0.11, 0.0))
    if scene == "water":
        # A far coast: one low, flat-ish strip of land across the horizon.
        layers = ((palette.hill_far, 0.07, 0.0),)
    for colour, amplitude, lift in layers:
        phase1, phase2 = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
        freq1, freq2 = rng.uniform(0.8, 1.4), rng.uniform(2.0, 3.2)
        points: list[tuple[float, float]] = [(0, horizon + 1)]
        steps = 64
        for i in range(steps + 1):
            x = W * i / steps
            t = i / steps * math.tau
            wave = 0.6 * (1 + math.sin(t * freq1 + phase1)) / 2 + 0.4 * (1 + math.sin(t * freq2 + phase2)) / 2
            y = horizon - H * (lift + amplitude * (0.35 + 0.65 * wave))
            points.append((x, y))
        points.append((W, horizon + 1))
        draw.polygon(points, fill=(*tinted(colour), 255))


def _skyline(
    canvas: Image.Image, palette: _Palette, rng: random.Random, horizon: int, tinted: _Tint, *, lit: bool
) -> None:
    """Two rows of flat towers on the horizon, the far row paler: a city, not a field."""
    W, H = canvas.size
    short = min(W, H)
    draw = ImageDraw.Draw(canvas)
    far = _mix(tinted(palette.hill_far), tinted(palette.sky_bottom), 0.35)
    near = tinted(palette.hill_near)
    for colour, tallest, width_range, windows in ((far, 0.3, (0.05, 0.09), False), (near, 0.2, (0.06, 0.11), True)):
        x = -rng.uniform(0, 0.05) * W
        while x < W:
            bw = rng.uniform(*width_range) * short
            bh = rng.uniform(0.35, 1.0) * tallest * horizon
            top = horizon - bh
            draw.rectangle((x, top, x + bw - short * 0.006, horizon + 1), fill=(*colour, 255))
            if windows:
                glass = (255, 226, 150, 230) if lit else (*_shade(colour, 0.12), 255)
                step = short * 0.028
                wy = top + step
                while wy < horizon - step:
                    wx = x + step * 0.6
                    while wx < x + bw - step:
                        if rng.random() < (0.55 if lit else 0.8):
                            draw.rectangle((wx, wy, wx + step * 0.45, wy + step * 0.55), fill=glass)
                        wx += step
                    wy += step * 1.1
            x += bw


def _indoor_backdrop(
    canvas: Image.Image,
    palette: _Palette,
    rng: random.Random,
    horizon: int,
    tinted: _Tint,
    sky: tuple[RGB, RGB],
    busy: list[tuple[float, float]],
) -> None:
    W, H = canvas.size
    short = min(W, H)
    draw = ImageDraw.Draw(canvas)
    # A window with a bit of sky, and a large soft disc of accent colour: a room, not a void.
    ww, wh = short * 0.42, short * 0.34
    wx = W * _free_x(busy, (0.22, 0.78), rng) - ww / 2  # away from any badge
    wy = horizon - wh - short * 0.16
    frame = _shade(tinted(palette.wall_bottom), -0.08)
    draw.rounded_rectangle((wx, wy, wx + ww, wy + wh), radius=short * 0.02, fill=(*frame, 255))
    inset = short * 0.018
    sky_box = (round(wx + inset), round(wy + inset), round(wx + ww - inset), round(wy + wh - inset))
    window = Image.new("RGBA", (sky_box[2] - sky_box[0], sky_box[3] - sky_box[1]))
    _vertical_gradient(window, 0, window.height, *sky)  # the hour shows through the window
    canvas.paste(window, sky_box[:2])
    draw.rectangle(
        ((sky_box[0] + sky_box[2]) / 2 - inset / 3, sky_box[1], (sky_box[0] + sky_box[2]) / 2 + inset / 3, sky_box[3]),
        fill=(*frame, 255),
    )
    draw.rectangle(
        (sky_box[0], (sky_box[1] + sky_box[3]) / 2 - inset / 3, sky_box[2], (sky_box[1] + sky_box[3]) / 2 + inset / 3),
        fill=(*frame, 255),
    )
    _glow(canvas, (W * 0.5, horizon - short * 0.1), short * 0.55, palette.accent, 28)


def _glow(canvas: Image.Image, centre: tuple[float, float], radius: float, colour: RGB, alpha: int) -> None:
    """A soft disc of light or shade, drawn at an eighth of the size and blurred, only over
    the square it can reach (a full-frame layer per glow costs a third of a 1080p render)."""
    reach = radius * 1.6
    left, top = max(0, int(centre[0] - reach)), max(0, int(centre[1] - reach))
    right, bottom = min(canvas.width, int(centre[0] + reach) + 1), min(canvas.height, int(centre[1] + reach) + 1)
    if right <= left or bottom <= top:
        return
    w, h = right - left, bottom - top
    small = Image.new("L", (max(1, w // 8), max(1, h // 8)), 0)
    cx, cy, r = (centre[0] - left) / 8, (centre[1] - top) / 8, radius / 8
    ImageDraw.Draw(small).ellipse((cx - r, cy - r, cx + r, cy + r), fill=alpha)
    small = small.filter(ImageFilter.GaussianBlur(max(1.0, r * 0.35)))
    layer = Image.new("RGBA", (w, h), (*colour, 0))
    layer.putalpha(small.resize((w, h), Image.Resampling.BILINEAR))
    canvas.alpha_composite(layer, (left, top))


def _soft_drop(canvas: Image.Image, art: Image.Image, x: int, y: int, short: int) -> None:
    """A soft shadow of a floating thing's own silhouette, offset down and right (art, x, y
    and short in the frame's own pixels)."""
    factor = 2
    alpha = art.getchannel("A").resize((max(1, art.width // factor), max(1, art.height // factor)))
    alpha = alpha.point(lambda v: v * 0.22)
    pad = 6
    padded = Image.new("L", (alpha.width + 2 * pad, alpha.height + 2 * pad), 0)
    padded.paste(alpha, (pad, pad))
    padded = padded.filter(ImageFilter.GaussianBlur(2))
    padded = padded.resize((padded.width * factor, padded.height * factor), Image.Resampling.BILINEAR)
    shadow = Image.new("RGBA", padded.size, (20, 24, 40, 0))
    shadow.putalpha(padded)
    offset = round(short * 0.015)
    _composite_at(canvas, shadow, x - pad * factor + offset, y - pad * factor + offset)


def _badge(
    canvas: Image.Image,
    pict: Placed,
    cx: float,
    cy: float,
    size: float,
    palette: _Palette,
    mood: str,
    tint: RGB,
) -> None:
    """A pictogram in a light disc with a soft shadow: an idea beside the scene."""
    W, H = canvas.size
    r = size / 2
    _glow(canvas, (cx + size * 0.03, cy + size * 0.06), r * 1.02, (20, 24, 40), 70)
    draw = ImageDraw.Draw(canvas)
    disc = (255, 255, 255) if mood not in ("night", "storm") else _mix((255, 255, 255), tint, 0.25)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*disc, 255))
    ring = max(2, round(size * 0.035))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(*palette.accent, 255), width=ring)
    art = _raster(pict, round(size * 0.56))
    if art is not None:
        canvas.alpha_composite(art, (round(cx - art.width / 2), round(cy - art.height / 2)))


def _without_twemoji_water(art: Image.Image) -> Image.Image:
    """The boat without the band of water Twemoji paints beneath it."""
    art = art.copy()
    pixels = art.load()
    assert pixels is not None
    w, h = art.size
    wr, wg, wb = _TWEMOJI_WATER
    for y in range(int(h * 0.55), h):
        for x in range(w):
            r, g, b, a = cast(tuple[int, int, int, int], pixels[x, y])
            if a and abs(r - wr) + abs(g - wg) + abs(b - wb) < 40:
                pixels[x, y] = (r, g, b, 0)
    return art


def _dimmed(art: Image.Image, amount: float, tint: RGB) -> Image.Image:
    overlay = Image.new("RGBA", art.size, (*tint, 0))
    overlay.putalpha(art.getchannel("A").point(lambda v: round(v * amount)))
    return Image.alpha_composite(art, overlay)


def _vignette(image: Image.Image) -> Image.Image:
    w, h = image.size
    mask = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    mask = mask.point(lambda v: max(0, min(255, (v - 150) * 0.5)))
    return Image.composite(Image.new("RGB", (w, h), (15, 20, 35)), image, mask)


@dataclass(frozen=True)
class Frame:
    """A drawn frame, whole and in layers: the scene without its hero, and the hero (with
    its shadow) cropped to what it covers, at ``hero_at`` in the frame."""

    image: Image.Image  # RGB, the whole frame
    background: Image.Image  # RGB, the frame without the hero
    hero: Image.Image | None  # RGBA; None when the hero is a badge drawn into the scene
    hero_at: tuple[int, int]
