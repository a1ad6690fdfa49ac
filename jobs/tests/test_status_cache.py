"""The job status poll answers from memory and never shows a state older than the last
committed change: every transition through jobs.services shows at once, in this process
and in another one (a real daphne) sharing the change stamps; a reader that raced a writer
does not keep what it read; the body is byte for byte what the full DRF view answers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.db import transaction
from django.utils import timezone

from core.api_tokens import api_token_create
from jobs import status_cache
from jobs.models import Job
from jobs.services import (
    JobReporter,
    job_cancel,
    job_claim,
    job_fail,
    job_mark_canceled,
    job_notify,
    job_retry,
    job_succeed,
    jobs_reap_stale,
)
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.usefixtures("cache_table")


def _video(owner) -> Video:
    return Video.objects.create(owner=owner, title="Harbour", script="Boats.", approval=Video.Approval.APPROVED)


@pytest.fixture
def queued_job(owner):
    return Job.objects.create(owner=owner, video=_video(owner), kind=VideoJobKind.RENDER)


def _poll(api, job) -> dict:
    response = api.get(f"/api/v1/jobs/{job.code}")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_repeated_poll_costs_no_query(api, queued_job, django_assert_num_queries):
    _poll(api, queued_job)
    with django_assert_num_queries(0):
        body = _poll(api, queued_job)
    assert body["status"] == "queued"


def test_every_transition_shows_at_once(api, queued_job, django_assert_num_queries, settings):
    settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS = 60
    seen = [_poll(api, queued_job)["status"]]
    job = job_claim(job_id=queued_job.pk)
    seen.append(_poll(api, job)["status"])

    JobReporter(job).update("video", 0.42)
    body = _poll(api, job)
    assert (body["stage"], body["progress"]) == ("video", 42)
    with django_assert_num_queries(0):
        assert _poll(api, job)["progress"] == 42  # cached again until the next change

    job_cancel(job=job)
    assert _poll(api, job)["cancel_requested"] is True
    job_mark_canceled(job=job)
    seen.append(_poll(api, job)["status"])
    job_retry(job=job)
    seen.append(_poll(api, job)["status"])
    job = job_claim(job_id=job.pk)
    seen.append(_poll(api, job)["status"])

    # A lost worker: the reaper puts the job back in the queue.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timezone.timedelta(hours=1))
    job_notify(job)
    assert jobs_reap_stale() == 1
    body = _poll(api, job)
    seen.append(body["status"])
    assert body["stage"] == "requeued after a lost worker"

    job = job_claim(job_id=job.pk)
    job_fail(job=job, stage="mux", message="disk full")
    body = _poll(api, job)
    seen.append(body["status"])
    assert (body["error_stage"], body["error_message"]) == ("mux", "disk full")
    job_retry(job=job)
    job = job_claim(job_id=job.pk)
    job_succeed(job=job)
    body = _poll(api, job)
    seen.append(body["status"])
    assert body["progress"] == 100 and body["finished_at"]

    assert seen == ["queued", "running", "canceled", "queued", "running", "queued", "failed", "succeeded"]


def test_a_reader_that_raced_a_writer_does_not_keep_the_old_state(api, queued_job, monkeypatch):
    """The reader took the stamp, read the row, then the writer committed and bumped before
    the reader stored its copy: the copy carries the old stamp and is never served."""
    real_read_row = status_cache._read_row
    raced = []

    def read_then_writer_commits(code, stamp):
        status = real_read_row(code, stamp)
        if not raced:
            raced.append(True)
            Job.objects.filter(pk=queued_job.pk).update(status=Job.Status.RUNNING, stage="video", progress=7)
            job_notify(queued_job)
        return status

    monkeypatch.setattr(status_cache, "_read_row", read_then_writer_commits)
    assert _poll(api, queued_job)["status"] == "queued"  # what the racing reader read
    body = _poll(api, queued_job)
    assert (body["status"], body["progress"]) == ("running", 7)


def test_a_deleted_job_is_not_served_from_memory(api, queued_job):
    _poll(api, queued_job)
    queued_job.video.delete()
    assert api.get(f"/api/v1/jobs/{queued_job.code}").status_code == 404


def test_the_body_is_what_the_full_view_answers(api, owner, queued_job):
    job = job_claim(job_id=queued_job.pk)
    JobReporter(job).update("video", 0.5)
    job_fail(job=job, stage="mux", message='Quotes " and \\ and ünïcode\u2028too')
    fast = api.get(f"/api/v1/jobs/{job.code}")
    # A query string sends the request down DRF's own path (serializer, renderer, links).
    full = api.get(f"/api/v1/jobs/{job.code}?full=1")
    assert fast.status_code == full.status_code == 200
    assert fast.content == full.content
    # Every header alike but the request id, which is each request's own.
    assert {**fast.headers, "X-Request-ID": ""} == {**full.headers, "X-Request-ID": ""}
    assert fast["Content-Type"] == "application/json"
    assert json.loads(fast.content)["links"]["self"] == f"http://testserver/api/v1/jobs/{job.code}"


def test_another_users_job_is_still_a_404(api, stranger):
    theirs = Job.objects.create(owner=stranger, video=_video(stranger), kind=VideoJobKind.RENDER)
    status_cache.job_status_get(code=theirs.code)  # in memory: must not leak through the fast path
    response = api.get(f"/api/v1/jobs/{theirs.code}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- across processes ---------------------------------------------------------------------


def _remote_poll(base: str, key: str, job: Job) -> dict:
    request = urllib.request.Request(f"{base}/api/v1/jobs/{job.code}", headers={"Authorization": f"Token {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_a_change_committed_here_shows_at_once_in_another_process(daphne_server, owner, api):
    """Two clients, two processes: daphne polls from its own memory, this process writes."""
    key = api_token_create(user=owner).key
    job = Job.objects.create(owner=owner, video=_video(owner), kind=VideoJobKind.RENDER)
    assert _remote_poll(daphne_server, key, job)["status"] == "queued"
    assert _poll(api, job)["status"] == "queued"

    job = job_claim(job_id=job.pk)
    assert _remote_poll(daphne_server, key, job)["status"] == "running"

    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(stage="audio", progress=91)
        job_notify(job)
        # Not committed: the other process reads (and keeps) the old row meanwhile...
        assert _remote_poll(daphne_server, key, job)["progress"] == 0
    # ...and drops it the moment the change commits.
    assert _remote_poll(daphne_server, key, job)["progress"] == 91
    assert _poll(api, job)["progress"] == 91

    job_succeed(job=job)
    assert _remote_poll(daphne_server, key, job)["status"] == "succeeded"
    assert _poll(api, job)["status"] == "succeeded"


def test_a_rotated_token_stops_working_at_once_in_another_process(daphne_server, owner):
    from core.api_tokens import api_token_rotate

    old = api_token_create(user=owner).key
    job = Job.objects.create(owner=owner, video=_video(owner), kind=VideoJobKind.RENDER)
    assert _remote_poll(daphne_server, old, job)["status"] == "queued"

    new = api_token_rotate(user=owner).key
    with pytest.raises(urllib.error.HTTPError) as refused:
        _remote_poll(daphne_server, old, job)
    assert refused.value.code == 401
    assert _remote_poll(daphne_server, new, job)["status"] == "queued"

    owner.is_active = False
    owner.save()
    with pytest.raises(urllib.error.HTTPError) as inactive:
        _remote_poll(daphne_server, new, job)
    assert inactive.value.code == 401
