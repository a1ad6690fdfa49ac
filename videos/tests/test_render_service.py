"""Rendering through the services and the task: real FFmpeg on tiny inputs, probed."""

from __future__ import annotations

import threading
from pathlib import Path

import psutil
import pytest
from django.core.files.storage import default_storage

from conftest import wait_for
from core.testing import local_copy
from jobs.models import Job
from jobs.services import job_cancel
from jobs.tasks import run_job
from mediakit.probe import measure_loudness, probe
from videos.models import Video, VideoJobKind
from videos.services import render_request

LONGER_SCRIPT = (
    "The harbour wakes before the sun. Fishermen check their nets by lantern light. "
    "Gulls circle above the cold grey water. A bell rings somewhere across the bay. "
    "Boats slip out past the breakwater one by one. By noon the quay is quiet again."
)


def _stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()]


def _local(name: str) -> Path:
    return Path(default_storage.path(name))


def test_render_makes_a_valid_master_with_captions_and_poster(make_rendered_video, owner, job_tmp_root):
    video = make_rendered_video(owner, aspect="9:16", music="calm")
    job = video.jobs.get(kind=VideoJobKind.RENDER)
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    assert video.status == Video.Status.READY
    info = probe(_local(video.master.name))
    assert (info.video.codec, info.video.profile, info.video.pix_fmt) == ("h264", "High", "yuv420p")
    assert (info.video.width, info.video.height) == (480, 854)
    assert (info.audio.codec, info.audio.sample_rate, info.audio.channels) == ("aac", 48000, 2)
    assert info.faststart
    scenes = list(video.scenes.all())
    expected_ms = sum(s.duration_ms for s in scenes) - 500 * (len(scenes) - 1)
    assert abs(info.video.duration_ms - expected_ms) <= 1000 / 30 + 1
    assert (video.width, video.height, video.duration_ms) == (480, 854, info.duration_ms)
    loudness = measure_loudness(_local(video.master.name))
    assert -17.5 <= loudness.integrated_lufs <= -14.5
    assert loudness.true_peak_dbtp <= -1.0
    vtt = default_storage.open(video.captions_vtt.name).read().decode()
    srt = default_storage.open(video.captions_srt.name).read().decode()
    assert vtt.startswith("WEBVTT") and scenes[0].narration.split()[0] in vtt
    assert "-->" in srt and "," in srt.splitlines()[1]
    poster = probe(_local(video.poster.name))
    assert (poster.video.width, poster.video.height) == (480, 854)
    assert list(job_tmp_root.iterdir()) == []


def test_running_the_render_task_twice_yields_one_output(
    make_approved_video, owner, media_root, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner)
    with django_capture_on_commit_callbacks(execute=False):
        job = render_request(video=video, user=owner)
    assert run_job(job.pk) == "succeeded"
    assert run_job(job.pk) == "not claimed"
    masters = [p for p in _stored_files(media_root) if p.name.startswith("master-")]
    assert len(masters) == 1
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_corrupt_picture_fails_the_render_with_its_stage_and_leaves_nothing(
    make_approved_video, owner, media_root, job_tmp_root, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner)
    scene = video.scenes.first()
    # The picture and, for a picture drawn in layers, the layers the render reads instead.
    for name in [scene.picture.file.name, *(layer.file.name for layer in scene.picture.layers.all())]:
        _local(name).write_bytes(b"\x89PNG\r\n\x1a\n this is not really a picture")
    before = set(_stored_files(media_root))
    with django_capture_on_commit_callbacks(execute=True):
        job = render_request(video=video, user=owner)
    job.refresh_from_db()
    video.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error_stage == "video"
    assert "FFmpeg failed" in job.error_message and len(job.error_message) < 600
    assert video.status == Video.Status.FAILED and not video.master
    assert set(_stored_files(media_root)) == before
    assert list(job_tmp_root.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_cancel_during_a_render_kills_ffmpeg_and_leaves_nothing(
    make_approved_video, owner, media_root, job_tmp_root, monkeypatch
):
    from django_q.conf import Conf

    video = make_approved_video(owner, script=LONGER_SCRIPT, quality="720p")
    before = set(_stored_files(media_root))
    # Queue the render without running it inline; this test runs it in a worker thread.
    monkeypatch.setattr(Conf, "SYNC", False)
    job = render_request(video=video, user=owner)
    outcome: dict[str, str] = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("result", run_job(job.pk)))
    worker.start()
    me = psutil.Process()

    def ffmpeg_running() -> list[psutil.Process]:
        job.refresh_from_db()
        if job.stage != "video":
            return []
        return [p for p in me.children(recursive=True) if p.name() == "ffmpeg"]

    running = wait_for(ffmpeg_running, timeout=60, interval=0.05, message="FFmpeg to start encoding")
    job_cancel(job=job)
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert outcome["result"] == "canceled"
    for proc in running:
        assert not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    assert not [p for p in me.children(recursive=True) if p.name() == "ffmpeg"]
    job.refresh_from_db()
    video.refresh_from_db()
    assert job.status == Job.Status.CANCELED
    assert video.status == Video.Status.STORYBOARD and not video.master
    assert set(_stored_files(media_root)) == before
    assert list(job_tmp_root.iterdir()) == []


