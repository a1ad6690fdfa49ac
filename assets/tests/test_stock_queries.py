"""Stock search terms from a scene's words."""

from __future__ import annotations

from assets.stock_online.queries import stock_queries_for


def test_a_noun_phrase_comes_first_then_its_broader_words():
    assert stock_queries_for("The lighthouse keeper climbs the stairs at dusk.", limit=3) == [
        "lighthouse keeper",
        "lighthouse",
        "keeper",
    ]


def test_more_places_take_more_phrases_and_words():
    assert stock_queries_for("Mara's old bicycle rusts in the garden shed, beside a broken wheelbarrow.", limit=5) == [
        "broken wheelbarrow",
        "garden shed",
        "wheelbarrow",
        "bicycle",
        "garden",
    ]


def test_a_likely_verb_ends_a_phrase_and_comes_last():
    queries = stock_queries_for("NASA launched rockets.", limit=3)
    assert queries == ["rockets", "nasa", "launched"]


def test_punctuation_breaks_a_phrase():
    # "harbour" and "gulls" are not said together.
    assert "harbour gulls" not in stock_queries_for("The ferry leaves the harbour; gulls follow it.", limit=6)


def test_function_words_style_words_and_numbers_are_never_queries():
    assert stock_queries_for("Cinematic illustration, 4k, of the 3 things we did there.", limit=5) == []


def test_the_limit_is_respected_and_terms_are_distinct():
    queries = stock_queries_for("Waves, waves and more waves crash on rocks; rocks everywhere.", limit=2)
    assert len(queries) == 2
    assert len(set(queries)) == 2


def test_a_limit_of_one_is_the_most_specific_term():
    assert stock_queries_for("A red lighthouse beacon.", limit=1) == ["red lighthouse beacon"]
    assert stock_queries_for("anything", limit=0) == []
