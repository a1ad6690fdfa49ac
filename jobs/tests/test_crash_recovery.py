"""Crash tests on a real cluster (ORM broker): a worker killed mid-render, a worker stopped
past the stale limit and resumed. The job is done exactly once, nothing is left behind
(temp dirs, stray stored files, staged records), and no FFmpeg outlives its worker."""

from __future__ import annotations

import signal
import time
from io import StringIO
from pathlib import Path

import psutil
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from conftest import wait_for
from jobs.models import Job, StagedFile
from jobs.services import jobs_sweep
from videos.models import Video
from videos.services import render_request

# The videos are the fixtures' tiny default (two short scenes at 480p): the kills land on the
# first FFmpeg the test sees or on the save, which every render has, however short.


def _stored_names(folder: str = "videos") -> set[str]:
    """Every stored file under ``folder``, from the storage itself (local folder or S3)."""
    try:
        dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:  # a local folder not made yet (S3 answers empty lists)
        return set()
    names = {f"{folder}/{name}" for name in files}
    for sub in dirs:
        names |= _stored_names(f"{folder}/{sub}")
    return names


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _unreferenced(settings) -> list[str]:
    settings.CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS = 0
    out = StringIO()
    call_command("storage_sweep", stdout=out)
    return out.getvalue().splitlines()[:-1]


def _wait_ffmpeg(cluster, job: Job):
    def found():
        row = Job.objects.get(pk=job.pk)
        assert row.status != Job.Status.FAILED, row.error_message
        return cluster.worker_running_ffmpeg() if row.stage in ("video", "scenes", "audio", "mix") else None

    return wait_for(found, timeout=180, interval=0.1, message="FFmpeg to start in a worker")


def _assert_done_once_and_clean(job: Job, video: Video, media_root: Path, job_tmp_root: Path, settings) -> None:
    job.refresh_from_db()
    video.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, f"{job.error_stage}: {job.error_message}"
    assert video.status == Video.Status.READY and video.master
    names = {video.master.name, video.poster.name, video.captions_vtt.name, video.captions_srt.name}
    stored = _stored_names()
    assert stored == names  # one master, poster and pair of captions: nothing from the dead attempt
    assert not StagedFile.objects.exists()
    assert list(job_tmp_root.iterdir()) == []
    assert _unreferenced(settings) == []


@pytest.mark.slow
def test_kill_9_of_a_worker_mid_render_finishes_once_and_leaves_nothing(
    start_cluster, make_approved_video, owner, media_root, job_tmp_root, settings
):
    video = make_approved_video(owner)
    cluster = start_cluster(workers=1)
    job = render_request(video=video, user=owner)
    worker, ffmpegs = _wait_ffmpeg(cluster, job)
    dead_dirs = list(job_tmp_root.iterdir())
    assert dead_dirs  # the killed worker's temp dir, with its partial outputs
    worker.send_signal(signal.SIGKILL)
    time.sleep(2)
    assert _alive(ffmpegs) == [], "FFmpeg outlived its worker by 2 s"
    # The cluster respawns the worker; once the heartbeat is stale the reaper re-queues the
    # job (the minute schedule; called here so the test does not wait for it).
    wait_for(
        lambda: Job.objects.get(pk=job.pk).is_stale(),
        timeout=60,
        message=f"the heartbeat to go stale ({Job.objects.get(pk=job.pk).__dict__})",
    )
    swept = jobs_sweep()
    # Swept by this call or already by the respawned worker's start-up sweep.
    assert swept["requeued"] == 1
    assert not any(d.exists() for d in dead_dirs)
    wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=240, message="the re-queued render")
    _assert_done_once_and_clean(job, video, media_root, job_tmp_root, settings)
    job.refresh_from_db()
    assert job.crashes == 1


