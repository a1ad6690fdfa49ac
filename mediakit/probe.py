"""What a media file really is: ffprobe -> frozen dataclasses, plus decode and loudness checks."""

from __future__ import annotations

import json
import math
import re
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import Image, ImageStat

from mediakit import loudness
from mediakit.errors import DecodeError, FFmpegError, FFmpegTimeout, ProbeError
from mediakit.runner import run_ffmpeg, run_ffprobe

PROBE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class VideoStream:
    codec: str
    profile: str | None
    pix_fmt: str | None
    width: int
    height: int
    fps: Fraction
    nb_frames: int | None
    duration_ms: int | None
    # As ffprobe names them ("bt709", "tv", "1:1"); None when the stream does not say.
    color_space: str | None = None
    color_primaries: str | None = None
    color_transfer: str | None = None
    color_range: str | None = None
    sample_aspect_ratio: str | None = None


@dataclass(frozen=True)
class AudioStream:
    codec: str
    sample_rate: int
    channels: int
    duration_ms: int | None


@dataclass(frozen=True)
class MediaInfo:
    path: str
    format_name: str
    duration_ms: int | None
    size_bytes: int
    bit_rate: int | None
    video: VideoStream | None
    audio: AudioStream | None
    faststart: bool


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float
    lra: float


def _seconds_to_ms(value: object) -> int | None:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return round(seconds * 1000)


_TAG_DURATION = re.compile(r"^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")


def _stream_duration_ms(stream: dict[str, Any]) -> int | None:
    ms = _seconds_to_ms(stream.get("duration"))
    if ms is not None:
        return ms
    # Matroska/WebM keep per-stream durations in a tag ("00:00:05.000000000").
    tag = (stream.get("tags") or {}).get("DURATION")
    match = _TAG_DURATION.match(tag or "")
    if match:
        hours, minutes, seconds = match.groups()
        return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
    return None


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if isinstance(value, (int, float, str)) else None
    except (TypeError, ValueError):
        return None


def _rate(value: str | None) -> Fraction | None:
    try:
        rate = Fraction(value or "")
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def mp4_faststart(path: str | Path) -> bool:
    """True when the top-level 'moov' atom comes before 'mdat' (playable while downloading).

    Reads the top-level atom headers only; a file that is not ISO-BMFF is False.
    """
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            offset = 0
            while offset + 8 <= size:
                fh.seek(offset)
                header = fh.read(16)
                if len(header) < 8:
                    return False
                atom_size, atom_type = struct.unpack(">I4s", header[:8])
                if atom_size == 1:  # 64-bit size follows the type
                    if len(header) < 16:
                        return False
                    atom_size = struct.unpack(">Q", header[8:16])[0]
                elif atom_size == 0:  # runs to the end of the file
                    atom_size = size - offset
                if atom_type == b"moov":
                    return True
                if atom_type == b"mdat":
                    return False
                if atom_size < 8:
                    return False
                offset += atom_size
    except OSError:
        return False
    return False


def probe(path: str | Path, *, timeout_s: float = PROBE_TIMEOUT_S) -> MediaInfo:
    path = str(path)
    try:
        out = run_ffprobe(
            [
                "ffprobe",
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                path,
            ],
            timeout_s=timeout_s,
        )
    except FFmpegError as exc:
        raise ProbeError(f"cannot read media file: {exc.message}") from exc
    except FFmpegTimeout as exc:
        raise ProbeError(f"cannot read media file: {exc}") from exc
    try:
        data = json.loads(out)
    except json.JSONDecodeError as exc:
        raise ProbeError(f"ffprobe gave unreadable output for {Path(path).name}") from exc

    fmt = data.get("format") or {}
    streams = data.get("streams") or []
    if not fmt or not streams:
        raise ProbeError(f"no audio or video streams in {Path(path).name}")

    video = audio = None
    for stream in streams:
        kind = stream.get("codec_type")
        if kind == "video" and video is None:
            # Cover art inside an audio file is a "video" stream with attached_pic set.
            if (stream.get("disposition") or {}).get("attached_pic"):
                continue
            fps = _rate(stream.get("avg_frame_rate")) or _rate(stream.get("r_frame_rate"))
            video = VideoStream(
                codec=stream.get("codec_name", "unknown"),
                profile=stream.get("profile"),
                pix_fmt=stream.get("pix_fmt"),
                width=int(stream.get("width") or 0),
                height=int(stream.get("height") or 0),
                fps=fps or Fraction(0),
                nb_frames=_int_or_none(stream.get("nb_frames")),
                duration_ms=_stream_duration_ms(stream),
                color_space=stream.get("color_space"),
                color_primaries=stream.get("color_primaries"),
                color_transfer=stream.get("color_transfer"),
                color_range=stream.get("color_range"),
                sample_aspect_ratio=stream.get("sample_aspect_ratio"),
            )
        elif kind == "audio" and audio is None:
            audio = AudioStream(
                codec=stream.get("codec_name", "unknown"),
                sample_rate=int(stream.get("sample_rate") or 0),
                channels=int(stream.get("channels") or 0),
                duration_ms=_stream_duration_ms(stream),
            )
    if video is None and audio is None:
        raise ProbeError(f"no audio or video streams in {Path(path).name}")

    format_name = fmt.get("format_name", "")
    return MediaInfo(
        path=path,
        format_name=format_name,
        duration_ms=_seconds_to_ms(fmt.get("duration")),
        size_bytes=int(fmt.get("size") or Path(path).stat().st_size),
        bit_rate=_int_or_none(fmt.get("bit_rate")),
        video=video,
        audio=audio,
        faststart="mp4" in format_name.split(",") and mp4_faststart(path),
    )


