"""Contract tests for /api/v1/videos: create, list, retrieve, delete, throttle, errors."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from conftest import SHORT_SCRIPT
from core.testing import assert_error, token_client
from jobs.models import Job
from videos.models import Project, Scene, Video

# About the videos API, not speech: each narration is synthesised once (piper_cached).
pytestmark = pytest.mark.usefixtures("cache_table", "piper_cached")


URL = "/api/v1/videos"


def _create(api, django_capture_on_commit_callbacks, **body):
    body = {"title": "Lighthouse", "script": SHORT_SCRIPT, "quality": "480p", **body}
    with django_capture_on_commit_callbacks(execute=True):
        return api.post(URL, body, format="json")


def test_it_refuses_anonymous_requests_with_401_and_the_error_shape(db):
    response = APIClient().get(URL)
    body = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials" in body["message"].lower()


def test_it_refuses_a_wrong_token_with_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get(URL), 401, "authentication_failed")


def test_create_answers_202_with_the_video_and_its_storyboard_job(api, owner, django_capture_on_commit_callbacks):
    response = _create(api, django_capture_on_commit_callbacks, aspect="9:16", voice="en-gb", music="calm")
    assert response.status_code == 202, response.json()
    body = response.json()
    video = Video.objects.get(owner=owner)
    assert body["video"]["code"] == str(video.code)
    assert body["video"]["aspect"] == "9:16"
    assert body["video"]["voice"] == "en-gb"
    assert body["video"]["music"] == "calm"
    assert body["job"]["kind"] == "storyboard"
    assert body["job"]["code"] == str(video.jobs.get(kind="storyboard").code)
    assert response["Location"].endswith(f"/api/v1/videos/{video.code}")
    assert body["video"]["links"]["self"] == response["Location"]


def test_the_storyboard_job_of_a_created_video_runs_and_the_video_shows_it(api, django_capture_on_commit_callbacks):
    code = _create(api, django_capture_on_commit_callbacks).json()["video"]["code"]
    body = api.get(f"{URL}/{code}").json()
    assert body["status"] == "storyboard"
    assert body["current_job"]["status"] == "succeeded"
    assert body["progress"] == 100
    assert body["approval"] == "none"
    assert body["scene_count"] == Scene.objects.filter(video__code=code).count() >= 1
    assert body["links"]["stream"] is None
    assert body["links"]["download"] is None


def test_create_refuses_an_empty_script_with_a_field_message_and_creates_nothing(
    api, django_capture_on_commit_callbacks
):
    response = _create(api, django_capture_on_commit_callbacks, script="   ")
    body = assert_error(response, 400, "invalid")
    assert "script" in body["details"]
    assert not Video.objects.exists()
    assert not Job.objects.exists()


def test_create_refuses_an_unknown_option_with_a_field_message(api, django_capture_on_commit_callbacks):
    body = assert_error(_create(api, django_capture_on_commit_callbacks, aspect="4:3", fps=60), 400, "invalid")
    assert set(body["details"]) == {"aspect", "fps"}
    assert not Video.objects.exists()


def test_create_refuses_a_script_the_service_rejects_as_too_long(api, settings, django_capture_on_commit_callbacks):
    settings.CONTENTIZER_SCRIPT_MAX_CHARS = 100
    body = assert_error(_create(api, django_capture_on_commit_callbacks, script="Word. " * 40), 400, "invalid")
    assert list(body["details"]) == ["script"]


def test_create_refuses_a_callback_url_that_is_not_http(api, django_capture_on_commit_callbacks):
    body = assert_error(
        _create(api, django_capture_on_commit_callbacks, callback_url="ftp://example.com/hook"), 400, "invalid"
    )
    assert "callback_url" in body["details"]
    assert not Video.objects.exists()


def test_create_keeps_a_callback_url(api, django_capture_on_commit_callbacks):
    response = _create(api, django_capture_on_commit_callbacks, callback_url="https://example.com/hook")
    assert response.json()["video"]["callback_url"] == "https://example.com/hook"
    assert Video.objects.get().callback_url == "https://example.com/hook"


def test_create_puts_the_video_in_my_project(api, owner, django_capture_on_commit_callbacks):
    project = Project.objects.create(owner=owner, name="Coast")
    body = _create(api, django_capture_on_commit_callbacks, project=str(project.code)).json()
    assert body["video"]["project"] == str(project.code)


def test_create_refuses_someone_elses_project(api, stranger, django_capture_on_commit_callbacks):
    project = Project.objects.create(owner=stranger, name="Theirs")
    body = assert_error(_create(api, django_capture_on_commit_callbacks, project=str(project.code)), 400)
    assert "project" in body["details"]
    assert not Video.objects.exists()


def test_create_refuses_malformed_json_with_400(api):
    response = api.generic("POST", URL, "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_create_refuses_a_form_body_with_415(api):
    response = api.post(URL, {"title": "x", "script": SHORT_SCRIPT})
    assert_error(response, 415, "unsupported_media_type")


def test_create_refuses_a_json_list_with_400(api):
    assert_error(api.post(URL, [1, 2], format="json"), 400, "invalid")


def test_the_sixth_creation_in_a_minute_is_throttled_with_retry_after(api, owner):
    # on_commit callbacks are not run here: the storyboard jobs stay queued (fast).
    for _ in range(5):
        assert api.post(URL, {"title": "T", "script": SHORT_SCRIPT}, format="json").status_code == 202
    response = api.post(URL, {"title": "T", "script": SHORT_SCRIPT}, format="json")
    body = assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "throttled" in body["message"].lower()
    assert Video.objects.filter(owner=owner).count() == 5


def test_the_throttle_counts_per_user(api, stranger):
    for _ in range(5):
        api.post(URL, {"title": "T", "script": SHORT_SCRIPT}, format="json")
    other = token_client(stranger).post(URL, {"title": "T", "script": SHORT_SCRIPT}, format="json")
    assert other.status_code == 202


def test_list_is_paginated_and_shows_only_my_videos(api, owner, stranger, make_video):
    mine = [make_video(owner, title=f"Mine {i}") for i in range(3)]
    make_video(stranger, title="Theirs")
    body = api.get(URL).json()
    assert body["count"] == 3
    assert {v["code"] for v in body["results"]} == {str(v.code) for v in mine}
    assert body["results"][0]["title"] == "Mine 2"  # newest first
    assert set(body) == {"count", "next", "previous", "results"}


def test_list_filters_by_status_and_project(api, owner, make_video):
    project = Project.objects.create(owner=owner, name="Coast")
    in_project = make_video(owner, project=project)
    failed = make_video(owner)
    Video.objects.filter(pk=failed.pk).update(status=Video.Status.FAILED)
    by_status = api.get(URL, {"status": "failed"}).json()
    assert [v["code"] for v in by_status["results"]] == [str(failed.code)]
    by_project = api.get(URL, {"project": str(project.code)}).json()
    assert [v["code"] for v in by_project["results"]] == [str(in_project.code)]


def test_list_refuses_an_unknown_status_filter(api):
    body = assert_error(api.get(URL, {"status": "nonsense"}), 400, "invalid")
    assert "status" in body["details"]


def test_list_answers_a_page_past_the_end_with_404_in_the_error_shape(api):
    assert_error(api.get(URL, {"page": 99}), 404, "not_found")


def test_staff_see_every_creators_video(owner, staff, make_video):
    video = make_video(owner)
    response = token_client(staff).get(f"{URL}/{video.code}")
    assert response.status_code == 200
    assert response.json()["code"] == str(video.code)


def test_retrieve_shows_status_approval_metadata_and_links(api, owner, make_approved_video):
    video = make_approved_video(owner)
    body = api.get(f"{URL}/{video.code}").json()
    assert body["status"] == "storyboard"
    assert body["approval"] == "approved"
    assert body["approved_at"] is not None
    assert body["refinements_used"] == 0 and body["refinements_limit"] == 5
    for key in ("duration_ms", "width", "height", "video_codec", "audio_codec", "size_bytes"):
        assert key in body
    assert body["links"]["render"].endswith(f"/api/v1/videos/{video.code}/render")


def test_retrieve_of_an_unknown_code_is_404(api):
    assert_error(api.get(f"{URL}/{uuid.uuid4()}"), 404, "not_found")


def test_a_code_that_is_not_a_uuid_is_404_in_the_error_shape(api):
    assert_error(api.get(f"{URL}/12"), 404, "not_found")


def test_delete_removes_the_video(api, owner, make_video):
    video = make_video(owner)
    response = api.delete(f"{URL}/{video.code}")
    assert response.status_code == 204
    assert not Video.objects.filter(pk=video.pk).exists()
    assert_error(api.get(f"{URL}/{video.code}"), 404)


def test_an_unsupported_method_is_405_in_the_error_shape(api, owner, make_video):
    video = make_video(owner)
    response = api.put(f"{URL}/{video.code}", {}, format="json")
    assert_error(response, 405, "method_not_allowed")
    assert "DELETE" in response["Allow"]


def test_session_auth_without_csrf_is_refused_with_403(owner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(URL, {"title": "T", "script": SHORT_SCRIPT}, format="json")
    body = assert_error(response, 403, "permission_denied")
    assert "CSRF" in body["message"]


def test_session_auth_reads_without_csrf(owner, make_video):
    make_video(owner)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get(URL).json()["count"] == 1


def test_json_nested_too_deeply_is_a_400_not_a_crash(api):
    body = "[" * 100_000 + "]" * 100_000
    assert_error(api.generic("POST", URL, body, content_type="application/json"), 400, "parse_error")


def test_a_body_over_the_upload_limit_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"title": "x", "script": "' + "a" * 20_000 + '"}'
    assert_error(api.generic("POST", URL, body, content_type="application/json"), 413, "payload_too_large")
    assert not Video.objects.exists()


def test_a_wrongly_typed_field_is_refused_not_coerced(api):
    body = assert_error(
        api.post(URL, {"title": 12, "script": SHORT_SCRIPT, "fps": "30", "captions": "yes"}, format="json"), 400
    )
    assert set(body["details"]) == {"title", "fps", "captions"}


def test_an_unexpected_error_still_answers_in_the_error_shape(api, owner, make_video, monkeypatch):
    from videos import services

    video = make_video(owner)

    def broken(**kwargs):
        raise RuntimeError("provider price table missing")

    monkeypatch.setattr(services, "video_estimated_cost", broken)
    body = assert_error(api.get(f"{URL}/{video.code}/cost"), 500, "server_error")
    assert "provider" not in body["message"]  # internals stay in the logs
