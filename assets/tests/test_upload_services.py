"""assets.services.asset_ingest_upload: every accepted kind is stored as what its content
is, under a generated owner-scoped name, with its probed facts; refusals store nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError

from assets.models import MediaAsset
from assets.services import asset_ingest_upload, upload_too_large
from assets.tests.media_files import named, png_bomb, truncated, upload
from core.errors import QuotaExceeded
from mediakit.sniff import sniff_media
from quotas.models import Quota

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "kind", "mime", "suffix"),
    [
        ("clip.mp4", "video", "video/mp4", ".mp4"),
        ("clip.mov", "video", "video/quicktime", ".mov"),
        ("clip.webm", "video", "video/webm", ".webm"),
        ("sound.mp3", "audio", "audio/mpeg", ".mp3"),
        ("sound.wav", "audio", "audio/wav", ".wav"),
        ("sound.m4a", "audio", "audio/mp4", ".m4a"),
    ],
)
def test_clips_and_sounds_are_stored_as_what_their_content_is(owner, media_files, name, kind, mime, suffix):
    source = media_files[name]

    asset = asset_ingest_upload(owner=owner, upload=upload(source, f"My Holiday {name}"))

    assert (asset.kind, asset.mime, asset.source) == (kind, mime, "uploaded")
    assert asset.file.name == f"assets/{owner.pk}/{asset.code.hex}{suffix}"
    assert "Holiday" not in asset.file.name
    assert asset.label == "My Holiday clip" if kind == "video" else asset.label == "My Holiday sound"
    assert asset.checksum == hashlib.sha256(source.read_bytes()).hexdigest()
    assert asset.size_bytes == source.stat().st_size
    expected_ms = 1000 if kind == "video" else 1500
    assert abs(asset.duration_ms - expected_ms) <= 80
    if kind == "video":
        assert (asset.width, asset.height, asset.has_audio) == (160, 90, True)


def test_a_silent_clip_is_a_clip_without_sound(owner, media_files):
    asset = asset_ingest_upload(owner=owner, upload=upload(media_files["silent.mp4"]))
    assert (asset.kind, asset.has_audio) == ("video", False)


@pytest.mark.parametrize("name", ["picture.png", "picture.jpg", "picture.webp"])
def test_pictures_are_decoded_and_stored_re_encoded_as_jpeg(owner, media_files, name):
    asset = asset_ingest_upload(owner=owner, upload=upload(media_files[name]))
    assert (asset.kind, asset.mime, asset.width, asset.height) == ("image", "image/jpeg", 64, 36)
    with asset.file.open("rb") as fh:
        assert fh.read(3) == b"\xff\xd8\xff"


def test_a_name_without_an_extension_is_judged_by_content_alone(owner, media_files):
    asset = asset_ingest_upload(owner=owner, upload=upload(media_files["sound.mp3"], "recording"))
    assert (asset.kind, asset.mime) == ("audio", "audio/mpeg")


def test_a_use_that_needs_a_clip_refuses_a_sound_and_stores_nothing(owner, media_files, stored_files):
    with pytest.raises(ValidationError) as caught:
        asset_ingest_upload(owner=owner, upload=upload(media_files["sound.mp3"]), field="clip", kinds=("video",))
    assert caught.value.message_dict["clip"] == [
        "This needs a video clip (MP4, MOV or WebM), but that file is a sound file."
    ]
    assert stored_files() == [] and not MediaAsset.objects.exists()


def test_stock_music_is_stored_as_music(owner, media_files):
    asset = asset_ingest_upload(
        owner=owner, upload=upload(media_files["sound.wav"]), kinds=("music",), source="stock", tags="calm"
    )
    assert (asset.kind, asset.source, asset.tags) == ("music", "stock", "calm")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda f: named(b"", "empty.png"), "The file is empty; nothing was stored."),
        (lambda f: upload(f["picture.png"], "photo.jpg"), "The file is named “.jpg” but holds a PNG picture"),
        (lambda f: upload(f["clip.mp4"], "song.mp3"), "The file is named “.mp3” but holds an MP4/MOV/M4A file"),
        (lambda f: named(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg"), "SVG drawings are not accepted"),
        (lambda f: named(b"<!DOCTYPE html><html><script>1</script>", "page.png"), "That file is a web page (HTML)"),
        (lambda f: named(b"#!/bin/sh\nrm -rf /\n", "song.mp3"), "That file is a script"),
        (lambda f: truncated(f["clip.mp4"]), "That file is damaged or incomplete"),
        (lambda f: truncated(f["clip-faststart.mp4"]), "That file is damaged or incomplete"),
        (lambda f: named(png_bomb(), "bomb.png"), "The picture is 30000x30000 pixels; the limit is 40 megapixels."),
        (lambda f: upload(f["blip.wav"]), "The sound is too short: it must last at least 0.1 s."),
        (lambda f: upload(f["clip.mp4"], "clip.m4a"), "That sound file also holds a picture track"),
        (lambda f: upload(f["sound.m4a"], "clip.mp4"), "That file holds only sound"),
        (lambda f: named(b"\x00\x01binary junk" * 20, "data.bin"), "Contentizer cannot read that file"),
        (lambda f: upload(f["picture.png"], "picture.gif"), "“.gif” files are not accepted"),
    ],
)
def test_a_refused_upload_says_why_and_stores_nothing(owner, media_files, stored_files, job_tmp_root, make, message):
    with pytest.raises(ValidationError) as caught:
        asset_ingest_upload(owner=owner, upload=make(media_files))

    assert message in caught.value.message_dict["file"][0]
    assert stored_files() == []
    assert not MediaAsset.objects.exists()
    assert list(job_tmp_root.iterdir()) == []  # the working copy is gone too


def test_a_file_over_the_limit_is_refused_for_its_size(owner, media_files, settings):
    settings.CONTENTIZER_UPLOAD_MAX_BYTES = 10_000
    with pytest.raises(ValidationError) as caught:
        asset_ingest_upload(owner=owner, upload=upload(media_files["clip.mp4"]))
    assert upload_too_large(caught.value)
    assert caught.value.message_dict["file"] == ["The file is 18.5 KB; the limit is 9.8 KB. Nothing was stored."]
    assert not MediaAsset.objects.exists()


def test_an_upload_over_the_storage_quota_is_refused_and_nothing_is_stored(owner, media_files, stored_files):
    Quota.objects.create(user=owner, storage_bytes=5_000)
    with pytest.raises(QuotaExceeded) as caught:
        asset_ingest_upload(owner=owner, upload=upload(media_files["clip.mp4"]))
    assert "does not fit" in str(caught.value)
    assert stored_files() == [] and not MediaAsset.objects.exists()


@pytest.mark.parametrize(
    ("head", "family"),
    [
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"),
        (b"\x00\x00\x00\x18ftypmp42", "isobmff"),
        (b"\x1a\x45\xdf\xa3", "matroska"),
        (b"ID3\x04", "mp3"),
        (b"\xff\xfb\x90\x00", "mp3"),
        (b"GIF89a", None),
        (b"<svg", None),
        (b"%PDF-1.4", None),
    ],
)
def test_the_first_bytes_name_the_family(head, family):
    assert sniff_media(head) == family
