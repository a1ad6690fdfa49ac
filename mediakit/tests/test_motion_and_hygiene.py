"""Smooth Ken Burns and stream hygiene (BT.709, square pixels, bounded GOPs), built and rendered."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from mediakit import builder, output
from mediakit.probe import gray_frames, held_pairs, keyframe_times, longest_keyframe_gap_s, luma_means, probe
from mediakit.render import render_export, render_master
from mediakit.runner import run_ffmpeg
from mediakit.spec import FRAME_SIZES, SceneSpec, StoryboardSpec
from mediakit.timeline import BODY, plan

# --- pure: sizes, filter chains and tags -------------------------------------------------


@pytest.mark.parametrize("size", sorted(set(FRAME_SIZES.values())))
@pytest.mark.parametrize("seconds", [2, 5, 10, 30])
def test_the_still_is_larger_than_the_frame_and_steps_under_a_pixel(size: tuple[int, int], seconds: int) -> None:
    width, height = size
    frames = 30 * seconds
    w, h = builder.still_size(width, height, frames)
    assert w % 2 == 0 and h % 2 == 0
    # zoompan only scales down: even at full zoom its crop is at least the frame.
    assert w >= width * (1 + builder.ZOOM_RANGE) - 2 and h >= height * (1 + builder.ZOOM_RANGE) - 2
    assert w / h == pytest.approx(width / height, rel=0.01)
    assert w * h <= builder.MAX_STILL_PIXELS * 1.01 or w <= width * (1 + builder.ZOOM_RANGE) + 2
    slowest = max(w, h) * builder.ZOOM_RANGE / frames / (1 + builder.ZOOM_RANGE) ** 2
    capped = w >= width * builder.MAX_STILL_SCALE - 2 or w * h >= builder.MAX_STILL_PIXELS * 0.98
    # The crop grows by a pixel of the still every frame, unless the size cap stopped it.
    assert slowest >= builder.MIN_CROP_STEP_PX * 0.98 or capped


def test_a_long_scene_at_a_small_size_gets_a_larger_still_than_a_short_one() -> None:
    short = builder.still_size(720, 720, 90)
    long = builder.still_size(720, 720, 300)
    assert long[0] > short[0] > 720
    assert builder.still_size(1920, 1080, 150) == (2112, 1188)  # 1.1x: 1080p moves fast enough


def _spec(size: tuple[int, int] = (720, 720), fps: int = 30, **extra: object) -> StoryboardSpec:
    scenes = tuple(
        SceneSpec(
            picture=f"/in/scene_{i}.png",
            duration_ms=3000,
            narration=None,
            narration_ms=0,
            caption_text=f"Scene {i}",
            caption_png=f"/in/caption_{i}.png",
        )
        for i in range(3)
    )
    return StoryboardSpec(scenes=scenes, width=size[0], height=size[1], fps=fps, **extra)  # type: ignore[arg-type]


def _graph(argv: list[str]) -> str:
    return argv[argv.index("-filter_complex") + 1]


@pytest.mark.parametrize("fps, gop", [(30, "60"), (25, "50"), (24, "48")])
def test_every_piece_is_tagged_bt709_with_a_keyframe_every_two_seconds(fps: int, gop: str) -> None:
    spec = _spec(fps=fps)
    timeline = plan(spec)
    for piece in timeline.pieces:
        argv = builder.piece_argv(spec, timeline, piece, "/o.mp4")
        pairs = dict(zip(argv, argv[1:], strict=False))
        assert pairs["-g"] == gop
        assert int(pairs["-keyint_min"]) <= int(gop) // 2 + 1  # what x264 accepts
        assert pairs["-colorspace"] == pairs["-color_primaries"] == pairs["-color_trc"] == "bt709"
        assert pairs["-color_range"] == "tv"
    # The benchmark's baseline encodes with the very same options.
    assert builder.x264_args(spec)[builder.x264_args(spec).index("-g") + 1] == gop


def test_captions_are_converted_with_the_bt709_matrix_once_and_split() -> None:
    spec = _spec(transition="fade")
    timeline = plan(spec)
    (segment,) = [tuple(timeline.pieces)]
    argv = builder.segment_argv(spec, timeline, segment, "/o.mp4")
    graph = _graph(argv)
    caption_inputs = [argv[i + 1] for i, a in enumerate(argv) if a == "-i" and "caption" in argv[i + 1]]
    assert len(caption_inputs) == len(set(caption_inputs))  # each read once
    for index, path in enumerate([argv[i + 1] for i, a in enumerate(argv) if a == "-i"]):
        if "caption" in path:
            assert f"[{index}:v]scale=out_color_matrix=bt709:out_range=tv[" in graph
    assert graph.count("format=yuva420p") == len(caption_inputs)


def test_exports_are_tagged_square_and_keyframed_every_two_seconds() -> None:
    for fmt in ("mp4", "mov", "webm"):
        argv = output.export_argv("/m.mp4", fmt, 480, 480, f"/e.{fmt}", master_size=(720, 720), fps=25)
        pairs = dict(zip(argv, argv[1:], strict=False))
        assert "setsar=1" in pairs["-vf"] and "out_color_matrix=bt709" in pairs["-vf"]
        assert pairs["-g"] == "50"
        assert pairs["-colorspace"] == pairs["-color_primaries"] == pairs["-color_trc"] == "bt709"


def test_keyframe_gaps_count_the_stretch_after_the_last_keyframe() -> None:
    assert longest_keyframe_gap_s([0.0, 2.0, 4.0], 5.0) == 2.0
    assert longest_keyframe_gap_s([0.0, 2.0], 5.0) == 3.0
    assert longest_keyframe_gap_s([], 5.0) == 5.0


def test_held_pairs_counts_the_frames_a_zoom_did_not_move() -> None:
    smooth = [100 + 0.1 * i for i in range(30)]
    stepped = [100 + 0.3 * (i // 3) for i in range(30)]
    assert held_pairs(smooth) == 0
    assert held_pairs(stepped) == 20  # 2 of every 3 pairs
    noisy = [v + (0.01 if i % 2 else 0.0) for i, v in enumerate(stepped)]
    assert held_pairs(noisy) == 20  # encoder noise is not motion


# --- real renders ----------------------------------------------------------------------

BAND = (220, 40, 40)  # a red: BT.601 would give it a luma 13 levels higher


def _bt709_y(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 16 + 219 * (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def _bt601_y(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 16 + 219 * (0.299 * r + 0.587 * g + 0.114 * b) / 255


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A bright square on a dark ground (its area tracks the zoom) and a flat red band
    at the top (its luma tells the colour matrix)."""
    root = tmp_path_factory.mktemp("pictures")
    paths = []
    for i in range(3):
        image = Image.new("RGB", (960, 720), (10, 20, 40))
        draw = ImageDraw.Draw(image)
        draw.rectangle([380, 260, 579, 459], fill=(240, 240, 240))
        draw.rectangle([0, 0, 959, 110], fill=BAND)
        draw.ellipse([100 + 60 * i, 150, 220 + 60 * i, 250], fill=(40, 200, 90))
        path = root / f"scene_{i}.png"
        image.save(path)
        paths.append(path)
    return paths


