"""Contract tests for /api/v1/jobs and the per-video and per-project job lists."""

from __future__ import annotations

import re
import uuid

import pytest

from conftest import SHORT_SCRIPT
from core.testing import assert_error
from jobs.models import Job
from jobs.services import job_claim, job_fail
from jobs.status_cache import job_status_invalidate
from videos.models import Project
from videos.services import render_request, video_create

pytestmark = pytest.mark.usefixtures("cache_table")


JOB_FIELDS = {
    "code",
    "kind",
    "status",
    "stage",
    "progress",
    "attempts",
    "crashes",
    "error_stage",
    "error_message",
    "cancel_requested",
    "estimated_cost",
    "actual_cost",
    "cost_over_estimate",
    "video",
    "created_at",
    "started_at",
    "finished_at",
    "heartbeat_at",
    "links",
}


def test_a_job_shows_status_stage_progress_attempts_costs_and_timestamps(api, owner, make_video):
    video = make_video(owner)
    job = video.jobs.get()
    body = api.get(f"/api/v1/jobs/{job.code}").json()
    assert set(body) == JOB_FIELDS
    assert body["kind"] == "storyboard"
    assert body["status"] == "succeeded"
    assert body["progress"] == 100 and body["stage"] == "done"
    assert body["attempts"] == 1 and body["crashes"] == 0
    assert body["estimated_cost"] == "0.0000" and body["actual_cost"] == "0.0000"
    assert body["started_at"] and body["finished_at"]
    assert body["video"] == str(video.code)
    assert body["links"]["cancel"].endswith(f"/api/v1/jobs/{job.code}/cancel")


def test_a_job_taken_over_from_dead_workers_shows_its_crashes_in_the_api_and_the_admin(
    api, owner, make_video, admin_client
):
    job = make_video(owner).jobs.get()
    Job.objects.filter(pk=job.pk).update(attempts=3, crashes=2)
    job_status_invalidate(code=job.code)
    body = api.get(f"/api/v1/jobs/{job.code}").json()
    assert (body["attempts"], body["crashes"]) == (3, 2)
    page = admin_client.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    # The read-only field shows its label and the value 2.
    assert re.search(r"<label>Crashes:</label>\s*<div class=\"readonly\">2</div>", page), page[:2000]


def test_a_failed_job_shows_the_stage_that_failed_and_why(api, owner):
    video = video_create(owner=owner, title="T", script=SHORT_SCRIPT)
    job = job_claim(job_id=video.jobs.get().pk)
    job_fail(job=job, stage="narration", message="Scene 1: could not synthesise speech.")
    body = api.get(f"/api/v1/jobs/{job.code}").json()
    assert body["status"] == "failed"
    assert body["error_stage"] == "narration"
    assert body["error_message"] == "Scene 1: could not synthesise speech."


def test_jobs_are_listed_newest_first_and_only_mine(api, owner, stranger, make_video):
    first = make_video(owner)
    second = make_video(owner)
    make_video(stranger)
    body = api.get("/api/v1/jobs").json()
    assert [j["video"] for j in body["results"]] == [str(second.code), str(first.code)]


def test_jobs_are_filtered_by_status_and_kind(api, owner, make_approved_video):
    video = make_approved_video(owner)
    render_request(video=video, user=owner)  # queued
    queued = api.get("/api/v1/jobs", {"status": "queued"}).json()
    assert [j["kind"] for j in queued["results"]] == ["render"]
    storyboards = api.get("/api/v1/jobs", {"kind": "storyboard"}).json()
    assert [j["status"] for j in storyboards["results"]] == ["succeeded"]
    body = assert_error(api.get("/api/v1/jobs", {"kind": "dance"}), 400)
    assert "kind" in body["details"]


def test_a_videos_jobs_are_listed(api, owner, make_approved_video, make_video):
    video = make_approved_video(owner)
    make_video(owner)
    render_request(video=video, user=owner)
    body = api.get(f"/api/v1/videos/{video.code}/jobs").json()
    assert [j["kind"] for j in body["results"]] == ["render", "storyboard"]


def test_a_projects_jobs_are_listed(api, owner, make_video):
    project = Project.objects.create(owner=owner, name="Coast")
    inside = make_video(owner, project=project)
    make_video(owner)
    body = api.get(f"/api/v1/projects/{project.code}/jobs").json()
    assert [j["video"] for j in body["results"]] == [str(inside.code)]


def test_cancel_of_a_queued_job_cancels_it_at_once(api, owner, make_approved_video):
    video = make_approved_video(owner)
    job = render_request(video=video, user=owner)
    response = api.post(f"/api/v1/jobs/{job.code}/cancel")
    assert response.status_code == 202
    assert response.json()["status"] == "canceled"
    assert api.get(f"/api/v1/videos/{video.code}").json()["status"] == "storyboard"


def test_cancel_of_a_running_job_asks_it_to_stop(api, owner, make_approved_video):
    video = make_approved_video(owner)
    job = job_claim(job_id=render_request(video=video, user=owner).pk)
    body = api.post(f"/api/v1/jobs/{job.code}/cancel").json()
    assert body["status"] == "running"
    assert body["cancel_requested"] is True


def test_cancel_of_a_finished_job_is_a_409(api, owner, make_video):
    job = make_video(owner).jobs.get()
    body = assert_error(api.post(f"/api/v1/jobs/{job.code}/cancel"), 409, "conflict")
    assert "succeeded" in body["message"]


def test_retry_puts_a_failed_job_back_in_the_queue(api, owner, django_capture_on_commit_callbacks):
    video = video_create(owner=owner, title="T", script=SHORT_SCRIPT)
    job = job_claim(job_id=video.jobs.get().pk)
    job_fail(job=job, stage="pictures", message="boom")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/jobs/{job.code}/retry")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED  # the retried job ran (inline here)
    assert job.attempts == 2


def test_retry_of_a_succeeded_job_is_a_409(api, owner, make_video):
    job = make_video(owner).jobs.get()
    body = assert_error(api.post(f"/api/v1/jobs/{job.code}/retry"), 409, "conflict")
    assert "failed or canceled" in body["message"]


def test_an_unknown_job_is_404(api):
    assert_error(api.get(f"/api/v1/jobs/{uuid.uuid4()}"), 404, "not_found")


def test_cancel_needs_post(api, owner, make_video):
    job = make_video(owner).jobs.get()
    assert_error(api.get(f"/api/v1/jobs/{job.code}/cancel"), 405, "method_not_allowed")
