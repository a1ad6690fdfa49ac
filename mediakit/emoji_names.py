"""Picture words in other languages, read through emojibase's localised emoji names and
keywords (CLDR annotations, MIT, installed with the artwork): "Katze" and "猫" are both "cat",
and "Tee", keyword of five drinks, is "tea".

This is no translator: it finds the names of drawable things in a sentence of one of
emojibase's languages and gives their English names, which the scene reader then reads.
A sentence with none of them gives "", and the reader says so on the scene.

Two kinds of known word, per language:

- an emoji's *name* ("Fenster") gives that emoji's English name ("window");
- a *keyword* ("Tee", "Regen") is read as the English word the same emoji carry in English:
  the English keyword or name word found on most of the emoji that have the local keyword,
  and on few others. A keyword that no English word lines up with on at least two emoji,
  one on too many emoji to say anything ("Tier", "Essen"), or one whose English word is
  mostly not a noun ("trinken": drink), is not used.

A name is preferred over a keyword. Words not known as they stand are tried without their
inflection (German, French, Spanish... endings: "regnet" is "Regen", "Tulpen" "Tulpe") and
as compounds that end in a known thing ("Teetasse" is a "Tasse"); a stem or head counts only
when it is a known word of four letters or more. Japanese and Chinese, written without
spaces, are cut into the longest known words from left to right.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import config

__all__ = ["english_picture_words", "supported_languages"]

_DATA = "emojibase-data"
# Unicode CLDR's emoji names and keywords for every locale (npm cldr-annotations-full):
# the languages emojibase has no data for (Arabic, Hebrew, Persian, Urdu, Greek, ...).
_CLDR = "cldr-annotations-full/annotations"
# Names of these groups are faces, symbols and flags: no thing of a scene.
_SKIPPED_GROUPS = {0, 1, 2, 8, 9}  # smileys-emotion, people-body, component, symbols, flags
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_ENGLISH_WORD = re.compile(r"[a-z]+")
_NAME_PARTS = re.compile(r"[\s\-–’'.,:;()]+")

# A keyword on more emoji than this is a category ("Tier", "Essen"), not a thing.
_MAX_KEYWORD_EMOJI = 24
# How much of the keyword's emoji and the English word's must be the same emoji.
_MIN_AGREEMENT = 0.4
# A word of the emoji's English names counts this much more than a word of their keywords.
_NAME_BONUS = 0.25
# An English word spelled like the keyword ("Tee" and tea, "Suppe" and soup) is its likely
# translation: this much more, when difflib finds them this alike.
_COGNATE = 0.6
_COGNATE_BONUS = 0.2
# ...and, among words spelled alike, this much more for the commonest noun.
_COMMON_BONUS = 0.1
# Spelled this much alike, a word is the keyword's translation even on one emoji alone, and
# when no emoji's name uses the keyword.
_SURE_COGNATE = 0.75
# A keyword in no emoji's name is still used when its English word is on this many of its
# emoji, and agrees this well.
_FIRM_TOGETHER = 3
_FIRM_AGREEMENT = 0.6
# Two English words within this of each other fit the keyword equally well (a word of the
# English names on one emoji more of five is enough to tell them apart).
_CLOSE = 0.03
_MIN_STEM = 4
_MAX_PHRASE_WORDS = 4

_ENGLISH_FILLER = frozenset("a an and at by for from in into of off on or out over the to up with without".split())

# Words of the sentence's own grammar that happen to be spelled like a keyword or a name
# ("dado que", "la mer a été..."): never read as things.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "de": frozenset(
        "der die das den dem des ein eine einen einem einer eines und oder aber im am an auf "
        "aus bei mit nach von vor zu zum zur in ist sind war es er sie wir ihr ich du alle "
        "als wie so da dann noch nur auch sehr hier dort".split()
    ),
    "fr": frozenset(
        "le la les un une des du de et ou au aux en dans sur sous avec pour par il elle ils "
        "elles on nous vous je tu est sont été être a ont avait tout tous toute toutes très "
        "puis or mais son sa ses grand grande grands grandes petit petite petits petites".split()
    ),
    "es": frozenset(
        "el la los las un una unos unas y o de del al en con por para que es son fue ha han "
        "dado sido muy todo todos toda todas se su sus lo le les te mi tu sobre como gran a "
        "grande grandes".split()
    ),
    "it": frozenset(
        "il lo la i gli le un una uno e o di del della dei delle al alla in con per che è "
        "sono stato tutto tutti".split()
    ),
    "pt": frozenset(
        "o a os as um uma e ou de do da dos das no na nos nas em com por para que é são foi "
        "todo todos toda todas".split()
    ),
    "nl": frozenset("de het een en of in op aan met van voor naar is zijn was ze hij wij alle al".split()),
}

# Sayings that hold a thing's word but name no thing: everyone is not the world.
_SAYINGS: dict[str, tuple[str, ...]] = {
    "fr": ("tout le monde", "tous les jours", "au lieu de"),
    "es": ("todo el mundo", "todos los días", "sin embargo", "a pesar de"),
    "it": ("tutto il mondo",),
    "de": ("zu hause", "nach hause"),
}

# Place prepositions (and their contractions with an article), as the English reader's: the
# thing after one is where the scene is ("im Garten": in the garden).
_PLACES: dict[str, dict[str, str]] = {
    "de": {
        "in": "in",
        "im": "in",
        "ins": "in",
        "an": "at",
        "am": "at",
        "ans": "at",
        "auf": "on",
        "aufs": "on",
        "unter": "under",
        "über": "over",
        "neben": "beside",
        "hinter": "behind",
        "bei": "by",
        "beim": "by",
        "vor": "by",
    },
    "fr": {
        "dans": "in",
        "sur": "on",
        "sous": "under",
        "près": "near",
        "devant": "by",
        "derrière": "behind",
        "côté": "beside",
    },
    "es": {
        "en": "in",
        "sobre": "on",
        "bajo": "under",
        "debajo": "under",
        "junto": "beside",
        "detrás": "behind",
        "cerca": "near",
        "encima": "over",
    },
    "it": {"in": "in", "nel": "in", "nella": "in", "su": "on", "sul": "on", "sotto": "under"},
    "pt": {"em": "in", "no": "in", "na": "in", "sobre": "on", "sob": "under"},
    "nl": {"in": "in", "op": "on", "onder": "under", "bij": "by", "naast": "beside"},
}

_PLACES_BEFORE_ARTICLES: dict[str, frozenset[str]] = {"es": frozenset({"en"}), "pt": frozenset({"em"})}

# Longest first.
_PREFIXES: dict[str, tuple[str, ...]] = {
    "ar": ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب"),
    "he": ("וה", "שה", "מה", "וב", "ול", "ה", "ו", "ב", "ל", "מ", "ש", "כ"),
}

# Endings tried (longest first) on a word not known as it stands, with what replaces them.
_ENDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "de": (
        ("innen", ""),
        ("ern", ""),
        ("en", ""),
        ("er", ""),
        ("es", ""),
        ("et", ""),
        ("st", ""),
        ("e", ""),
        ("n", ""),
        ("s", ""),
        ("t", ""),
    ),
    "nl": (("eren", ""), ("en", ""), ("es", ""), ("s", ""), ("e", "")),
    "fr": (
        ("eaux", "eau"),
        ("aux", "al"),
        ("ent", ""),
        ("es", ""),
        ("es", "e"),
        ("s", ""),
        ("x", ""),
        ("e", ""),
    ),
    "es": (("ces", "z"), ("es", ""), ("s", ""), ("as", "a"), ("os", "o")),
    "pt": (("ões", "ão"), ("ães", "ão"), ("ns", "m"), ("es", ""), ("s", "")),
    "it": (("i", "o"), ("i", "e"), ("e", "a"), ("he", "a"), ("hi", "o")),
}
# Languages that write a compound as one word, its head last ("Apfel|kuchen").
_COMPOUNDING = {"de", "nl", "sv", "da", "nb", "fi"}
_UNSPACED = {"ja", "zh", "zh-hant", "th"}
# Languages whose inflected words may lose or gain an accent ("tulipán", "tulipanes").
_ACCENTED = {"es", "es-mx", "fr", "pt", "it"}
_DEUMLAUT = str.maketrans("äöü", "aou")

# Common Japanese and Chinese words that hold a picture word's character but are none:
# 今日 (today) is no sun, 日本 no book, 三月 (March) no moon.
_NOT_PICTURES = re.compile(
    r"[0-9０-９一二三四五六七八九十百]+[月日年人本]|[月火水木金土日]曜日?|"
    r"今日|明日|昨日|毎日|毎朝|毎晩|日本|本当|本日|一緒|大人|人々|一人|二人|中国|途中|なると|"
    r"真ん中|日中|夜中|世界中|手伝|上手|下手|相手|手紙|金曜|"
    r"今天|明天|昨天|每天|日本|中国|中文|其中|手机"
)


@dataclass(frozen=True)
class _Vocabulary:
    names: dict[str, str]  # an emoji's localised name -> its English name
    keywords: dict[str, str]  # a localised keyword -> the English word it lines up with
    longest: int  # words (or characters, unspaced) of the longest entry
    # Names and keywords without their accents, for stems ("tulipan|es" is "tulipán").
    folded: dict[str, str] = field(default_factory=dict)

    def get(self, term: str) -> str | None:
        return self.names.get(term) or self.keywords.get(term)

    def get_stem(self, stem: str) -> str | None:
        return self.get(stem) or (self.folded.get(_folded(stem)) if self.folded else None)

    def __contains__(self, term: str) -> bool:
        return term in self.names or term in self.keywords


def _root() -> Path:
    return Path(config.current().artwork_dir) / _DATA


def _cldr_root() -> Path:
    return Path(config.current().artwork_dir) / _CLDR


def supported_languages() -> frozenset[str]:
    root, cldr = _root(), _cldr_root()
    found = {p.name for p in root.iterdir() if (p / "data.json").is_file()} if root.is_dir() else set()
    if cldr.is_dir():
        found |= {p.name.lower() for p in cldr.iterdir() if (p / "annotations.json").is_file()}
    return frozenset(found)


def _local_entries(language: str) -> list[dict[str, Any]]:
    """The emoji names of ``language`` as emojibase writes them (hexcode, label, tags): its
    own data where emojibase has them, else CLDR's (its text-to-speech name as the label,
    its keywords as tags). Raises OSError or ValueError when neither has the language."""
    own = _root() / language / "data.json"
    if own.is_file():
        entries: list[dict[str, Any]] = json.loads(own.read_text(encoding="utf-8"))
        return entries
    data = json.loads((_cldr_root() / language / "annotations.json").read_text(encoding="utf-8"))
    annotations: dict[str, dict[str, list[str]]] = data["annotations"]["annotations"]
    return [
        {
            "hexcode": "-".join(f"{ord(ch):X}" for ch in emoji if ch != "\ufe0f"),
            "label": (names.get("tts") or [""])[0],
            "tags": names.get("default", []),
        }
        for emoji, names in annotations.items()
    ]


def _folded(text: str) -> str:
    """Without accents: "thé" is "the", "café" "cafe"."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).lower().strip()


