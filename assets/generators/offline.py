"""The offline title card: a picture that needs no network and costs nothing, the last
fallback behind the illustrations. (Offline narration, piper and espeak-ng alike, is
`assets.generators.piper` over `mediakit.speech`; procedural music is
`assets.generators.music_beds`.)

A card is deterministic: the same inputs give a byte-identical file, so its name is derived
from the inputs and a re-run (tasks are at-least-once) overwrites the file with itself. It
is written under a temporary name and renamed into place.
"""

from __future__ import annotations

import colorsys
import hashlib
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .base import GeneratedPicture, GenerationError
from .files import atomic_path, content_digest

__all__ = [
    "FONT_PATH",
    "CardPalette",
    "OfflinePictureProvider",
    "card_palette",
    "render_card",
]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
PICTURE_MIN_SIDE, PICTURE_MAX_SIDE = 16, 8192

# Rendering-style words say nothing about the scene, so they stay off the card.
_STYLE_WORDS = _word_set(
    """
    cinematic illustration illustrated photo photograph photorealistic realistic render
    rendering style styled art artwork digital painting concept detailed highly lighting
    4k 8k hd uhd high quality masterpiece trending artstation octane unreal engine
    """
)
_TITLE_STOPWORDS = _word_set(
    """
    a an and are as at be by for from in into is it its of on or over the their this to
    under was were with
    """
)
_TITLE_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_MAX_TITLE_WORDS = 6
_MAX_TITLE_LINES = 3
_MAX_TITLE_WORD_CHARS = 24
_TITLE_SEPARATOR = " · "
# The background and shapes are drawn this small, blurred, then scaled up: soft by design
# and far cheaper than drawing at full size.
_SKETCH_LONG_SIDE = 320


class OfflinePictureProvider:
    """A designed title card: a gradient and soft shapes in a palette derived from the
    prompt, with the prompt's key words as the title."""

    name = "offline-card"

    def price_per_picture(self) -> Decimal:
        return Decimal(0)

    def generate(self, *, prompt: str, width: int, height: int, seed: int, out_dir: Path) -> GeneratedPicture:
        for side in (width, height):
            if not PICTURE_MIN_SIDE <= side <= PICTURE_MAX_SIDE:
                raise GenerationError(
                    f"Pictures must be between {PICTURE_MIN_SIDE} and {PICTURE_MAX_SIDE} pixels "
                    f"on each side, not {width}x{height}."
                )
        image = render_card(prompt=prompt, width=width, height=height, seed=seed)
        digest = content_digest(f"{self.name}\0{prompt}\0{seed}\0{width}x{height}")[:20]
        path = Path(out_dir) / f"card-{digest}.png"
        with atomic_path(path) as tmp:
            # Level 3: a fifth of level 6's encoding time for a slightly larger file.
            image.save(tmp, format="PNG", compress_level=3)
        return GeneratedPicture(
            path=path,
            width=width,
            height=height,
            mime="image/png",
            cost_usd=Decimal(0),
        )


def render_card(*, prompt: str, width: int, height: int, seed: int) -> Image.Image:
    """The card as an RGB image (exposed for previews; ``generate`` writes it as PNG)."""
    palette = card_palette(prompt)
    rng = random.Random(content_digest(f"{seed}\0{prompt}"))
    scale = _SKETCH_LONG_SIDE / max(width, height)
    sketch_size = (max(8, round(width * scale)), max(8, round(height * scale)))
    sketch = _background(sketch_size, palette, rng)
    image = sketch.resize((width, height), Image.Resampling.BICUBIC)
    _draw_title(image, _title_words(prompt), palette)
    return image


RGB = tuple[int, int, int]


@dataclass(frozen=True)
class CardPalette:
    hue: float  # 0..1, the base hue the other colours are derived from
    deep: RGB  # the dark end of the background gradient
    glow: RGB  # its lighter end, an analogous hue
    accent: RGB  # shapes and the bar over the title
    ink: RGB  # the title


def card_palette(prompt: str) -> CardPalette:
    """The colours of the card for ``prompt``: a hash of the prompt picks the hue."""
    key = hashlib.sha256(prompt.strip().lower().encode()).digest()
    hue = int.from_bytes(key[:2], "big") / 65536
    glow_shift = (0.06, 0.09, -0.07)[key[2] % 3]
    # Complementary, split-complementary or analogous: one harmonious family either way.
    accent_shift = (0.5, 0.42, -0.12, 0.1)[key[3] % 4]
    saturation = 0.5 + key[4] / 255 * 0.3

    def rgb(h: float, lightness: float, s: float) -> RGB:
        r, g, b = colorsys.hls_to_rgb(h % 1.0, lightness, s)
        return round(r * 255), round(g * 255), round(b * 255)

    # A dark background and near-white ink: the title reads on any hue.
    return CardPalette(
        hue=hue,
        deep=rgb(hue, 0.1, saturation),
        glow=rgb(hue + glow_shift, 0.3, saturation),
        accent=rgb(hue + accent_shift, 0.58, 0.65),
        ink=rgb(hue, 0.96, 0.35),
    )


