"""The storyboard's per-scene controls for clips, recordings, my media and stock items,
and the scene warnings on the storyboard page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assets.services import asset_ingest_upload
from assets.tests.media_files import upload
from videos.models import Scene

HTMX = {"HX-Request": "true"}


@pytest.fixture
def scene(owner, make_video) -> Scene:
    return make_video(owner).scenes.select_related("video").get(position=0)


def _url(name: str, scene: Scene) -> str:
    return reverse(name, kwargs={"code": scene.code})


def test_an_uploaded_clip_is_shown_in_the_scene_with_its_sound_mixed(client, owner, scene, media_files):
    client.force_login(owner)

    response = client.post(
        _url("videos-scene-clip", scene), {"clip": upload(media_files["clip.mp4"]), "clip_audio": "mix"}, headers=HTMX
    )

    assert response.status_code == 200
    scene.refresh_from_db()
    assert (scene.clip.kind, scene.clip.source, scene.clip_audio) == ("video", "uploaded", "mix")
    html = response.content.decode()
    assert reverse("assets-file", kwargs={"code": scene.clip.code}) in html
    assert "its sound is mixed in" in html


def test_the_clip_sound_can_be_dropped_and_the_clip_removed(client, owner, scene, media_files):
    client.force_login(owner)
    client.post(_url("videos-scene-clip", scene), {"clip": upload(media_files["clip.mp4"]), "clip_audio": "mix"})

    client.post(_url("videos-scene-clip-audio", scene), {"clip_audio": "drop"})
    scene.refresh_from_db()
    assert scene.clip_audio == "drop"

    client.post(_url("videos-scene-clip-remove", scene))
    scene.refresh_from_db()
    assert scene.clip_id is None


def test_a_stock_picture_is_chosen_for_a_scene(client, owner, staff, scene, media_files):
    stock = asset_ingest_upload(owner=staff, upload=upload(media_files["picture.png"]), source="stock", tags="dusk")
    client.force_login(owner)
    page = client.get(reverse("videos-storyboard", kwargs={"code": scene.video.code})).content.decode()
    assert f'value="{stock.code}"' in page  # offered in "From my media"

    response = client.post(_url("videos-scene-media", scene), {"asset": str(stock.code)})

    assert response.status_code == 302
    scene.refresh_from_db()
    assert scene.picture_id == stock.pk


def test_a_strangers_picture_cannot_be_chosen(client, owner, stranger, scene, media_files):
    theirs = asset_ingest_upload(owner=stranger, upload=upload(media_files["picture.png"]))
    before = scene.picture_id
    client.force_login(owner)

    response = client.post(_url("videos-scene-media", scene), {"asset": str(theirs.code)}, headers=HTMX)

    assert response.status_code == 400
    assert "Choose one of your pictures or clips." in response.content.decode()
    scene.refresh_from_db()
    assert scene.picture_id == before


def test_one_of_my_recordings_narrates_the_scene(client, owner, scene, media_files):
    recording = asset_ingest_upload(owner=owner, upload=upload(media_files["sound.m4a"], "Take two.m4a"))
    client.force_login(owner)

    response = client.post(_url("videos-scene-narration", scene), {"asset": str(recording.code)}, headers=HTMX)

    assert response.status_code == 200
    scene.refresh_from_db()
    assert (scene.narration_audio_id, scene.narration_source) == (recording.pk, "upload")
    assert "your recording Take two" in response.content.decode()


def test_a_strangers_scene_controls_are_404(client, stranger, scene, media_files):
    client.force_login(stranger)
    response = client.post(_url("videos-scene-clip", scene), {"clip": upload(media_files["clip.mp4"])})
    assert response.status_code == 404
    scene.refresh_from_db()
    assert scene.clip_id is None


def test_scene_warnings_are_shown_on_the_storyboard(client, owner, scene):
    Scene.objects.filter(pk=scene.pk).update(warning="Picture: Replicate could not make the picture (3 tries).")
    client.force_login(owner)

    page = client.get(reverse("videos-storyboard", kwargs={"code": scene.video.code})).content.decode()

    assert "Picture: Replicate could not make the picture (3 tries)." in page
    assert 'data-testid="scene-warning"' in page