@pytest.mark.slow
def test_a_real_qcluster_renders_through_the_queue(qcluster, owner, make_video, tmp_path):
    from videos.services import storyboard_approve

    video = make_video(owner, title="Queued", script="A red kite rides the wind. It lands on the fence post.")
    storyboard = video.jobs.get(kind=VideoJobKind.STORYBOARD)
    wait_for(
        lambda: Job.objects.get(pk=storyboard.pk).is_finished, timeout=120, message="the storyboard job via qcluster"
    )
    storyboard.refresh_from_db()
    assert storyboard.status == Job.Status.SUCCEEDED, storyboard.error_message
    assert storyboard.task_id  # it really went through the broker
    storyboard_approve(video=video, user=owner)
    job = render_request(video=video, user=owner)
    wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=180, message="the render job via qcluster")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, (
        f"{job.error_stage}: {job.error_message}\n" + qcluster.log_path.read_text()[-3000:]
    )
    video.refresh_from_db()
    # Storage may be a folder or S3 (the scaled-out run): probe a copy.
    info = probe(local_copy(video.master.name, tmp_path))
    assert (info.video.codec, info.video.width, info.video.height) == ("h264", 854, 480)
    assert info.audio is not None and info.audio.codec == "aac"


def test_a_render_that_runs_out_of_time_fails_with_a_message_and_leaves_nothing(
    make_approved_video, owner, media_root, job_tmp_root, settings, django_capture_on_commit_callbacks
):
    from unittest import mock

    video = make_approved_video(owner)
    before = set(_stored_files(media_root))
    # The FFmpeg budget is derived from Q_TIMEOUT; make it too small for any encode.
    with mock.patch("videos.services.render._ffmpeg_timeout_s", return_value=0.01):
        with django_capture_on_commit_callbacks(execute=True):
            job = render_request(video=video, user=owner)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "took too long" in job.error_message
    assert set(_stored_files(media_root)) == before
    assert list(job_tmp_root.iterdir()) == []


# -- what a creator reads when the disk is full or a file is missing (issue 24) ---------------

DISK_FULL = "The server's storage is full, so this step could not finish; nothing was kept. Try again later."


def _render_and_fail(video, owner, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = render_request(video=video, user=owner)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    return job


def test_ffmpeg_writing_to_a_full_disk_fails_with_the_disk_full_message(
    make_approved_video, owner, media_root, job_tmp_root, monkeypatch, django_capture_on_commit_callbacks
):
    import mediakit.render
    from mediakit.runner import run_ffmpeg

    muxers = {".mkv": "matroska", ".nut": "nut", ".mp4": "mp4", ".wav": "wav"}

    def onto_a_full_disk(argv, **kwargs):
        # Real FFmpeg, its output file on /dev/full: every write fails with ENOSPC.
        outputs = [i for i, a in enumerate(argv) if Path(a).suffix in muxers and argv[i - 1] != "-i"]
        if not outputs:
            return run_ffmpeg(argv, **kwargs)
        i = outputs[-1]
        return run_ffmpeg([*argv[:i], "-f", muxers[Path(argv[i]).suffix], "/dev/full", *argv[i + 1 :]], **kwargs)

    monkeypatch.setattr(mediakit.render, "run_ffmpeg", onto_a_full_disk)
    video = make_approved_video(owner)

    job = _render_and_fail(video, owner, django_capture_on_commit_callbacks)

    assert job.error_message == DISK_FULL
    assert list(job_tmp_root.iterdir()) == []


def test_a_full_temp_disk_outside_ffmpeg_is_not_an_unexpected_error(
    make_approved_video, owner, job_tmp_root, monkeypatch, django_capture_on_commit_callbacks
):
    import errno

    import videos.services.render

    def full_disk(*args, **kwargs):
        # What Pillow raises when the caption image cannot be written.
        raise OSError(errno.ENOSPC, "No space left on device", str(job_tmp_root / "x" / "scene-001-caption-0.png"))

    monkeypatch.setattr(videos.services.render, "render_phrase_pngs", full_disk)
    video = make_approved_video(owner, captions=True)

    job = _render_and_fail(video, owner, django_capture_on_commit_callbacks)

    assert job.error_message == DISK_FULL
    assert "Unexpected error" not in job.error_message


def test_a_missing_scene_file_is_named_without_its_server_path(
    make_approved_video, owner, media_root, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner, script=LONGER_SCRIPT)
    second = video.scenes.order_by("position")[1]
    _local(second.narration_audio.file.name).unlink()

    job = _render_and_fail(video, owner, django_capture_on_commit_callbacks)

    assert job.error_stage == "prepare"
    assert job.error_message.startswith("Scene 2's narration file is missing from storage")
    assert str(media_root) not in job.error_message
    assert "/" not in job.error_message
