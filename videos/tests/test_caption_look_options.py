"""The caption look options (font, size, text and highlight colour, outline or box,
position): one default and one wording each, taken by the form, the API, make_video and
batch rows, and refused with a clear error that changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.testing import assert_error, token_client
from mediakit.caption_images import CAPTION_BACKGROUNDS, CAPTION_FONTS, CAPTION_POSITIONS, CaptionLook
from videos.forms import VideoForm
from videos.management.commands.make_video import Command
from videos.models import Video
from videos.options import VIDEO_OPTION_DEFAULTS, caption_colour_error, caption_size_error
from videos.serializers import VideoCreateSerializer
from videos.services import BatchInvalid, batch_create
from videos.services.batches import batch_create_from_file
from videos.services.creation import video_create

LOOK = {
    "caption_font": "noto_serif",
    "caption_size": 125,
    "caption_color": "#ff3300",
    "caption_highlight_color": "#00e5ff",
    "caption_background": "box",
    "caption_position": "top",
}
FIELDS = tuple(LOOK)
COLOUR_MESSAGE = caption_colour_error("red")
SIZE_MESSAGE = caption_size_error(151)


def test_the_choices_are_the_ones_the_media_layer_draws() -> None:
    assert set(Video.CaptionFont.values) == set(CAPTION_FONTS)
    assert set(Video.CaptionBackground.values) == set(CAPTION_BACKGROUNDS)
    assert set(Video.CaptionPosition.values) == set(CAPTION_POSITIONS)
    # The defaults are the style as it was: a look that changes nothing.
    assert (
        CaptionLook(
            font=VIDEO_OPTION_DEFAULTS.caption_font,
            size_percent=VIDEO_OPTION_DEFAULTS.caption_size,
            color=VIDEO_OPTION_DEFAULTS.caption_color,
            highlight_color=VIDEO_OPTION_DEFAULTS.caption_highlight_color,
            background=VIDEO_OPTION_DEFAULTS.caption_background,
        )
        == CaptionLook()
    )


def test_every_entry_point_has_the_one_default() -> None:
    parser = Command().create_parser("manage.py", "make_video")
    parsed = parser.parse_args(["s.txt"])
    serializer = VideoCreateSerializer()
    for name in FIELDS:
        default = getattr(VIDEO_OPTION_DEFAULTS, name)
        assert Video._meta.get_field(name).default == default, name
        assert getattr(parsed, name) == default, name
        assert serializer.fields[name].default == default, name
        assert VideoForm.base_fields[name].initial == default, name


def test_the_wordings_say_what_is_accepted() -> None:
    assert caption_colour_error("#FFd600") == caption_colour_error("") == ""
    for bad in ("red", "#ff330", "#ff33000", "ff3300", "#gg0000", None, 3):
        assert caption_colour_error(bad) == COLOUR_MESSAGE
    assert caption_size_error(75) == caption_size_error(150) == ""
    for bad in (74, 151, True, "100", 100.0):
        assert caption_size_error(bad) == SIZE_MESSAGE == "Caption size must be a whole percentage between 75 and 150."


def test_the_service_keeps_the_look_and_refuses_a_bad_one(owner) -> None:
    video = video_create(owner=owner, title="T", script="One sentence here.", **LOOK)
    video.refresh_from_db()
    assert {name: getattr(video, name) for name in FIELDS} == LOOK
    before = Video.objects.count()
    with pytest.raises(ValidationError) as refused:
        video_create(
            owner=owner,
            title="T",
            script="One sentence here.",
            caption_font="comic_sans",
            caption_size=200,
            caption_color="red",
            caption_highlight_color="#12345",
            caption_background="shadow",
            caption_position="left",
        )
    errors = refused.value.message_dict
    assert errors["caption_color"] == errors["caption_highlight_color"] == [COLOUR_MESSAGE]
    assert errors["caption_size"] == [SIZE_MESSAGE]
    assert "comic_sans" in errors["caption_font"][0] and "noto_serif" in errors["caption_font"][0]
    assert "shadow" in errors["caption_background"][0] and "left" in errors["caption_position"][0]
    assert Video.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("caption_color", "red", COLOUR_MESSAGE),
        ("caption_highlight_color", "#ff33", COLOUR_MESSAGE),
        ("caption_size", 151, SIZE_MESSAGE),
        ("caption_size", 74, SIZE_MESSAGE),
        ("caption_font", "comic_sans", None),
        ("caption_position", "left", None),
        ("caption_background", "shadow", None),
        ("caption_shadow", "#000000", None),
    ],
)
def test_the_api_refuses_a_bad_look_with_400_and_creates_nothing(owner, field, value, message) -> None:
    api = token_client(owner)
    response = api.post("/api/v1/videos", {"title": "T", "script": "One sentence here.", field: value}, format="json")
    body = assert_error(response, 400)
    assert field in body["details"], body
    if message:
        assert body["details"][field] == [message]
    assert not Video.objects.filter(owner=owner).exists()


def test_the_api_takes_and_shows_the_look(owner, django_capture_on_commit_callbacks) -> None:
    api = token_client(owner)
    with django_capture_on_commit_callbacks(execute=False):
        created = api.post("/api/v1/videos", {"title": "T", "script": "One sentence here.", **LOOK}, format="json")
    assert created.status_code == 202, created.content
    shown = created.json()["video"]
    assert {name: shown[name] for name in FIELDS} == LOOK
    again = api.get(f"/api/v1/videos/{shown['code']}")
    assert {name: again.json()[name] for name in FIELDS} == LOOK


def test_the_form_refuses_a_bad_colour_and_size_and_passes_a_good_look(owner) -> None:
    form = VideoForm(
        {"title": "T", "script": "One.", "caption_color": "white", "caption_size": 40, "caption_position": "left"},
        owner=owner,
    )
    assert not form.is_valid()
    assert form.errors["caption_color"] == [COLOUR_MESSAGE]
    assert form.errors["caption_size"] == [SIZE_MESSAGE]
    assert "caption_position" in form.errors
    base = {"title": "T", "script": "One.", "aspect": "9:16", "quality": "480p", "fps": 30, "voice": "joe"}
    base |= {"speech_rate": VIDEO_OPTION_DEFAULTS.speech_rate, "music": "none", "caption_style": "words"}
    base |= {"transition": "fade", "voice": VIDEO_OPTION_DEFAULTS.voice}
    form = VideoForm({**base, **LOOK}, owner=owner)
    assert form.is_valid(), form.errors
    kwargs = form.service_kwargs(project=None)
    assert {name: kwargs[name] for name in FIELDS} == LOOK
    # Left out, each is its one default.
    form = VideoForm(base, owner=owner)
    assert form.is_valid(), form.errors
    kwargs = form.service_kwargs(project=None)
    assert {name: kwargs[name] for name in FIELDS} == {name: getattr(VIDEO_OPTION_DEFAULTS, name) for name in FIELDS}


def test_a_batch_row_takes_the_look_and_a_bad_one_is_named(owner) -> None:
    rows = [{"script": "One sentence here.", **LOOK, "caption_color": "#ff330g", "caption_size": 151}]
    with pytest.raises(BatchInvalid) as caught:
        batch_create(owner=owner, rows=rows)
    assert caught.value.message_dict["rows.1.caption_color"] == [COLOUR_MESSAGE]
    assert caught.value.message_dict["rows.1.caption_size"] == [SIZE_MESSAGE]
    assert not Video.objects.filter(owner=owner).exists()
    batch = batch_create(owner=owner, rows=[{"script": "One sentence here.", **LOOK}, {"script": "Another one."}])
    made = list(batch.videos.order_by("pk"))
    assert {name: getattr(made[0], name) for name in FIELDS} == LOOK
    assert made[1].caption_position == "bottom" and made[1].caption_color == ""


def test_a_csv_batch_row_takes_the_look(owner) -> None:
    header = "script," + ",".join(FIELDS)
    line = '"One sentence here.",' + ",".join(str(LOOK[name]) for name in FIELDS)
    batch = batch_create_from_file(owner=owner, data=f"{header}\n{line}\n".encode(), filename="b.csv")
    video = batch.videos.get()
    assert {name: getattr(video, name) for name in FIELDS} == LOOK