def _noun_use(word: str) -> float:
    """How common ``word`` is as a noun, 0 to 1: of two look-alikes of "Kaffee", coffee
    before caffeine."""
    from . import lexicon

    if not lexicon.lexicon_available():
        return 0.0
    noun_count: int = lexicon.pos_counts(word).get("n", 0)
    return min(noun_count, 30) / 30


def _mostly_a_noun(word: str) -> bool:
    """Whether WordNet uses ``word`` as a noun at least as often as otherwise ("rain", not
    "drink" or "green"). Without WordNet every word passes."""
    from . import lexicon

    if not lexicon.lexicon_available():
        return True
    counts: dict[str, int] = lexicon.pos_counts(word)
    noun = counts.get("n", 0)
    return noun > 0 and noun >= max((n for pos, n in counts.items() if pos != "n"), default=0)


@lru_cache(maxsize=8)
def _vocabulary(language: str) -> _Vocabulary:
    root = _root()
    try:
        local = _local_entries(language)
        english = json.loads((root / "en" / "data.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return _Vocabulary({}, {}, 0)
    label_of: dict[str, str] = {}
    english_words: dict[str, set[str]] = {}
    label_words: dict[str, set[str]] = {}
    for entry in english:
        if entry.get("group") is None or entry.get("group") in _SKIPPED_GROUPS:
            continue
        code = entry["hexcode"]
        label_of[code] = entry["label"]
        words = {w for w in _ENGLISH_WORD.findall(entry["label"].lower()) if w not in _ENGLISH_FILLER}
        for tag in entry.get("tags", ()):
            words.update(w for w in _ENGLISH_WORD.findall(tag.lower()) if w not in _ENGLISH_FILLER)
        english_words[code] = {w for w in words if len(w) >= 3}
        label_words[code] = set(_ENGLISH_WORD.findall(entry["label"].lower()))
    names: dict[str, str] = {}
    carriers: dict[str, set[str]] = defaultdict(set)  # local keyword -> emoji with it
    for entry in local:
        code = entry.get("hexcode", "")
        label = label_of.get(code)
        if not label:
            continue
        name = _normal(entry.get("label", ""))
        if name and len(name.split()) <= _MAX_PHRASE_WORDS:
            # The shortest English name wins for a word two emoji share.
            if name not in names or len(label) < len(names[name]):
                names[name] = label
        for tag in entry.get("tags", ()):
            tag = _normal(tag)
            if tag and len(tag.split()) <= _MAX_PHRASE_WORDS:
                carriers[tag].add(code)
    spaced = language not in _UNSPACED
    name_texts = [_normal(entry.get("label", "")) for entry in local]
    name_words = {w for text in name_texts for w in _NAME_PARTS.split(text) if w}
    bearers: Counter[str] = Counter(w for words in english_words.values() for w in words)
    keywords: dict[str, str] = {}
    for tag, codes in carriers.items():
        if tag in names or len(codes) > _MAX_KEYWORD_EMOJI or not _could_be_noun(tag, language):
            continue
        best = _english_counterpart(tag, codes, english_words, bearers, label_words)
        if best is None or not _mostly_a_noun(best[0]):
            continue
        # A keyword is a thing's word when some emoji's name uses it too ("Tee": Mate-Tee;
        # "Regen": Wolke mit Regen), or when it is spelled like its English word. Verbs and
        # adjectives ("lire", "grand", "santé") are in no name, and their emoji's English
        # words, a book or a dinosaur, are no translation.
        word, confirmed = best
        if confirmed or _in_a_name(tag, name_words, name_texts, language):
            keywords[tag] = word
    longest = max((len(t.split()) if spaced else len(t) for t in (*names, *keywords)), default=0)
    if not spaced:
        names = {t: e for t, e in names.items() if _fits_unspaced(t)}
        keywords = {t: e for t, e in keywords.items() if _fits_unspaced(t)}
    folded: dict[str, str] = {}
    clashes: set[str] = set()
    # Only where an accent marks stress or a spelling, not another word (German "Fähre").
    for term, english_name in (*keywords.items(), *names.items()) if language in _ACCENTED else ():
        plain = _folded(term)
        if plain in folded and folded[plain] != english_name:
            clashes.add(plain)
        folded[plain] = english_name
    for plain in clashes:
        del folded[plain]
    return _Vocabulary(names, keywords, longest, folded)


def _english_counterpart(
    keyword: str,
    codes: set[str],
    english_words: dict[str, set[str]],
    bearers: Counter[str],
    label_words: dict[str, set[str]],
) -> tuple[str, bool] | None:
    """The English word that lines up with ``keyword``, carried by the emoji ``codes``: one
    found on two of them at least, whose own emoji are most nearly the same (Dice). The
    keyword's own spelling wins ("gold", "sport"); a word spelled like it ("Tee", tea), then
    a word of the emoji's English names ("cat" before "kitten") go before the others. When
    two words fit about as well and neither is spelled like the keyword ("Saft": straw or
    juice?), the keyword is not used. Gives the word and whether the data alone confirm it:
    spelled much alike, or on three or more of the same emoji agreeing well ("お茶": tea)."""
    shared = Counter(w for code in codes for w in english_words[code])
    plain = _folded(keyword)
    ranked: list[tuple[float, bool, int, str, float]] = []
    for word, together in shared.items():
        likeness = SequenceMatcher(None, plain, word).ratio()
        alike = likeness >= _COGNATE
        # One emoji is evidence enough only for a word spelled much alike ("Markt": market;
        # not "Wunder": wand).
        if together < 2 and not (likeness >= _SURE_COGNATE and min(len(plain), len(word)) >= _MIN_STEM):
            continue
        agreement = 2 * together / (len(codes) + bearers[word])
        if agreement < _MIN_AGREEMENT and not alike:
            continue
        named = sum(1 for code in codes if word in label_words[code]) / len(codes)
        score = (
            agreement
            + _NAME_BONUS * named
            + (_COGNATE_BONUS * likeness + _COMMON_BONUS * _noun_use(word) if alike else 0.0)
            + (1.0 if word == plain else 0.0)
        )
        ranked.append((score, likeness >= _SURE_COGNATE, together, word, agreement))
    if not ranked:
        return None
    ranked.sort(key=lambda r: (-r[0], -r[2], len(r[3]), r[3]))
    best = ranked[0]
    if len(ranked) > 1 and not best[1] and ranked[1][0] >= best[0] - _CLOSE:
        return None
    # Spelled alike, or carried by the same emoji, three or more, in both languages.
    confirmed = best[1] or (best[2] >= _FIRM_TOGETHER and best[4] >= _FIRM_AGREEMENT)
    return best[3], confirmed


def _in_a_name(keyword: str, name_words: set[str], name_texts: list[str], language: str) -> bool:
    """Whether some emoji's name uses ``keyword``: as a word, as a part of a compound
    ("Käse" in "Käsestück"), or anywhere in a name of a language without spaces."""
    if language in _UNSPACED or " " in keyword:
        return any(keyword in text for text in name_texts)
    if language in _COMPOUNDING and len(keyword) >= _MIN_STEM:
        return any(keyword in word for word in name_words)
    return keyword in name_words


def _could_be_noun(keyword: str, language: str) -> bool:
    """Whether a keyword may name a thing: a Japanese keyword of kanji that ends in kana is
    a verb or an adjective ("寒い", cold; "焼く", to bake)."""
    if language == "ja" and len(keyword) >= 2:
        last = unicodedata.name(keyword[-1], "")
        if "HIRAGANA" in last and any("CJK" in unicodedata.name(ch, "") for ch in keyword):
            return False
    return True


def _fits_unspaced(term: str) -> bool:
    """A word that can be cut out of unspaced text: one ideograph, or two or more kana or
    ideographs, but no word of two hiragana ("あめ" is in too many words of grammar)."""
    scripts = [unicodedata.name(ch, "") for ch in term]
    if len(term) == 1:
        return "CJK" in scripts[0]
    if all("HIRAGANA" in s for s in scripts):
        return len(term) >= 3
    return True


def _language_key(language: str) -> str:
    language = language.lower()
    if language in {"zh-hant", "en-gb", "es-mx"}:
        return language
    return language.split("-")[0]


def _stems(word: str, language: str) -> list[str]:
    """Forms ``word`` may be an inflection of, most likely first."""
    forms: list[str] = []
    # Arabic and Hebrew write the article and "and", "in", "for", "as" onto the word:
    # "والقهوة" is "and the coffee", "החתול" "the cat". (Arabic's broken plurals, "نجوم" for
    # "نجم", are not undone.)
    for prefix in _PREFIXES.get(language, ()):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            forms.append(word[len(prefix) :])
    if language == "de" and len(word) >= _MIN_STEM and word.translate(_DEUMLAUT) != word:
        forms.append(word.translate(_DEUMLAUT))  # "Äpfel" are "Apfel", "Vögel" "Vogel"
    for ending, replacement in _ENDINGS.get(language, ()):
        if word.endswith(ending) and len(word) > len(ending):
            stem = word[: -len(ending)] + replacement
            if len(stem) < _MIN_STEM:
                continue
            forms.append(stem)
            if language == "de":
                # "Bäume" is "Baum"; "regn|et" is "Regen"; "Tulp|en" a "Tulpe".
                forms.append(stem.translate(_DEUMLAUT))
                if len(stem) > 2 and stem[-1] in "lnr" and stem[-2] not in "aeiouäöü":
                    forms.append(stem[:-1] + "e" + stem[-1])
                forms.append(stem + "e")
    return list(dict.fromkeys(forms))


def _spaced_word(word: str, vocabulary: _Vocabulary, language: str) -> str | None:
    """The English word for one word of spaced text, or None."""
    found = _inflected(word, vocabulary, language)
    if found or language not in _COMPOUNDING:
        return found
    for form in (word, *_stems(word, language)):
        # A compound ends in the thing it is: "Apfelkuchen" is a kind of "Kuchen".
        for cut in range(3, len(form) - _MIN_STEM + 1):
            found = _inflected(form[cut:], vocabulary, language)
            if found:
                return found
    return None


def _inflected(word: str, vocabulary: _Vocabulary, language: str) -> str | None:
    """The English word for ``word`` as written, or for one of its stems."""
    found = vocabulary.get(word)
    if found:
        return found
    for stem in _stems(word, language):
        found = vocabulary.get_stem(stem)
        if found:
            return found
    return None


def _verb_word(word: str, vocabulary: _Vocabulary) -> str | None:
    """The thing a German verb form is named after ("regnet": Regen, "blitzt": Blitz), or
    None: a German word written small is no noun, so it is not read as one of its plurals
    ("die Bienen fliegen" has no flies)."""
    for ending in ("et", "st", "t"):
        stem = word[: -len(ending)]
        if not word.endswith(ending) or len(stem) < _MIN_STEM:
            continue
        for form in (stem, stem[:-1] + "e" + stem[-1] if stem[-1] in "lnr" else ""):
            if form and (found := vocabulary.get(form)):
                return found
    return None


def _place_of(words: list[str], matches: list[re.Match[str]], i: int, since: int, text: str, language: str) -> str:
    """The English place preposition ("in", "on", "under"...) right before the thing named at
    word ``i``, over articles only (and, in German, words written small: "neben dem alten
    Baum", beside), or ""."""
    prepositions = _PLACES.get(language, {})
    articles = _FUNCTION_WORDS.get(language, frozenset())
    for j in range(i - 1, max(since, i - 4) - 1, -1):
        if any(mark in text[matches[j].end() : matches[j + 1].start()] for mark in ",.;:!?"):
            return ""
        if words[j] in prepositions:
            # "en bicicleta" is by bike: Spanish "en" is a place only before an article.
            if j == i - 1 and words[j] in _PLACES_BEFORE_ARTICLES.get(language, ()):
                return ""
            return prepositions[words[j]]
        if words[j] not in articles and not (language == "de" and matches[j].group(0)[0].islower()):
            return ""
    return ""


def _read_spaced(text: str, vocabulary: _Vocabulary, language: str) -> list[tuple[int, str, str]]:
    skipped = _FUNCTION_WORDS.get(language, frozenset())
    matches = list(_WORD.finditer(text))
    words = [m.group(0).lower() for m in matches]
    # German writes every noun with a capital; a text that does so tells its verbs apart.
    nouns_capitalised = language == "de" and any(ch.isupper() for ch in text[1:])
    found: list[tuple[int, str, str]] = []
    i = since = 0
    sayings = {tuple(s.split()) for s in _SAYINGS.get(language, ())}
    while i < len(words):
        saying = next((len(s) for s in sayings if tuple(words[i : i + len(s)]) == s), 0)
        if saying:
            i += saying
            continue
        size = 1
        # Longest phrase first: "pomme de terre", "coucher de soleil".
        for size in range(min(vocabulary.longest, len(words) - i), 0, -1):
            if size == 1:
                word = words[i]
                if word in skipped:
                    english = None
                elif nouns_capitalised and matches[i].group(0)[0].islower():
                    english = _verb_word(word, vocabulary)
                else:
                    english = _spaced_word(word, vocabulary, language)
            else:
                english = vocabulary.get(" ".join(words[i : i + size]))
            if english:
                place = _place_of(words, matches, i, since, text, language)
                found.append((matches[i].start(), english, place))
                since = i + size
                break
        i += size
    return found


def _read_unspaced(text: str, vocabulary: _Vocabulary) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        common = _NOT_PICTURES.match(text, i)
        if common:
            i = common.end()
            continue
        for size in range(min(vocabulary.longest, len(text) - i), 0, -1):
            english = vocabulary.get(text[i : i + size])
            if english:
                found.append((i, english))
                i += size
                break
        else:
            i += 1
    return found


def english_picture_words(text: str, *, language: str) -> str:
    """The English names of the drawable things ``text`` names, in order, joined as a
    phrase list, a thing the sentence puts somewhere with its place preposition ("Im Garten
    blühen Tulpen und Rosen": "in the garden, tulip, rose"), or "" when it names none we
    know."""
    language = _language_key(language)
    vocabulary = _vocabulary(language)
    if not vocabulary.longest:
        return ""
    text = unicodedata.normalize("NFC", text)
    if language in _UNSPACED:
        text = text.lower()
        found = [(at, english, "") for at, english in _read_unspaced(text, vocabulary)]
    else:
        found = _read_spaced(text, vocabulary, language)
    phrases: dict[str, str] = {}
    for _, english, place in sorted(found):
        # Where a thing is, as the English reader understands it: "tea, at the window".
        phrases.setdefault(english, f"{place} the {english}" if place else english)
    return ", ".join(phrases.values())
