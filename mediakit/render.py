"""Orchestration over local files: segments of pieces -> soundtrack -> mux -> validate -> poster.

The video segments are encoded one FFmpeg process at a time; meanwhile Pillow
fits the next segment's stills in two threads, a second FFmpeg mixes,
measures and encodes the soundtrack (so the mux only copies), and a third takes the poster from the first segment. Every output is written under a scratch
directory inside workdir and renamed to its final name only after it has been
validated, so a failed or cancelled render never leaves a partial file where a
caller would look for the result.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Protocol, TypeVar

from PIL import Image, ImageOps

from mediakit import audio_mix, builder, loudness, output
from mediakit.captions import to_srt, to_vtt
from mediakit.encoding import X264Setting
from mediakit.errors import FFmpegCanceled, FFmpegTimeout, ValidationFailed
from mediakit.probe import MediaInfo, VideoStream, decode_check, keyframe_times, longest_keyframe_gap_s, probe
from mediakit.runner import run_ffmpeg
from mediakit.spec import StoryboardSpec
from mediakit.timeline import Piece, Timeline, frames_to_ms, group_pieces, ms_to_frames, plan

MASTER_NAME = "master.mp4"
POSTER_NAME = "poster.jpg"
# The poster is the opening frame: the first scene with no caption over it yet
# (cues start after the narration lead), and a keyframe, so making it decodes
# one frame instead of the ~30 up to a second in (0.06 s against 0.2 s, 1080p).
POSTER_AT_MS = 0


def poster_frame(spec: StoryboardSpec, timeline: Timeline) -> int:
    """The frame the poster is: the opening one, or, after a brand intro card, the first frame
    the first scene shows on its own (an intro card would give every video the same poster)."""
    first = next((i for i, scene in enumerate(spec.scenes) if not scene.card), 0)
    if first == 0:
        return ms_to_frames(POSTER_AT_MS, spec.fps)
    return timeline.scene_start_frames[first] + timeline.transition_frames


# Timeline pieces are encoded in segments of about this length, one FFmpeg process
# each. Every process pays x264's start-up and drain (11 processes for 30 s were
# ~8 % slower than 3); memory grows with the stills and chains held in one graph,
# not with the video. bench_render, 1080p: FFmpeg peaked at 428 MB for 30 s and
# 466 MB for 180 s with 20 s segments (30 s segments: 503-521 MB).
SEGMENT_MAX_MS = 20_000

STAGES: tuple[str, ...] = ("video", "audio", "mux", "validate", "poster")
# Share of the wall time each stage takes (bench_render, 1080p30): the bar moves evenly.
# The soundtrack and the poster are made while the video encodes, so what is left of
# them afterwards is a wait of a few milliseconds.
STAGE_WEIGHTS: dict[str, float] = {
    "video": 0.955,
    "audio": 0.005,
    "mux": 0.01,
    "validate": 0.025,
    "poster": 0.005,
}

# Decode check of every output. A full decode of the 30 s 1080p benchmark master
# took 2.6 s, a quarter of the 10.8 s that x264 alone needs for its frames, which
# breaks the 1.3x budget; so only keyframes are decoded (0.17 s): the container,
# every packet's framing and the whole audio track are still read and decoded,
# P/B-frame residuals are not. Set to True to decode every frame.
FULL_DECODE_CHECK = False

EXPORT_STAGE_WEIGHTS: dict[str, float] = {"encode": 0.92, "validate": 0.08}

_T = TypeVar("_T")

ProgressCallback = Callable[[str, float], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class MasterOutput:
    master_path: Path
    poster_path: Path
    vtt_text: str
    srt_text: str
    info: MediaInfo


class _Progress:
    """Turns (stage, fraction of stage) into (stage, fraction of the whole render), never backwards."""

    def __init__(self, callback: ProgressCallback | None, weights: dict[str, float]) -> None:
        self.callback = callback
        self.weights = weights
        self.order = list(weights)
        self.last = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        if self.callback is None:
            return
        before = sum(self.weights[s] for s in self.order[: self.order.index(stage)])
        total = sum(self.weights.values())
        overall = (before + self.weights[stage] * min(max(fraction, 0.0), 1.0)) / total
        self.last = max(self.last, min(overall, 1.0))
        self.callback(stage, self.last)


class _Deadline:
    def __init__(self, timeout_s: float, should_cancel: CancelCheck | None) -> None:
        self.end = time.monotonic() + timeout_s
        self.timeout_s = timeout_s
        self.should_cancel = should_cancel

    def remaining(self) -> float:
        """Seconds left for the next step; raises once the budget or the caller says stop."""
        if self.should_cancel is not None and self.should_cancel():
            raise FFmpegCanceled("rendering was canceled")
        left = self.end - time.monotonic()
        if left <= 0:
            raise FFmpegTimeout(f"rendering did not finish within {self.timeout_s:g} s")
        return left


def _frame_ms(fps: int) -> float:
    return 1000 / fps


def _stream_hygiene(video: VideoStream, keyframes: Sequence[float] | None, duration_ms: int | None) -> list[str]:
    """BT.709 tags, square pixels and bounded GOPs: what players and seeking rely on."""
    problems: list[str] = []
    expected = builder.COLOR_MATRIX
    for label, value in (
        ("colour matrix", video.color_space),
        ("colour primaries", video.color_primaries),
        ("transfer", video.color_transfer),
    ):
        if value != expected:
            problems.append(f"{label} is {value or 'untagged'}, expected {expected}")
    if video.color_range != builder.COLOR_RANGE:
        problems.append(f"colour range is {video.color_range or 'untagged'}, expected {builder.COLOR_RANGE}")
    if video.sample_aspect_ratio != "1:1":
        problems.append(f"sample aspect ratio is {video.sample_aspect_ratio or 'unset'}, expected 1:1")
    if keyframes is not None:
        duration_s = (duration_ms or 0) / 1000
        gap = longest_keyframe_gap_s(list(keyframes), duration_s)
        # Timestamps are rounded to the container's time base: allow a millisecond.
        if gap > builder.KEYFRAME_INTERVAL_S + 0.001:
            problems.append(f"keyframes up to {gap:.2f} s apart, expected at most {builder.KEYFRAME_INTERVAL_S} s")
    return problems


def validate_master(
    info: MediaInfo, spec: StoryboardSpec, timeline: Timeline, *, keyframes: Sequence[float] | None = None
) -> list[str]:
    """Everything wrong with a rendered master, as sentences; empty when it meets the contract.

    keyframes (probe.keyframe_times) adds the keyframe-interval check.
    """
    problems: list[str] = []
    video, audio = info.video, info.audio
    if video is None:
        problems.append("no video stream")
    else:
        if video.codec != "h264":
            problems.append(f"video codec is {video.codec}, expected h264")
        if video.profile != "High":
            problems.append(f"H.264 profile is {video.profile}, expected High")
        if video.pix_fmt != "yuv420p":
            problems.append(f"pixel format is {video.pix_fmt}, expected yuv420p")
        if (video.width, video.height) != (spec.width, spec.height):
            problems.append(f"frame size is {video.width}x{video.height}, expected {spec.width}x{spec.height}")
        if abs(float(video.fps) - spec.fps) > 0.001:
            problems.append(f"frame rate is {float(video.fps):g}, expected {spec.fps}")
        expected_ms = timeline.duration_ms
        if video.duration_ms is None or abs(video.duration_ms - expected_ms) > _frame_ms(spec.fps):
            problems.append(f"video lasts {video.duration_ms} ms, expected {expected_ms} ms (within one frame)")
        if video.nb_frames is not None and abs(video.nb_frames - timeline.total_frames) > 1:
            problems.append(f"video has {video.nb_frames} frames, expected {timeline.total_frames}")
        problems += _stream_hygiene(video, keyframes, timeline.duration_ms)
    if audio is None:
        problems.append("no audio stream")
    else:
        if audio.codec != "aac":
            problems.append(f"audio codec is {audio.codec}, expected aac")
        if audio.sample_rate != 48000:
            problems.append(f"audio sample rate is {audio.sample_rate} Hz, expected 48000 Hz")
        if audio.channels != 2:
            problems.append(f"audio has {audio.channels} channels, expected 2")
        # AAC works in 1024-sample packets (21.3 ms at 48 kHz).
        tolerance = max(_frame_ms(spec.fps), 1024 / 48)
        if audio.duration_ms is None or abs(audio.duration_ms - timeline.duration_ms) > tolerance:
            problems.append(f"audio lasts {audio.duration_ms} ms, expected {timeline.duration_ms} ms")
    if not info.faststart:
        problems.append("moov atom is not before mdat (no faststart)")
    return problems


def _run_step(
    argv: list[str],
    *,
    total_ms: int | None,
    deadline: _Deadline,
    report: Callable[[float], None] | None,
) -> str:
    result = run_ffmpeg(
        argv,
        total_ms=total_ms,
        on_progress=report,
        should_cancel=deadline.should_cancel,
        timeout_s=deadline.remaining(),
    )
    return result.stderr_tail


def _check_output(path: Path, deadline: _Deadline) -> None:
    decode_check(
        path,
        deadline.remaining(),
        keyframes_only=not FULL_DECODE_CHECK,
        should_cancel=deadline.should_cancel,
    )


_EXIF_ORIENTATION = 0x0112


def fit_still(picture: str, width: int, height: int, out_path: Path) -> str:
    """The picture scaled to cover width x height and centre-cropped, as an uncompressed BMP.

    The render asks for the size of the scene's move (builder.scene_still_size,
    larger than the frame): a zoom's still lets zoompan move in sub-pixel steps
    and only scale down, a pan's is longer by the pan's travel.
    Done ahead in Pillow, whose decoders and resampler release the GIL: FFmpeg
    decodes every input before its first output frame, so a segment with six
    2400x1600 PNGs spent ~0.7 s on one core while x264 waited. A BMP decodes in
    milliseconds. Returns the original path when Pillow cannot read the file;
    FFmpeg then reports the problem in its own words.
    """
    try:
        with Image.open(picture) as opened:
            # JPEG: decode at a reduced scale when much larger (square: the photo may still turn).
            side = max(width, height)
            opened.draft("RGB", (side, side))
            opened.load()
            # No copies unless needed: exif_transpose and convert each copied the whole
            # picture, 23 ms of 72 per 2400x1600 PNG.
            image = opened if opened.mode == "RGB" else opened.convert("RGB")
            if image.getexif().get(_EXIF_ORIENTATION, 1) != 1:
                image = ImageOps.exif_transpose(image)
            scale = max(width / image.width, height / image.height)
            # The centred part of the picture that covers the frame, in the picture's pixels:
            # only that part is resampled (a 3:2 picture for 16:9 skips a sixth of the work).
            box_w, box_h = width / scale, height / scale
            left, top = (image.width - box_w) / 2, (image.height - box_h) / 2
            # Rounding can put the box a hair outside the picture (-5.7e-14), which
            # Pillow refuses: the still would then go to FFmpeg unfitted.
            box = (max(0.0, left), max(0.0, top), min(image.width, left + box_w), min(image.height, top + box_h))
            if (width, height) == image.size:
                fitted = image
            else:
                fitted = image.resize((width, height), Image.Resampling.BICUBIC, box=box, reducing_gap=3.0)
            fitted.save(out_path, format="BMP")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return picture
    return str(out_path)


# A hero's transparent margin, in hero pixels, beyond what the canvas can reach (its
# corner is rounded down to even still pixels): Pillow's resize box must lie in the image.
_HERO_PAD = 2


def fit_hero(hero: str, fit: builder.HeroFit, out_path: Path) -> str:
    """The hero layer resampled onto its canvas (builder.HeroFit), as an uncompressed TIFF
    with (unassociated) alpha.

    The same scale and the same bicubic resampler as fit_still gives the background, from
    the same sub-pixel origin, so the hero lands on its background exactly where the
    composite picture has it. Returns the original path when Pillow cannot read the file
    (FFmpeg then scales it, less exactly, or reports the problem).
    """
    try:
        with Image.open(hero) as opened:
            image = opened.convert("RGBA")
            pad = _HERO_PAD + math.ceil(2 / fit.scale)
            padded = Image.new("RGBA", (image.width + 2 * pad, image.height + 2 * pad), (0, 0, 0, 0))
            padded.paste(image, (pad, pad))
            left, top = fit.source_x + pad, fit.source_y + pad
            box = (left, top, left + fit.width / fit.scale, top + fit.height / fit.scale)
            # Pillow resamples RGBA premultiplied: no dark fringe round the hero.
            fitted = padded.resize((fit.width, fit.height), Image.Resampling.BICUBIC, box=box, reducing_gap=3.0)
            # Uncompressed: a 662x784 hero took 26 ms to write as PNG (compress_level=1) and
            # FFmpeg as long again to decode, 1.5 ms as TIFF; FFmpeg reads it as rgba, and the
            # frames come out bit for bit as from the PNG (bench_render's 30 s, md5).
            fitted.save(out_path, format="TIFF")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return hero
    return str(out_path)


StillKey = tuple[str, tuple[int, int]]  # (picture, zoom size)
HeroKey = tuple[str, builder.HeroFit]  # (hero layer, its fit)


class _StillPreparer:
    """Fits each segment's pictures in two threads, the next segment's while the current one encodes."""

    def __init__(self, spec: StoryboardSpec, timeline: Timeline, scratch: Path) -> None:
        self.spec = spec
        self.timeline = timeline
        self.scratch = scratch
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fit-still")
        self.jobs: dict[StillKey | HeroKey, Future[str]] = {}
        self.count = 0

    def _keys(self, pieces: Sequence[Piece]) -> list[StillKey | HeroKey]:
        scenes = [part.scene for piece in pieces for part in piece.slices]
        keys: list[StillKey | HeroKey] = []
        for i in scenes:
            # A clip scene shows its clip: its picture is not fitted.
            if self.spec.scenes[i].clip is not None:
                continue
            keys.append(
                (
                    builder.scene_still_picture(self.spec, self.timeline, i),
                    builder.scene_still_size(self.spec, self.timeline, i),
                )
            )
            layers, fit = self.spec.scenes[i].layers, builder.scene_hero_fit(self.spec, self.timeline, i)
            if layers is not None and fit is not None:
                keys.append((layers.hero, fit))
                motion = builder.hero_motion(self.spec, self.timeline, i)
                if motion is not None and motion.count_up_frames:
                    # The count-up's steps share the hero's box, so its fit.
                    keys.extend((step, fit) for step in layers.hero_steps)
        return list(dict.fromkeys(keys))

    def start(self, pieces: Sequence[Piece]) -> None:
        for key in self._keys(pieces):
            if key not in self.jobs:
                self.count += 1
                picture, size = key
                if isinstance(size, builder.HeroFit):
                    out = self.scratch / f"hero_{self.count:04d}.tif"
                    self.jobs[key] = self.pool.submit(fit_hero, picture, size, out)
                else:
                    out = self.scratch / f"still_{self.count:04d}.bmp"
                    self.jobs[key] = self.pool.submit(fit_still, picture, *size, out)

    def fitted(self, pieces: Sequence[Piece]) -> dict[StillKey | HeroKey, str]:
        self.start(pieces)
        return {key: self.jobs[key].result() for key in self._keys(pieces)}

    def release(self, pieces: Sequence[Piece], *, keep: Sequence[Piece]) -> None:
        """Delete the fitted files of pieces that the next segment (keep) does not use.

        A picture shown again later (one file in two scenes) is simply fitted again then.
        """
        needed = set(self._keys(keep))
        for key in self._keys(pieces):
            if key not in needed:
                fitted = self.jobs.pop(key).result()
                if fitted != key[0]:
                    Path(fitted).unlink(missing_ok=True)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _with_pictures(spec: StoryboardSpec, timeline: Timeline, pictures: dict[StillKey | HeroKey, str]) -> StoryboardSpec:
    scenes = []
    for i, scene in enumerate(spec.scenes):
        size = builder.scene_still_size(spec, timeline, i)
        layers, fit = scene.layers, builder.scene_hero_fit(spec, timeline, i)
        if layers is not None and fit is not None:
            # The layer files change, their geometry (what the builder places by) does not.
            layers = replace(
                layers,
                background=pictures.get((layers.background, size), layers.background),
                hero=pictures.get((layers.hero, fit), layers.hero),
                hero_steps=tuple(pictures.get((step, fit), step) for step in layers.hero_steps),
            )
            scenes.append(replace(scene, layers=layers))
        else:
            scenes.append(replace(scene, picture=pictures.get((scene.picture, size), scene.picture)))
    return replace(spec, scenes=tuple(scenes))


def with_fitted_stills(
    spec: StoryboardSpec, timeline: Timeline, pieces: Sequence[Piece], scratch: Path
) -> StoryboardSpec:
    """spec with the pictures of pieces fitted into scratch exactly as render_master fits them.

    For tools that need the render's own frames (bench_render's baseline): the
    fitting resamples, so frames made from the original pictures differ.
    """
    preparer = _StillPreparer(spec, timeline, scratch)
    try:
        return _with_pictures(spec, timeline, preparer.fitted(pieces))
    finally:
        preparer.close()


# Encodes of the soundtrack at most: the first, and again behind a lower limiter while the
# encoded true peak is over the target (loudness.ceiling_for_overshoot).
SOUNDTRACK_ENCODES = 3


@dataclass(frozen=True)
class _Soundtrack:
    path: Path
    elapsed_s: float


def _make_soundtrack(
    spec: StoryboardSpec, timeline: Timeline, mix: Path, *, timeout_s: float, stop: threading.Event
) -> _Soundtrack:
    """Mix, measure and encode the soundtrack (in a thread, while the video encodes).

    When the gain to -16 LUFS would push peaks past the true-peak target,
    measure again behind the limiter the encode then uses; when the encoded soundtrack's
    true peak is still over it (AAC overshooting a sharp onset), lower the ceiling, measure
    and encode again (SOUNDTRACK_ENCODES). Only `stop` is polled
    from here: the caller's should_cancel may touch a database and is called
    from the render's own thread only.
    """
    started = time.monotonic()
    end = started + timeout_s

    def left() -> float:
        return max(0.001, end - time.monotonic())

    def summary(argv: list[str]) -> dict[str, float]:
        """ebur128's summary of an FFmpeg run that measures (the mix, or behind a limiter)."""
        result = run_ffmpeg(argv, total_ms=None, should_cancel=stop.is_set, timeout_s=left())
        return loudness.parse_ebur128_summary(result.stderr_tail)

    measured = loudness.loudnorm_measurement(summary(audio_mix.audio_mix_argv(spec, timeline, str(mix), measure=True)))
    limit_db = loudness.limiter_ceiling_db(measured) if loudness.usable_measurement(measured) else None
    if limit_db is not None:
        measured = loudness.loudnorm_measurement(summary(loudness.loudness_argv(str(mix), limit_db=limit_db)))
    encoded = mix.with_name("soundtrack.m4a")
    for attempt in range(SOUNDTRACK_ENCODES):
        run_ffmpeg(
            output.soundtrack_argv(str(mix), measured, str(encoded), timeline.duration_ms, limit_db=limit_db),
            total_ms=None,
            should_cancel=stop.is_set,
            timeout_s=left(),
        )
        if attempt + 1 == SOUNDTRACK_ENCODES or not loudness.usable_measurement(measured):
            break
        # The true peak of what the master will carry: the encoder can overshoot.
        carried = summary(loudness.loudness_argv(str(encoded)))["true_peak_dbtp"]
        lower = loudness.ceiling_for_overshoot(measured, limit_db, carried)
        if lower is None or lower == limit_db:
            break
        limit_db = lower
        measured = loudness.loudnorm_measurement(summary(loudness.loudness_argv(str(mix), limit_db=limit_db)))
    mix.unlink()
    return _Soundtrack(path=encoded, elapsed_s=time.monotonic() - started)


