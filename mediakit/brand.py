"""A creator's brand on a render: the logo sized for the frame and placed in its corner, and
the intro and outro cards drawn with Pillow. Local files in, local files out; no Django.

The rules (corners, sizes, opacity, card lengths, text lengths) are defined here once; the
brand kit's service (videos.services.brand_kit) checks a kit against them, the render uses
them to draw it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from mediakit import config
from mediakit.caption_images import (
    CAPTION_FONTS,
    PORTRAIT_BOTTOM,
    PORTRAIT_SIDE_MARGIN,
    PORTRAIT_TOP,
    is_portrait,
)

LOGO_CORNERS: tuple[str, ...] = ("top-left", "top-right", "bottom-left", "bottom-right")
# The logo's width, in percent of the frame's shorter side: 8 % is a readable bug at 480p,
# 40 % is a card-sized mark.
LOGO_SIZE_MIN, LOGO_SIZE_MAX = 8, 40
LOGO_OPACITY_MIN, LOGO_OPACITY_MAX = 10, 100
# The gap between the logo and the frame's edges: the title-safe margin (builder.TITLE_SAFE_MARGIN).
LOGO_MARGIN = 0.05
# A logo upload: small files only (a logo is a few hundred KB at most), and at most this many
# pixels on a side once decoded (larger is only scaled down again).
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4096

# A card shows for at least a second (readable) and at most six (an intro, not a scene).
CARD_MS_MIN, CARD_MS_MAX = 1000, 6000
CARD_TITLE_MAX_CHARS = 60
CARD_LINE_MAX_CHARS = 90
# WCAG's large-text minimum: the card's title is large text.
CARD_MIN_CONTRAST = 3.0
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def colour_rgb(colour: str) -> tuple[int, int, int]:
    if not _COLOUR.fullmatch(colour):
        raise ValueError(f"colour {colour!r} is not #rrggbb")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def colours_contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1..21)."""
    # Imported here: the data cards load NumPy, which every Django start would pay for
    # (videos.services imports this module through the brand kit service); issue 22.
    from mediakit.data_card import contrast_ratio

    return contrast_ratio(colour_rgb(a), colour_rgb(b))


@dataclass(frozen=True)
class Card:
    """An intro or outro card: a title, a line under it (a call to action), for duration_ms."""

    title: str
    line: str
    duration_ms: int
    background: str = "#101828"
    text_color: str = "#ffffff"
    accent: str = "#ffd600"
    font: str = "default"

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError("a card needs a title")
        if not CARD_MS_MIN <= self.duration_ms <= CARD_MS_MAX:
            raise ValueError(f"card duration {self.duration_ms} ms is outside {CARD_MS_MIN}..{CARD_MS_MAX}")
        for colour in (self.background, self.text_color, self.accent):
            colour_rgb(colour)
        if self.font not in CAPTION_FONTS:
            raise ValueError(f"unknown font {self.font!r}")


def logo_size(logo_w: int, logo_h: int, frame_w: int, frame_h: int, size_percent: int) -> tuple[int, int]:
    """The logo's size on the frame: size_percent of the frame's shorter side wide (or high,
    for a tall logo), its own proportions kept, even pixels (4:2:0 overlays place by two)."""
    box = min(frame_w, frame_h) * size_percent / 100
    scale = box / max(logo_w, logo_h)
    return max(2, 2 * round(logo_w * scale / 2)), max(2, 2 * round(logo_h * scale / 2))


def logo_position(corner: str, frame_w: int, frame_h: int, logo_w: int, logo_h: int) -> tuple[int, int]:
    """(x, y) of the logo's top-left pixel in its corner: LOGO_MARGIN of the shorter side in
    (title-safe); in 9:16 clear of the apps' own rows and buttons, as the captions keep
    (caption_images: 12 % from the top and the sides, 21 % from the bottom)."""
    if corner not in LOGO_CORNERS:
        raise ValueError(f"unknown logo corner {corner!r}; one of {LOGO_CORNERS}")
    margin = 2 * round(LOGO_MARGIN * min(frame_w, frame_h) / 2)
    side = top = bottom = margin
    if is_portrait(frame_w, frame_h):
        side = 2 * round(PORTRAIT_SIDE_MARGIN * frame_w / 2)
        top = 2 * round(PORTRAIT_TOP * frame_h / 2)
        bottom = 2 * round(PORTRAIT_BOTTOM * frame_h / 2)
    x = side if corner.endswith("left") else frame_w - logo_w - side
    y = top if corner.startswith("top") else frame_h - logo_h - bottom
    return x, y


