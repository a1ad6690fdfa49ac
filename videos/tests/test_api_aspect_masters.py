"""The API of several aspects: `aspects` on create, each master in the video's JSON, and
each master's files streamed (Range), downloaded and kept to their owner."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.testing import assert_error, token_client
from jobs.models import Job
from videos.models import Video, VideoMaster

pytestmark = pytest.mark.usefixtures("cache_table")

SCRIPT = "A red kite rides the wind above the valley."
PORTRAIT = bytes(range(256)) * 20  # 5120 bytes with a recognisable pattern


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_video_asked_for_in_three_aspects_lists_three_masters(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(
            "/api/v1/videos",
            {"title": "Kite", "script": SCRIPT, "aspects": ["9:16", "16:9", "1:1"]},
            format="json",
        )
    assert response.status_code == 202, response.json()
    video = response.json()["video"]
    # The first is the video's own aspect (its pictures are drawn for it).
    assert (video["aspect"], video["aspects"]) == ("9:16", ["9:16", "16:9", "1:1"])
    assert [(m["aspect"], m["primary"], m["state"]) for m in video["masters"]] == [
        ("9:16", True, "waiting"),
        ("16:9", False, "waiting"),
        ("1:1", False, "waiting"),
    ]
    assert all(link is None for m in video["masters"] for link in m["links"].values())
    assert sorted(VideoMaster.objects.values_list("aspect", flat=True)) == ["16:9", "1:1"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"aspects": []}, "aspects", "at least one aspect"),
        ({"aspects": ["16:9", "21:9"]}, "aspects", "Unknown aspect '21:9'"),
        ({"aspects": ["1:1", "1:1"]}, "aspects", "listed twice"),
        ({"aspects": "16:9"}, "aspects", "list"),
    ],
)
def test_a_bad_list_of_aspects_is_a_400_that_makes_nothing(api, body, field, words):
    response = api.post("/api/v1/videos", {"title": "Kite", "script": SCRIPT, **body}, format="json")
    error = assert_error(response, 400, "invalid")
    assert words in " ".join(error["details"][field])
    assert not Video.objects.exists() and not Job.objects.exists()


def test_aspect_given_beside_aspects_is_the_videos_own(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(
            "/api/v1/videos",
            {"title": "Kite", "script": SCRIPT, "aspect": "1:1", "aspects": ["9:16", "1:1"]},
            format="json",
        )
    assert response.status_code == 202, response.json()
    assert (response.json()["video"]["aspect"], response.json()["video"]["aspects"]) == ("1:1", ["1:1", "9:16"])


@pytest.fixture
def portrait_master(owner, make_approved_video) -> VideoMaster:
    """A 16:9 video's 9:16 master whose file is in storage (bytes we know), as its render leaves it."""
    video = make_approved_video(owner, aspects=["16:9", "9:16"])
    master = video.other_masters.get()
    master.file = default_storage.save(f"videos/{owner.pk}/{video.code.hex}/master-9x16-t.mp4", ContentFile(PORTRAIT))
    master.width, master.height, master.size_bytes = 480, 854, len(PORTRAIT)
    master.save()
    return master


def test_each_masters_links_stream_with_range_and_download(api, portrait_master):
    detail = api.get(f"/api/v1/videos/{portrait_master.video.code}").json()
    portrait = next(m for m in detail["masters"] if m["aspect"] == "9:16")
    assert (portrait["state"], portrait["width"], portrait["height"]) == ("ready", 480, 854)
    assert portrait["links"]["stream"].endswith(f"/api/v1/videos/{portrait_master.video.code}/masters/9x16/stream")
    # The video's own aspect is not rendered yet: no links.
    assert detail["masters"][0]["links"]["stream"] is None
    response = api.get(portrait["links"]["stream"], HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(PORTRAIT)}"
    assert _body(response) == PORTRAIT[100:200]
    download = api.get(portrait["links"]["download"])
    assert download.status_code == 200 and _body(download) == PORTRAIT
    assert 'filename="Lighthouse.9x16.mp4"' in download["Content-Disposition"]
    portrait_master.refresh_from_db()
    assert portrait_master.downloads == 1
    # Not rendered yet (its own aspect) and not made in that aspect at all.
    assert_error(api.get(f"/api/v1/videos/{portrait_master.video.code}/masters/16x9/stream"), 409, "conflict")
    assert_error(api.get(f"/api/v1/videos/{portrait_master.video.code}/masters/1x1/stream"), 404, "not_found")


def test_another_users_master_is_a_404_everywhere(portrait_master, stranger, client):
    code = portrait_master.video.code
    other = token_client(stranger)
    for path in ("stream", "download", "poster", "captions.vtt"):
        assert_error(other.get(f"/api/v1/videos/{code}/masters/9x16/{path}"), 404, "not_found")
    client.force_login(stranger)
    assert client.get(f"/videos/{code}/masters/9x16/stream/").status_code == 404
    assert client.get(f"/videos/{code}/masters/9x16/download/").status_code == 404
    portrait_master.refresh_from_db()
    assert portrait_master.downloads == 0


def test_aspects_are_chosen_again_and_one_renders_alone_once_approved(api, owner, make_video):
    video = make_video(owner)
    response = api.put(f"/api/v1/videos/{video.code}/aspects", {"aspects": ["16:9", "1:1"]}, format="json")
    assert response.status_code == 200, response.json()
    assert [(m["aspect"], m["state"]) for m in response.json()["masters"]] == [("16:9", "waiting"), ("1:1", "waiting")]
    refused = api.post(f"/api/v1/videos/{video.code}/masters/1x1/render")
    assert_error(refused, 403)
    assert not Job.objects.filter(kind="aspect").exists()
    error = assert_error(
        api.put(f"/api/v1/videos/{video.code}/aspects", {"aspects": ["1:1"]}, format="json"), 400, "invalid"
    )
    assert "own aspect" in " ".join(error["details"]["aspects"])
    assert list(VideoMaster.objects.values_list("aspect", flat=True)) == ["1:1"]
