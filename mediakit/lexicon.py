"""WordNet, read offline: lemmas, noun senses, what a sense is (its lexicographer file)
and what it is a kind of. Used by the scene reader and the artwork library's index.

The data is Debian's ``wordnet-base`` (WordNet 3.0), which ``scripts/setup.sh`` copies
with its ``lexnames`` file (shipped here, in ``mediakit/data``) into ``.artwork/wordnet``;
NLTK's reader reads it. Nothing is fetched: without the folder every function answers
as if no word were known (``lexicon_available()`` says which).
"""

from __future__ import annotations

import functools
import gc
import os
import pickle
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from . import config

__all__ = [
    "DEPICTABLE",
    "Sense",
    "compound_senses",
    "hyponym_lemmas",
    "lemma",
    "lexicon_available",
    "noun_senses",
    "pos_counts",
    "sense_named",
    "wordnet_dir",
]

# Lexicographer files whose nouns can be drawn: things, creatures, food, places, people,
# weather. Acts, feelings, ideas, times and quantities cannot: a picture of one of them
# would be another sense of the word (a pun) or nothing at all.
DEPICTABLE = frozenset(
    {
        "noun.artifact",
        "noun.animal",
        "noun.food",
        "noun.plant",
        "noun.object",
        "noun.person",
        "noun.location",
        "noun.body",
        "noun.substance",
        "noun.phenomenon",
    }
)


# Events one can see and draw: the sea's waves, a fire.
DRAWN_EVENTS = frozenset(
    # Construction work has its picture too: a crane, the striped barrier.
    {"wave.n.01", "fire.n.01", "fire.n.03", "explosion.n.01", "rainbow.n.01", "construction.n.01"}
)


@dataclass(frozen=True)
class Sense:
    name: str  # "lighthouse.n.01"-style synset name
    lexname: str  # "noun.artifact"
    count: int  # how often this word has this sense in WordNet's tagged corpus
    lemmas: tuple[str, ...]  # the synset's words, "light_bulb" style
    hypernyms: tuple[str, ...]  # first lemma of each ancestor, nearest first
    definition: str
    ancestors: tuple[str, ...] = ()  # synset names of every ancestor, nearest first
    is_instance: bool = False  # a named one ("Neil Armstrong", "Kyoto"), not a kind

    def is_a(self, other: Sense | str) -> bool:
        """Whether this sense is ``other`` or a kind of it (a car is a vehicle)."""
        name = other if isinstance(other, str) else other.name
        return self.name == name or name in self.ancestors

    @property
    def depictable(self) -> bool:
        return self.lexname in DEPICTABLE or self.name in DRAWN_EVENTS


# Senses that are the usual ones today, though WordNet's older counts say otherwise (its
# "battery" is most often artillery): readers of scripts and of artwork titles favour them;
# context can still overrule.
USUAL_SENSES = {
    "battery": "battery.n.02",
    "batteries": "battery.n.02",
    "mouse": "mouse.n.04",
    "whale": "whale.n.02",  # once "a very large person" in the corpus, never the animal
    "volcano": "volcano.n.02",  # the mountain; WordNet's first is the vent it erupts through
    "runner": "runner.n.02",  # one who runs; WordNet's first is a smuggler
}


def wordnet_dir() -> Path:
    return Path(config.current().wordnet_dir)


def lexicon_available() -> bool:
    return (wordnet_dir() / "lexnames").is_file() and (wordnet_dir() / "index.noun").is_file()


