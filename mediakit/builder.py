"""Pure functions: storyboard + timeline -> FFmpeg argv of the picture.

The video graph of each piece (stills or clips with Ken Burns motion, layered heroes,
captions, crossfades) and the encoder settings every piece shares. The soundtrack is
built in mediakit.audio_mix and mediakit.loudness, the master, poster and exports in
mediakit.output.

No I/O here or there, not even a stat: every function returns a list of strings whose
first item is "ffmpeg" (the runner swaps in the configured binary). The graph
API of ffmpeg-python builds the filter graphs; plain lists are used where a
graph adds nothing (poster, exports).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import ffmpeg

from mediakit.caption_images import LANDSCAPE_BOTTOM, caption_bottom_margin, caption_top_margin
from mediakit.encoding import CLIP, X264Setting, setting_for
from mediakit.spec import SceneLayers, SceneSpec, StoryboardSpec
from mediakit.timeline import TRANSITION, Cue, Piece, SceneSlice, Timeline, ms_to_frames

# Ken Burns: scenes take turns panning forward (left to right, or top to bottom) and
# back. A pan is a crop that moves by whole pixels over a still longer than the frame:
# it costs nothing to make and keeps the still's own sharpness, where zoompan resamples
# every frame (bicubic, fixed in FFmpeg 5.1: ~5 ms a 1080p frame, a quarter of what
# x264 spends on it; with every other scene zooming, the render cost 1.27x x264 alone,
# panning only 1.09x, bench_render 30 s 1080p). A scene whose pan would travel more
# than MAX_PAN_TRAVEL of the frame's long side (a long scene at a small size) zooms
# instead: in where it would have panned forward, out where back.
# A zoom travels this much over a whole scene (1.0 -> 1.1 or back).
ZOOM_RANGE = 0.1
# A pan travels about this share of the frame's long side over a scene, in whole
# pixels a frame (at least 1: 30 px/s at 30 fps).
PAN_TRAVEL = 0.08
MAX_PAN_TRAVEL = 1 / 3
# zoompan crops its input in whole pixels, so on a still of the frame's own size a
# slow zoom holds 2-4 frames and then jumps (720x720, 5 s: 83 of 149 frame pairs
# identical). The still is therefore kept larger than the frame: at least 1+ZOOM_RANGE
# (zoompan then only ever scales down, which keeps the picture sharp), and large
# enough that the crop's width changes by MIN_CROP_STEP_PX input pixels a frame even
# at the slowest point of the zoom. Measured on a 150-frame zoom: 0.8 px a frame held
# 18 pairs, 1.06-1.19 px held none. The cost grows with the still's area, so the
# scale stops at MAX_STILL_SCALE and at MAX_STILL_PIXELS.
MIN_CROP_STEP_PX = 1.1
MAX_STILL_SCALE = 4.0
MAX_STILL_PIXELS = 3840 * 2160
# Colour: stills and captions are converted from RGB with the BT.709 matrix into
# limited range, and every encode says so (browsers assume BT.709 for HD; FFmpeg's
# default matrix is BT.601 and untagged).
COLOR_MATRIX = "bt709"
COLOR_RANGE = "tv"
# A keyframe at least every KEYFRAME_INTERVAL_S: seeking decodes at most that much.
KEYFRAME_INTERVAL_S = 2
# Caption overlay sits this fraction of the frame height above the bottom edge: inside the
# title-safe area, clear of a player's control bar (wide and square frames; a 9:16 frame
# keeps clear of the apps' buttons instead: caption_images.caption_bottom_margin).
CAPTION_MARGIN = LANDSCAPE_BOTTOM
# Life in the frame: a scene whose picture comes in layers (spec.SceneLayers) pans its
# background as any still and overlays its hero moving about PARALLAX times as fast
# (nearer the camera), whole even pixels a frame: a 4:2:0 overlay places its input on
# even pixels only, so the hero's step is the even number nearest PARALLAX x the
# background's (2 px against 1 px at 1080p: 2x, the nearest even speed). The hero is
# where the picture has it at the middle of the scene, shifted along the pan if its
# path would leave the title-safe area (TITLE_SAFE_MARGIN of the frame on each side,
# EBU R 95). It enters over ENTRANCE_MS: alpha 0 -> 1 and a rise of ENTRANCE_RISE of
# the frame's height, eased out. The opening scene has no entrance: the poster is the
# video's first frame and shows the whole picture. A hero too large to travel inside the
# safe area (a data card's figure and chart) holds still while the ground pans behind it.
PARALLAX = 1.5
TITLE_SAFE_MARGIN = 0.05
ENTRANCE_MS = 500
ENTRANCE_RISE = 0.04
# Count-up: a hero drawn in steps (spec.SceneLayers.hero_steps: a data card's figure at
# progress 0, 1/n, ... of its count) shows each step for an equal share of its scene's first
# COUNT_UP_MS, then the hero itself; all in the hero's box, overlaid as the hero is, so the
# count costs a few more small pictures decoded once, and nothing per frame. Longer than the
# entrance, so the number is still moving once the card is fully in. Only with an entrance
# (never in the opening scene: the poster shows the final figure).
COUNT_UP_MS = 1000

# Encoded pieces are MP4. Both MP4 and MPEG-TS pieces (x264 with B-frames) join
# under the concat demuxer with -c copy without "Non-monotonous DTS" and with
# every frame; both also drift off the frame grid unless the list gives each
# file's exact duration (MP4 keeps durations in ms, TS guesses them), see
# output.concat_list_text. MP4 needs no probing of TS start offsets.
PIECE_EXTENSION = ".mp4"
# x264 picks its own thread count (1.5 x cores); the same for pieces and for the
# benchmark's baseline. The filters run in FFmpeg's main thread meanwhile.
X264_THREADS = 0

# Transitions that give the same picture when applied to each plane on its own.
PLANEWISE_TRANSITIONS: frozenset[str] = frozenset({"fade", "wipeleft", "slideleft"})


def color_tags() -> dict[str, str]:
    """Output options that tag a stream as BT.709 limited range (the VUI of H.264, VP9's header)."""
    return {
        "colorspace": COLOR_MATRIX,
        "color_primaries": COLOR_MATRIX,
        "color_trc": COLOR_MATRIX,
        "color_range": COLOR_RANGE,
    }


def gop_options(fps: float) -> dict[str, str]:
    """A keyframe at least every KEYFRAME_INTERVAL_S (x264 and libvpx read -g).

    keyint_min stays below half the GOP, as x264 requires; a scene change may
    still start a GOP early.
    """
    gop = max(1, math.floor(fps * KEYFRAME_INTERVAL_S))
    return {"g": str(gop), "keyint_min": str(max(1, gop // 2))}


def scene_content(scene: SceneSpec) -> str:
    """What a scene shows, for the encoder (mediakit.encoding): a clip scene is a clip."""
    return CLIP if scene.clip is not None else scene.content


def x264_setting(spec: StoryboardSpec) -> X264Setting:
    """The storyboard's own setting when it names a preset, else the measured table's for
    its scenes' content at its frame size (one setting for the whole video)."""
    if spec.preset:
        return X264Setting(spec.preset, spec.crf, spec.x264_params)
    return setting_for((scene_content(scene) for scene in spec.scenes), spec.width, spec.height)


def x264_setting_options(setting: X264Setting) -> dict[str, str]:
    """An X264Setting as FFmpeg output options (masters and exports alike)."""
    options = {"c:v": "libx264", "preset": setting.preset, "crf": str(setting.crf)}
    if setting.params:
        options["x264-params"] = setting.params
    return options


def x264_options(spec: StoryboardSpec) -> dict[str, str]:
    """Encoder settings shared by every piece: the concat demuxer's -c copy relies on it."""
    return {
        **x264_setting_options(x264_setting(spec)),
        "profile:v": "high",
        "pix_fmt": "yuv420p",
        "r": str(spec.fps),
        **gop_options(spec.fps),
        **color_tags(),
        "threads": str(X264_THREADS),
    }


def x264_args(spec: StoryboardSpec) -> list[str]:
    """x264_options as command-line arguments (for benchmarks that encode raw frames)."""
    args: list[str] = []
    for key, value in x264_options(spec).items():
        args += [f"-{key}", value]
    return args


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _cues_for_scene(timeline: Timeline, scene: int) -> list[Cue]:
    return [cue for cue in timeline.cues if cue.scene == scene]


def _cue_image(spec: StoryboardSpec, cue: Cue) -> str | None:
    scene = spec.scenes[cue.scene]
    if cue.phrase is not None:
        return scene.phrase_pngs[cue.phrase] if scene.phrase_pngs else None
    return scene.caption_png


def zoom_expression(scene: int, first_frame: int, scene_frames: int) -> str:
    """Zoom factor of zoompan's output frame `on`, continuous across a scene's pieces.

    A scene that would have panned forward zooms in (1 -> 1+ZOOM_RANGE), one that
    would have panned back zooms out. `on` restarts at 0 in every piece, so the
    piece's first frame within the scene is added back.
    """
    progress = f"(on+{first_frame})/{scene_frames}"
    if scene_goes_forward(scene):
        return f"1+{ZOOM_RANGE}*{progress}"
    return f"{1 + ZOOM_RANGE:g}-{ZOOM_RANGE}*{progress}"


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def scene_goes_forward(scene: int) -> bool:
    """Whether scene number `scene` pans forward (or zooms in); the others pan back (or zoom out)."""
    return scene % 2 == 0


@dataclass(frozen=True)
class Pan:
    """A pan across a still longer than the frame on one axis, step_px whole pixels every frame.

    Whole pixels: the crop only moves where the frame starts (no resampling, so
    the frame is as sharp as the still and costs nothing to make); the same
    step every frame, so the motion is even. forward: left to right (or top to
    bottom); otherwise back.
    """

    horizontal: bool
    step_px: int
    travel_px: int
    forward: bool

    def offset_expression(self, first_frame: int) -> str:
        """The crop's offset along the pan's axis for the crop's input frame n."""
        moved = f"{self.step_px}*(n+{first_frame})"
        return moved if self.forward else f"{self.travel_px}-{moved}"


def scene_pan(scene: int, width: int, height: int, scene_frames: int) -> Pan | None:
    """The scene's pan, or None when the scene is too long to pan within MAX_PAN_TRAVEL (it zooms).

    Along the frame's long side; PAN_TRAVEL of that side over the scene, in
    whole pixels a frame (at least one), so the travel grows with the scene's
    length. A scene whose travel would pass MAX_PAN_TRAVEL zooms instead.
    """
    side = max(width, height)
    frames = max(1, scene_frames)
    step = max(1, round(PAN_TRAVEL * side / frames))
    travel = step * (frames - 1)
    if travel > MAX_PAN_TRAVEL * side:
        return None
    return Pan(horizontal=width >= height, step_px=step, travel_px=travel, forward=scene_goes_forward(scene))


def still_size(width: int, height: int, scene_frames: int) -> tuple[int, int]:
    """The size a zooming scene's still is kept at: the frame scaled up (see MIN_CROP_STEP_PX).

    zoompan's crop is iw/zoom wide; its width changes by iw*ZOOM_RANGE/frames/zoom^2
    a frame, slowest at the far end of the zoom.
    """
    slowest = max(width, height) * ZOOM_RANGE / max(1, scene_frames) / (1 + ZOOM_RANGE) ** 2
    scale = max(1 + ZOOM_RANGE, MIN_CROP_STEP_PX / slowest)
    scale = min(scale, MAX_STILL_SCALE, math.sqrt(MAX_STILL_PIXELS / (width * height)))
    scale = max(scale, 1 + ZOOM_RANGE)  # a huge frame still never zooms by upscaling
    return _even(width * scale), _even(height * scale)


def pan_still_size(width: int, height: int, pan: Pan) -> tuple[int, int]:
    """The frame lengthened by the pan's travel along its axis (even, for 4:2:0)."""
    if pan.horizontal:
        return _even(width + pan.travel_px + 1), height
    return width, _even(height + pan.travel_px + 1)


def scene_still_size(spec: StoryboardSpec, timeline: Timeline, scene: int) -> tuple[int, int]:
    """The size scene `scene`'s still is fitted to for its move (pan or zoom); a card's, the frame."""
    if spec.scenes[scene].card:
        return spec.width, spec.height
    frames = timeline.scene_frames[scene]
    pan = scene_pan(scene, spec.width, spec.height, frames)
    if pan is not None:
        return pan_still_size(spec.width, spec.height, pan)
    return still_size(spec.width, spec.height, frames)


def scene_layers(spec: StoryboardSpec, timeline: Timeline, scene: int) -> SceneLayers | None:
    """The layers scene `scene` is drawn from: those of a still that pans, else None.

    A zooming scene (too long to pan) zooms its composite picture as before: a hero
    fixed over a zoompan would slide against its own shadow's background.
    """
    layers = spec.scenes[scene].layers
    if layers is None or spec.scenes[scene].clip is not None:
        return None
    if scene_pan(scene, spec.width, spec.height, timeline.scene_frames[scene]) is None:
        return None
    return layers


def scene_still_picture(spec: StoryboardSpec, timeline: Timeline, scene: int) -> str:
    """The picture scene `scene`'s still is fitted from: its background layer, or its picture."""
    layers = scene_layers(spec, timeline, scene)
    return layers.background if layers is not None else spec.scenes[scene].picture


@dataclass(frozen=True)
class HeroFit:
    """The hero drawn with exactly the transform render.fit_still gives its picture (cover
    scale, centre crop to the still's size), on a transparent canvas of width x height
    whose top-left corner is pixel (x, y) of the fitted still; x and y are even, where a
    4:2:0 overlay can put it. Canvas pixel (0, 0) starts at (source_x, source_y) of the
    hero's own pixels (negative: left of or above the hero's box), scale canvas pixels a
    hero pixel."""

    x: int
    y: int
    width: int
    height: int
    scale: float
    source_x: float
    source_y: float


def _even_floor(value: float) -> int:
    return 2 * math.floor(value / 2)


def _even_ceil(value: float) -> int:
    return 2 * math.ceil(value / 2)


def hero_fit(layers: SceneLayers, still_w: int, still_h: int) -> HeroFit:
    """Where the hero of `layers` lands on its background fitted to still_w x still_h."""
    pw, ph = layers.picture_width, layers.picture_height
    if (still_w, still_h) == (pw, ph):
        scale, left, top = 1.0, 0.0, 0.0  # fit_still keeps a picture of the still's size as it is
    else:
        scale = max(still_w / pw, still_h / ph)
        left, top = max(0.0, (pw - still_w / scale) / 2), max(0.0, (ph - still_h / scale) / 2)
    x0 = _even_floor((layers.hero_x - left) * scale)
    y0 = _even_floor((layers.hero_y - top) * scale)
    x1 = _even_ceil((layers.hero_x + layers.hero_width - left) * scale)
    y1 = _even_ceil((layers.hero_y + layers.hero_height - top) * scale)
    return HeroFit(
        x=x0,
        y=y0,
        width=max(2, x1 - x0),
        height=max(2, y1 - y0),
        scale=scale,
        source_x=left + x0 / scale - layers.hero_x,
        source_y=top + y0 / scale - layers.hero_y,
    )


def scene_hero_fit(spec: StoryboardSpec, timeline: Timeline, scene: int) -> HeroFit | None:
    """The fitted hero of scene `scene`, or None when it shows no separate hero.

    A hero that holds still (too large to travel inside the title-safe area: a data card's
    figure and chart) is fitted at the frame's own size, where its picture laid it out
    inside that area; fitted with the panning still it would grow by the pan's travel (14 %
    on a 6 s 720p scene) and its edges leave the safe area."""
    layers = scene_layers(spec, timeline, scene)
    if layers is None:
        return None
    fit = hero_fit(layers, *scene_still_size(spec, timeline, scene))
    if _holds_still(spec, timeline, scene, fit):
        return hero_fit(layers, spec.width, spec.height)
    return fit


def _holds_still(spec: StoryboardSpec, timeline: Timeline, scene: int, fit: HeroFit) -> bool:
    """Whether the hero fitted as ``fit`` is too large to travel inside the title-safe area."""
    frames = timeline.scene_frames[scene]
    pan = scene_pan(scene, spec.width, spec.height, frames)
    if pan is None:
        return False
    side, box = (spec.width, fit.width) if pan.horizontal else (spec.height, fit.height)
    travel = hero_step(pan.step_px) * (frames - 1)
    return box + travel > side - 2 * round(TITLE_SAFE_MARGIN * side)


@dataclass(frozen=True)
class HeroMotion:
    """The hero's path over its scene, in frame pixels: along the pan's axis it starts at
    `start` and moves `velocity` (even) pixels a frame; across it, it stays at `across`.
    For its first entrance_frames it fades in and rises from rise_px below, eased out; for
    its first count_up_frames it shows its steps (see COUNT_UP_MS) before itself."""

    fit: HeroFit
    horizontal: bool
    start: int
    velocity: int
    across: int
    entrance_frames: int
    rise_px: int
    count_up_frames: int = 0

    def along_expression(self, first_frame: int) -> str:
        """The overlay's coordinate along the pan for the slice's frame n."""
        sign = "-" if self.velocity < 0 else "+"
        return f"{self.start}{sign}{abs(self.velocity)}*(n+{first_frame})"

    def across_expression(self, first_frame: int) -> str:
        return str(self.across)

    def rise_expression(self, first_frame: int) -> str:
        """The entrance's offset below the hero's place (0 once it has risen)."""
        if first_frame >= self.entrance_frames or self.rise_px <= 0:
            return ""
        return f"+{self.rise_px}*pow(max(0,1-(n+{first_frame})/{self.entrance_frames}),2)"

    def overlay_position(self, first_frame: int) -> tuple[str, str]:
        """overlay's x and y for a slice starting at the scene's frame first_frame.

        overlay rounds a 4:2:0 position down to even pixels: the path is even already,
        the rise settles on them.
        """
        along, across = self.along_expression(first_frame), self.across_expression(first_frame)
        rise = self.rise_expression(first_frame)
        if self.horizontal:
            return along, f"{across}{rise}"
        return across, f"{along}{rise}"


def hero_step(pan_step: int) -> int:
    """The hero's step a frame: the even number nearest PARALLAX x the background's, and faster."""
    step = 2 * round(PARALLAX * pan_step / 2)
    return step if step > pan_step else step + 2


def hero_motion(spec: StoryboardSpec, timeline: Timeline, scene: int) -> HeroMotion | None:
    """How scene `scene`'s hero moves (see PARALLAX), or None when it has no separate hero."""
    layers = scene_layers(spec, timeline, scene)
    if layers is None:
        return None
    still_fit = hero_fit(layers, *scene_still_size(spec, timeline, scene))
    fit = scene_hero_fit(spec, timeline, scene)
    assert fit is not None
    w, h = spec.width, spec.height
    frames = timeline.scene_frames[scene]
    pan = scene_pan(scene, w, h, frames)
    assert pan is not None  # scene_layers gives layers only to panning scenes
    side, box = (w, fit.width) if pan.horizontal else (h, fit.height)
    registered = fit.x if pan.horizontal else fit.y
    velocity = -hero_step(pan.step_px) if pan.forward else hero_step(pan.step_px)
    # Where the pan's crop starts at the scene's middle frame: the hero is on its place there.
    middle = (frames - 1) / 2
    crop_at_middle = pan.step_px * middle if pan.forward else pan.travel_px - pan.step_px * middle
    start = _even_floor(registered - crop_at_middle - velocity * middle + 1)
    lowest = min(start, start + velocity * (frames - 1))
    highest = max(start, start + velocity * (frames - 1)) + box
    margin = round(TITLE_SAFE_MARGIN * side)
    if _holds_still(spec, timeline, scene, still_fit):
        # A hero too large to travel inside the safe area (a data card's figure and chart)
        # holds still where its picture laid it out, at the frame's scale, while the ground
        # pans behind it: a slower speed would have to step on odd pixels, which a 4:2:0
        # overlay cannot.
        velocity = 0
        start = _even_floor(registered + 1)
        lowest, highest = start, start + box
    if highest - lowest <= side - 2 * margin:
        shift = max(0, margin - lowest) - max(0, highest - (side - margin))
    else:
        # Larger than the safe area itself: keep it centred in the frame.
        shift = round((side - lowest - highest) / 2)
    start += 2 * round(shift / 2)
    across = _across_in_safe_area(
        fit.y if pan.horizontal else fit.x, fit.height if pan.horizontal else fit.width, h if pan.horizontal else w
    )
    entrance = 0 if scene == 0 else min(frames, ms_to_frames(ENTRANCE_MS, spec.fps))
    count_up = min(frames, ms_to_frames(COUNT_UP_MS, spec.fps)) if entrance and layers.hero_steps else 0
    return HeroMotion(
        fit=fit,
        horizontal=pan.horizontal,
        start=start,
        velocity=velocity,
        across=across,
        entrance_frames=entrance,
        rise_px=round(ENTRANCE_RISE * h) if entrance else 0,
        count_up_frames=count_up,
    )


def _across_in_safe_area(at: int, box: int, side: int) -> int:
    """The hero's (even) place across the pan, moved into the title-safe area if it leaves
    it, or centred when it is larger. The still is the frame's size across the pan, but
    scaled up with the picture for the pan's length: a wide hero laid out inside the
    picture's margins (a 9:16 data card's figure) grew past them, to the frame's edge."""
    margin = round(TITLE_SAFE_MARGIN * side)
    if box <= side - 2 * margin:
        shift = max(0, margin - at) - max(0, at + box - (side - margin))
    else:
        shift = round((side - 2 * at - box) / 2)
    return at + 2 * round(shift / 2)


@dataclass(frozen=True)
class HeroShot:
    """One picture of a slice's hero stream, shown on scene frames [first, end)."""

    picture: str
    first: int
    end: int


def hero_shots(spec: StoryboardSpec, timeline: Timeline, part: SceneSlice) -> list[HeroShot]:
    """The pictures the hero stream of slice `part` is made of, in order: those of its steps
    (see COUNT_UP_MS) that it shows, then the hero, or the hero alone. A slice that starts
    inside the entrance is made from the scene's first frame (the fade counts from there) and
    drops the frames before its own. Empty when the scene has no separate hero."""
    motion = hero_motion(spec, timeline, part.scene)
    layers = scene_layers(spec, timeline, part.scene)
    if motion is None or layers is None:
        return []
    origin = 0 if part.first_frame < motion.entrance_frames else part.first_frame
    end = part.first_frame + part.frames
    steps = layers.hero_steps if motion.count_up_frames else ()
    starts = [round(k * motion.count_up_frames / len(steps)) for k in range(len(steps))]
    bounds = [*starts, motion.count_up_frames if steps else 0, end]
    shots = []
    for picture, first, last in zip([*steps, layers.hero], bounds, bounds[1:], strict=False):
        first, last = max(first, origin), min(last, end)
        if first < last:
            shots.append(HeroShot(picture, first, last))
    return shots


def to_bt709(stream: ffmpeg.nodes.FilterableStream, pix_fmt: str) -> ffmpeg.nodes.FilterableStream:
    """RGB pictures (stills, captions) into YUV with the BT.709 matrix, in limited range.

    The explicit scale does the conversion; left to format negotiation FFmpeg
    would insert one with the BT.601 matrix.
    """
    return stream.filter("scale", out_color_matrix=COLOR_MATRIX, out_range=COLOR_RANGE).filter("format", pix_fmt)


class _Stills:
    """The pictures of one process, each read and fitted to its move's size once (pan or zoom).

    A picture used by several chains (a scene's body and its transitions, or
    one file shown in two scenes) goes through an explicit split: ffmpeg-python
    merges identical filter chains and would otherwise refuse the fan-out.
    The render hands in stills already fitted to that size (render.fit_still),
    so the scale and crop here change nothing but the colour matrix; they fit a
    picture Pillow could not read.
    """

    def __init__(self, spec: StoryboardSpec, timeline: Timeline, slices: Sequence[SceneSlice]) -> None:
        uses: Counter[tuple[str, tuple[int, int]]] = Counter()
        for part in slices:
            if spec.scenes[part.scene].clip is not None:
                continue  # shows its clip, not its picture (see _Clips)
            uses[self.key(spec, timeline, part.scene)] += 1
        self._streams: dict[tuple[str, tuple[int, int]], list[ffmpeg.nodes.FilterableStream]] = {}
        for (path, (w, h)), count in uses.items():
            fitted = (
                # At the video's frame rate: a pan repeats this frame (the loop filter), and
                # xfade and concat take only inputs of one frame rate and time base.
                ffmpeg.input(path, framerate=spec.fps)
                .video.filter(
                    "scale",
                    w,
                    h,
                    force_original_aspect_ratio="increase",
                    out_color_matrix=COLOR_MATRIX,
                    out_range=COLOR_RANGE,
                )
                .filter("crop", w, h)
                .filter("format", "yuv420p")
            )
            if count == 1:
                self._streams[(path, (w, h))] = [fitted]
            else:
                split = fitted.filter_multi_output("split", count)
                self._streams[(path, (w, h))] = [split[i] for i in range(count)]

    @staticmethod
    def key(spec: StoryboardSpec, timeline: Timeline, scene: int) -> tuple[str, tuple[int, int]]:
        return scene_still_picture(spec, timeline, scene), scene_still_size(spec, timeline, scene)

    def take(self, key: tuple[str, tuple[int, int]]) -> ffmpeg.nodes.FilterableStream:
        return self._streams[key].pop(0)


class _Heroes:
    """The heroes of one process' layered scenes, each read, fitted (render.fit_hero hands
    them in fitted already: the scale then changes nothing but the colour matrix) and
    converted to 4:2:0 with alpha once, then split between the slices that show it."""

    def __init__(self, spec: StoryboardSpec, timeline: Timeline, slices: Sequence[SceneSlice]) -> None:
        uses: Counter[tuple[str, HeroFit]] = Counter()
        for part in slices:
            fit = scene_hero_fit(spec, timeline, part.scene)
            if fit is not None:
                uses.update((shot.picture, fit) for shot in hero_shots(spec, timeline, part))
        self._streams: dict[tuple[str, HeroFit], list[ffmpeg.nodes.FilterableStream]] = {}
        for (path, fit), count in uses.items():
            fitted = (
                ffmpeg.input(path, framerate=spec.fps)
                .video.filter("scale", fit.width, fit.height, out_color_matrix=COLOR_MATRIX, out_range=COLOR_RANGE)
                .filter("format", "yuva420p")
            )
            if count == 1:
                self._streams[(path, fit)] = [fitted]
            else:
                split = fitted.filter_multi_output("split", count)
                self._streams[(path, fit)] = [split[i] for i in range(count)]

    def take(self, key: tuple[str, HeroFit]) -> ffmpeg.nodes.FilterableStream:
        return self._streams[key].pop(0)


def _with_hero(
    video: ffmpeg.nodes.FilterableStream,
    spec: StoryboardSpec,
    timeline: Timeline,
    part: SceneSlice,
    heroes: _Heroes,
) -> ffmpeg.nodes.FilterableStream:
    """The slice's panned background with its hero over it (see PARALLAX), if it has one."""
    motion = hero_motion(spec, timeline, part.scene)
    shots = hero_shots(spec, timeline, part)
    if motion is None or not shots:
        return video
    fps = spec.fps
    # Each picture held for its frames (by reference: no copies), the steps joined end to end.
    held = [
        heroes.take((shot.picture, motion.fit))
        .filter("loop", loop=shot.end - shot.first - 1, size=1, start=0)
        .filter("setpts", f"N/({fps}*TB)")
        for shot in shots
    ]
    if len(held) > 1:
        # Back on the frame grid: straight from concat, a 45-frame body came out 46 frames long.
        hero = ffmpeg.concat(*held, v=1, a=0).filter("setpts", f"N/({fps}*TB)")
    else:
        hero = held[0]
    if part.first_frame < motion.entrance_frames:
        # The fade counts from the scene's first frame: a slice starting inside the
        # entrance (the body after an incoming crossfade) makes those frames and drops them.
        hero = hero.filter("fade", type="in", start_frame=0, nb_frames=motion.entrance_frames, alpha=1)
        if part.first_frame:
            hero = hero.filter("trim", start_frame=part.first_frame)
        hero = hero.filter("setpts", f"N/({fps}*TB)")
    x, y = motion.overlay_position(part.first_frame)
    # format=yuv420: blended in 4:2:0 over the hero's box only; the frame is never converted.
    return ffmpeg.overlay(video, hero, x=x, y=y, format="yuv420")


def clip_start(part: SceneSlice, fps: int, clip_ms: int) -> Fraction:
    """Where in its clip a slice of a clip scene starts, in seconds: the slice's first
    frame within the scene, wrapped round the clip's length (the clip loops)."""
    return Fraction(part.first_frame, fps) % Fraction(clip_ms, 1000)


class _Clips:
    """The clip slices of one process. Each slice reads its clip from where the slice
    starts (input seeking, looping with -stream_loop), at the video's frame rate, scaled
    to cover the frame and centre-cropped: no zoompan, the clip moves by itself. Slices
    that start at the same point of the same clip share one input through a split."""

    def __init__(self, spec: StoryboardSpec, slices: Sequence[SceneSlice]) -> None:
        self.spec = spec
        w, h = spec.width, spec.height
        uses = Counter(self._key(part) for part in slices if spec.scenes[part.scene].clip is not None)
        self._streams: dict[tuple[str, Fraction], list[ffmpeg.nodes.FilterableStream]] = {}
        for (path, start), count in uses.items():
            fitted = (
                ffmpeg.input(path, stream_loop=-1, ss=f"{float(start):.6f}")
                .video.filter("fps", spec.fps)
                # swscale converts between YUV matrices too (checked: a BT.601 red
                # went from Y 97 to 82): a clip tagged BT.709 passes unchanged, one
                # tagged BT.601 is converted, an untagged one is taken as BT.601.
                .filter(
                    "scale",
                    w,
                    h,
                    force_original_aspect_ratio="increase",
                    out_color_matrix=COLOR_MATRIX,
                    out_range=COLOR_RANGE,
                )
                .filter("crop", w, h)
                .filter("setsar", 1)
                .filter("format", "yuv420p")
            )
            if count == 1:
                self._streams[(path, start)] = [fitted]
            else:
                split = fitted.filter_multi_output("split", count)
                self._streams[(path, start)] = [split[i] for i in range(count)]

    def _key(self, part: SceneSlice) -> tuple[str, Fraction]:
        scene = self.spec.scenes[part.scene]
        assert scene.clip is not None
        return scene.clip, clip_start(part, self.spec.fps, scene.clip_ms)

    def take(self, part: SceneSlice) -> ffmpeg.nodes.FilterableStream:
        return self._streams[self._key(part)].pop(0)


def _scene_stream(
    spec: StoryboardSpec,
    timeline: Timeline,
    piece: Piece,
    part: SceneSlice,
    stills: _Stills,
    clips: _Clips,
    captions: _Captions,
    heroes: _Heroes,
) -> ffmpeg.nodes.FilterableStream:
    scene = spec.scenes[part.scene]
    w, h, fps = spec.width, spec.height, spec.fps
    if scene.clip is not None:
        # Exactly the slice's frames: a short clip has looped, a long one is cut.
        video = clips.take(part).filter("trim", end_frame=part.frames).filter("setpts", f"N/({fps}*TB)")
    elif scene.card:
        # A brand card holds still: its one fitted frame repeated for the slice, by reference.
        video = (
            stills.take(_Stills.key(spec, timeline, part.scene))
            .filter("loop", loop=part.frames - 1, size=1, start=0)
            .filter("setpts", f"N/({fps}*TB)")
            .filter("setsar", 1)
        )
    elif (pan := scene_pan(part.scene, w, h, timeline.scene_frames[part.scene])) is not None:
        offset = pan.offset_expression(part.first_frame)
        video = (
            stills.take(_Stills.key(spec, timeline, part.scene))
            # The one fitted frame, repeated (by reference: no copies) for every frame of the slice.
            .filter("loop", loop=part.frames - 1, size=1, start=0)
            .filter("setpts", f"N/({fps}*TB)")
            # exact=1: a 4:2:0 crop would otherwise round the offset down to even pixels,
            # and a one-pixel step would move every other frame.
            .filter(
                "crop",
                w,
                h,
                x=offset if pan.horizontal else 0,
                y=0 if pan.horizontal else offset,
                exact=1,
            )
            .filter("setsar", 1)
        )
        video = _with_hero(video, spec, timeline, part, heroes)
    else:
        video = (
            stills.take(_Stills.key(spec, timeline, part.scene))
            .filter(
                "zoompan",
                z=zoom_expression(part.scene, part.first_frame, timeline.scene_frames[part.scene]),
                x="iw/2-(iw/zoom/2)",
                y="ih/2-(ih/zoom/2)",
                d=part.frames,
                s=f"{w}x{h}",
                fps=fps,
            )
            # N/(fps*TB), not N/fps/TB: the latter rounds some frames onto the previous timestamp.
            .filter("setpts", f"N/({fps}*TB)")
            # Square pixels whatever the picture's header said (clips get the same in _Clips).
            .filter("setsar", 1)
        )
    for image, start, end in _caption_windows(spec, timeline, piece, part):
        video = ffmpeg.overlay(
            video,
            captions.take(image),
            x="(W-w)/2",
            y=_caption_y(w, h, spec.caption_position),
            enable=f"between(t,{_seconds(max(0.0, start))},{_seconds(end)})",
            format="yuv420",
        )
    if spec.logo is not None and not scene.card:
        # Over the scene, so it crossfades in and out with it (from and to a card).
        video = ffmpeg.overlay(video, captions.take(spec.logo.path), x=spec.logo.x, y=spec.logo.y, format="yuv420")
    return video


def _caption_y(w: int, h: int, position: str) -> str:
    """The overlay's y for a caption image of any height (h in the expression), inside the
    aspect's safe area: the same place caption_images.caption_y computes for one image."""
    if position == "top":
        return str(caption_top_margin(w, h))
    if position == "middle":
        return "(H-h)/2"
    return f"H-h-{caption_bottom_margin(w, h)}"


def _caption_windows(
    spec: StoryboardSpec, timeline: Timeline, piece: Piece, part: SceneSlice
) -> Iterator[tuple[str, float, float]]:
    """(image, start s, end s from the piece's start) of each caption the slice shows."""
    if not spec.captions:
        return
    piece_start = piece.start_frame / spec.fps
    scene = spec.scenes[part.scene]
    for cue in _cues_for_scene(timeline, part.scene):
        if cue.phrase is not None and scene.caption_frames:
            # Shown in turn (a word highlighted, or a page of a long phrase), each until the next.
            lead = cue.start_ms - scene.phrases[cue.phrase][1]
            frames = scene.caption_frames[cue.phrase]
            # Half a frame early: a word lands on the frame nearest its start, not the one after.
            early = 500 // spec.fps
            for index, (image, at) in enumerate(frames):
                start = max(cue.start_ms, lead + at - early)
                end = lead + frames[index + 1][1] - early if index + 1 < len(frames) else cue.end_ms
                start_s, end_s = start / 1000 - piece_start, min(end, cue.end_ms) / 1000 - piece_start
                if end_s > start_s and end_s > 0 and start_s < piece.frames / spec.fps:
                    yield image, start_s, end_s
            continue
        cue_png = _cue_image(spec, cue)
        start_s, end_s = cue.start_ms / 1000 - piece_start, cue.end_ms / 1000 - piece_start
        if cue_png is not None and end_s > 0 and start_s < piece.frames / spec.fps:
            yield cue_png, start_s, end_s


class _Captions:
    """The caption pictures of one process (and the brand's logo, drawn over every slice of
    a scene that is not a card), each converted to YUV once (BT.709, see to_bt709) and split
    between the chains that show it (a caption across a transition and a body)."""

    def __init__(self, spec: StoryboardSpec, timeline: Timeline, pieces: Sequence[Piece]) -> None:
        uses = Counter(
            image
            for piece in pieces
            for part in piece.slices
            for image, _start, _end in _caption_windows(spec, timeline, piece, part)
        )
        if spec.logo is not None:
            uses.update(spec.logo.path for piece in pieces for part in piece.slices if not spec.scenes[part.scene].card)
        self._streams: dict[str, list[ffmpeg.nodes.FilterableStream]] = {}
        for path, count in uses.items():
            converted = to_bt709(ffmpeg.input(path).video, "yuva420p")
            if count == 1:
                self._streams[path] = [converted]
            else:
                split = converted.filter_multi_output("split", count)
                self._streams[path] = [split[i] for i in range(count)]

    def take(self, path: str) -> ffmpeg.nodes.FilterableStream:
        return self._streams[path].pop(0)


def _piece_video(
    spec: StoryboardSpec,
    timeline: Timeline,
    piece: Piece,
    stills: _Stills,
    clips: _Clips,
    captions: _Captions,
    heroes: _Heroes,
) -> ffmpeg.nodes.FilterableStream:
    if piece.kind != TRANSITION:
        return _scene_stream(spec, timeline, piece, piece.slices[0], stills, clips, captions, heroes)
    outgoing, incoming = (
        _scene_stream(spec, timeline, piece, part, stills, clips, captions, heroes) for part in piece.slices
    )
    xfade = {"transition": spec.transition, "duration": f"{piece.frames / spec.fps:.6f}", "offset": 0}
    if spec.transition in PLANEWISE_TRANSITIONS:
        # xfade takes no 4:2:0 input; converting both scenes to 4:4:4 and back cost
        # ~15 ms a 1080p frame. These transitions treat every pixel of a plane
        # alike (or move the plane as a whole), so the Y, U and V planes are
        # crossfaded separately as gray images and merged back into 4:2:0.
        a = outgoing.filter_multi_output("extractplanes", "y+u+v")
        b = incoming.filter_multi_output("extractplanes", "y+u+v")
        planes = [ffmpeg.filter([a[i], b[i]], "xfade", **xfade) for i in range(3)]
        return ffmpeg.filter(planes, "mergeplanes", "0x001020", "yuv420p")
    # dissolve picks pixels at random: per plane, luma and chroma would disagree.
    return ffmpeg.filter([outgoing, incoming], "xfade", **xfade).filter("format", "yuv420p")


def _segment_video(spec: StoryboardSpec, timeline: Timeline, pieces: Sequence[Piece]) -> ffmpeg.nodes.FilterableStream:
    if not pieces:
        raise ValueError("a segment needs at least one piece")
    for before, after in zip(pieces, pieces[1:], strict=False):
        if after.start_frame != before.end_frame:
            raise ValueError("a segment's pieces must be consecutive on the timeline")
    slices = [part for piece in pieces for part in piece.slices]
    stills, clips = _Stills(spec, timeline, slices), _Clips(spec, slices)
    captions = _Captions(spec, timeline, pieces)
    heroes = _Heroes(spec, timeline, slices)
    chains = [_piece_video(spec, timeline, piece, stills, clips, captions, heroes) for piece in pieces]
    if len(chains) == 1:
        return chains[0]
    # Each chain already counts its own time from 0 (captions rely on it); concat
    # lays them end to end, all in 4:2:0.
    return ffmpeg.concat(*chains, v=1, a=0)


def piece_argv(spec: StoryboardSpec, timeline: Timeline, piece: Piece, out_path: str) -> list[str]:
    """One FFmpeg process per piece: still(s) -> Ken Burns -> captions -> [xfade] -> x264."""
    return segment_argv(spec, timeline, [piece], out_path)


def segment_argv(spec: StoryboardSpec, timeline: Timeline, pieces: Sequence[Piece], out_path: str) -> list[str]:
    """Consecutive pieces encoded by one process (piece_argv is the one-piece case).

    Every still is read once per process however many pieces use it. Memory
    grows with the pieces of one segment, not with the video.
    """
    options = {**x264_options(spec), "an": None, "f": "mp4"}
    video = _segment_video(spec, timeline, pieces)
    argv: list[str] = ffmpeg.output(video, out_path, **options).overwrite_output().compile()
    return argv


def segment_raw_argv(spec: StoryboardSpec, timeline: Timeline, pieces: Sequence[Piece], out_path: str) -> list[str]:
    """The frames segment_argv encodes, written as raw yuv420p instead (benchmark baseline input)."""
    options = {"pix_fmt": "yuv420p", "an": None, "f": "rawvideo"}
    video = _segment_video(spec, timeline, pieces)
    argv: list[str] = ffmpeg.output(video, out_path, **options).overwrite_output().compile()
    return argv


def segment_file_name(pieces: Sequence[Piece]) -> str:
    return f"segment_{pieces[0].index:04d}-{pieces[-1].index:04d}{PIECE_EXTENSION}"