def _make_poster(source: Path, at_ms: int, out: Path, *, timeout_s: float, stop: threading.Event) -> float:
    started = time.monotonic()
    run_ffmpeg(
        output.poster_argv(str(source), at_ms, str(out)),
        total_ms=None,
        should_cancel=stop.is_set,
        timeout_s=timeout_s,
    )
    return time.monotonic() - started


def _wait(future: Future[_T], deadline: _Deadline, stop: threading.Event) -> _T:
    """The result of a background step, checking the caller's cancel and the deadline meanwhile."""
    while True:
        try:
            return future.result(timeout=0.25)
        except FutureTimeout:
            try:
                deadline.remaining()
            except BaseException:
                stop.set()
                raise


def render_segments(
    spec: StoryboardSpec, timeline: Timeline, *, segment_max_ms: int | None = None
) -> tuple[tuple[Piece, ...], ...]:
    """The segments a render encodes, in order: each one FFmpeg process (and one shareable part)."""
    # None: SEGMENT_MAX_MS as it is when called (tests shorten it).
    length = SEGMENT_MAX_MS if segment_max_ms is None else segment_max_ms
    return group_pieces(timeline, max(1, ms_to_frames(length, spec.fps)))


class SegmentShare(Protocol):
    """How a render shares its segments with other workers (given by the caller, which keeps
    the claims; mediakit only asks). Any method may raise to stop the render (a cancel, a
    segment that failed elsewhere); the render then cleans up as on any failure."""

    def claim(self) -> int | None:
        """A segment for this render to encode itself (one nobody holds, or one whose worker
        went silent), now held by it; None when every segment is done or held by a live worker."""

    def progress(self, index: int, frames_done: int) -> None:
        """This render's own encoding of segment `index` got this far (also its heartbeat)."""

    def finished(self, index: int) -> None:
        """This render encoded segment `index` itself (the file is in its scratch dir)."""

    def frames_done(self) -> tuple[int, int]:
        """(segments finished by anyone, frames encoded so far by everyone)."""

    def fetch(self, index: int, dest: Path) -> Path:
        """The file of segment `index`, encoded by another worker, copied to dest."""


