"""What a scene's picture should show, read from its narration: the main subject, the
setting, the action, the mood, and the number that is the point of the scene.

One reader for every picture source: the offline illustration, stock search queries, the
Replicate prompt and the stock library all start from ``read_scene``. Words are read as
WordNet senses in context (``mediakit.lexicon``): "rows" of a spreadsheet is a noun of
arrangement, not rowing; "nobody minded" has a verb, not a mind; "light bulb" and "bike
lane" are one thing each. Only senses that can be drawn (things, creatures, food, places,
people, weather) become the subject; a word whose every sense is abstract gives nothing
rather than a pun.

``describe`` writes the reading back as a short description ("lighthouse on a cliff,
night") in words that read back to the same senses, so the creator can see and edit what
the picture shows, and every provider re-reads the same words.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from . import lexicon
from .emoji_names import english_picture_words
from .lexicon import Sense
from .words import STOPWORDS

__all__ = ["Concept", "SceneReading", "read_scene", "script_topics", "topic_concept"]

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*%?|[^\sA-Za-z\d]", re.UNICODE)
# The house style storyboards append to a picture prompt: no word of it is a subject.
_STYLE_SUFFIX = re.compile(r",?\s*cinematic illustration\s*$", re.IGNORECASE)
_LATIN_WORD = re.compile(r"^[A-Za-z][A-Za-z'’-]*$")

_DETERMINERS = frozenset(
    "a an the this that these those his her its their our my your some every each no any another "
    "several many few both all".split()
)
_PRONOUNS = frozenset(
    "i you we they he she it nobody everybody everyone someone somebody who which that there one people".split()
)
_AUXILIARIES = frozenset(
    "to will would can could should may might must do does did don't didn't won't can't shall "
    "has have had is are was were be been being am isn't wasn't aren't weren't not never also just".split()
)
_PREPOSITIONS = frozenset(
    "on in at over under above below beside by near behind across along around through into onto "
    "inside outside from between among toward towards against beneath upon off past".split()
)
# Prepositions that put the noun after them in the setting: "a keeper on the cliff".
_SETTING_PREPOSITIONS = frozenset(
    "on in at over under above below beside by near behind across along around through into onto "
    "inside outside beneath upon".split()
)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred hundreds thousand thousands million millions billion billions dozen dozens half".split()
)
_FUNCTION_WORDS = frozenset(
    "but so than then when while because if as until unless though although whether where how why what "
    "now soon often always again still already ever very too even only just".split()
)
# Words that measure out a stuff: "a piece of glass", "a cup of coffee" is about the stuff.
_MEASURES = frozenset(
    "piece pieces bit bits shard shards sheet sheets pane slice slices lump drop drops grain grains "
    "cup cups glass glasses bowl spoonful pinch handful bag bags bottle litre liter gram grams".split()
)
# Adverbs that stand before a verb: "volunteers now guard the nests" (no Buckingham guard).
_VERB_ADVERBS = frozenset("now often always usually sometimes still soon already rarely".split())
# What living things do (sit, run, sleep, call, watch, eat), not what is done to food.
_DOINGS = frozenset(
    {"verb.motion", "verb.body", "verb.communication", "verb.contact", "verb.perception", "verb.consumption"}
)
# Particles of phrasal verbs ("light up", "pump it up" is caught by the pronoun).
_PARTICLES = frozenset({"up", "down", "out", "off", "away", "back", "over"})
_OF_LIKE = frozenset({"of", "with", "for", "about", "like", "and", "or", "without"})

# Words WordNet calls nouns that never make a picture of the scene on their own.
_VAGUE = frozenset(
    """
    thing things way ways time times lot lots kind sort type part parts end start side bit
    number amount percent per cent year years day days week weeks month months hour hours minute
    minutes second seconds moment today tomorrow yesterday tonight people person man woman men
    women place places area world life idea case fact point problem question reason result
    example step steps version level group team use need hand stuff something everything nothing
    anything someone everyone everybody nobody anybody other others one ones lot first last next
    upside downside edge top inside outside front middle bottom rest piece back home work job
    illustration cinematic render style photo photograph picture image shot scene
    """.split()
)

# Multiword terms WordNet lacks, and what a picture of them shows (a literal reading of
# each word would be a pun: "cloud storage" is no rain cloud).
_TERMS: dict[str, str] = {
    "cloud storage": "server.n.03",
    "cloud computing": "server.n.03",
    "cloud service": "server.n.03",
    "data center": "server.n.03",
    "data centre": "server.n.03",
    "bike lane": "bicycle",
    "bike lanes": "bicycle",
    "cycle lane": "bicycle",
    "social media": "cellular_telephone.n.01",
    "mobile phone": "cellular_telephone.n.01",
    "cell phone": "cellular_telephone.n.01",
    "smart phone": "cellular_telephone.n.01",
    # Today's "phone" is a mobile one (WordNet 3.0's usual phone has a cord).
    "phone": "cellular_telephone.n.01",
    "phones": "cellular_telephone.n.01",
    "smartphone": "cellular_telephone.n.01",
    "smartphones": "cellular_telephone.n.01",
    "stock market": "stock ticker",
    "bank account": "piggy bank",
    "savings account": "piggy bank",
    "electric car": "electric car",
    "e-mail": "envelope",
    "email": "envelope",
    "inbox": "envelope",
    "spreadsheet": "spreadsheet",
    "app": "cellular_telephone.n.01",
    "website": "computer",
    "online": "computer",
    "software": "computer",
    "code": "computer",
    "laptop": "laptop",
    "wifi": "router.n.02",
    "recipe": "cookbook",
    "podcast": "microphone",
    # The world and its nations are drawn as a globe, not as a pun on "country" music.
    "country": "globe.n.03",
    "countries": "globe.n.03",
    "world": "globe.n.03",
    "worldwide": "globe.n.03",
    "international": "globe.n.03",
}

# Words that set the hour or the weather of a picture.
_MOOD_WORDS: dict[str, str] = {
    "night": "night",
    "midnight": "night",
    "dark": "night",
    "darkness": "night",
    "stars": "night",
    "moonlight": "night",
    "evening": "dusk",
    "dusk": "dusk",
    "sunset": "dusk",
    "twilight": "dusk",
    "dawn": "dawn",
    "sunrise": "dawn",
    "morning": "dawn",
    "storm": "storm",
    "storms": "storm",
    "stormy": "storm",
    "thunder": "storm",
    "lightning": "storm",
    "gale": "storm",
    "rain": "rain",
    "rainy": "rain",
    "raining": "rain",
    "snow": "snow",
    "snowy": "snow",
    "winter": "snow",
    "frost": "snow",
    "fog": "fog",
    "foggy": "fog",
    "mist": "fog",
}

# Lexicographer files by how good a subject their nouns make.
_LEXNAME_WEIGHT = {
    "noun.artifact": 1.0,
    "noun.animal": 1.1,
    "noun.food": 1.0,
    "noun.plant": 1.0,
    "noun.person": 1.0,
    "noun.object": 0.8,
    "noun.location": 0.7,
    "noun.body": 0.6,
    "noun.substance": 0.5,
    "noun.phenomenon": 0.6,
}
# Named places drawn as what they are: a city, not a pun on their name.
_TOWNS = frozenset({"city.n.01", "national_capital.n.01", "port.n.01", "town.n.01", "state_capital.n.01"})
_SETTING_LEXNAMES = frozenset({"noun.location", "noun.object", "noun.artifact"})


@dataclass(frozen=True)
class Concept:
    """One thing a picture can show: the words said, the WordNet sense read for them, and
    the words to search for it with."""

    text: str  # as it reads in a description: "lighthouse", "light bulb"
    sense: Sense | None
    role: str  # "subject", "setting", "other"

    @property
    def lexname(self) -> str:
        return self.sense.lexname if self.sense else ""

    def search_terms(self) -> list[tuple[str, float]]:
        """(phrase, weight): the words for this sense, then what it is a kind of."""
        terms: list[tuple[str, float]] = [(self.text, 1.0)]
        if self.sense is not None:
            for lemma_name in self.sense.lemmas:
                terms.append((lemma_name.replace("_", " ").lower(), 0.95))
            for depth, parent in enumerate(self.sense.hypernyms[:2]):
                terms.append((parent.replace("_", " ").lower(), 0.45 - 0.15 * depth))
            for kind in lexicon.hyponym_lemmas(self.sense.name, limit=6):
                terms.append((kind.replace("_", " ").lower(), 0.4))
        seen: dict[str, float] = {}
        for phrase, weight in terms:
            if phrase and seen.get(phrase, 0) < weight:
                seen[phrase] = weight
        return list(seen.items())


@dataclass(frozen=True)
class SceneReading:
    subject: Concept | None
    setting: Concept | None
    others: tuple[Concept, ...]
    action: str  # the main verb's lemma ("climb"), or ""
    mood: str  # "day", "night", "dusk", "dawn", "storm", "rain", "snow", "fog"
    language: str
    # Said to the creator when the words could not be read (another language, no picture
    # word): the picture then shows the video's topic.
    warning: str = ""
    concepts: tuple[Concept, ...] = field(default=())

    def description(self) -> str:
        """What the picture shows, in words that read back to the same senses."""
        if self.subject is None:
            return ""
        text = unambiguous(self.subject.text, self.subject.sense)
        if self.action:
            text += f" {_gerund(self.action)}"
        if self.setting is not None and self.setting.text != self.subject.text:
            place = unambiguous(self.setting.text, self.setting.sense)
            text += f" {_preposition_for(self.setting)} {_article(place)}{place}"
        for other in self.others[:2]:
            said = unambiguous(other.text, other.sense)
            if reads_back(said, other.sense):
                text += f", {said}"  # never words that would draw another thing
        if self.mood != "day":
            text += f", {self.mood}"
        return text

    def search_terms(self) -> list[tuple[str, float]]:
        terms: dict[str, float] = {}
        for concept, scale in ((self.subject, 1.0), (self.setting, 0.5)):
            if concept is None:
                continue
            for phrase, weight in concept.search_terms():
                terms[phrase] = max(terms.get(phrase, 0.0), weight * scale)
        return sorted(terms.items(), key=lambda item: -item[1])


@dataclass
class _Token:
    text: str
    lower: str
    index: int
    capital: bool = False
    starts_sentence: bool = False
    pos: str = ""  # "n", "v", "a", "r", "x" (function word), "num", "p" (punctuation)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for index, match in enumerate(_TOKEN.finditer(text)):
        word = match.group(0).replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        starts = not tokens or tokens[-1].text in {".", "!", "?"}
        tokens.append(
            _Token(text=word, lower=word.lower(), index=index, capital=word[:1].isupper(), starts_sentence=starts)
        )
    return tokens


def _tag(tokens: list[_Token]) -> None:
    """Part of speech from WordNet's frequencies and the words around: enough to tell a
    noun from a verb ("rows of cells" / "she rows"), which is what keeps puns out."""
    previous = ""
    # "bees build wax combs of ...": after the clause's verb, a plural is its object, not a
    # second verb (as in "a boat rocks in the harbour").
    clause_has_verb = False
    # WordNet's own compounds are nouns, whatever their parts may be alone ("cricket bat").
    forced: set[int] = set()
    for position in range(len(tokens) - 1):
        pair = (tokens[position].lower, tokens[position + 1].lower)
        if all(_LATIN_WORD.match(w) and w not in _DETERMINERS for w in pair) and lexicon.compound_senses(pair):
            forced.update((position, position + 1))
    for position, token in enumerate(tokens):
        word = token.lower
        if position in forced:
            token.pos = "n"
            previous = "n"
            continue
        if not _LATIN_WORD.match(token.text):
            token.pos = "num" if token.text[:1].isdigit() else "p"
            previous = token.pos
            clause_has_verb = clause_has_verb and token.pos == "num"
            continue
        if word in _DETERMINERS or word in _PRONOUNS or word in _AUXILIARIES or word in _PREPOSITIONS:
            token.pos = "x"
        elif word in _OF_LIKE or word in _NUMBER_WORDS or word in _FUNCTION_WORDS:
            token.pos = "x"
        else:
            counts = lexicon.pos_counts(word)
            noun, verb = counts.get("n", 0), counts.get("v", 0)
            adjective = counts.get("a", 0) + counts.get("s", 0)
            prev_word = tokens[position - 1].lower if position else ""
            after_noun_slot = prev_word in _DETERMINERS or previous in {"a", "num"} or prev_word in _PREPOSITIONS
            next_word = tokens[position + 1].lower if position + 1 < len(tokens) else ""
            if not counts:
                token.pos = "n" if token.capital and position else "x"
            elif (
                noun
                and prev_word in ("", ",")
                and (not next_word or next_word in {",", "."} | _PREPOSITIONS | _OF_LIKE)
            ):
                # A word standing alone in a list ("train, station"), as picture words do.
                token.pos = "n"
            elif prev_word == "to" and verb:
                token.pos = "v"
            elif (
                (prev_word in _PRONOUNS or prev_word in _AUXILIARIES or prev_word in _VERB_ADVERBS)
                and verb
                and prev_word not in {"that", "one"}
            ):
                token.pos = "v"
            elif (
                next_word in _PARTICLES
                and verb
                and lexicon.pos_counts(f"{word}_{next_word}").get("v")
                and prev_word not in _DETERMINERS
            ):
                token.pos = "v"  # "the lanterns light up": a verb and its particle
            elif (
                previous == "n"
                and noun > adjective + counts.get("r", 0)
                and 2 * noun >= verb
                and position + 1 < len(tokens)
                and lexicon.pos_counts(tokens[position + 1].lower).get("v")
                and tokens[position + 1].lower not in _DETERMINERS | _PREPOSITIONS | _OF_LIKE | _FUNCTION_WORDS
                and not word.endswith("s")
            ):
                token.pos = "n"  # "the harbour ferry leaves": a noun of a noun, then its verb
            elif (
                previous == "n"
                and not clause_has_verb
                and verb
                and not word.endswith("s")
                and prev_word.endswith("s")
                and lexicon.lemma(prev_word, "n") not in (None, prev_word)
                and (
                    next_word in _PREPOSITIONS | _DETERMINERS
                    # "scientists place sensors": a plural, what they do, a plural they do it to
                    or (
                        2 * verb >= noun
                        and next_word.endswith("s")
                        and lexicon.lemma(next_word, "n") not in (None, next_word)
                    )
                )
            ):
                token.pos = "v"  # "puffins nest on the cliffs": a plural, then what they do
            elif (
                previous == "n"
                and not clause_has_verb
                and word.endswith("s")
                and verb
                and position + 1 < len(tokens)
                and tokens[position + 1].lower in _DETERMINERS | _PREPOSITIONS | _FUNCTION_WORDS | _OF_LIKE
            ):
                token.pos = "v"  # "a boat rocks in the harbour": a noun, then what it does
            elif after_noun_slot and noun:
                token.pos = "a" if adjective > noun and _next_could_be_noun(tokens, position) else "n"
            elif word.endswith("ly") and counts.get("r"):
                token.pos = "r"
            elif (
                word.endswith("ing")
                and verb
                # After "the", "new": a describing slot. Opening a phrase, only a form that
                # is no noun itself ("charging stations"; "building houses" stays a verb).
                and (previous == "a" or prev_word in _DETERMINERS or (prev_word in ("", ",") and not noun))
                and position + 1 < len(tokens)
                and lexicon.pos_counts(tokens[position + 1].lower).get("n")
                and not lexicon.mostly_adjective(word)
            ):
                token.pos = "n"  # "new charging stations": what the stations are for, not a verb
            elif word.endswith(("ed", "ing")) and verb >= noun:
                token.pos = "v"
            elif adjective > noun and adjective >= verb:
                token.pos = "a"
            elif noun >= verb:
                token.pos = "n"
            else:
                token.pos = "v"
        previous = token.pos
        if token.pos == "v":
            clause_has_verb = True
        elif word in {"and", "but", "or", "while", "when", "because", "that", "which"}:
            clause_has_verb = False


def _next_could_be_noun(tokens: list[_Token], position: int) -> bool:
    if position + 1 >= len(tokens):
        return False
    return bool(lexicon.pos_counts(tokens[position + 1].lower).get("n"))


@dataclass
class _Candidate:
    text: str
    sense: Sense
    position: int
    after: str  # the preposition before its phrase, or ""
    score: float = 0.0


def _context_words(text: str) -> set[str]:
    words = set()
    for token in _tokens(text):
        if _LATIN_WORD.match(token.text) and len(token.lower) > 2 and token.lower not in STOPWORDS:
            words.add(lexicon.lemma(token.lower, "n") or lexicon.lemma(token.lower, "v") or token.lower)
    return words


@lru_cache(maxsize=20000)
def _gloss_words(sense: Sense) -> frozenset[str]:
    """The content words of a sense's gloss and of what it is a kind of, as base forms,
    without its own names (every sense of "rocket" mentions a rocket)."""
    own = {part.lower() for name in sense.lemmas for part in name.split("_")}
    words = set()
    for word in re.findall(r"[a-z]+", sense.definition.lower()):
        if len(word) > 2 and word not in STOPWORDS:
            words.add(lexicon.lemma(word, "n") or lexicon.lemma(word, "v") or word)
    for name in sense.hypernyms[:4]:
        words.update(part.lower() for part in name.split("_"))
    return frozenset(words - own)


@lru_cache(maxsize=256)
def _domain(context: frozenset[str]) -> dict[str, float]:
    """What kinds of things the text is about: the share of each lexicographer file among
    its nouns that have one clear sense (a farm story: animals; a recipe: food)."""
    kinds: Counter[str] = Counter()
    for word in context:
        senses = lexicon.noun_senses(word)
        if senses and (len(senses) == 1 or senses[0].count >= 3 * max(1, senses[1].count)):
            kinds[senses[0].lexname] += 1
    total = sum(kinds.values()) or 1
    return {kind: count / total for kind, count in kinds.items()}


# What each word of the text that names a kind of a sense adds to that sense's score (up to
# three of them).
KIND_EVIDENCE = 0.4


@lru_cache(maxsize=4096)
def _kinds_in_context(sense: Sense, context: frozenset[str], word: str) -> int:
    """How many of the text's other words name, in one of their two usual senses, a kind of
    ``sense`` (not the sense itself)."""
    count = 0
    for other in context:
        if other == word:
            continue
        if any(s.name != sense.name and s.is_a(sense) for s in lexicon.noun_senses(other)[:2]):
            count += 1
    return count


def _choose_sense(word: str, senses: Sequence[Sense], context: set[str]) -> Sense | None:
    """The sense of ``word`` the context supports best: overlap of each sense's gloss and
    kinds with the words around (a small Lesk), over WordNet's frequency prior."""
    if not senses:
        return None
    best, best_score = None, -1.0
    total = sum(s.count for s in senses) or 1
    domain = _domain(frozenset(context))
    for rank, sense in enumerate(senses):
        overlap = len(_gloss_words(sense) & context)
        prior = (
            sense.count / total
            + (0.3 if rank == 0 else 0.0)
            + (1.0 if lexicon.USUAL_SENSES.get(word) == sense.name else 0.0)
        )
        # A thing the word is the first name of, over one it is a by-name for: a "whale" is
        # the animal (whale.n.02), not a giant of a man (giant, hulk, heavyweight, whale).
        if sense.lemmas and sense.lemmas[0].lower() == word.replace(" ", "_"):
            prior += 0.5
        # One shared word is often chance ("path" in the gloss of a logic gate); two or more
        # are evidence enough to overrule the usual sense.
        # The text's own kind of things tips a close call: a chicken in a farm story is the
        # bird, in a recipe the meat.
        # A kind of thing the text never otherwise names is a doubtful reading (the meat in a
        # story of animals).
        share = domain.get(sense.lexname, 0.0)
        doubtful = len(context) >= 12 and domain and not share  # a whole script, not one line
        score = overlap * (0.6 if overlap >= 2 else 0.15) + prior + 0.5 * share - (0.3 if doubtful else 0)
        # The text names kinds of it: a gardening script's tomatoes and seedlings are plants,
        # so its "plant" is the organism, not the factory WordNet lists first.
        score += KIND_EVIDENCE * min(3, _kinds_in_context(sense, frozenset(context), word))
        if score > best_score:
            best, best_score = sense, score
    return best


