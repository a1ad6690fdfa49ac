"""Caption phrases and the language of a piece of text. Pure text, no I/O.

A scene's narration is cut into phrases that are each spoken on their own and shown as one
caption cue, so a cue starts when its words start and ends when they end. A phrase ends at a
clause boundary: a sentence end first, then ; : and dashes, then commas, then before a
conjunction or a relative word; never between an article, determiner or preposition and what
follows it. Each phrase fits two lines of 42 characters (CJK characters count two: they are
twice as wide on screen).

`detect_language` names the language of a sentence: by script for the scripts that say it
(kana, Hangul, Arabic, Hebrew, Cyrillic, Greek, Devanagari, ...), by common words for the Latin
languages we have voices for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LINE_CHARS",
    "MAX_CHARS",
    "caption_phrases",
    "caption_words",
    "detect_language",
    "display_width",
    "holds_together",
    "phrase_break_cost",
    "script_runs",
    "split_sentences",
    "wrap_caption",
]

LINE_CHARS = 42
MAX_CHARS = 2 * LINE_CHARS


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Width in caption cells: CJK and emoji count two, combining marks nothing."""
    return sum(map(_char_width, text))


# --- tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    text: str
    space_before: bool  # False inside a broken word and between CJK characters

    @property
    def bare(self) -> str:
        return self.text.strip("\"'“”‘’«»()[]{}¿¡").lower()


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3040 <= cp <= 0x30FF  # kana
        or 0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x31F0 <= cp <= 0x31FF
        or 0xFF66 <= cp <= 0xFF9F
        or 0x20000 <= cp <= 0x2FFFF
    )


def _is_hiragana(ch: str) -> bool:
    return 0x3040 <= ord(ch) <= 0x309F


# Punctuation that belongs to the character before it (never starts a line or a phrase).
_CLOSING = set("。、，．！？；：」』）】〕》〉…,.;:!?)]}\"'”’»%")


