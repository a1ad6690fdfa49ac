"""What to render: a storyboard as frozen dataclasses with integer milliseconds.

Everything here is plain data. Paths are local files; the service that builds a
spec has already fetched the assets from storage.
"""

from __future__ import annotations

from dataclasses import dataclass

from mediakit.caption_images import CAPTION_POSITIONS
from mediakit.encoding import CONTENT_TYPES

TRANSITIONS: tuple[str, ...] = ("fade", "dissolve", "wipeleft", "slideleft", "cut")
# How long consecutive scenes overlap in a crossfade (no overlap for a cut).
TRANSITION_MS = 500


def transition_ms_for(transition: str) -> int:
    """The overlap between scenes for a transition style: the one place this is decided."""
    return 0 if transition == "cut" else TRANSITION_MS


def video_length_ms(scene_ms: list[int] | tuple[int, ...], *, transition_ms: int) -> int:
    """The scenes end to end, less the crossfade overlaps."""
    if not scene_ms:
        return 0
    return max(sum(scene_ms) - transition_ms * (len(scene_ms) - 1), 0)


# What happens to a scene clip's own sound: dropped, or mixed in under the narration.
CLIP_AUDIO_MODES: tuple[str, ...] = ("drop", "mix")

ASPECTS: tuple[str, ...] = ("16:9", "9:16", "1:1")
QUALITIES: tuple[str, ...] = ("480p", "720p", "1080p")

FRAME_SIZES: dict[tuple[str, str], tuple[int, int]] = {
    ("16:9", "1080p"): (1920, 1080),
    ("9:16", "1080p"): (1080, 1920),
    ("1:1", "1080p"): (1080, 1080),
    ("16:9", "720p"): (1280, 720),
    ("9:16", "720p"): (720, 1280),
    ("1:1", "720p"): (720, 720),
    ("16:9", "480p"): (854, 480),
    ("9:16", "480p"): (480, 854),
    ("1:1", "480p"): (480, 480),
}


def frame_size(aspect: str, quality: str) -> tuple[int, int]:
    """(width, height) for an aspect ratio and a quality name."""
    try:
        return FRAME_SIZES[(aspect, quality)]
    except KeyError:
        raise ValueError(
            f"unknown frame size {aspect!r} {quality!r}; aspects {ASPECTS}, qualities {QUALITIES}"
        ) from None


def scene_duration_for(
    narration_ms: int,
    *,
    transition_ms: int = TRANSITION_MS,
    lead_ms: int = 250,
    tail_ms: int = 250,
    min_ms: int = 2000,
) -> int:
    """Scene length that keeps its narration clear of the next scene.

    The next scene starts transition_ms before this one ends (the crossfade
    overlaps), so the narration, which starts lead_ms into the scene, must end
    tail_ms before that overlap begins.
    """
    if narration_ms < 0:
        raise ValueError("narration_ms must be >= 0")
    return max(min_ms, lead_ms + narration_ms + tail_ms + transition_ms)


@dataclass(frozen=True)
class SceneLayers:
    """A still's picture in two layers (assets.models.PictureLayer): the background, a
    picture_width x picture_height picture without the hero, and the hero (RGBA, with its
    shadow), a hero_width x hero_height box drawn at (hero_x, hero_y) in the picture's
    pixels. The sizes are given, not read: the builder does no I/O."""

    background: str
    hero: str
    hero_x: int
    hero_y: int
    hero_width: int
    hero_height: int
    picture_width: int
    picture_height: int
    # The hero as it looks on its way in (a data card's figure counting up: data_card.
    # data_card_count_up), in the hero's own box: shown one after the other over the scene's
    # first builder.COUNT_UP_MS, then the hero itself. Empty: the hero only enters.
    hero_steps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if min(self.hero_width, self.hero_height, self.picture_width, self.picture_height) <= 0:
            raise ValueError("layer sizes must be positive")