@pytest.mark.slow
def test_a_worker_stopped_past_the_stale_limit_and_resumed_writes_nothing(
    start_cluster, make_approved_video, owner, media_root, job_tmp_root, settings
):
    video = make_approved_video(owner)
    cluster = start_cluster(workers=2)
    job = render_request(video=video, user=owner)
    stopped, ffmpegs = _wait_ffmpeg(cluster, job)
    first_token = Job.objects.get(pk=job.pk).attempts
    stopped.send_signal(signal.SIGSTOP)
    for p in _alive(ffmpegs):
        p.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).is_stale(), timeout=60, message="the heartbeat to go stale")
        assert jobs_sweep()["requeued"] == 1
        # The other worker takes it over.
        wait_for(
            lambda: (
                Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
                and Job.objects.get(pk=job.pk).attempts > first_token + 1
            ),
            timeout=60,
            message="another worker to claim the job",
        )
    finally:
        for p in _alive(ffmpegs):
            p.send_signal(signal.SIGCONT)
        stopped.send_signal(signal.SIGCONT)
    wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=240, message="the render by the new holder")
    # The resumed worker notices it lost the claim, kills its FFmpeg and writes nothing.
    wait_for(
        lambda: "lost its claim" in "".join(c.log() for c in [cluster]),
        timeout=60,
        message="the resumed worker to give up",
    )
    wait_for(lambda: not _alive(ffmpegs), timeout=10, message="the resumed worker's FFmpeg to die")
    wait_for(lambda: list(job_tmp_root.iterdir()) == [], timeout=30, message="the resumed worker's temp dir to go")
    _assert_done_once_and_clean(job, video, media_root, job_tmp_root, settings)
    job.refresh_from_db()
    assert job.crashes == 1 and job.stage == "done"


@pytest.mark.slow
def test_kill_9_during_the_save_leaves_no_stray_object_after_the_sweep(
    start_cluster, make_approved_video, owner, media_root, job_tmp_root, settings
):
    video = make_approved_video(owner)
    cluster = start_cluster(workers=1)
    job = render_request(video=video, user=owner)
    worker, _ = _wait_ffmpeg(cluster, job)
    # Kill the worker the moment its first output is staged (recorded before it is written).
    deadline = time.monotonic() + 240
    while not StagedFile.objects.exists():
        assert time.monotonic() < deadline, "the render never reached its save"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    staged = list(StagedFile.objects.values_list("name", flat=True))
    assert staged and Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    video.refresh_from_db()
    assert not video.master  # killed before the commit that points the video at its files
    wait_for(lambda: Job.objects.get(pk=job.pk).is_stale(), timeout=60, message="the heartbeat to go stale")
    swept = jobs_sweep()
    assert swept["staged"] == len(staged) and swept["requeued"] == 1
    # The half-written outputs are gone (the re-run, seconds from its own save, may reuse the names).
    assert not [n for n in staged if default_storage.exists(n)]
    wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=240, message="the re-queued render")
    _assert_done_once_and_clean(job, video, media_root, job_tmp_root, settings)


@pytest.mark.slow
def test_kill_9_of_a_whole_cluster_with_queued_jobs_all_get_done(
    start_cluster, make_approved_video, owner, media_root, job_tmp_root, settings
):
    """The broker is only a doorbell: jobs whose tasks died with the cluster (prefetched, or
    taken by the ORM broker and locked for Q_RETRY) are sent again by the reaper after the
    queued grace, and the one that was running is re-queued once stale."""
    videos = [make_approved_video(owner, title=f"V{i}") for i in range(4)]
    cluster = start_cluster(workers=1)
    jobs = [render_request(video=v, user=owner) for v in videos]
    wait_for(
        lambda: Job.objects.filter(pk__in=[j.pk for j in jobs], status=Job.Status.RUNNING).exists(),
        timeout=120,
        message="one render to start",
    )
    everyone = [psutil.Process(cluster.proc.pid), *psutil.Process(cluster.proc.pid).children(recursive=True)]
    for p in everyone:
        try:
            p.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    cluster.proc.wait(timeout=10)
    time.sleep(2)
    assert not [p for p in _alive(everyone) if p.name() == "ffmpeg"]
    assert Job.objects.filter(pk__in=[j.pk for j in jobs], status=Job.Status.QUEUED).count() >= 3
    start_cluster(workers=1)
    # The reaper's minute schedule, called here until every job is done.
    deadline = time.monotonic() + 540
    while Job.objects.filter(pk__in=[j.pk for j in jobs]).exclude(status__in=Job.FINISHED).exists():
        assert time.monotonic() < deadline, list(Job.objects.values("pk", "status", "stage", "attempts"))
        jobs_sweep()
        time.sleep(0.5)
    for job, video in zip(jobs, videos, strict=True):
        job.refresh_from_db()
        video.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, f"{job.error_stage}: {job.error_message}"
        assert video.master
    assert not StagedFile.objects.exists()
    assert list(job_tmp_root.iterdir()) == []
    assert _unreferenced(settings) == []
    masters = [n for n in _stored_names() if n.rsplit("/", 1)[-1].startswith("master-")]
    assert len(masters) == 4