# NLTK's WordNet reader seeks and reads shared file handles: two threads at once (the API
# creating videos in parallel) read each other's lines. Every call into it holds this lock.
_lock = threading.RLock()
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _serialised(function: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(function)
    def locked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _lock:
            return function(*args, **kwargs)

    return locked


# NLTK's reader parses WordNet's four index files into a lemma -> part of speech -> synset
# offsets map, and data.adj for its satellite adjectives, every time a process first reads a
# word: 1.1 s of CPU (a worker, `make_video`, `bench_job`'s every run). scripts/setup.sh
# writes what the parse gives to this file in the WordNet folder (``python -m
# mediakit.lexicon build``), stamped with the sources' sizes and times and NLTK's version;
# loading it takes 0.1 s. A missing or stale file is never written at run time: the reader
# parses, as NLTK does.
INDEX_CACHE_NAME = "nltk-index.pickle"
_INDEX_SOURCES = ("index.noun", "index.verb", "index.adj", "index.adv", "data.adj")


def _index_stamp(root: str) -> tuple[object, ...]:
    import nltk

    files = []
    for name in _INDEX_SOURCES:
        stat = os.stat(Path(root) / name)
        files.append((name, stat.st_size, stat.st_mtime_ns))
    return (nltk.__version__, tuple(files))


def _read_index_cache(root: str) -> tuple[Any, set[int]] | None:
    """The parsed index from INDEX_CACHE_NAME, or None when it is missing, unreadable or
    stale (made from other files or by another NLTK)."""
    path = Path(root) / INDEX_CACHE_NAME
    try:
        with open(path, "rb") as cache:
            if pickle.load(cache) != _index_stamp(root):
                return None
            # Collection passes over the map's 150,000 new containers cost 0.3 s of the 0.4.
            enabled = gc.isenabled()
            gc.disable()
            try:
                lemma_map, satellites = pickle.load(cache)
            finally:
                if enabled:
                    gc.enable()
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return None
    return lemma_map, satellites


def _reader_class(*, use_cache: bool) -> type:
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class _Reader(WordNetCorpusReader):  # type: ignore[misc]  # NLTK has no types
        _cached: tuple[Any, set[int]] | None = None

        # WordNet 3.0 itself: no mapping to another version (NLTK would look for its own
        # downloaded copy to map from).
        def map_wn(self, version: str = "wordnet") -> None:
            return None

        # NLTK's constructor calls these two, in this order, to parse the index.
        def _scan_satellites(self) -> None:
            self._cached = _read_index_cache(self.root.path) if use_cache else None
            if self._cached is None:
                super()._scan_satellites()
            else:
                self.satellite_offsets = self._cached[1]

        def _load_lemma_pos_offset_map(self) -> None:
            if self._cached is None:
                super()._load_lemma_pos_offset_map()
            else:
                self._lemma_pos_offset_map = self._cached[0]
                self._cached = None

    return _Reader


def _new_reader(root: str, *, use_cache: bool = True) -> Any:
    import nltk

    if root not in nltk.data.path:
        nltk.data.path.append(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "multilingual functions are not available"
        return _reader_class(use_cache=use_cache)(root, None)


@lru_cache(maxsize=1)
def _reader(root: str) -> Any:
    return _new_reader(root)


def index_cache_build(root: str | Path | None = None) -> bool:
    """Write INDEX_CACHE_NAME for the WordNet folder (scripts/setup.sh); False when the one
    there is current already. Parses the index as NLTK does and writes atomically."""
    folder = str(root or wordnet_dir())
    stamp = _index_stamp(folder)
    path = Path(folder) / INDEX_CACHE_NAME
    try:
        with open(path, "rb") as cache:
            if pickle.load(cache) == stamp:
                return False
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        pass
    parsed = _new_reader(folder, use_cache=False)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with open(partial, "wb") as out:
            pickle.dump(stamp, out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump((parsed._lemma_pos_offset_map, parsed.satellite_offsets), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return True


@lru_cache(maxsize=1)
def _tag_counts(root: str) -> dict[str, int]:
    """WordNet's ``cntlist.rev`` (sense key, sense number, times tagged) read once: NLTK's
    ``Lemma.count()`` binary-searches the file on every call (2 s of a 10 s picture run)."""
    counts: dict[str, int] = {}
    with open(Path(root) / "cntlist.rev", encoding="utf-8") as lines:
        for line in lines:
            key, _, count = line.rpartition(" ")
            counts[key.split(" ", 1)[0]] = int(count)
    return counts


def _lemma_count(item: Any) -> int:
    """How often the corpus tags this lemma (an NLTK ``Lemma``) in this sense."""
    return _tag_counts(str(wordnet_dir())).get(item.key(), 0)


@lru_cache(maxsize=4)
def _available(root: str) -> bool:
    return (Path(root) / "lexnames").is_file() and (Path(root) / "index.noun").is_file()


def _wn() -> Any:
    """NLTK's WordNet reader (untyped), or None without the data. Called on every word:
    whether the folder is there is looked at once per folder (two stats and two Paths a call
    were 0.3 s of six pictures' 6.5)."""
    root = config.current().wordnet_dir
    if not _available(root):
        return None
    with _lock:
        return _reader(root)


@lru_cache(maxsize=50000)
@_serialised
def lemma(word: str, pos: str = "n") -> str | None:
    """WordNet's base form of ``word`` as part of speech ``pos`` ("n", "v", "a", "r"), or
    None when WordNet does not know it as one: lemma("rows") == "row"."""
    wn = _wn()
    if wn is None or not word:
        return None
    key = word.lower().replace(" ", "_")
    try:
        base: str | None = wn.morphy(key, pos)
        if base == key and pos == "n" and key.endswith("s"):
            # "bridges" is the plural of "bridge", not only the poet Bridges: a form whose
            # every noun is a named one gives way to a common noun's plural.
            forms: list[str] = [f for f in wn._morphy(key, "n") if f != key]
            own = [s for s in wn.synsets(key, "n") if key in (item.name().lower() for item in s.lemmas())]
            if forms and own and all(s.instance_hypernyms() for s in own):
                return forms[0]
            # "shoes" is the plural of "shoe", not only "a particular situation" (in someone's
            # shoes): a form whose every noun is no thing gives way to a thing's plural.
            # ("glasses" stay spectacles.)
            if forms and own and not any(s.lexname() in DEPICTABLE for s in own):
                things = [f for f in forms if any(s.lexname() in DEPICTABLE for s in wn.synsets(f, "n"))]
                if things:
                    return things[0]
        return base
    except Exception:  # noqa: BLE001 - odd input (digits, symbols): not a word
        return None


@lru_cache(maxsize=50000)
@_serialised
def pos_counts(word: str) -> dict[str, int]:
    """How often ``word`` (any form) is used as each part of speech in WordNet's tagged
    corpus, plus one per sense so an untagged but listed use still counts: the prior for
    telling "rows" (noun) from "rows" (verb) before the context says more."""
    wn = _wn()
    counts: dict[str, int] = {}
    if wn is None:
        return counts
    for pos in ("n", "v", "a", "r"):
        base = lemma(word, pos)
        if base is None:
            continue
        total = 0
        for synset in wn.synsets(base, pos):
            for item in synset.lemmas():
                if item.name().lower() == base.lower():
                    total += _lemma_count(item) + 1
        if total:
            counts[pos] = total
    return counts


def mostly_adjective(word: str) -> bool:
    """Whether ``word`` is used more as an adjective than as a noun ("flat", "new")."""
    counts = pos_counts(word)
    return counts.get("a", 0) > counts.get("n", 0)


def _sense(synset: Any, word: str) -> Sense:
    count = sum(_lemma_count(item) for item in synset.lemmas() if item.name().lower() == word.lower())
    hypernyms: list[str] = []
    ancestors: list[str] = []
    frontier = [synset]
    seen = set()
    while frontier and len(ancestors) < 40:
        nxt = []
        for item in frontier:
            for parent in item.hypernyms() + item.instance_hypernyms():
                if parent.name() in seen:
                    continue
                seen.add(parent.name())
                ancestors.append(parent.name())
                if len(hypernyms) < 12:
                    hypernyms.append(parent.lemmas()[0].name())
                nxt.append(parent)
        frontier = nxt
    return Sense(
        name=synset.name(),
        lexname=synset.lexname(),
        count=count,
        lemmas=tuple(item.name() for item in synset.lemmas()),
        hypernyms=tuple(hypernyms),
        definition=synset.definition(),
        ancestors=tuple(ancestors),
        is_instance=bool(synset.instance_hypernyms()),
    )


@lru_cache(maxsize=20000)
@_serialised
def noun_senses(word: str) -> tuple[Sense, ...]:
    """The noun senses of ``word`` (any form; "light bulb" or "light_bulb" for a compound),
    most frequent first."""
    wn = _wn()
    base = lemma(word, "n")
    if wn is None or base is None:
        return ()
    senses = [_sense(synset, base) for synset in wn.synsets(base, "n")]
    # Stable: WordNet lists senses by frequency already; counts break only its ties.
    return tuple(sorted(senses, key=lambda s: -s.count)) if any(s.count for s in senses) else tuple(senses)


@lru_cache(maxsize=4096)
@_serialised
def named_senses(word: str) -> tuple[Sense, ...]:
    """The named things (instances) whose own name is ``word`` as written, not a base form
    of it: "Mars" the planet and the god, where noun_senses reads "mars" as the verb "mar"."""
    wn = _wn()
    if wn is None or not word:
        return ()
    key = word.lower().replace(" ", "_")
    return tuple(
        _sense(synset, key)
        for synset in wn.synsets(key, "n")
        if synset.instance_hypernyms() and key in {name.lower() for name in synset.lemma_names()}
    )


@_serialised
def has_common_sense(word: str) -> bool:
    """Whether ``word`` as written is the name of a kind of thing, not only of named ones."""
    wn = _wn()
    key = word.lower().replace(" ", "_")
    return wn is not None and any(
        not synset.instance_hypernyms() and key in {name.lower() for name in synset.lemma_names()}
        for synset in wn.synsets(key, "n")
    )


@lru_cache(maxsize=20000)
@_serialised
def verb_lexname(word: str) -> str:
    """The kind of action ``word`` usually names as a verb ("sat": "verb.contact"), or ""."""
    wn = _wn()
    base = lemma(word, "v") if wn is not None else None
    if base is None:
        return ""
    synsets = wn.synsets(base, "v")
    return str(synsets[0].lexname()) if synsets else ""


@lru_cache(maxsize=4096)
@_serialised
def agent_of(verb: str) -> Sense | None:
    """The one who does ``verb`` when it is a way of moving, as a person: "running" -> a
    runner, "walk" -> a pedestrian, "swim" -> a swimmer. None for other verbs ("check" has
    a checker, but who checks is no picture of checking)."""
    wn = _wn()
    base = lemma(verb, "v") if wn is not None else None
    if base is None:
        return None
    for synset in wn.synsets(base, "v")[:2]:
        if synset.lexname() != "verb.motion":
            continue
        for item in synset.lemmas():
            if item.name().lower() != base:
                continue
            for form in item.derivationally_related_forms():
                person = form.synset()
                if person.lexname() == "noun.person":
                    return _sense(person, form.name())
    return None


def agent_in_title(title: str) -> Sense | None:
    """What a picture titled "person running" or "woman swimming" shows: a runner, a
    swimmer (``agent_of`` its verb); None for any other title."""
    words = title.lower().split()
    if len(words) == 2 and words[0] in {"person", "man", "woman"} and words[1].endswith("ing"):
        return agent_of(words[1])
    return None


@lru_cache(maxsize=20000)
@_serialised
def hyponym_lemmas(name: str, *, limit: int = 12) -> tuple[str, ...]:
    """Words for the kinds of ``name`` (a synset name), most used first: what a picture of
    "fruit" may show (an apple)."""
    wn = _wn()
    if wn is None:
        return ()
    try:
        synset = wn.synset(name)
    except Exception:  # noqa: BLE001 - an unknown name: no kinds
        return ()
    kinds = sorted(synset.hyponyms(), key=lambda s: -sum(_lemma_count(item) for item in s.lemmas()))
    return tuple(kind.lemmas()[0].name() for kind in kinds[:limit])


@lru_cache(maxsize=4096)
@_serialised
def sense_named(name: str) -> Sense | None:
    """The sense called ``name`` ("server.n.03"), or None."""
    wn = _wn()
    if wn is None:
        return None
    try:
        synset = wn.synset(name)
    except Exception:  # noqa: BLE001 - an unknown name
        return None
    return _sense(synset, name.split(".")[0])


def compound_senses(words: tuple[str, ...]) -> tuple[Sense, ...]:
    """Noun senses of a multiword expression ("light", "bulbs") -> light_bulb, if WordNet
    has it; () otherwise."""
    if len(words) < 2:
        return ()
    senses = noun_senses("_".join(w.lower() for w in words))
    if senses or len(words) != 2 or min(len(w) for w in words) < 3:
        return senses
    # Written as one word in WordNet: "tea houses" are teahouses, "honey combs" honeycombs.
    first, last = words[0].lower(), words[1].lower()
    if not (pos_counts(first).get("n") and pos_counts(last).get("n")):
        return ()
    return noun_senses(first + (lemma(last, "n") or last))


def main(argv: list[str]) -> int:
    """``python -m mediakit.lexicon build``: write the parsed index (scripts/setup.sh)."""
    if argv != ["build"]:
        print("usage: python -m mediakit.lexicon build", file=sys.stderr)
        return 2
    if not lexicon_available():
        print(f"no WordNet in {wordnet_dir()}: run scripts/setup.sh", file=sys.stderr)
        return 1
    built = index_cache_build()
    print(f"  wordnet index: {'written' if built else 'current'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
