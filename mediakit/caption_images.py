"""Burned-in caption overlays, drawn with Pillow as transparent PNGs.

The image is only as large as the text block; the builder places it
bottom-centre. Every size is measured on the real text with its stroke
(textbbox), so descenders (g, j, p, q, y) and outlines are never cut off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from mediakit import config

CAPTION_STYLES: tuple[str, ...] = ("classic", "boxed", "bold")


@dataclass(frozen=True)
class _Style:
    size: float  # font size as a fraction of the frame's height
    fill: tuple[int, int, int, int]
    stroke: float  # outline width as a fraction of the font size
    stroke_fill: tuple[int, int, int, int]
    box: tuple[int, int, int, int] | None


_STYLES = {
    "classic": _Style(0.045, (255, 255, 255, 255), 0.08, (0, 0, 0, 255), None),
    "boxed": _Style(0.045, (255, 255, 255, 255), 0.0, (0, 0, 0, 0), (0, 0, 0, 170)),
    "bold": _Style(0.06, (255, 214, 0, 255), 0.10, (0, 0, 0, 255), None),
}

SIDE_MARGIN = 0.06  # of the frame width, on each side
LINE_SPACING = 0.25  # extra space between lines, as a fraction of the font size


def _font_size(style: _Style, width: int, height: int) -> int:
    # Proportional to the frame height, but portrait frames use their width so
    # a 9:16 caption is as legible as a 16:9 one instead of three words a line.
    return max(10, round(style.size * min(height, width)))


def wrap_to_width(text: str, font: ImageFont.FreeTypeFont, max_width: float, stroke: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) + 2 * stroke <= max_width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def render_caption_png(text: str, *, width: int, height: int, style: str, out_path: str | Path) -> tuple[int, int]:
    """Draw `text` for a width x height frame into out_path (RGBA PNG); returns the image size."""
    if style not in _STYLES:
        raise ValueError(f"unknown caption style {style!r}; one of {CAPTION_STYLES}")
    words = " ".join(text.split())
    if not words:
        raise ValueError("caption text is empty")
    look = _STYLES[style]
    size = _font_size(look, width, height)
    max_text_width = width * (1 - 2 * SIDE_MARGIN)
    while True:
        font = ImageFont.truetype(config.current().caption_font, size)
        stroke = round(size * look.stroke)
        lines = wrap_to_width(words, font, max_text_width, stroke)
        widest = max(font.getlength(line) for line in lines) + 2 * stroke
        # Only a single word wider than the frame gets here: shrink rather than clip it.
        if widest <= max_text_width or size <= 8:
            break
        size = max(8, min(size - 1, int(size * max_text_width / widest)))
    block = "\n".join(lines)
    spacing = round(size * LINE_SPACING)

    measure = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    box = measure.multiline_textbbox((0, 0), block, font=font, spacing=spacing, align="center", stroke_width=stroke)
    # Pillow may answer in fractions of a pixel: round outwards so nothing is cut.
    left, top = math.floor(box[0]), math.floor(box[1])
    right, bottom = math.ceil(box[2]), math.ceil(box[3])
    pad = round(size * 0.35) if look.box else max(2, stroke)
    img_w = min(width, right - left + 2 * pad)
    img_h = min(height, bottom - top + 2 * pad)
    image = Image.new("RGBA", (img_w, img_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if look.box:
        draw.rounded_rectangle((0, 0, img_w - 1, img_h - 1), radius=round(size * 0.3), fill=look.box)
    draw.multiline_text(
        (pad - left + (img_w - (right - left + 2 * pad)) / 2, pad - top),
        block,
        font=font,
        fill=look.fill,
        spacing=spacing,
        align="center",
        stroke_width=stroke,
        stroke_fill=look.stroke_fill,
    )
    image.save(out_path, format="PNG")
    return img_w, img_h