def prepare_logo(
    logo: str | Path, *, frame_w: int, frame_h: int, size_percent: int, opacity: int, out_path: Path
) -> tuple[int, int]:
    """The logo scaled for the frame with its opacity in its alpha, as an RGBA PNG at
    out_path; returns its (width, height). The builder overlays it as it is."""
    if not LOGO_OPACITY_MIN <= opacity <= LOGO_OPACITY_MAX:
        raise ValueError(f"logo opacity {opacity} % is outside {LOGO_OPACITY_MIN}..{LOGO_OPACITY_MAX}")
    with Image.open(logo) as opened:
        image = opened.convert("RGBA")
    size = logo_size(image.width, image.height, frame_w, frame_h, size_percent)
    image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if opacity < 100:
        alpha = image.getchannel("A").point(lambda a: a * opacity // 100)
        image.putalpha(alpha)
    image.save(out_path, format="PNG", compress_level=1)
    return size


def _font_path(font: str) -> str:
    return CAPTION_FONTS.get(font) or config.current().caption_font


def _wrapped(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=face) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fitted_lines(
    draw: ImageDraw.ImageDraw, text: str, font: str, size: int, width: float, max_lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The text wrapped to width in at most max_lines lines, the font made smaller until it fits."""
    while True:
        face = ImageFont.truetype(_font_path(font), size)
        lines = _wrapped(draw, text, face, width)
        if (len(lines) <= max_lines and all(draw.textlength(line, font=face) <= width for line in lines)) or size <= 12:
            return face, lines
        size = max(12, int(size * 0.9))


def draw_card(card: Card, *, width: int, height: int, out_path: Path, logo: str | Path | None = None) -> Path:
    """The card as a width x height RGB PNG: the logo (if any) above the title, an accent
    rule, the line under it; everything centred inside the title-safe area."""
    image = Image.new("RGB", (width, height), colour_rgb(card.background))
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    safe_w = width * 0.84
    mark: Image.Image | None = None
    if logo is not None:
        with Image.open(logo) as opened:
            mark = opened.convert("RGBA")
        scale = short * 0.22 / max(mark.width, mark.height)
        size = (max(1, round(mark.width * scale)), max(1, round(mark.height * scale)))
        mark = mark.resize(size, Image.Resampling.LANCZOS)
    title = " ".join(card.title.split())
    title_face, title_lines = _fitted_lines(draw, title, card.font, round(short * 0.1), safe_w, 2)
    title_step = round(title_face.size * 1.2)
    line = " ".join(card.line.split())
    line_face, line_lines = _fitted_lines(draw, line, card.font, round(short * 0.05), safe_w, 2)
    line_step = round(line_face.size * 1.3)
    rule_h = max(2, round(short * 0.008))
    logo_block = mark.height + round(short * 0.05) if mark is not None else 0
    rule_block = rule_h + round(short * 0.05)
    total = logo_block + title_step * len(title_lines) + rule_block + (line_step * len(line_lines) if line else 0)
    y = (height - total) / 2
    if mark is not None:
        image.paste(mark, ((width - mark.width) // 2, round(y)), mark)
        y += logo_block
    text_rgb = colour_rgb(card.text_color)
    for index, text in enumerate(title_lines):
        draw.text((width / 2, y + index * title_step), text, font=title_face, fill=text_rgb, anchor="mt")
    y += title_step * len(title_lines)
    rule_w, top = short * 0.18, round(y + short * 0.02)
    draw.rectangle(((width - rule_w) / 2, top, (width + rule_w) / 2, top + rule_h - 1), fill=colour_rgb(card.accent))
    y += rule_block
    if line:
        for index, text in enumerate(line_lines):
            draw.text((width / 2, y + index * line_step), text, font=line_face, fill=text_rgb, anchor="mt")
    image.save(out_path, format="PNG", compress_level=1)
    return out_path