def _encode_segment(
    spec: StoryboardSpec,
    timeline: Timeline,
    pieces: Sequence[Piece],
    stills: _StillPreparer,
    out: Path,
    *,
    deadline: _Deadline,
    report: Callable[[float], None] | None,
) -> int:
    """Fit the segment's stills and encode it to out (the argv of a one-worker render); its frames."""
    fitted = stills.fitted(pieces)
    frames = sum(piece.frames for piece in pieces)
    try:
        _run_step(
            builder.segment_argv(_with_pictures(spec, timeline, fitted), timeline, pieces, str(out)),
            total_ms=frames_to_ms(frames, spec.fps),
            deadline=deadline,
            report=report,
        )
    finally:
        stills.release(pieces, keep=())
    return frames


def render_segment(
    spec: StoryboardSpec,
    index: int,
    out: Path,
    *,
    on_frames: Callable[[int], None] | None = None,
    should_cancel: CancelCheck | None = None,
    timeout_s: float,
    segment_max_ms: int | None = None,
) -> int:
    """Encode segment `index` of the storyboard's render on its own to out, exactly as
    render_master encodes it (same stills, same argv); returns its frame count.
    on_frames gets the frames encoded so far. For a worker that helps another's render."""
    timeline = plan(spec)
    segments = render_segments(spec, timeline, segment_max_ms=segment_max_ms)
    if not 0 <= index < len(segments):
        raise ValueError(f"segment {index} of a render of {len(segments)} segments")
    pieces = segments[index]
    frames = sum(piece.frames for piece in pieces)
    deadline = _Deadline(timeout_s, should_cancel)
    out = Path(out)
    scratch = Path(tempfile.mkdtemp(prefix=".segment-", dir=out.parent))
    stills = _StillPreparer(spec, timeline, scratch)
    try:
        partial = scratch / builder.segment_file_name(pieces)
        _encode_segment(
            spec,
            timeline,
            pieces,
            stills,
            partial,
            deadline=deadline,
            report=None if on_frames is None else lambda f: on_frames(int(f * frames)),
        )
        os.replace(partial, out)
    finally:
        stills.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return frames