def _phrases(tokens: list[_Token]) -> list[tuple[list[_Token], str]]:
    """Noun phrases (modifiers + head), each with the preposition that introduces it."""
    phrases: list[tuple[list[_Token], str]] = []
    current: list[_Token] = []
    preposition = ""
    last_preposition = ""
    for token in tokens:
        if token.pos in {"n", "a"}:
            if not current:
                preposition = last_preposition
            current.append(token)
            continue
        if current:
            phrases.append((current, preposition))
            current = []
        if token.pos == "x" and token.lower in _PREPOSITIONS | _OF_LIKE:
            last_preposition = token.lower
        elif token.pos in {"v", "p"}:
            last_preposition = ""
    if current:
        phrases.append((current, preposition))
    return phrases


def _concepts_in(phrase: list[_Token], context: set[str]) -> list[tuple[str, Sense]]:
    """The things a noun phrase names: a multiword term as one thing ("light bulb", "bike
    lane"), otherwise its head noun (modifiers are kept only when WordNet knows the pair)."""
    words = [t.lower for t in phrase]
    found: list[tuple[str, Sense]] = []
    end = len(words)
    while end > 0:
        matched = False
        for start in range(max(0, end - 3), end - 1):
            chunk = words[start:end]
            key = " ".join(chunk)
            singular = " ".join(chunk[:-1] + [lexicon.lemma(chunk[-1], "n") or chunk[-1]])
            mapped = _TERMS.get(key) or _TERMS.get(singular)
            if mapped:
                term = _term(mapped)
                if term is not None:
                    found.append(term)
                end = start
                matched = True
                break
            senses = lexicon.compound_senses(tuple(chunk))
            if senses:
                sense = _choose_sense(singular, senses, context)
                if sense is not None and _idiom_out_of_place(chunk, sense, context):
                    sense = None
                    senses = ()
            if senses:
                if sense is not None:
                    text = singular
                    if text.replace(" ", "_") not in sense.lemmas and text.replace(" ", "") in sense.lemmas:
                        text = text.replace(" ", "")  # "tea house": WordNet's teahouse
                    if sense.is_instance and sense.lexname == "noun.person" and sense.hypernyms:
                        text = sense.hypernyms[0].replace("_", " ").lower()
                    found.append((text, sense))
                end = start
                matched = True
                break
        if matched:
            continue
        token = phrase[end - 1]
        word = token.lower
        end -= 1
        if token.pos != "n" or word in _VAGUE or len(word) < 3:
            continue
        mapped = _TERMS.get(word)
        if mapped:
            term = _term(mapped)
            if term is not None:
                found.append(term)
            continue
        base = lexicon.lemma(word, "n")
        named: tuple[Sense, ...] = ()
        if token.capital and not lexicon.has_common_sense(word):
            # "Mars" is the planet by that name, not the plural of "mar".
            named = lexicon.named_senses(word)
            if named:
                base = word
        if base is None or base in _VAGUE:
            continue
        senses = named or lexicon.noun_senses(base)
        if token.starts_sentence and token.capital and base == word:
            # A capital that opens a sentence says nothing: "Berlin is green" is the city,
            # "Farmers return" (a plural) no farmer by name.
            pass
        elif not token.capital or token.starts_sentence:
            # "gates" is not Bill Gates: a named one only for a capitalised word mid-sentence.
            senses = tuple(s for s in senses if not s.is_instance) or senses
        else:
            # "Berlin" mid-sentence is the city, not the carriage of the same name.
            senses = tuple(s for s in senses if s.is_instance) or senses
        sense = _choose_sense(base, senses, context)
        if sense is not None:
            text = base.replace("_", " ")
            if sense.is_instance and sense.lexname == "noun.person" and sense.hypernyms:
                # "Neil Armstrong": we have no portrait of him, but of what he was.
                text = sense.hypernyms[0].replace("_", " ").lower()
            elif sense.is_instance and any(a in _TOWNS for a in sense.ancestors[:3]):
                # "Berlin": no drawing of the city itself, but of a city.
                text, sense = "city", lexicon.sense_named("city.n.01") or sense
            elif named and (kind := _kind_of_named(sense, context)) is not None:
                # "Mars" in a script that calls it a planet: no drawing of Mars itself, but of
                # a planet. (A "Saturn V rocket" in a script of no planet stays no planet.)
                text, sense = _plain(kind.lemmas[0]), kind
            elif end >= 1 and (kind := _kind_named_before(phrase[end - 1], base)) is not None:
                # "server computer", "turtle chelonian": the server that is a computer (how
                # descriptions name a sense that is not the word's usual one).
                text, sense = lexicon.lemma(phrase[end - 1].lower, "n") or phrase[end - 1].lower, kind
            elif end >= 1 and (
                _modifier_noun(phrase[end - 1]) or (_purpose_word(phrase[end - 1]) and sense.lexname == "noun.artifact")
            ):
                # A noun that says which kind ("coffee machine") stays with its head; the
                # sense is the head's. Adjectives ("old", "brass") do not.
                text = f"{phrase[end - 1].lower} {text}"
            found.append((text, sense))
        # Only the head of a plain phrase names the thing ("brass rails" are rails).
        break
    return found


