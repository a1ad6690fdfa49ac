"""Pure functions: FFmpeg argv of the finished outputs.

The master (encoded pieces joined by the concat demuxer, the soundtrack brought to
loudness and muxed), its poster and its exports. No I/O, as in mediakit.builder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import ffmpeg

from mediakit.audio_mix import AUDIO_RATE
from mediakit.builder import COLOR_MATRIX, COLOR_RANGE, color_tags, gop_options, x264_setting_options
from mediakit.encoding import X264Setting, setting_for
from mediakit.loudness import limiter, loudness_gain_db

AUDIO_BITRATE = "192k"

EXPORT_FORMATS: tuple[str, ...] = ("mp4", "mov", "webm")


def soundtrack_argv(
    audio_wav: str,
    measured: dict[str, float | str],
    out_m4a: str,
    duration_ms: int,
    *,
    limit_db: float | None = None,
) -> list[str]:
    """The normalised soundtrack, encoded (AAC in MP4), for mux_argv to copy: made while the
    video encodes, so the mux that follows the video only copies (the AAC encode was 0.6 CPU s
    of a 30 s job's 0.8 s mux).

    measured describes the soundtrack as it reaches the gain, i.e. after the
    limit_db limiter when one is given (see loudness.loudness_argv). Loudness correction
    is then a plain `volume` gain to -16 LUFS: exactly what loudnorm's linear
    mode applies, without its 192 kHz resampling (0.9 s per 30 s of audio). The
    limiter keeps the peaks under the true-peak target after that gain
    (see loudness.limiter_ceiling_db). Padded and trimmed to the video's length, to the
    sample. Copied into the master, the AAC keeps its priming (the edit list): the master
    decodes to the same samples as one encoded in the mux (checked, md5 of the PCM).
    """
    samples = round(duration_ms * AUDIO_RATE / 1000)
    audio = ffmpeg.input(audio_wav).audio
    if limit_db is not None:
        audio = limiter(audio, limit_db)
    gain = loudness_gain_db(measured)
    if gain is not None:
        audio = audio.filter("volume", f"{gain:.2f}dB")
    # Pin the length to the video's, to the sample.
    audio = audio.filter("apad", whole_len=samples).filter("atrim", end_sample=samples)
    options = {
        "c:a": "aac",
        # The default two-loop search took 0.95 s per 30 s of audio, the fast coder
        # 0.3 s; at 192 kb/s stereo speech and music the difference is not audible.
        "aac_coder": "fast",
        "b:a": AUDIO_BITRATE,
        "ar": str(AUDIO_RATE),
        "ac": "2",
        "f": "mp4",
    }
    argv: list[str] = ffmpeg.output(audio, out_m4a, **options).overwrite_output().compile()
    return argv


def mux_argv(concat_list_path: str, soundtrack: str, out_mp4: str) -> list[str]:
    """Join the encoded pieces and the encoded soundtrack (soundtrack_argv), both copied.

    No -shortest: both inputs are already exactly the video's length (the
    soundtrack is padded and trimmed to the sample), so it changes nothing
    (checked: same frame counts with and without it at 24, 25 and 30 fps); left
    out, a soundtrack that came out short could never cut the picture.
    """
    video = ffmpeg.input(concat_list_path, f="concat", safe=0).video
    audio = ffmpeg.input(soundtrack).audio
    options = {"c:v": "copy", "c:a": "copy", "movflags": "+faststart", "f": "mp4"}
    argv: list[str] = ffmpeg.output(video, audio, out_mp4, **options).overwrite_output().compile()
    return argv


def _concat_quote(path: str) -> str:
    # The concat demuxer's quoting: single quotes, and ' written as '\''.
    return "'" + path.replace("'", "'\\''") + "'"


def concat_list_text(paths: Iterable[str], *, durations: Sequence[Fraction] | None = None) -> str:
    """A concat demuxer list; paths should be absolute (relative ones resolve against the list).

    durations, exact lengths in seconds, should be given for MP4 pieces: without
    them the demuxer offsets each file by the container duration, which MP4
    stores in milliseconds, and the joined video drifts off the frame grid
    (12.8 s came out 12.800326 s). They are written as differences of the
    rounded running total, so microsecond rounding never accumulates.
    """
    paths = list(paths)
    if durations is not None and len(durations) != len(paths):
        raise ValueError("one duration per path")
    lines = ["ffconcat version 1.0"]
    elapsed = Fraction(0)
    for i, path in enumerate(paths):
        if "\n" in path or "\r" in path:
            raise ValueError(f"a concat list cannot hold a path with a newline: {path!r}")
        lines.append(f"file {_concat_quote(path)}")
        if durations is not None:
            start_us = round(elapsed * 1_000_000)
            elapsed += Fraction(durations[i])
            end_us = round(elapsed * 1_000_000)
            lines.append(f"duration {(end_us - start_us) // 1_000_000}.{(end_us - start_us) % 1_000_000:06d}")
    return "\n".join(lines) + "\n"


def poster_argv(master: str, at_ms: int, out_jpg: str) -> list[str]:
    return [
        "ffmpeg",
        "-y",
        "-ss",
        f"{at_ms / 1000:.3f}",
        "-i",
        master,
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-q:v",
        "3",
        "-update",
        "1",
        "-f",
        "image2",
        out_jpg,
    ]


def export_argv(
    master: str,
    fmt: str,
    width: int,
    height: int,
    out_path: str,
    *,
    master_size: tuple[int, int] | None = None,
    fps: float | None = None,
    encoder: X264Setting | None = None,
) -> list[str]:
    """Convert the master to a delivery format and size.

    mp4/mov at the master's own size are a remux (the master is already H.264
    High + AAC, BT.709-tagged with 2 s GOPs); other sizes are scaled to fill and
    centre-cropped, in BT.709 limited range with square pixels, tagged, with a
    keyframe at least every builder.KEYFRAME_INTERVAL_S at the master's frame rate fps
    (30 when not given). The master's AAC track is copied into mp4/mov, so its
    loudness is kept as measured. x264 encodes with `encoder`, or without it with
    mediakit.encoding's setting for any content at the export's size.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {EXPORT_FORMATS}")
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise ValueError(f"export size must be positive and even, got {width}x{height}")
    container = {"mp4": "mp4", "mov": "mov", "webm": "webm"}[fmt]
    head = ["ffmpeg", "-y", "-i", master, "-map", "0:v:0", "-map", "0:a:0?"]
    if fmt in ("mp4", "mov") and master_size == (width, height):
        return [*head, "-c", "copy", "-movflags", "+faststart", "-f", container, out_path]
    # The master is BT.709: saying so on both sides keeps swscale from converting it
    # as if it were BT.601 (it does convert YUV to YUV between matrices).
    scale = [
        "-vf",
        f"scale={width}:{height}:force_original_aspect_ratio=increase"
        f":in_color_matrix={COLOR_MATRIX}:out_color_matrix={COLOR_MATRIX}:out_range={COLOR_RANGE},"
        f"crop={width}:{height},setsar=1,format=yuv420p",
    ]
    stream = []
    for key, value in {**gop_options(fps or 30), **color_tags()}.items():
        stream += [f"-{key}", value]
    if fmt == "webm":
        codecs = [
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-row-mt",
            "1",
            "-b:v",
            "0",
            "-crf",
            "33",
            *stream,
            "-c:a",
            "libopus",
            "-b:a",
            "128k",
            "-ar",
            str(AUDIO_RATE),
            "-ac",
            "2",
        ]
        return [*head, *scale, *codecs, "-f", container, out_path]
    codecs = []
    for key, value in x264_setting_options(encoder or setting_for((), width, height)).items():
        codecs += [f"-{key}", value]
    codecs += [
        "-profile:v",
        "high",
        "-pix_fmt",
        "yuv420p",
        *stream,
        "-c:a",
        "copy",
        "-movflags",
        "+faststart",
    ]
    return [*head, *scale, *codecs, "-f", container, out_path]
