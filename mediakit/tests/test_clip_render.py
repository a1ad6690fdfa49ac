"""Real renders with a clip scene (tiny: 320x180, a few seconds): the clip is looped to
its scene, scaled and cropped to the frame, its sound mixed in or dropped. (Through the service:
videos/tests/test_clip_render_service.py.)"""

from __future__ import annotations

import subprocess
import wave
from array import array
from pathlib import Path

import pytest
from PIL import Image

from mediakit.probe import probe
from mediakit.render import render_master
from mediakit.spec import SceneSpec, StoryboardSpec

TONE_HZ = 1000


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    return make_clip_inputs(tmp_path_factory.mktemp("clip-inputs"))


def make_clip_inputs(root: Path) -> dict[str, Path]:
    """A short clip with a tone, a picture and a voice file (also used by the service test)."""
    clip = root / "clip.mp4"
    # 0.8 s, 4:3, 10 fps, with a steady tone: shorter than its scene, another shape and rate.
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=200x150:rate=10",
        "-f", "lavfi", "-i", f"sine=frequency={TONE_HZ}:sample_rate=44100",
        "-t", "0.8", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        str(clip),
    )  # fmt: skip
    picture = root / "blue.png"
    Image.new("RGB", (320, 180), (20, 60, 200)).save(picture)
    voice = root / "voice.wav"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:sample_rate=22050", "-t", "1.0", str(voice))
    return {"clip": clip, "picture": picture, "voice": voice}


def _spec(inputs: dict[str, Path], clip_audio: str) -> StoryboardSpec:
    return StoryboardSpec(
        scenes=(
            SceneSpec(
                picture=str(inputs["picture"]),
                duration_ms=2000,
                narration=str(inputs["voice"]),
                narration_ms=1000,
                caption_text="",
            ),
            SceneSpec(
                picture=str(inputs["picture"]),
                duration_ms=2500,
                narration=None,
                narration_ms=0,
                caption_text="",
                clip=str(inputs["clip"]),
                clip_ms=800,
                clip_audio=clip_audio,
            ),
        ),
        width=320,
        height=180,
        fps=24,
        transition="fade",
        transition_ms=500,
        captions=False,
        preset="veryfast",
    )


def _rms(master: Path, start_s: float, end_s: float, workdir: Path) -> float:
    pcm = workdir / "pcm.wav"
    _ffmpeg("-i", str(master), "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(pcm))
    with wave.open(str(pcm)) as wav:
        samples = array("h", wav.readframes(wav.getnframes()))
    window = samples[int(start_s * 16000) : int(end_s * 16000)]
    return (sum(s * s for s in window) / len(window)) ** 0.5


def _frame(master: Path, at_s: float, workdir: Path) -> Image.Image:
    still = workdir / f"frame-{at_s}.png"
    _ffmpeg("-ss", f"{at_s}", "-i", str(master), "-frames:v", "1", str(still))
    return Image.open(still).convert("RGB")


def test_a_short_clip_is_looped_to_its_scene_fitted_to_the_frame_and_its_sound_mixed(inputs, tmp_path):
    out = render_master(_spec(inputs, "mix"), tmp_path / "out", timeout_s=120)

    info = probe(out.master_path)
    assert (info.video.width, info.video.height, info.video.codec) == (320, 180, "h264")
    # 2 s + 2.5 s less the 0.5 s fade, every frame there: the 0.8 s clip looped to fill 2.5 s.
    assert info.duration_ms == 4000 and info.video.nb_frames == 96
    # Late in the clip scene (third time round the clip) the picture is the clip, not the blue still.
    frame = _frame(out.master_path, 3.6, tmp_path)
    colours = frame.getcolors(320 * 180)
    assert len(colours) > 20  # testsrc's bars and gradients, not one flat colour
    # Its sound is there while the scene lasts (no narration in that scene).
    assert _rms(out.master_path, 2.0, 3.8, tmp_path) > 1000


def test_a_dropped_clip_sound_leaves_the_scene_silent(inputs, tmp_path):
    out = render_master(_spec(inputs, "drop"), tmp_path / "out", timeout_s=120)

    assert probe(out.master_path).duration_ms == 4000
    assert _rms(out.master_path, 2.0, 3.8, tmp_path) < 50
