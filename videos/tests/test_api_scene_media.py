"""/api/v1/scenes/{code}/clip and /narration: a scene's clip and recording over the API."""

from __future__ import annotations

import pytest

from assets.services import asset_ingest_upload
from assets.tests.media_files import named, upload
from core.testing import assert_error, token_client
from videos.models import Scene

pytestmark = pytest.mark.usefixtures("cache_table")


@pytest.fixture
def scene(owner, make_video) -> Scene:
    return make_video(owner).scenes.get(position=0)


def test_an_uploaded_clip_is_put_on_a_scene(api, scene, media_files):
    response = api.put(
        f"/api/v1/scenes/{scene.code}/clip",
        {"file": upload(media_files["clip.mp4"]), "clip_audio": "mix"},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["clip"]["kind"], body["clip_audio"], body["warning"]) == ("video", "mix", "")
    assert body["links"]["clip"].endswith(f"/api/v1/scenes/{scene.code}/clip")


def test_one_of_my_clips_is_put_on_a_scene_by_code(api, owner, scene, media_files):
    clip = asset_ingest_upload(owner=owner, upload=upload(media_files["clip.webm"]))
    body = api.put(f"/api/v1/scenes/{scene.code}/clip", {"asset": str(clip.code)}, format="json").json()
    assert (body["clip"]["code"], body["clip_audio"]) == (str(clip.code), "drop")


def test_a_strangers_clip_is_refused(api, stranger, scene, media_files):
    theirs = asset_ingest_upload(owner=stranger, upload=upload(media_files["clip.mp4"]))
    body = assert_error(
        api.put(f"/api/v1/scenes/{scene.code}/clip", {"asset": str(theirs.code)}, format="json"), 400, "invalid"
    )
    assert "asset" in body["details"]


def test_a_hostile_clip_is_refused_and_the_scene_is_unchanged(api, scene):
    body = assert_error(
        api.put(f"/api/v1/scenes/{scene.code}/clip", {"file": named(b"<html></html>", "x.mp4")}, format="multipart"),
        400,
        "invalid",
    )
    assert body["details"]["clip"] == [
        "That file is a web page (HTML), not a picture, clip or sound; nothing was stored."
    ]
    scene.refresh_from_db()
    assert scene.clip_id is None


def test_the_clip_is_removed(api, owner, scene, media_files):
    clip = asset_ingest_upload(owner=owner, upload=upload(media_files["clip.mp4"]))
    api.put(f"/api/v1/scenes/{scene.code}/clip", {"asset": str(clip.code)}, format="json")
    body = api.delete(f"/api/v1/scenes/{scene.code}/clip").json()
    assert body["clip"] is None


def test_a_recording_narrates_a_scene_and_sets_its_length(api, scene, media_files):
    response = api.put(
        f"/api/v1/scenes/{scene.code}/narration", {"file": upload(media_files["sound.mp3"])}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["narration_source"] == "upload"
    assert body["narration_ms"] == body["narration_audio"]["duration_ms"]
    assert body["duration_ms"] > body["narration_ms"]


def test_going_back_to_speech_over_the_api(api, scene, media_files):
    api.put(f"/api/v1/scenes/{scene.code}/narration", {"file": upload(media_files["sound.wav"])}, format="multipart")
    body = api.delete(f"/api/v1/scenes/{scene.code}/narration").json()
    assert (body["narration_source"], body["narration_audio"], body["ready"]) == ("speech", None, False)
    # A storyboard job makes the speech again.
    assert scene.video.jobs.filter(kind="storyboard", status="queued").exists()


def test_a_strangers_scene_is_a_404(stranger, scene, media_files):
    body = assert_error(
        token_client(stranger).put(
            f"/api/v1/scenes/{scene.code}/narration", {"file": upload(media_files["sound.wav"])}, format="multipart"
        ),
        404,
        "not_found",
    )
    assert body["message"] == "No scene with this code is yours."