def _kind_of_named(sense: Sense, context: set[str]) -> Sense | None:
    """The everyday kind a named thing is, when the text names that kind too (Mars, "the
    fourth planet"): the nearest of its kinds that people name and that can be drawn."""
    for name in sense.ancestors[:3]:
        kind = lexicon.sense_named(name)
        if kind is not None and kind.count > 0 and kind.depictable:
            return kind if any(part.lower() in context for part in kind.lemmas[0].split("_")) else None
    return None


def _idiom_out_of_place(chunk: list[str], sense: Sense, context: set[str]) -> bool:
    """Whether a describing word and a noun that WordNet knows as one thing do not mean it
    here: "fresh fish" is WordNet's raw recruit (no fish at all), "first base" a bag in
    baseball. Such a term stands when the text says something of its definition; else the
    words mean what they say. A "green tea" (a kind of tea, of no game) always stands."""
    if len(chunk) != 2 or not lexicon.mostly_adjective(chunk[0]) or lexicon.mostly_adjective(chunk[1]):
        return False
    if _gloss_words(sense) & context:
        return False
    head = lexicon.lemma(chunk[1], "n") or chunk[1]
    if not any(sense.name == plain.name or sense.is_a(plain) for plain in lexicon.noun_senses(head)):
        return True
    # A term of a game the text never names.
    games = [g for g in map(lexicon.sense_named, ("game.n.01", "sport.n.01")) if g is not None]
    for word in re.findall(r"[a-z]+", sense.definition.lower()):
        senses = lexicon.noun_senses(word) if len(word) > 3 and word not in STOPWORDS else ()
        if senses and word not in context and any(senses[0].is_a(game) for game in games):
            return True
    return False


