"""What a generated picture shows is stored with its credit, and is not attribution."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assets.generators.base import GeneratedPicture
from videos.credits import attribution, credit_from_generated, credits_text, picture_source, video_credits


def _picture(**kw) -> GeneratedPicture:
    return GeneratedPicture(path=Path("x.png"), width=8, height=8, mime="image/png", cost_usd=Decimal(0), **kw)


def test_a_picture_without_attribution_stores_only_what_it_shows_as_a_list():
    credit = credit_from_generated(_picture(depicts=("lighthouse", "building")), generator="illustrated")
    assert credit == {"depicts": ["lighthouse", "building"]}
    assert attribution(credit) == {}


def test_a_credited_picture_keeps_its_line_and_what_it_shows():
    picture = _picture(credit="Twemoji by Twitter", licence="CC BY 4.0", depicts=("light bulb",))
    credit = credit_from_generated(picture, generator="illustrated")
    assert credit["depicts"] == ["light bulb"]
    assert credit["text"] == "Twemoji by Twitter" and credit["licence"] == "CC BY 4.0"
    assert "depicts" not in attribution(credit)


def test_a_dict_credit_keeps_its_depicts_a_list_not_a_string():
    picture = _picture(credit={"text": "Openclipart", "source": "openclipart"}, depicts=("ship",))
    credit = credit_from_generated(picture, generator="illustrated")
    assert credit["depicts"] == ["ship"] and credit["source"] == "openclipart"


def test_a_picture_with_neither_stores_nothing():
    assert credit_from_generated(_picture(), generator="offline-card") == {}


@pytest.mark.usefixtures("piper_cached")
def test_what_a_picture_shows_does_not_put_it_in_the_credits(owner, make_video):
    video = make_video(owner, script="The lighthouse stands on the cliff.")
    picture = video.scenes.get().picture
    picture.credit = {"depicts": ["lighthouse"]}
    picture.save(update_fields=["credit"])
    assert video_credits(video) == []
    assert "Nothing in this video needs crediting" in credits_text(video)


@pytest.mark.usefixtures("piper_cached")
def test_the_source_is_the_library_the_attribution_names_first(owner, make_video):
    video = make_video(owner, script="The lighthouse stands on the cliff.")
    picture = video.scenes.get().picture
    picture.generator = "illustrated"
    picture.credit = {
        "provider": "illustrated",
        "provider_label": "Illustrations (offline artwork library)",
        "text": "lighthouse by Franck Doucet, Openclipart (public domain); sun by Twitter, Twemoji (CC BY 4.0)",
    }
    assert picture_source(picture) == "openclipart"
    picture.credit = {**picture.credit, "source": "fluent"}
    assert picture_source(picture) == "fluent"
