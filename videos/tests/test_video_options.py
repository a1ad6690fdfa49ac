"""The video options' defaults and the speech-rate rule are one definition, read by every
entry point: the model, the API serializer, the new-video form, the service and the command."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from mediakit.speech import RATE_MAX, RATE_MIN, speech_rate_error
from videos.forms import VideoForm
from videos.management.commands.make_video import Command
from videos.models import Video
from videos.options import VIDEO_OPTION_DEFAULTS
from videos.serializers import VideoCreateSerializer
from videos.services.creation import video_create, video_create_errors

OPTION_NAMES = [f.name for f in dataclasses.fields(VIDEO_OPTION_DEFAULTS)]
RATE_MESSAGE = f"Speech rate must be between {RATE_MIN} and {RATE_MAX} words per minute."


@pytest.mark.parametrize("name", OPTION_NAMES)
def test_the_model_field_defaults_to_the_options_default(name):
    assert Video._meta.get_field(name).default == getattr(VIDEO_OPTION_DEFAULTS, name)


@pytest.mark.parametrize("name", OPTION_NAMES)
def test_the_api_defaults_to_the_options_default(name):
    assert VideoCreateSerializer().fields[name].default == getattr(VIDEO_OPTION_DEFAULTS, name)


@pytest.mark.parametrize("name", OPTION_NAMES)
def test_the_form_starts_at_the_options_default(name, owner):
    assert VideoForm(owner=owner).fields[name].initial == getattr(VIDEO_OPTION_DEFAULTS, name)


@pytest.mark.parametrize("name", [n for n in OPTION_NAMES if n != "captions"])
def test_the_command_defaults_to_the_options_default(name):
    parser = Command().create_parser("manage.py", "make_video")
    flag = {"speech_rate": "rate"}.get(name, name)
    assert parser.get_default(flag) == getattr(VIDEO_OPTION_DEFAULTS, name)


def test_a_video_left_to_its_defaults_gets_them(owner):
    video = video_create(owner=owner, title="T", script="One sentence here.")
    assert {name: getattr(video, name) for name in OPTION_NAMES} == VIDEO_OPTION_DEFAULTS.as_kwargs()


@pytest.mark.parametrize("rate", [RATE_MIN - 1, RATE_MAX + 1])
def test_every_entry_point_words_a_bad_speech_rate_alike(owner, rate):
    assert speech_rate_error(rate) == RATE_MESSAGE
    with pytest.raises(ValidationError) as refused:
        video_create(owner=owner, title="T", script="One sentence.", speech_rate=rate)
    assert refused.value.message_dict["speech_rate"] == [RATE_MESSAGE]
    assert video_create_errors(owner=owner, title="T", script="One sentence.", speech_rate=rate) == {
        "speech_rate": RATE_MESSAGE
    }
    form = VideoForm({"title": "T", "script": "One.", "speech_rate": rate}, owner=owner)
    assert not form.is_valid() and form.errors["speech_rate"] == [RATE_MESSAGE]
    serializer = VideoCreateSerializer(data={"title": "T", "script": "One.", "speech_rate": rate})
    assert not serializer.is_valid() and serializer.errors["speech_rate"] == [RATE_MESSAGE]


@pytest.mark.parametrize("rate", [RATE_MIN, RATE_MAX])
def test_the_ends_of_the_speech_rate_range_are_allowed(rate):
    assert speech_rate_error(rate) == ""
