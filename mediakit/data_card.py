"""Numbers on screen: find the figure a scene is about and draw it as a data card.

`find_figure` reads one scene's narration (English) and returns the number that is its point
(a price, a percentage, a count, a temperature, a year, a change) or None. It is deliberately
conservative: a card with the wrong number, or with a step number blown up to full screen, is
worse than the scene's ordinary picture, so anything that looks incidental (times of day,
versions, phone numbers, addresses, "Step 2", "two friends", recipe quantities) is refused.

`render_data_card` draws one frame of the card: the figure in large type, a short label under it
and a simple chart that suits the kind (ring, bar pair, arrow, thermometer, calendar). `progress`
0..1 is the animation state (count-up, growing chart), so the caller renders a few dozen frames
per card. Pure Pillow + numpy; no Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mediakit import config
from mediakit.caption_images import caption_band_top

__all__ = [
    "CardLayout",
    "Figure",
    "card_layout",
    "contrast_ratio",
    "data_card_count_up",
    "data_card_layers",
    "figure_is_the_point",
    "find_figure",
    "render_data_card",
]


@dataclass(frozen=True)
class Figure:
    value: float
    display: str  # what the card prints: "$4.2M", "37%", "-5°C", "1,200", "1969", "2×"
    kind: str  # "percent" | "money" | "count" | "measure" | "temperature" | "year" | "multiple"
    label: str  # what the number counts, from the sentence: "riders a day"
    change: str | None = None  # "up" | "down"
    before: float | None = None  # the "from" value of a change
    fraction: float | None = None  # 0..1, for a ring
    span: tuple[int, int] = (0, 0)  # where in the text


# ---------------------------------------------------------------------------------------------
# Reading numbers
# ---------------------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12, "tn": 1e12}

_UNIT_RE = "|".join(sorted(_UNITS, key=len, reverse=True))
_TENS_RE = "|".join(_TENS)
_SMALL_WORD = rf"(?:(?:{_TENS_RE})(?:-(?:{_UNIT_RE}))?|{_UNIT_RE})"
_BIG_WORD = r"(?:hundred|thousand|million|billion|trillion)"
_DIGIT_WORDS = {"zero": 0, "oh": 0, **{w: v for w, v in _UNITS.items() if 0 < v < 10}}
# "four point two" (as a narration says $4.2): a whole number in words, "point", digit words.
# ("at one point two hundred people" is no 1.2 hundred.)
_DECIMAL_WORD = (
    rf"(?:(?:{_TENS_RE})(?:[\s-](?:{_UNIT_RE}))?|{_UNIT_RE})\s+point(?:\s+(?:{'|'.join(_DIGIT_WORDS)}))+(?!\s+hundred)"
)
# "three million", "twelve thousand", "a million", "two hundred and fifty thousand".
_WORD_NUMBER = (
    rf"(?:{_DECIMAL_WORD}"
    rf"|(?:{_SMALL_WORD}|an?)(?:\s+{_BIG_WORD})+(?:\s+(?:and\s+)?{_SMALL_WORD}(?:\s+{_BIG_WORD})*)*"
    rf"|{_SMALL_WORD})"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
# A quantity: digits or words, then an optional scale word ("4.2 million") or, right against the
# digits, a short scale ("4.2m", "1.5bn"; only believed after a currency sign) or a decade "s".
_QUANTITY = re.compile(
    rf"(?<![\w.,:/#])(?<!\w-)(?P<num>{_DIGITS}|{_WORD_NUMBER})"
    rf"(?:\s+(?P<scale>{_BIG_WORD})(?:\s+(?P<scale2>{_BIG_WORD}))?|(?P<short>bn|mn|mln|tn|[kmbt])|(?P<decade>'?s))?"
    r"(?![\w]|[.,]\d)",
    re.IGNORECASE,
)


def _word_value(words: str) -> float:
    whole, point, decimals = words.lower().partition(" point ")
    if point:
        digits = "".join(str(_DIGIT_WORDS[w]) for w in decimals.split() if w in _DIGIT_WORDS)
        return _word_value(whole) + (float(f"0.{digits}") if digits else 0.0)
    total, current = 0.0, 0.0
    for word in re.split(r"[\s-]+", words.lower()):
        if word in ("a", "an"):
            current = 1
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return total + current


@dataclass(frozen=True)
class _Quantity:
    start: int
    end: int
    value: float
    digits: str  # the digits as written ("4.2", "1,200"), or "" for words
    words: bool  # written out ("three million")
    scaled: bool  # carried a scale word or short scale
    short: str  # the short scale as written ("m", "bn"), "" if none
    decade: bool


def _quantities(masked: str) -> list[_Quantity]:
    found = []
    for m in _QUANTITY.finditer(masked):
        num = m.group("num")
        words = not num[0].isdigit() and num[0] != "."
        if words and num.lower() in ("a", "an"):
            continue
        value = _word_value(num) if words else float(num.replace(",", ""))
        for group in ("scale", "scale2"):
            if m.group(group):
                value *= _SCALES[m.group(group).lower()]
        short = (m.group("short") or "").lower()
        found.append(
            _Quantity(
                start=m.start(),
                end=m.end(),
                value=value,
                digits="" if words else num,
                words=words,
                scaled=bool(m.group("scale") or short),
                short=short,
                decade=bool(m.group("decade")),
            )
        )
    return found


# ---------------------------------------------------------------------------------------------
# Things that are numbers but never the point: blanked out (same length) before reading
# ---------------------------------------------------------------------------------------------

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_INCIDENTAL = [
    # times of day: 7:30, 7.30pm, 7 am, 9 o'clock, noon-ish ranges like 9-5 are caught by phones
    re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\b\.?)?", re.I),
    re.compile(r"\b\d{1,2}\s*[ap]\.?m\b\.?", re.I),
    re.compile(rf"\b(?:{_SMALL_WORD}|\d{{1,2}})\s+o'clock\b", re.I),
    re.compile(r"\b(?:at|by|from|until|till)\s+(?:noon|midnight)\b", re.I),
    # phone numbers: +1 (555) 123-4567, 555-0199, 020 7946 0958
    re.compile(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)\s?)?\d{3,5}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?\b"),
    # versions and model numbers: 2.0.1, v3, version 4, iOS 17, Windows 11
    re.compile(r"\bv?\d+(?:\.\d+){2,}\b", re.I),
    re.compile(
        r"\b(?:v|version|release|update|ios|ipados|macos|android|windows|python|java|php|"
        r"node|gen|mark|mk|series|model)\s*\d+(?:\.\d+)*\b",
        re.I,
    ),
    # addresses: 221B Baker Street, 10 Downing St, 1600 Pennsylvania Avenue, Suite 400
    re.compile(
        r"\b\d+[A-Za-z]?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|"
        r"Blvd|Drive|Dr|Way|Place|Pl|Court|Ct|Square|Sq|Terrace|Close|Crescent|Highway|Hwy|"
        r"Parkway|Pkwy|Alley|Row|Gardens|Hill)\b\.?"
    ),
    # labels of list items, pages, rooms, routes: "Step 2", "page 12", "Room 101", "#1"
    re.compile(
        r"\b(?:step|steps|tip|chapter|part|page|pages|section|room|suite|apt|apartment|unit|floor|"
        r"number|no\.|nr\.|level|route|highway|flight|gate|platform|bus|line|episode|season|act|"
        r"scene|lesson|day|item|figure|fig\.|table|rule|reason|point|question|track|channel|exit|"
        r"bay|seat|row|verse|psalm|volume|vol\.|issue|size|grade|class|team|player|round|stage|"
        r"phase|option|method|slide|card|box|tab|column|week|box|pin|code|zip|postcode|id|ref)"
        r"\s*#?\s*\d+[a-z]?\b(?![,.]\d)",
        re.I,
    ),
    re.compile(r"#\s?\d+"),
    # the day of a date ("July 20", "20th of July", "20 July"): the year after it may still count
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d)", re.I),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b", re.I),
    # ordinals and scores: 2nd, 3rd, 21st; 3-1, 2–0
    re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.I),
    re.compile(r"\b\d{1,2}\s?[-–]\s?\d{1,2}\b(?!\s*%)"),
    # ratings and ratios: 4.5 stars, 5/5, 16:9
    re.compile(r"\b\d+(?:\.\d+)?\s*/\s*\d+\b"),
    re.compile(r"\b\d+(?:\.\d+)?\s+(?:out\s+of\s+\d+\s+)?stars?\b", re.I),
]
# Words that, written right before a number, make it a name: "Apollo 11", "Route 66", "Tesla 3".
_NAME_NUMBER = re.compile(r"\b([A-Z][A-Za-z]+)\s+(\d+)\b(?!\s*(?:%|percent|per cent|°|degrees))")
_NOT_NAMES = {
    "in", "by", "since", "until", "till", "over", "about", "nearly", "almost", "around", "some",
    "only", "just", "roughly", "more", "fewer", "less", "after", "before", "from", "of", "at",
    "to", "with", "and", "but", "the", "all", "every", "each", "those", "these", "our", "its",
    "exactly", "approximately", "circa", "up", "down", "today", "now", "last", "this", "barely", "under", "above", "below", "than", "another", "between", "within", "for", "as", "yet", "so", "still", "already", "then", "there", "here",
    "we", "they", "you", "he", "she", "it", "i", "that", "what", "when", "back", "early", "late",
    "mid", "spring", "summer", "autumn", "fall", "winter", "per",
}  # fmt: skip
_STEP_SCENE = re.compile(
    r"^\s*(?:step\s*\d+|tip\s*#?\d+|first(?:ly)?|second(?:ly)?|third(?:ly)?|next|then|finally|lastly)\b",
    re.I,
)


def _mask(text: str) -> str:
    """The text with incidental numbers blanked out, character for character."""
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] not in "\n":
                chars[i] = " "

    for pattern in _INCIDENTAL:
        for m in pattern.finditer(text):
            blank(m.start(), m.end())
    for m in _NAME_NUMBER.finditer(text):
        word = m.group(1).lower()
        if word not in _NOT_NAMES and not re.fullmatch(_MONTHS, word):
            blank(m.start(2), m.end(2))
    return "".join(chars)


# ---------------------------------------------------------------------------------------------
# Labels: a few words from the sentence saying what the number counts
# ---------------------------------------------------------------------------------------------

_FUNCTION_WORDS = {
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "from", "by", "with", "per", "each",
    "every", "and", "or", "our", "their", "its", "his", "her", "my", "your", "this", "that",
    "these", "those", "than", "as", "into", "onto", "over", "under", "about", "is", "are", "was",
    "were", "be", "been", "will", "would", "can", "could", "has", "have", "had", "now", "just",
    "only", "some", "all", "more", "less", "up", "down", "around", "nearly", "almost",
}  # fmt: skip
_CLAUSE_WORDS = {
    "that", "which", "who", "whom", "whose", "and", "but", "or", "because", "so", "when", "while",
    "than", "as", "if", "since", "until", "after", "before", "compared", "though", "although",
    "where", "whereas", "yet", "then", "now", "today", "last", "this", "next", "ago", "thanks",
    "according", "versus", "vs", "despite", "unlike", "like", "to",
}  # fmt: skip
_VERBS = {
    "is", "are", "was", "were", "be", "been", "being", "am", "will", "would", "can", "could",
    "should", "may", "might", "must", "shall", "do", "does", "did", "has", "have", "had", "use",
    "uses", "make", "makes", "take", "takes", "took", "get", "gets", "got", "come", "comes", "came",
    "go", "goes", "went", "live", "lives", "work", "works", "say", "says", "said", "see", "sees",
    "saw", "want", "wants", "need", "needs", "pay", "pays", "paid", "buy", "buys", "bought", "sell",
    "sells", "sold", "visit", "visits", "ride", "rides", "rode", "watch", "watches", "eat", "eats",
    "ate", "own", "owns", "play", "plays", "join", "joins", "vote", "votes", "lose", "loses",
    "lost", "win", "wins", "won", "spend", "spends", "spent", "earn", "earns", "cost", "costs",
    "reach", "reaches", "hit", "hits", "rose", "rise", "rises", "fell", "fall", "falls", "grew",
    "grow", "grows", "drop", "drops", "show", "shows", "leave", "leaves", "left", "die", "dies",
    "travel", "travels", "attend", "attends", "download", "downloads", "stream", "streams", "read",
    "reads", "walk", "walks", "run", "runs", "ran", "drive", "drives", "drove", "fly", "flies",
    "flew", "sign", "signs", "stand", "stands", "stood", "sit", "sits", "sat", "hold", "holds",
    "held", "bring", "brings", "brought", "keep", "keeps", "kept", "give", "gives", "gave", "find",
    "finds", "found", "think", "thinks", "thought", "feel", "feels", "felt", "become", "becomes",
    "became", "remain", "remains", "stay", "stays", "means", "mean", "meant", "counts", "count",
    "tops", "top", "jump", "jumps", "climb", "climbs", "soar", "soars", "double", "doubles",
    "triple", "triples", "halve", "halves", "total", "totals", "worth",
    "expect", "expects", "call", "calls", "there", "here", "it", "they", "we", "you", "he", "she",
    "i", "everyone", "nobody",
}  # fmt: skip
_BE_HAVE = {
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "am",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "it",
    "they",
    "we",
    "you",
    "he",
    "she",
    "i",
    "there",
    "here",
}
_NOT_PAST = {"speed", "breed", "creed", "greed", "steed", "hundred", "seed", "feed", "bed", "shed", "red", "need"}
_WORD = re.compile(r"[A-Za-z][\w'’-]*|\d[\d,.]*|[^\w\s]")
_HEDGES = re.compile(
    r"(?:more than|over|nearly|almost|about|around|roughly|some|only|just|at least|as many as|"
    r"up to|fewer than|less than|close to|well over|exactly|approximately|a record|record)\s+$",
    re.I,
)
_RATE_TAIL = re.compile(
    r"^(?:a|an|per|each|every)\s+(?:day|week|month|year|hour|minute|night|person|head|capita)\b", re.I
)


def _is_verbish(word: str) -> bool:
    w = word.lower()
    if w in _VERBS:
        return True
    return len(w) >= 5 and w.endswith("ed") and w not in _NOT_PAST


def _fit_label(words: list[str]) -> str:
    """Join words, trim trailing function words and keep it to 32 characters."""
    words = list(words)
    while True:
        while words and words[-1].lower() in _FUNCTION_WORDS | _CLAUSE_WORDS:
            words.pop()
        while words and words[0].lower() in {"a", "an", "the"} and len(words) > 1:
            words.pop(0)
        text = " ".join(words)
        if len(text) <= 32:
            return text
        words.pop()


def _words_after(text: str, end: int, *, stop_at_verbs: bool = True, limit: int = 5) -> list[str]:
    words: list[str] = []
    for m in _WORD.finditer(text, end):
        token = m.group()
        if not (token[0].isalpha() or token[0].isdigit()):
            break  # punctuation ends the phrase
        if token[0].isdigit() and words:
            break  # another number: a second phrase
        lower = token.lower()
        if words and lower in _CLAUSE_WORDS and lower != "to":
            break
        if lower in ("to", "than") and words:
            break
        if stop_at_verbs and _is_verbish(token) and lower not in {"each", "per"}:
            break
        words.append(token)
        if len(words) >= limit:
            break
    return words


_REPORTED = re.compile(
    r"\b(?:said|says|say|reported|reports|announced|announces|claims|claimed|added)(?:\s+that)?\s+", re.I
)


def _subject_before(text: str, start: int, *, with_verb: bool = False) -> list[str]:
    """The words from the start of the clause up to its first verb: "Ticket sales" of "Ticket
    sales are up 20%"."""
    clause_start = max(text.rfind(ch, 0, start) for ch in ".;:!?,\n") + 1
    # Reported speech: "The mayor said that cycling has grown by 35%" is about cycling.
    reported = _REPORTED.search(text, clause_start, start)
    if reported is not None:
        clause_start = reported.end()
    words: list[str] = []
    for m in _WORD.finditer(text[clause_start:start]):
        token = m.group()
        if not token[0].isalnum():
            continue
        if _is_verbish(token) or token.lower() in _CLAUSE_WORDS - {"last", "this", "next"}:
            if words:
                # "The startup raised": the verb says what the money is; "is", "has" say nothing
                if with_verb and _is_verbish(token) and token.lower() not in _BE_HAVE:
                    words.append(token)
                break
            continue
        words.append(token)
    # "The number of riders" -> "riders"; "the price of a ticket" stays.
    lowered = [w.lower() for w in words]
    for lead in (["the", "number", "of"], ["number", "of"], ["the", "share", "of"], ["the", "amount", "of"]):
        if lowered[: len(lead)] == lead:
            words = words[len(lead) :]
            break
    while words and words[0].lower() in _FUNCTION_WORDS:
        words.pop(0)
    for hedge in ("more", "over", "nearly", "almost", "about", "around", "only", "just"):
        if words and words[-1].lower() == hedge:
            words.pop()
    return words[-4:]


