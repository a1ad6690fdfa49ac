"""Contract tests for /api/v1/videos/<code>/review-links and /api/v1/review-links/<code>:
make, list, read, revoke; a revoked or expired link's page answers 404; another user's
video is a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.testing import assert_error, token_client
from videos.models import ReviewLink
from videos.services.review import REVIEW_LINK_LIFETIME, review_token_hash
from videos.tests.review_fixtures import storyboard_rows

pytestmark = pytest.mark.usefixtures("cache_table")


@pytest.fixture
def video(owner):
    # Rows only: what a link shows is tested with real media in test_views_review.py.
    return storyboard_rows(owner)


def _url(video) -> str:
    return f"/api/v1/videos/{video.code}/review-links"


def test_a_review_link_is_made_with_its_page_url_and_own_api_url(api, video, client):
    response = api.post(_url(video), {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["shows"] == "storyboard"  # nothing rendered yet
    assert body["self"].endswith(f"/api/v1/review-links/{body['code']}")
    assert "/review/" in body["url"]
    expires = timezone.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - (timezone.now() + REVIEW_LINK_LIFETIME)) < timedelta(minutes=1)
    token = body["url"].rstrip("/").rsplit("/", 1)[1]
    link = ReviewLink.objects.get(code=body["code"])
    # Only the token's hash is stored.
    assert link.token_hash == review_token_hash(token) and token not in link.token_hash
    page = client.get(body["url"])
    assert page.status_code == 200
    assert video.title in page.content.decode()


def test_the_links_are_listed_without_their_secret(api, video):
    made = api.post(_url(video), {"expires_in_days": 3}, format="json").json()
    listed = api.get(_url(video)).json()
    assert [item["code"] for item in listed["results"]] == [made["code"]]
    assert listed["results"][0]["url"] is None
    assert listed["results"][0]["active"] is True


def test_a_revoked_link_answers_404_on_its_page(api, video, client):
    made = api.post(_url(video), {}, format="json").json()
    assert api.delete(made["self"]).status_code == 204
    assert client.get(made["url"]).status_code == 404
    assert api.get(made["self"]).json()["active"] is False


def test_an_expired_link_answers_404_on_its_page(api, video, client):
    made = api.post(_url(video), {}, format="json").json()
    ReviewLink.objects.filter(code=made["code"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(made["url"]).status_code == 404


def test_another_users_video_is_a_404(video, stranger):
    other = token_client(stranger)
    assert_error(other.post(_url(video), {}, format="json"), 404)
    assert_error(other.get(_url(video)), 404)
    assert not ReviewLink.objects.exists()


def test_another_users_link_cannot_be_revoked(api, video, stranger, client):
    made = api.post(_url(video), {}, format="json").json()
    assert_error(token_client(stranger).delete(made["self"]), 404)
    assert client.get(made["url"]).status_code == 200


def test_a_finished_video_cannot_be_shared_before_it_is_rendered(api, video):
    body = assert_error(api.post(_url(video), {"shows": "video"}, format="json"), 400, "invalid")
    assert "rendered" in body["details"]["shows"][0]


def test_a_lifetime_out_of_range_is_refused(api, video):
    assert_error(api.post(_url(video), {"expires_in_days": 365}, format="json"), 400, "invalid")
    assert not ReviewLink.objects.exists()
