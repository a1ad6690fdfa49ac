"""A render with a brand kit, for real (480p, one scene): the intro and outro cards before
and after the content, the logo in its corner over the scene, the captions shifted by the
intro; and the switch that renders without it."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jobs.models import Job
from mediakit import brand
from mediakit.probe import measure_loudness, probe
from videos.models import VideoJobKind
from videos.selectors import video_duration_ms
from videos.services.brand_kit import brand_kit_logo_set, brand_kit_update

FPS = 30
INTRO_MS, OUTRO_MS = 1000, 1000
CARD = "#0b1f3a"


def _frames(path: Path, numbers: list[int], width: int, height: int) -> np.ndarray:
    """The master's frames with these indexes, decoded exactly (no seeking)."""
    select = "+".join(f"eq(n\\,{n})" for n in numbers)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select='{select}'", "-fps_mode", "passthrough"]
        + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3)


def _kit(owner) -> None:
    brand_kit_update(
        owner=owner,
        logo_corner="top-right",
        logo_size=20,
        logo_opacity=100,
        card_background=CARD,
        intro_title="{title}",
        intro_ms=INTRO_MS,
        outro_title="Thanks for watching",
        outro_line="Subscribe",
        outro_ms=OUTRO_MS,
    )
    buffer = io.BytesIO()
    Image.new("RGBA", (200, 100), (0, 220, 0, 255)).save(buffer, "PNG")
    brand_kit_logo_set(owner=owner, upload=SimpleUploadedFile("logo.png", buffer.getvalue()))


def test_a_render_with_a_brand_kit_has_its_cards_its_logo_and_captions_in_time(
    owner, make_rendered_video, piper_cached
) -> None:
    _kit(owner)
    video = make_rendered_video(owner, title="Lighthouse")
    job = video.jobs.get(kind=VideoJobKind.RENDER)
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    master = Path(default_storage.path(video.master.name))
    info = probe(master)
    scenes = list(video.scenes.all())
    content_ms = sum(s.duration_ms for s in scenes) - 500 * (len(scenes) - 1)
    # intro + content + outro, to the frame; the sound as long as the picture (no gap, no cut).
    assert abs(info.video.duration_ms - (INTRO_MS + content_ms + OUTRO_MS)) <= 1000 / FPS + 1
    assert abs(info.audio.duration_ms - info.video.duration_ms) <= 1000 / FPS
    # What pages show and quotas charge before the render says the same.
    assert abs(video_duration_ms(video) - info.video.duration_ms) <= 1000 / FPS + 1
    assert -17.5 <= measure_loudness(master).integrated_lufs <= -14.5

    w, h = info.video.width, info.video.height
    size = brand.logo_size(200, 100, w, h, 20)
    x, y = brand.logo_position("top-right", w, h, *size)
    middle = (INTRO_MS + content_ms // 2) * FPS // 1000
    last = info.video.nb_frames - 1
    intro, scene, outro = _frames(master, [5, middle, last - 5], w, h)
    card_rgb = np.array(brand.colour_rgb(CARD))
    # The cards: their background all round the edges, no logo in the corner.
    for card in (intro, outro):
        assert np.abs(card[y + size[1] // 2, x + size[0] // 2].astype(int) - card_rgb).max() <= 12
    # The scene: the logo's green in the middle of its box, the picture outside it.
    r, g, b = scene[y + size[1] // 2, x + size[0] // 2].astype(int)
    assert g >= 190 and r <= 40 and b <= 40, (r, g, b)
    assert not np.array_equal(scene[y + size[1] + 20, x + size[0] // 2], scene[y + size[1] // 2, x + size[0] // 2])

    # The poster is the first scene on its own (with the logo), not the intro card.
    with Image.open(default_storage.path(video.poster.name)) as poster:
        r, g, b = poster.convert("RGB").getpixel((x + size[0] // 2, y + size[1] // 2))
        assert g >= 180 and r <= 60 and b <= 60, (r, g, b)

    # Captions shifted by the intro: the first cue starts after it.
    vtt = default_storage.open(video.captions_vtt.name).read().decode()
    first = next(line for line in vtt.splitlines() if "-->" in line)
    start = first.split(" --> ")[0]
    minutes, seconds = start.split(":")[-2:]
    assert float(seconds) + 60 * int(minutes) >= INTRO_MS / 1000


def test_a_video_with_its_switch_off_renders_without_the_kit(owner, make_approved_video, piper_cached) -> None:
    from django.test import TestCase

    from videos.services import render_request
    from videos.services.brand_kit import video_set_brand_kit

    _kit(owner)
    video = make_approved_video(owner, title="Lighthouse")
    video_set_brand_kit(video=video, on=False)
    with TestCase.captureOnCommitCallbacks(execute=True):
        render_request(video=video, user=owner)
    video.refresh_from_db()
    scenes = list(video.scenes.all())
    content_ms = sum(s.duration_ms for s in scenes) - 500 * (len(scenes) - 1)
    assert abs(video.duration_ms - content_ms) <= 1000 / FPS + 1
    assert video_duration_ms(video) == content_ms