_PREPOSITIONS = {"in", "on", "at", "for", "from", "by", "with", "to", "than", "across", "during", "over", "under"}


_AMOUNT_OF = re.compile(r"\b([A-Za-z]+)\s+of\s+(?:about\s+|around\s+|nearly\s+|almost\s+|over\s+)?$")


def _label(text: str, start: int, end: int, kind: str) -> str:
    after = _words_after(text, end)
    if after and after[0].lower() in ("to", "than", "more", "less", "higher", "lower"):
        after = []
    if kind == "year":
        return _year_label(text, start, end)
    if kind == "measure":
        # what it is the weight or length of: "four kilograms of fruit"; else what weighs it
        if after and after[0].lower() == "of":
            return _fit_label(after[1:])
        subject = _subject_before(text, start)
        while subject and (_MEASURE_POINT.fullmatch(subject[-1]) or subject[-1].lower() in _MEASURE_HEDGES):
            subject = subject[:-1]  # "a blue whale weighs up to": a blue whale
        return _fit_label(subject)
    if kind == "temperature":
        # where or when it is that hot: "in Madrid"; else what is that hot
        if after and after[0].lower() in ("in", "at", "on"):
            return _fit_label(after)
        return _fit_label(_subject_before(text, start)) or _fit_label(after)
    if kind == "money":
        # "revenue of $4.2 million", "a budget of €30": the noun it is the amount of.
        named = _AMOUNT_OF.search(text[:start])
        if named and named.group(1).lower() not in _FUNCTION_WORDS:
            return _fit_label(named.group(0).split()[:-1])
        subject = _subject_before(text, start, with_verb=True)
        rate = _RATE_TAIL.match(" ".join(after))
        if subject and rate:
            joined = _fit_label([*subject, *rate.group().split()])
            if joined.endswith(rate.group().split()[-1]):
                return joined  # "average rent a month"
        return _fit_label(subject) or _fit_label(after[1:] if after and after[0].lower() in ("in", "on") else after)
    if kind in ("percent", "count") and after and after[0].lower() not in _PREPOSITIONS:
        label = _fit_label(after)
        if label:
            return label
    return _fit_label(_subject_before(text, start)) or _fit_label(after)


def _year_label(text: str, start: int, end: int) -> str:
    """What happened then: the clause after "In 1969," or the words before "in 1969"."""
    rest = text[end:]
    lead = re.match(r"^\s*[,:\u2013\u2014-]\s*", rest)
    if lead:
        words = [m.group() for m in _WORD.finditer(rest[lead.end() :])]
        clause = []
        for word in words:
            if not word[0].isalnum():
                break
            clause.append(word)
        return _fit_label(clause[:7])
    clause_start = max(text.rfind(ch, 0, start) for ch in ".;:!?,\n") + 1
    words = [m.group() for m in _WORD.finditer(text[clause_start:start]) if m.group()[0].isalnum()]
    while words and words[-1].lower() in _FUNCTION_WORDS | {
        "since",
        "until",
        "till",
        "before",
        "after",
        "during",
        "circa",
    }:
        words.pop()
    while len(" ".join(words)) > 32:
        words.pop(0)
    return _fit_label(words)


