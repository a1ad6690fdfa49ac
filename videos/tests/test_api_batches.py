"""The batches API: a CSV/JSONL upload or JSON rows -> 202 with the batch; one 400
naming every problem; 429 when the batch does not fit; progress per video and overall."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.testing import assert_error, token_client
from quotas.models import Quota
from videos.models import Batch, Video

URL = "/api/v1/batches"
ONE = "The lighthouse keeper climbs the stairs at dusk."
TWO = "Far below, the waves break on the rocks."
CSV = f'title,script,quality\nKeeper,"{ONE}",480p\nWaves,"{TWO}",480p\n'

pytestmark = pytest.mark.usefixtures("cache_table")


def test_an_uploaded_csv_answers_202_with_the_batch_and_its_videos(api, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("harbour.csv", CSV.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, {"file": upload, "name": "Harbour"}, format="multipart")

    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["links"]["self"]
    assert (body["name"], body["total"]) == ("Harbour", 2)
    assert [(v["row"], v["title"]) for v in body["videos"]] == [(1, "Keeper"), (2, "Waves")]
    # The storyboards ran at commit: read the progress view again.
    progress = api.get(body["links"]["self"]).json()
    assert progress["finished"] is True and progress["progress"] == 100
    assert progress["counts"] == {"storyboarding": 0, "storyboard": 2, "rendering": 0, "ready": 0, "failed": 0}
    assert {v["status"] for v in progress["videos"]} == {"storyboard"}
    for item in progress["videos"]:
        video = api.get(item["links"]["self"]).json()  # an ordinary video
        assert video["status"] == "storyboard" and video["quality"] == "480p"
        assert video["current_job"]["code"] == item["job"]


def test_json_rows_answer_202_and_are_in_progress_until_their_jobs_run(api):
    response = api.post(URL, {"name": "Two", "rows": [{"script": ONE}, {"script": TWO}]}, format="json")

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["finished"] is False and body["progress"] == 0
    assert body["counts"]["storyboarding"] == 2
    assert [v["title"] for v in body["videos"]] == ["Two #1", "Two #2"]
    assert {v["status"] for v in body["videos"]} == {"storyboarding"}


def test_every_problem_is_one_400_naming_row_and_field(api):
    rows = [{"script": ONE, "fps": "30"}, {"script": TWO, "caption": False}, {"title": "No script"}]

    body = assert_error(api.post(URL, {"rows": rows}, format="json"), 400, "invalid")

    assert set(body["details"]) == {"rows.1.fps", "rows.2.caption", "rows.3.script"}
    assert not Video.objects.exists() and not Batch.objects.exists()


def test_an_unreadable_upload_is_a_400_naming_the_file(api):
    upload = SimpleUploadedFile("b.csv", b"script,speling\nHello.,x\n", content_type="text/csv")
    body = assert_error(api.post(URL, {"file": upload}, format="multipart"), 400, "invalid")
    assert "Unknown column 'speling'" in body["details"]["file"][0]


def test_a_batch_that_does_not_fit_the_quota_is_a_429_and_creates_nothing(api, owner):
    Quota.objects.create(user=owner, videos_per_day=1)

    body = assert_error(api.post(URL, {"rows": [{"script": ONE}, {"script": TWO}]}, format="json"), 429)

    assert body["code"] == "quota_exceeded" and "This batch has 2 videos" in body["message"]
    assert not Video.objects.exists()


def test_batches_are_listed_newest_first_and_only_your_own(api, owner, stranger):
    api.post(URL, {"name": "First", "rows": [{"script": ONE}]}, format="json")
    api.post(URL, {"name": "Second", "rows": [{"script": TWO}]}, format="json")
    listed = api.get(URL).json()
    assert [b["name"] for b in listed["results"]] == ["Second", "First"]

    other = token_client(stranger)
    assert other.get(URL).json()["count"] == 0
    assert_error(other.get(listed["results"][0]["links"]["self"]), 404, "not_found")


def test_unknown_top_level_fields_are_refused(api):
    body = assert_error(api.post(URL, {"rows": [{"script": ONE}], "title": "x"}, format="json"), 400)
    assert set(body["details"]) == {"title"}
