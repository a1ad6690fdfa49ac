"""A django-q2 worker loads the voice once: its storyboard jobs share one piper program, which
outlives each job's narration thread and dies when the worker is killed."""

from __future__ import annotations

import signal

import psutil
import pytest

from conftest import wait_for
from jobs.models import Job
from videos.models import VideoJobKind


def _piper_programs(cluster_pid: int) -> list[psutil.Process]:
    return [
        proc
        for proc in psutil.Process(cluster_pid).children(recursive=True)
        if "piper.http_server" in " ".join(proc.cmdline()) and proc.status() != psutil.STATUS_ZOMBIE
    ]


def _storyboard_done(video) -> Job:
    job = video.jobs.get(kind=VideoJobKind.STORYBOARD)
    wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, timeout=120, message="the storyboard job via qcluster")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    return job


@pytest.mark.slow
def test_a_worker_narrates_job_after_job_with_one_piper_program_that_dies_with_it(qcluster, owner, make_video):
    _storyboard_done(make_video(owner, title="One", script="The harbour lights come on one by one."))
    (piper,) = _piper_programs(qcluster.pid)
    second = _storyboard_done(make_video(owner, title="Two", script="Night trains carry letters across borders."))
    # The second job found the model loaded: the same program, started before it began.
    assert [proc.pid for proc in _piper_programs(qcluster.pid)] == [piper.pid]
    assert piper.create_time() < second.started_at.timestamp()

    worker = piper.parent()
    assert worker is not None and worker.pid != qcluster.pid
    worker.send_signal(signal.SIGKILL)
    gone, _alive = psutil.wait_procs([piper], timeout=10)
    assert gone, "the piper program outlived its killed worker"
