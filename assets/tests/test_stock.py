"""The stock library: staff add tagged items in admin (validated like uploads); scenes of
"stock" videos take the item whose tags best match their words, deterministically."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from assets.models import MediaAsset
from assets.services import stock_asset_create, stock_match, stock_tags_normalise, text_words
from assets.tests.media_files import named, upload
from videos.models import Video

SCRIPT = (
    "The old lighthouse keeper climbs the long spiral stairs slowly every single evening at dusk. "
    "Far below the tower, heavy grey waves break against the sharp black rocks of the harbour. "
    "Inside the small kitchen, a kettle whistles while the cat sleeps beside the warm iron stove."
)


def _stock(staff, media_files, name: str, tags: str) -> MediaAsset:
    return stock_asset_create(staff=staff, upload=upload(media_files[name]), tags=tags)


def test_tags_are_stored_as_lower_case_words_once_each():
    assert stock_tags_normalise("Sea, waves;  Boat sea\tHARBOUR") == "sea waves boat harbour"


def test_matching_ignores_case_plurals_grammar_and_style_words():
    assert text_words("The Waves of the harbours, cinematic illustration") == {"wave", "harbour"}


@pytest.mark.django_db
def test_the_item_sharing_most_words_wins(staff, media_files):
    _stock(staff, media_files, "picture.png", "sea boat")
    waves = _stock(staff, media_files, "picture.jpg", "waves rocks harbour")

    assert stock_match(text="Heavy waves break on the rocks.") == waves


@pytest.mark.django_db
def test_a_tie_goes_to_the_oldest_item(staff, media_files):
    first = _stock(staff, media_files, "picture.png", "kettle stove")
    _stock(staff, media_files, "picture.jpg", "kettle cat")

    assert stock_match(text="A kettle whistles; the cat sleeps by the stove.") == first


@pytest.mark.django_db
def test_no_shared_word_is_no_match(staff, media_files):
    _stock(staff, media_files, "picture.png", "desert camel")
    assert stock_match(text="Heavy waves break on the rocks, cinematic illustration") is None


@pytest.mark.django_db
def test_music_is_never_a_scene_match(staff, media_files):
    _stock(staff, media_files, "sound.mp3", "waves rocks")
    assert stock_match(text="Heavy waves break on the rocks.") is None


@pytest.mark.django_db
def test_a_stock_storyboard_takes_the_best_match_per_scene_and_cards_elsewhere(owner, staff, media_files, make_video):
    keeper = _stock(staff, media_files, "picture.jpg", "lighthouse keeper stairs")
    sea = _stock(staff, media_files, "clip.mp4", "waves rocks harbour sea")

    video = make_video(owner, script=SCRIPT, visuals="stock")

    first, second, third = video.scenes.select_related("picture", "clip").order_by("position")
    assert (first.picture_id, first.clip_id) == (keeper.pk, None)
    assert second.clip_id == sea.pk  # a stock clip, with a card as its picture
    assert (second.picture.source, second.picture.generator) == ("generated", "illustrated")
    assert (third.picture.source, third.clip_id) == ("generated", None)  # nothing matched: a card
    assert video.visuals == Video.Visuals.STOCK
    assert video.status == Video.Status.STORYBOARD
    assert video.jobs.get().actual_cost == 0


@pytest.mark.django_db
def test_deleting_the_video_leaves_the_stock_items(owner, staff, media_files, make_video):
    from videos.services import video_delete

    keeper = _stock(staff, media_files, "picture.jpg", "lighthouse keeper stairs")
    video_delete(video=make_video(owner, script=SCRIPT, visuals="stock"))
    assert MediaAsset.objects.filter(pk=keeper.pk).exists()


# --- admin ----------------------------------------------------------------------------------


def test_staff_add_a_stock_clip_in_admin(client, staff, media_files):
    client.force_login(staff)

    response = client.post(
        reverse("admin:assets_stockitem_add"),
        {"file": upload(media_files["clip.webm"], "Surf.webm"), "tags": "Sea, surf, waves", "label": ""},
    )

    assert response.status_code == 302
    item = MediaAsset.objects.get(source="stock")
    assert (item.kind, item.tags, item.label, item.owner) == ("video", "sea surf waves", "Surf", staff)
    listing = client.get(reverse("admin:assets_stockitem_changelist")).content.decode()
    assert "sea surf waves" in listing


def test_the_admin_form_refuses_a_hostile_file_and_stores_nothing(client, staff, stored_files):
    client.force_login(staff)

    response = client.post(
        reverse("admin:assets_stockitem_add"), {"file": named(b"<svg onload=alert(1)>", "sea.png"), "tags": "sea"}
    )

    assert response.status_code == 400
    assert "SVG drawings are not accepted" in html.unescape(response.content.decode())
    assert not MediaAsset.objects.exists() and stored_files() == []


def test_the_admin_form_needs_tags(client, staff, media_files):
    client.force_login(staff)
    response = client.post(
        reverse("admin:assets_stockitem_add"), {"file": upload(media_files["picture.png"]), "tags": ";;"}
    )
    assert response.status_code == 400
    assert "Give the stock item a few tags" in html.unescape(response.content.decode())
    assert not MediaAsset.objects.exists()


def test_staff_edit_the_tags_of_a_stock_item(client, staff, media_files):
    item = _stock(staff, media_files, "picture.png", "sea")
    client.force_login(staff)

    response = client.post(
        reverse("admin:assets_stockitem_change", args=[item.pk]), {"label": "Open sea", "tags": "Sea, Open water"}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.label, item.tags) == ("Open sea", "sea open water")


def test_a_creator_cannot_reach_the_stock_admin(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:assets_stockitem_add"))
    assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.django_db
def test_the_api_refuses_replicate_visuals_on_a_site_without_a_token(owner, settings):
    from core.testing import assert_error, create_cache_table, token_client

    settings.REPLICATE_API_TOKEN = ""
    create_cache_table()
    response = token_client(owner).post(
        "/api/v1/videos", {"title": "Keeper", "script": SCRIPT, "visuals": "replicate"}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert body["details"]["visuals"] == [
        "AI pictures are not available on this site; choose generated or stock visuals."
    ]
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_the_new_video_form_offers_stock_visuals_and_stock_music(client, owner, staff, media_files, settings):
    settings.REPLICATE_API_TOKEN = ""
    music = _stock(staff, media_files, "sound.mp3", "calm piano")
    client.force_login(owner)

    page = client.get(reverse("videos-new")).content.decode()

    assert 'name="visuals" value="stock"' in page
    assert 'value="replicate"' not in page  # no token on this site
    assert f'value="{music.pk}"' in page and "Calm piano" not in page and "sound (1 s) · stock" in page
