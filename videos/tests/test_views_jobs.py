"""Job progress page, its polling fragment, cancel and retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from videos.job_display import format_eta, job_eta_seconds
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def video(owner):
    return Video.objects.create(owner=owner, title="Harbour", script="Boats.", status=Video.Status.RENDERING)


def _job(video, **fields) -> Job:
    fields.setdefault("kind", VideoJobKind.RENDER)
    return Job.objects.create(owner=video.owner, video=video, **fields)


def _url(name: str, job: Job) -> str:
    return reverse(name, kwargs={"code": job.code})


def test_the_progress_page_shows_stage_percent_eta_cancel_and_the_socket(client, owner, video):
    job = _job(
        video,
        status=Job.Status.RUNNING,
        stage="video",
        progress=40,
        started_at=timezone.now() - timedelta(seconds=20),
    )
    client.force_login(owner)

    html = client.get(_url("videos-job", job)).content.decode()

    assert "Rendering</span> “Harbour”" in html
    assert "Encoding the video" in html
    assert 'aria-valuenow="40"' in html and "40%" in html
    assert "about 30 s left" in html  # 20 s for 40 %: 30 s for the other 60 %
    assert 'hx-post="' + _url("videos-job-cancel", job) in html
    assert f'ws-connect="/ws/jobs/{job.code}/"' in html
    assert '<noscript><meta http-equiv="refresh"' in html


def test_the_fragment_polls_itself_while_the_job_runs(client, owner, video):
    job = _job(video, status=Job.Status.RUNNING, stage="audio", progress=91)
    client.force_login(owner)

    response = client.get(_url("videos-job-fragment", job))

    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="job-{job.code.hex}"')
    assert f'hx-get="{_url("videos-job-fragment", job)}"' in html
    assert "every 1500ms [contentizerShouldPoll(this)]" in html
    assert "Mixing the sound" in html


def test_a_finished_fragment_stops_polling_and_links_to_the_video(client, owner, video):
    job = _job(video, status=Job.Status.SUCCEEDED, stage="done", progress=100)
    client.force_login(owner)

    html = client.get(_url("videos-job-fragment", job)).content.decode()

    assert "data-job-finished" in html
    assert "hx-get" not in html
    assert 'aria-valuenow="100"' in html
    assert reverse("videos-detail", kwargs={"code": video.code}) in html
    assert "Watch the video" in html


def test_a_failed_job_shows_the_stage_the_message_and_retry(client, owner, video):
    job = _job(
        video,
        status=Job.Status.FAILED,
        stage="video",
        progress=37,
        error_stage="video",
        error_message="FFmpeg failed: Invalid data found when processing input",
    )
    client.force_login(owner)

    html = client.get(_url("videos-job", job)).content.decode()

    assert "Failed while encoding the video." in html
    assert "Invalid data found when processing input" in html
    assert _url("videos-job-retry", job) in html
    assert "ws-connect" not in html


def test_cancelling_a_queued_job_cancels_it_and_returns_the_panel(client, owner, video):
    job = _job(video, status=Job.Status.QUEUED)
    client.force_login(owner)

    response = client.post(_url("videos-job-cancel", job), headers=HTMX)

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELED
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="job-live-{job.code.hex}"')
    assert "Canceled." in html and "Retry" in html


def test_cancelling_a_running_job_asks_it_to_stop_and_keeps_listening(client, owner, video):
    job = _job(video, status=Job.Status.RUNNING, stage="video", progress=10)
    client.force_login(owner)

    response = client.post(_url("videos-job-cancel", job), headers=HTMX)

    job.refresh_from_db()
    assert job.cancel_requested is True
    html = response.content.decode()
    assert "Stopping…" in html
    assert "ws-connect" in html


def test_cancelling_a_finished_job_says_there_is_nothing_to_cancel(client, owner, video):
    job = _job(video, status=Job.Status.SUCCEEDED, progress=100)
    client.force_login(owner)

    response = client.post(_url("videos-job-cancel", job), headers=HTMX)

    assert response.status_code == 409
    assert "nothing to cancel" in response.content.decode()


def test_cancelling_without_javascript_returns_to_the_progress_page(client, owner, video):
    job = _job(video, status=Job.Status.QUEUED)
    client.force_login(owner)

    response = client.post(_url("videos-job-cancel", job))

    assert response.status_code == 302
    assert response.url == _url("videos-job", job)


def test_retrying_a_failed_job_queues_it_again(client, owner, video, django_capture_on_commit_callbacks):
    Video.objects.filter(pk=video.pk).update(approval=Video.Approval.APPROVED)
    job = _job(video, status=Job.Status.FAILED, error_stage="video", error_message="boom")
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_url("videos-job-retry", job), headers=HTMX)

    job.refresh_from_db()
    assert (job.status, job.error_message) == (Job.Status.QUEUED, "")
    # One enqueue (job_notify adds its own status callbacks).
    assert [c.__qualname__ for c in callbacks].count("job_enqueue.<locals>._send") == 1
    assert "ws-connect" in response.content.decode()


def test_retrying_a_render_of_a_storyboard_no_longer_approved_is_refused_with_the_reason(client, owner, video):
    job = _job(video, status=Job.Status.FAILED, error_stage="video", error_message="boom")
    client.force_login(owner)

    response = client.post(_url("videos-job-retry", job), headers=HTMX)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "no longer approved" in response.content.decode()


def test_retrying_a_running_job_is_refused(client, owner, video):
    job = _job(video, status=Job.Status.RUNNING)
    client.force_login(owner)

    response = client.post(_url("videos-job-retry", job), headers=HTMX)

    assert response.status_code == 409
    assert "Only a failed or canceled job can be retried" in response.content.decode()


def test_a_strangers_job_is_404_everywhere_and_unchanged(client, stranger, video):
    job = _job(video, status=Job.Status.QUEUED)
    client.force_login(stranger)

    assert client.get(_url("videos-job", job)).status_code == 404
    assert client.get(_url("videos-job-fragment", job)).status_code == 404
    assert client.post(_url("videos-job-cancel", job)).status_code == 404
    assert client.post(_url("videos-job-retry", job)).status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


def test_staff_can_watch_any_job(client, staff, video):
    job = _job(video, status=Job.Status.QUEUED)
    client.force_login(staff)

    assert client.get(_url("videos-job", job)).status_code == 200


def test_cancel_without_a_csrf_token_is_refused(owner, video):
    job = _job(video, status=Job.Status.QUEUED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(_url("videos-job-cancel", job))

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


@pytest.mark.parametrize(
    ("progress", "elapsed", "expected"),
    [(50, 30, 30), (25, 10, 30), (2, 10, None), (100, 10, None)],
)
def test_the_eta_follows_the_rate_of_progress(video, progress, elapsed, expected):
    now = timezone.now()
    job = Job(
        video=video,
        owner=video.owner,
        status=Job.Status.RUNNING,
        progress=progress,
        started_at=now - timedelta(seconds=elapsed),
    )

    assert job_eta_seconds(job, now) == expected


def test_the_eta_reads_naturally():
    assert format_eta(None) == ""
    assert format_eta(4) == "a few seconds left"
    assert format_eta(42) == "about 40 s left"
    assert format_eta(170) == "about 3 min left"


def _running(video, now, *, progress: int, elapsed: float, mark: int | None = None, mark_ago: float = 0) -> Job:
    return Job(
        video=video,
        owner=video.owner,
        status=Job.Status.RUNNING,
        progress=progress,
        started_at=now - timedelta(seconds=elapsed),
        progress_mark=mark or 0,
        progress_mark_at=now - timedelta(seconds=mark_ago) if mark is not None else None,
    )


def test_near_the_end_the_eta_follows_the_recent_rate_not_the_slow_start(video):
    # The reported render: 90 % after 540 s (slow narration and pictures first), then the
    # encoding went 80 -> 90 % in the last 10 s. The rate since the start said "about 60 s
    # left" 7 s before the end; the recent rate says about 10 s.
    now = timezone.now()
    job = _running(video, now, progress=90, elapsed=540, mark=80, mark_ago=10)

    assert job_eta_seconds(job, now) == 10
    assert format_eta(job_eta_seconds(job, now)) == "about 10 s left"


def test_the_eta_is_never_more_than_the_rate_since_the_start_says(video):
    # Progress stalled: 1 % in the last 30 s would say 300 s for the last 10 %.
    now = timezone.now()
    job = _running(video, now, progress=90, elapsed=180, mark=89, mark_ago=30)

    assert job_eta_seconds(job, now) == 20  # 180 s for 90 %: 20 s for the other 10 %


def test_past_95_percent_the_eta_says_almost_done(client, owner, video):
    job = _job(
        video,
        status=Job.Status.RUNNING,
        stage="mux",
        progress=96,
        started_at=timezone.now() - timedelta(seconds=1200),
    )
    client.force_login(owner)

    html = client.get(_url("videos-job-fragment", job)).content.decode()

    assert "almost done" in html
    assert "s left" not in html and "min left" not in html