def _term(mapped: str) -> tuple[str, Sense] | None:
    """What a listed multiword term shows: a sense by name ("server.n.03") or a word."""
    if ".n." in mapped:
        sense = lexicon.sense_named(mapped)
        return (_plain(sense.lemmas[0]), sense) if sense is not None else None
    senses = lexicon.noun_senses(mapped)
    return (mapped, senses[0]) if senses else None


def _plain(lemma_name: str) -> str:
    return lemma_name.replace("_", " ").lower()


def unambiguous(text: str, sense: Sense | None) -> str:
    """``text`` in words that read back to ``sense`` on their own: the word itself when it
    means that first, else a synonym that does ("bank building"), else the word with what
    it is a kind of ("server computer")."""
    if sense is None:
        return text
    words = text.split()
    if words:
        # "bridges" is said as "bridge" (WordNet's "Bridges" is a poet): the sense's own
        # singular when the word is its plural.
        last = words[-1]
        singular = next(
            (n.lower() for n in sense.lemmas if last in (n.lower() + "s", n.lower() + "es", n.lower()[:-1] + "ies")),
            lexicon.lemma(last, "n") or last,
        )
        text = " ".join([*words[:-1], singular])
    first = lexicon.noun_senses(text) or lexicon.noun_senses(text.split()[-1])
    if first and first[0].name == sense.name:
        return text
    # Read as the reader reads it (today's usual senses included): "battery" is the phone's.
    if _reads_back(text, sense):
        return text
    # The creator reads these words: the thing's other one-word name before a made-up pair
    # ("tire", not "tyre hoop", where "Tyre" alone is the city; but "chicken fowl", not
    # "gallus gallus").
    for lemma_name in sense.lemmas:
        said = _plain(lemma_name)
        if said != text and " " not in said and _reads_back(said, sense):
            return said
    if sense.hypernyms:
        # "maple tree", "server computer": the word, then the last word of what it is.
        kind = _plain(sense.hypernyms[0]).split()[-1]
        head = text.split()[-1]
        for said in (f"{text} {kind}", f"{head} {kind}"):
            if kind != head and _reads_back(said, sense):
                return said
    for lemma_name in sense.lemmas:
        own = lexicon.noun_senses(lemma_name)
        if own and own[0].name == sense.name:
            return _plain(lemma_name)
    return text


