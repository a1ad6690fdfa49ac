"""Rendering with real FFmpeg on tiny inputs, checked by probing the results."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from mediakit import audio_mix, builder
from mediakit.caption_images import render_caption_png
from mediakit.captions import _timestamp
from mediakit.errors import DecodeError, FFmpegCanceled, FFmpegError, ProbeError, ValidationFailed
from mediakit.probe import AudioStream, MediaInfo, VideoStream, decode_check, measure_loudness, probe
from mediakit.render import fit_still, render_export, render_master, validate_master, with_fitted_stills
from mediakit.runner import run_ffmpeg
from mediakit.spec import FRAME_SIZES, SceneSpec, StoryboardSpec, scene_duration_for
from mediakit.timeline import group_pieces, plan

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
WORDS = ["Rivers run under the city.", "Bakers rise before dawn.", "Bees dance to talk."]


# --- inputs --------------------------------------------------------------------


def make_picture(path: Path, index: int, size: tuple[int, int] = (640, 400)) -> Path:
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        draw.line([(0, y), (size[0], y)], fill=(40 + 60 * index, 80 + y * 150 // size[1], 200 - 50 * index))
    draw.ellipse([size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2], fill=(250, 200, 30))
    draw.text((20, 20), f"Scene {index + 1}", font=ImageFont.truetype(FONT, 40), fill="white")
    image.save(path)
    return path


def make_voice(path: Path, text: str) -> int:
    subprocess.run(["espeak-ng", "-s", "220", "-w", str(path), text], check=True, capture_output=True)
    duration = probe(path).duration_ms
    assert duration
    return duration


def make_tone(path: Path, *, freq: int, seconds: float, volume: float = 0.5) -> Path:
    run_ffmpeg(
        [
            "ffmpeg",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=f={freq}:d={seconds}:r=48000",
            "-af",
            f"volume={volume}",
            str(path),
        ],
        total_ms=None,
        timeout_s=30,
    )
    return path


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("assets")
    voices = []
    for i, text in enumerate(WORDS):
        path = root / f"voice_{i}.wav"
        voices.append((path, make_voice(path, text)))
    music = root / "music.wav"
    run_ffmpeg(
        [
            "ffmpeg",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=f=330:d=3:r=48000",
            "-f",
            "lavfi",
            "-i",
            "anoisesrc=c=pink:a=0.1:d=3:r=48000",
            "-filter_complex",
            "amix=inputs=2:normalize=0",
            str(music),
        ],
        total_ms=None,
        timeout_s=30,
    )
    pictures = [make_picture(root / f"scene_{i}.png", i) for i in range(3)]
    return {"root": root, "voices": voices, "music": music, "pictures": pictures}


def storyboard(
    assets: dict,
    tmp_path: Path,
    *,
    size: tuple[int, int] = (256, 144),
    fps: int = 30,
    captions: bool = True,
    music: bool = True,
    transition: str = "fade",
    style: str = "classic",
) -> StoryboardSpec:
    scenes = []
    for i, ((voice, voice_ms), picture) in enumerate(zip(assets["voices"], assets["pictures"], strict=True)):
        caption_png = None
        if captions:
            caption_png = str(tmp_path / f"caption_{i}.png")
            render_caption_png(WORDS[i], width=size[0], height=size[1], style=style, out_path=caption_png)
        scenes.append(
            SceneSpec(
                picture=str(picture),
                duration_ms=scene_duration_for(voice_ms, transition_ms=0 if transition == "cut" else 500),
                narration=str(voice),
                narration_ms=voice_ms,
                caption_text=WORDS[i],
                caption_png=caption_png,
            )
        )
    return StoryboardSpec(
        scenes=tuple(scenes),
        width=size[0],
        height=size[1],
        fps=fps,
        transition=transition,
        transition_ms=0 if transition == "cut" else 500,
        music=str(assets["music"]) if music else None,
        captions=captions,
    )


def frame_at(video: Path, frame: int, out: Path) -> Image.Image:
    """Decode exactly frame number `frame` (0-based) to an RGB image."""
    run_ffmpeg(
        [
            "ffmpeg",
            "-y",
            "-i",
            str(video),
            "-vf",
            f"select=eq(n\\,{frame})",
            "-frames:v",
            "1",
            "-update",
            "1",
            str(out),
        ],
        total_ms=None,
        timeout_s=60,
    )
    return Image.open(out).convert("RGB")


def assert_meets_the_contract(info: MediaInfo, spec: StoryboardSpec) -> None:
    timeline = plan(spec)
    assert info.format_name.split(",")[0] == "mov"
    assert info.video is not None and info.audio is not None
    assert info.video.codec == "h264"
    assert info.video.profile == "High"
    assert info.video.pix_fmt == "yuv420p"
    assert (info.video.width, info.video.height) == (spec.width, spec.height)
    assert info.video.fps == spec.fps
    assert info.video.nb_frames == timeline.total_frames
    assert abs(info.video.duration_ms - timeline.duration_ms) <= 1000 / spec.fps
    assert info.audio.codec == "aac"
    assert info.audio.sample_rate == 48000
    assert info.audio.channels == 2
    assert info.faststart is True


# --- the master --------------------------------------------------------------------


@pytest.mark.parametrize("aspect", ["16:9", "9:16", "1:1"])
def test_master_meets_the_contract_for_each_aspect(aspect: str, assets: dict, tmp_path: Path) -> None:
    spec = storyboard(assets, tmp_path, size=FRAME_SIZES[(aspect, "480p")])
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    assert out.master_path == tmp_path / "out" / "master.mp4"
    info = probe(out.master_path)
    assert_meets_the_contract(info, spec)
    assert out.info == info
    loudness = measure_loudness(out.master_path)
    assert loudness.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert loudness.true_peak_dbtp <= -1.0
    poster = Image.open(out.poster_path)
    assert poster.format == "JPEG"
    assert poster.size == (spec.width, spec.height)
    # Only the results are left in the output directory.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["master.mp4", "poster.jpg"]


def test_subtitle_cues_match_the_narration_times(assets: dict, tmp_path: Path) -> None:
    spec = storyboard(assets, tmp_path, captions=False, music=False)
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    timeline = plan(spec)
    starts = re.findall(r"^(\S+) --> (\S+)$", out.vtt_text, re.MULTILINE)
    expected = [
        (_timestamp(start, "."), _timestamp(start + scene.narration_ms, "."))
        for start, scene in zip(timeline.narration_start_ms, spec.scenes, strict=True)
    ]
    assert starts == expected
    assert out.vtt_text.startswith("WEBVTT\n\n")
    assert out.srt_text.startswith("1\n" + expected[0][0].replace(".", ",") + " --> ")
    assert WORDS[1] in out.srt_text


def test_odd_durations_at_25_fps_with_cuts_keep_every_frame(assets: dict, tmp_path: Path) -> None:
    spec = storyboard(assets, tmp_path, fps=25, transition="cut", captions=False)
    spec = replace(spec, scenes=tuple(replace(s, duration_ms=s.duration_ms + 333) for s in spec.scenes))
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    assert_meets_the_contract(out.info, spec)


def test_several_segments_join_into_one_exact_video(
    assets: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One segment per piece: five encodes joined by the concat demuxer.
    monkeypatch.setattr("mediakit.render.SEGMENT_MAX_MS", 1)
    spec = storyboard(assets, tmp_path, fps=25, music=False)
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    assert_meets_the_contract(out.info, spec)
    timestamps = run_ffmpeg(
        ["ffmpeg", "-i", str(out.master_path), "-map", "0:v", "-c", "copy", "-f", "null", "-"],
        total_ms=None,
        timeout_s=60,
    )
    assert "Non-monotonous DTS" not in timestamps.stderr_tail
    decode_check(out.master_path, 60)


def test_a_picture_shown_in_two_distant_segments_is_fitted_again(
    assets: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mediakit.render.SEGMENT_MAX_MS", 1)
    spec = storyboard(assets, tmp_path, captions=False, music=False)
    again = replace(spec.scenes[0], narration=None, narration_ms=0)
    spec = replace(spec, scenes=(*spec.scenes, again))  # scene 0's picture closes the video
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    assert_meets_the_contract(out.info, spec)


def test_progress_goes_through_the_stages_in_order_up_to_one(assets: dict, tmp_path: Path) -> None:
    events: list[tuple[str, float]] = []
    render_master(
        storyboard(assets, tmp_path, captions=False),
        tmp_path / "out",
        on_progress=lambda s, f: events.append((s, f)),
        timeout_s=300,
    )
    stages = [s for s, _ in events]
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == [
        "video",
        "audio",
        "mux",
        "validate",
        "poster",
    ]
    fractions = [f for _, f in events]
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0)


def _square_storyboard(tmp_path: Path) -> StoryboardSpec:
    # A 4:3 picture for a 16:9 frame: fitted by width, its top and bottom cropped.
    picture = Image.new("RGB", (960, 720), "black")
    ImageDraw.Draw(picture).rectangle([420, 300, 539, 419], fill="white")  # 120x120, centred
    picture.save(tmp_path / "square.png")
    return StoryboardSpec(
        scenes=(
            SceneSpec(
                picture=str(tmp_path / "square.png"), duration_ms=2000, narration=None, narration_ms=0, caption_text=""
            ),
        ),
        width=640,
        height=360,
        fps=30,
        captions=False,
    )


def _square_boxes(out: Path, tmp_path: Path) -> list[tuple[int, int, int, int]]:
    """The white square's box in the first and the last frame."""
    boxes = []
    for n in (0, 59):
        gray = frame_at(out, n, tmp_path / f"f{n}.png").convert("L").point(lambda v: 255 if v > 128 else 0)
        boxes.append(gray.getbbox())
    return boxes


