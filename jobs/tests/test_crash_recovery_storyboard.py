"""A worker killed mid-storyboard, while it narrates and draws at once: the re-queued job
makes only what is missing, once, and nothing of the dead attempt is left (no stray stored
file, no temp dir, no piper program)."""

from __future__ import annotations

import signal

import psutil
import pytest
from django.db.models import Q

from conftest import wait_for
from jobs.models import Job
from jobs.services import jobs_sweep
from jobs.tests.test_crash_recovery import _unreferenced
from videos.models import Scene, VideoJobKind

SCRIPT = (
    "The lighthouse keeper climbs the stairs at dusk. Far below, the waves break on the rocks. "
    "A fishing boat turns towards the harbour. The baker lights his oven before dawn. "
    "Bees dance to show the others where the flowers are. A train crosses the bridge at night."
)


def _piper_of(cluster) -> psutil.Process | None:
    for proc in psutil.Process(cluster.proc.pid).children(recursive=True):
        try:
            if "piper.http_server" in " ".join(proc.cmdline()) and proc.status() != psutil.STATUS_ZOMBIE:
                return proc
        except psutil.Error:
            continue
    return None


@pytest.mark.slow
def test_kill_9_of_a_worker_mid_storyboard_loses_nothing_and_leaves_nothing(
    start_cluster, make_video, owner, job_tmp_root, settings
):
    cluster = start_cluster(workers=1)
    video = make_video(owner, script=SCRIPT)
    job = video.jobs.get(kind=VideoJobKind.STORYBOARD)
    scenes = Scene.objects.filter(video=video)
    total = scenes.count()
    assert total >= 3

    def midway():
        row = Job.objects.get(pk=job.pk)
        assert not row.is_finished, f"the job ended before it could be killed: {row.status} {row.error_message}"
        stored = scenes.filter(Q(picture__isnull=False) | Q(narration_audio__isnull=False)).count()
        return row.status == Job.Status.RUNNING and stored > 0 and _piper_of(cluster)

    piper = wait_for(midway, timeout=180, interval=0.05, message="the storyboard to store its first media")
    kept = {scene.pk: (scene.picture_id, scene.narration_audio_id) for scene in scenes}
    assert any(not all(media) for media in kept.values())  # killed mid-way, not at the end
    worker = piper.parent()
    assert worker is not None
    worker.send_signal(signal.SIGKILL)
    gone, _ = psutil.wait_procs([piper], timeout=10)
    assert gone, "the piper program outlived its killed worker"

    wait_for(lambda: Job.objects.get(pk=job.pk).is_stale(), timeout=60, message="the heartbeat to go stale")
    assert jobs_sweep()["requeued"] == 1
    wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=240, message="the re-queued storyboard")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, f"{job.error_stage}: {job.error_message}"
    assert job.crashes == 1
    # What the dead attempt stored stays; the second made only the rest.
    for scene in Scene.objects.filter(video=video):
        assert scene.picture_id and scene.narration_audio_id and scene.narration_ms > 0
        picture, narration = kept[scene.pk]
        assert picture in (None, scene.picture_id) and narration in (None, scene.narration_audio_id)
    assert list(job_tmp_root.iterdir()) == []
    assert _unreferenced(settings) == []
