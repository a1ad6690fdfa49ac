"""Word starts from piper's phoneme alignments, and caption words matched to spoken words.
Pure: made-up alignments, no voice."""

from __future__ import annotations

from mediakit.speech_text import normalize_for_speech
from mediakit.word_timing import starts_by_length, token_starts, word_starts_from_alignments


def _alignments(stream: str, samples: int = 100) -> list[tuple[str, int]]:
    """piper-like alignments: "^", each character of the phoneme stream, "$"; every entry
    `samples` long except spaces, which last three times as long (a pause)."""
    out = [("^", samples)]
    out += [(ch, 3 * samples if ch == " " else samples) for ch in stream]
    return [*out, ("$", samples)]


def test_each_word_starts_at_its_first_phoneme_after_a_space() -> None:
    starts = word_starts_from_alignments(["kˈæt", "sˈæt"], _alignments("kˈæt sˈæt"))
    # "^" 100, then k ˈ æ t (400), then the space (300).
    assert starts == [100, 800]


def test_function_words_run_together_by_espeak_are_split_by_their_own_phonemes() -> None:
    # espeak-ng says "of the" as one group "ʌvðə": "the" starts after "ʌv".
    words = ["ˈʌv", "ðˈə", "nˈuː"]
    starts = word_starts_from_alignments(words, _alignments("ʌvðə nˈuː"))
    assert starts == [100, 300, 800]


def test_a_group_that_matches_no_words_gives_no_starts() -> None:
    assert word_starts_from_alignments(["kˈæt"], [("^", 100), ("$", 100)]) is None


def test_a_number_token_starts_with_its_first_spoken_word() -> None:
    tokens = ["paid", "$4.2", "million", "on", "March", "3,", "2024."]
    spoken = "paid four point two million dollars on March third twenty twenty-four".split()
    starts = token_starts(tokens, spoken, [i * 100 for i in range(len(spoken))], normalize_for_speech, end=2000)
    assert starts == [0, 100, 400, 600, 700, 800, 900]


def test_a_token_that_says_nothing_starts_with_the_next_word() -> None:
    tokens = ["Look", "—", "a", "whale", "🐋"]
    spoken = ["Look", "a", "whale"]
    assert token_starts(tokens, spoken, [0, 300, 450], normalize_for_speech, end=900) == [0, 300, 300, 450, 900]


def test_words_without_timing_share_the_span_by_length() -> None:
    assert starts_by_length([1, 3], 1000, 2000) == [1000, 1250]