def test_ken_burns_pans_across_the_picture_a_whole_pixel_a_frame(tmp_path: Path) -> None:
    spec = _square_storyboard(tmp_path)
    pan = builder.scene_pan(0, 640, 360, 60)
    assert pan is not None and pan.forward and pan.horizontal
    still_w, still_h = builder.pan_still_size(640, 360, pan)
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    (l0, t0, r0, b0), (l1, t1, r1, b1) = _square_boxes(out.master_path, tmp_path)
    # The still is the picture fitted to still_w x 360: the square keeps its size and
    # height, and its centre starts at the still's centre, then moves left by the pan.
    assert r0 - l0 == pytest.approx(120 * still_w / 960, abs=2) and r1 - l1 == r0 - l0
    assert (t0 + b0) / 2 == pytest.approx(180, abs=2) and (t1, b1) == (t0, b0)
    assert (l0 + r0) / 2 == pytest.approx(still_w / 2, abs=1.5)
    assert l0 - l1 == pan.step_px * 59


def test_a_scene_too_long_to_pan_zooms_about_the_centre(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Any pan is too long when none may travel: the scene zooms in from 1.0 to ~1.1.
    monkeypatch.setattr(builder, "MAX_PAN_TRAVEL", 0.0)
    out = render_master(_square_storyboard(tmp_path), tmp_path / "out", timeout_s=300)
    boxes = _square_boxes(out.master_path, tmp_path)
    for left, top, right, bottom in boxes:
        assert (left + right) / 2 == pytest.approx(320, abs=2)
        assert (top + bottom) / 2 == pytest.approx(180, abs=2)
    first_w = boxes[0][2] - boxes[0][0]
    last_w = boxes[1][2] - boxes[1][0]
    assert first_w == pytest.approx(80, abs=2)
    assert last_w / first_w == pytest.approx(1.1, abs=0.03)


def test_crossfade_blends_the_two_scenes_for_half_a_second(tmp_path: Path) -> None:
    scenes = []
    for i, colour in enumerate(["red", "blue"]):
        Image.new("RGB", (320, 180), colour).save(tmp_path / f"{colour}.png")
        scenes.append(
            SceneSpec(
                picture=str(tmp_path / f"{colour}.png"),
                duration_ms=2000,
                narration=None,
                narration_ms=0,
                caption_text="",
            )
        )
        del i
    spec = StoryboardSpec(scenes=tuple(scenes), width=320, height=180, fps=30, captions=False)
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    assert out.info.video.nb_frames == 60 + 60 - 15
    before = frame_at(out.master_path, 40, tmp_path / "a.png").getpixel((160, 90))
    middle = frame_at(out.master_path, 52, tmp_path / "b.png").getpixel((160, 90))
    after = frame_at(out.master_path, 70, tmp_path / "c.png").getpixel((160, 90))
    assert before[0] > 200 and before[2] < 40
    assert 60 < middle[0] < 200 and 60 < middle[2] < 200
    assert after[0] < 40 and after[2] > 200


@pytest.mark.parametrize("captions", [True, False])
def test_captions_are_burned_in_only_when_asked(captions: bool, tmp_path: Path) -> None:
    Image.new("RGB", (320, 180), (20, 20, 60)).save(tmp_path / "dark.png")
    voice = make_tone(tmp_path / "voice.wav", freq=300, seconds=1.0)
    render_caption_png("Hello there", width=320, height=180, style="classic", out_path=tmp_path / "cap.png")
    spec = StoryboardSpec(
        scenes=(
            SceneSpec(
                picture=str(tmp_path / "dark.png"),
                duration_ms=2000,
                narration=str(voice),
                narration_ms=1000,
                caption_text="Hello there",
                caption_png=str(tmp_path / "cap.png"),
            ),
        ),
        width=320,
        height=180,
        fps=30,
        captions=captions,
    )
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    during = frame_at(out.master_path, 20, tmp_path / "during.png").convert("L")  # 0.67 s: in the cue
    before = frame_at(out.master_path, 3, tmp_path / "before.png").convert("L")  # 0.1 s: before it
    bottom = (0, 120, 320, 180)
    bright_during = max(during.crop(bottom).get_flattened_data())
    bright_before = max(before.crop(bottom).get_flattened_data())
    assert bright_before < 100
    if captions:
        assert bright_during > 200
    else:
        assert bright_during < 100


def _high_band_rms_db(wav: Path, *, start: float, end: float) -> float:
    """RMS level of what is above ~3 kHz (the music tone) in a window; the 200 Hz voice is filtered out."""
    result = run_ffmpeg(
        [
            "ffmpeg",
            "-i",
            str(wav),
            "-af",
            f"atrim=start={start}:end={end},{'highpass=f=3000,' * 4}astats=measure_perchannel=none",
            "-f",
            "null",
            "-",
        ],
        total_ms=None,
        timeout_s=30,
    )
    return float(re.findall(r"RMS level dB: (-?[\d.]+)", result.stderr_tail)[-1])


def test_music_is_ducked_while_the_narration_speaks(tmp_path: Path) -> None:
    # A voice at a speaking level (-21 dBFS RMS) and a bed of music.
    voice = make_tone(tmp_path / "voice.wav", freq=200, seconds=2.0, volume=1.0)
    music = make_tone(tmp_path / "music.wav", freq=6000, seconds=1.5)
    Image.new("RGB", (64, 36)).save(tmp_path / "p.png")
    spec = StoryboardSpec(
        scenes=(
            SceneSpec(
                picture=str(tmp_path / "p.png"),
                # Long enough that the music's fade-out (the last 3 s) starts after 4 s.
                duration_ms=7000,
                narration=str(voice),
                narration_ms=2000,
                caption_text="x",
            ),
        ),
        width=64,
        height=36,
        fps=30,
        narration_lead_ms=1000,
        music=str(music),
        captions=False,
    )
    mix = tmp_path / "mix.wav"
    run_ffmpeg(audio_mix.audio_mix_argv(spec, plan(spec), str(mix)), total_ms=None, timeout_s=60)
    info = probe(mix)
    assert info.audio.sample_rate == 48000 and info.audio.channels == 2
    assert info.duration_ms == 7000
    alone = _high_band_rms_db(mix, start=0.2, end=0.9)  # music only (it loops: 1.5 s file)
    under_voice = _high_band_rms_db(mix, start=1.5, end=2.8)
    after = _high_band_rms_db(mix, start=3.6, end=4.0)
    assert under_voice < alone - 6
    assert after > under_voice + 3  # the music comes back once the voice stops
    assert _high_band_rms_db(mix, start=6.9, end=7.0) < after - 20  # and fades out with the video


def test_a_corrupt_picture_fails_and_leaves_no_master(assets: dict, tmp_path: Path) -> None:
    bad = tmp_path / "scene_3.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 100)
    spec = storyboard(assets, tmp_path)
    spec = replace(spec, scenes=(*spec.scenes[:2], replace(spec.scenes[2], picture=str(bad))))
    with pytest.raises(FFmpegError) as caught:
        render_master(spec, tmp_path / "out", timeout_s=300)
    assert "scene_3.png" in caught.value.message
    assert list((tmp_path / "out").iterdir()) == []


def test_a_corrupt_narration_fails_the_render_from_the_background_mix(assets: dict, tmp_path: Path) -> None:
    # The soundtrack is mixed in a second FFmpeg while the video encodes: its failure still fails the render.
    bad = tmp_path / "voice_bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00garbage" * 100)
    spec = storyboard(assets, tmp_path, captions=False)
    spec = replace(spec, scenes=(*spec.scenes[:2], replace(spec.scenes[2], narration=str(bad))))
    with pytest.raises(FFmpegError) as caught:
        render_master(spec, tmp_path / "out", timeout_s=300)
    assert "extradata" in caught.value.message  # FFmpeg's own words about the broken WAV
    assert list((tmp_path / "out").iterdir()) == []