# How often a render that waits for other workers' segments looks at them.
SHARED_POLL_S = 0.25


def _shared_segments(
    spec: StoryboardSpec,
    timeline: Timeline,
    segments: Sequence[Sequence[Piece]],
    shared: SegmentShare,
    stills: _StillPreparer,
    scratch: Path,
    *,
    deadline: _Deadline,
    progress: _Progress,
) -> list[str]:
    """Encode the segments this render claims, wait for the others, and collect them all;
    their local paths in timeline order."""
    mine: dict[int, Path] = {}
    while True:
        index = shared.claim()
        if index is not None:
            pieces = segments[index]
            out = scratch / builder.segment_file_name(pieces)

            def report(fraction: float, _index: int = index, _frames: int = sum(p.frames for p in pieces)) -> None:
                shared.progress(_index, int(fraction * _frames))
                progress("video", shared.frames_done()[1] / timeline.total_frames)

            frames = _encode_segment(spec, timeline, pieces, stills, out, deadline=deadline, report=report)
            shared.progress(index, frames)
            shared.finished(index)
            mine[index] = out
            continue
        finished, frames_done = shared.frames_done()
        progress("video", frames_done / timeline.total_frames)
        if finished >= len(segments):
            break
        deadline.remaining()  # a cancel or the budget, while others encode
        time.sleep(SHARED_POLL_S)
    paths: list[str] = []
    for index, pieces in enumerate(segments):
        path = mine.get(index)
        if path is None:
            deadline.remaining()
            path = shared.fetch(index, scratch / builder.segment_file_name(pieces))
        paths.append(str(Path(path).resolve()))
    return paths