def reads_back(text: str, sense: Sense | None) -> bool:
    """Whether ``text`` read on its own means ``sense``: what a description must do, or it
    would send a picture of another thing."""
    return sense is None or _reads_back(text, sense)


@lru_cache(maxsize=4096)
def _reads_back(text: str, sense: Sense) -> bool:
    if sense.is_instance and text.split()[-1] in {name.lower() for name in sense.lemmas}:
        return True  # "moon", "earth": written small, still the one named
    tokens = _tokens(text)
    _tag(tokens)
    return any(found.name == sense.name for phrase, _ in _phrases(tokens) for _, found in _concepts_in(phrase, set()))


def _kind_named_before(token: _Token, head: str) -> Sense | None:
    """The sense of ``token`` that is a kind of the head noun after it, if any."""
    if token.pos != "n" and not lexicon.pos_counts(token.lower).get("n"):
        return None
    # The head's usual sense first: "chicken fowl" is the bird (fowl), not the meat (fowl
    # as food).
    kinds = lexicon.noun_senses(token.lower)
    for sense in lexicon.noun_senses(head)[:4]:
        found = next((m for m in kinds if m.is_a(sense)), None)
        if found is not None:
            return found
    return None


def _modifier_noun(token: _Token) -> bool:
    """Whether a word before a head noun names a kind of it ("coffee" machine, "stone"
    lighthouse) rather than describing it ("fresh" beans, "thousand" flowers)."""
    if token.pos != "n" or token.lower in _VAGUE or token.lower in _NUMBER_WORDS:
        return False
    counts = lexicon.pos_counts(token.lower)
    return counts.get("n", 0) > counts.get("a", 0) + counts.get("v", 0)