# ---------------------------------------------------------------------------------------------
# Classifying one quantity in its sentence
# ---------------------------------------------------------------------------------------------

_CURRENCY_BEFORE = re.compile(r"(?P<sign>US\$|A\$|C\$|NZ\$|HK\$|R\$|[$€£¥₹])\s?$")
_CURRENCY_CODE_BEFORE = re.compile(r"\b(?P<code>USD|EUR|GBP|JPY|INR|CHF|AUD|CAD)\s?$")
_CURRENCY_AFTER = re.compile(
    r"^\s*(?P<word>dollars?|euros?|pounds?(?!\s+of\b)|yen|cents?|bucks|rupees?|francs?)\b", re.I
)
_SIGNS = {"dollar": "$", "buck": "$", "euro": "€", "pound": "£", "yen": "¥", "rupee": "₹", "franc": "CHF "}
_CODES = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CHF": "CHF ", "AUD": "A$", "CAD": "C$"}
_PERCENT_AFTER = re.compile(r"^\s?(?:%|percent\b|per\s+cent\b|pc\b)(?!\s+points?)", re.I)
_POINTS_AFTER = re.compile(r"^\s?(?:%|percent|per\s+cent)?\s*(?:percentage\s+)?points?\b", re.I)
# Weights, lengths and volumes after a number, and the symbol the card prints.
_MEASURE_SYMBOLS = {
    "kilogram": "kg", "kilogramme": "kg", "kg": "kg", "gram": "g", "gramme": "g", "tonne": "t", "ton": "t",
    "pound": "lb", "lb": "lb", "lbs": "lb", "kilometre": "km", "kilometer": "km", "km": "km", "mile": "mi",
    "metre": "m", "meter": "m", "centimetre": "cm", "centimeter": "cm", "cm": "cm", "litre": "L",
    "liter": "L", "millilitre": "mL", "milliliter": "mL", "ml": "mL",
}  # fmt: skip
_MEASURE_AFTER = re.compile(
    r"^\s?(?P<unit>kilogrammes?|kilograms?|kg|grammes?|grams?|tonnes?|tons?|pounds?|lbs?|kilometres?|kilometers?"
    r"|km|miles?|metres?|meters?|centimetres?|centimeters?|cm|litres?|liters?|millilitres?|milliliters?|ml)\b",
    re.I,
)
# What a measure is the point of: a yield, a weight, a distance covered, a size reached
# ("a plant can give you four kilograms of fruit", "the bridge stretches 1.2 km"); not a
# size in passing ("when the seedlings are fifteen centimetres tall").
_MEASURE_POINT = re.compile(
    r"\b(?:gives?|gave|yields?|produces?|produced|weighs?|weighed|reach(?:es|ed)?|carr(?:y|ies|ied)|"
    r"hold(?:s)?|held|stretch(?:es|ed)?|covers?|covered|travel(?:s|led|ed)?|swam|swims?|flew|flies|"
    r"lifts?|lifted|harvest(?:s|ed)?|collects?|collected|eats?|ate|drinks?|drank|sold|sells?)\b",
    re.I,
)
_MEASURE_HEDGES = frozenset("up to about around nearly almost over under more less than some".split())
# ... or its size said as the point: "the marathon is 42 kilometres long".
_MEASURE_SIZE = re.compile(r"\s+(?:long|tall|high|wide|deep|heavy|across)\b", re.I)
_TEMP_AFTER = re.compile(
    r"^\s?(?:°\s?(?P<u1>[CF])?\b|º\s?(?P<u2>[CF])?\b|°|degrees?(?:\s+(?P<u3>celsius|fahrenheit|centigrade|C|F)\b)?)",
    re.I,
)
_TEMP_CONTEXT = re.compile(
    r"\b(?:temperatures?|hot|hotter|hottest|heat|heatwave|cold|colder|coldest|warm|warmer|"
    r"warmest|freezing|froze|frozen|weather|thermometers?|fever|boil|boils|boiling|chilly|"
    r"climate|degrees outside|summer|winter|forecast|celsius|fahrenheit|frost|scorching)\b",
    re.I,
)
_ANGLE_CONTEXT = re.compile(
    r"\b(?:turn|turns|rotate|rotates|tilt|angle|slope|incline|bend|lean|pitch|arc|latitude|longitude|north|south|east|west)\b",
    re.I,
)
_YEAR_BEFORE = re.compile(
    rf"\b(?:in|by|since|until|till|before|after|around|circa|c\.|of|year|during|through|"
    rf"early|late|mid|spring|summer|autumn|fall|winter|(?:{_MONTHS})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?)"
    r"\s*(?:the\s+)?(?:mid-|early\s+|late\s+)?$",
    re.I,
)
_NOT_COUNT_NOUNS = {
    # durations and clock units: how long, not how many
    "second", "seconds", "minute", "minutes", "min", "mins", "hour", "hours", "hrs", "day", "days",
    "week", "weeks", "month", "months", "year", "years", "times", "time", "o'clock",
    # recipe and workshop quantities: instructions, not findings
    "g", "grams", "gram", "kg", "ml", "l", "cup", "cups", "tablespoons", "tablespoon", "tbsp",
    "teaspoons", "teaspoon", "tsp", "ounces", "oz", "lb", "lbs", "pinch", "cloves", "slices",
    "drops", "pieces", "inches", "inch", "cm", "mm", "feet", "foot", "ft", "degrees",
    # pronouns and other words that follow a bare number without it counting them
    "of", "and", "or", "to", "in", "on", "at", "for", "from", "by", "with", "is", "are", "was",
    "were", "will", "the", "a", "an", "more", "less", "fewer", "percent", "per",
    "people's", "thousand", "million", "billion", "o", "am", "pm", "out", "other", "others",
    "we", "i", "you", "they", "he", "she", "it", "that", "this", "then", "so", "but", "if",
}  # fmt: skip
_UP_VERBS = (
    r"rose|risen|rise|rises|rising|grew|grown|grow|grows|growing|increased|increase|increases|"
    r"jumped|jump|jumps|climbed|climb|climbs|soared|soar|soars|surged|surge|surges|went\s+up|"
    r"gone\s+up|go\s+up|goes\s+up|rocketed|leapt|leaped|doubled|spiked|boosted|raised|gained|"
    r"expanded|swelled|mounted|up"
)
_DOWN_VERBS = (
    r"fell|fallen|fall|falls|falling|dropped|drop|drops|declined|decline|declines|decreased|"
    r"decrease|decreases|shrank|shrunk|shrinks|slid|slipped|plunged|plummeted|tumbled|sank|"
    r"sunk|dipped|went\s+down|gone\s+down|cut|slashed|reduced|lost|lowered|down"
)
_MULTIPLES = {
    "doubled": 2.0, "doubles": 2.0, "double": 2.0, "tripled": 3.0, "triples": 3.0, "triple": 3.0,
    "trebled": 3.0, "quadrupled": 4.0, "quadruples": 4.0, "quintupled": 5.0,
}  # fmt: skip
_MULTIPLE_VERB = re.compile(
    r"\b(?:has\s+|have\s+|had\s+|nearly\s+|almost\s+|more\s+than\s+)*(?P<verb>doubled|tripled|trebled|quadrupled|quintupled|halved)\b",
    re.I,
)
_CUT_IN_HALF = re.compile(
    r"\b(?:cut|cuts|cutting|slashed|slash|reduced|reduce|reduces)\s+(?:(?:our|its|their|the|his|her|your|my)\s+)?"
    r"(?P<what>(?:[A-Za-z'-]+\s+){1,4}?)in\s+half\b",
    re.I,
)
_FOLD = re.compile(
    rf"\b(?P<num>\d+(?:\.\d+)?|{_SMALL_WORD})(?:-?fold\b|\s*(?:x|×|times)\s+(?:more|bigger|larger|higher|"
    r"faster|as\s+many|as\s+much|as\s+big|as\s+large|the\s+size|over))",
    re.I,
)
_FRACTIONS = re.compile(
    r"\b(?P<hedge>(?:more\s+than|nearly|almost|about|roughly|over|just\s+under|just\s+over|around)\s+)?"
    r"(?P<frac>a\s+third|one\s+third|two\s+thirds|a\s+quarter|one\s+quarter|three\s+quarters|"
    r"a\s+fifth|one\s+fifth|a\s+tenth|one\s+tenth|half)"
    r"\s+of\b(?!\s+(?:an?\s+)?(?:hour|minute|second|century|mile|day|year|it|the\s+way|the\s+time))",
    re.I,
)
_FRACTION_VALUES = {
    "a third": (1, 3), "one third": (1, 3), "two thirds": (2, 3), "a quarter": (1, 4),
    "one quarter": (1, 4), "three quarters": (3, 4), "a fifth": (1, 5), "one fifth": (1, 5),
    "a tenth": (1, 10), "one tenth": (1, 10), "half": (1, 2),
}  # fmt: skip
_ONE_IN = re.compile(
    rf"\b(?P<a>one|\d+|{_SMALL_WORD})\s+(?:in|out\s+of)\s+(?P<b>\d+|{_SMALL_WORD})\b(?=\s+[a-z])", re.I
)


@dataclass(frozen=True)
class _Candidate:
    figure: Figure
    rank: int  # lower wins: changes before money before percent ...


_RANK = {"multiple": 0, "change": 0, "money": 1, "percent": 2, "temperature": 3, "measure": 4, "count": 4, "year": 5}


def _number_text(q: _Quantity) -> str:
    return q.digits


