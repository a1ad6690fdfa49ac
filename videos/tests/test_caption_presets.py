"""Caption presets: a creator saves a caption style and look under a name (API, the
new-video page) and applies it to new videos (API, page, batch rows, make_video); a bad
one is refused and changes nothing; nobody else can see or use it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.testing import assert_error, token_client
from videos.management.commands.make_video import Command
from videos.models import CaptionPreset, Video
from videos.options import VIDEO_OPTION_DEFAULTS, caption_colour_error
from videos.services import BatchInvalid, batch_create, caption_preset_save
from videos.services.creation import video_create

LOOK = {
    "caption_style": "words",
    "caption_font": "noto_serif",
    "caption_size": 120,
    "caption_color": "#fff4d6",
    "caption_highlight_color": "#00e5ff",
    "caption_background": "box",
    "caption_position": "middle",
}
URL = "/api/v1/caption-presets"


def _look(video: Video) -> dict:
    return {name: getattr(video, name) for name in CaptionPreset.FIELDS}


def test_a_preset_gives_a_new_video_its_style_and_look(owner) -> None:
    caption_preset_save(owner=owner, name="Brand", **LOOK)
    video = video_create(owner=owner, title="T", script="One sentence here.", caption_preset="Brand")
    assert _look(video) == LOOK


def test_saving_a_name_again_replaces_the_preset(owner) -> None:
    caption_preset_save(owner=owner, name="Brand", **LOOK)
    caption_preset_save(owner=owner, name=" Brand ", caption_position="top")
    (preset,) = CaptionPreset.objects.filter(owner=owner)
    assert preset.caption_position == "top" and preset.caption_font == VIDEO_OPTION_DEFAULTS.caption_font


def test_a_bad_preset_is_refused_and_nothing_is_saved(owner) -> None:
    with pytest.raises(ValidationError) as refused:
        caption_preset_save(owner=owner, name="", caption_color="red", caption_size=300, caption_style="neon")
    assert set(refused.value.message_dict) == {"name", "caption_color", "caption_size", "caption_style"}
    assert not CaptionPreset.objects.exists()


def test_another_creators_preset_is_unknown(owner, stranger) -> None:
    caption_preset_save(owner=stranger, name="Theirs", **LOOK)
    with pytest.raises(ValidationError) as refused:
        video_create(owner=owner, title="T", script="One sentence here.", caption_preset="Theirs")
    assert refused.value.message_dict["caption_preset"] == ["You have no caption preset named 'Theirs'."]
    assert not Video.objects.exists()


def test_the_api_saves_lists_applies_and_deletes_a_preset(owner, stranger, django_capture_on_commit_callbacks) -> None:
    api = token_client(owner)
    created = api.post(URL, {"name": "Brand", **LOOK}, format="json")
    assert created.status_code == 201, created.content
    assert {name: created.json()[name] for name in CaptionPreset.FIELDS} == LOOK
    assert api.post(URL, {"name": "Brand", **LOOK, "caption_size": 90}, format="json").status_code == 200
    listed = api.get(URL).json()
    assert [p["name"] for p in listed["results"]] == ["Brand"] and listed["results"][0]["caption_size"] == 90
    assert token_client(stranger).get(URL).json()["results"] == []
    with django_capture_on_commit_callbacks(execute=False):
        made = api.post(
            "/api/v1/videos", {"title": "T", "script": "One here.", "caption_preset": "Brand"}, format="json"
        )
    assert made.status_code == 202, made.content
    assert made.json()["video"]["caption_position"] == "middle" and made.json()["video"]["caption_size"] == 90
    code = created.json()["code"]
    assert_error(token_client(stranger).delete(f"{URL}/{code}"), 404)
    assert api.delete(f"{URL}/{code}").status_code == 204
    assert not CaptionPreset.objects.exists()
    assert Video.objects.get().caption_font == "noto_serif"  # the video keeps its look


def test_the_api_refuses_a_bad_preset_or_an_unknown_name_with_400(owner) -> None:
    api = token_client(owner)
    body = assert_error(api.post(URL, {"name": "B", "caption_color": "white"}, format="json"), 400)
    assert body["details"]["caption_color"] == [caption_colour_error("white")]
    assert_error(api.post(URL, {"name": "B", "caption_shadow": "#000000"}, format="json"), 400)
    assert not CaptionPreset.objects.exists()
    body = assert_error(
        api.post("/api/v1/videos", {"title": "T", "script": "One.", "caption_preset": "Nope"}, format="json"), 400
    )
    assert "caption_preset" in body["details"]
    assert not Video.objects.exists()


def test_a_batch_row_uses_a_preset_and_an_unknown_one_is_named(owner) -> None:
    caption_preset_save(owner=owner, name="Brand", **LOOK)
    with pytest.raises(BatchInvalid) as caught:
        batch_create(owner=owner, rows=[{"script": "One sentence here.", "caption_preset": "Nope"}])
    assert caught.value.message_dict["rows.1.caption_preset"] == ["You have no caption preset named 'Nope'."]
    batch = batch_create(owner=owner, rows=[{"script": "One sentence here.", "caption_preset": "Brand"}])
    assert _look(batch.videos.get()) == LOOK


def test_make_video_takes_a_preset_name() -> None:
    parser = Command().create_parser("manage.py", "make_video")
    assert parser.parse_args(["s.txt", "--caption-preset", "Brand"]).caption_preset == "Brand"


def test_the_new_video_page_saves_and_offers_a_preset(client, owner, django_capture_on_commit_callbacks) -> None:
    client.force_login(owner)
    form = {
        "title": "T",
        "script": "One sentence here.",
        "aspect": "9:16",
        "quality": "480p",
        "fps": 30,
        "voice": VIDEO_OPTION_DEFAULTS.voice,
        "speech_rate": VIDEO_OPTION_DEFAULTS.speech_rate,
        "music": "none",
        "transition": "fade",
        "captions": "on",
        **LOOK,
        "save_caption_preset": "Brand",
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("videos-new"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _look(CaptionPreset.objects.get(owner=owner, name="Brand")) == LOOK
    page = client.get(reverse("videos-new")).content.decode()
    assert '<option value="Brand">Brand</option>' in page
    plain = {**form, "caption_preset": "Brand", "caption_position": "top", "save_caption_preset": ""}
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("videos-new"), plain)
    assert _look(Video.objects.latest("pk")) == LOOK  # the preset's look, not the fields'
    # A refused preset name leaves no video behind.
    before = Video.objects.count()
    refused = client.post(reverse("videos-new"), {**form, "save_caption_preset": "x" * 61})
    assert refused.status_code == 400 and "save_caption_preset" in refused.context["form"].errors
    assert Video.objects.count() == before


def test_staff_see_presets_in_the_admin_read_only(staff_client, owner) -> None:
    preset = caption_preset_save(owner=owner, name="Brand", **LOOK)
    listed = staff_client.get(reverse("admin:videos_captionpreset_changelist"))
    assert listed.status_code == 200 and "Brand" in listed.content.decode()
    page = staff_client.get(reverse("admin:videos_captionpreset_change", args=[preset.pk]))
    assert page.status_code == 200 and "noto_serif" in page.content.decode().replace("Noto Serif", "noto_serif")
    assert staff_client.get(reverse("admin:videos_captionpreset_add")).status_code == 403