def _purpose_word(token: _Token) -> bool:
    """Whether a word before a head noun is an "-ing" form that says what the thing is for
    ("charging" station, "cooking" pot): it names a kind as a noun would."""
    return token.pos == "n" and token.lower.endswith("ing") and lexicon.lemma(token.lower, "v") is not None


def _general(sense: Sense) -> bool:
    """Whether a sense is a general word for things (a container, a plant, food), one that
    stands for whatever kind of it the script has named."""
    return (
        len(sense.ancestors) <= 6
        and sense.lexname in ("noun.artifact", "noun.food", "noun.plant", "noun.animal", "noun.object", "noun.Tops")
        and not sense.is_a("person.n.01")
    )


@lru_cache(maxsize=16)
def _script_compounds(script: str) -> dict[str, tuple[str, Sense]]:
    """The script's own multiword things by their last word: after "inner tube" is named,
    a later "tube" is that tube, not a test tube."""
    compounds: dict[str, tuple[str, Sense]] = {}
    context = _context_words(script)
    tokens = _tokens(script)
    _tag(tokens)
    things: list[tuple[str, Sense]] = []
    partitive: set[int] = set()
    for phrase, preposition in _phrases(tokens):
        for text, sense in _concepts_in(phrase, context):
            if preposition == "of":
                partitive.add(len(things))  # "kilograms of fruit": stuff, no one thing
            things.append((text, sense))
            if " " in text and text.replace(" ", "_") in sense.lemmas:
                compounds.setdefault(text.split()[-1], (text, sense))
    # A general word stands for the script's own kind of it, named before: after "small
    # pots", "a large container" is a pot (not an envelope, another container); after
    # "tomatoes", "the vegetable" is one. General: near the top of WordNet (a container, a
    # plant, a building; not a restaurant or a tyre). People are left alone: "most people"
    # are not the baker.
    for index, (text, sense) in enumerate(things):
        if " " in text or text in compounds or index in partitive or not _general(sense):
            continue
        kinds = Counter(
            (other_text, other)
            for other_text, other in things[:index]
            if other.is_a(sense) and other.name != sense.name
        )
        if kinds:
            compounds[text] = kinds.most_common(1)[0][0]
    # The script's own thing names the kind: in a coffee script "fresh beans" are coffee
    # beans and "a better cup" a coffee cup; in a bee script the "queen" is a queen bee.
    said: Counter[str] = Counter(
        base for t in tokens if t.pos == "n" and (base := lexicon.lemma(t.lower, "n")) and base not in _VAGUE
    )
    frequent = [
        word for word, count in said.items() if count >= 2 and len(word) >= 3 and not lexicon.mostly_adjective(word)
    ]
    # What the script keeps doing names a kind too: in a script about running, "shoes" are
    # running shoes (the "-ing" form as the script wrote it).
    done: Counter[str] = Counter(base for t in tokens if t.pos == "v" and (base := lexicon.lemma(t.lower, "v")))
    frequent += list(
        dict.fromkeys(
            t.lower
            for t in tokens
            if t.lower.endswith("ing") and done[lexicon.lemma(t.lower, "v") or ""] >= 2 and t.lower not in frequent
        )
    )
    for head in said:
        if head in compounds and not _adjective_led_head(compounds[head][0]):
            continue
        for thing in frequent:
            if thing == head:
                continue
            kind = next((k for k in lexicon.compound_senses((thing, head)) if k.depictable), None)
            # Written apart only: a "light" story's ships are no lightships.
            if kind is not None and kind.lemmas[0].lower() == f"{thing}_{head}":
                compounds[head] = (_plain(kind.lemmas[0]), kind)
                break
    # One sense per script: a word a listed term settled ("cloud storage" -> a server
    # computer) keeps that sense when it comes back alone ("the servers now answer").
    lowered = f" {' '.join(t.lower for t in tokens)} "
    for term, mapped in _TERMS.items():
        if f" {term} " in lowered:
            settled = _term(mapped)
            if settled is not None:
                for lemma_name in settled[1].lemmas:
                    compounds.setdefault(_plain(lemma_name), settled)
    return compounds


def _adjective_led_head(text: str) -> str:
    """The head of "fresh bean" (a describing word before it), else ""."""
    words = text.split()
    return words[1] if len(words) == 2 and lexicon.mostly_adjective(words[0]) else ""


