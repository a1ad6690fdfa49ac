"""The API's promises, each checked against the real endpoints: unknown fields refused
everywhere, every refusal in the one error shape (416 and parse errors included), refused
requests not counted by the creation throttle, absolute links in webhook events, earlier
exports kept as `stale` after a re-render."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator

from core.testing import WebhookReceiver, assert_error
from jobs.webhooks import webhook_settings_update
from quotas.models import Quota
from videos.models import Export, Project, Video

pytestmark = pytest.mark.usefixtures("cache_table")


def _json_body_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((method, path))
    return found


OPERATIONS = _json_body_operations()


def test_every_json_operation_is_checked_below():
    # A new operation with a JSON body is covered by the next test without listing it here.
    assert len(OPERATIONS) >= 16
    assert ("post", "/api/v1/batches") in OPERATIONS and ("post", "/api/v1/scripts") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_an_unknown_field_is_a_400_naming_it(method, path, api, owner, make_video, settings):
    settings.REPLICATE_API_TOKEN = "r8_not_used"  # /scripts exists; the request stops at validation
    video = make_video(owner)
    codes = {
        "/api/v1/videos/": video.code,
        "/api/v1/scenes/": video.scenes.first().code,
        "/api/v1/projects/": Project.objects.create(owner=owner, name="P").code,
    }
    url = path
    for prefix, code in codes.items():
        if path.startswith(prefix):
            url = path.replace("{code}", str(code))

    response = getattr(api, method)(url, {"caption": False}, format="json")

    body = assert_error(response, 400, "invalid")
    assert body["details"]["caption"][0].startswith("Unknown field"), body


def test_unknown_fields_are_reported_with_the_other_errors(api):
    body = assert_error(api.post("/api/v1/videos", {"title": "T", "caption": False}, format="json"), 400)
    assert set(body["details"]) == {"script", "caption"}
    assert "captions" in body["details"]["caption"][0]  # names what is accepted


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (b'{"title": "x"', "application/json", "parse_error"),
        (b"\xff\xfe{}", "application/json", "parse_error"),
        (b"[1, 2]", "application/json", "invalid"),
        (b"[" * 200 + b"]" * 200, "application/json", "parse_error"),
    ],
)
def test_malformed_bodies_are_400s_in_the_error_shape(api, data, content_type, code):
    assert_error(api.post("/api/v1/videos", data=data, content_type=content_type), 400, code)


@pytest.fixture
def rendered(owner, make_rendered_video):
    return make_rendered_video(owner)


def test_an_unsatisfiable_range_is_a_416_in_the_error_shape(api, rendered):
    for url in (f"/api/v1/videos/{rendered.code}/stream", f"/api/v1/videos/{rendered.code}/download"):
        response = api.get(url, HTTP_RANGE=f"bytes={rendered.size_bytes + 10}-")
        body = assert_error(response, 416, "range_not_satisfiable")
        assert response["Content-Range"] == f"bytes */{rendered.size_bytes}"
        assert str(rendered.size_bytes) in body["message"]


def test_re_rendering_keeps_earlier_exports_as_stale(
    api, owner, rendered, media_root, django_capture_on_commit_callbacks
):
    from videos.services import export_request, render_request, storyboard_approve

    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(video=rendered, format="webm", quality="480p")
    export.refresh_from_db()
    old_file = media_root / export.file.name
    assert old_file.is_file()

    storyboard_approve(video=rendered, user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        render_request(video=rendered, user=owner)

    listed = api.get(f"/api/v1/videos/{rendered.code}/exports").json()["results"]
    assert [(e["code"], e["status"]) for e in listed] == [(str(export.code), "stale")]
    assert listed[0]["links"]["download"] is None
    assert old_file.is_file()  # kept until asked for again
    assert_error(api.get(f"/api/v1/exports/{export.code}/download"), 409, "conflict")
    with django_capture_on_commit_callbacks() as queued:
        again = api.post(
            f"/api/v1/videos/{rendered.code}/exports", {"format": "webm", "quality": "480p"}, format="json"
        )
    assert again.status_code == 202 and again.json()["code"] == str(export.code)
    assert again.json()["status"] == "queued"
    for callback in queued:  # the stale file goes, the export job runs
        callback()
    assert not old_file.exists()
    export.refresh_from_db()
    assert export.source_master == Video.objects.get(pk=rendered.pk).master.name
    assert (media_root / export.file.name).is_file()
    assert api.get(f"/api/v1/exports/{export.code}").json()["status"] == "ready"
    assert Export.objects.count() == 1


def test_refused_creations_do_not_count_against_the_throttle(
    api, owner, monkeypatch, django_capture_on_commit_callbacks
):
    from core.api_base import VideoCreateThrottle

    monkeypatch.setattr(VideoCreateThrottle, "THROTTLE_RATES", {"video_create": "3/min"})
    cache.clear()
    for _ in range(4):  # invalid: 400
        assert_error(api.post("/api/v1/videos", {"title": "T"}, format="json"), 400)
    Quota.objects.create(user=owner, videos_per_day=0)
    for _ in range(2):  # over quota: 429 quota_exceeded, not throttled
        assert_error(api.post("/api/v1/videos", {"title": "T", "script": "Hi."}, format="json"), 429, "quota_exceeded")
    Quota.objects.filter(user=owner).update(videos_per_day=None)
    good = {"title": "T", "script": "A sentence."}
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=False):
            assert api.post("/api/v1/videos", good, format="json").status_code == 202
    throttled = api.post("/api/v1/videos", good, format="json")
    assert_error(throttled, 429, "throttled")
    assert int(throttled["Retry-After"]) > 0
    assert Video.objects.count() == 3


def test_webhook_event_links_are_absolute_without_a_public_url(owner, settings, make_video):
    settings.CONTENTIZER_PUBLIC_URL = ""
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    receiver = WebhookReceiver([200])
    try:
        webhook_settings_update(user=owner, callback_url=receiver.url)
        make_video(owner)
        (event,) = receiver.events()
    finally:
        receiver.close()
    links = {**event["data"]["job"]["links"], **event["data"]["video"]["links"]}
    present = [link for link in links.values() if link]
    assert present and all(link.startswith("http://localhost:8000/api/v1/") for link in present), links


def test_webhook_event_links_use_the_public_url(owner, settings, make_video):
    settings.CONTENTIZER_PUBLIC_URL = "https://videos.example.com/"
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    receiver = WebhookReceiver([200])
    try:
        webhook_settings_update(user=owner, callback_url=receiver.url)
        video = make_video(owner)
        (event,) = receiver.events()
    finally:
        receiver.close()
    assert event["data"]["video"]["links"]["self"] == f"https://videos.example.com/api/v1/videos/{video.code}"
