"""Burned-in caption overlays, drawn with Pillow as transparent PNGs, in any script.

The image is only as large as the text block; the builder places it bottom-centre in the
title-safe area. Every size is measured on the real text with its stroke, so descenders and
outlines are never cut off.

Pillow has no font fallback of its own, so each line is cut into runs by which font has the
glyph (the caption font for Latin, Greek and Cyrillic; `config.fallback_fonts` for everything
else, first font that has it), and by direction: right-to-left runs (Arabic, Hebrew) are
shaped by Pillow's RAQM layout and the runs put in visual order with a small implementation
of the Unicode bidi rules (strong letters, numbers, neutrals between them). Colour emoji
come from a bitmap font drawn at its fixed size and scaled. A word wider than a line is
broken; the font never shrinks below a floor; a caption has at most two lines.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from mediakit import config
from mediakit.phrases import caption_words, detect_language, holds_together, phrase_break_cost, wrap_caption

CAPTION_STYLES: tuple[str, ...] = ("classic", "boxed", "bold", "words")
# The "words" style: the word being said in this colour, on a dark rounded box.
HIGHLIGHT_FILL = (255, 214, 0, 255)
HIGHLIGHT_BOX = (0, 0, 0, 150)


@dataclass(frozen=True)
class _Style:
    size: float  # font size as a fraction of the frame's shorter side
    fill: tuple[int, int, int, int]
    stroke: float  # outline width as a fraction of the font size
    stroke_fill: tuple[int, int, int, int]
    box: tuple[int, int, int, int] | None


_STYLES = {
    "classic": _Style(0.045, (255, 255, 255, 255), 0.08, (0, 0, 0, 255), None),
    "boxed": _Style(0.045, (255, 255, 255, 255), 0.0, (0, 0, 0, 0), (0, 0, 0, 170)),
    "bold": _Style(0.06, (255, 214, 0, 255), 0.10, (0, 0, 0, 255), None),
    "words": _Style(0.05, (255, 255, 255, 255), 0.10, (0, 0, 0, 255), None),
}

# A creator's caption look, over the style's own (videos.options names the same choices).
# Fonts: bold faces of Debian's fonts-dejavu-core and fonts-noto-core (scripts/setup.sh);
# "default" is config.caption_font. Scripts these lack still come from config.fallback_fonts.
CAPTION_FONTS: dict[str, str] = {
    "default": "",
    "dejavu_serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "dejavu_condensed": "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "dejavu_mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "noto_sans": "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "noto_serif": "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
}
CAPTION_BACKGROUNDS: tuple[str, ...] = ("style", "outline", "box")
CAPTION_POSITIONS: tuple[str, ...] = ("bottom", "middle", "top")
CAPTION_SIZE_MIN = 75  # percent of the style's size; 75 % of classic is still above MIN_SIZE
CAPTION_SIZE_MAX = 150
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class CaptionLook:
    """What a creator changes of a caption style; the defaults leave the style as it is.
    color and highlight_color are "#rrggbb" or "" (the style's own)."""

    font: str = "default"
    size_percent: int = 100
    color: str = ""
    highlight_color: str = ""
    background: str = "style"

    def __post_init__(self) -> None:
        if self.font not in CAPTION_FONTS:
            raise ValueError(f"unknown caption font {self.font!r}; one of {tuple(CAPTION_FONTS)}")
        if not CAPTION_SIZE_MIN <= self.size_percent <= CAPTION_SIZE_MAX:
            raise ValueError(f"caption size {self.size_percent} % is outside {CAPTION_SIZE_MIN}..{CAPTION_SIZE_MAX}")
        for colour in (self.color, self.highlight_color):
            if colour and not _COLOUR.fullmatch(colour):
                raise ValueError(f"caption colour {colour!r} is not #rrggbb")
        if self.background not in CAPTION_BACKGROUNDS:
            raise ValueError(f"unknown caption background {self.background!r}; one of {CAPTION_BACKGROUNDS}")


DEFAULT_LOOK = CaptionLook()


def _rgba(colour: str) -> tuple[int, int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 255


def _styled(style: str, look: CaptionLook) -> _Style:
    """The style with the creator's look applied."""
    base = _STYLES[style]
    out = replace(base, size=base.size * look.size_percent / 100)
    if look.color:
        out = replace(out, fill=_rgba(look.color))
    if look.background == "outline" and base.box is not None:
        out = replace(out, stroke=0.08, stroke_fill=(0, 0, 0, 255), box=None)
    elif look.background == "box" and base.box is None:
        out = replace(out, stroke=0.0, stroke_fill=(0, 0, 0, 0), box=(0, 0, 0, 170))
    return out


SIDE_MARGIN = 0.06  # of the frame width, on each side
# 9:16: the apps' own caption, buttons and sound row cover the bottom 17-20 % and the right
# 8-12 % (TikTok, Reels and Shorts guides); captions keep clear of both, on both sides so
# they stay centred.
PORTRAIT_SIDE_MARGIN = 0.12
PORTRAIT_BOTTOM = 0.21  # the caption image's bottom this far above the frame's bottom edge
LANDSCAPE_BOTTOM = 0.10  # title-safe, clear of a player's control bar
# Captions placed at the top: title-safe (10 %) in 16:9 and 1:1; in 9:16 below the apps' top
# row (TikTok's Following / For You tabs, Reels' and Shorts' header: about the top 10-12 %).
PORTRAIT_TOP = 0.12
LANDSCAPE_TOP = 0.10


def is_portrait(width: int, height: int) -> bool:
    return height > width


def caption_bottom_margin(width: int, height: int) -> int:
    """Pixels between the frame's bottom edge and the caption image's."""
    return max(2, round(height * (PORTRAIT_BOTTOM if is_portrait(width, height) else LANDSCAPE_BOTTOM)))


def caption_top_margin(width: int, height: int) -> int:
    """Pixels between the frame's top edge and a top-placed caption image's."""
    return max(2, round(height * (PORTRAIT_TOP if is_portrait(width, height) else LANDSCAPE_TOP)))


def caption_y(width: int, height: int, image_height: int, position: str) -> int:
    """The caption image's top edge in the frame for a position (CAPTION_POSITIONS): bottom
    and top keep the aspect's safe margins; middle is centred, which in 9:16 keeps its bottom
    far above the apps' bottom 20 %."""
    if position == "top":
        return caption_top_margin(width, height)
    if position == "middle":
        return (height - image_height) // 2
    if position == "bottom":
        return height - image_height - caption_bottom_margin(width, height)
    raise ValueError(f"unknown caption position {position!r}; one of {CAPTION_POSITIONS}")


def caption_max_width(width: int, height: int) -> float:
    return width * (1 - 2 * (PORTRAIT_SIDE_MARGIN if is_portrait(width, height) else SIDE_MARGIN))


LINE_SPACING = 0.25  # extra space between lines, as a fraction of the font size
# The smallest font, as a fraction of the frame's shorter side (~15 px at 480p, ~23 at 720p):
# a long caption is broken and cut, never shrunk into illegibility.
MIN_SIZE = 0.032
MAX_LINES = 2
ELLIPSIS = "…"

_EMOJI_SIZE = 109  # the only size Noto Color Emoji's bitmaps come in
_CJK_FACE = {"ja": 0, "ko": 1, "zh": 2}  # faces of NotoSansCJK-*.ttc


def _font_size(style: _Style, width: int, height: int) -> int:
    # Proportional to the frame height, but portrait frames use their width so
    # a 9:16 caption is as legible as a 16:9 one instead of three words a line.
    return max(10, round(style.size * min(height, width)))


def min_font_size(width: int, height: int) -> int:
    return max(10, round(MIN_SIZE * min(width, height)))


# --- fonts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Face:
    path: str
    index: int
    emoji: bool


@lru_cache(maxsize=256)
def _load(face: _Face, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        face.path, _EMOJI_SIZE if face.emoji else size, index=face.index, layout_engine=ImageFont.Layout.RAQM
    )


@lru_cache(maxsize=64)
def _notdef(face: _Face) -> tuple[tuple[int, int], bytes]:
    return _mask(face, "\U0010ffff")


def _mask(face: _Face, ch: str) -> tuple[tuple[int, int], bytes]:
    font = _load(face, 48)
    if face.emoji:
        # A bitmap font's .notdef is empty: a glyph it has is one with any height at all.
        box = font.getbbox(ch)
        return (round(box[2] - box[0]), round(box[3] - box[1])), b""
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


@lru_cache(maxsize=65536)
def has_glyph(face: _Face, ch: str) -> bool:
    """True if the face draws `ch` as something other than its .notdef glyph."""
    try:
        return _mask(face, ch) != _notdef(face)
    except OSError:
        return False


def _faces(language: str, font: str = "default") -> tuple[_Face, ...]:
    conf = config.current()
    faces = []
    for path in (CAPTION_FONTS.get(font) or conf.caption_font, *conf.fallback_fonts):
        if not Path(path).is_file():
            continue  # a font package that is not installed: the next font may have the glyph
        index = _CJK_FACE.get(language, 0) if path.lower().endswith(".ttc") else 0
        faces.append(_Face(path, index, emoji="emoji" in Path(path).name.lower()))
    if not faces:
        raise ValueError(f"no caption font is installed (looked for {conf.caption_font})")
    return tuple(faces)


def _primary_script(ch: str) -> bool:
    """Latin, Greek, Cyrillic and common punctuation: what the caption font is for."""
    return ord(ch) < 0x0530 or 0x1D00 <= ord(ch) <= 0x1FFF or 0x2000 <= ord(ch) <= 0x206F


def _emoji_presentation(ch: str) -> bool:
    """Pictographs shown in colour by default (faces, hands, objects, flags)."""
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF


def _face_for(ch: str, faces: tuple[_Face, ...]) -> _Face | None:
    if _emoji_presentation(ch):
        # The colour font first: a monochrome symbol font would break skin tones and ZWJ sequences.
        order = tuple(sorted(faces, key=lambda face: not face.emoji))
    elif _primary_script(ch):
        order = faces
    else:
        order = (*faces[1:], faces[0])
    for face in order:
        if has_glyph(face, ch):
            return face
    return None


# --- bidi ---------------------------------------------------------------------------------

_L, _R, _EN, _AN, _N = "L", "R", "EN", "AN", "N"


def _bidi_class(ch: str) -> str:
    kind = unicodedata.bidirectional(ch)
    if kind in ("R", "AL"):
        return _R
    if kind == "L":
        return _L
    if kind == "EN":
        return _EN
    if kind == "AN":
        return _AN
    return _N


def _levels(text: str) -> tuple[list[int], int]:
    """Embedding level of every character, and the paragraph's level (0 LTR, 1 RTL)."""
    classes = [_bidi_class(ch) for ch in text]
    strong = next((c for c in classes if c in (_L, _R)), _L)
    para = 1 if strong == _R else 0
    # W2/W7: a European number takes the direction of the strong letter before it.
    previous = _R if para else _L
    for i, c in enumerate(classes):
        if c in (_L, _R):
            previous = c
        elif c == _EN:
            classes[i] = _AN if previous == _R else _L
    # N1/N2: neutrals between two of the same direction take it, otherwise the paragraph's.
    direction = [(_R if c in (_R, _AN) else _L) if c != _N else None for c in classes]
    sos = _R if para else _L
    i = 0
    while i < len(direction):
        if direction[i] is not None:
            i += 1
            continue
        j = i
        while j < len(direction) and direction[j] is None:
            j += 1
        before = direction[i - 1] if i > 0 else sos
        after = direction[j] if j < len(direction) else sos
        assert before is not None and after is not None  # runs of None end at a direction
        fill = before if before == after else sos
        for k in range(i, j):
            direction[k] = fill
            classes[k] = fill
        i = j
    levels = []
    for c in classes:
        if para == 0:
            levels.append(0 if c == _L else 1 if c == _R else 2)
        else:
            levels.append(1 if c == _R else 2)
    return levels, para


@dataclass
class _Run:
    text: str
    face: _Face | None
    level: int

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


def _runs(text: str, faces: tuple[_Face, ...]) -> list[_Run]:
    """The line's runs in visual order, left to right."""
    if not text:
        return []
    levels, _ = _levels(text)
    runs: list[_Run] = []
    face: _Face | None = None
    for ch, level in zip(text, levels, strict=True):
        joiner = (
            unicodedata.category(ch).startswith("M")  # vowel signs, viramas, accents
            or ch in "\u200d\ufe0f\ufe0e\u200c"
            or 0x1F3FB <= ord(ch) <= 0x1F3FF  # skin tones
            or 0xE0020 <= ord(ch) <= 0xE007F  # flag tags
        )
        if joiner:
            ch_face = face  # shaped with the character before it
        elif ch.isspace():
            # Stays with the text around it, but a colour-emoji space is as wide as an emoji.
            ch_face = face if face is not None and not face.emoji else faces[0]
        else:
            ch_face = _face_for(ch, faces)
            if ch_face is None:
                ch_face = faces[0]  # nobody has it: the caption font's box, not nothing
        if runs and runs[-1].level == level and (ch_face == runs[-1].face or ch_face is None):
            runs[-1].text += ch
        else:
            runs.append(_Run(ch, ch_face, level))
        face = ch_face
    for run in runs:
        if run.face is None:
            run.face = faces[0]
    # L2: reverse every maximal sequence at each level, from the highest down to 1.
    top = max(r.level for r in runs)
    for level in range(top, 0, -1):
        i = 0
        while i < len(runs):
            if runs[i].level >= level:
                j = i
                while j < len(runs) and runs[j].level >= level:
                    j += 1
                runs[i:j] = runs[i:j][::-1]
                i = j
            else:
                i += 1
    return runs


# --- measuring and wrapping ---------------------------------------------------------------


class _Typesetter:
    def __init__(self, text: str, size: int, stroke: int, font: str = "default") -> None:
        self.faces = _faces(detect_language(text), font)
        self.size = size
        self.stroke = stroke

    def font(self, face: _Face) -> ImageFont.FreeTypeFont:
        return _load(face, self.size)

    def scale(self, face: _Face) -> float:
        # Emoji bitmaps are drawn at 109 px and scaled to about the height of a capital.
        return self.size * 1.1 / _EMOJI_SIZE if face.emoji else 1.0

    def run_width(self, run: _Run) -> float:
        assert run.face is not None
        font = self.font(run.face)
        length = font.getlength(run.text, direction="rtl" if run.rtl else "ltr")
        return length * self.scale(run.face)

    def width(self, line: str) -> float:
        return sum(self.run_width(run) for run in _runs(line, self.faces)) + 2 * self.stroke

    def metrics(self, line: str) -> tuple[int, int]:
        """(ascent, descent) of the tallest font on the line."""
        ascent, descent = self.font(self.faces[0]).getmetrics()
        for run in _runs(line, self.faces):
            assert run.face is not None
            if run.face.emoji:
                ascent = max(ascent, math.ceil(self.size * 1.0))
                continue
            a, d = self.font(run.face).getmetrics()
            ascent, descent = max(ascent, a), max(descent, d)
        return ascent + self.stroke, descent + self.stroke


def _join(words: list[tuple[str, bool]]) -> str:
    out = ""
    for text, space in words:
        out += (" " if out and space else "") + text
    return out


def _break_word(word: str, fits: Callable[[str], bool]) -> list[str]:
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and not fits(current + ch):
            pieces.append(current)
            current = ""
        current += ch
    return pieces + ([current] if current else [])


def _wrap(text: str, setter: _Typesetter, max_width: float) -> list[str]:
    """Greedy wrap by measured width, a too-wide word broken; two lines balanced."""

    def fits(s: str) -> bool:
        return setter.width(s) <= max_width

    words: list[tuple[str, bool]] = []
    for word, space in caption_words(text):
        if fits(word):
            words.append((word, space))
        else:
            words.extend((piece, space and i == 0) for i, piece in enumerate(_break_word(word, fits)))
    lines: list[list[tuple[str, bool]]] = []
    for item in words:
        if lines and fits(_join([*lines[-1], item])):
            lines[-1].append(item)
        else:
            lines.append([item])
    if len(lines) == 2:
        # Two lines of similar width read better than a full line and a stub.
        flat = lines[0] + lines[1]
        best = None
        for i in range(1, len(flat)):
            a, b = setter.width(_join(flat[:i])), setter.width(_join(flat[i:]))
            # Balanced, at a linguistic boundary: never "$4.2 | million" or "March 3, | 2024".
            score = max(a, b) + setter.size * (_break_penalty(flat, i))
            if a <= max_width and b <= max_width and (best is None or score < best[0]):
                best = (score, i)
        if best is not None:
            lines = [flat[: best[1]], flat[best[1] :]]
    return [_join(line) for line in lines]


def _layout(
    text: str, look: _Style, width: int, height: int, max_lines: int, *, paged: bool, font: str
) -> tuple[_Typesetter, list[str]]:
    max_width = caption_max_width(width, height)
    explicit = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    size, floor = _font_size(look, width, height), min_font_size(width, height)
    if is_portrait(width, height) or paged:
        floor = size  # one size for the whole video: a long phrase is paged, not shrunk
    while True:
        setter = _Typesetter(" ".join(explicit), size, round(size * look.stroke), font)
        lines = [wrapped for line in explicit for wrapped in _wrap(line, setter, max_width)]
        if len(lines) <= max_lines or size <= floor:
            break
        size = max(floor, size - max(1, size // 12))
    if len(lines) > max_lines:
        # At the floor and still too long: keep what fits and say that something is missing.
        last = lines[max_lines - 1]
        while last and setter.width(last + ELLIPSIS) > max_width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], last + ELLIPSIS]
    return setter, lines


# --- drawing ------------------------------------------------------------------------------


def _draw_line(image: Image.Image, setter: _Typesetter, line: str, x: float, baseline: float, look: _Style) -> None:
    draw = ImageDraw.Draw(image)
    for run in _runs(line, setter.faces):
        assert run.face is not None
        font = setter.font(run.face)
        direction = "rtl" if run.rtl else "ltr"
        if run.face.emoji:
            scale = setter.scale(run.face)
            w = math.ceil(font.getlength(run.text) + 4)
            glyphs = Image.new("RGBA", (w, _EMOJI_SIZE + 40), (0, 0, 0, 0))
            ImageDraw.Draw(glyphs).text((0, _EMOJI_SIZE), run.text, font=font, anchor="ls", embedded_color=True)
            small = glyphs.resize(
                (max(1, round(glyphs.width * scale)), max(1, round(glyphs.height * scale))), Image.Resampling.LANCZOS
            )
            top = round(baseline - _EMOJI_SIZE * scale)
            image.alpha_composite(small, (round(x), max(0, top)))
        else:
            draw.text(
                (x, baseline),
                run.text,
                font=font,
                anchor="ls",
                fill=look.fill,
                stroke_width=setter.stroke,
                stroke_fill=look.stroke_fill,
                direction=direction,
            )
        x += setter.run_width(run)


# Bumped when the drawing changes: a kept caption's key never stands for two images.
_CAPTION_DESIGN = "1"
# Beside the images of a folder: each caption drawn there, under its content's key.
KEPT_CAPTIONS_DIR = ".captions"


def render_caption_png(
    text: str,
    *,
    width: int,
    height: int,
    style: str,
    out_path: str | Path,
    max_lines: int = MAX_LINES,
    highlight: int | None = None,
    caption_look: CaptionLook = DEFAULT_LOOK,
) -> tuple[int, int]:
    """Draw `text` for a width x height frame into out_path (RGBA PNG); returns the image size.

    Line breaks in `text` (from `phrases.wrap_caption`) are kept, so the image shows the
    very lines of the subtitle cue; a line too wide for the frame is wrapped again.
    highlight: the index of a word (phrases.caption_words of the text) drawn in
    HIGHLIGHT_FILL (or caption_look.highlight_color) on a dark box, the word being said
    (left-to-right text only). caption_look: the creator's font, size, colours and background.

    Drawn once per folder: the same caption asked for again into out_path's folder (a
    phrase said in two scenes, the same words on two pages) is a hard link to the first
    drawing, kept in the folder's KEPT_CAPTIONS_DIR (a job's temp dir: gone with the job).
    """
    if style not in _STYLES:
        raise ValueError(f"unknown caption style {style!r}; one of {CAPTION_STYLES}")
    if not text.split():
        raise ValueError("caption text is empty")
    out = Path(out_path)
    content = repr((_CAPTION_DESIGN, text, width, height, style, max_lines, highlight, caption_look))
    kept = out.parent / KEPT_CAPTIONS_DIR / f"{hashlib.sha256(content.encode('utf-8')).hexdigest()[:32]}.png"
    if not kept.is_file():
        kept.parent.mkdir(exist_ok=True)
        part = kept.with_name(f".{kept.stem}-{os.getpid()}-{threading.get_ident()}.part")
        _draw_caption(text, width, height, style, part, max_lines, highlight, caption_look)
        os.replace(part, kept)  # whole or absent, whoever reads it
    out.unlink(missing_ok=True)
    try:
        os.link(kept, out)
    except OSError:
        shutil.copyfile(kept, out)  # a folder where links are refused
    with Image.open(kept) as image:
        return image.size


def _draw_caption(
    text: str,
    width: int,
    height: int,
    style: str,
    out_path: Path,
    max_lines: int,
    highlight: int | None,
    caption_look: CaptionLook,
) -> tuple[int, int]:
    look = _styled(style, caption_look)
    setter, lines = _layout(text, look, width, height, max_lines, paged=style == "words", font=caption_look.font)
    spacing = round(setter.size * LINE_SPACING)
    widths = [setter.width(line) for line in lines]
    metrics = [setter.metrics(line) for line in lines]
    pad = round(setter.size * 0.35) if look.box else max(2, round(setter.size * 0.06))
    block_h = sum(a + d for a, d in metrics) + spacing * (len(lines) - 1)
    img_w = min(width, math.ceil(max(widths)) + 2 * pad)
    img_h = min(height, block_h + 2 * pad)
    image = Image.new("RGBA", (img_w, img_h), (0, 0, 0, 0))
    if look.box:
        ImageDraw.Draw(image).rounded_rectangle(
            (0, 0, img_w - 1, img_h - 1), radius=round(setter.size * 0.3), fill=look.box
        )
    marked = _highlighted(lines, highlight)
    highlight_fill = _rgba(caption_look.highlight_color) if caption_look.highlight_color else HIGHLIGHT_FILL
    y = pad
    for number, (line, line_w, (ascent, descent)) in enumerate(zip(lines, widths, metrics, strict=True)):
        x = (img_w - line_w) / 2 + setter.stroke
        if marked is not None and marked[0] == number:
            before, word = marked[1], marked[2]
            left = x + (setter.width(before) - 2 * setter.stroke if before else 0)
            right = left + setter.width(word) - 2 * setter.stroke
            grow = round(setter.size * 0.12)
            ImageDraw.Draw(image).rounded_rectangle(
                (left - grow, y - grow // 2, right + grow, y + ascent + descent + grow // 2),
                radius=round(setter.size * 0.25),
                fill=HIGHLIGHT_BOX,
            )
            _draw_line(image, setter, line, x, y + ascent, look)
            _draw_line(image, setter, word, left, y + ascent, replace(look, fill=highlight_fill))
        else:
            _draw_line(image, setter, line, x, y + ascent, look)
        y += ascent + descent + spacing
    image.save(out_path, format="PNG")
    return img_w, img_h


def _highlighted(lines: list[str], highlight: int | None) -> tuple[int, str, str] | None:
    """(line number, the line's text before the word, the word) of word `highlight`."""
    if highlight is None or any(_levels(line)[0] and max(_levels(line)[0]) for line in lines):
        return None  # right-to-left runs: positions are not simple prefixes
    seen = 0
    for number, line in enumerate(lines):
        words = caption_words(line)
        if highlight < seen + len(words):
            index = highlight - seen
            before = _join(words[:index])
            if index and words[index][1]:
                before += " "
            return number, before, words[index][0]
        seen += len(words)
    return None


def render_phrase_pngs(
    phrases: list[str],
    *,
    width: int,
    height: int,
    style: str,
    out_dir: str | Path,
    prefix: str = "caption",
    caption_look: CaptionLook = DEFAULT_LOOK,
) -> tuple[str, ...]:
    """One caption image per phrase, with the same two lines as its subtitle cue."""

    paths = []
    for index, phrase in enumerate(phrases):
        try:
            text = "\n".join(wrap_caption(phrase))
        except ValueError:
            text = phrase  # longer than a cue: wrapped by width, at most two lines
        path = Path(out_dir) / f"{prefix}-{index:03d}.png"
        render_caption_png(text, width=width, height=height, style=style, out_path=path, caption_look=caption_look)
        paths.append(str(path))
    return tuple(paths)


def _break_penalty(tokens: list[tuple[str, bool]], index: int) -> float:
    """phrase_break_cost of a break before tokens[index], in font sizes of extra width a line
    may take to avoid it: 8 where a caption should not break (after "the"), 16 inside a unit
    ("$4.2 | million", "hundred and | twelve")."""
    left, right = tokens[index - 1], tokens[index]
    if not right[1]:
        return 1.0  # inside CJK text: phrases' own costs are for spaced words
    cost = phrase_break_cost(left[0], right[0])
    if cost is not None:
        return cost
    before = tokens[index - 2][0] if index >= 2 else ""
    return 16.0 if holds_together(left[0], right[0], before) else 8.0


def _fits_two_lines(
    tokens: list[tuple[str, bool]], setter: _Typesetter, max_width: float, allowed: float = 1.8
) -> bool:
    """True if the words fit one line, or two split at a break whose _break_penalty is at
    most `allowed`."""
    if setter.width(_join(tokens)) <= max_width:
        return True
    for i in range(1, len(tokens)):
        if _break_penalty(tokens, i) > allowed:
            continue
        if setter.width(_join(tokens[:i])) <= max_width and setter.width(_join(tokens[i:])) <= max_width:
            return True
    return False


def caption_pages(
    phrase: str, *, width: int, height: int, style: str, caption_look: CaptionLook = DEFAULT_LOOK
) -> list[list[tuple[str, bool]]]:
    """The phrase's words (phrases.caption_words) in pages of at most two lines at the
    style's one size: a phrase too long for two lines is shown in turn, page by page,
    rather than in smaller letters. Pages and their lines break where a caption may
    (phrases.phrase_break_cost), pages balanced in width."""
    look = _styled(style, caption_look)
    size = _font_size(look, width, height)
    setter = _Typesetter(phrase, size, round(size * look.stroke), caption_look.font)
    max_width = caption_max_width(width, height)
    tokens = caption_words(phrase)
    if not tokens:
        return []
    total = setter.width(phrase)
    most = -(-len(_wrap(phrase, setter, max_width)) // MAX_LINES) + 1
    # As few pages as lines may break where a caption may, or else after a small word ("off |
    # on the opening day", "and | one hundred and twelve"); inside a unit only if nothing fits.
    for allowed in ((1.8, 8.0), (16.0,)):
        for pages in range(1, most + 1):
            out = _cut_pages(tokens, setter, pages, total)
            for limit in allowed:
                if all(_fits_two_lines(page, setter, max_width, limit) for page in out):
                    return out
    return _cut_pages(tokens, setter, most, total)


def _cut_pages(
    tokens: list[tuple[str, bool]], setter: _Typesetter, pages: int, total: float
) -> list[list[tuple[str, bool]]]:
    """`tokens` cut into `pages` runs of similar width, at the best boundaries."""
    out: list[list[tuple[str, bool]]] = []
    start = 0
    for page in range(1, pages):
        target = total * page / pages
        best: tuple[float, int] | None = None
        for index in range(start + 1, len(tokens) - (pages - page) + 1):
            left = setter.width(_join(tokens[:index]))
            score = abs(left - target) / max(1.0, total) + 0.3 * _break_penalty(tokens, index)
            if best is None or score < best[0]:
                best = (score, index)
        if best is None:
            break
        out.append(tokens[start : best[1]])
        start = best[1]
    out.append(tokens[start:])
    return [page for page in out if page]


def render_caption_frames(
    phrase: str,
    words: tuple[tuple[str, int], ...],
    *,
    start_ms: int,
    end_ms: int,
    width: int,
    height: int,
    style: str,
    out_dir: str | Path,
    prefix: str,
    caption_look: CaptionLook = DEFAULT_LOOK,
) -> tuple[tuple[str, int], ...]:
    """(image, start_ms) shown in turn for one phrase: a page of at most two lines at a time
    (caption_pages), and in the "words" style one image per word with that word highlighted,
    from the time it is said. `words` are the phrase's caption words with their starts (in
    the same time as start_ms); without them (or if they do not match the phrase's words)
    the words share the phrase's time by their length."""
    tokens = [text for text, _ in caption_words(phrase)]
    if [w for w, _ in words] == tokens:
        starts = [max(start_ms, min(at, end_ms - 1)) for _, at in words]
    else:
        weights = [max(1, len(t)) for t in tokens]
        total, done, starts = sum(weights), 0, []
        for weight in weights:
            starts.append(start_ms + (end_ms - start_ms) * done // total)
            done += weight
    frames: list[tuple[str, int]] = []
    position = 0
    for page_number, page in enumerate(
        caption_pages(phrase, width=width, height=height, style=style, caption_look=caption_look)
    ):
        text = _join(page)
        highlights = range(len(page)) if style == "words" else [None]
        for highlight in highlights:
            path = Path(out_dir) / f"{prefix}-p{page_number:02d}-w{highlight or 0:03d}.png"
            render_caption_png(
                text,
                width=width,
                height=height,
                style=style,
                out_path=path,
                highlight=highlight,
                caption_look=caption_look,
            )
            first = position + (highlight or 0)
            at = start_ms if not frames else starts[first]
            if frames and at <= frames[-1][1]:
                frames[-1] = (str(path), frames[-1][1])  # said at once: the later word wins
            else:
                frames.append((str(path), at))
        position += len(page)
    return tuple(frames)


def caption_band_top(width: int, height: int) -> float:
    """The highest a two-line caption of any style reaches, as a fraction of the frame's height
    (about 0.70 in 9:16, 0.74 in 16:9): pictures keep their own text above it."""
    top = height
    for look in _STYLES.values():
        size = _font_size(look, width, height)
        setter = _Typesetter("Ag", size, round(size * look.stroke))
        ascent, descent = setter.metrics("Ag")
        pad = round(size * 0.35) if look.box else max(2, round(size * 0.06))
        block = 2 * (ascent + descent) + round(size * LINE_SPACING) + 2 * pad
        top = min(top, height - caption_bottom_margin(width, height) - block)
    return top / height