def script_topics(script: str, *, limit: int = 5, title: str = "") -> list[str]:
    """The drawable nouns a whole script keeps coming back to, most frequent first: what
    a scene with no picture word of its own may show."""
    counts: Counter[str] = Counter()
    depth: dict[str, int] = {}
    keys: dict[str, str] = {}  # sense name -> the key it is counted under
    context = _context_words(script)
    tokens = _tokens(script)
    _tag(tokens)
    named = _script_compounds(script)
    for phrase, _ in _phrases(tokens):
        for text, sense in _concepts_in(phrase, context):
            earlier = named.get(text)
            if earlier is not None and (
                earlier[1].is_a(sense)
                or text.replace(" ", "_") in earlier[1].lemmas
                or earlier[0].split()[-1] == text  # "the boats" after "fishing boats"
            ):
                text, sense = earlier
            if sense.depictable and not _MOOD_WORDS.get(text):
                # "stone lighthouse" and "lighthouse" are one topic: the thing, not its kind.
                key = text if text.replace(" ", "_") in sense.lemmas else text.split()[-1]
                key = keys.setdefault(sense.name, unambiguous(key, sense))
                counts[key] += 1
                depth[key] = len(sense.ancestors)
    # The title names what the video is about: its things count three times, in the sense
    # the script uses ("bike" in a script about a bicycle is no motorcycle).
    for word in re.findall(r"[A-Za-z][A-Za-z'-]+", title):
        senses = lexicon.noun_senses(word.lower())
        used = next((s for s in senses if s.name in keys), None)
        if used is not None:
            counts[keys[used.name]] += 3
        elif (
            senses
            and not senses[0].is_instance
            and _LEXNAME_WEIGHT.get(senses[0].lexname, 0) >= 0.8
            and senses[0].lexname != "noun.person"
            and word.lower() not in STOPWORDS | _VAGUE
        ):
            key = unambiguous(lexicon.lemma(word.lower(), "n") or word.lower(), senses[0])
            counts[key] += 3
            depth[key] = len(senses[0].ancestors)
    # Said often, then specific: a "bicycle" says more about a script than a "tool".
    order = list(counts)
    ranked = sorted(counts, key=lambda word: (-counts[word] - min(depth[word], 14) / 30, order.index(word)))
    return ranked[:limit]


def topic_concept(topic: str) -> Concept | None:
    """A topic of ``script_topics`` as a thing to draw: its words read as a noun (a topic
    is written so that its usual sense is the one meant)."""
    senses = lexicon.noun_senses(topic)
    if senses:
        usual = next((s for s in senses if s.name == lexicon.USUAL_SENSES.get(topic)), senses[0])
        return Concept(topic, usual, "subject")
    return read_scene(topic).subject


def _language_of(text: str) -> str:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    if latin >= 0.8 * len(letters):
        return "en"
    for ch in letters:
        name = unicodedata.name(ch, "")
        for script, code in (
            ("CJK", "ja"),
            ("HIRAGANA", "ja"),
            ("KATAKANA", "ja"),
            ("HANGUL", "ko"),
            ("ARABIC", "ar"),
            ("HEBREW", "he"),
            ("CYRILLIC", "ru"),
            ("GREEK", "el"),
            ("DEVANAGARI", "hi"),
            ("THAI", "th"),
        ):
            if script in name:
                return code
    return "other"


def read_scene(
    narration: str,
    *,
    context: str = "",
    topics: Sequence[str] = (),
    language: str = "",
) -> SceneReading:
    """Read one scene. ``context`` is the whole script (it helps choose word senses);
    ``topics`` are the script's own drawable nouns (``script_topics``), shown when the scene
    names nothing drawable; ``language`` (a code like "de"; guessed from the letters when
    empty) other than English is read through the localised names of the emoji set."""
    language = (language or _language_of(narration)).lower()
    text = _STYLE_SUFFIX.sub("", narration)
    warning = ""
    if not language.startswith("en"):
        english = english_picture_words(narration, language=language)
        text = english
        if not english:
            warning = (
                "The pictures understand this scene's language only through the names of everyday things, "
                "and found none here, so it shows the video's topic. Edit the picture words to choose."
            )
    tokens = _tokens(text)
    _tag(tokens)
    scene_context = _context_words(text)
    context_words = scene_context | (_context_words(context) if context else set())
    candidates: list[_Candidate] = []
    named = _script_compounds(context) if context else {}
    for order, (phrase, preposition) in enumerate(_phrases(tokens)):
        for text_, sense in _concepts_in(phrase, scene_context | context_words):
            earlier = named.get(text_) or named.get(_adjective_led_head(text_))
            if earlier is not None and (
                earlier[1].is_a(sense)
                or text_.replace(" ", "_") in earlier[1].lemmas
                or earlier[0].split()[-1] == text_.split()[-1]
            ):
                text_, sense = earlier
            start = phrase[0].index
            follows = tokens[phrase[-1].index + 1] if phrase[-1].index + 1 < len(tokens) else None
            if (
                sense.lexname == "noun.food"
                and follows is not None
                and follows.pos == "v"
                and lexicon.verb_lexname(follows.lower) in _DOINGS
            ):
                # "the chickens sat on their perches": food does not sit; the living thing does.
                alive = [s for s in lexicon.noun_senses(text_) if s.lexname == "noun.animal"]
                if alive:
                    sense = alive[0]
            if follows is not None and follows.lower == "of":
                # "a glass of water" is the drinking glass, holding what follows.
                held = next((t for t in tokens[follows.index + 1 : follows.index + 4] if t.pos == "n"), None)
                held_senses = lexicon.noun_senses(lexicon.lemma(held.lower, "n") or held.lower) if held else ()
                if held_senses and held_senses[0].lexname in ("noun.food", "noun.substance"):
                    holders = [s for s in lexicon.noun_senses(text_) if "container.n.01" in s.ancestors]
                    if holders and sense not in holders:
                        sense = holders[0]
            if preposition == "of" and start >= 2 and tokens[start - 2].lower in _MEASURES:
                # "a piece of glass" is the stuff, not a drinking glass.
                stuff = [s for s in lexicon.noun_senses(text_) if s.lexname in ("noun.substance", "noun.food")]
                if stuff:
                    sense = stuff[0]
            candidates.append(_Candidate(text=text_, sense=sense, position=order, after=preposition))
    # The hour sets the sky before the weather does ("a winter night" is a night).
    moods = {_MOOD_WORDS[token.lower] for token in tokens if token.lower in _MOOD_WORDS}
    mood = next((m for m in ("night", "dusk", "dawn", "storm", "rain", "snow", "fog") if m in moods), "day")
    topic_rank = {word: rank for rank, word in enumerate(topics)}
    for candidate in candidates:
        weight = _LEXNAME_WEIGHT.get(candidate.sense.lexname, 0.15)
        if candidate.sense.name in lexicon.DRAWN_EVENTS:
            weight = 0.9  # the sea's waves: a thing to draw, though WordNet files it as an event
        score = weight * 2.0
        senses = lexicon.noun_senses(candidate.text.split()[-1])
        compound = candidate.text.replace(" ", "_") in candidate.sense.lemmas and " " in candidate.text
        if len(senses) >= 4 and senses[0].name != candidate.sense.name and not candidate.sense.count and not compound:
            # A rare reading of a many-sense word the context does not confirm: a weak subject.
            score -= 0.6
        if candidate.after in _SETTING_PREPOSITIONS:
            score -= 0.5
        elif candidate.after in {"of", "with", "for", "about"}:
            score -= 0.3
        elif candidate.after == "like":
            score -= 0.8  # "sweets shaped like flowers" are no flowers
        # What is named first is what the sentence (or a description) is about.
        score -= 0.2 * candidate.position
        # More specific things make better pictures ("lighthouse" over "building").
        score += min(len(candidate.sense.ancestors), 14) / 40
        if candidate.text in topic_rank:
            score += 0.35 - 0.05 * topic_rank[candidate.text]
        if _MOOD_WORDS.get(candidate.text):
            score -= 1.0  # "night", "storm": the mood of the picture, not its subject
        candidate.score = score
    agent = _mover(tokens)
    if agent is not None:
        # "Then run slowly for a minute": who moves so (a runner) is a subject, below any
        # thing the scene names.
        candidates.append(_Candidate(text=_plain(agent.lemmas[0]), sense=agent, position=0, after="", score=1.6))
    lead = _pronoun_subject(tokens, topics)
    if lead is not None and lead.sense is not None:
        # "It keeps water cold in a hot car": "it" is the thing the script is about.
        candidates.append(_Candidate(text=lead.text, sense=lead.sense, position=-1, after="", score=9.0))
    drawable = [c for c in candidates if c.sense.depictable or c.sense.lexname == "noun.communication"]
    drawable.sort(key=lambda c: -c.score)
    subject = setting = None
    others: list[Concept] = []
    seen_texts: set[str] = set()
    for candidate in drawable:
        if candidate.text in seen_texts:
            continue
        seen_texts.add(candidate.text)
        if subject is None:
            subject = Concept(candidate.text, candidate.sense, "subject")
        elif (
            setting is None
            and candidate.after in _SETTING_PREPOSITIONS
            and candidate.sense.lexname in _SETTING_LEXNAMES
            and not _MOOD_WORDS.get(candidate.text)
        ):
            setting = Concept(candidate.text, candidate.sense, "setting")
        elif not _MOOD_WORDS.get(candidate.text):
            others.append(Concept(candidate.text, candidate.sense, "other"))
    called = _pronoun_object(tokens, topics) if lead is None else None
    if called is not None and subject is not None and called.text not in seen_texts:
        # "Sailors call it the heartbeat of the coast": the thing the script is about, next
        # to what the scene names first.
        others.insert(0, Concept(called.text, called.sense, "other"))
    if subject is None and topics:
        # Nothing drawable of its own: the thing the whole script is about.
        subject = topic_concept(topics[0])
    action = ""
    concepts = tuple(c for c in (subject, setting, *others) if c is not None)
    return SceneReading(
        subject=subject,
        setting=setting,
        others=tuple(others[:3]),
        action=action,
        mood=mood,
        language=language,
        warning=warning,
        concepts=concepts,
    )


