"""The speech normaliser: what the narrator says for what the script writes."""

from __future__ import annotations

import pytest

from mediakit.speech_text import normalize_for_speech, number_words, ordinal_words, year_words

CASES: list[tuple[str, str]] = [
    # currency
    ("It cost $4.2 million.", "It cost four point two million dollars."),
    ("$5", "five dollars"),
    ("$1", "one dollar"),
    ("$3.50", "three dollars and fifty cents"),
    ("$0.99", "ninety-nine cents"),
    ("$1,000,000", "one million dollars"),
    ("$2bn deal", "two billion dollars deal"),
    ("$3k", "three thousand dollars"),
    ("£20", "twenty pounds"),
    ("£1.01", "one pound and one penny"),
    ("€15", "fifteen euros"),
    ("€2.5 billion", "two point five billion euros"),
    # plain numbers, decimals, big numbers
    ("42", "forty-two"),
    ("0", "zero"),
    ("100", "one hundred"),
    ("3.14", "three point one four"),
    ("1,234,567", "one million two hundred thirty-four thousand five hundred sixty-seven"),
    ("12,000 people", "twelve thousand people"),
    ("-5 points", "minus five points"),
    ("code 007", "code zero zero seven"),
    ("pages 10-20", "pages ten to twenty"),
    ("1/2 of it", "one half of it"),
    ("3/4 of it", "three quarters of it"),
    ("2x faster", "two times faster"),
    # years and decades
    ("In 1990 it rained.", "In nineteen ninety it rained."),
    ("since 2007", "since two thousand seven"),
    ("in 1905", "in nineteen oh five"),
    ("by 2024", "by twenty twenty-four"),
    ("in 1900", "in nineteen hundred"),
    ("in 2000", "in two thousand"),
    ("1990 was good", "nineteen ninety was good"),
    ("44 BC", "forty-four BC"),
    ("the 1990s", "the nineteen nineties"),
    ("the '90s", "the nineties"),
    ("the 1900s", "the nineteen hundreds"),
    ("the 2000s", "the two thousands"),
    ("in her 20s", "in her twenties"),
    # ordinals
    ("1st", "first"),
    ("2nd place", "second place"),
    ("3rd", "third"),
    ("22nd", "twenty-second"),
    ("100th", "one hundredth"),
    ("the 12th man", "the twelfth man"),
    # times
    ("at 3:30 p.m.", "at three thirty PM."),  # its dot also ended the sentence
    ("at 14:05", "at fourteen oh five"),
    ("at 9am", "at nine AM"),
    ("at 7:00", "at seven o'clock"),
    ("at 10:15 AM", "at ten fifteen AM"),
    # dates
    ("March 3, 2024", "March third, twenty twenty-four"),
    ("on 3/4/2024", "on March fourth, twenty twenty-four"),
    ("Jan. 5th", "January fifth"),
    ("July 4", "July fourth"),
    # percentages
    ("45%", "forty-five percent"),
    ("4.5 percent", "four point five percent"),
    ("up 12.5%", "up twelve point five percent"),
    # units
    ("5 km", "five kilometers"),
    ("1 km", "one kilometer"),
    ("12 mph", "twelve miles per hour"),
    ("20 kg", "twenty kilograms"),
    ("30 °C", "thirty degrees Celsius"),
    ("30°C", "thirty degrees Celsius"),
    ("1 mi", "one mile"),
    ("26.2 mi", "twenty-six point two miles"),
    ("100 km/h", "one hundred kilometers per hour"),
    ("500 ml", "five hundred milliliters"),
    ("16 GB", "sixteen gigabytes"),
    # abbreviations
    ("Dr. Smith", "Doctor Smith"),
    ("Elm Dr.", "Elm Drive."),
    ("St. Louis", "Saint Louis"),
    ("Main St. is busy", "Main Street is busy"),
    ("12 Baker St.", "twelve Baker Street."),
    ("Mr. Jones", "Mister Jones"),
    ("Mrs. Jones", "Missus Jones"),
    ("fruit, e.g. apples", "fruit, for example apples"),
    ("fruit, i.e. apples", "fruit, that is apples"),
    ("apples, pears, etc.", "apples, pears, et cetera."),
    ("cats, etc. Dogs too.", "cats, et cetera. Dogs too."),
    ("cats vs. dogs", "cats versus dogs"),
    ("the U.S. army", "the US army"),
    ("in the U.K.", "in the UK."),
    # URLs and e-mail
    ("Visit https://www.example.com today.", "Visit example dot com today."),
    ("see example.org/about-us", "see example dot org slash about us"),
    ("go to github.com/openai.", "go to github dot com slash openai."),
    ("mail jane.doe@example.com", "mail jane dot doe at example dot com"),
    ("info@my-site.co.uk", "info at my dash site dot co dot UK"),
    # symbols
    ("salt & pepper", "salt and pepper"),
    ("2 + 2 = 4", "two plus two equals four"),
    ("#1 hit", "number one hit"),
    ("#python", "hashtag python"),
    ("ask @jack", "ask at jack"),
    ("black/white", "black or white"),
    ("wait — now", "wait, now"),
    # pictographs are not read out by name
    ("Party time 🎉!", "Party time!"),
    ("Thumbs up 👍🏽 and a family 👨‍👩‍👧.", "Thumbs up and a family."),
    # text that needs nothing
    ("The keeper climbed the stairs.", "The keeper climbed the stairs."),
    ("  spaced   out  ", "spaced out"),
]


@pytest.mark.parametrize(("text", "spoken"), CASES)
def test_english_is_written_out_as_spoken(text: str, spoken: str) -> None:
    assert normalize_for_speech(text) == spoken


def test_there_are_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60


def test_no_digits_or_symbols_are_left_for_the_engine() -> None:
    for text, _ in CASES:
        spoken = normalize_for_speech(text)
        assert not any(ch.isdigit() for ch in spoken), (text, spoken)
        assert not set(spoken) & set("$£€%&=#@/"), (text, spoken)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (90, "ninety"),
        (101, "one hundred one"),
        (999_999, "nine hundred ninety-nine thousand nine hundred ninety-nine"),
        (2_000_000_001, "two billion one"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_ordinals_and_years() -> None:
    assert [ordinal_words(n) for n in (1, 5, 8, 9, 12, 20, 21, 1000)] == [
        "first",
        "fifth",
        "eighth",
        "ninth",
        "twelfth",
        "twentieth",
        "twenty-first",
        "one thousandth",
    ]
    assert [year_words(y) for y in (1066, 1800, 2010, 2100)] == [
        "ten sixty-six",
        "eighteen hundred",
        "twenty ten",
        "twenty-one hundred",
    ]


def test_other_languages_are_left_to_the_engine() -> None:
    assert normalize_for_speech("Es kostet 4,20 €.", lang="de") == "Es kostet 4,20 €."
    assert normalize_for_speech("  東京は 2024 年 ", lang="ja") == "東京は 2024 年"
