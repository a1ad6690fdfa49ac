"""Picture words in other languages, read through emojibase's localised emoji names
(CLDR annotations, MIT, installed with the artwork): "Katze" and "猫" are both "cat".

This is no translator: it finds the names of drawable things in a sentence of one of
emojibase's languages and gives their English names, which the scene reader then reads.
A sentence with none of them gives "", and the reader says so on the scene.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from . import config

__all__ = ["english_picture_words", "supported_languages"]

_DATA = "emojibase-data"
# Names of these groups are faces, symbols and flags: no thing of a scene.
_SKIPPED_GROUPS = {0, 1, 2, 8, 9}  # smileys-emotion, people-body, component, symbols, flags
_WORD = re.compile(r"\w+", re.UNICODE)
# German, Dutch, Scandinavian plural and case endings, tried longest first.
_ENDINGS = ("innen", "en", "er", "ern", "es", "e", "n", "s")


def _root() -> Path:
    return Path(config.current().artwork_dir) / _DATA


def supported_languages() -> frozenset[str]:
    root = _root()
    if not root.is_dir():
        return frozenset()
    return frozenset(p.name for p in root.iterdir() if (p / "data.json").is_file())


@lru_cache(maxsize=8)
def _names(language: str) -> dict[str, str]:
    """Localised name (lowercase) -> English name, for drawable things."""
    root = _root()
    try:
        local = json.loads((root / language / "data.json").read_text(encoding="utf-8"))
        english = json.loads((root / "en" / "data.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    by_code = {
        entry["hexcode"]: entry["label"]
        for entry in english
        if entry.get("group") is not None and entry.get("group") not in _SKIPPED_GROUPS
    }
    names: dict[str, str] = {}
    for entry in local:
        label = by_code.get(entry.get("hexcode", ""))
        name = unicodedata.normalize("NFC", str(entry.get("label", ""))).lower().strip()
        if not label or not name or len(name.split()) > 2:
            continue
        # The shortest English name wins for a word two emoji share.
        if name not in names or len(label) < len(names[name]):
            names[name] = label
    return names


def _spaced(language: str) -> bool:
    return language not in {"ja", "zh", "zh-hant", "th"}


def english_picture_words(text: str, *, language: str) -> str:
    """The English names of the drawable things ``text`` names, in order, joined as a
    phrase list ("tulip, rose, garden"), or "" when it names none we know."""
    language = language.lower().split("-")[0] if language.lower() not in {"zh-hant", "en-gb", "es-mx"} else language
    names = _names(language)
    if not names:
        return ""
    text = unicodedata.normalize("NFC", text).lower()
    found: list[tuple[int, str]] = []
    if _spaced(language):
        for match in _WORD.finditer(text):
            word = match.group(0)
            label = names.get(word)
            if label is None and len(word) > 4:
                for ending in _ENDINGS:
                    if word.endswith(ending) and word[: -len(ending)] in names:
                        label = names[word[: -len(ending)]]
                        break
            if label is None:
                # A compound ends in the thing it is: "Apfelkuchen" is a kind of "Kuchen".
                for cut in range(3, len(word) - 3):
                    tail = word[cut:]
                    if tail in names and len(tail) >= 4:
                        label = names[tail]
                        break
            if label:
                found.append((match.start(), label))
    else:
        taken = [False] * len(text)
        for name in sorted(names, key=len, reverse=True):
            if len(name) < 2 and "CJK" not in unicodedata.name(name[0], ""):
                continue
            start = text.find(name)
            while start >= 0:
                if not any(taken[start : start + len(name)]):
                    for i in range(start, start + len(name)):
                        taken[i] = True
                    found.append((start, names[name]))
                start = text.find(name, start + 1)
    ordered = [label for _, label in sorted(found)]
    return ", ".join(dict.fromkeys(ordered))