def _poster_from_segments(
    spec: StoryboardSpec,
    timeline: Timeline,
    segments: Sequence[Sequence[Piece]],
    paths: Sequence[str],
    background: ThreadPoolExecutor,
    out: Path,
    *,
    deadline: _Deadline,
    stop: threading.Event,
) -> Future[float]:
    """The poster, taken from the collected segment that holds its frame (in the background)."""
    at = poster_frame(spec, timeline)
    index = next(
        (i for i, pieces in enumerate(segments) if at - pieces[0].start_frame < sum(p.frames for p in pieces)),
        len(segments) - 1,
    )
    return background.submit(
        _make_poster,
        Path(paths[index]),
        frames_to_ms(at - segments[index][0].start_frame, spec.fps),
        out,
        timeout_s=deadline.remaining(),
        stop=stop,
    )


def render_master(
    spec: StoryboardSpec,
    workdir: Path,
    *,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    timeout_s: float,
    stage_times: dict[str, float] | None = None,
    shared: SegmentShare | None = None,
    segment_max_ms: int | None = None,
) -> MasterOutput:
    """Render the storyboard to workdir/master.mp4 and workdir/poster.jpg, both validated.

    shared: the video segments are encoded by whoever claims them (this render and
    other workers, see SegmentShare) and collected here; None encodes them all here.

    The soundtrack is mixed, measured and encoded in a second FFmpeg process while the
    video segments encode, and the poster is taken from the first segment as
    soon as it exists. stage_times, when given, is filled with wall seconds:
    "video", "audio" (its own run, overlapped), "audio_wait" (what the video
    then waited for it), "mux", "validate", "poster" (overlapped) and "poster_wait".
    """
    timeline = plan(spec)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    progress = _Progress(on_progress, STAGE_WEIGHTS)
    deadline = _Deadline(timeout_s, should_cancel)
    times = stage_times if stage_times is not None else {}
    scratch = Path(tempfile.mkdtemp(prefix=".render-", dir=workdir))
    stop = threading.Event()  # tells the background FFmpeg runs to stop
    background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="render-bg")
    try:
        mix = scratch / "mix.wav"
        soundtrack = background.submit(_make_soundtrack, spec, timeline, mix, timeout_s=deadline.remaining(), stop=stop)
        poster: Future[float] | None = None
        poster_partial = scratch / POSTER_NAME

        # Video: one bounded segment of pieces at a time, progress counted in frames.
        started = time.monotonic()
        progress("video", 0.0)
        segments = render_segments(spec, timeline, segment_max_ms=segment_max_ms)
        stills = _StillPreparer(spec, timeline, scratch)
        segment_paths: list[str] = []
        done_frames = 0
        try:
            if shared is not None:
                segment_paths = _shared_segments(
                    spec, timeline, segments, shared, stills, scratch, deadline=deadline, progress=progress
                )
                poster = _poster_from_segments(
                    spec, timeline, segments, segment_paths, background, poster_partial, deadline=deadline, stop=stop
                )
            for index, pieces in enumerate(segments if shared is None else ()):
                fitted = stills.fitted(pieces)
                if index + 1 < len(segments):
                    stills.start(segments[index + 1])  # while this segment encodes
                out = scratch / builder.segment_file_name(pieces)
                frames = sum(piece.frames for piece in pieces)

                def report(fraction: float, _done: int = done_frames, _frames: int = frames) -> None:
                    progress("video", (_done + fraction * _frames) / timeline.total_frames)

                _run_step(
                    builder.segment_argv(_with_pictures(spec, timeline, fitted), timeline, pieces, str(out)),
                    total_ms=frames_to_ms(frames, spec.fps),
                    deadline=deadline,
                    report=report,
                )
                stills.release(pieces, keep=segments[index + 1] if index + 1 < len(segments) else ())
                segment_paths.append(str(out.resolve()))
                done_frames += frames
                at_frame = poster_frame(spec, timeline) - pieces[0].start_frame
                if poster is None and at_frame < frames:
                    # Taken from the segment that has it (the first, but for an intro card's).
                    poster = background.submit(
                        _make_poster,
                        out,
                        frames_to_ms(at_frame, spec.fps),
                        poster_partial,
                        timeout_s=deadline.remaining(),
                        stop=stop,
                    )
        finally:
            stills.close()
        times["video"] = time.monotonic() - started
        concat_list = scratch / "segments.ffconcat"
        durations = [Fraction(sum(piece.frames for piece in pieces), spec.fps) for pieces in segments]
        concat_list.write_text(output.concat_list_text(segment_paths, durations=durations), encoding="utf-8")

        started = time.monotonic()
        progress("audio", 0.0)
        sound = _wait(soundtrack, deadline, stop)
        times["audio"] = sound.elapsed_s
        times["audio_wait"] = time.monotonic() - started

        started = time.monotonic()
        progress("mux", 0.0)
        partial = scratch / MASTER_NAME
        _run_step(
            output.mux_argv(str(concat_list), str(sound.path), str(partial)),
            total_ms=timeline.duration_ms,
            deadline=deadline,
            report=lambda f: progress("mux", f),
        )
        times["mux"] = time.monotonic() - started

        started = time.monotonic()
        assert poster is not None  # there is always a first segment
        times["poster"] = _wait(poster, deadline, stop)
        times["poster_wait"] = time.monotonic() - started
        # The segments are inside the master now; free the disk before the checks.
        for path in segment_paths:
            os.unlink(path)
        sound.path.unlink()

        started = time.monotonic()
        progress("validate", 0.0)
        info = probe(partial, timeout_s=min(30.0, deadline.remaining()))
        keyframes = keyframe_times(partial, timeout_s=min(30.0, deadline.remaining()))
        problems = validate_master(info, spec, timeline, keyframes=keyframes)
        if problems:
            raise ValidationFailed(problems)
        _check_output(partial, deadline)
        progress("validate", 1.0)
        times["validate"] = time.monotonic() - started

        progress("poster", 0.0)
        master_path = workdir / MASTER_NAME
        poster_path = workdir / POSTER_NAME
        # The master last: whoever sees it can count on its poster being there.
        os.replace(poster_partial, poster_path)
        os.replace(partial, master_path)
        progress("poster", 1.0)
    finally:
        stop.set()
        background.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(scratch, ignore_errors=True)

    return MasterOutput(
        master_path=master_path,
        poster_path=poster_path,
        vtt_text=to_vtt(timeline.cues),
        srt_text=to_srt(timeline.cues),
        info=replace(info, path=str(master_path)),
    )


