"""Over quota over the API: 429 with code quota_exceeded and, when it resets, Retry-After."""

from __future__ import annotations

from core.testing import assert_error, token_client
from quotas.models import Quota
from videos.models import Video


def test_creating_past_the_daily_video_quota_is_a_429_with_retry_after(owner, django_capture_on_commit_callbacks):
    Quota.objects.create(user=owner, videos_per_day=1)
    client = token_client(owner)
    body = {"title": "One", "script": "A single sentence."}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/api/v1/videos", body, format="json")
    assert first.status_code == 202
    second = client.post("/api/v1/videos", {**body, "title": "Two"}, format="json")
    error = assert_error(second, 429, "quota_exceeded")
    assert "1 of 1 videos today" in error["message"]
    assert 0 < int(second["Retry-After"]) <= 24 * 3600
    assert Video.objects.filter(owner=owner).count() == 1
