"""The "My media" page: upload, list, serve, delete (refused, with where, while in use)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assets.models import MediaAsset
from assets.services import asset_ingest_upload
from assets.tests.media_files import sparse_file, upload


@pytest.fixture
def clip(owner, media_files) -> MediaAsset:
    return asset_ingest_upload(owner=owner, upload=upload(media_files["clip.mp4"], "Beach at dawn.mp4"))


@pytest.fixture
def stock_picture(staff, media_files) -> MediaAsset:
    return asset_ingest_upload(
        owner=staff, upload=upload(media_files["picture.jpg"], "Harbour.jpg"), source="stock", tags="harbour boat"
    )


def test_a_clip_is_uploaded_on_the_page_and_listed(client, owner, media_files):
    client.force_login(owner)

    response = client.post(reverse("assets-upload"), {"file": upload(media_files["clip.webm"], "Waves.webm")})

    assert response.status_code == 302
    asset = MediaAsset.objects.get(owner=owner)
    assert (asset.kind, asset.mime, asset.label) == ("video", "video/webm", "Waves")
    page = client.get(reverse("assets-list")).content.decode()
    assert "Waves" in page and reverse("assets-file", kwargs={"code": asset.code}) in page


def test_the_page_lists_my_files_and_the_stock_library_but_not_a_strangers(
    client, owner, stranger, media_files, stock_picture
):
    asset_ingest_upload(owner=stranger, upload=upload(media_files["sound.mp3"], "Secret plans.mp3"))
    asset_ingest_upload(owner=owner, upload=upload(media_files["sound.wav"], "My voice.wav"))
    client.force_login(owner)

    page = client.get(reverse("assets-list")).content.decode()

    assert "My voice" in page
    assert "Harbour" in page  # stock, read-only
    assert "Secret plans" not in page


def test_a_file_is_served_with_its_type_nosniff_and_a_generated_inline_name(client, owner, clip):
    client.force_login(owner)

    response = client.get(reverse("assets-file", kwargs={"code": clip.code}))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="video-{clip.code.hex[:8]}.mp4"'
    assert b"".join(response.streaming_content)[4:8] == b"ftyp"


def test_a_file_serves_byte_ranges(client, owner, clip):
    client.force_login(owner)
    response = client.get(reverse("assets-file", kwargs={"code": clip.code}), headers={"Range": "bytes=4-7"})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == b"ftyp"


def test_a_strangers_file_is_a_404(client, stranger, clip):
    client.force_login(stranger)
    assert client.get(reverse("assets-file", kwargs={"code": clip.code})).status_code == 404
    assert client.post(reverse("assets-delete", kwargs={"code": clip.code})).status_code == 404
    assert MediaAsset.objects.filter(pk=clip.pk).exists()


def test_a_stock_file_is_served_to_any_creator(client, stranger, stock_picture):
    client.force_login(stranger)
    response = client.get(reverse("assets-file", kwargs={"code": stock_picture.code}))
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")


def test_an_unused_file_is_deleted_with_its_stored_bytes(client, owner, clip, stored_files):
    client.force_login(owner)

    response = client.post(reverse("assets-delete", kwargs={"code": clip.code}))

    assert response.status_code == 302
    assert not MediaAsset.objects.filter(pk=clip.pk).exists()
    assert stored_files() == []


def test_deleting_a_file_in_use_is_refused_with_where_it_is_used(client, owner, clip, make_video, stored_files):
    from videos.services import scene_use_clip

    video = make_video(owner, title="Lighthouse")
    scene_use_clip(scene=video.scenes.get(position=0), asset=clip)
    files = stored_files()
    client.force_login(owner)

    response = client.post(reverse("assets-delete", kwargs={"code": clip.code}))

    assert response.status_code == 409
    assert (
        "This file is still in use as the clip of scene 1 of “Lighthouse”; replace it there first. Nothing was deleted."
        in response.content.decode()
    )
    assert MediaAsset.objects.filter(pk=clip.pk).exists()
    assert stored_files() == files
    listing = client.get(reverse("assets-list")).content.decode()
    assert "Used as the clip of scene 1 of “Lighthouse”." in listing


def test_a_creator_cannot_delete_a_stock_item(client, owner, stock_picture):
    client.force_login(owner)

    response = client.post(reverse("assets-delete", kwargs={"code": stock_picture.code}))

    assert response.status_code == 403
    assert "only staff can remove them" in response.content.decode()
    assert MediaAsset.objects.filter(pk=stock_picture.pk).exists()


def test_a_file_growing_past_the_limit_while_it_arrives_is_refused(client, owner, settings, tmp_path, stored_files):
    # The request says it is small enough (within the envelope allowance); the bytes say otherwise.
    settings.CONTENTIZER_UPLOAD_MAX_BYTES = 300 * 1024
    client.force_login(owner)
    body = upload(sparse_file(tmp_path / "long.wav", 400 * 1024, b"RIFF\x00\x00\x00\x00WAVE"), "long.wav")

    response = client.post(reverse("assets-upload"), {"file": body})

    assert response.status_code == 413
    assert "The file is larger than the limit of 300 KB. Nothing was stored." in response.content.decode()
    assert stored_files() == [] and not MediaAsset.objects.exists()


def test_the_page_needs_a_login(client):
    response = client.get(reverse("assets-list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