def _compact(value: float, *, grouped_below: float = 1e6, decimals_hint: int | None = None) -> str:
    """4_200_000 -> "4.2M", 1200 -> "1,200", 4.99 -> "4.99": short enough to print large."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if value >= limit and value >= grouped_below:
            scaled = value / limit
            text = f"{scaled:.2f}".rstrip("0").rstrip(".")
            if len(text.replace(".", "")) > 3:
                text = f"{scaled:.1f}".rstrip("0").rstrip(".")
            return f"{sign}{text}{suffix}"
    if decimals_hint:
        return f"{sign}{value:,.{decimals_hint}f}"
    if value == int(value):
        return f"{sign}{int(value):,}"
    return f"{sign}{value:,.2f}".rstrip("0").rstrip(".")


def _decimals(q: _Quantity) -> int:
    if q.digits and "." in q.digits and not q.scaled:
        return len(q.digits.split(".")[1])
    return 0


def _money_display(sign: str, q: _Quantity) -> str:
    decimals = _decimals(q)
    if q.value < 1e6:
        # cents only when written: "$4.99" keeps them, "$30" does not grow ".00"
        return f"{sign}{_compact(q.value, decimals_hint=decimals or None)}"
    return f"{sign}{_compact(q.value)}"


def _percent_display(value: float, *, signed: bool = False) -> str:
    text = f"{abs(value):.1f}".rstrip("0").rstrip(".")
    if value < 0:
        return f"-{text}%"
    return f"+{text}%" if signed else f"{text}%"


# A count that something grew to is the point of its sentence, however small.
_GREW = r"\b(?:grew|grown|rose|risen|climbed|jumped|increased|expanded)\s+to"
_GREW_TO_BEFORE = re.compile(_GREW + r"\s+(?:about\s+|nearly\s+|almost\s+)?$", re.I)
_GREW_TO = re.compile(_GREW + r"\b", re.I)


def figure_is_the_point(figure: Figure, text: str = "") -> bool:
    """Whether ``figure`` (found in ``text``) is what its scene is about, so the scene is a
    data card: a share, a price, a temperature, a change (a team that grew to 58) or a count
    in the thousands is; a year or a handful of things is said in passing."""
    if figure.kind in ("percent", "money", "temperature", "multiple"):
        return True
    if figure.change is not None and figure.kind not in ("year", "count"):
        return True
    if figure.kind == "count" and figure.change is not None and _GREW_TO.search(text):
        return True  # what a team grew to, not the steps a keeper climbs
    if figure.kind == "measure":
        return True  # only found where it is the point (_measure_is_the_point)
    return figure.kind == "count" and figure.value >= 1000


def _classify(text: str, masked: str, q: _Quantity) -> tuple[str, str, float, int, int] | None:
    """(kind, display, value, start, end) for one quantity, or None if it is not a figure."""
    before = masked[max(0, q.start - 24) : q.start]
    after = masked[q.end : q.end + 40]
    if q.decade:
        if q.digits and re.fullmatch(r"1\d{3}|20\d{2}", q.digits) and q.value % 10 == 0:
            return "year", f"{int(q.value)}s", q.value, q.start, q.end
        return None
    sign = _CURRENCY_BEFORE.search(before)
    code = _CURRENCY_CODE_BEFORE.search(before)
    word = _CURRENCY_AFTER.match(after)
    if sign or code or word:
        if word and q.short:
            return None  # "5m dollars" is rare enough to be a misreading
        value = q.value * (_SHORT_SCALES[q.short] if q.short else 1)
        q = _Quantity(q.start, q.end, value, q.digits, q.words, q.scaled, q.short, q.decade)
        if sign:
            symbol, start, end = sign.group("sign"), q.start - (len(before) - sign.start()), q.end
        elif code:
            symbol, start, end = _CODES[code.group("code")], q.start - (len(before) - code.start()), q.end
        else:
            assert word is not None  # one of the three matched
            key = word.group("word").lower().rstrip("s")
            if key == "cent":
                return "money", f"{int(q.value)}¢", q.value / 100, q.start, q.end + word.end()
            symbol, start, end = _SIGNS[key], q.start, q.end + word.end()
        return "money", _money_display(symbol, q), q.value, start, end
    if q.short:
        return None  # "5m", "3k" without a currency: metres? kilometres? not sure enough
    if _POINTS_AFTER.match(after) and not _PERCENT_AFTER.match(after):
        return None  # "3 points" in a game; "3 percentage points" is handled as a change
    pct = _PERCENT_AFTER.match(after)
    if pct:
        return "percent", _percent_display(q.value), q.value, q.start, q.end + pct.end()
    temp = _TEMP_AFTER.match(after)
    if temp:
        unit = (temp.group("u1") or temp.group("u2") or temp.group("u3") or "").upper()[:1]
        unit = {"C": "C", "F": "F"}.get(unit, "")
        sentence = _sentence_around(text, q.start)
        if not unit and ("°" not in temp.group() and "º" not in temp.group()):
            if _ANGLE_CONTEXT.search(sentence) or not _TEMP_CONTEXT.search(sentence):
                return None  # "turn it 90 degrees": an angle, not the weather
        elif not unit and _ANGLE_CONTEXT.search(sentence) and not _TEMP_CONTEXT.search(sentence):
            return None
        value, start = q.value, q.start
        minus = re.search(r"(?:(?<=\s)|^)(?P<m>[-−–]|minus\s+)$", before)
        if minus:
            value, start = -value, q.start - (len(before) - minus.start("m"))
        end = q.end + temp.end()
        below = re.match(r"\s*below\s+(?:zero|freezing)\b", masked[end:])
        if below and value > 0:
            value, end = -value, end + below.end()  # "2 degrees below zero"
        number = f"{abs(value):.1f}".rstrip("0").rstrip(".")
        display = f"{'-' if value < 0 else ''}{number}°{unit}"
        return "temperature", display, value, start, end
    unit = _MEASURE_AFTER.match(after)
    if unit:
        # A weight, a length, a volume: "four kilograms of fruit", "1.2 km long".
        symbol = _MEASURE_SYMBOLS[
            unit.group("unit").lower().rstrip("s") if len(unit.group("unit")) > 2 else unit.group("unit").lower()
        ]
        if not _measure_is_the_point(text, q.start, q.end + unit.end()):
            return None
        number = _compact(q.value, decimals_hint=_decimals(q) or None)
        return "measure", f"{number} {symbol}", q.value, q.start, q.end + unit.end()
    if (
        q.digits
        and re.fullmatch(r"1\d{3}|20\d{2}|21\d{2}", q.digits)
        and _YEAR_BEFORE.search(before)
        and not re.match(r"^\s+(?!BC|AD|CE|BCE)[a-z]", after)
    ):
        return "year", q.digits, q.value, q.start, q.end
    # a count: the number followed by what it counts
    noun = re.match(
        r"^\s+(?:(?:new|more|extra|additional|active|daily|monthly|unique|paying|registered|)\s+)?(?P<noun>[a-z][a-z'-]*)",
        after,
    )
    if not noun and q.scaled and q.value >= 1e6 and re.match(r"^\s*(?:[.,;!?]|$)", after):
        # "The population of Tokyo is 37.4 million.": the subject says what is counted
        return "count", _compact(q.value), q.value, q.start, q.end
    if not noun or noun.group("noun") in _NOT_COUNT_NOUNS or _is_verbish(noun.group("noun")):
        return None
    grew = _GREW_TO_BEFORE.search(before)
    if q.value < 10 or (q.value < 100 and not _HEDGES.search(before) and not q.scaled and not grew):
        return None  # "two friends", "12 eggs": in passing; "grew to 58 people" is the point
    if q.digits and re.fullmatch(r"0\d+", q.digits.replace(",", "")):
        return None  # a leading zero is a code, not a quantity
    display = _compact(q.value) if q.value >= 1e6 else _compact(q.value, decimals_hint=_decimals(q) or None)
    if re.search(r"(?:more than|over|well over|at least)\s+$", before, re.I):
        display += "+"  # "more than 50 countries" is not "50 countries"
    return "count", display, q.value, q.start, q.end


def _measure_is_the_point(text: str, start: int, end: int) -> bool:
    """Whether a weight or length is what its sentence says: the yield of a plant, what a
    whale weighs, how long a marathon is; not the height at which seedlings move out."""
    clause = _sentence_around(text, start)
    said = bool(_MEASURE_POINT.search(clause) or _MEASURE_SIZE.match(text, end))
    return said and not re.match(r"\s*(?:when|if|once|until|after|before)\b", clause, re.I)


def _sentence_around(text: str, index: int) -> str:
    start = max(text.rfind(ch, 0, index) for ch in ".!?\n") + 1
    ends = [i for i in (text.find(ch, index) for ch in "!?\n") if i != -1]
    dot = re.search(r"\.(?!\d)", text[index:])
    if dot:
        ends.append(index + dot.start())
    return text[start : min(ends) if ends else len(text)]


def _fraction_for(kind: str, value: float) -> float | None:
    if kind == "percent" and 0 <= value <= 100:
        return value / 100
    return None


def _changes(text: str, masked: str, figures: dict[tuple[int, int], tuple[str, str, float]]) -> list[_Candidate]:
    """Rises and falls: "rose from 12% to 31%", "fell by 40%", "up 20% on last year"."""
    found: list[_Candidate] = []
    spans = sorted(figures)
    lower = masked.lower()
    # from X to Y
    for i, a in enumerate(spans):
        for b in spans[i + 1 : i + 2]:
            between = lower[a[1] : b[0]]
            lead = lower[max(0, a[0] - 6) : a[0]]
            if not re.search(r"\bfrom\s*$", lead) or not re.fullmatch(r"\s*(?:to|up\s+to|down\s+to)\s*", between):
                continue
            kind_a, _, value_a = figures[a]
            kind_b, display_b, value_b = figures[b]
            if kind_a != kind_b or kind_a not in ("percent", "money", "count", "temperature") or value_a == value_b:
                continue
            direction = "up" if value_b > value_a else "down"
            start = a[0] - 5
            figure = Figure(
                value=value_b,
                display=display_b,
                kind=kind_b,
                label=_label(text, start, b[1], "change"),
                change=direction,
                before=value_a,
                fraction=_fraction_for(kind_b, value_b),
                span=(start, b[1]),
            )
            found.append(_Candidate(figure, _RANK["change"]))
    # (verb) (by) X% / X, "up 20% on last year", "down 40%"
    for span in spans:
        kind, display, value = figures[span]
        if kind not in ("percent", "money", "count"):
            continue
        lead = lower[max(0, span[0] - 40) : span[0]]
        m = re.search(
            rf"\b(?P<verb>{_UP_VERBS}|{_DOWN_VERBS})\s+(?:(?P<by>by\s+)|(?P<to>to\s+))?(?:(?:more\s+than|nearly|almost|about|around|some|over|roughly)\s+)?$",
            lead,
        )
        if not m:
            continue
        verb = m.group("verb")
        up = re.fullmatch(_UP_VERBS, verb) is not None
        tail = lower[span[1] : span[1] + 30]
        # "rose to 31%" is a level, not a change of 31%: keep the level, mark the direction
        # "fell to 4%" is a level with a direction; "rose 4%", "up 4%" are changes of 4 points
        is_level = bool(m.group("to"))
        if verb in ("up", "down") and not re.match(
            r"\s*(?:on|from|over|since|compared|year|versus|vs|in\s+a\s+year|this|last|a\s+year|$|[.,;!])", tail
        ):
            continue  # "2 up" in a game, "up 3 floors": not a change
        if verb in ("raised", "cut", "lost", "gained", "reduced", "lowered", "boosted") and not m.group("by"):
            continue  # "raised $4.2 million": money raised, not a rise of $4.2M
        if kind == "percent":
            shown = (
                _percent_display(value if up else -value, signed=True)
                if (m.group("by") or verb in ("up", "down") or not is_level)
                else display
            )
        else:
            shown = display
        start = span[0] - (len(lead) - m.start())
        subject = _fit_label(_subject_before(text, start))
        after = _fit_label(_words_after(text, span[1]))
        label = subject or after
        figure = Figure(
            value=value,
            display=shown,
            kind=kind,
            label=label,
            change="up" if up else "down",
            before=None,
            fraction=_fraction_for(kind, value),
            span=(start, span[1]),
        )
        found.append(_Candidate(figure, _RANK["change"] + 1))
    return found


def find_figure(text: str) -> Figure | None:
    """The number that is the point of one scene's narration, or None if there is none (or if
    the only numbers are incidental: steps, times, versions, phone numbers, small counts)."""
    if not text or not re.search(r"\d|" + _SMALL_WORD + "|third|quarter|half|doubled|tripled|halved", text, re.I):
        return None
    masked = _mask(text)
    step_scene = bool(_STEP_SCENE.match(text))
    figures: dict[tuple[int, int], tuple[str, str, float]] = {}
    candidates: list[_Candidate] = []
    for q in _quantities(masked):
        classified = _classify(text, masked, q)
        if classified is None:
            continue
        kind, display, value, start, end = classified
        figures[(start, end)] = (kind, display, value)
    candidates += _changes(text, masked, figures)
    used = [c.figure.span for c in candidates]
    for (start, end), (kind, display, value) in figures.items():
        if any(s <= start and end <= e for s, e in used):
            continue
        candidates.append(
            _Candidate(
                Figure(
                    value=value,
                    display=display,
                    kind=kind,
                    label=_label(text, start, end, kind),
                    fraction=_fraction_for(kind, value),
                    span=(start, end),
                ),
                _RANK[kind],
            )
        )
    candidates += _word_figures(text, masked)
    if step_scene:
        # an instruction's quantities ("preheat to 180 degrees", "200 grams") are not findings
        candidates = [c for c in candidates if c.figure.kind in ("percent", "money") or c.figure.change]
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c.rank, c.figure.span[0]))
    return candidates[0].figure


def _word_figures(text: str, masked: str) -> list[_Candidate]:
    """Figures written as words without digits: "sales doubled", "a third of adults",
    "one in five", "grew tenfold"."""
    found = []
    for m in _MULTIPLE_VERB.finditer(masked):
        verb = m.group("verb").lower()
        subject = _fit_label(_subject_before(text, m.start()))
        if not subject:
            continue  # "we doubled it": what doubled is not in the sentence
        if verb == "halved":
            figure = Figure(-50.0, "-50%", "percent", subject, "down", None, None, (m.start(), m.end()))
        else:
            value = _MULTIPLES[verb]
            figure = Figure(value, f"{value:g}×", "multiple", subject, "up", 1.0, None, (m.start(), m.end()))
        found.append(_Candidate(figure, _RANK["multiple"] + 1))
    for m in _CUT_IN_HALF.finditer(masked):
        # "cut our delivery times in half": what is halved sits between the verb and "half";
        # "Then cut the apple in half" is an instruction, not a finding.
        clause = text[max(text.rfind(ch, 0, m.start()) for ch in ".;:!?,\n") + 1 : m.start()]
        if not set(re.findall(r"[a-z]+", clause.lower())) - {
            "then",
            "and",
            "now",
            "next",
            "first",
            "finally",
            "carefully",
        }:
            continue
        subject = _fit_label(re.findall(r"[A-Za-z][A-Za-z'-]*", text[m.start("what") : m.end("what")]))
        if subject:
            figure = Figure(-50.0, "-50%", "percent", subject, "down", None, None, (m.start(), m.end()))
            found.append(_Candidate(figure, _RANK["multiple"] + 1))
    for m in _FOLD.finditer(masked):
        num = m.group("num")
        value = float(num) if num[0].isdigit() else _word_value(num)
        if value < 2 or value > 1000:
            continue
        subject = _fit_label(_subject_before(text, m.start()))
        if not subject:
            continue
        figure = Figure(value, f"{value:g}×", "multiple", subject, "up", 1.0, None, (m.start(), m.end()))
        found.append(_Candidate(figure, _RANK["multiple"] + 1))
    for m in _FRACTIONS.finditer(masked):
        frac = re.sub(r"\s+", " ", m.group("frac").lower())
        if frac == "half" and not m.group("hedge"):
            continue  # "half of the fun": only "more than half", "nearly half" are figures
        top, bottom = _FRACTION_VALUES[frac]
        display = f"{top}/{bottom}"
        after = _fit_label(["of", *_words_after(text, m.end())])
        figure = Figure(100 * top / bottom, display, "percent", after, None, None, top / bottom, (m.start(), m.end()))
        found.append(_Candidate(figure, _RANK["percent"]))
    for m in _ONE_IN.finditer(masked):
        a, b = (float(x) if x[0].isdigit() else _word_value(x) for x in (m.group("a"), m.group("b")))
        if not (1 <= a < b <= 1000):
            continue
        label = _fit_label(_words_after(text, m.end()))
        display = f"{a:g} in {b:g}"
        figure = Figure(100 * a / b, display, "percent", label, None, None, a / b, (m.start(), m.end()))
        found.append(_Candidate(figure, _RANK["percent"]))
    return found


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------

Color = tuple[int, int, int]


def _rgb(colour: Sequence[int]) -> Color:
    return int(colour[0]), int(colour[1]), int(colour[2])


# Drawn at this many times the frame's resolution and box-filtered down, so arcs, rounded bars
# and arrow heads (which Pillow draws without antialiasing) get clean edges. Text needs none:
# FreeType antialiases it.
_SUPERSAMPLE = 3
_MIN_CONTRAST = 4.5


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(color: Color) -> float:
    r, g, b = (_linear(c) for c in color[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio between two colours (1..21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(a: Color, b: Color, t: float) -> Color:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _legible(ink: Color, backgrounds: tuple[Color, ...], minimum: float = _MIN_CONTRAST) -> Color:
    """`ink`, or the nearest colour towards white or black that reaches `minimum` contrast
    against every background shade the text may sit on."""

    def worst(color: Color) -> float:
        return min(contrast_ratio(color, bg) for bg in backgrounds)

    if worst(ink) >= minimum:
        return ink
    # Go towards the pole that contrasts more with the background, keeping the ink's hue.
    mean_lum = sum(_luminance(bg) for bg in backgrounds) / len(backgrounds)
    poles: list[Color] = [(255, 255, 255), (0, 0, 0)] if mean_lum < 0.18 else [(0, 0, 0), (255, 255, 255)]
    for pole in poles:
        for step in range(1, 21):
            candidate = _mix(ink, pole, step / 20)
            if worst(candidate) >= minimum:
                return candidate
    return max(((255, 255, 255), (0, 0, 0)), key=worst)


# ----------------------------------------------------------------------------- fonts and text


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=32)
def _notdef_mask(path: str) -> bytes:
    return bytes(_font(path, 40).getmask("\U0010ffff"))


@lru_cache(maxsize=4096)
def _has_glyph(path: str, ch: str) -> bool:
    try:
        return bytes(_font(path, 40).getmask(ch)) != _notdef_mask(path)
    except OSError:
        return False


def _font_paths() -> tuple[str, ...]:
    conf = config.current()
    paths = [conf.caption_font]
    # Outline fonts only: the colour emoji font has fixed bitmap sizes and no figure symbols.
    paths += [p for p in conf.fallback_fonts if "emoji" not in Path(p).name.lower() and not p.endswith(".ttc")]
    return tuple(p for p in paths if Path(p).is_file())


@lru_cache(maxsize=1024)
def _face_for(ch: str) -> str:
    paths = _font_paths()
    if not paths:
        raise ValueError(f"no card font is installed (looked for {config.current().caption_font})")
    if ch.isspace():
        return paths[0]
    return next((p for p in paths if _has_glyph(p, ch)), paths[0])


def _runs(text: str) -> list[tuple[str, str]]:
    """(font path, text) runs: Pillow has no font fallback, so each run uses the first font that
    has its glyphs (DejaVu for digits and Latin; Noto for ₹ and friends)."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        path = _face_for(ch)
        if runs and runs[-1][0] == path:
            runs[-1] = (path, runs[-1][1] + ch)
        else:
            runs.append((path, ch))
    return runs


