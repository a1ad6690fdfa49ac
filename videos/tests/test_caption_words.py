"""The "words" caption style through the API (202, the storyboard job queued); the stored word
times, the burned images and the track are in test_browser_captions.py and mediakit's tests."""

from __future__ import annotations

from core.testing import token_client
from videos.models import Video


def test_the_api_takes_the_words_style(owner) -> None:
    response = token_client(owner).post(
        "/api/v1/videos",
        {"title": "Bridge", "script": "The bridge opened today.", "caption_style": "words"},
        format="json",
    )
    assert response.status_code == 202, response.content
    assert response.json()["video"]["caption_style"] == "words"
    assert Video.objects.get(code=response.json()["video"]["code"]).caption_style == Video.CaptionStyle.WORDS