def test_cancel_stops_the_render_and_leaves_nothing(assets: dict, tmp_path: Path) -> None:
    calls = []

    def should_cancel() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(FFmpegCanceled):
        render_master(storyboard(assets, tmp_path), tmp_path / "out", should_cancel=should_cancel, timeout_s=300)
    assert list((tmp_path / "out").iterdir()) == []


def test_fit_still_covers_the_frame_and_crops_the_centre(tmp_path: Path) -> None:
    picture = Image.new("RGB", (400, 100), "red")
    ImageDraw.Draw(picture).rectangle([150, 0, 249, 99], fill="blue")  # the middle quarter
    picture.save(tmp_path / "wide.png")
    out = fit_still(str(tmp_path / "wide.png"), 200, 100, tmp_path / "fitted.bmp")
    fitted = Image.open(out)
    assert (fitted.format, fitted.size) == ("BMP", (200, 100))
    # 400x100 cropped to its centre 200x100: blue in the middle half, red at the edges.
    assert fitted.getpixel((100, 50)) == (0, 0, 255)
    assert fitted.getpixel((5, 50)) == (255, 0, 0)
    assert fitted.getpixel((60, 50)) == (0, 0, 255)


def test_fit_still_turns_photos_upright(tmp_path: Path) -> None:
    picture = Image.new("RGB", (200, 100), "red")
    ImageDraw.Draw(picture).rectangle([0, 0, 99, 99], fill="blue")  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: display rotated 90 degrees clockwise
    picture.save(tmp_path / "photo.jpg", exif=exif, quality=95)
    fitted = Image.open(fit_still(str(tmp_path / "photo.jpg"), 100, 200, tmp_path / "fitted.bmp"))
    assert fitted.size == (100, 200)
    top, bottom = fitted.getpixel((50, 20)), fitted.getpixel((50, 180))
    assert top[2] > 200 and top[0] < 60  # the blue half is on top once upright
    assert bottom[0] > 200 and bottom[2] < 60