def _pronoun_subject(tokens: list[_Token], topics: Sequence[str]) -> Concept | None:
    """The script's main thing when the sentence opens with "It"/"They" doing something (not
    "It is raining", not "It was late")."""
    if not topics or len(tokens) < 2 or tokens[0].lower not in {"it", "they"}:
        return None
    if tokens[1].pos != "v" or tokens[1].lower in _AUXILIARIES:
        return None
    main = topic_concept(topics[0])
    return main if main is not None and main.sense is not None and main.sense.depictable else None


def _mover(tokens: list[_Token]) -> Sense | None:
    """Who moves, when a sentence has someone (or, bidden, you) move with no object: "then
    run slowly", "the farmer ran outside"; not "run your fingers round the tyre", "the lanes
    run along the river", "lift one side"."""
    thing_before = False
    for position, token in enumerate(tokens):
        if token.text in ".!?;":
            thing_before = False
            continue
        if token.lower in _PRONOUNS:
            thing_before = True  # "we flew to Tokyo": how, not who
            continue
        if token.pos == "n":
            senses = lexicon.noun_senses(lexicon.lemma(token.lower, "n") or token.lower)
            # A thing that could move ("the lanes run"), not a time ("after four weeks").
            thing_before = thing_before or (
                bool(senses) and senses[0].depictable and senses[0].lexname != "noun.person"
            )
            continue
        if token.pos != "v" or thing_before:
            continue
        after = tokens[position + 1] if position + 1 < len(tokens) else None
        if after is not None and (after.pos in {"n", "a", "num"} or after.lower in _DETERMINERS | _PRONOUNS):
            continue  # it moves something: no picture of one who moves
        agent = lexicon.agent_of(token.lower)
        if agent is not None:
            return agent
    return None


def _pronoun_object(tokens: list[_Token], topics: Sequence[str]) -> Concept | None:
    """The script's main thing when a verb takes "it" and no thing was named before it in
    the sentence ("sailors call it", "taste it"; in "push the tyre back and pump it up" it is
    the tyre)."""
    if not topics:
        return None
    named_thing = False
    for before, token in zip(tokens, tokens[1:]):
        if before.text in ".!?;":
            named_thing = False
        elif before.pos == "n":
            senses = lexicon.noun_senses(before.lower)
            named_thing = named_thing or not senses or senses[0].lexname != "noun.person"
        if token.lower == "it" and before.pos == "v" and before.lower not in _AUXILIARIES and not named_thing:
            main = topic_concept(topics[0])
            return main if main is not None and main.sense is not None and main.sense.depictable else None
    return None


def _gerund(verb: str) -> str:
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    return verb + "ing"


def _article(text: str) -> str:
    return "an " if text[:1] in "aeiou" else "a "


def _preposition_for(concept: Concept) -> str:
    lexname = concept.lexname
    if lexname == "noun.object":
        return "by" if concept.text in {"sea", "ocean", "river", "lake", "coast", "shore"} else "on"
    if lexname == "noun.location":
        return "in"
    return "at"


def relevance(score: float) -> float:
    """A 0..1 confidence for a candidate score (shown to nobody; used to rank)."""
    return 1 / (1 + math.exp(-score))
