"""Caption breaks at linguistic boundaries (BBC subtitle guidelines): never between a number
and its unit, scale or currency, inside a date or a number said in words, after an article
or a preposition; a name only when nothing else fits. Lines, phrases and 9:16 pages alike."""

from __future__ import annotations

import pytest
from PIL import Image

from mediakit.caption_images import caption_pages, render_caption_frames, render_caption_png
from mediakit.phrases import caption_phrases, phrase_break_cost, wrap_caption

NEVER = [
    ("$4.2", "million"),
    ("4.2", "billion"),
    ("20%", "off"),
    ("12", "km"),
    ("3", "pm"),
    ("40", "percent"),
    ("March", "3,"),
    ("3,", "2024"),
    ("3rd,", "2024,"),
    ("May", "2024"),
    ("3", "March"),
    ("one", "hundred"),
    ("hundred", "and"),
    ("and", "twelve"),
    ("twenty", "five"),
    ("$", "5"),
    ("the", "bridge"),
    ("of", "the"),
    ("Dr.", "Smith"),
]
ALLOWED = [
    ("2024,", "after"),
    ("million,", "and"),
    ("bridge", "over"),
    ("boats", "in"),
    ("off,", "including"),
]


@pytest.mark.parametrize(("left", "right"), NEVER)
def test_a_caption_never_breaks_inside_a_unit_of_meaning(left: str, right: str) -> None:
    assert phrase_break_cost(left, right) is None


@pytest.mark.parametrize(("left", "right"), ALLOWED)
def test_a_caption_may_break_between_clauses_and_plain_words(left: str, right: str) -> None:
    assert phrase_break_cost(left, right) is not None


def test_a_break_inside_a_name_costs_more_than_between_plain_words() -> None:
    assert phrase_break_cost("Marie", "Curie") > phrase_break_cost("quiet", "harbour")


SENTENCES = [
    ("The bridge opened on March 3, 2024, after years of delays and a long fight.", ["March 3, 2024"]),
    ("The city paid $4.2 million for the bridge and the roads that lead to it.", ["$4.2 million"]),
    ("Everything in the store is 20% off this weekend, including the coats.", ["20% off"]),
    ("She counted one hundred and twelve boats in the harbour before the storm.", ["one hundred and twelve"]),
    ("The race is 42 km long and starts at 9 am on the 3rd of June in Paris.", ["42 km", "9 am"]),
]


@pytest.mark.parametrize(("text", "units"), SENTENCES)
@pytest.mark.parametrize("line_chars", [24, 30, 42])
def test_phrases_and_lines_keep_units_whole(text: str, units: list[str], line_chars: int) -> None:
    lines = [
        line
        for phrase in caption_phrases(text, max_chars=2 * line_chars, line_chars=line_chars)
        for line in wrap_caption(phrase, line_chars)
    ]
    for unit in units:
        assert any(unit in line for line in lines), (unit, lines)


@pytest.mark.parametrize(("text", "units"), SENTENCES)
@pytest.mark.parametrize("style", ["words", "classic"])
def test_portrait_pages_keep_units_whole(text: str, units: list[str], style: str) -> None:
    pages = [" ".join(word for word, _ in page) for page in caption_pages(text, width=720, height=1280, style=style)]
    assert " ".join(pages) == text  # every word, in order, once
    for unit in units:
        assert any(unit in page for page in pages), (unit, pages)


@pytest.mark.parametrize(("width", "height"), [(720, 720), (720, 1280)])
def test_a_long_phrase_is_paged_at_one_size_not_shrunk(tmp_path, width: int, height: int) -> None:
    phrase = "The keeper climbed the long spiral stairs at dusk, as he did every night of his long life."
    frames = render_caption_frames(
        phrase, (), start_ms=0, end_ms=4000, width=width, height=height, style="classic", out_dir=tmp_path, prefix="p"
    )
    assert len(frames) >= 2 and [at for _p, at in frames] == sorted(at for _p, at in frames)
    short = tmp_path / "short.png"
    render_caption_png("The keeper\nclimbed", width=width, height=height, style="classic", out_path=short)
    one_size_two_lines = Image.open(short).height
    # Every page is at most two lines of the style's own size: no smaller letters, no third line.
    assert all(Image.open(path).height <= one_size_two_lines for path, _at in frames)