def test_with_fitted_stills_hands_out_the_stills_the_render_encodes(assets: dict, tmp_path: Path) -> None:
    # bench_render's baseline encodes frames made from these: they must be the render's own.
    spec = storyboard(assets, tmp_path)
    timeline = plan(spec)
    pieces = group_pieces(timeline, 1)[0]
    fitted = with_fitted_stills(spec, timeline, pieces, tmp_path)
    shown = {part.scene for piece in pieces for part in piece.slices}
    for i, (scene, before) in enumerate(zip(fitted.scenes, spec.scenes, strict=True)):
        if i not in shown:
            assert scene.picture == before.picture
            continue
        size = builder.scene_still_size(spec, timeline, i)
        assert scene.picture != before.picture
        direct = fit_still(before.picture, *size, tmp_path / f"direct_{i}.bmp")
        with Image.open(scene.picture) as got, Image.open(direct) as want:
            assert (got.format, got.size) == ("BMP", size)
            assert got.tobytes() == want.tobytes()


def test_fit_still_leaves_unreadable_files_to_ffmpeg(tmp_path: Path) -> None:
    bad = tmp_path / "scene_3.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    assert fit_still(str(bad), 64, 36, tmp_path / "fitted.bmp") == str(bad)
    assert not (tmp_path / "fitted.bmp").exists()


