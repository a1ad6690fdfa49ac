"""A video's render options: their choices and their defaults, defined once.

Every entry point reads this module instead of spelling a default again: the model's field
defaults (`videos.models.Video`, whose nested `Video.Aspect` etc. are these classes), the API
serializer, the new-video form, `video_create` and `video_create_errors`, `make_video`'s
flags and the batch rows. The speech-rate range and the voices are the narration's own
rules and live with it in `mediakit.speech` (RATE_MIN/RATE_MAX/RATE_DEFAULT,
`speech_rate_error`, VOICES, `voice_error`); they are only referenced here.

To add an option (a caption style, a music volume, ...): add its choices class here if it
has choices, a field with its default to `VideoOptions`, the model field with
`default=VIDEO_OPTION_DEFAULTS.<name>`, and its check to
`videos.services.creation.video_options_errors`; the form, serializer and command take
their defaults from `VIDEO_OPTION_DEFAULTS`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from django.db import models

from assets.generators import replicate_available
from assets.stock_online.configured import stock_providers_available
from mediakit.caption_images import CAPTION_SIZE_MAX, CAPTION_SIZE_MIN
from mediakit.speech import DEFAULT_VOICE, RATE_DEFAULT

__all__ = [
    "VIDEO_OPTION_DEFAULTS",
    "Aspect",
    "aspect_slug",
    "aspects_parse",
    "CAPTION_COLOUR_PATTERN",
    "CAPTION_SIZE_MAX",
    "CAPTION_SIZE_MIN",
    "CaptionBackground",
    "CaptionFont",
    "CaptionPosition",
    "CaptionStyle",
    "Fps",
    "MUSIC_VOLUME_MAX_DB",
    "MUSIC_VOLUME_MIN_DB",
    "Music",
    "Quality",
    "Transition",
    "VideoOptions",
    "Visuals",
    "visuals_available",
    "caption_colour_error",
    "caption_size_error",
    "music_volume_error",
]


class Aspect(models.TextChoices):
    LANDSCAPE = "16:9", "16:9 landscape"
    PORTRAIT = "9:16", "9:16 portrait"
    SQUARE = "1:1", "1:1 square"


def aspect_slug(aspect: str) -> str:
    """An aspect as file names and URLs write it: "16:9" -> "16x9"."""
    return aspect.replace(":", "x")


def aspects_parse(value: str | list[str] | tuple[str, ...]) -> tuple[list[str], str]:
    """The aspects a video is made in, from a list or a comma-separated string ("16:9,9:16"),
    as ([aspects], "") in the order given (the first is the video's own, its pictures'),
    or ([], the one wording every entry point shows) for an empty, unknown or repeated one."""
    items = value.split(",") if isinstance(value, str) else list(value)
    aspects = [item.strip() if isinstance(item, str) else item for item in items]
    choices = ", ".join(Aspect.values)
    if not aspects or aspects == [""]:
        return [], f"Choose at least one aspect: {choices}."
    for aspect in aspects:
        if aspect not in Aspect.values:
            return [], f"Unknown aspect {aspect!r}; choose from {choices}."
    for aspect in aspects:
        if aspects.count(aspect) > 1:
            return [], f"The aspect {aspect} is listed twice; list each aspect once."
    return aspects, ""


class Quality(models.TextChoices):
    P480 = "480p", "480p"
    P720 = "720p", "720p"
    P1080 = "1080p", "1080p"


class Fps(models.IntegerChoices):
    FPS24 = 24, "24 fps"
    FPS25 = 25, "25 fps"
    FPS30 = 30, "30 fps"


class Music(models.TextChoices):
    NONE = "none", "No music"
    # Moods of the offline music library (mediakit.music); a procedural bed where it is missing.
    CALM = "calm", "Calm"
    HAPPY = "happy", "Happy"
    ENERGETIC = "energetic", "Energetic"
    TENDER = "tender", "Tender"
    NOSTALGIC = "nostalgic", "Nostalgic"
    BRIGHT = "bright", "Bright synth bed"
    PULSE = "pulse", "Pulse synth bed"
    UPLOAD = "upload", "My upload"


# The music's level in dB, before it is ducked under the voice: 0 is a track at the library's
# reference loudness (mediakit.music.REFERENCE_LUFS, -14 LUFS). At the default the voice is
# 12-16 dB over the bed while it speaks, and the bed comes up 12 dB in longer gaps
# (scripts/bench_music.py, docs/music.md).
MUSIC_VOLUME_MIN_DB = -30
MUSIC_VOLUME_MAX_DB = 0


def music_volume_error(value: object) -> str:
    """'' when value is a music volume we accept; the one wording every entry point shows."""
    if isinstance(value, bool) or not isinstance(value, int) or not MUSIC_VOLUME_MIN_DB <= value <= MUSIC_VOLUME_MAX_DB:
        return f"Music volume must be a whole number of dB between {MUSIC_VOLUME_MIN_DB} and {MUSIC_VOLUME_MAX_DB}."
    return ""


class CaptionStyle(models.TextChoices):
    CLASSIC = "classic", "Classic (outlined)"
    BOXED = "boxed", "Boxed"
    BOLD = "bold", "Bold yellow"
    # Short-form: one or two short lines, the word being said highlighted as it is said.
    WORDS = "words", "Word by word (highlighted)"


# The caption look a creator picks over the style's own (mediakit.caption_images.CaptionLook,
# whose CAPTION_FONTS, CAPTION_BACKGROUNDS and CAPTION_POSITIONS hold the same values).
class CaptionFont(models.TextChoices):
    DEFAULT = "default", "DejaVu Sans (default)"
    DEJAVU_SERIF = "dejavu_serif", "DejaVu Serif"
    DEJAVU_CONDENSED = "dejavu_condensed", "DejaVu Sans Condensed"
    DEJAVU_MONO = "dejavu_mono", "DejaVu Sans Mono"
    NOTO_SANS = "noto_sans", "Noto Sans"
    NOTO_SERIF = "noto_serif", "Noto Serif"


class CaptionBackground(models.TextChoices):
    STYLE = "style", "The style's own"
    OUTLINE = "outline", "Outlined letters"
    BOX = "box", "Dark box"


class CaptionPosition(models.TextChoices):
    BOTTOM = "bottom", "Bottom"
    MIDDLE = "middle", "Middle"
    TOP = "top", "Top"


def caption_size_error(value: object) -> str:
    """'' when value is a caption size we accept (percent of the style's size); the one wording."""
    if isinstance(value, bool) or not isinstance(value, int) or not CAPTION_SIZE_MIN <= value <= CAPTION_SIZE_MAX:
        return f"Caption size must be a whole percentage between {CAPTION_SIZE_MIN} and {CAPTION_SIZE_MAX}."
    return ""


# A caption colour as the API's schema states it: "#rrggbb", or empty for the style's own.
CAPTION_COLOUR_PATTERN = r"^(#[0-9a-fA-F]{6})?$"


def caption_colour_error(value: object) -> str:
    """'' when value is a caption colour we accept: "#rrggbb", or "" for the style's own."""
    if isinstance(value, str) and re.fullmatch(CAPTION_COLOUR_PATTERN, value):
        return ""
    return "Caption colours are written #rrggbb (for example #ffd600), or left empty for the style's own."


class Transition(models.TextChoices):
    FADE = "fade", "Crossfade"
    DISSOLVE = "dissolve", "Dissolve"
    WIPE = "wipeleft", "Wipe"
    SLIDE = "slideleft", "Slide"
    CUT = "cut", "Cut (no transition)"


class Visuals(models.TextChoices):
    GENERATED = "generated", "Illustrations (offline, credited)"
    STOCK = "stock", "Stock library (best match per scene)"
    REPLICATE = "replicate", "AI pictures (Replicate)"
    STOCK_ONLINE = "stock_online", "Stock footage (Pexels/Pixabay)"


def visuals_available() -> list[tuple[str, str]]:
    """The Visuals choices this site offers, (value, label): AI pictures need a Replicate
    token, stock footage a Pexels or Pixabay key. The new-video form and the batch page
    list these; `video_options_errors` refuses the others."""
    hidden = set()
    if not replicate_available():
        hidden.add(Visuals.REPLICATE)
    if not stock_providers_available():
        hidden.add(Visuals.STOCK_ONLINE)
    return [choice for choice in Visuals.choices if choice[0] not in hidden]


@dataclass(frozen=True)
class VideoOptions:
    """The options a creator picks for a video, each with its default (the values a video
    gets when the page, the API, a batch row or the command leaves the option out)."""

    aspect: str = Aspect.LANDSCAPE
    quality: str = Quality.P720
    fps: int = Fps.FPS30
    voice: str = DEFAULT_VOICE
    speech_rate: int = RATE_DEFAULT
    music: str = Music.NONE
    music_volume_db: int = -12
    captions: bool = True
    caption_style: str = CaptionStyle.CLASSIC
    caption_font: str = CaptionFont.DEFAULT
    caption_size: int = 100  # percent of the style's own size
    caption_color: str = ""  # "#rrggbb"; "": the style's own
    caption_highlight_color: str = ""  # the word being said (words style); "": yellow
    caption_background: str = CaptionBackground.STYLE
    caption_position: str = CaptionPosition.BOTTOM
    transition: str = Transition.FADE
    visuals: str = Visuals.GENERATED

    def as_kwargs(self) -> dict[str, Any]:
        """The options as keyword arguments: of `video_create`, and of `Video` (each is its field)."""
        return asdict(self)


#: The default of every video option: the one place they are written.
VIDEO_OPTION_DEFAULTS = VideoOptions()
