"""Scene illustrations: pictograms matched to the words, composed with no text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PIL import ImageChops, ImageStat

from mediakit import config
from mediakit.illustration import (
    ARTWORK_LICENCE,
    artwork_available,
    match_pictograms,
    render_illustration,
)

FERRY = "The ferry leaves the harbour at dawn"
NOTHING = "qwzx blorp vrenk"


def labels(text: str, limit: int = 4) -> list[str]:
    return [p.label for p in match_pictograms(text, limit=limit)]


def test_the_artwork_is_installed_by_setup() -> None:
    # scripts/setup.sh installs it; without it every picture would be a keyword card.
    assert artwork_available()


def test_a_ferry_at_dawn_gets_a_boat_and_a_sunrise() -> None:
    found = labels(FERRY)
    assert found[0] == "ferry"
    assert any("sunrise" in label for label in found)


def test_a_verb_does_not_become_a_thing() -> None:
    # "leaves" is what the ferry does, not foliage.
    assert not any("leaf" in label for label in labels(FERRY))


def test_matching_is_deterministic() -> None:
    assert match_pictograms(FERRY, limit=4) == match_pictograms(FERRY, limit=4)


def test_each_pick_shows_a_word_the_earlier_ones_did_not() -> None:
    picks = match_pictograms("ships, sea, darkness, cinematic illustration", limit=4)
    assert picks[0].label == "ship"
    assert all(set(p.matched) - set(picks[0].matched) for p in picks[1:])


def test_stopwords_and_style_words_match_nothing() -> None:
    assert match_pictograms("the of and with, cinematic illustration", limit=4) == []


def test_british_spelling_and_plurals_match() -> None:
    assert "houses" in labels("two villages by the harbour") or "house" in labels("two villages by the harbour")
    assert {"hot beverage", "beans"} <= set(labels("coffee beans"))


def test_the_same_seed_gives_the_same_pixels() -> None:
    a = render_illustration(prompt=FERRY, width=320, height=180, seed=7, palette_seed="video-1")
    b = render_illustration(prompt=FERRY, width=320, height=180, seed=7, palette_seed="video-1")
    assert a is not None and b is not None
    assert a.image.tobytes() == b.image.tobytes()


def test_another_seed_gives_another_layout() -> None:
    a = render_illustration(prompt=FERRY, width=320, height=180, seed=1, palette_seed="v")
    b = render_illustration(prompt=FERRY, width=320, height=180, seed=2, palette_seed="v")
    assert a.image.tobytes() != b.image.tobytes()


def test_no_words_are_drawn() -> None:
    # Two prompts that match nothing differ only in their words: if any word reached the
    # frame, the frames would differ.
    a = render_illustration(prompt=NOTHING, width=480, height=270, seed=3, palette_seed="v")
    b = render_illustration(prompt="plimb zorquat", width=480, height=270, seed=3, palette_seed="v")
    assert ImageChops.difference(a.image, b.image).getbbox() is None
    # ...and prompts that pick the same pictograms give the same frame whatever else they say.
    c = render_illustration(prompt="ferry, qwzx", width=480, height=270, seed=3, palette_seed="v")
    d = render_illustration(prompt="ferry, blorp", width=480, height=270, seed=3, palette_seed="v")
    assert [p.hexcode for p in c.pictograms] == [p.hexcode for p in d.pictograms]
    assert ImageChops.difference(c.image, d.image).getbbox() is None


def test_a_prompt_that_matches_nothing_still_gets_a_picture() -> None:
    result = render_illustration(prompt=NOTHING, width=480, height=270, seed=3, palette_seed="v")
    assert result is not None
    assert result.pictograms  # a generic tree, house or flower, not an empty sky
    assert max(ImageStat.Stat(result.image).stddev) > 20


@pytest.mark.parametrize(
    ("width", "height"),
    [(854, 480), (1920, 1080), (480, 854), (1080, 1920), (480, 480), (1080, 1080)],
)
def test_every_aspect_and_size_is_a_full_picture(width: int, height: int) -> None:
    result = render_illustration(prompt=FERRY, width=width, height=height, seed=5, palette_seed="v")
    image = result.image
    assert (image.size, image.mode) == ((width, height), "RGB")
    # Not a flat colour: the frame varies, and in each third of its height.
    assert max(ImageStat.Stat(image).stddev) > 25
    for third in range(3):
        band = image.crop((0, third * height // 3, width, (third + 1) * height // 3))
        assert max(ImageStat.Stat(band).stddev) > 4
    assert len(image.getcolors(maxcolors=1 << 20) or ()) > 500


def test_the_credit_names_the_artwork_and_its_licence() -> None:
    result = render_illustration(prompt=FERRY, width=320, height=180, seed=1, palette_seed="v")
    assert "Twemoji" in result.credit and "CC BY 4.0" in result.credit
    assert result.credit.startswith("Pictograms (ferry, ")
    assert result.licence == ARTWORK_LICENCE
    assert result.source_url.startswith("https://")


def test_scenes_of_one_video_share_a_palette() -> None:
    def sky(prompt: str, palette_seed: str) -> tuple[int, ...]:
        image = render_illustration(prompt=prompt, width=320, height=180, seed=9, palette_seed=palette_seed).image
        # The median of the top strip: the sky's colour, whatever sun or cloud is in it.
        return tuple(ImageStat.Stat(image.crop((0, 0, 320, 6))).median)

    one = [sky(p, "video-a") for p in ("ferry", "a red kite", "houses in a village")]
    assert all(max(abs(a - b) for a, b in zip(one[0], other, strict=True)) <= 3 for other in one)
    others = {sky("ferry", f"video-{n}") for n in range(12)}
    assert len(others) > 1


@pytest.fixture
def no_artwork(tmp_path) -> Iterator[None]:
    before = config.current()
    config.configure(artwork_dir=str(tmp_path))
    try:
        yield
    finally:
        config.configure(artwork_dir=before.artwork_dir)


def test_without_the_artwork_it_returns_none(no_artwork) -> None:
    assert match_pictograms(FERRY, limit=3) == []
    assert render_illustration(prompt=FERRY, width=320, height=180, seed=1, palette_seed="v") is None


def test_the_word_after_a_subject_is_read_as_its_verb() -> None:
    # "stores" is what the computer does here, not a department store.
    assert labels("The computer stores data") == ["laptop"]


def test_countries_get_their_flags_and_irregular_plurals_their_singular() -> None:
    assert {"flag: France", "flag: Germany"} <= set(labels("France and Germany signed a treaty"))
    assert "child" in labels("Children play football in the park")