def _text_width(text: str, size: int, tracking: float = 0.0) -> float:
    width = sum(_font(path, size).getlength(run) for path, run in _runs(text))
    return width + tracking * size * max(0, len(text) - 1)


def _draw_text(
    draw: ImageDraw.ImageDraw, text: str, x: float, baseline: float, size: int, fill: Color, tracking: float = 0.0
) -> None:
    for path, run in _runs(text):
        font = _font(path, size)
        if tracking:
            for ch in run:
                draw.text((x, baseline), ch, font=font, fill=fill, anchor="ls")
                x += font.getlength(ch) + tracking * size
        else:
            draw.text((x, baseline), run, font=font, fill=fill, anchor="ls")
            x += font.getlength(run)


@lru_cache(maxsize=8)
def _cap_ratio(path: str) -> float:
    """Height of the digits as a fraction of the font size (0.73 for DejaVu Sans Bold)."""
    top = _font(path, 200).getbbox("0123456789", anchor="ls")[1]
    return -top / 200


def _wrap(text: str, size: int, max_width: float, max_lines: int = 2) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", size) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) == 2 and max_lines >= 2:
        # two lines of similar length read better than a long line and an orphan
        words = text.split()
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        lines = list(min(splits, key=lambda pair: max(_text_width(part, size) for part in pair)))
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return lines


