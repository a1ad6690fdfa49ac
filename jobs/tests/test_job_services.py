"""Job lifecycle: claiming is exclusive, cancel and retry change only what they may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Job
from jobs.services import (
    DISK_FULL_MESSAGE,
    JobReporter,
    JobStateError,
    job_cancel,
    job_claim,
    job_fail,
    job_retry,
    job_unexpected_error_text,
    jobs_reap_stale,
)
from videos.models import VideoJobKind


@pytest.fixture
def queued_job(make_video, owner):
    video = make_video(owner)
    return Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER)


def test_claim_takes_a_queued_job_once(queued_job):
    first = job_claim(job_id=queued_job.pk)
    second = job_claim(job_id=queued_job.pk)
    assert first is not None and first.status == Job.Status.RUNNING and first.attempts == 1
    assert second is None


def test_claim_refuses_a_canceled_job(queued_job):
    job_cancel(job=queued_job)
    assert job_claim(job_id=queued_job.pk) is None
    queued_job.refresh_from_db()
    assert queued_job.status == Job.Status.CANCELED


def test_claim_takes_over_a_running_job_whose_heartbeat_is_stale(queued_job, settings):
    job_claim(job_id=queued_job.pk)
    stale = timezone.now() - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS + 5)
    Job.objects.filter(pk=queued_job.pk).update(heartbeat_at=stale)
    again = job_claim(job_id=queued_job.pk)
    assert again is not None and again.attempts == 2


def test_claim_leaves_a_running_job_with_a_fresh_heartbeat_alone(queued_job):
    job_claim(job_id=queued_job.pk)
    assert job_claim(job_id=queued_job.pk) is None


def test_cancel_of_a_running_job_asks_the_worker_to_stop(queued_job):
    job = job_claim(job_id=queued_job.pk)
    reporter = JobReporter(job=job, min_interval_s=0)
    assert reporter.should_cancel() is False
    job_cancel(job=job)
    assert reporter.should_cancel() is True
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.cancel_requested


def test_cancel_of_a_finished_job_is_refused(queued_job):
    Job.objects.filter(pk=queued_job.pk).update(status=Job.Status.SUCCEEDED)
    queued_job.refresh_from_db()
    with pytest.raises(JobStateError):
        job_cancel(job=queued_job)


def test_retry_requeues_a_failed_job_and_clears_its_error(queued_job, owner, django_capture_on_commit_callbacks):
    from videos.services import storyboard_approve

    storyboard_approve(video=queued_job.video, user=owner)
    Job.objects.filter(pk=queued_job.pk).update(
        status=Job.Status.FAILED, error_stage="video", error_message="boom", attempts=1
    )
    queued_job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_retry(job=queued_job)
    queued_job.refresh_from_db()
    assert queued_job.status == Job.Status.QUEUED
    assert queued_job.error_message == "" and queued_job.error_stage == ""
    assert queued_job.attempts == 1
    # Exactly one enqueue (job_notify adds its own status callbacks).
    assert [c.__qualname__ for c in callbacks].count("job_enqueue.<locals>._send") == 1


def test_retry_of_a_running_job_is_refused(queued_job):
    job = job_claim(job_id=queued_job.pk)
    with pytest.raises(JobStateError):
        job_retry(job=job)


def test_reporter_writes_stage_progress_and_heartbeat(queued_job):
    job = job_claim(job_id=queued_job.pk)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=1))
    JobReporter(job=job, min_interval_s=0).update("video", 0.42)
    job.refresh_from_db()
    assert (job.stage, job.progress) == ("video", 42)
    assert timezone.now() - job.heartbeat_at < timedelta(seconds=5)


def test_reporter_marks_progress_from_up_to_30_seconds_back_for_the_eta(queued_job, monkeypatch):
    job = job_claim(job_id=queued_job.pk)
    start = timezone.now()
    clock = [start]
    monkeypatch.setattr("jobs.services.timezone.now", lambda: clock[0])
    reporter = JobReporter(job=job, min_interval_s=0)
    for seconds, fraction in ((0, 0.10), (20, 0.30), (40, 0.50), (50, 0.60)):
        clock[0] = start + timedelta(seconds=seconds)
        reporter.update("video", fraction)

    job.refresh_from_db()
    # The oldest write within 30 s of the last one (at 50 s): 30 % at 20 s.
    assert (job.progress, job.progress_mark, job.progress_mark_at) == (60, 30, start + timedelta(seconds=20))


def test_reaper_requeues_only_stale_running_jobs(make_video, owner, settings, django_capture_on_commit_callbacks):
    video = make_video(owner)
    stale_job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER)
    fresh_job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.EXPORT)
    job_claim(job_id=stale_job.pk)
    job_claim(job_id=fresh_job.pk)
    old = timezone.now() - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS + 5)
    Job.objects.filter(pk=stale_job.pk).update(heartbeat_at=old)
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs_reap_stale() == 1
    stale_job.refresh_from_db()
    fresh_job.refresh_from_db()
    assert stale_job.status == Job.Status.QUEUED
    assert fresh_job.status == Job.Status.RUNNING


def test_retrying_a_render_is_refused_once_the_storyboard_is_no_longer_approved(make_video, owner):
    from django.core.exceptions import PermissionDenied

    video = make_video(owner)
    job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.FAILED)
    with pytest.raises(PermissionDenied, match="no longer approved"):
        job_retry(job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_a_failure_message_names_no_server_path_but_keeps_web_addresses(queued_job):
    job = job_claim(job_id=queued_job.pk)
    job_fail(
        job=job,
        stage="prepare",
        message="Could not open '/srv/contentizer/media/assets/1/voice.wav' (see https://example.com/help/files).",
    )
    job.refresh_from_db()
    assert job.error_message == "Could not open 'voice.wav' (see https://example.com/help/files)."


@pytest.mark.parametrize("said", ["No space left on device", "[Errno 122] Disk quota exceeded: '/tmp/x/y.png'"])
def test_a_full_disk_is_one_clear_message_whoever_reports_it(queued_job, said):
    job = job_claim(job_id=queued_job.pk)
    job_fail(job=job, stage="video", message=f"FFmpeg failed: {said}")
    job.refresh_from_db()
    assert job.error_message == DISK_FULL_MESSAGE


def test_a_dependency_that_stopped_answering_mid_job_is_named_in_words_not_by_its_address():
    from botocore.exceptions import EndpointConnectionError
    from django.db import OperationalError

    s3_down = EndpointConnectionError(endpoint_url="http://10.0.0.5:9000/contentizer/assets/1/voice.wav")
    assert job_unexpected_error_text(s3_down) == (
        "The file storage did not answer, so this step stopped; nothing was kept. Retry the job."
    )
    db_down = OperationalError('connection to server at "10.0.0.6", port 5432 failed: Connection refused')
    assert job_unexpected_error_text(db_down).startswith("The database did not answer")
    assert job_unexpected_error_text(KeyError("x")).startswith("Unexpected error (KeyError)")