def _cut_spec(
    pictures: list[Path], size: tuple[int, int], duration_ms: int = 3000, *, durations: tuple[int, ...] = ()
) -> StoryboardSpec:
    scenes = tuple(
        SceneSpec(picture=str(p), duration_ms=d, narration=None, narration_ms=0, caption_text="")
        for p, d in zip(pictures, durations or [duration_ms] * len(pictures), strict=True)
    )
    return StoryboardSpec(
        scenes=scenes, width=size[0], height=size[1], fps=30, transition="cut", transition_ms=0, captions=False
    )


def _ffprobe_json(*args: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", *args], capture_output=True, check=True, text=True)
    return json.loads(out.stdout)


def assert_clean_stream(path: Path, *, duration_s: float) -> None:
    """bt709 tags, SAR 1:1, and (decoding only keyframes) no keyframe gap over 2 s."""
    stream = _ffprobe_json("-select_streams", "v:0", "-show_streams", str(path))["streams"][0]
    assert (stream["color_space"], stream["color_primaries"], stream["color_transfer"]) == ("bt709",) * 3
    assert stream["color_range"] == "tv"
    assert stream["sample_aspect_ratio"] == "1:1"
    frames = _ffprobe_json(
        "-select_streams",
        "v:0",
        "-skip_frame",
        "nokey",
        "-show_entries",
        "frame=pts_time,key_frame",
        "-show_frames",
        str(path),
    )["frames"]
    # libvpx ignores skip_frame: keep the frames that say they are keyframes.
    frames = [f for f in frames if f["key_frame"] == 1]
    times = [float(f["pts_time"]) for f in frames]
    assert times[0] < 0.05  # the first frame (WebM starts a few ms in, after the Opus pre-skip)
    marks = [*times, duration_s]
    assert max(b - a for a, b in zip(marks, marks[1:], strict=False)) <= 2.0 + 1e-3
    assert keyframe_times(path) == pytest.approx(times, abs=1e-3)


def _raw_frame_hashes(spec: StoryboardSpec, piece_index: int, tmp: Path) -> list[str]:
    """The frames x264 is given for one piece, each hashed: identical frames are exactly identical."""
    timeline = plan(spec)
    piece = timeline.pieces[piece_index]
    raw = tmp / f"piece_{piece_index}.yuv"
    run_ffmpeg(builder.segment_raw_argv(spec, timeline, [piece], str(raw)), total_ms=None, timeout_s=120)
    size = spec.width * spec.height * 3 // 2
    data = raw.read_bytes()
    raw.unlink()
    return [hashlib.md5(data[i : i + size]).hexdigest() for i in range(0, len(data), size)]


def _bright_edges(path: Path, *, start_s: float, end_s: float) -> list[tuple[int, int]]:
    """The left and right edge (x) of the bright square in each decoded frame of [start_s, end_s)."""
    edges = []
    for frame in gray_frames(path, start_s=start_s, end_s=end_s):
        # The square (luma ~222) against the ground, the red band (~76) and the green disc (~150).
        box = frame.point(lambda v: 255 if v > 200 else 0).getbbox()
        assert box is not None
        edges.append((box[0], box[2]))
    return edges


def test_a_720x720_render_with_cuts_pans_and_zooms_smoothly_in_bt709(
    pictures: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 3 s scenes pan 89 px (12 % of the side), the 4 s one would pan 119 px (17 %): with
    # pans limited to 15 % it zooms in instead. (A scene long enough to zoom under the
    # real limit, a third, moves its zoom crop by under a pixel a frame at 720x720 and
    # holds some frames: still_size's cap.)
    monkeypatch.setattr(builder, "MAX_PAN_TRAVEL", 0.15)
    spec = _cut_spec(pictures, (720, 720), durations=(3000, 3000, 4000))
    timeline = plan(spec)
    stage_times: dict[str, float] = {}
    out = render_master(spec, tmp_path / "out", timeout_s=300, stage_times=stage_times)
    assert set(stage_times) == {"video", "audio", "audio_wait", "mux", "poster", "poster_wait", "validate"}
    assert all(seconds >= 0 for seconds in stage_times.values())
    assert_clean_stream(out.master_path, duration_s=timeline.duration_ms / 1000)

    pans = [builder.scene_pan(p.slices[0].scene, 720, 720, p.frames) is not None for p in timeline.pieces]
    assert pans == [True, True, False]
    for index, piece in enumerate(timeline.pieces):
        assert piece.kind == BODY  # cuts: every piece is a scene body
        # The frames the encoder was given: fewer than 10 % identical neighbours.
        hashes = _raw_frame_hashes(spec, index, tmp_path)
        assert len(hashes) == piece.frames
        identical = sum(a == b for a, b in zip(hashes, hashes[1:], strict=False))
        assert identical < 0.1 * (piece.frames - 1), (index, identical)
        start = piece.start_frame / spec.fps
        window = {"start_s": start + 1 / spec.fps, "end_s": start + (piece.frames - 1) / spec.fps}
        pan = builder.scene_pan(piece.slices[0].scene, 720, 720, piece.frames)
        if pan is not None:
            # What the viewer gets: the square slides by the same whole step every frame,
            # left while the view pans forward (left to right), right while it pans back.
            edges = _bright_edges(out.master_path, **window)
            assert len(edges) == piece.frames - 2
            steps = [(b[0] - a[0], b[1] - a[1]) for a, b in zip(edges, edges[1:], strict=False)]
            step = -pan.step_px if pan.forward else pan.step_px
            assert steps == [(step, step)] * len(steps), index
            continue
        # What the viewer gets: the square's area (mean luma) grows or shrinks every frame.
        means = luma_means(out.master_path, **window)
        assert len(means) == piece.frames - 2
        assert held_pairs(means) < 0.1 * (len(means) - 1), index
        trend = means[-1] - means[0]
        assert abs(trend) > 0.3  # it really zooms (the square grows, the band leaves the frame)

    # The red band was converted with the BT.709 matrix.
    yuv = tmp_path / "frame.yuv"
    run_ffmpeg(
        ["ffmpeg", "-y", "-i", str(out.master_path), "-frames:v", "1", "-f", "rawvideo", str(yuv)],
        total_ms=None,
        timeout_s=60,
    )
    luma = Image.frombytes("L", (720, 720), yuv.read_bytes()[: 720 * 720])
    y = luma.getpixel((360, 20))
    assert y == pytest.approx(_bt709_y(BAND), abs=3)
    assert abs(_bt601_y(BAND) - _bt709_y(BAND)) > 10


@pytest.mark.parametrize("size", [FRAME_SIZES[("16:9", "480p")], FRAME_SIZES[("9:16", "480p")]])
def test_other_aspects_zoom_without_identical_frames(
    size: tuple[int, int], pictures: list[Path], tmp_path: Path
) -> None:
    # Longer scenes move slower: 5 s, where a frame-sized still held most pairs.
    spec = _cut_spec(pictures[:1], size, duration_ms=5000)
    hashes = _raw_frame_hashes(spec, 0, tmp_path)
    identical = sum(a == b for a, b in zip(hashes, hashes[1:], strict=False))
    assert identical < 0.1 * (len(hashes) - 1)


def test_exports_keep_the_tags_square_pixels_and_keyframes(pictures: list[Path], tmp_path: Path) -> None:
    spec = _cut_spec(pictures, (640, 360))
    master = render_master(spec, tmp_path / "out", timeout_s=300).master_path
    duration_s = probe(master).duration_ms / 1000
    for fmt, size in (("mp4", (320, 180)), ("webm", (320, 180)), ("mov", (640, 360))):
        path, info = render_export(master, fmt, width=size[0], height=size[1], workdir=tmp_path / fmt, timeout_s=300)
        assert (info.video.color_space, info.video.sample_aspect_ratio) == ("bt709", "1:1")
        assert_clean_stream(path, duration_s=duration_s)