EXPORT_CODECS: dict[str, tuple[str, str]] = {
    "mp4": ("h264", "aac"),
    "mov": ("h264", "aac"),
    "webm": ("vp9", "opus"),
}


def validate_export(
    info: MediaInfo,
    fmt: str,
    size: tuple[int, int],
    master: MediaInfo,
    *,
    keyframes: Sequence[float] | None = None,
) -> list[str]:
    """Everything wrong with an export, as sentences; keyframes adds the keyframe-interval check."""
    problems: list[str] = []
    video_codec, audio_codec = EXPORT_CODECS[fmt]
    video, audio = info.video, info.audio
    fps = master.video.fps if master.video else None
    frame_ms = 1000 / float(fps) if fps else 40.0
    if video is None:
        problems.append("no video stream")
    else:
        if video.codec != video_codec:
            problems.append(f"video codec is {video.codec}, expected {video_codec}")
        if video_codec == "h264" and video.profile != "High":
            problems.append(f"H.264 profile is {video.profile}, expected High")
        if video.pix_fmt != "yuv420p":
            problems.append(f"pixel format is {video.pix_fmt}, expected yuv420p")
        if (video.width, video.height) != size:
            problems.append(f"frame size is {video.width}x{video.height}, expected {size[0]}x{size[1]}")
        reference = master.video.duration_ms if master.video else master.duration_ms
        duration = video.duration_ms if video.duration_ms is not None else info.duration_ms
        if duration is None or reference is None or abs(duration - reference) > frame_ms:
            problems.append(f"video lasts {duration} ms, the master {reference} ms (expected within one frame)")
        problems += _stream_hygiene(video, keyframes, duration)
    if master.audio is not None:
        if audio is None:
            problems.append("no audio stream")
        else:
            if audio.codec != audio_codec:
                problems.append(f"audio codec is {audio.codec}, expected {audio_codec}")
            if audio.sample_rate != 48000 or audio.channels != 2:
                problems.append(f"audio is {audio.sample_rate} Hz {audio.channels} ch, expected 48000 Hz stereo")
    if fmt in ("mp4", "mov") and not info.faststart:
        problems.append("moov atom is not before mdat (no faststart)")
    return problems