def _split_long(text: str, width: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for ch in text:
        if current and display_width(current + ch) > width:
            pieces.append(current)
            current = ""
        current += ch
    if current:
        pieces.append(current)
    return pieces


def _tokens(text: str, line_chars: int) -> list[_Token]:
    tokens: list[_Token] = []
    for word in text.split():
        # CJK text has no spaces: each character is a token, punctuation stays with the one before.
        parts: list[str] = []
        for ch in word:
            if parts and (ch in _CLOSING or not (_is_cjk(ch) or _is_cjk(parts[-1][-1]))):
                parts[-1] += ch
            else:
                parts.append(ch)
        for index, part in enumerate(parts):
            # A word wider than a line is broken (the only place a word is cut).
            for piece_index, piece in enumerate(_split_long(part, line_chars)):
                tokens.append(_Token(piece, space_before=index == 0 and piece_index == 0))
    return tokens


def _join(tokens: list[_Token]) -> str:
    out = ""
    for token in tokens:
        out += (" " if out and token.space_before else "") + token.text
    return out


def _width(tokens: list[_Token]) -> int:
    return display_width(_join(tokens))


# --- boundaries ---------------------------------------------------------------------------

# A phrase or a line never ends on one of these: the word they introduce goes with them.
_NO_BREAK_AFTER = frozenset(
    """
    a an the this that these those my your his her its our their whose which what some any
    each every no another such both either neither all few many much more most several
    of in on at to for with by from into onto upon over under about above below between
    among through across after before during without within against toward towards via per
    than as like near off out up down past since until till and or but nor so if
    mr. mrs. ms. dr. st. prof. mt. no. very not
    der die das dem den des ein eine einer einem einen le la les un une du des au aux el los las
    unos unas lo il gli uno al del dei della het een
    """.split()
)
# Words a clause starts with: a phrase may begin with them.
_CLAUSE_WORDS = frozenset(
    """
    and but or nor so yet because although though while whereas when whenever where wherever
    which who whom whose that if unless until since after before as once than then however
    und aber oder weil dass wenn als et mais ou parce que qui quand y pero porque cuando que
    e ma perché quando che en maar omdat wanneer dat
    """.split()
)
_ABBREVIATIONS = frozenset(
    "mr. mrs. ms. dr. st. prof. mt. jr. sr. vs. e.g. i.e. etc. no. approx. inc. ltd. co. u.s. u.k.".split()
)
_SENTENCE_END = re.compile(r"[.!?…。！？]+[\"'”’»)\]」』）]*$")


def _ends_sentence(token: _Token, following: _Token | None) -> bool:
    if not _SENTENCE_END.search(token.text):
        return False
    if token.text[-1] in "。！？" or token.text.rstrip("\"'”’»)]」』）")[-1] in "!?…":
        return True
    bare = token.bare
    if bare in _ABBREVIATIONS and bare != "etc.":
        return False
    if re.fullmatch(r"[a-z]\.", bare):  # an initial: "J. Smith"
        return False
    if following is None:
        return True
    # "etc. and more", "e.g. this": a lower-case word after the dot continues the sentence.
    head = following.text.lstrip("\"'“‘«(¿¡")[:1]
    return not head.islower()


def _sentences(tokens: list[_Token]) -> list[list[_Token]]:
    sentences: list[list[_Token]] = [[]]
    for index, token in enumerate(tokens):
        sentences[-1].append(token)
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and _ends_sentence(token, following):
            sentences.append([])
    return [s for s in sentences if s]


def caption_words(text: str) -> list[tuple[str, bool]]:
    """The units a caption line may break between: (text, space before it). Words, and each
    CJK character (with the punctuation after it) on its own."""
    return [(t.text, t.space_before) for t in _tokens(text, 10**6)]


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, as written (abbreviations and decimals do not end one)."""
    return [_join(s) for s in _sentences(_tokens(text, 10**6))]


_MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million billion trillion""".split()
)
# What a number is a number of, or its scale: never on the line after the number.
_UNITS = frozenset(
    """hundred thousand million billion trillion percent per cent dollars dollar euros euro
    pounds pound yen cents % km kg g mg m cm mm ml l lb lbs oz mph km/h kph miles mile metres
    meters metre meter feet foot ft inches inch years year months month weeks week days day
    hours hour hrs minutes minute mins seconds second secs degrees degree °c °f am pm a.m.
    p.m. times x gb mb tb kb k bn""".split()
)
_CURRENCY = frozenset("$ € £ ¥ us$ usd eur gbp".split())
_NUMERIC = re.compile(r"^[$€£¥]?[+-]?\d[\d,.]*(?:%|st|nd|rd|th|k|m|bn)?[,.;:]?$", re.IGNORECASE)


def _is_number(bare: str) -> bool:
    return (
        bool(_NUMERIC.match(bare))
        or bare.rstrip(",.;:") in _NUMBER_WORDS
        or "-" in bare
        and all(part in _NUMBER_WORDS for part in bare.rstrip(",.;:").split("-"))
    )


def _holds_together(left: _Token, right: _Token) -> bool:
    """A number and its unit, scale or currency, a date, a number said in words: one unit
    of meaning that a caption never splits (BBC subtitle guidelines)."""
    lb, rb = left.bare, right.bare
    l_word, r_word = lb.rstrip(",.;:"), rb.rstrip(",.;:!?")
    if _is_number(lb):
        if r_word in _UNITS or r_word.lstrip("$€£¥") in _UNITS:
            return True  # "$4.2 million", "12 km", "3 pm"
        if l_word.endswith("%") and r_word in ("off", "more", "less", "higher", "lower"):
            return True  # "20% off"
        if r_word in _MONTHS and not lb.endswith((",", ";", ":")):
            return True  # "3 March"
        if re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?,", lb) and re.fullmatch(r"\d{4}", r_word):
            return True  # "March 3, | 2024"
        if l_word in _NUMBER_WORDS and (r_word in _NUMBER_WORDS or r_word == "and") and lb == l_word:
            return True  # "one hundred and twelve", "twenty five"
    if l_word in _CURRENCY and _is_number(rb):
        return True  # "$ 5", "USD 40"
    if l_word in _MONTHS and lb == l_word and re.fullmatch(r"\d{1,4}(?:st|nd|rd|th)?", r_word):
        return True  # "March 3", "May 2024"
    return False


