"""A scene about a number counts up in the video: its data card's steps (mediakit.data_card.
data_card_count_up) are drawn by the picture provider, stored with the picture
(assets.models.PictureLayer, role "step") and shown by the render before the final figure.

Real storyboard and render at 480p; the frames are compared where the figure is."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage

from assets.models import PictureLayer
from jobs.models import Job
from mediakit.timeline import plan
from videos.models import Video, VideoJobKind
from videos.services.render import _render_inputs

pytestmark = pytest.mark.django_db

# The second scene is a data card ("chart: ..."): the opening scene never counts (its
# poster shows the final figure).
SCRIPT = "The lighthouse keeper climbs the stairs at dusk. Our company closed the year with revenue of $4.2 million."


def _frames(path: str, numbers: list[int], width: int, height: int) -> list[np.ndarray]:
    """The master's frames with these indexes, decoded exactly (no seeking)."""
    select = "+".join(f"eq(n\\,{n})" for n in numbers)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", path, "-vf", f"select='{select}'", "-fps_mode", "passthrough"]
        + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True,
        capture_output=True,
    ).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3)
    assert len(frames) == len(numbers)
    return list(frames)


def _changed(a: np.ndarray, b: np.ndarray) -> float:
    """The share of pixels drawn differently (not x264's noise or the ground's slow pan)."""
    return float((np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 48).mean())


def _steps(video: Video) -> list[PictureLayer]:
    card = video.scenes.get(position=1).picture
    return list(card.layers.filter(role=PictureLayer.Role.STEP).order_by("order"))


def test_a_data_card_scene_counts_up_in_the_rendered_video(make_rendered_video, owner, piper_cached, tmp_path):
    video = make_rendered_video(owner, script=SCRIPT)
    assert video.status == Video.Status.READY, video.jobs.get(kind=VideoJobKind.RENDER).error_message
    card = video.scenes.get(position=1)
    assert card.visual_prompt.startswith("chart:")
    hero = card.picture.layers.get(role=PictureLayer.Role.HERO)
    steps = _steps(video)
    assert len(steps) == 12
    assert {(s.x, s.y, s.width, s.height) for s in steps} == {(hero.x, hero.y, hero.width, hero.height)}

    spec = _render_inputs(video, tmp_path)  # what the render composed, to find the scene's frames
    start = plan(spec).scene_start_frames[1]
    w, h = spec.width, spec.height
    # Frame 17 of the scene: the entrance (15 frames) is over, the count is half way; 31: the
    # count (30 frames) has run; 60: the final card.
    early, after, final = _frames(default_storage.path(video.master.name), [start + 17, start + 31, start + 60], w, h)
    # Where the figure is: the hero's box, with room for the zoom and pan of the still.
    mx, my = hero.width // 4, hero.height // 4
    region = np.s_[
        max(0, hero.y - my) : min(h, hero.y + hero.height + my), max(0, hero.x - mx) : min(w, hero.x + hero.width + mx)
    ]
    assert _changed(early[region], final[region]) > 0.02
    assert _changed(after[region], final[region]) < 0.002


def test_a_missing_step_fails_the_render_naming_the_scene(
    make_approved_video, owner, piper_cached, django_capture_on_commit_callbacks
):
    from videos.services import render_request

    video = make_approved_video(owner, script=SCRIPT)
    default_storage.delete(_steps(video)[5].file.name)
    with django_capture_on_commit_callbacks(execute=True):
        job = render_request(video=video, user=owner)
    job.refresh_from_db()
    assert (job.status, job.error_stage) == (Job.Status.FAILED, "prepare")
    assert "Scene 2's picture file is missing from storage" in job.error_message


def test_a_corrupt_step_fails_the_render_as_a_corrupt_hero_does(
    make_approved_video, owner, piper_cached, django_capture_on_commit_callbacks
):
    from videos.services import render_request

    video = make_approved_video(owner, script=SCRIPT)
    Path(default_storage.path(_steps(video)[5].file.name)).write_bytes(
        b"\x89PNG\r\n\x1a\n this is not really a picture"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = render_request(video=video, user=owner)
    job.refresh_from_db()
    video.refresh_from_db()
    assert (job.status, job.error_stage) == (Job.Status.FAILED, "video")
    assert "FFmpeg failed" in job.error_message and len(job.error_message) < 600
    assert video.status == Video.Status.FAILED and not video.master