def render_export(
    master: Path,
    fmt: str,
    *,
    width: int,
    height: int,
    workdir: Path,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    timeout_s: float,
    encoder: X264Setting | None = None,
) -> tuple[Path, MediaInfo]:
    """Convert a master to fmt ("mp4", "mov", "webm") at width x height.

    Written to workdir/export_<w>x<h>.<fmt> only once validated. Stages reported
    to on_progress: "encode", "validate". encoder: x264's setting (None: the one
    output.export_argv picks for any content).
    """
    if fmt not in EXPORT_CODECS:
        raise ValueError(f"unknown export format {fmt!r}; one of {tuple(EXPORT_CODECS)}")
    size = (width, height)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    progress = _Progress(on_progress, EXPORT_STAGE_WEIGHTS)
    deadline = _Deadline(timeout_s, should_cancel)
    master_info = probe(master, timeout_s=min(30.0, deadline.remaining()))
    master_size = (master_info.video.width, master_info.video.height) if master_info.video else None
    final = workdir / f"export_{width}x{height}.{fmt}"
    scratch = Path(tempfile.mkdtemp(prefix=".export-", dir=workdir))
    try:
        partial = scratch / final.name
        progress("encode", 0.0)
        _run_step(
            output.export_argv(
                str(master),
                fmt,
                width,
                height,
                str(partial),
                master_size=master_size,
                fps=float(master_info.video.fps) if master_info.video and master_info.video.fps else None,
                encoder=encoder,
            ),
            total_ms=master_info.duration_ms,
            deadline=deadline,
            report=lambda f: progress("encode", f),
        )
        progress("validate", 0.0)
        info = probe(partial, timeout_s=min(30.0, deadline.remaining()))
        keyframes = keyframe_times(partial, timeout_s=min(30.0, deadline.remaining()))
        problems = validate_export(info, fmt, size, master_info, keyframes=keyframes)
        if problems:
            raise ValidationFailed(problems)
        _check_output(partial, deadline)
        os.replace(partial, final)
        progress("validate", 1.0)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final, replace(info, path=str(final))
