"""The brand kit's page in the account area, its previews, and its panel on a storyboard."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets.models import MediaAsset
from videos.models import BrandKit
from videos.services.brand_kit import brand_kit_logo_set, brand_kit_update

PAGE = "/account/brand-kit/"
FORM = {
    "logo_corner": "top-right",
    "logo_size": "16",
    "logo_opacity": "80",
    "font": "noto_sans",
    "highlight_color": "#ff2d6f",
    "caption_preset": "",
    "card_background": "#0b1f3a",
    "card_text_color": "#ffffff",
    "accent_color": "#ff2d6f",
    "intro_title": "Harbour Stories: {title}",
    "intro_line": "A film by Olive",
    "intro_ms": "2000",
    "outro_title": "Thanks for watching",
    "outro_line": "Subscribe",
    "outro_ms": "2500",
}


def _png(size=(200, 100), name="logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 200, 0, 255)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_the_page_is_in_the_account_menu_and_shows_the_form(owner_client) -> None:
    page = owner_client.get(PAGE).content.decode()
    assert 'data-testid="brand-kit-form"' in page and 'href="/account/brand-kit/"' in page
    assert 'data-testid="no-logo"' in page


def test_saving_the_form_with_a_logo_sets_the_kit(owner_client, owner) -> None:
    response = owner_client.post(PAGE, {**FORM, "logo": _png()})
    assert response.status_code == 302
    kit = BrandKit.objects.get(owner=owner)
    assert kit.intro_title == FORM["intro_title"] and kit.logo_size == 16 and kit.font == "noto_sans"
    assert (kit.logo.width, kit.logo.height) == (200, 100)
    page = owner_client.get(PAGE).content.decode()
    assert 'data-testid="preview-intro"' in page and 'data-testid="preview-logo"' in page


def test_a_bad_colour_is_shown_on_its_field_and_nothing_is_saved(owner_client, owner) -> None:
    brand_kit_update(owner=owner, intro_title="Kept")
    response = owner_client.post(PAGE, {**FORM, "card_background": "navy", "logo": _png()})
    assert response.status_code == 400
    assert "#rrggbb" in response.content.decode()
    kit = BrandKit.objects.get(owner=owner)
    assert kit.intro_title == "Kept" and kit.logo is None
    assert not MediaAsset.objects.exists()


def test_a_bad_logo_keeps_the_settings_unchanged_too(owner_client, owner) -> None:
    brand_kit_update(owner=owner, intro_title="Kept")
    svg = SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    response = owner_client.post(PAGE, {**FORM, "logo": svg})
    assert response.status_code == 400 and "SVG" in response.content.decode()
    assert BrandKit.objects.get(owner=owner).intro_title == "Kept"


def test_the_card_preview_is_a_picture_of_the_card(owner_client, owner) -> None:
    brand_kit_update(owner=owner, intro_title="Hello", card_background="#0b1f3a")
    response = owner_client.get("/account/brand-kit/intro.png")
    assert response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (854, 480) and image.getpixel((3, 3))[:3] == (11, 31, 58)
    assert owner_client.get("/account/brand-kit/outro.png").status_code == 404  # no outro title


def test_the_storyboard_shows_the_kit_and_its_switch(owner_client, owner, make_video) -> None:
    brand_kit_update(owner=owner, intro_title="{title}")
    brand_kit_logo_set(owner=owner, upload=_png())
    video = make_video(owner)
    assert f"/videos/{video.code}/brand/" in owner_client.get(f"/videos/{video.code}/storyboard/").content.decode()
    panel = owner_client.get(f"/videos/{video.code}/brand/").content.decode()
    assert "renders with your brand kit" in panel
    assert 'data-testid="brand-preview-intro"' in panel and 'data-testid="brand-preview-logo"' in panel
    logo = owner_client.get(f"/videos/{video.code}/brand/logo.png")
    with Image.open(io.BytesIO(logo.content)) as image:
        assert image.size == (854, 480)
        # The logo's green in the top-right corner, over the first scene's picture.
        r, g, b = image.convert("RGB").getpixel((854 - 24 - 30, 24 + 15))
        assert g > 150 and r < 80 and b < 80
    owner_client.post(f"/videos/{video.code}/brand/switch/", {"brand_kit": "off"})
    video.refresh_from_db()
    assert video.brand_kit is False
    assert "renders without your brand kit" in owner_client.get(f"/videos/{video.code}/brand/").content.decode()


def test_a_stranger_sees_nothing_of_anothers_video_brand(client, owner, stranger, make_video) -> None:
    brand_kit_update(owner=owner, intro_title="Mine")
    video = make_video(owner)
    client.force_login(stranger)
    for url in (f"/videos/{video.code}/brand/", f"/videos/{video.code}/brand/intro.png"):
        assert client.get(url).status_code == 404
    assert client.post(f"/videos/{video.code}/brand/switch/", {"brand_kit": "off"}).status_code == 404
    assert client.get("/account/brand-kit/intro.png").status_code == 404  # they have no kit
    video.refresh_from_db()
    assert video.brand_kit is True


def test_staff_see_a_creators_kit_in_the_admin_read_only(staff_client, owner) -> None:
    kit = brand_kit_update(owner=owner, intro_title="Harbour Stories")
    listing = staff_client.get("/admin/videos/brandkit/").content.decode()
    assert "Harbour Stories" in listing and owner.username in listing
    page = staff_client.get(f"/admin/videos/brandkit/{kit.pk}/change/")
    assert page.status_code == 200 and "Harbour Stories" in page.content.decode()
    assert staff_client.post(f"/admin/videos/brandkit/{kit.pk}/change/", {"intro_title": "X"}).status_code == 403
