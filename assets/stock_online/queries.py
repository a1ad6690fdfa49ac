"""Stock search terms from a scene's words: its noun phrases first (most specific), then
its single salient words (broader), never grammar or style words.

There is no part-of-speech tagger here: a "phrase" is a run of two or three content words
that the narration says together, between punctuation and function words ("the old
*lighthouse keeper* climbs..."), which is what stock sites index as titles and tags.
"""

from __future__ import annotations

import re

from mediakit.words import STOPWORDS

# Words a visual prompt carries that describe a style, not a subject, and verbs so
# common in narration that a stock search on them returns noise.
_STYLE_WORDS = frozenset(
    """
    cinematic illustration illustrated photo photograph photorealistic realistic render style
    art artwork digital painting detailed lighting shapes abstract 4k 8k hd
    """.split()
)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*|[.,;:!?()\[\]\"“”«»—–/]", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")
_MAX_PHRASE_WORDS = 3


def _content(word: str) -> bool:
    lowered = word.lower().replace("’", "'")
    return len(lowered) >= 3 and lowered not in STOPWORDS and lowered not in _STYLE_WORDS


def _verbish(word: str, previous: str | None) -> bool:
    """A guess that a word is a verb or an adverb, which ends a phrase: "-ed"
    ("launched"), "-ly" ("slowly"), or a third-person "-s" straight after a singular noun
    ("the keeper climbs")."""
    if len(word) > 4 and word.endswith(("ed", "ly")):
        return True
    return (
        previous is not None
        and word.endswith("s")
        and not word.endswith("ss")
        and not previous.endswith("s")
        and len(word) > 3
    )


def _runs(text: str) -> tuple[list[list[str]], set[str]]:
    """Runs of consecutive content words (lower case, possessive 's dropped), cut at
    likely verbs, and the set of those verbs (kept only as last-resort single words)."""
    runs: list[list[str]] = []
    verbs: set[str] = set()
    current: list[str] = []
    for token in _TOKEN.findall(text):
        word = _POSSESSIVE.sub("", token).lower()
        if word[:1].isalpha() and _content(word):
            if _verbish(word, current[-1] if current else None):
                verbs.add(word)
            else:
                current.append(word)
                continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return runs, verbs


def stock_queries_for(text: str, *, limit: int = 3) -> list[str]:
    """Up to `limit` distinct search terms for `text`, most specific first: its phrases
    (most words, then longest, then as said; at most half the places), then its single
    words (longest first), so a search that finds nothing for "lighthouse keeper" falls
    back to "lighthouse"."""
    if limit <= 0:
        return []
    runs, verbs = _runs(text)
    phrases: list[tuple[int, int, int, str]] = []
    words: list[tuple[int, int, int, str]] = []
    order = 0
    for run in runs:
        for size in range(min(_MAX_PHRASE_WORDS, len(run)), 1, -1):
            for start in range(len(run) - size + 1):
                piece = run[start : start + size]
                phrases.append((-size, -sum(map(len, piece)), order, " ".join(piece)))
                order += 1
        for word in run:
            words.append((0, -len(word), order, word))
            order += 1
    for word in sorted(verbs - {w for run in runs for w in run}):
        words.append((1, -len(word), order, word))
        order += 1
    # Phrases take at most half the places, so broader single words always follow.
    phrase_places = max(1, limit // 2) if limit > 1 else 1
    queries: list[str] = []
    for _, _, _, phrase in sorted(phrases):
        if len(queries) == phrase_places:
            break
        if phrase not in queries:
            queries.append(phrase)
    for *_, word in sorted(words):
        if len(queries) == limit:
            break
        if word not in queries:
            queries.append(word)
    return queries
