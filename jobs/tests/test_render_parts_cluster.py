"""A render's segments spread over a real cluster (jobs.parts): two workers share one render
and the master is the one-worker master; a helper killed mid-segment has its part taken back;
a cancel while helpers encode leaves no FFmpeg, no stored part and no running part."""

from __future__ import annotations

import hashlib
import signal
import time
from pathlib import Path

import psutil
import pytest
from django.core.files.storage import default_storage

from conftest import wait_for
from jobs.models import Job, JobPart, StagedFile
from jobs.services import job_cancel, jobs_sweep
from jobs.tests.test_crash_recovery import _alive, _stored_names
from mediakit.probe import probe
from mediakit.render import render_master
from mediakit.spec import StoryboardSpec
from mediakit.tests.test_composition_render import assert_meets_the_contract
from mediakit.timeline import plan
from videos.models import Video
from videos.services import render_request

# About eight short scenes: with 1 s segments, some twenty parts at 480p.
LONG_SCRIPT = (
    "The lighthouse keeper climbs the stairs at dusk. Far below, the waves break on the rocks. "
    "A ship's horn sounds twice across the bay. The lamp turns slowly, sweeping the dark water. "
    "Gulls settle on the railing as the wind drops. By midnight the fog rolls in from the sea. "
    "The keeper writes the weather in a worn log book. At dawn the first boats head out to fish."
)
SEGMENT_MS = 1000
CLUSTER_ENV = {"CONTENTIZER_RENDER_SEGMENT_MS": str(SEGMENT_MS), "CONTENTIZER_PART_HELPERS": "1"}


def _pid(worker: str) -> int:
    return int(worker.rsplit(":", 1)[1])


