"""The ownership matrix: a second user gets 404 (never 403, never the object) on every
object endpoint, changes nothing, and sees none of the owner's things in any list."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from assets.models import MediaAsset
from assets.services import asset_create_from_path
from conftest import SHORT_SCRIPT
from core.testing import assert_error, token_client
from jobs.models import WebhookDelivery
from videos.models import Export, Project, Video
from videos.services import video_create

# (method, url template, body); {video}, {scene}, ... are filled with the owner's codes.
pytestmark = pytest.mark.usefixtures("cache_table")


OBJECT_ENDPOINTS = [
    ("get", "/api/v1/videos/{video}", None),
    ("delete", "/api/v1/videos/{video}", None),
    ("post", "/api/v1/videos/{video}/approve", None),
    ("post", "/api/v1/videos/{video}/render", None),
    ("get", "/api/v1/videos/{video}/cost", None),
    ("get", "/api/v1/videos/{video}/jobs", None),
    ("get", "/api/v1/videos/{video}/scenes", None),
    ("post", "/api/v1/videos/{video}/scenes", {"narration": "An intruder's line."}),
    ("put", "/api/v1/videos/{video}/scenes/order", {"scenes": ["{scene}"]}),
    ("get", "/api/v1/videos/{video}/stream", None),
    ("get", "/api/v1/videos/{video}/download", None),
    ("get", "/api/v1/videos/{video}/poster", None),
    ("get", "/api/v1/videos/{video}/captions.vtt", None),
    ("get", "/api/v1/videos/{video}/captions.srt", None),
    ("get", "/api/v1/videos/{video}/exports", None),
    ("post", "/api/v1/videos/{video}/exports", {"format": "mov", "quality": "480p"}),
    ("get", "/api/v1/scenes/{scene}", None),
    ("patch", "/api/v1/scenes/{scene}", {"narration": "Changed by a stranger."}),
    ("delete", "/api/v1/scenes/{scene}", None),
    ("post", "/api/v1/scenes/{scene}/move", {"offset": 1}),
    ("post", "/api/v1/scenes/{scene}/refine", None),
    ("put", "/api/v1/scenes/{scene}/picture", {"asset": "{asset}"}),
    ("get", "/api/v1/exports/{export}", None),
    ("get", "/api/v1/exports/{export}/download", None),
    ("get", "/api/v1/jobs/{job}", None),
    ("post", "/api/v1/jobs/{job}/cancel", None),
    ("post", "/api/v1/jobs/{job}/retry", None),
    ("get", "/api/v1/projects/{project}", None),
    ("patch", "/api/v1/projects/{project}", {"name": "Taken over"}),
    ("delete", "/api/v1/projects/{project}", None),
    ("get", "/api/v1/projects/{project}/videos", None),
    ("get", "/api/v1/projects/{project}/jobs", None),
    ("get", "/api/v1/assets/{asset}", None),
    ("delete", "/api/v1/assets/{asset}", None),
    ("get", "/api/v1/assets/{asset}/file", None),
    ("get", "/api/v1/webhooks/deliveries/{delivery}", None),
]
LISTS = ["/api/v1/videos", "/api/v1/jobs", "/api/v1/projects", "/api/v1/assets", "/api/v1/webhooks/deliveries"]


@pytest.fixture
def things(owner, tmp_path) -> dict[str, str]:
    """One of each of the owner's things, the video with output files as a render leaves
    them. Made directly (no storyboard run): this matrix is about who may reach what."""
    project = Project.objects.create(owner=owner, name="Coast")
    video = video_create(owner=owner, title="Lighthouse", script=SHORT_SCRIPT, project=project)
    png = tmp_path / "picture.png"
    Image.new("RGB", (32, 18), (10, 80, 160)).save(png)
    picture = asset_create_from_path(
        owner=owner, kind=MediaAsset.Kind.IMAGE, source=MediaAsset.Source.GENERATED, path=png, mime="image/png"
    )
    scene = video.scenes.order_by("position").first()
    scene.picture = picture
    scene.save(update_fields=["picture"])
    base = f"videos/{owner.pk}/{video.code.hex}"
    video.master = default_storage.save(f"{base}/master.mp4", ContentFile(b"\x00" * 1000))
    video.poster = default_storage.save(f"{base}/poster.jpg", ContentFile(b"\xff\xd8poster"))
    video.captions_vtt = default_storage.save(f"{base}/c.vtt", ContentFile(b"WEBVTT\n"))
    video.captions_srt = default_storage.save(f"{base}/c.srt", ContentFile(b"1\n"))
    video.status = Video.Status.READY
    video.approval = Video.Approval.APPROVED
    video.save()
    export = Export.objects.create(
        video=video,
        format="mp4",
        quality="480p",
        source_master=video.master.name,
        file=default_storage.save(f"{base}/export.mp4", ContentFile(b"\x00" * 500)),
    )
    job = video.jobs.get()
    delivery = WebhookDelivery.objects.create(
        owner=owner, job=job, event_id="msg_x", event_type="job.succeeded", url="https://e.x/", payload="{}"
    )
    return {
        "video": str(video.code),
        "scene": str(scene.code),
        "job": str(job.code),
        "export": str(export.code),
        "project": str(project.code),
        "asset": str(picture.code),
        "delivery": str(delivery.code),
    }


def _call(client, method: str, template: str, body, things: dict[str, str]):
    url = template.format(**things)
    if body is not None:
        body = {k: ([v.format(**things) for v in val] if isinstance(val, list) else val) for k, val in body.items()}
        body = {k: (val.format(**things) if isinstance(val, str) else val) for k, val in body.items()}
        return getattr(client, method)(url, body, format="json")
    return getattr(client, method)(url)


@pytest.mark.parametrize(
    ("method", "template", "body"), OBJECT_ENDPOINTS, ids=[f"{m} {t}" for m, t, _ in OBJECT_ENDPOINTS]
)
def test_a_stranger_gets_404_and_changes_nothing(stranger, owner, things, method, template, body):
    before = Video.objects.values("approval", "refinements_used", "status").get(code=things["video"])
    scenes_before = list(Video.objects.get(code=things["video"]).scenes.values_list("code", "narration", "position"))
    assert_error(_call(token_client(stranger), method, template, body, things), 404, "not_found")
    video = Video.objects.values("approval", "refinements_used", "status").get(code=things["video"])
    assert video == before
    assert list(Video.objects.get(code=things["video"]).scenes.values_list("code", "narration", "position")) == (
        scenes_before
    )
    assert Project.objects.filter(code=things["project"], name="Coast").exists()


@pytest.mark.parametrize(
    "template", [t for m, t, _ in OBJECT_ENDPOINTS if m == "get"], ids=[t for m, t, _ in OBJECT_ENDPOINTS if m == "get"]
)
def test_the_owner_reaches_every_object_the_stranger_cannot(owner, things, template):
    response = _call(token_client(owner), "get", template, None, things)
    assert response.status_code == 200


@pytest.mark.parametrize("url", LISTS)
def test_a_strangers_lists_hold_none_of_the_owners_things(stranger, owner, things, url):
    assert token_client(owner).get(url).json()["count"] >= 1
    assert token_client(stranger).get(url).json()["count"] == 0


@pytest.mark.parametrize("template", ["/api/v1/videos/{video}", "/api/v1/jobs/{job}", "/api/v1/assets/{asset}/file"])
def test_staff_reach_the_owners_things(staff, things, template):
    assert _call(token_client(staff), "get", template, None, things).status_code == 200
