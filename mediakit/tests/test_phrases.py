"""Caption phrases at clause boundaries, balanced caption lines, and language detection."""

from __future__ import annotations

import pytest

from mediakit.phrases import (
    caption_phrases,
    detect_language,
    display_width,
    split_sentences,
    wrap_caption,
)

LONG = (
    "The lighthouse keeper climbed the stairs every evening, counting each step as his father "
    "had taught him, and sailors knew exactly where the rocks were."
)
ARTICLES = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "by", "from", "this", "that", "and"}


def _check_fit(phrases: list[str]) -> None:
    for phrase in phrases:
        lines = wrap_caption(phrase)
        assert 1 <= len(lines) <= 2, phrase
        assert all(display_width(line) <= 42 for line in lines), lines


def test_a_short_sentence_is_one_phrase() -> None:
    assert caption_phrases("The sea was calm.") == ["The sea was calm."]


def test_sentences_are_always_separate_phrases() -> None:
    assert caption_phrases("It rained. Then it stopped! Did it?") == ["It rained.", "Then it stopped!", "Did it?"]


def test_abbreviations_and_decimals_do_not_end_a_sentence() -> None:
    text = "Dr. Smith paid $4.2 million, e.g. in cash. Mr. J. Doe did not."
    assert split_sentences(text) == ["Dr. Smith paid $4.2 million, e.g. in cash.", "Mr. J. Doe did not."]


def test_long_sentences_split_at_commas_and_keep_every_word() -> None:
    phrases = caption_phrases(LONG)
    assert phrases == [
        "The lighthouse keeper climbed the stairs every evening,",
        "counting each step as his father had taught him,",
        "and sailors knew exactly where the rocks were.",
    ]
    assert " ".join(phrases) == LONG
    _check_fit(phrases)


def test_semicolons_and_colons_win_over_commas() -> None:
    text = "Wait, this is important and it cannot wait for tomorrow; listen, the ships came in at night."
    phrases = caption_phrases(text)
    assert phrases[0].endswith("tomorrow;")


def test_without_punctuation_a_phrase_starts_at_a_conjunction_or_relative_word() -> None:
    text = (
        "The old keeper walked slowly up the winding hill every single morning "
        "because the lamp needed oil and the glass needed cleaning before dark"
    )
    phrases = caption_phrases(text)
    assert len(phrases) >= 2
    assert phrases[1].split()[0] in {"because", "and", "before"}
    _check_fit(phrases)


@pytest.mark.parametrize(
    "text",
    [
        "In the beginning of the long and winding road that leads to the old house on the hill there was a gate.",
        "She walked to the end of the pier at the edge of the town with the dog from the house by the sea.",
        "Ships passed the point every night, and sailors knew exactly where the rocks were, because the keeper "
        "never let the lamp go out.",
        "A a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a.",
    ],
)
def test_never_ends_a_phrase_or_a_line_on_an_article_or_preposition(text: str) -> None:
    phrases = caption_phrases(text)
    _check_fit(phrases)
    assert " ".join(phrases) == text
    if not text.startswith("A a"):
        for phrase in phrases:
            for line in wrap_caption(phrase):
                assert line.split()[-1].lower() not in ARTICLES, line


def test_an_over_long_word_is_broken_into_fitting_phrases() -> None:
    word = "x" * 300
    phrases = caption_phrases(f"Look: {word} done.")
    assert "".join(phrases).replace(" ", "").replace("Look:", "").replace("done.", "") == word
    _check_fit(phrases)


def test_cjk_counts_double_width_and_splits_at_its_own_punctuation() -> None:
    text = "中国是世界上人口最多的国家之一，拥有悠久的历史和灿烂的文化，每年吸引数百万游客前来参观。"
    phrases = caption_phrases(text)
    assert "".join(phrases) == text
    assert phrases[0].endswith("，")
    _check_fit(phrases)
    assert display_width("東京") == 4


def test_japanese_lines_break_after_a_particle() -> None:
    lines = wrap_caption("人口は約千四百万人で、世界で最も人口の多い都市圏の一つです。")
    assert lines == ["人口は約千四百万人で、世界で", "最も人口の多い都市圏の一つです。"]


def test_wrap_caption_balances_two_lines() -> None:
    lines = wrap_caption("The quick brown fox jumps over the lazy dog and runs far away")
    assert len(lines) == 2
    assert abs(len(lines[0]) - len(lines[1])) <= 12
    assert wrap_caption("Short.") == ["Short."]


def test_wrap_caption_refuses_what_two_lines_cannot_hold() -> None:
    with pytest.raises(ValueError):
        wrap_caption("word " * 30)


def test_empty_text_has_no_phrases() -> None:
    assert caption_phrases("   ") == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The keeper climbed the stairs every evening.", "en"),
        ("Der Hund ist sehr müde und schläft.", "de"),
        ("Ich bin hier.", "de"),
        ("Le chat est sur la table.", "fr"),
        ("Je suis ici.", "fr"),
        ("El perro está en la casa.", "es"),
        ("Il gatto è sulla tavola.", "it"),
        ("O gato está na mesa.", "pt"),
        ("De hond is in het huis.", "nl"),
        ("Die Hard is a film.", "en"),
        ("Dr. Smith paid, e.g. in cash.", "en"),
        ("Привет, как дела?", "ru"),
        ("Привіт, як справи? Їжак", "uk"),
        ("Γειά σου κόσμε", "el"),
        ("नमस्ते दुनिया", "hi"),
        ("안녕하세요 세계", "ko"),
        ("你好世界", "zh"),
        ("東京は日本の首都です。", "ja"),
        ("こんにちは", "ja"),
        ("שלום עולם", "he"),
        ("مرحبا بكم في برنامجنا", "ar"),
        ("این یک متن فارسی است که", "fa"),
        ("Done! تم الانتهاء من العمل", "ar"),
        ("The word 東京 means eastern capital.", "en"),
        ("สวัสดีครับ", "th"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_undetermined_text_gets_the_default() -> None:
    assert detect_language("Paris", default="fr") == "fr"
    assert detect_language("42 !", default="de") == "de"
    assert detect_language("OK", default="en") == "en"


def test_script_runs_cut_where_the_script_changes() -> None:
    from mediakit.phrases import script_runs

    assert script_runs("The word 東京 means eastern capital.") == [
        ("The word ", None),
        ("東京 ", "zh"),
        ("means eastern capital.", None),
    ]
    assert script_runs("東京は日本の首都です。") == [("東京は日本の首都です。", "ja")]
    assert script_runs("Done! تم الانتهاء 2024") == [("Done! ", None), ("تم الانتهاء 2024", "ar")]
    assert script_runs("Hello world") == [("Hello world", None)]