# ----------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class CardLayout:
    """Where a card's parts go, in frame pixels ((left, top, right, bottom) boxes)."""

    safe: tuple[int, int, int, int]  # title-safe and clear of the caption band
    chart: tuple[int, int, int, int] | None  # square; None for a card with no chart or icon
    figure: tuple[int, int, int, int]  # the final display's ink box
    label: tuple[int, int, int, int]
    figure_size: int  # font size of the figure
    label_size: int
    label_lines: tuple[str, ...]
    stacked: bool  # chart above the text (portrait, square) or beside it (landscape)
    align_center: bool


# Figures with a chart of their own; counts and plain money get an underline (or the icon).
def _chart_kind(figure: Figure) -> str | None:
    if figure.kind == "multiple" or (figure.change and figure.before is not None):
        return "bars"
    if figure.change:
        return "arrow"
    if figure.kind == "percent" and figure.fraction is not None and 0 < figure.fraction <= 1:
        return "ring"
    if figure.kind == "temperature":
        return "thermometer"
    if figure.kind == "year":
        return "calendar"
    return None


_CHART_INK_SPAN = {"thermometer": (0.26, 0.72)}


def _safe_box(width: int, height: int) -> tuple[int, int, int, int]:
    # Title-safe: 5 % in from every edge (EBU R 95 graphics-safe area); above the highest a
    # two-line caption reaches (caption_images.caption_band_top), and in 9:16 clear of the
    # right 12 % where the players' buttons sit.
    portrait = height > width * 1.2
    left = round(width * 0.05)
    top = round(height * 0.05)
    right = round(width * (0.88 if portrait else 0.95))
    bottom = round(height * min(0.78 if portrait else 0.76, caption_band_top(width, height) - 0.015))
    return left, top, right, bottom


def _display_text(display: str) -> str:
    # A true minus sign: the hyphen is too short next to figures this large.
    return display.replace("-", "\u2212", 1) if display.startswith("-") else display


def card_layout(figure: Figure, *, width: int, height: int, icon: bool = False) -> CardLayout:
    left, top, right, bottom = _safe_box(width, height)
    box_w, box_h = right - left, bottom - top
    short = min(width, height)
    path = _font_paths()[0]
    stacked = width < height * 1.2
    has_chart = _chart_kind(figure) is not None or icon
    tracking = -0.02

    # The figure aims at digits 20 % of the short side high (so >= 18 % survives rounding) and
    # shrinks only if the text column is too narrow for it.
    text = _display_text(figure.display)
    chart = 0
    if has_chart:
        chart = round(min(box_h * 0.36, box_w * 0.62) if stacked else min(box_h * 0.74, box_w * 0.32))
    gap = round(short * 0.06)
    column = box_w if stacked or not has_chart else box_w - chart - gap
    size = round(0.20 * short / _cap_ratio(path))
    size = min(size, math.floor(size * column / max(1.0, _text_width(text, size, tracking))))
    cap = _cap_ratio(path) * size

    label_size = max(12, round(short * 0.055))
    label_lines = tuple(_wrap(figure.label, label_size, column)) if figure.label else ()
    line_h = round(label_size * 1.25)
    label_h = line_h * len(label_lines)
    # without a chart an accent rule sits between figure and label, below the descenders
    gap_fig_label = round(cap * (0.36 if has_chart else 0.5))
    text_h = cap + (gap_fig_label + label_h if label_lines else 0)
    fig_w = _text_width(text, size, tracking)
    label_w = max((_text_width(line, label_size) for line in label_lines), default=0)
    text_w = max(fig_w, label_w)

    # the part of the square chart that has ink: a thermometer is narrow, so the text moves in
    ink_l, ink_r = _CHART_INK_SPAN.get(_chart_kind(figure) or "", (0.0, 1.0)) if has_chart else (0.0, 1.0)
    if stacked:
        total = (chart + gap if has_chart else 0) + text_h
        if total > box_h and has_chart:
            chart = max(round(box_h * 0.2), chart - round(total - box_h))
            total = chart + gap + text_h
        y = top + (box_h - total) / 2
        cx = (left + right) / 2
        chart_box = (round(cx - chart / 2), round(y), round(cx + chart / 2), round(y + chart)) if has_chart else None
        text_top = y + (chart + gap if has_chart else 0)
        fig_box = (round(cx - fig_w / 2), round(text_top), round(cx + fig_w / 2), round(text_top + cap))
        lab_top = text_top + cap + gap_fig_label
        label_box = (round(cx - label_w / 2), round(lab_top), round(cx + label_w / 2), round(lab_top + label_h))
        centered = True
    else:
        visible = chart * (ink_r - ink_l)
        group_w = (visible + gap if has_chart else 0) + text_w
        x = left + (box_w - group_w) / 2 - chart * ink_l
        cy = (top + bottom) / 2
        chart_box = (round(x), round(cy - chart / 2), round(x + chart), round(cy + chart / 2)) if has_chart else None
        text_left = x + chart * ink_r + gap if has_chart else x
        text_top = cy - text_h / 2
        centered = not has_chart
        if centered:
            fx0, lx0 = (left + right) / 2 - fig_w / 2, (left + right) / 2 - label_w / 2
        else:
            fx0 = lx0 = text_left
        fig_box = (round(fx0), round(text_top), round(fx0 + fig_w), round(text_top + cap))
        lab_top = text_top + cap + gap_fig_label
        label_box = (round(lx0), round(lab_top), round(lx0 + label_w), round(lab_top + label_h))
    return CardLayout(
        safe=(left, top, right, bottom),
        chart=chart_box,
        figure=fig_box,
        label=label_box,
        figure_size=size,
        label_size=label_size,
        label_lines=label_lines,
        stacked=stacked,
        align_center=centered,
    )


# ----------------------------------------------------------------------------- background


