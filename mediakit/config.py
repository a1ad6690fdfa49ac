"""The media layer's configuration: which binaries and fonts to use.

Set once at start-up by the core app's AppConfig (from Django settings) and read at call
time; nothing in this package reads Django settings, so it stays usable and testable
without Django.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class MediaConfig:
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    # FFmpeg runs this much nicer than its caller (0: not reniced), so pages stay responsive.
    ffmpeg_nice: int = 10
    espeak: str = "espeak-ng"
    # The font for captions and picture text; per-glyph fallbacks come from `fallback_fonts`.
    caption_font: str = DEJAVU_BOLD
    fallback_fonts: tuple[str, ...] = ()
    # The npm folder scripts/setup.sh installs the illustration artwork into.
    artwork_dir: str = str(Path(__file__).resolve().parent.parent / ".artwork" / "node_modules")


_current = MediaConfig()


def current() -> MediaConfig:
    return _current


def configure(**changes) -> MediaConfig:
    """Replace the named fields (called once, from `core.apps.CoreConfig.ready`)."""
    global _current
    _current = replace(_current, **changes)
    return _current