class Watch:
    """Polls the job and its parts while the render runs: progress seen, who held which part."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.progress: list[int] = []
        self.holders: dict[int, set[tuple[str, bool]]] = {}

    def poll(self) -> Job:
        row = Job.objects.get(pk=self.job.pk)
        if row.status == Job.Status.RUNNING:
            self.progress.append(row.progress)
        for index, worker, by_owner in (
            JobPart.objects.filter(job=self.job).exclude(worker="").values_list("index", "worker", "by_owner")
        ):
            self.holders.setdefault(index, set()).add((worker, by_owner))
        return row

    def helper_running_ffmpeg(self) -> psutil.Process | None:
        """A helper (not the render's own worker) holding a part with its FFmpeg started."""
        for worker in JobPart.objects.filter(job=self.job, status=JobPart.Status.RUNNING, by_owner=False).values_list(
            "worker", flat=True
        ):
            try:
                proc = psutil.Process(_pid(worker))
                if any(c.name() == "ffmpeg" for c in proc.children()):
                    return proc
            except psutil.NoSuchProcess:
                continue
        return None

    def until(self, predicate, *, timeout: float, message: str):
        def check():
            self.poll()
            return predicate()

        return wait_for(check, timeout=timeout, interval=0.1, message=message)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _one_worker_master(video: Video, tmp: Path) -> tuple[Path, StoryboardSpec]:
    """The same storyboard rendered by one worker alone, in this process."""
    tmp.mkdir()
    from videos.services.brand_kit import brand_kit_apply
    from videos.services.render import _render_inputs

    spec = brand_kit_apply(video=video, spec=_render_inputs(video, tmp, video.aspect), tmp=tmp)
    assert plan(spec).total_frames > 10 * spec.fps
    return render_master(spec, tmp / "out", timeout_s=300, segment_max_ms=SEGMENT_MS).master_path, spec


def _assert_progress_never_went_back(watch: Watch) -> None:
    assert watch.progress and watch.progress == sorted(watch.progress)


@pytest.mark.slow
def test_two_workers_share_a_render_and_make_the_one_worker_master(
    start_cluster, make_approved_video, owner, media_root, job_tmp_root, settings, tmp_path
):
    video = make_approved_video(owner, script=LONG_SCRIPT)
    start_cluster(workers=2, env=CLUSTER_ENV)
    job = render_request(video=video, user=owner)
    watch = Watch(job)
    watch.until(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=300, message="the shared render")
    job.refresh_from_db()
    video.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, f"{job.error_stage}: {job.error_message}"
    workers = {worker for holders in watch.holders.values() for worker, _ in holders}
    helped = {index for index, holders in watch.holders.items() if any(not by_owner for _, by_owner in holders)}
    assert len(workers) == 2 and helped, watch.holders
    _assert_progress_never_went_back(watch)

    master = tmp_path / "shared.mp4"
    with default_storage.open(video.master.name, "rb") as stored:
        master.write_bytes(stored.read())
    alone, spec = _one_worker_master(video, tmp_path / "alone")
    assert_meets_the_contract(probe(master), spec)  # streams, size, frames, duration, faststart
    assert _md5(master) == _md5(alone)
    # Joined: no part rows, no stored parts, no staged records.
    assert not JobPart.objects.exists() and _stored_names("parts") == set() and not StagedFile.objects.exists()


@pytest.mark.slow
def test_a_helper_killed_mid_segment_has_its_part_taken_back(
    start_cluster, make_approved_video, owner, media_root, job_tmp_root, settings, tmp_path
):
    video = make_approved_video(owner, script=LONG_SCRIPT)
    cluster = start_cluster(workers=2, env=CLUSTER_ENV)
    job = render_request(video=video, user=owner)
    watch = Watch(job)
    helper = watch.until(watch.helper_running_ffmpeg, timeout=300, message="a helper encoding a segment")
    killed = str(helper.pid)
    ffmpegs = [c for c in helper.children() if c.name() == "ffmpeg"]
    helper.send_signal(signal.SIGKILL)
    time.sleep(2)
    assert _alive(ffmpegs) == [], "FFmpeg outlived its worker by 2 s"
    watch.until(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=300, message="the render after the kill")
    job.refresh_from_db()
    video.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, f"{job.error_stage}: {job.error_message}"
    assert job.crashes == 0  # the render's own worker lived: only a part was taken back
    taken_back = [
        index
        for index, holders in watch.holders.items()
        if any(worker.endswith(":" + killed) for worker, _ in holders)
        and any(not worker.endswith(":" + killed) for worker, _ in holders)
    ]
    assert taken_back, watch.holders
    _assert_progress_never_went_back(watch)
    master = tmp_path / "shared.mp4"
    with default_storage.open(video.master.name, "rb") as stored:
        master.write_bytes(stored.read())
    info = probe(master)
    assert info.video is not None and info.audio is not None
    assert abs(info.video.duration_ms - video.duration_ms) <= 1000 / video.fps
    jobs_sweep()  # the killed helper's temp dir, kept while the render was live
    assert list(job_tmp_root.iterdir()) == []
    assert not JobPart.objects.exists() and _stored_names("parts") == set() and not StagedFile.objects.exists()
    assert cluster.worker_running_ffmpeg() is None


@pytest.mark.slow
def test_a_cancel_while_helpers_encode_leaves_nothing(
    start_cluster, make_approved_video, owner, media_root, job_tmp_root, settings
):
    video = make_approved_video(owner, script=LONG_SCRIPT)
    cluster = start_cluster(workers=2, env=CLUSTER_ENV)
    job = render_request(video=video, user=owner)
    watch = Watch(job)
    watch.until(watch.helper_running_ffmpeg, timeout=300, message="a helper encoding a segment")
    job_cancel(job=job)
    watch.until(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=60, message="the canceled render to end")
    assert Job.objects.get(pk=job.pk).status == Job.Status.CANCELED
    wait_for(lambda: cluster.worker_running_ffmpeg() is None, timeout=10, message="every FFmpeg to stop")
    wait_for(lambda: _stored_names("parts") == set(), timeout=10, message="the stored parts to go")
    wait_for(lambda: list(job_tmp_root.iterdir()) == [], timeout=10, message="the temp dirs to go")
    assert not JobPart.objects.filter(status=JobPart.Status.RUNNING).exists()
    assert not StagedFile.objects.exists()
    _assert_progress_never_went_back(watch)
