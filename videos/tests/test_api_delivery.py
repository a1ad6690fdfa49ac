"""Contract tests for the delivery endpoints (stream with Range, download, captions,
poster) and exports (create, list, retrieve, download)."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.testing import assert_error
from jobs.models import Job
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.usefixtures("cache_table")


MASTER = bytes(range(256)) * 40  # 10240 bytes with a recognisable pattern
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nThe lighthouse keeper.\n"
SRT = "1\n00:00:00,000 --> 00:00:02,000\nThe lighthouse keeper.\n"


@pytest.fixture
def stored_video(owner, make_approved_video):
    """A video whose output files are in storage (bytes we know), as a render leaves them.
    The real render is exercised by the export test below and the live-server flow."""
    video = make_approved_video(owner)
    base = f"videos/{owner.pk}/{video.code.hex}"
    video.master = default_storage.save(f"{base}/master-test.mp4", ContentFile(MASTER))
    video.poster = default_storage.save(f"{base}/poster-test.jpg", ContentFile(b"\xff\xd8\xff\xe0poster"))
    video.captions_vtt = default_storage.save(f"{base}/captions-test.vtt", ContentFile(VTT.encode()))
    video.captions_srt = default_storage.save(f"{base}/captions-test.srt", ContentFile(SRT.encode()))
    video.status = Video.Status.READY
    video.save()
    return video


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_stream_without_range_answers_the_whole_file_and_accepts_ranges(api, stored_video):
    response = api.get(f"/api/v1/videos/{stored_video.code}/stream")
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == MASTER


def test_stream_answers_a_range_with_206_and_content_range(api, stored_video):
    response = api.get(f"/api/v1/videos/{stored_video.code}/stream", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(MASTER)}"
    assert response["Content-Length"] == "100"
    assert _body(response) == MASTER[100:200]


def test_stream_answers_a_suffix_range(api, stored_video):
    response = api.get(f"/api/v1/videos/{stored_video.code}/stream", HTTP_RANGE="bytes=-16")
    assert response.status_code == 206
    assert _body(response) == MASTER[-16:]


def test_stream_answers_an_unsatisfiable_range_with_416(api, stored_video):
    response = api.get(f"/api/v1/videos/{stored_video.code}/stream", HTTP_RANGE=f"bytes={len(MASTER) + 10}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(MASTER)}"


def test_stream_ignores_what_the_player_says_it_accepts(api, stored_video):
    response = api.get(f"/api/v1/videos/{stored_video.code}/stream", HTTP_ACCEPT="video/webm,video/*;q=0.9")
    assert response.status_code == 200


def test_stream_of_a_video_not_rendered_yet_is_a_409_in_json(api, owner, make_video):
    video = make_video(owner)
    body = assert_error(api.get(f"/api/v1/videos/{video.code}/stream", HTTP_ACCEPT="video/mp4"), 409, "conflict")
    assert "rendered" in body["message"]


def test_download_is_an_attachment_named_after_the_title(api, stored_video):
    response = api.get(f"/api/v1/videos/{stored_video.code}/download")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Lighthouse.mp4"'
    assert _body(response) == MASTER


def test_captions_are_served_as_vtt_and_srt(api, stored_video):
    vtt = api.get(f"/api/v1/videos/{stored_video.code}/captions.vtt")
    srt = api.get(f"/api/v1/videos/{stored_video.code}/captions.srt")
    assert vtt["Content-Type"] == "text/vtt" and _body(vtt).decode() == VTT
    assert srt["Content-Type"] == "application/x-subrip" and _body(srt).decode() == SRT


def test_the_poster_is_a_jpeg(api, stored_video):
    response = api.get(f"/api/v1/videos/{stored_video.code}/poster")
    assert response["Content-Type"] == "image/jpeg"
    assert _body(response).startswith(b"\xff\xd8")


def test_a_rendered_video_lists_its_file_links(api, stored_video):
    links = api.get(f"/api/v1/videos/{stored_video.code}").json()["links"]
    for key in ("stream", "download", "poster", "captions_vtt", "captions_srt"):
        assert links[key] and links[key].startswith("http://testserver/api/v1/videos/")


def test_export_of_a_video_not_rendered_is_a_409(api, owner, make_video):
    video = make_video(owner)
    body = assert_error(
        api.post(f"/api/v1/videos/{video.code}/exports", {"format": "webm", "quality": "480p"}, format="json"), 409
    )
    assert "Render" in body["message"]


def test_export_larger_than_the_render_is_refused(api, stored_video):
    body = assert_error(
        api.post(f"/api/v1/videos/{stored_video.code}/exports", {"format": "mp4", "quality": "1080p"}, format="json"),
        400,
    )
    assert "quality" in body["details"]


def test_export_of_an_unknown_format_is_refused(api, stored_video):
    body = assert_error(
        api.post(f"/api/v1/videos/{stored_video.code}/exports", {"format": "avi", "quality": "480p"}, format="json"),
        400,
    )
    assert "format" in body["details"]


def test_an_export_not_ready_cannot_be_downloaded(api, stored_video):
    response = api.post(
        f"/api/v1/videos/{stored_video.code}/exports", {"format": "mov", "quality": "480p"}, format="json"
    )  # the job is queued, not run (no commit in this test)
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    export_code = response.json()["code"]
    assert response.json()["links"]["download"] is None
    assert_error(api.get(f"/api/v1/exports/{export_code}/download"), 409)


def test_an_export_is_made_listed_cached_and_downloaded(
    api, owner, make_rendered_video, django_capture_on_commit_callbacks, tmp_path
):
    video = make_rendered_video(owner)
    url = f"/api/v1/videos/{video.code}/exports"
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(url, {"format": "webm", "quality": "480p"}, format="json")
    assert created.status_code == 202
    code = created.json()["code"]
    detail = api.get(f"/api/v1/exports/{code}").json()
    assert detail["status"] == "ready", detail
    assert detail["job"]["status"] == "succeeded"
    assert detail["format"] == "webm" and detail["width"] and detail["size_bytes"] > 0
    # Asking again answers the cached export at once.
    again = api.post(url, {"format": "webm", "quality": "480p"}, format="json")
    assert again.status_code == 200 and again.json()["code"] == code
    assert Job.objects.filter(kind=VideoJobKind.EXPORT).count() == 1
    listed = api.get(url).json()
    assert [e["code"] for e in listed["results"]] == [code]
    download = api.get(f"/api/v1/exports/{code}/download")
    assert download.status_code == 200
    assert download["Content-Type"] == "video/webm"
    assert download["Content-Disposition"] == 'attachment; filename="Lighthouse-480p.webm"'
    path = tmp_path / "export.webm"
    path.write_bytes(_body(download))
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    )
    codecs = {s["codec_type"]: s["codec_name"] for s in probe["streams"]}
    assert codecs["video"] == "vp9"
    assert abs(float(probe["format"]["duration"]) * 1000 - video.duration_ms) < 300