def _boundary_cost(left: _Token, right: _Token) -> float | None:
    """How bad a phrase (or line) break between left and right is; None: never here."""
    if right.text[:1] in _CLOSING or not right.text.strip("—–-"):
        return None  # punctuation or a dash would start the next part
    if _holds_together(left, right):
        return None
    text = left.text.rstrip("\"'”’»)]」』）")
    if text.endswith((";", ":", "；", "：")):
        return 0.1
    if text.endswith(("—", "–")) or left.text in ("-", "—", "–"):
        return 0.15
    if text.endswith((",", "、", "，")):
        return 0.3
    if left.bare in _NO_BREAK_AFTER:
        return None
    if not right.space_before and _is_cjk(right.text[0]) and _is_cjk(left.text[-1]):
        # Inside CJK text there are no spaces: a kana particle before a kanji or katakana
        # word is the likeliest word boundary; any other place may cut a word.
        return 0.8 if _is_hiragana(left.text[-1]) and not _is_hiragana(right.text[0]) else 1.2
    if right.bare in _CLAUSE_WORDS:
        return 0.5
    if left.text[:1].isupper() and right.text[:1].isupper() and left.text[-1:].isalpha():
        return 1.8  # inside a name ("Marie | Curie", "New | York"): only if nothing else fits
    return 1.0


def phrase_break_cost(left: str, right: str) -> float | None:
    """How bad a break between the words left and right is (0.1 after a semicolon .. 1.0
    between two plain words); None where a break must not be (caption_words' units)."""
    return _boundary_cost(_Token(left, True), _Token(right, True))


def holds_together(left: str, right: str, before: str = "") -> bool:
    """True for a number and its unit, a date, a number in words ("hundred and | twelve",
    given the word `before` left): the break a caption makes last of all, after even one
    after an article or a conjunction."""
    if left.lower() == "and" and before.lower() in _NUMBER_WORDS and right.lower().rstrip(",.;:!?") in _NUMBER_WORDS:
        return True
    return _holds_together(_Token(left, True), _Token(right, True))


def _fits(tokens: list[_Token], max_chars: int, line_chars: int) -> bool:
    return _width(tokens) <= max_chars and _two_lines(tokens, line_chars, strict=True) is not None


def _two_lines(tokens: list[_Token], line_chars: int, *, strict: bool = False) -> int | None:
    """Index of the best line break (0: one line) or None when two lines cannot hold it.

    strict: only where a line may end (not after an article or a preposition)."""
    if _width(tokens) <= line_chars:
        return 0
    best: tuple[float, int] | None = None
    for index in range(1, len(tokens)):
        left, right = _width(tokens[:index]), _width(tokens[index:])
        if left > line_chars or right > line_chars:
            continue
        cost = _boundary_cost(tokens[index - 1], tokens[index])
        if strict and cost is None:
            continue
        # Balanced lines, a clause boundary preferred, never after an article if avoidable.
        score = max(left, right) + (30 if cost is None else 8 * cost)
        if best is None or score < best[0]:
            best = (score, index)
    return None if best is None else best[1]


def _split(tokens: list[_Token], max_chars: int, line_chars: int) -> list[list[_Token]]:
    if len(tokens) <= 1 or _fits(tokens, max_chars, line_chars):
        return [tokens]
    total = _width(tokens)
    best: tuple[float, int] | None = None
    for index in range(1, len(tokens)):
        cost = _boundary_cost(tokens[index - 1], tokens[index])
        if cost is None:
            continue
        left, right = _width(tokens[:index]), _width(tokens[index:])
        score = cost + 0.5 * abs(left - right) / total
        if min(left, right) < 12:  # a two-word cue flashes by: avoid
            score += 0.6
        if best is None or score < best[0]:
            best = (score, index)
    if best is None:  # nowhere allowed (a run of articles?): break in the middle by width
        widths = [_width(tokens[:i]) for i in range(1, len(tokens))]
        index = min(range(1, len(tokens)), key=lambda i: abs(widths[i - 1] - total / 2))
    else:
        index = best[1]
    return _split(tokens[:index], max_chars, line_chars) + _split(tokens[index:], max_chars, line_chars)


