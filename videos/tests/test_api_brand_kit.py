"""The brand kit over the API: set, changed, refused as a whole with clear errors, the logo
uploaded and checked; nobody else can read or change it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets.models import MediaAsset
from core.testing import assert_error, token_client
from mediakit import brand
from videos.models import BrandKit
from videos.services import caption_preset_save

URL = "/api/v1/brand-kit"
LOGO_URL = "/api/v1/brand-kit/logo"
KIT = {
    "logo_corner": "bottom-left",
    "logo_size": 20,
    "logo_opacity": 70,
    "font": "noto_serif",
    "highlight_color": "#ff2d6f",
    "card_background": "#0b1f3a",
    "card_text_color": "#ffffff",
    "accent_color": "#ff2d6f",
    "intro_title": "Harbour Stories: {title}",
    "intro_line": "A film by Olive",
    "intro_ms": 2000,
    "outro_title": "Thanks for watching",
    "outro_line": "Subscribe",
    "outro_ms": 2500,
}


def _png(size=(200, 100), colour=(230, 40, 90, 255), name="logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_new_account_reads_the_defaults_and_no_kit(owner) -> None:
    body = token_client(owner).get(URL).json()
    assert body["exists"] is False
    assert body["logo"] is None and body["intro_title"] == ""


def test_put_sets_the_whole_kit_and_get_reads_it_back(owner) -> None:
    client = token_client(owner)
    response = client.put(URL, KIT, format="json")
    assert response.status_code == 200, response.content
    body = client.get(URL).json()
    assert body["exists"] is True
    assert {name: body[name] for name in KIT} == KIT


def test_patch_changes_only_what_it_names(owner) -> None:
    client = token_client(owner)
    client.put(URL, KIT, format="json")
    body = client.patch(URL, {"logo_corner": "top-left"}, format="json").json()
    assert body["logo_corner"] == "top-left" and body["intro_title"] == KIT["intro_title"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"card_background": "navy"}, "card_background", "#rrggbb"),
        ({"highlight_color": "#12345"}, "highlight_color", "#rrggbb"),
        ({"font": "comic_sans"}, "font", "Unknown font"),
        ({"logo_corner": "middle"}, "logo_corner", "Unknown corner"),
        ({"intro_title": "x" * (brand.CARD_TITLE_MAX_CHARS + 1)}, "intro_title", "at most 60"),
        ({"intro_title": "Hello\x07there"}, "intro_title", "one line"),
        ({"outro_ms": 60_000}, "outro_ms", "1000 to 6000"),
        ({"logo_size": 90}, "logo_size", "8 to 40"),
        ({"card_text_color": "#0c1f3a"}, "card_text_color", "hard to read"),
    ],
)
def test_a_bad_setting_is_refused_in_words_and_changes_nothing(owner, change, field, words) -> None:
    client = token_client(owner)
    client.put(URL, KIT, format="json")
    before = client.get(URL).json()
    body = assert_error(client.patch(URL, {"intro_line": "Changed", **change}, format="json"), 400)
    assert field in body["details"] and words in " ".join(body["details"][field])
    assert client.get(URL).json() == before


def test_an_unknown_setting_is_named(owner) -> None:
    body = assert_error(token_client(owner).patch(URL, {"colour": "#ffffff"}, format="json"), 400)
    assert "colour" in body["details"]


def test_the_kit_can_point_to_ones_own_caption_preset_only(owner, stranger) -> None:
    mine = caption_preset_save(owner=owner, name="Mine", caption_font="noto_sans")
    theirs = caption_preset_save(owner=stranger, name="Theirs")
    client = token_client(owner)
    assert client.patch(URL, {"caption_preset": str(mine.code)}, format="json").json()["caption_preset"] == str(
        mine.code
    )
    body = assert_error(client.patch(URL, {"caption_preset": str(theirs.code)}, format="json"), 400)
    assert "caption_preset" in body["details"]


def test_a_logo_is_uploaded_as_a_transparent_png(owner) -> None:
    client = token_client(owner)
    body = client.put(LOGO_URL, {"logo": _png(colour=(230, 40, 90, 128))}, format="multipart").json()
    assert body["logo"]["width"] == 200 and body["logo"]["height"] == 100
    asset = MediaAsset.objects.get(code=body["logo"]["code"])
    assert asset.owner == owner and asset.mime == "image/png"
    with asset.file.open("rb") as handle, Image.open(handle) as stored:
        assert stored.mode == "RGBA" and stored.getpixel((10, 10))[3] == 128


def test_a_new_logo_replaces_the_old_one_and_deletes_it(owner) -> None:
    client = token_client(owner)
    first = client.put(LOGO_URL, {"logo": _png()}, format="multipart").json()["logo"]["code"]
    client.put(LOGO_URL, {"logo": _png(size=(120, 120))}, format="multipart")
    assert not MediaAsset.objects.filter(code=first).exists()
    assert MediaAsset.objects.filter(owner=owner).count() == 1


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'), "SVG"),
        (SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200), "not a picture"),
        (SimpleUploadedFile("logo.png", b""), "empty"),
    ],
)
def test_a_bad_logo_is_refused_and_changes_nothing(owner, upload, words) -> None:
    client = token_client(owner)
    kept = client.put(LOGO_URL, {"logo": _png()}, format="multipart").json()["logo"]["code"]
    body = assert_error(client.put(LOGO_URL, {"logo": upload}, format="multipart"), 400)
    assert words in " ".join(body["details"]["logo"])
    assert client.get(URL).json()["logo"]["code"] == kept
    assert MediaAsset.objects.filter(owner=owner).count() == 1


def test_an_oversized_logo_is_a_413_and_stores_nothing(owner) -> None:
    big = _png(size=(1, 1)).read() + b"\x00" * (brand.LOGO_MAX_BYTES + 1)
    response = token_client(owner).put(LOGO_URL, {"logo": SimpleUploadedFile("logo.png", big)}, format="multipart")
    assert_error(response, 413)
    assert not MediaAsset.objects.exists() and not BrandKit.objects.exists()


def test_another_user_reads_and_changes_only_their_own_kit(owner, stranger) -> None:
    token_client(owner).put(URL, KIT, format="json")
    token_client(owner).put(LOGO_URL, {"logo": _png()}, format="multipart")
    theirs = token_client(stranger)
    assert theirs.get(URL).json()["exists"] is False
    theirs.patch(URL, {"intro_title": "Not yours"}, format="json")
    theirs.delete(LOGO_URL)
    theirs.delete(URL)
    kit = BrandKit.objects.get(owner=owner)
    assert kit.intro_title == KIT["intro_title"] and kit.logo is not None
    assert not BrandKit.objects.filter(owner=stranger).exists()  # they deleted their own


def test_a_video_switch_is_the_owners_alone(owner, stranger, make_video) -> None:
    video = make_video(owner)
    url = f"/api/v1/videos/{video.code}/brand-kit"
    assert token_client(owner).get(url).json() == {"brand_kit": True}
    assert_error(token_client(stranger).put(url, {"brand_kit": False}, format="json"), 404)
    assert token_client(owner).put(url, {"brand_kit": False}, format="json").json() == {"brand_kit": False}
    video.refresh_from_db()
    assert video.brand_kit is False
    assert token_client(owner).get(f"/api/v1/videos/{video.code}").json()["brand_kit"] is False


def test_logged_out_clients_are_refused(client) -> None:
    assert client.get(URL).status_code in (401, 403)


def test_the_logo_cannot_be_deleted_from_the_library_while_the_kit_shows_it(owner) -> None:
    client = token_client(owner)
    code = client.put(LOGO_URL, {"logo": _png()}, format="multipart").json()["logo"]["code"]
    body = assert_error(client.delete(f"/api/v1/assets/{code}"), 409)
    assert "the logo of your brand kit" in body["message"]
    assert MediaAsset.objects.filter(code=code).exists()