@dataclass(frozen=True)
class SceneSpec:
    picture: str
    duration_ms: int
    narration: str | None
    narration_ms: int
    caption_text: str
    caption_png: str | None = None
    # A video clip shown instead of the picture, trimmed or looped to the scene; clip_ms
    # is the clip's own length (where a loop starts again). The picture stays the
    # scene's still (poster, thumbnails).
    clip: str | None = None
    clip_ms: int = 0
    clip_audio: str = "drop"
    # The narration's caption phrases, (text, start_ms, end_ms) relative to the start of the
    # narration (mediakit.speech.Narration.phrases). When given, each phrase is one cue that
    # starts when its words start and ends when they end; phrase_pngs, if given, holds the
    # burned-in image of each (mediakit.caption_images.render_phrase_pngs). Without phrases
    # the scene has one cue for its whole narration, burned in from caption_png.
    phrases: tuple[tuple[str, int, int], ...] = ()
    phrase_pngs: tuple[str, ...] = ()
    # Each phrase's caption words with the ms each starts, in the same time as `phrases`
    # (Narration.words); () where unknown. caption_frames, if given, replaces phrase_pngs:
    # for each phrase, (image, start_ms in the same time) shown in turn, each until the next
    # one's start or the phrase's end (mediakit.caption_images.render_caption_frames: one
    # per word with that word highlighted, or one per two-line page of a long phrase).
    phrase_words: tuple[tuple[tuple[str, int], ...], ...] = ()
    caption_frames: tuple[tuple[tuple[str, int], ...], ...] = ()
    # The picture in layers, when it was drawn so: a panning scene then moves its hero
    # apart from the background and brings it in (builder.hero_motion). picture stays the
    # composite (zooming scenes show it; poster, thumbnails). Ignored for a clip scene.
    layers: SceneLayers | None = None
    # What the picture is (mediakit.encoding.CONTENT_TYPES: an illustration, a data card, a
    # photo): the encoder's setting depends on it. "" when not known; a clip scene is a clip.
    content: str = ""
    # A brand card (mediakit.brand.draw_card, an intro or an outro): the picture is held as
    # it is, without pan or zoom, and the brand's logo is not drawn over it.
    card: bool = False

    def __post_init__(self) -> None:
        if self.content and self.content not in CONTENT_TYPES:
            raise ValueError(f"unknown content {self.content!r}; one of {CONTENT_TYPES}")
        if self.duration_ms <= 0:
            raise ValueError(f"scene duration_ms must be > 0, got {self.duration_ms}")
        if self.narration_ms < 0:
            raise ValueError("narration_ms must be >= 0")
        if self.narration is None and self.narration_ms:
            raise ValueError("narration_ms set on a scene without narration")
        if self.clip_audio not in CLIP_AUDIO_MODES:
            raise ValueError(f"unknown clip_audio {self.clip_audio!r}; one of {CLIP_AUDIO_MODES}")
        if self.clip is None and (self.clip_ms or self.clip_audio != "drop"):
            raise ValueError("clip_ms or clip_audio set on a scene without a clip")
        if self.clip is not None and self.clip_ms <= 0:
            raise ValueError(f"a clip needs its length in clip_ms (> 0), got {self.clip_ms}")
        if self.phrases and self.narration is None:
            raise ValueError("phrases set on a scene without narration")
        previous_end = 0
        for text, start, end in self.phrases:
            if not 0 <= start < end or start < previous_end:
                raise ValueError(f"phrase times must be increasing and not overlap, got {start}..{end} for {text!r}")
            previous_end = end
        if self.phrases and previous_end > self.narration_ms:
            raise ValueError(f"the last phrase ends at {previous_end} ms, after the narration ({self.narration_ms} ms)")
        if self.phrase_pngs and len(self.phrase_pngs) != len(self.phrases):
            raise ValueError(f"{len(self.phrase_pngs)} phrase images for {len(self.phrases)} phrases")
        if self.phrase_words and len(self.phrase_words) != len(self.phrases):
            raise ValueError(f"word times for {len(self.phrase_words)} phrases, not {len(self.phrases)}")
        if self.caption_frames and len(self.caption_frames) != len(self.phrases):
            raise ValueError(f"caption frames for {len(self.caption_frames)} phrases, not {len(self.phrases)}")


@dataclass(frozen=True)
class LogoOverlay:
    """A brand's logo over every scene but the cards: an RGBA picture already sized and faded
    (mediakit.brand.prepare_logo), its top-left corner at (x, y) in the frame's pixels."""

    path: str
    x: int
    y: int


@dataclass(frozen=True)
class StoryboardSpec:
    scenes: tuple[SceneSpec, ...]
    width: int
    height: int
    fps: int
    transition: str = "fade"
    transition_ms: int = TRANSITION_MS
    narration_lead_ms: int = 250
    music: str | None = None
    music_volume_db: float = -12.0
    # A track that loops at a musical boundary (mediakit.music): repeated every music_loop_ms,
    # each repeat crossfading in over music_crossfade_ms. 0: the file loops whole, end to start.
    music_loop_ms: int = 0
    music_crossfade_ms: int = 0
    captions: bool = True
    # Where captions sit (mediakit.caption_images.CAPTION_POSITIONS), each inside the aspect's
    # safe area (caption_images.caption_y).
    caption_position: str = "bottom"
    # The brand's logo (videos.services.brand_kit); None: no logo.
    logo: LogoOverlay | None = None
    # x264's setting for every piece: "" (the default) takes mediakit.encoding's measured
    # table, by the scenes' content and the frame size (builder.x264_setting); a preset
    # forces that preset with crf and x264_params instead.
    preset: str = ""
    crf: int = 23
    x264_params: str = ""

    def __post_init__(self) -> None:
        if not self.scenes:
            raise ValueError("a storyboard needs at least one scene")
        if self.caption_position not in CAPTION_POSITIONS:
            raise ValueError(f"unknown caption position {self.caption_position!r}; one of {CAPTION_POSITIONS}")
        if self.transition not in TRANSITIONS:
            raise ValueError(f"unknown transition {self.transition!r}; one of {TRANSITIONS}")
        if self.music_loop_ms < 0 or not 0 <= self.music_crossfade_ms < max(self.music_loop_ms, 1):
            raise ValueError(
                f"music_loop_ms must be >= 0 and music_crossfade_ms shorter than it, "
                f"got {self.music_loop_ms} and {self.music_crossfade_ms}"
            )
        # yuv420p needs even dimensions.
        if self.width <= 0 or self.height <= 0 or self.width % 2 or self.height % 2:
            raise ValueError(f"frame size must be positive and even, got {self.width}x{self.height}")
        if not 1 <= self.fps <= 120:
            raise ValueError(f"fps must be in 1..120, got {self.fps}")
        if self.transition_ms < 0 or self.narration_lead_ms < 0:
            raise ValueError("transition_ms and narration_lead_ms must be >= 0")
        if not 0 <= self.crf <= 51:
            raise ValueError(f"crf must be in 0..51, got {self.crf}")