def caption_phrases(text: str, *, max_chars: int = MAX_CHARS, line_chars: int = LINE_CHARS) -> list[str]:
    """`text` as caption phrases at clause boundaries, each fitting two lines of `line_chars`."""
    if line_chars < 2 or max_chars < line_chars:
        raise ValueError("need line_chars >= 2 and max_chars >= line_chars")
    tokens = _tokens(text, line_chars)
    phrases: list[str] = []
    for sentence in _sentences(tokens):
        phrases.extend(_join(part) for part in _split(sentence, max_chars, line_chars))
    return phrases


def wrap_caption(phrase: str, line_chars: int = LINE_CHARS) -> list[str]:
    """A phrase on one line, or on two balanced lines; ValueError if two lines cannot hold it."""
    tokens = _tokens(phrase, line_chars)
    if not tokens:
        return []
    index = _two_lines(tokens, line_chars, strict=True)
    if index is None:
        index = _two_lines(tokens, line_chars)  # only a forbidden break fits: better than none
    if index is None:
        raise ValueError(f"{phrase!r} does not fit in two lines of {line_chars} characters")
    if index == 0:
        return [_join(tokens)]
    return [_join(tokens[:index]), _join(tokens[index:])]


# --- language -----------------------------------------------------------------------------

_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),
    (0x1F00, 0x1FFF, "el"),
    (0x0400, 0x052F, "ru"),
    (0x0530, 0x058F, "hy"),
    (0x0590, 0x05FF, "he"),
    (0xFB1D, 0xFB4F, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0xFB50, 0xFDFF, "ar"),
    (0xFE70, 0xFEFF, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0A80, 0x0AFF, "gu"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0C00, 0x0C7F, "te"),
    (0x0C80, 0x0CFF, "kn"),
    (0x0D00, 0x0D7F, "ml"),
    (0x0E00, 0x0E7F, "th"),
    (0x10A0, 0x10FF, "ka"),
    (0x1100, 0x11FF, "ko"),
    (0x3130, 0x318F, "ko"),
    (0xAC00, 0xD7AF, "ko"),
    (0x3040, 0x30FF, "ja"),
    (0x31F0, 0x31FF, "ja"),
    (0xFF66, 0xFF9F, "ja"),
    (0x3400, 0x4DBF, "zh"),
    (0x4E00, 0x9FFF, "zh"),
    (0xF900, 0xFAFF, "zh"),
    (0x20000, 0x2FFFF, "zh"),
)

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the a i and of to is are was were in that it with for on this be have has not you they "
        "we he she his her from by at which would there their what an will can".split()
    ),
    "de": frozenset(
        "der die das und ist nicht ein eine den dem des ich sie er wir es mit auf für von sich "
        "auch noch wie aber wird sind war zu im bei nach über ich bin du hier".split()
    ),
    "fr": frozenset(
        "le la les et est un une des du que qui dans pour pas ne sur avec il elle nous vous "
        "sont ce cette au aux mais ou où était être je tu suis très".split()
    ),
    "es": frozenset(
        "el la los las y es un una que de del en por con para no se su sus al lo como más pero "
        "está son fue muy hay yo soy estoy aquí".split()
    ),
    "it": frozenset(
        "il lo la gli le e è un una che di del della dei in per con non si sono come più ma "
        "anche questo questa era nel alla sulla nella sul gli degli io sono qui".split()
    ),
    "pt": frozenset(
        "o a os as e é um uma que de do da dos das em no na por para com não se seu sua mais "
        "como mas foi são está ao eu sou aqui".split()
    ),
    "nl": frozenset(
        "de het een en is van in dat die niet op te met voor zijn er maar ook als aan door was "
        "bij naar nog wat ze wij ik ben hier".split()
    ),
}
# Letters that only some Latin languages use: a strong hint.
_LETTERS: dict[str, str] = {
    "ß": "de",
    "ä": "de",
    "ö": "de",
    "ü": "de",
    "ñ": "es",
    "¿": "es",
    "¡": "es",
    "ã": "pt",
    "õ": "pt",
    "ç": "fr",
    "œ": "fr",
    "ê": "fr",
    "à": "fr",
    "ì": "it",
    "ò": "it",
    "ĳ": "nl",
}


