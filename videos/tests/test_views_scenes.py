"""Editing the storyboard scene by scene: text, order, add, delete, new picture, upload."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from assets.models import MediaAsset
from jobs.models import Job
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.django_db

SCRIPT = (
    "The old lighthouse keeper climbs the spiral stairs slowly every single evening at dusk. "
    "Far below him the grey winter waves break hard against the black rocks of the cape. "
    "At the very top he lights the great lamp and watches the ships pass safely home."
)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def video(owner, make_approved_video):
    return make_approved_video(owner, script=SCRIPT)


def _scene_url(name: str, scene) -> str:
    return reverse(name, kwargs={"code": scene.code})


def _png(width: int = 320, height: int = 180, color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_editing_a_scenes_narration_saves_it_withdraws_approval_and_remakes_its_narration(
    client, owner, video, django_capture_on_commit_callbacks
):
    scene = video.scenes.get(position=1)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _scene_url("videos-scene-update", scene),
            {
                "narration": "The sea is calm tonight and the gulls are asleep on the rocks.",
                "visual_prompt": scene.visual_prompt,
            },
            headers=HTMX,
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="storyboard-body"')
    assert "The sea is calm tonight" in html
    scene.refresh_from_db()
    video.refresh_from_db()
    assert scene.narration.startswith("The sea is calm tonight")
    assert scene.narration_audio is not None  # made again by the storyboard job
    assert video.approval == Video.Approval.NONE
    assert video.jobs.filter(kind=VideoJobKind.STORYBOARD).count() == 2


def test_editing_without_javascript_redirects_to_the_scene(client, owner, video):
    scene = video.scenes.get(position=0)
    client.force_login(owner)

    response = client.post(_scene_url("videos-scene-update", scene), {"visual_prompt": scene.visual_prompt})

    assert response.status_code == 302
    assert response.url.endswith(f"#scene-{scene.code}")


def test_an_empty_narration_is_refused_with_the_message_on_that_scene(client, owner, video):
    scene = video.scenes.get(position=0)
    before = scene.narration
    client.force_login(owner)

    response = client.post(
        _scene_url("videos-scene-update", scene), {"narration": "  ", "visual_prompt": "a lamp"}, headers=HTMX
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "A scene needs some narration." in html
    assert f'<li class="scene scene--error" id="scene-{scene.code}"' in html
    scene.refresh_from_db()
    video.refresh_from_db()
    assert scene.narration == before
    assert video.approval == Video.Approval.APPROVED


def test_moving_a_scene_down_swaps_it_with_the_next(client, owner, video):
    first, second = video.scenes.order_by("position")[:2]
    client.force_login(owner)

    response = client.post(_scene_url("videos-scene-move", first), {"direction": "down"}, headers=HTMX)

    html = response.content.decode()
    assert html.index(f'id="scene-{second.code}"') < html.index(f'id="scene-{first.code}"')
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (1, 0)


def test_moving_a_scene_up_swaps_it_with_the_previous(client, owner, video):
    first, second = video.scenes.order_by("position")[:2]
    client.force_login(owner)

    client.post(_scene_url("videos-scene-move", second), {"direction": "up"})

    second.refresh_from_db()
    assert second.position == 0


def test_a_move_without_a_direction_is_refused(client, owner, video):
    scene = video.scenes.get(position=0)
    client.force_login(owner)

    response = client.post(_scene_url("videos-scene-move", scene), {"direction": "sideways"}, headers=HTMX)

    assert response.status_code == 400
    assert "Move a scene up or down." in response.content.decode()


def test_deleting_a_scene_removes_it_and_closes_the_gap(client, owner, video):
    scene = video.scenes.get(position=1)
    client.force_login(owner)

    response = client.post(_scene_url("videos-scene-delete", scene), headers=HTMX)

    assert response.status_code == 200
    assert list(video.scenes.values_list("position", flat=True)) == [0, 1]
    assert str(scene.code) not in response.content.decode()


def test_the_last_scene_cannot_be_deleted(client, owner, make_video):
    video = make_video(owner)
    scene = video.scenes.get()
    client.force_login(owner)

    response = client.post(_scene_url("videos-scene-delete", scene), headers=HTMX)

    assert response.status_code == 409
    assert "needs at least one scene" in response.content.decode()
    assert video.scenes.count() == 1


def test_adding_a_scene_puts_it_at_the_end(client, owner, video, django_capture_on_commit_callbacks):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("videos-scene-add", kwargs={"code": video.code}),
            {"narration": "Dawn comes and the keeper finally sleeps.", "visual_prompt": ""},
            headers=HTMX,
        )

    assert response.status_code == 200
    added = video.scenes.order_by("position").last()
    assert (added.position, added.narration) == (3, "Dawn comes and the keeper finally sleeps.")
    assert added.visual_prompt  # derived from the narration
    assert "Dawn comes and the keeper finally sleeps." in response.content.decode()


def test_adding_a_scene_without_narration_is_refused(client, owner, video):
    client.force_login(owner)

    response = client.post(reverse("videos-scene-add", kwargs={"code": video.code}), {"narration": ""}, headers=HTMX)

    assert response.status_code == 400
    assert "A scene needs some narration." in response.content.decode()
    assert video.scenes.count() == 3


def test_a_new_picture_uses_up_one_refinement_and_shows_the_count(
    client, owner, video, django_capture_on_commit_callbacks
):
    scene = video.scenes.get(position=0)
    old_picture = scene.picture_id
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_scene_url("videos-scene-refine", scene), headers=HTMX)

    assert response.status_code == 200
    assert '<span data-testid="refinements">1 of 5</span>' in response.content.decode()
    scene.refresh_from_db()
    assert scene.picture_id is not None and scene.picture_id != old_picture


def test_refinements_stop_at_the_limit(client, owner, video, settings):
    settings.CONTENTIZER_MAX_REFINEMENTS = 0
    scene = video.scenes.get(position=0)
    client.force_login(owner)

    response = client.post(_scene_url("videos-scene-refine", scene), headers=HTMX)

    assert response.status_code == 409
    assert "used all 0 picture refinements" in response.content.decode()


def test_uploading_a_picture_replaces_the_scenes_picture(client, owner, video):
    scene = video.scenes.get(position=0)
    client.force_login(owner)
    upload = SimpleUploadedFile("photo.png", _png(), content_type="image/png")

    response = client.post(_scene_url("videos-scene-picture", scene), {"picture": upload}, headers=HTMX)

    assert response.status_code == 200
    scene.refresh_from_db()
    assert scene.picture.source == MediaAsset.Source.UPLOADED
    assert (scene.picture.width, scene.picture.height, scene.picture.mime) == (320, 180, "image/jpeg")
    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE
    image = client.get(_scene_url("videos-scene-image", scene))
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:3] == b"\xff\xd8\xff"


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_stored(client, owner, video, media_root):
    scene = video.scenes.get(position=0)
    before = scene.picture_id
    assets_before = MediaAsset.objects.count()
    files_before = sorted(media_root.rglob("*"))
    client.force_login(owner)
    upload = SimpleUploadedFile("photo.png", b"%PDF-1.4 not a picture", content_type="image/png")

    response = client.post(_scene_url("videos-scene-picture", scene), {"picture": upload}, headers=HTMX)

    assert response.status_code == 400
    assert "not a picture Contentizer can read" in response.content.decode()
    scene.refresh_from_db()
    assert scene.picture_id == before
    assert MediaAsset.objects.count() == assets_before
    assert sorted(media_root.rglob("*")) == files_before


def test_a_picture_over_the_size_limit_is_refused(client, owner, video, monkeypatch):
    import assets.services

    monkeypatch.setattr(assets.services, "IMAGE_UPLOAD_MAX_BYTES", 1024 * 1024)
    scene = video.scenes.get(position=0)
    client.force_login(owner)
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"\0" * (2 * 1024 * 1024), content_type="image/png")

    response = client.post(_scene_url("videos-scene-picture", scene), {"picture": big}, headers=HTMX)

    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()


def test_a_picture_over_the_pixel_limit_is_refused(client, owner, video, monkeypatch):
    import assets.services

    monkeypatch.setattr(assets.services, "IMAGE_UPLOAD_MAX_PIXELS", 10_000)
    scene = video.scenes.get(position=0)
    client.force_login(owner)
    upload = SimpleUploadedFile("wide.png", _png(400, 300), content_type="image/png")

    response = client.post(_scene_url("videos-scene-picture", scene), {"picture": upload}, headers=HTMX)

    assert response.status_code == 400
    assert "400x300 pixels" in response.content.decode()


def test_a_strangers_scene_edits_are_404_and_change_nothing(client, owner, stranger, video):
    scene = video.scenes.get(position=0)
    before = (scene.narration, scene.position, scene.picture_id)
    client.force_login(stranger)

    for name, data in (
        ("videos-scene-update", {"narration": "mine now"}),
        ("videos-scene-move", {"direction": "down"}),
        ("videos-scene-delete", {}),
        ("videos-scene-refine", {}),
        ("videos-scene-picture", {"picture": SimpleUploadedFile("p.png", _png(), content_type="image/png")}),
    ):
        assert client.post(_scene_url(name, scene), data).status_code == 404, name
    assert client.get(_scene_url("videos-scene-image", scene)).status_code == 404
    assert client.post(reverse("videos-scene-add", kwargs={"code": video.code}), {"narration": "x"}).status_code == 404
    scene.refresh_from_db()
    assert (scene.narration, scene.position, scene.picture_id) == before
    assert video.scenes.count() == 3


def test_scenes_cannot_be_edited_while_rendering(client, owner, video):
    Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING)
    scene = video.scenes.get(position=0)
    client.force_login(owner)

    response = client.post(
        _scene_url("videos-scene-update", scene), {"narration": "Something new entirely."}, headers=HTMX
    )

    assert response.status_code == 409
    assert "cancel the render before editing" in response.content.decode()


def test_a_scene_edit_without_a_csrf_token_is_refused(owner, video):
    scene = video.scenes.get(position=0)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(_scene_url("videos-scene-delete", scene))

    assert response.status_code == 403
    assert video.scenes.count() == 3
