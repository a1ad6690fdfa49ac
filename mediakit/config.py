"""The media layer's configuration: which binaries and fonts to use.

Set once at start-up by the core app's AppConfig (from Django settings) and read at call
time; nothing in this package reads Django settings, so it stays usable and testable
without Django.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
_NOTO = "/usr/share/fonts/truetype/noto"
_NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
# Debian's fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji (scripts/setup.sh). The
# caption font draws Latin, Greek and Cyrillic; every other script is drawn by the first of
# these that has the glyph (a file that is not installed is skipped). The CJK collection's
# face is picked by the caption's language (Japanese, Korean or Simplified Chinese forms).
NOTO_FALLBACKS: tuple[str, ...] = (
    f"{_NOTO}/NotoSans-Bold.ttf",
    f"{_NOTO}/NotoSansArabic-Bold.ttf",
    f"{_NOTO}/NotoSansHebrew-Bold.ttf",
    f"{_NOTO}/NotoSansDevanagari-Bold.ttf",
    f"{_NOTO}/NotoSansBengali-Bold.ttf",
    f"{_NOTO}/NotoSansGurmukhi-Bold.ttf",
    f"{_NOTO}/NotoSansGujarati-Bold.ttf",
    f"{_NOTO}/NotoSansTamil-Bold.ttf",
    f"{_NOTO}/NotoSansTelugu-Bold.ttf",
    f"{_NOTO}/NotoSansKannada-Bold.ttf",
    f"{_NOTO}/NotoSansMalayalam-Bold.ttf",
    f"{_NOTO}/NotoSansSinhala-Bold.ttf",
    f"{_NOTO}/NotoSansThai-Bold.ttf",
    f"{_NOTO}/NotoSansLao-Bold.ttf",
    f"{_NOTO}/NotoSansKhmer-Bold.ttf",
    f"{_NOTO}/NotoSansMyanmar-Bold.ttf",
    f"{_NOTO}/NotoSansGeorgian-Bold.ttf",
    f"{_NOTO}/NotoSansArmenian-Bold.ttf",
    f"{_NOTO}/NotoSansEthiopic-Bold.ttf",
    _NOTO_CJK,
    f"{_NOTO}/NotoSansSymbols-Bold.ttf",
    f"{_NOTO}/NotoSansSymbols2-Regular.ttf",
    f"{_NOTO}/NotoSansMath-Regular.ttf",
    f"{_NOTO}/NotoColorEmoji.ttf",
)


@dataclass(frozen=True)
class MediaConfig:
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    # FFmpeg runs this much nicer than its caller (0: not reniced), so pages stay responsive.
    ffmpeg_nice: int = 10
    espeak: str = "espeak-ng"
    # The interpreter that runs piper as a program (``python -m piper``); "" means this one.
    python: str = ""
    # The font for captions and picture text; per-glyph fallbacks come from `fallback_fonts`.
    caption_font: str = DEJAVU_BOLD
    fallback_fonts: tuple[str, ...] = NOTO_FALLBACKS
    # The npm folder scripts/setup.sh installs the illustration artwork into.
    artwork_dir: str = str(Path(__file__).resolve().parent.parent / ".artwork" / "node_modules")
    # WordNet 3.0 (Debian's wordnet-base plus its lexnames), copied there by scripts/setup.sh.
    wordnet_dir: str = str(Path(__file__).resolve().parent.parent / ".artwork" / "wordnet")


_current = MediaConfig()


def current() -> MediaConfig:
    return _current


def configure(**changes: Any) -> MediaConfig:
    """Replace the named fields (called once, from `core.apps.CoreConfig.ready`)."""
    global _current
    _current = replace(_current, **changes)
    return _current
