"""The storyboard job speaks while it draws: the narration is made in a thread of its own
alongside the pictures, stored by the job's thread, and a failure of either stops both
and leaves nothing half-made."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from assets.generators.base import GenerationError
from assets.generators.illustrated import IllustratedPictureProvider
from assets.generators.piper import PiperNarrationProvider
from assets.models import MediaAsset
from jobs.models import Job
from jobs.services import JobReporter
from mediakit import speech
from videos.models import Scene, Video, VideoJobKind
from videos.services import storyboard_job
from videos.services.scenes import generated_assets_delete, storyboard_refresh

SCRIPT = (
    "The lighthouse keeper climbs the stairs at dusk. "
    "Far below, the waves break on the rocks. "
    "A ship turns towards the light and finds the harbour."
)


def _digest(asset: MediaAsset) -> str:
    with asset.file.open("rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def _storyboard(video: Video) -> list[tuple]:
    return [
        (
            scene.narration,
            scene.narration_ms,
            scene.narration_phrases,
            scene.duration_ms,
            scene.warning,
            _digest(scene.picture),
            _digest(scene.narration_audio),
        )
        for scene in Scene.objects.filter(video=video).select_related("picture", "narration_audio").order_by("position")
    ]


def _strip_media(video: Video) -> None:
    """Every scene without its picture and narration again, as a fresh storyboard."""
    scenes = list(Scene.objects.filter(video=video).select_related("picture", "narration_audio"))
    old = [asset for scene in scenes for asset in (scene.picture, scene.narration_audio)]
    Scene.objects.filter(video=video).update(picture=None, narration_audio=None, narration_ms=0, narration_phrases=[])
    generated_assets_delete(old)


def _run_storyboard(video: Video, capture) -> Job:
    with capture(execute=True):
        storyboard_refresh(video=video)
    job = video.jobs.filter(kind=VideoJobKind.STORYBOARD).latest("created_at")
    job.refresh_from_db()
    return job


def _threads_narrating(monkeypatch) -> list[str]:
    """The name of the thread each narration batch ran on (the real narration runs)."""
    names: list[str] = []
    real = storyboard_job._narrate

    def spy(*args, **kwargs):
        names.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(storyboard_job, "_narrate", spy)
    return names


def test_narration_made_alongside_the_pictures_stores_what_one_after_the_other_does(
    make_video, owner, piper_cached, monkeypatch, django_capture_on_commit_callbacks
):
    # The same WAVs from piper for the same words (piper_cached): everything else is real.
    threads = _threads_narrating(monkeypatch)
    reports: list[tuple[str, float]] = []
    real_update = JobReporter.update

    def update(self, stage: str, fraction: float) -> None:
        reports.append((stage, fraction))
        real_update(self, stage, fraction)

    monkeypatch.setattr(JobReporter, "update", update)
    video = make_video(owner, script=SCRIPT)
    assert video.jobs.get(kind=VideoJobKind.STORYBOARD).status == Job.Status.SUCCEEDED
    alongside = _storyboard(video)
    assert len(alongside) >= 2
    assert threads and all(name.startswith("job-") for name in threads), threads
    # One stage for both, its progress only going up, from the start to near the end.
    assert {stage for stage, _ in reports} == {storyboard_job.STAGE_NARRATION_AND_PICTURES}
    fractions = [fraction for _, fraction in reports]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] > 0.9

    _strip_media(video)
    threads.clear()
    monkeypatch.setattr(storyboard_job, "_speaks_while_drawing", lambda *args: False)
    job = _run_storyboard(video, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    assert threads == [threading.current_thread().name]  # one after the other, in the job's thread

    assert _storyboard(video) == alongside


def test_the_pictures_warnings_stay_when_the_narration_is_stored_after_them(make_video, owner, piper_cached):
    # An empty stock library: each scene is told so ("Stock: ...") before its narration is
    # stored, and storing the narration keeps that line.
    video = make_video(owner, script=SCRIPT, visuals="stock")
    scenes = list(Scene.objects.filter(video=video))
    assert scenes and all(scene.narration_audio_id and scene.picture_id for scene in scenes)
    for scene in scenes:
        assert "Stock: The stock library is empty" in scene.warning, scene.warning


def test_a_narration_that_fails_stops_the_pictures_and_leaves_nothing_half_made(
    make_video, owner, job_tmp_root, django_capture_on_commit_callbacks
):
    script = " ".join(
        f"Scene {word} shows a {word} lantern on the quay at night." for word in "red green blue gold".split()
    )
    video = make_video(owner, script=script)
    count = Scene.objects.filter(video=video).count()
    assert count >= 3
    _strip_media(video)
    # A voice the synthesiser does not know: the narration fails at once, for the first scene.
    Video.objects.filter(pk=video.pk).update(voice="klingon")
    assets_before = set(MediaAsset.objects.values_list("pk", flat=True))

    job = _run_storyboard(video, django_capture_on_commit_callbacks)

    assert job.status == Job.Status.FAILED
    assert job.error_stage == "narration" and job.error_message.startswith("Scene 1: could not synthesise speech")
    scenes = list(Scene.objects.filter(video=video))
    assert not any(scene.narration_audio_id for scene in scenes)
    # The pictures stopped at the next scene instead of drawing them all...
    assert sum(1 for scene in scenes if scene.picture_id) < count
    # ...and what they stored is in use: no stray asset, no job folder left behind.
    new = MediaAsset.objects.exclude(pk__in=assets_before)
    assert set(new.values_list("pk", flat=True)) == {scene.picture_id for scene in scenes if scene.picture_id}
    assert list(job_tmp_root.iterdir()) == []


def test_a_picture_that_fails_stops_the_narration_and_leaves_nothing_half_made(
    make_video, owner, job_tmp_root, monkeypatch, django_capture_on_commit_callbacks
):
    video = make_video(owner, script=SCRIPT)
    _strip_media(video)
    monkeypatch.setattr(storyboard_job, "NARRATION_BATCH", 1)  # a batch per scene: some not yet begun
    drawing_failed = threading.Event()
    narrated: list[int] = []
    real_synthesize = PiperNarrationProvider.synthesize_many

    def slow_voice(self, **kwargs):
        narrated.append(len(kwargs["texts"]))
        # Still speaking when the picture fails: its WAV is written after the failure.
        drawing_failed.wait(10)
        return real_synthesize(self, **kwargs)

    def failing_drawing(self, **kwargs):
        drawing_failed.set()
        raise GenerationError("The drawing failed.")

    monkeypatch.setattr(PiperNarrationProvider, "synthesize_many", slow_voice)
    monkeypatch.setattr(IllustratedPictureProvider, "generate", failing_drawing)
    assets_before = set(MediaAsset.objects.values_list("pk", flat=True))

    job = _run_storyboard(video, django_capture_on_commit_callbacks)

    assert job.status == Job.Status.FAILED
    assert job.error_stage == "pictures" and "The drawing failed." in job.error_message
    # The scene being spoken finished; the others were never begun.
    assert narrated == [1] and Scene.objects.filter(video=video).count() > 1
    assert not Scene.objects.filter(video=video, narration_audio__isnull=False).exists()
    assert not MediaAsset.objects.exclude(pk__in=assets_before).exists()
    # The job waited for the voice before removing its folder: nothing was written after.
    assert list(job_tmp_root.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name.startswith(f"job-{job.pk}-narration")]


@pytest.fixture
def no_piper_program():
    """No piper program kept from earlier tests: the next narration starts one."""
    for server in list(speech._piper_servers.values()):
        server.close()
    speech._piper_servers.clear()


def test_two_storyboards_in_one_worker_load_the_voice_once(make_video, owner, monkeypatch, no_piper_program):
    starts: list[Path] = []
    real = speech._PiperServer

    class CountedStarts(real):
        def __init__(self, model: Path, work: Path) -> None:
            starts.append(model)
            super().__init__(model, work)

    monkeypatch.setattr(speech, "_PiperServer", CountedStarts)
    first = make_video(owner, script="The harbour lights come on one by one.")
    second = make_video(owner, script="Night trains carry letters across sleeping borders.")
    for video in (first, second):
        assert video.jobs.get(kind=VideoJobKind.STORYBOARD).status == Job.Status.SUCCEEDED
        assert Scene.objects.filter(video=video, narration_audio__isnull=False).exists()
    # Each job narrated in a thread that ended with it; the program outlived both.
    assert len(starts) == 1
    (server,) = speech._piper_servers.values()
    assert server.process.poll() is None