# --- exports ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def master(assets: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("master")
    spec = storyboard(assets, tmp, size=(640, 360))
    return render_master(spec, tmp / "out", timeout_s=300).master_path


@pytest.mark.parametrize(
    "fmt, size, codecs",
    [
        ("mp4", (320, 180), ("h264", "aac")),
        ("mov", (640, 360), ("h264", "aac")),
        ("webm", (320, 180), ("vp9", "opus")),
    ],
)
def test_exports_are_validated_conversions_of_the_master(
    master: Path, fmt: str, size: tuple[int, int], codecs: tuple[str, str], tmp_path: Path
) -> None:
    stages = []
    workdir = tmp_path / "exports"
    path, info = render_export(
        master,
        fmt,
        width=size[0],
        height=size[1],
        workdir=workdir,
        on_progress=lambda s, f: stages.append(s),
        timeout_s=300,
    )
    assert path == workdir / f"export_{size[0]}x{size[1]}.{fmt}"
    assert (info.video.codec, info.audio.codec) == codecs
    assert (info.video.width, info.video.height) == size
    assert info.audio.sample_rate == 48000 and info.audio.channels == 2
    master_info = probe(master)
    assert abs(info.duration_ms - master_info.duration_ms) <= 34
    if fmt != "webm":
        assert info.faststart
        assert info.video.profile == "High"
    assert stages[0] == "encode" and stages[-1] == "validate"
    assert sorted(p.name for p in workdir.iterdir()) == [path.name]


