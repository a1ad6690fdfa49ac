"""The creation pages share the API's counters (REST_FRAMEWORK DEFAULT_THROTTLE_RATES
"video_create" and "upload", one number each): the new-video form counts only videos made,
the media upload counts each upload; over the rate, 429 with a message and Retry-After."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assets.models import MediaAsset
from assets.tests.test_views_media import upload
from core.testing import create_cache_table, token_client
from videos.models import Video
from videos.tests.test_views_video_new import _form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db, settings):
    create_cache_table()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "video_create": "2/min",
            "upload": "2/min",
        },
    }


def test_the_new_video_form_refuses_over_the_creation_rate_keeping_the_script(client, owner):
    client.force_login(owner)
    assert client.post(reverse("videos-new"), _form()).status_code == 302
    assert client.post(reverse("videos-new"), _form(script="")).status_code == 400  # not counted
    assert client.post(reverse("videos-new"), _form()).status_code == 302

    refused = client.post(reverse("videos-new"), _form(title="The third"))

    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Please wait a minute" in html
    assert 'value="The third"' in html
    assert refused["Retry-After"].isdigit()
    assert Video.objects.filter(owner=owner).count() == 2


def test_videos_made_through_the_api_count_for_the_page_too(client, owner):
    from videos.tests.test_views_video_new import SCRIPT

    api = token_client(owner)
    for _ in range(2):
        assert api.post("/api/v1/videos", {"title": "T", "script": SCRIPT}, format="json").status_code == 202
    client.force_login(owner)

    assert client.post(reverse("videos-new"), _form()).status_code == 429


def test_media_uploads_on_the_page_are_limited(client, owner, media_files):
    client.force_login(owner)
    for i in range(2):
        assert (
            client.post(reverse("assets-upload"), {"file": upload(media_files["clip.webm"], f"W{i}.webm")}).status_code
            == 302
        )

    refused = client.post(reverse("assets-upload"), {"file": upload(media_files["clip.webm"], "W3.webm")})

    assert refused.status_code == 429
    assert "Please wait a minute" in refused.content.decode()
    assert MediaAsset.objects.filter(owner=owner).count() == 2
