"""The reviewer's page (/review/<token>/, no account): what it shows, comments and
decisions, their limits, the rate limit, and that a link opens nothing but its own video."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from jobs.models import WebhookDelivery
from videos.models import ReviewComment, ReviewLink, Scene, Video
from videos.services.review import COMMENT_MAX_CHARS, review_link_create
from videos.tests.review_fixtures import storyboard_rows

pytestmark = pytest.mark.usefixtures("cache_table")


@pytest.fixture
def video(owner):
    return storyboard_rows(owner)


@pytest.fixture
def token(video) -> str:
    return review_link_create(video=video)[1]


def _page(token: str) -> str:
    return reverse("videos-review-page", kwargs={"token": token})


def _comment(client, token: str, **data):
    return client.post(reverse("videos-review-comment", kwargs={"token": token}), data)


def test_a_comment_on_a_scene_is_stored_and_shown(client, video, token):
    scene = video.scenes.order_by("position").last()
    response = _comment(client, token, scene=str(scene.code), body="Make the waves bigger.")
    assert response.status_code == 302
    comment = ReviewComment.objects.get()
    assert (comment.scene, comment.body) == (scene, "Make the waves bigger.")
    page = client.get(_page(token)).content.decode()
    assert "Scene 2" in page and "Make the waves bigger." in page


def test_a_comment_is_plain_text_escaped_on_both_pages(client, owner, video, token):
    _comment(client, token, body="<script>alert(1)</script>")
    assert "<script>alert(1)" not in client.get(_page(token)).content.decode()
    client.force_login(owner)
    panel = client.get(reverse("videos-review-panel", kwargs={"code": video.code})).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel and "<script>alert(1)" not in panel


def test_an_empty_comment_is_refused_and_nothing_stored(client, token):
    response = _comment(client, token, body="   ")
    assert response.status_code == 400
    assert "empty" in response.content.decode()
    assert not ReviewComment.objects.exists()


def test_an_over_long_comment_is_refused_and_nothing_stored(client, token):
    response = _comment(client, token, body="x" * (COMMENT_MAX_CHARS + 1))
    assert response.status_code == 400
    assert f"under {COMMENT_MAX_CHARS} characters" in response.content.decode()
    assert not ReviewComment.objects.exists()


def test_a_scene_of_another_video_is_refused(client, token, stranger):
    elsewhere = storyboard_rows(stranger).scenes.first()
    assert _comment(client, token, scene=str(elsewhere.code), body="Hi").status_code == 400
    assert not ReviewComment.objects.exists()


def test_comments_are_rate_limited_per_link_and_address(client, token, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "review": "2/hour"},
    }
    assert _comment(client, token, body="one").status_code == 302
    assert _comment(client, token, body="two").status_code == 302
    refused = _comment(client, token, body="three")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert list(ReviewComment.objects.values_list("body", flat=True)) == ["one", "two"]


def test_asking_for_changes_needs_words_and_tells_the_creator(client, owner, video, token, settings):
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True
    Video.objects.filter(pk=video.pk).update(callback_url="http://127.0.0.1:9/hook")
    decide = reverse("videos-review-decision", kwargs={"token": token})
    assert client.post(decide, {"decision": "changes_requested", "body": ""}).status_code == 400
    assert client.post(decide, {"decision": "changes_requested", "body": "Shorter, please."}).status_code == 302
    link = ReviewLink.objects.get()
    assert link.decision == ReviewLink.Decision.CHANGES_REQUESTED
    delivery = WebhookDelivery.objects.get()
    event = json.loads(delivery.payload)
    assert (delivery.owner, event["type"]) == (owner, "review.changes_requested")
    assert event["data"]["comment"]["body"] == "Shorter, please."
    assert event["data"]["video"]["code"] == str(video.code)
    client.force_login(owner)
    panel = client.get(reverse("videos-review-panel", kwargs={"code": video.code})).content.decode()
    assert "asked for changes" in panel and "Shorter, please." in panel


def test_a_review_approval_leaves_the_gate_alone_by_default(client, video, token):
    client.post(reverse("videos-review-decision", kwargs={"token": token}), {"decision": "approved"})
    assert ReviewLink.objects.get().decision == ReviewLink.Decision.APPROVED
    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE


def test_the_link_serves_only_its_own_videos_files(client, owner, stranger, make_video, piper_cached):
    video = make_video(owner)
    token = review_link_create(video=video)[1]
    scene = video.scenes.order_by("position").first()
    # Another creator's scene showing the very same picture: still not this link's to give.
    foreign = storyboard_rows(stranger, title="Private").scenes.first()
    Scene.objects.filter(pk=foreign.pk).update(picture=scene.picture)
    picture = client.get(reverse("videos-review-scene-picture", kwargs={"token": token, "scene": scene.code}))
    assert picture.status_code == 200 and picture["Content-Type"].startswith("image/")
    narration = client.get(reverse("videos-review-scene-narration", kwargs={"token": token, "scene": scene.code}))
    assert narration.status_code == 200 and narration["Content-Type"].startswith("audio/")
    elsewhere = reverse("videos-review-scene-picture", kwargs={"token": token, "scene": foreign.code})
    assert client.get(elsewhere).status_code == 404
    # A storyboard link has no finished video to give.
    assert client.get(reverse("videos-review-video", kwargs={"token": token})).status_code == 404
    assert client.get(reverse("videos-review-page", kwargs={"token": "x" * 43})).status_code == 404


@pytest.fixture
def rendered(owner):
    """A video whose master and poster are stored files (bytes stand in for the MP4: the
    link only has to serve them, not play them)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    video = storyboard_rows(owner)
    master = default_storage.save(f"videos/{owner.pk}/{video.code.hex}/master-t.mp4", ContentFile(b"0123456789" * 10))
    poster = default_storage.save(f"videos/{owner.pk}/{video.code.hex}/poster-t.jpg", ContentFile(b"jpeg"))
    Video.objects.filter(pk=video.pk).update(master=master, poster=poster, duration_ms=8000, status=Video.Status.READY)
    video.refresh_from_db()
    return video


def test_a_video_link_plays_the_finished_video_by_its_own_urls(client, rendered):
    link, token = review_link_create(video=rendered)
    assert link.shows == ReviewLink.Shows.VIDEO
    page = client.get(_page(token)).content.decode()
    assert reverse("videos-review-video", kwargs={"token": token}) in page
    assert f"/videos/{rendered.code}/" not in page  # nothing of the creator's own URLs
    part = client.get(reverse("videos-review-video", kwargs={"token": token}), HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"0123456789"
    scene = rendered.scenes.first()
    assert (
        client.get(reverse("videos-review-scene-picture", kwargs={"token": token, "scene": scene.code})).status_code
        == 404
    )


def test_a_comment_at_a_time_is_stored_in_milliseconds(client, rendered):
    token = review_link_create(video=rendered)[1]
    assert _comment(client, token, at_seconds="1.5", body="Hold this shot longer.").status_code == 302
    assert _comment(client, token, at_seconds="99", body="Past the end").status_code == 400
    assert list(ReviewComment.objects.values_list("at_ms", "body")) == [(1500, "Hold this shot longer.")]