def _script_of(ch: str) -> str | None:
    cp = ord(ch)
    for low, high, lang in _SCRIPTS:
        if low <= cp <= high:
            return lang
    return None


def script_runs(text: str) -> list[tuple[str, str | None]]:
    """`text` cut where its script changes: (run, language of the script), None for Latin and
    for text with no script of its own. Spaces, digits and punctuation stay with the run they
    are in; kanji next to kana are Japanese."""
    runs: list[list[Any]] = []  # [text, script] pairs, grown in place
    for ch in text:
        script = _script_of(ch) if ch.isalpha() else None
        if script is None and ch.isalpha():
            script = "latin"
        if script is None or (runs and runs[-1][1] == script):
            if runs:
                runs[-1][0] += ch
            else:
                runs.append([ch, None])
            continue
        if runs and runs[-1][1] is None and len(runs) == 1:
            runs[-1][1] = script  # leading neutrals join the first script
            runs[-1][0] += ch
            continue
        if runs and {runs[-1][1], script} == {"ja", "zh"}:
            runs[-1][1] = "ja"  # a kanji word between kana: one Japanese run
            runs[-1][0] += ch
            continue
        runs.append([ch, script])
    out: list[tuple[str, str | None]] = []
    for run_text, script in runs:
        language = None if script in (None, "latin") else script
        if language is not None:
            language = _refine(language, run_text)
        out.append((run_text, language))
    return out


def detect_language(text: str, *, default: str = "en") -> str:
    """An ISO 639-1 code for `text` (zh for Chinese), or `default` when nothing says otherwise."""
    counts: dict[str, int] = {}
    latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        script = _script_of(ch)
        if script is None:
            if ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"):
                latin += 1
            continue
        counts[script] = counts.get(script, 0) + 1
    if "ja" in counts:  # kana: Japanese, whose kanji count as Japanese too
        counts["ja"] += counts.pop("zh", 0)
    if counts:
        script, count = max(counts.items(), key=lambda item: item[1])
        cjk = script in ("ja", "zh", "ko")
        # A CJK character says as much as a word: weigh it against Latin words, not letters.
        if (count * 3 if cjk else count) >= latin:
            return _refine(script, text)
    return _latin_language(text, default)


def _refine(script: str, text: str) -> str:
    if script == "ru" and re.search(r"[іїєґІЇЄҐ]", text):
        return "uk"
    if script == "ar":
        if re.search(r"[ٹڈڑںےۓ]", text):
            return "ur"
        if re.search(r"[پچژگکی]", text):
            return "fa"
    return script


def _latin_language(text: str, default: str) -> str:
    # Dotted abbreviations ("e.g.", "U.S.") would count as the Italian "e" and the like.
    text = re.sub(r"\b(?:\w\.){2,}", " ", text)
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text.lower())
    if not words:
        return default
    scores = {lang: sum(word in stop for word in words) for lang, stop in _STOPWORDS.items()}
    for ch in text.lower():
        if ch in _LETTERS:
            scores[_LETTERS[ch]] += 1
    best = max(scores, key=lambda lang: (scores[lang], lang == default))
    base = default.split("-")[0].lower()
    if scores[best] == 0 or scores.get(base, -1) >= scores[best]:
        return default
    # One stop word in a short phrase is weak evidence ("Die Hard"): ask for two, or a lead.
    runner_up = max(score for lang, score in scores.items() if lang != best)
    if scores[best] >= 2 and scores[best] > runner_up:
        return best
    return default


def phrases_timed_by_length(text: str, duration_ms: int) -> tuple[tuple[str, int, int], ...]:
    """Caption phrases of a narration whose word timings are unknown (a creator's own
    recording, an online voice): each phrase gets a share of `duration_ms` by its length,
    so captions stay two short lines; synthesised speech has measured timings instead."""
    phrases = caption_phrases(text)
    if not phrases or duration_ms <= 0:
        return ()
    weights = [max(display_width(p), 1) for p in phrases]
    total = sum(weights)
    timed, start, acc = [], 0, 0
    for phrase, weight in zip(phrases, weights, strict=True):
        acc += weight
        end = round(duration_ms * acc / total)
        if end > start:
            timed.append((phrase, start, end))
        start = end
    return tuple(timed)