def test_mov_at_master_size_is_the_same_stream(master: Path, tmp_path: Path) -> None:
    path, info = render_export(master, "mov", width=640, height=360, workdir=tmp_path / "exports", timeout_s=300)
    assert info.video.nb_frames == probe(master).video.nb_frames
    assert info.format_name.startswith("mov")


# --- probe and validation -------------------------------------------------------------


def test_probe_tells_faststart_from_the_atom_order(master: Path, tmp_path: Path) -> None:
    slow = tmp_path / "slow.mp4"
    run_ffmpeg(["ffmpeg", "-y", "-i", str(master), "-c", "copy", str(slow)], total_ms=None, timeout_s=60)
    assert probe(master).faststart is True
    assert probe(slow).faststart is False


def test_probe_refuses_a_file_that_is_not_media(tmp_path: Path) -> None:
    junk = tmp_path / "upload.mp4"
    junk.write_bytes(b"this is not a video at all" * 100)
    with pytest.raises(ProbeError, match="upload.mp4"):
        probe(junk)


def test_decode_check_catches_a_damaged_master(master: Path, tmp_path: Path) -> None:
    data = bytearray(master.read_bytes())
    # Overwrite the middle of the media data: the container still parses, the frames do not.
    middle = len(data) // 2
    data[middle : middle + 4000] = bytes(4000)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    decode_check(master, 60)
    with pytest.raises(DecodeError, match="damaged.mp4 does not decode cleanly"):
        decode_check(damaged, 60)


