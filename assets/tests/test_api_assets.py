"""Contract tests for /api/v1/assets: list, upload a picture, retrieve, delete, file."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from assets.models import MediaAsset
from core.testing import assert_error

pytestmark = pytest.mark.usefixtures("cache_table")


URL = "/api/v1/assets"


def _png(width: int = 40, height: int = 30) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 60)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "green.png"
    return buffer


def test_a_picture_is_uploaded_checked_and_stored_as_an_image(api, owner, media_root):
    response = api.post(URL, {"file": _png()}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["source"], body["mime"]) == ("image", "uploaded", "image/jpeg")
    assert (body["width"], body["height"]) == (40, 30)
    asset = MediaAsset.objects.get(code=body["code"])
    assert asset.owner == owner
    assert "green" not in asset.file.name  # no part of the user's file name in the path


def test_an_upload_that_is_not_a_picture_is_refused_and_nothing_is_stored(api, media_root):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "photo.jpg"
    body = assert_error(api.post(URL, {"file": fake}, format="multipart"), 400, "invalid")
    assert "file" in body["details"]
    assert not MediaAsset.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_an_upload_without_a_file_part_is_refused(api):
    body = assert_error(api.post(URL, {"other": "x"}, format="multipart"), 400, "invalid")
    assert "file" in body["details"]


def test_an_upload_as_json_is_a_415(api):
    assert_error(api.post(URL, {"file": "abc"}, format="json"), 415, "unsupported_media_type")


def test_the_eleventh_upload_in_a_minute_is_throttled(api):
    for _ in range(10):
        assert api.post(URL, {"file": _png(8, 8)}, format="multipart").status_code == 201
    response = api.post(URL, {"file": _png(8, 8)}, format="multipart")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert MediaAsset.objects.count() == 10


def test_assets_are_listed_and_filtered_by_kind(api, owner, make_video):
    make_video(owner)  # makes an image and a narration clip
    kinds = sorted(a["kind"] for a in api.get(URL).json()["results"])
    assert kinds == ["audio", "image"]
    only_images = api.get(URL, {"kind": "image"}).json()["results"]
    assert [a["kind"] for a in only_images] == ["image"]
    assert_error(api.get(URL, {"kind": "sculpture"}), 400, "invalid")


def test_an_asset_and_its_file_are_served(api):
    code = api.post(URL, {"file": _png()}, format="multipart").json()["code"]
    assert api.get(f"{URL}/{code}").json()["code"] == code
    response = api.get(f"{URL}/{code}/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_an_unused_asset_is_deleted(api):
    code = api.post(URL, {"file": _png()}, format="multipart").json()["code"]
    assert api.delete(f"{URL}/{code}").status_code == 204
    assert not MediaAsset.objects.filter(code=code).exists()


def test_an_asset_in_use_cannot_be_deleted(api, owner, make_video):
    picture = make_video(owner).scenes.first().picture
    body = assert_error(api.delete(f"{URL}/{picture.code}"), 409, "conflict")
    assert "still in use as the picture of scene 1" in body["message"]
    assert MediaAsset.objects.filter(pk=picture.pk).exists()


# --- clips, sounds and the stock library -----------------------------------------------------


@pytest.fixture
def stock_music(staff, media_files):
    from assets.services import stock_asset_create
    from assets.tests.media_files import upload

    return stock_asset_create(staff=staff, upload=upload(media_files["sound.mp3"], "Calm piano.mp3"), tags="calm piano")


def test_a_clip_is_uploaded_and_described(api, media_files):
    from assets.tests.media_files import upload

    response = api.post(URL, {"file": upload(media_files["clip.mov"], "Sunset.mov")}, format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["mime"], body["width"], body["height"]) == ("video", "video/quicktime", 160, 90)
    assert body["has_audio"] is True and body["label"] == "Sunset"
    assert 950 <= body["duration_ms"] <= 1100


def test_a_sound_is_uploaded_as_audio(api, media_files):
    from assets.tests.media_files import upload

    body = api.post(URL, {"file": upload(media_files["sound.wav"])}, format="multipart").json()
    assert (body["kind"], body["mime"]) == ("audio", "audio/wav")


def test_the_stock_library_is_listed_for_every_creator(api, stock_music):
    mine = api.get(URL).json()["results"]
    stock = api.get(URL, {"source": "stock"}).json()["results"]
    assert mine == []
    assert [(a["code"], a["kind"], a["tags"]) for a in stock] == [(str(stock_music.code), "music", "calm piano")]
    assert api.get(f"{URL}/{stock_music.code}").status_code == 200


def test_a_creator_cannot_delete_a_stock_item(api, stock_music):
    body = assert_error(api.delete(f"{URL}/{stock_music.code}"), 403, "permission_denied")
    assert "only staff can remove them" in body["message"]
    assert MediaAsset.objects.filter(pk=stock_music.pk).exists()


def test_the_refusal_to_delete_a_used_asset_names_where_it_is_used(api, owner, make_video):
    video = make_video(owner, title="Harbour")
    picture = video.scenes.get(position=0).picture
    body = assert_error(api.delete(f"{URL}/{picture.code}"), 409, "conflict")
    assert body["message"] == (
        "This file is still in use as the picture of scene 1 of “Harbour”; replace it there first. Nothing was deleted."
    )


def test_a_file_comes_with_nosniff_and_an_inline_generated_name(api, media_files):
    from assets.tests.media_files import upload

    code = api.post(URL, {"file": upload(media_files["sound.mp3"], "secret-name.mp3")}, format="multipart").json()[
        "code"
    ]
    response = api.get(f"{URL}/{code}/file")
    assert response["Content-Type"] == "audio/mpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="audio-{code.replace("-", "")[:8]}.mp3"'