def keyframe_times(path: str | Path, *, timeout_s: float = PROBE_TIMEOUT_S) -> list[float]:
    """Presentation times (s) of the first video stream's keyframes, in order.

    Read from the packets' flags, nothing is decoded: 0.1 s for 10 minutes of MP4.
    """
    try:
        out = run_ffprobe(
            [
                "ffprobe",
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "packet=pts_time,flags",
                "-of",
                "csv=p=0",
                str(path),
            ],
            timeout_s=timeout_s,
        )
    except (FFmpegError, FFmpegTimeout) as exc:
        raise ProbeError(f"cannot read the packets of {Path(path).name}: {exc}") from exc
    times = []
    for line in out.splitlines():
        pts, _, flags = line.partition(",")
        if "K" in flags:
            try:
                times.append(float(pts))
            except ValueError:
                continue
    return sorted(times)


def longest_keyframe_gap_s(keyframes: list[float], duration_s: float) -> float:
    """The longest stretch a player may have to decode through to seek: between keyframes,
    and from the last keyframe to the end. The whole duration when there is none."""
    if not keyframes:
        return duration_s
    marks = [*keyframes, max(duration_s, keyframes[-1])]
    return max(b - a for a, b in zip(marks, marks[1:], strict=False)) if len(marks) > 1 else 0.0


# A pair of consecutive frames counts as held when the picture changed by less than
# this share of the scene's typical change between frames (see held_pairs).
HELD_RELATIVE_CHANGE = 0.25


def gray_frames(path: str | Path, *, start_s: float, end_s: float, timeout_s: float = 120.0) -> Iterator[Image.Image]:
    """Each decoded video frame in [start_s, end_s) as an 8-bit gray image, one at a time
    (memory stays one frame whatever the interval). For tests and benchmarks that measure
    motion in what a viewer gets."""
    info = probe(path, timeout_s=timeout_s)
    if info.video is None:
        raise ProbeError(f"no video stream in {Path(path).name}")
    w, h = info.video.width, info.video.height
    with tempfile.TemporaryDirectory(prefix="gray-") as tmp:
        raw_path = Path(tmp) / "frames.gray"
        run_ffmpeg(
            [
                "ffmpeg",
                "-v",
                "error",
                "-i",
                str(path),
                "-map",
                "0:v:0",
                "-vf",
                f"trim=start={start_s:.6f}:end={end_s:.6f},setpts=PTS-STARTPTS,format=gray",
                # Every decoded frame once: no duplicates to fill a constant rate.
                "-fps_mode",
                "passthrough",
                "-f",
                "rawvideo",
                "-y",
                str(raw_path),
            ],
            total_ms=None,
            timeout_s=timeout_s,
        )
        with open(raw_path, "rb") as fh:
            while len(data := fh.read(w * h)) == w * h:
                yield Image.frombytes("L", (w, h), data)


def luma_means(path: str | Path, *, start_s: float, end_s: float, timeout_s: float = 120.0) -> list[float]:
    """The mean luma (0-255, floating point) of each video frame in [start_s, end_s).

    For a zoom over a bright shape on a dark ground this tracks the shape's area to a
    fraction of a pixel, through the encoder's noise (which changes the mean by far
    less than a zoom step): a measure of motion for tests and benchmarks.
    """
    frames = gray_frames(path, start_s=start_s, end_s=end_s, timeout_s=timeout_s)
    return [ImageStat.Stat(frame).mean[0] for frame in frames]


def held_pairs(values: list[float], *, relative: float = HELD_RELATIVE_CHANGE) -> int:
    """How many consecutive pairs of a per-frame measure (luma_means) barely changed:
    by at most `relative` times the mean change. A zoom that holds some frames and then
    jumps shows up here (the mean, unlike the median, stays a share of the jumps however
    many frames hold); a smooth one changes by about the same every frame."""
    changes = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    if not changes:
        return 0
    typical = sum(changes) / len(changes)
    return sum(1 for change in changes if change <= relative * typical)


def decode_check(
    path: str | Path,
    timeout_s: float,
    *,
    keyframes_only: bool = False,
    should_cancel: Callable[[], bool] | None = None,
) -> None:
    """Decode every stream to nowhere; any decoder complaint means a damaged file.

    keyframes_only skips non-key video frames: it still walks the whole
    container and every audio packet, for a fraction of the cost.
    """
    argv = ["ffmpeg", "-v", "error", "-xerror"]
    if keyframes_only:
        argv += ["-skip_frame", "nokey"]
    argv += ["-i", str(path), "-map", "0", "-f", "null", "-"]
    try:
        result = run_ffmpeg(argv, total_ms=None, should_cancel=should_cancel, timeout_s=timeout_s)
    except FFmpegError as exc:
        raise DecodeError(
            f"{Path(path).name} does not decode cleanly: {exc.message}", exc.returncode, exc.stderr_tail
        ) from exc
    errors = [line for line in result.stderr_tail.splitlines() if line.strip()]
    if errors:
        raise DecodeError(f"{Path(path).name} does not decode cleanly: {errors[-1].strip()}", 0, result.stderr_tail)


def parse_ebur128_summary(stderr: str) -> Loudness:
    values = loudness.parse_ebur128_summary(stderr)
    return Loudness(
        integrated_lufs=values["integrated_lufs"], true_peak_dbtp=values["true_peak_dbtp"], lra=values["lra"]
    )


def measure_loudness(path: str | Path, *, timeout_s: float = 120.0) -> Loudness:
    """Integrated loudness, true peak and loudness range of the first audio stream (EBU R128)."""
    result = run_ffmpeg(loudness.loudness_argv(str(path)), total_ms=None, timeout_s=timeout_s)
    return parse_ebur128_summary(result.stderr_tail)
