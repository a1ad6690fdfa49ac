"""The creator's review-link panel on the storyboard and video pages: make a link (shown
once), list, revoke; only for the creator's own videos."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from videos.models import ReviewLink
from videos.tests.review_fixtures import storyboard_rows

pytestmark = pytest.mark.usefixtures("cache_table")


@pytest.fixture
def video(owner):
    return storyboard_rows(owner)


def test_the_storyboard_page_loads_the_panel(client, owner, video):
    client.force_login(owner)
    page = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()
    assert reverse("videos-review-panel", kwargs={"code": video.code}) in page


def test_a_link_is_made_shown_once_and_revoked(client, owner, video):
    client.force_login(owner)
    made = client.post(reverse("videos-review-link-make", kwargs={"code": video.code}), HTTP_HX_REQUEST="true")
    url = re.search(r'value="(http://testserver/review/[^"]+/)"', made.content.decode()).group(1)
    assert client.get(url).status_code == 200
    panel = client.get(reverse("videos-review-panel", kwargs={"code": video.code})).content.decode()
    assert url not in panel and "open until" in panel
    link = ReviewLink.objects.get()
    client.post(reverse("videos-review-link-revoke", kwargs={"code": link.code}))
    assert client.get(url).status_code == 404


def test_a_stranger_can_neither_make_nor_revoke(client, owner, stranger, video):
    link_url = reverse("videos-review-link-make", kwargs={"code": video.code})
    client.force_login(stranger)
    assert client.post(link_url).status_code == 404
    assert client.get(reverse("videos-review-panel", kwargs={"code": video.code})).status_code == 404
    client.force_login(owner)
    client.post(link_url)
    client.force_login(stranger)
    code = ReviewLink.objects.get().code
    assert client.post(reverse("videos-review-link-revoke", kwargs={"code": code})).status_code == 404
    assert ReviewLink.objects.get().revoked_at is None
