"""A job's parts (jobs.parts) are leases like jobs: one holder each, taken back when the
holder goes silent, stopped by a cancel, their outputs staged under the job's claim and
removed with the parts; a helper's real failure fails the owner's render."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from jobs.models import Job, JobPart, StagedFile
from jobs.parts import JobPartShare, job_part_claim, job_parts_create, job_parts_discard
from jobs.services import JobClaimLost, JobFailure, job_cancel, job_claim, jobs_sweep_staged
from jobs.tasks import run_job_parts
from videos.models import VideoJobKind


@pytest.fixture
def running_job(owner, django_capture_on_commit_callbacks):
    job = Job.objects.create(owner=owner, video=None, kind=VideoJobKind.RENDER)
    return job_claim(job_id=job.pk)


def _parts(job: Job, sizes=(10, 20, 30)) -> None:
    job_parts_create(job=job, frames=list(sizes), helpers=0)


def _output(tmp_path: Path, text: str = "segment") -> Path:
    path = tmp_path / "part.mp4"
    path.write_text(text)
    return path


def test_each_part_is_claimed_by_one_worker_in_order(running_job):
    _parts(running_job)
    first = job_part_claim(job=running_job, token=running_job.attempts, by_owner=True)
    second = job_part_claim(job=running_job, token=running_job.attempts, by_owner=False)
    third = job_part_claim(job=running_job, token=running_job.attempts, by_owner=False)
    assert [first.index, second.index, third.index] == [0, 1, 2]
    assert job_part_claim(job=running_job, token=running_job.attempts, by_owner=False) is None
    assert JobPart.objects.get(index=0).by_owner and not JobPart.objects.get(index=1).by_owner


def test_a_silent_holders_part_is_taken_back_and_the_old_holder_cannot_finish_it(running_job, settings, tmp_path):
    _parts(running_job)
    silent = job_part_claim(job=running_job, token=running_job.attempts, by_owner=False)
    old = timezone.now() - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS + 5)
    JobPart.objects.filter(pk=silent.part.pk).update(heartbeat_at=old)
    taken = job_part_claim(job=running_job, token=running_job.attempts, by_owner=True)
    assert taken.index == silent.index and taken.part.lease == silent.part.lease + 1
    silent._last_check = 0.0
    assert silent.should_cancel()
    with pytest.raises(JobClaimLost):
        silent.finish(_output(tmp_path))
    assert not StagedFile.objects.exists()
    assert JobPart.objects.get(pk=taken.part.pk).output == ""


def test_a_finished_part_is_stored_as_a_staged_file_and_discarded_with_the_parts(running_job, tmp_path):
    _parts(running_job)
    lease = job_part_claim(job=running_job, token=running_job.attempts, by_owner=False)
    name = lease.finish(_output(tmp_path))
    part = JobPart.objects.get(pk=lease.part.pk)
    assert part.status == JobPart.Status.DONE and part.output == name and part.frames_done == 10
    assert StagedFile.objects.filter(name=name, claim=running_job.attempts).exists()
    share = JobPartShare(job=running_job)
    assert share.frames_done() == (1, 10)
    assert share.fetch(0, tmp_path / "fetched.mp4").read_text() == "segment"
    job_parts_discard(job=running_job)
    assert not JobPart.objects.exists() and not StagedFile.objects.exists()
    assert not default_storage.exists(name)


def test_a_canceled_job_stops_its_part_holders(running_job, tmp_path):
    _parts(running_job)
    lease = job_part_claim(job=running_job, token=running_job.attempts, by_owner=False)
    job_cancel(job=running_job)
    lease._last_check = 0.0
    assert lease.should_cancel()
    assert job_part_claim(job=running_job, token=running_job.attempts, by_owner=False) is None
    with pytest.raises(JobClaimLost):
        lease.finish(_output(tmp_path))
    assert not StagedFile.objects.exists()


def test_parts_left_by_a_killed_owner_are_swept_once_the_claim_moves_on(running_job, settings, tmp_path):
    _parts(running_job)
    name = job_part_claim(job=running_job, token=running_job.attempts, by_owner=False).finish(_output(tmp_path))
    old = timezone.now() - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS + 5)
    Job.objects.filter(pk=running_job.pk).update(heartbeat_at=old)
    again = job_claim(job_id=running_job.pk)
    assert jobs_sweep_staged() == 1 and not default_storage.exists(name)
    _parts(again)
    assert set(JobPart.objects.values_list("claim", flat=True)) == {again.attempts}


def test_a_helpers_failure_fails_the_owners_render_with_its_message(running_job):
    _parts(running_job)
    job_part_claim(job=running_job, token=running_job.attempts, by_owner=False).fail(
        "video", "FFmpeg failed: scene 2's picture is not a picture"
    )
    with pytest.raises(JobFailure) as failure:
        JobPartShare(job=running_job).frames_done()
    assert failure.value.message == "FFmpeg failed: scene 2's picture is not a picture"


def test_a_helper_task_for_a_job_that_ended_does_nothing(running_job):
    _parts(running_job)
    token = running_job.attempts
    job_cancel(job=running_job)
    assert run_job_parts(running_job.pk, token) == "nothing to do"
    assert not JobPart.objects.exclude(status=JobPart.Status.QUEUED).exists()


def test_a_render_whose_own_part_was_taken_over_goes_on(running_job, settings):
    _parts(running_job, sizes=(10, 20))
    share = JobPartShare(job=running_job)
    assert share.claim() == 0
    old = timezone.now() - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS + 5)
    JobPart.objects.filter(index=0).update(heartbeat_at=old)
    helper = job_part_claim(job=running_job, token=running_job.attempts, by_owner=False)
    assert helper.index == 0
    share.finished(0)  # no JobClaimLost: the render keeps its own copy of the segment
    assert JobPart.objects.get(index=0).status == JobPart.Status.RUNNING  # the helper finishes it


def test_a_canceled_render_stops_at_its_next_part(running_job):
    _parts(running_job, sizes=(10, 20))
    share = JobPartShare(job=running_job)
    assert share.claim() == 0
    job_cancel(job=running_job)
    with pytest.raises(JobClaimLost):
        share.finished(0)
    assert share.claim() is None


def test_a_helper_task_records_its_parts_real_failure_and_stops(running_job, monkeypatch):
    from jobs import registry

    _parts(running_job)
    calls = []

    def runner(*, job, part, tmp, cache):
        calls.append(part.index)
        raise JobFailure("video", "FFmpeg failed: scene 1's picture is not a picture")

    monkeypatch.setitem(registry._PART_RUNNERS, running_job.kind, runner)
    assert run_job_parts(running_job.pk, running_job.attempts) == "failed"
    assert calls == [0]  # not tried again on the next part
    failed = JobPart.objects.get(index=0)
    assert failed.status == JobPart.Status.FAILED and failed.error_message.endswith("is not a picture")
    with pytest.raises(JobFailure):
        JobPartShare(job=running_job).frames_done()


def test_a_helper_task_does_every_part_left_and_stores_each(running_job, monkeypatch, tmp_path):
    from jobs import registry

    _parts(running_job)

    def runner(*, job, part, tmp, cache):
        part.finish(_output(tmp, f"segment {part.index}"))

    monkeypatch.setitem(registry._PART_RUNNERS, running_job.kind, runner)
    assert run_job_parts(running_job.pk, running_job.attempts) == "3 parts"
    share = JobPartShare(job=running_job)
    assert share.frames_done() == (3, 60)
    assert share.fetch(2, tmp_path / "two.mp4").read_text() == "segment 2"
    assert StagedFile.objects.count() == 3