def test_validate_master_lists_every_problem(assets: dict, tmp_path: Path) -> None:
    spec = storyboard(assets, tmp_path, size=(640, 360))
    timeline = plan(spec)
    info = MediaInfo(
        path="/x.mp4",
        format_name="mov,mp4,m4a,3gp,3g2,mj2",
        duration_ms=timeline.duration_ms + 500,
        size_bytes=1,
        bit_rate=None,
        video=VideoStream(
            "h264", "Main", "yuv444p", 640, 368, spec.fps, timeline.total_frames + 15, timeline.duration_ms + 500
        ),
        audio=AudioStream("mp3", 44100, 1, timeline.duration_ms),
        faststart=False,
    )
    # An untagged stream whose only keyframe is the first frame.
    problems = validate_master(info, spec, timeline, keyframes=[0.0])
    assert problems == [
        "H.264 profile is Main, expected High",
        "pixel format is yuv444p, expected yuv420p",
        "frame size is 640x368, expected 640x360",
        f"video lasts {timeline.duration_ms + 500} ms, expected {timeline.duration_ms} ms (within one frame)",
        f"video has {timeline.total_frames + 15} frames, expected {timeline.total_frames}",
        "colour matrix is untagged, expected bt709",
        "colour primaries is untagged, expected bt709",
        "transfer is untagged, expected bt709",
        "colour range is untagged, expected tv",
        "sample aspect ratio is unset, expected 1:1",
        f"keyframes up to {timeline.duration_ms / 1000:.2f} s apart, expected at most 2 s",
        "audio codec is mp3, expected aac",
        "audio sample rate is 44100 Hz, expected 48000 Hz",
        "audio has 1 channels, expected 2",
        "moov atom is not before mdat (no faststart)",
    ]
    assert str(ValidationFailed(problems)).startswith("output failed validation: H.264 profile is Main")


def test_a_soundtrack_the_encoder_pushes_over_the_peak_target_is_limited_again(
    assets: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AAC can overshoot a sharp onset after quiet (a render's plosive: -1.8 dBTP limited,
    # -0.5 encoded). Stand-in: the first encode comes out 6 dB hotter than it was asked.
    from mediakit import output

    calls: list[list[str]] = []
    real = output.soundtrack_argv

    def hot_first(*args: object, **kwargs: object) -> list[str]:
        argv = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(argv)
        if len(calls) == 1:
            at = argv.index("-filter_complex") + 1
            argv[at] = argv[at].replace("[s0]", "[h0];[h0]volume=6dB[s0]", 1) if "[s0]" in argv[at] else argv[at]
        return argv

    monkeypatch.setattr(output, "soundtrack_argv", hot_first)
    spec = storyboard(assets, tmp_path, size=(640, 360))
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    assert len(calls) == 2  # encoded again, behind a lower limiter
    assert "volume=6dB" in calls[0][calls[0].index("-filter_complex") + 1]
    loudness = measure_loudness(out.master_path)
    assert loudness.true_peak_dbtp <= -1.5
    assert loudness.integrated_lufs == pytest.approx(-16.0, abs=0.5)


# --- full size ----------------------------------------------------------------------


@pytest.mark.slow
def test_full_size_1080p_master(assets: dict, tmp_path: Path) -> None:
    spec = storyboard(assets, tmp_path, size=(1920, 1080), style="boxed")
    assert 5000 < plan(spec).duration_ms < 8000
    out = render_master(spec, tmp_path / "out", timeout_s=600)
    info = probe(out.master_path)
    assert_meets_the_contract(info, spec)
    loudness = measure_loudness(out.master_path)
    assert loudness.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert loudness.true_peak_dbtp <= -1.0
    decode_check(out.master_path, 120)