@lru_cache(maxsize=16)
def _background(width: int, height: int, background: Color, accent: Color) -> Image.Image:
    """A soft vertical gradient with a faint accent glow behind the content; the caption band at
    the bottom is one flat shade so captions sit on a calm ground."""
    lum = _luminance(background)
    top = _mix(background, (255, 255, 255), 0.10 if lum < 0.5 else 0.06)
    base = _mix(background, (0, 0, 0), 0.12 if lum < 0.5 else 0.05)
    glow = _mix(top, accent, 0.05)
    # Computed at 1/8 size and scaled up: a gradient has no detail to lose, and this keeps the
    # cached first frame cheap.
    sw, sh = max(2, width // 8), max(2, height // 8)
    ys = (np.arange(sh, dtype=np.float32) + 0.5) / sh
    xs = (np.arange(sw, dtype=np.float32) + 0.5) / sw
    band_top = _safe_box(width, height)[3] / height
    t = np.clip(ys / band_top, 0, 1) ** 1.2
    col = np.array(top, np.float32)[None, :] * (1 - t[:, None]) + np.array(base, np.float32)[None, :] * t[:, None]
    img = np.repeat(col[:, None, :], sw, axis=1)
    cx, cy = 0.5, band_top * 0.48
    aspect = width / height
    d = np.sqrt(((xs[None, :] - cx) * aspect) ** 2 + (ys[:, None] - cy) ** 2) / (0.75 * max(aspect, 1))
    fade = np.clip((band_top - 0.04 - ys[:, None]) / 0.16, 0, 1)  # gone before the caption band
    w = (np.clip(1 - d, 0, 1) ** 2 * fade)[:, :, None]
    img = img * (1 - w) + np.array(glow, np.float32)[None, None, :] * w
    small = Image.fromarray(np.clip(img + 0.5, 0, 255).astype(np.uint8), "RGB")
    return small.resize((width, height), Image.Resampling.BILINEAR)


def _background_shades(width: int, height: int, background: Color, accent: Color) -> tuple[Color, ...]:
    lum = _luminance(background)
    return (
        _mix(background, (255, 255, 255), 0.10 if lum < 0.5 else 0.06),
        _mix(_mix(background, (255, 255, 255), 0.10 if lum < 0.5 else 0.06), accent, 0.05),
        _mix(background, (0, 0, 0), 0.12 if lum < 0.5 else 0.05),
    )


# ----------------------------------------------------------------------------- animation


def _ease(t: float) -> float:
    """Ease-out cubic: fast start, gentle landing, as count-ups and growing bars usually move."""
    t = min(1.0, max(0.0, t))
    return 1 - (1 - t) ** 3


_DISPLAY_NUMBER = re.compile(r"^(?P<pre>[^\d]*?)(?P<num>\d[\d,]*(?:\.\d+)?)(?P<suf>[^\d]*)$")


def _format_like(display: str, number: float) -> str:
    """`number` printed the way `display` prints its number: same prefix, suffix, decimals,
    grouping ("$4.2M" at half is "$2.1M", "1,200" is "600")."""
    m = _DISPLAY_NUMBER.match(display)
    if not m:
        return display
    num = m.group("num")
    decimals = len(num.split(".")[1]) if "." in num else 0
    grouped = "," in num or float(num.replace(",", "")) >= 10_000
    text = f"{abs(number):{',' if grouped else ''}.{decimals}f}"
    pre = m.group("pre")
    if number < 0 and not pre.startswith(("-", "+")):
        pre = "-" + pre
    return f"{pre}{text}{m.group('suf')}"


def _display_at(figure: Figure, eased: float) -> str:
    if eased >= 1 or figure.kind == "year":
        return figure.display  # a year counting up from 0 AD would be silly; the chart moves
    m = _DISPLAY_NUMBER.match(figure.display)
    if not m or "/" in figure.display or " in " in figure.display:
        return figure.display
    final = float(m.group("num").replace(",", ""))
    start = 0.0
    if figure.value and figure.before is not None and (figure.before >= 0) == (figure.value >= 0):
        start = final * figure.before / figure.value  # count from the "from" value
    return _format_like(figure.display, start + (final - start) * eased)


# ----------------------------------------------------------------------------- charts


def _ss_layer(size: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    layer = Image.new("L", (size * _SUPERSAMPLE, size * _SUPERSAMPLE), 0)
    return layer, ImageDraw.Draw(layer)


def _round_line(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], width: float, fill: int) -> None:
    draw.line(points, fill=fill, width=max(1, round(width)), joint="curve")
    r = width / 2
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def _arrow_head(
    draw: ImageDraw.ImageDraw, tip: tuple[float, float], direction: tuple[float, float], size: float, fill: int
) -> None:
    dx, dy = direction
    n = math.hypot(dx, dy) or 1.0
    dx, dy = dx / n, dy / n
    bx, by = tip[0] - dx * size, tip[1] - dy * size
    px, py = -dy * size * 0.62, dx * size * 0.62
    draw.polygon([tip, (bx + px, by + py), (bx - px, by - py)], fill=fill)


def _chart_ring(track: ImageDraw.ImageDraw, accent: ImageDraw.ImageDraw, s: float, figure: Figure, e: float) -> None:
    thick = s * 0.13
    pad = s * 0.02
    outer = (pad, pad, s - pad, s - pad)
    inner = (pad + thick, pad + thick, s - pad - thick, s - pad - thick)
    track.ellipse(outer, fill=255)
    track.ellipse(inner, fill=0)
    sweep = 360 * (figure.fraction or 0) * e
    if sweep <= 0:
        return
    accent.pieslice(outer, -90, -90 + sweep, fill=255)
    accent.ellipse(inner, fill=0)
    mid = s / 2 - pad - thick / 2
    for angle in (-90.0, -90.0 + sweep):
        cx = s / 2 + mid * math.cos(math.radians(angle))
        cy = s / 2 + mid * math.sin(math.radians(angle))
        accent.ellipse((cx - thick / 2, cy - thick / 2, cx + thick / 2, cy + thick / 2), fill=255)


def _bar_values(figure: Figure) -> tuple[float, float]:
    if figure.kind == "multiple":
        return 1.0, figure.value
    return figure.before or 0.0, figure.value


def _bar_geometry(s: float, figure: Figure, e: float) -> list[tuple[float, float, float, float]]:
    a, b = _bar_values(figure)
    top_room, base = 0.30 * s, 0.94 * s
    high = max(abs(a), abs(b)) or 1.0
    heights = [max(0.04, abs(v) / high) * (base - top_room) for v in (a, b)]
    grow = [_ease(e * 2.2), e]  # the "before" bar lands first, then the "after" bar grows
    bars = []
    for center, h, g in zip((0.25 * s, 0.75 * s), heights, grow, strict=True):
        bars.append((center - 0.15 * s, base - h * g, center + 0.15 * s, base))
    return bars


def _chart_bars(track: ImageDraw.ImageDraw, accent: ImageDraw.ImageDraw, s: float, figure: Figure, e: float) -> None:
    track.rounded_rectangle((0, 0.94 * s, s, 0.955 * s), radius=0.006 * s, fill=255)
    (b0, b1) = _bar_geometry(s, figure, e)
    # the "before" bar is the accent at half strength: same series, earlier and quieter
    for draw, bar, fill in ((accent, b0, 120), (accent, b1, 255)):
        if bar[3] - bar[1] > 1:
            draw.rounded_rectangle(bar, radius=min(0.03 * s, (bar[3] - bar[1]) / 2), fill=fill)
    if e > 0.55:
        # the arrow between the bars says which way it went
        strength = round(255 * min(1.0, (e - 0.55) / 0.3))
        up = figure.change != "down"
        mid = 0.8 * s  # low in the gap between the bars, clear of the value labels above them
        y0, y1 = (mid + 0.1 * s, mid - 0.1 * s) if up else (mid - 0.1 * s, mid + 0.1 * s)
        accent.line(
            [(0.5 * s, y0), (0.5 * s, y1 + (0.05 * s if up else -0.05 * s))], fill=strength, width=round(0.035 * s)
        )
        _arrow_head(accent, (0.5 * s, y1), (0, -1 if up else 1), 0.08 * s, strength)


_TREND_UP = [(0.08, 0.86), (0.34, 0.60), (0.52, 0.70), (0.86, 0.24)]


def _chart_arrow(track: ImageDraw.ImageDraw, accent: ImageDraw.ImageDraw, s: float, figure: Figure, e: float) -> None:
    for i, y in enumerate((0.2, 0.45, 0.7, 0.95)):
        # faint grid lines, the baseline a little stronger: reads as a chart, not a doodle
        track.rounded_rectangle((0, (y - 0.006) * s, s, (y + 0.006) * s), radius=0.006 * s, fill=255 if i == 3 else 110)
    points = [(x * s, (y if figure.change != "down" else 1.0 - y + 0.04) * s) for x, y in _TREND_UP]
    lengths = [math.dist(a, b) for a, b in zip(points, points[1:], strict=False)]
    todo = sum(lengths) * e
    drawn = [points[0]]
    for (a, b), length in zip(zip(points, points[1:], strict=False), lengths, strict=True):
        if todo <= 0:
            break
        t = min(1.0, todo / length)
        drawn.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
        todo -= length
    if len(drawn) < 2 or math.dist(drawn[0], drawn[-1]) < 1:
        return
    head = 0.17 * s
    tip, prev = drawn[-1], drawn[-2]
    d = (tip[0] - prev[0], tip[1] - prev[1])
    n = math.hypot(*d) or 1.0
    # stop the shaft inside the head so its round end does not poke out of the point
    shaft_end = (tip[0] - d[0] / n * head * 0.6, tip[1] - d[1] / n * head * 0.6)
    _round_line(accent, [*drawn[:-1], shaft_end], 0.075 * s, 255)
    _arrow_head(accent, tip, d, head, 255)


def _temperature_level(figure: Figure) -> float:
    celsius = figure.value
    if figure.display.endswith("F"):
        celsius = (figure.value - 32) * 5 / 9
    return min(1.0, max(0.06, (celsius + 30) / 80))  # -30 °C empty .. 50 °C full


def _chart_thermometer(
    track: ImageDraw.ImageDraw, accent: ImageDraw.ImageDraw, s: float, figure: Figure, e: float
) -> None:
    cx, bulb_y, bulb_r = 0.44 * s, 0.78 * s, 0.17 * s
    tube_w, tube_top = 0.2 * s, 0.04 * s
    track.rounded_rectangle((cx - tube_w / 2, tube_top, cx + tube_w / 2, bulb_y), radius=tube_w / 2, fill=255)
    track.ellipse((cx - bulb_r, bulb_y - bulb_r, cx + bulb_r, bulb_y + bulb_r), fill=255)
    for i in range(6):
        y = tube_top + tube_w * 0.6 + i * (bulb_y - bulb_r - tube_top - tube_w * 0.6) / 5
        track.rounded_rectangle(
            (cx + tube_w * 0.75, y - 0.01 * s, cx + tube_w * (1.35 if i % 5 == 0 else 1.1), y + 0.01 * s),
            radius=0.01 * s,
            fill=255,
        )
    inner_r, col_w = bulb_r * 0.68, tube_w * 0.5
    accent.ellipse((cx - inner_r, bulb_y - inner_r, cx + inner_r, bulb_y + inner_r), fill=255)
    top_most = tube_top + tube_w * 0.25
    level = bulb_y - (bulb_y - top_most) * _temperature_level(figure) * e
    accent.rounded_rectangle((cx - col_w / 2, level, cx + col_w / 2, bulb_y), radius=col_w / 2, fill=255)


def _chart_calendar(
    track: ImageDraw.ImageDraw, accent: ImageDraw.ImageDraw, s: float, figure: Figure, e: float
) -> None:
    left, top, right, bottom = 0.06 * s, 0.12 * s, 0.94 * s, 0.92 * s
    radius = 0.07 * s
    track.rounded_rectangle((left, top, right, bottom), radius=radius, fill=255)
    header = top + 0.2 * s
    accent.rounded_rectangle((left, top, right, header), radius=radius, fill=255)
    accent.rectangle((left, header - radius, right, header), fill=255)
    track.rectangle((left, top, right, header), fill=0)
    for x in (0.3 * s, 0.7 * s):
        accent.rounded_rectangle((x - 0.035 * s, 0.04 * s, x + 0.035 * s, top + 0.08 * s), radius=0.035 * s, fill=255)
    # twelve months; they fill in as the card animates
    cols, rows = 4, 3
    gx0, gy0, gx1, gy1 = left + 0.08 * s, header + 0.07 * s, right - 0.08 * s, bottom - 0.07 * s
    cw, ch = (gx1 - gx0) / cols, (gy1 - gy0) / rows
    filled = math.ceil(12 * e - 1e-9)
    for i in range(12):
        r, c = divmod(i, cols)
        cell = (
            gx0 + c * cw + 0.018 * s,
            gy0 + r * ch + 0.018 * s,
            gx0 + (c + 1) * cw - 0.018 * s,
            gy0 + (r + 1) * ch - 0.018 * s,
        )
        track.rounded_rectangle(cell, radius=0.02 * s, fill=0)
        if i < filled:
            accent.rounded_rectangle(cell, radius=0.02 * s, fill=255)


_CHARTS = {
    "ring": _chart_ring,
    "bars": _chart_bars,
    "arrow": _chart_arrow,
    "thermometer": _chart_thermometer,
    "calendar": _chart_calendar,
}


def _paste_icon(image: Image.Image, icon: Image.Image, box: tuple[float, float, float, float]) -> None:
    icon = icon.convert("RGBA")
    bw, bh = box[2] - box[0], box[3] - box[1]
    scale = min(bw / icon.width, bh / icon.height)
    size = (max(1, round(icon.width * scale)), max(1, round(icon.height * scale)))
    icon = icon.resize(size, Image.Resampling.LANCZOS)
    x = round(box[0] + (bw - size[0]) / 2)
    y = round(box[1] + (bh - size[1]) / 2)
    image.paste(icon, (x, y), icon)


# ----------------------------------------------------------------------------- the card


def render_data_card(
    figure: Figure,
    *,
    width: int,
    height: int,
    background: tuple[int, int, int],
    accent: tuple[int, int, int],
    ink: tuple[int, int, int],
    progress: float = 1.0,
    icon: Image.Image | None = None,
) -> Image.Image:
    """One frame of the data card for `figure` (RGB, width x height). `progress` 0..1 is the
    animation state: the number counts up and the chart grows; 1.0 is the final card."""
    if width < 16 or height < 16:
        raise ValueError(f"a data card needs a real frame, not {width}x{height}")
    e = _ease(progress)
    layout = card_layout(figure, width=width, height=height, icon=icon is not None)
    # Lists (from JSON) as well as tuples: hashable colours for the cached backgrounds.
    background, accent, ink = _rgb(background), _rgb(accent), _rgb(ink)
    image = _background(width, height, background, accent).copy()
    shades = _background_shades(width, height, background, accent)
    ink = _legible(ink, shades)
    # graphics need 3:1 (WCAG non-text contrast); the label is text, so 4.5:1 like the figure
    accent = _legible(accent, shades, 3.0)
    label_ink = _mix(ink, background, 0.22)
    if min(contrast_ratio(label_ink, bg) for bg in shades) < _MIN_CONTRAST:
        label_ink = ink
    track_color = _mix(background, ink, 0.17)
    draw = ImageDraw.Draw(image)

    kind = _chart_kind(figure)
    if layout.chart:
        x0, y0, x1, _ = layout.chart
        side = x1 - x0
        if kind:
            track_layer, track_draw = _ss_layer(side)
            accent_layer, accent_draw = _ss_layer(side)
            _CHARTS[kind](track_draw, accent_draw, side * _SUPERSAMPLE, figure, e)
            image.paste(track_color, (x0, y0), track_layer.reduce(_SUPERSAMPLE))
            image.paste(accent, (x0, y0), accent_layer.reduce(_SUPERSAMPLE))
            if kind == "bars":
                _bar_labels(draw, figure, layout, e, label_ink)
        if icon is not None:
            if kind is None:
                pad = side * 0.06
                icon_box = (x0 + pad, y0 + pad, x1 - pad, y0 + side - pad)
            elif kind == "ring":
                inset = side * 0.3
                icon_box = (x0 + inset, y0 + inset, x1 - inset, y0 + side - inset)
            else:
                icon_box = (x1 - side * 0.28, y0, x1, y0 + side * 0.28)  # a badge on the chart
            _paste_icon(image, icon, icon_box)

    text = _display_text(_display_at(figure, e))
    size = layout.figure_size
    fig_w = _text_width(text, size, -0.02)
    fx0, fy0, fx1, fy1 = layout.figure
    x = (fx0 + fx1) / 2 - fig_w / 2 if layout.align_center else fx0
    _draw_text(draw, text, x, fy1, size, ink, tracking=-0.02)

    if kind is None:
        # no chart: an accent rule under the figure grows with the count
        rule_y = fy1 + (fy1 - fy0) * 0.24  # below the comma's descender
        full = fx1 - fx0
        grown = full * e
        thick = max(2.0, (fy1 - fy0) * 0.06)
        if grown > thick:
            gx = (fx0 + fx1) / 2 - grown / 2 if layout.align_center else fx0
            big = Image.new("L", (round(grown * _SUPERSAMPLE), round(thick * _SUPERSAMPLE)), 0)
            ImageDraw.Draw(big).rounded_rectangle(
                (0, 0, big.width - 1, big.height - 1), radius=big.height / 2, fill=255
            )
            image.paste(accent, (round(gx), round(rule_y)), big.reduce(_SUPERSAMPLE))

    lx0, ly0, lx1, _ = layout.label
    line_h = round(layout.label_size * 1.25)
    cap = _cap_ratio(_font_paths()[0]) * layout.label_size
    for i, line in enumerate(layout.label_lines):
        lw = _text_width(line, layout.label_size)
        lx = (lx0 + lx1) / 2 - lw / 2 if layout.align_center else lx0
        _draw_text(draw, line, lx, ly0 + cap + i * line_h, layout.label_size, label_ink)
    return image


def data_card_layers(
    figure: Figure,
    *,
    width: int,
    height: int,
    background: tuple[int, int, int],
    accent: tuple[int, int, int],
    ink: tuple[int, int, int],
    icon: Image.Image | None = None,
) -> tuple[Image.Image, Image.Image, Image.Image, tuple[int, int]] | None:
    """The final card, its plain background, and what is drawn on it (figure, label, chart,
    icon) as an RGBA layer cropped to what it covers, with its position: for a render that
    brings the content in over the background. The layer is the exact un-blend of the card
    over its background (the least alpha that gives back each pixel), so the two composite
    back to the card. None when nothing is drawn."""
    card = render_data_card(
        figure, width=width, height=height, background=background, accent=accent, ink=ink, icon=icon
    )
    plain = _background(width, height, _rgb(background), _rgb(accent))
    layer = _unblend(card, plain)
    box = layer.getchannel("A").getbbox()
    if box is None:
        return None
    return card, plain.copy(), layer.crop(box), (box[0], box[1])


# The count-up's steps: 12 pictures over builder.COUNT_UP_MS (1 s) change 2-3 frames apart at
# 30 fps, which reads as a counter running; each is a picture decoded once by the render.
COUNT_UP_STEPS = 12


def data_card_count_up(
    figure: Figure,
    *,
    width: int,
    height: int,
    background: tuple[int, int, int],
    accent: tuple[int, int, int],
    ink: tuple[int, int, int],
    box: tuple[int, int, int, int],
    icon: Image.Image | None = None,
    steps: int = COUNT_UP_STEPS,
) -> list[Image.Image]:
    """The card's content (data_card_layers' layer) on its way in: at progress 0, 1/steps, ...
    (steps-1)/steps of render_data_card's animation (the number counting up, the chart
    growing), each un-blended over the same plain background and cropped to `box` (left, top,
    right, bottom: where data_card_layers put the final layer), so each lies exactly where the
    final layer does (spec.SceneLayers.hero_steps). The final state itself is that layer."""
    if steps < 1:
        return []
    plain = _background(width, height, _rgb(background), _rgb(accent))
    pictures = []
    for k in range(steps):
        card = render_data_card(
            figure,
            width=width,
            height=height,
            background=background,
            accent=accent,
            ink=ink,
            icon=icon,
            progress=k / steps,
        )
        pictures.append(_unblend(card.crop(box), plain.crop(box)))
    return pictures


def _unblend(card: Image.Image, plain: Image.Image) -> Image.Image:
    """What is drawn on `plain` to make `card`, as RGBA of their size: the least alpha
    that gives back each pixel, so the layer composited over plain is the card again."""
    c = np.asarray(card, np.float32)
    b = np.asarray(plain, np.float32)
    up = np.where(c > b, (c - b) / np.maximum(255.0 - b, 1e-3), 0.0)
    down = np.where(c < b, (b - c) / np.maximum(b, 1e-3), 0.0)
    alpha = np.clip(np.maximum(up, down).max(axis=2), 0.0, 1.0)
    alpha[alpha < 2 / 255] = 0.0
    safe = np.maximum(alpha, 1e-6)[:, :, None]
    colour = np.clip(b + (c - b) / safe, 0, 255)
    rgba = np.dstack([colour, alpha[:, :, None] * 255]).round().astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def _bar_labels(draw: ImageDraw.ImageDraw, figure: Figure, layout: CardLayout, e: float, fill: Color) -> None:
    """The values over the two bars, in the figure's own format ("12%" -> "31%")."""
    assert layout.chart is not None
    x0, y0, x1, _ = layout.chart
    side = x1 - x0
    size = max(10, round(side * 0.085))
    a, b = _bar_values(figure)
    if figure.kind == "multiple":
        texts = ["1×", f"{b:g}×"]
    else:
        base = figure.display.lstrip("+") if figure.display.startswith("+") else figure.display
        m = _DISPLAY_NUMBER.match(base)
        # the display may be scaled ("$5.5M" for 5_500_000): print the "before" in its units
        unit = float(m.group("num").replace(",", "")) / b if m and b else 1.0
        texts = [re.sub(r"\.0+(?=\D*$)", "", _format_like(base, v * unit)) for v in (a, b)]
    for bar, text in zip(_bar_geometry(side, figure, e), texts, strict=True):
        if bar[3] - bar[1] < side * 0.02:
            continue
        text = _display_text(text)
        w = _text_width(text, size)
        cx = x0 + (bar[0] + bar[2]) / 2
        _draw_text(draw, text, cx - w / 2, y0 + bar[1] - side * 0.04, size, fill)