def _background(size: tuple[int, int], palette: CardPalette, rng: random.Random) -> Image.Image:
    w, h = size
    angle = rng.uniform(0, 360)
    # A rotated linear gradient, cropped to the part the rotation leaves fully covered.
    gradient = Image.linear_gradient("L").rotate(angle, resample=Image.Resampling.BICUBIC)
    gradient = gradient.crop((38, 38, 218, 218)).resize(size, Image.Resampling.BICUBIC)
    image = Image.composite(
        Image.new("RGB", size, palette.glow),
        Image.new("RGB", size, palette.deep),
        gradient,
    )

    # Transparent pixels carry the glow colour so that blurring does not darken edges.
    shapes = Image.new("RGBA", size, (*palette.glow, 0))
    draw = ImageDraw.Draw(shapes)
    short = min(w, h)
    for _ in range(rng.randint(3, 5)):
        radius = rng.uniform(0.18, 0.45) * short
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        colour = rng.choice((palette.accent, palette.glow, palette.ink))
        # Ink-coloured shapes are near-white: keep them faint.
        alpha = rng.randint(12, 24) if colour == palette.ink else rng.randint(40, 80)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*colour, alpha))
    # One diagonal band of light across the frame.
    band_y, band_h, tilt = (
        rng.uniform(0.1, 0.9) * h,
        rng.uniform(0.08, 0.2) * h,
        rng.uniform(-0.4, 0.4) * h,
    )
    draw.polygon(
        [
            (0, band_y - tilt),
            (w, band_y + tilt),
            (w, band_y + tilt + band_h),
            (0, band_y - tilt + band_h),
        ],
        fill=(*palette.accent, 26),
    )
    shapes = shapes.filter(ImageFilter.GaussianBlur(short * 0.02))
    # A dark pool behind the title keeps it readable whatever the shapes did.
    pool = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(pool).ellipse((w * 0.1, h * 0.28, w * 0.9, h * 0.72), fill=(0, 0, 0, 90))
    pool = pool.filter(ImageFilter.GaussianBlur(short * 0.08))
    image = Image.alpha_composite(Image.alpha_composite(image.convert("RGBA"), shapes), pool)
    image = image.convert("RGB")

    vignette = Image.radial_gradient("L").resize(size, Image.Resampling.BICUBIC)
    vignette = vignette.point(lambda v: min(255, max(0, (v - 110) * 2)))
    return Image.composite(Image.new("RGB", size, (0, 0, 0)), image, vignette.point(lambda v: v * 0.55))


def _title_words(prompt: str) -> list[str]:
    words: list[str] = []
    seen: set[str] = set()
    for token in _TITLE_TOKEN.findall(prompt):
        lowered = token.lower()
        if lowered in _STYLE_WORDS or lowered in _TITLE_STOPWORDS or lowered in seen:
            continue
        seen.add(lowered)
        if len(token) > _MAX_TITLE_WORD_CHARS:  # keeps a freak "word" inside the margins
            token = token[: _MAX_TITLE_WORD_CHARS - 1] + "…"
        words.append(token[:1].upper() + token[1:])
        if len(words) == _MAX_TITLE_WORDS:
            break
    return words


def _draw_title(image: Image.Image, words: list[str], palette: CardPalette) -> None:
    if not words:
        return
    width, height = image.size
    short = min(width, height)
    max_width = width * 0.8
    size = round(short * 0.085)
    while True:
        font = _font(size)
        lines = _wrap(words, font, max_width)
        fits = len(lines) <= _MAX_TITLE_LINES and all(font.getlength(line) <= max_width for line in lines)
        if fits or size <= short * 0.03:
            lines = lines[:_MAX_TITLE_LINES]
            break
        size = max(1, round(size * 0.88))

    line_height = size * 1.3
    top = height / 2 - line_height * (len(lines) - 1) / 2
    centres = [(width / 2, top + i * line_height) for i in range(len(lines))]

    # The shadow is drawn at a quarter size and blurred: it only needs to be soft.
    factor = 4
    offset = max(1.0, short * 0.004)
    shadow = Image.new("L", (max(1, width // factor), max(1, height // factor)), 0)
    shadow_draw = ImageDraw.Draw(shadow)
    small_font = _font(max(1, round(size / factor)))
    for (x, y), line in zip(centres, lines, strict=True):
        shadow_draw.text(
            ((x + offset) / factor, (y + offset) / factor),
            line,
            font=small_font,
            fill=150,
            anchor="mm",
        )
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(1.0, size / factor * 0.12)))
    image.paste((0, 0, 0), (0, 0), shadow.resize(image.size, Image.Resampling.BILINEAR))

    draw = ImageDraw.Draw(image)
    bar_w, bar_h = width * 0.06, max(2.0, short * 0.008)
    bar_y = top - line_height * 0.75
    draw.rounded_rectangle(
        (
            width / 2 - bar_w / 2,
            bar_y - bar_h / 2,
            width / 2 + bar_w / 2,
            bar_y + bar_h / 2,
        ),
        radius=bar_h / 2,
        fill=palette.accent,
    )
    for (x, y), line in zip(centres, lines, strict=True):
        draw.text((x, y), line, font=font, fill=palette.ink, anchor="mm")


def _wrap(words: list[str], font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[list[str]] = [[]]
    for word in words:
        candidate = _TITLE_SEPARATOR.join([*lines[-1], word])
        if lines[-1] and font.getlength(candidate) > max_width:
            lines.append([word])
        else:
            lines[-1].append(word)
    return [_TITLE_SEPARATOR.join(line) for line in lines]


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT_PATH, size)
    except OSError as exc:
        raise GenerationError(f"The title font {FONT_PATH} cannot be loaded: {exc}.") from exc
