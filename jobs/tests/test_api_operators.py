"""Contract tests for the operators' endpoints: /api/v1/health and /api/v1/workers.
(The healthy path with a real worker is in videos/tests/test_api_live_flow.py.)"""

from __future__ import annotations

import pytest

from core.testing import assert_error, token_client
from jobs.services import job_claim
from videos.services import render_request

pytestmark = pytest.mark.usefixtures("cache_table")


def test_health_is_for_staff_only(owner):
    body = assert_error(token_client(owner).get("/api/v1/health"), 403, "permission_denied")
    assert "staff" in body["message"]


def test_health_needs_credentials(client, db):
    assert_error(client.get("/api/v1/health"), 401, "not_authenticated")


def test_health_without_a_worker_is_503_and_says_which_check_failed(staff, media_root):
    response = token_client(staff).get("/api/v1/health")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"]["ok"] is True
    assert body["checks"]["ffmpeg"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": False, "detail": "no qcluster has reported in the last few seconds"}
    # The storage probe cleans up after itself.
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_health_reports_unwritable_storage(staff, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    body = token_client(staff).get("/api/v1/health").json()
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["storage"]["detail"]


def test_health_reports_a_missing_ffmpeg(staff, settings):
    settings.CONTENTIZER_FFMPEG = "ffmpeg-that-is-not-installed"
    body = token_client(staff).get("/api/v1/health").json()
    assert body["checks"]["ffmpeg"] == {"ok": False, "detail": "not found: ffmpeg-that-is-not-installed"}


def test_workers_is_for_staff_only(owner):
    assert_error(token_client(owner).get("/api/v1/workers"), 403, "permission_denied")


def test_workers_shows_queue_depth_and_running_jobs(staff, owner, stranger, make_approved_video):
    running = job_claim(job_id=render_request(video=make_approved_video(owner), user=owner).pk)
    render_request(video=make_approved_video(stranger), user=stranger)  # stays queued
    body = token_client(staff).get("/api/v1/workers").json()
    assert body["clusters"] == []
    assert body["queued_jobs"] == 1
    assert [j["code"] for j in body["running_jobs"]] == [str(running.code)]
    assert body["stale_running_jobs"] == 0
    assert isinstance(body["queue_depth"], int)
