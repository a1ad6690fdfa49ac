"""Offline scene pictures that show what the scene says.

Three rooms, one job each:
- ``mediakit.scene_reader`` reads the prompt (the scene's picture words) into senses: the
  subject, the setting, the mood;
- ``mediakit.art_library`` finds artwork by name in a library of Openclipart drawings,
  Fluent Emoji and Twemoji, indexed at setup;
- ``mediakit.frame_drawing`` lays the artwork into a flat, layered frame.

Here they meet: a candidate drawing is kept only when what its title names *is* the sense
the scene means, or a kind of it (a "bicycle" for "bike", a "sailboat" for "boat"); a
drawing titled with another sense of the word (a rowing boat for spreadsheet "rows") is
never shown. A scene whose point is a number ("chart: ..." in its words, see
``FIGURE_PREFIX``) becomes a data card (``mediakit.data_card``).

Deterministic: the same prompt, size, seed, palette seed and style give the same pixels.
Nothing here imports Django, and nothing is fetched at run time.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

from . import lexicon
from .art_library import STYLES, Artwork, artwork_by_id, artwork_image, library_available, library_search
from .data_card import Figure, data_card_count_up, data_card_layers, find_figure, render_data_card
from .frame_drawing import Palette, compose, palette_for
from .lexicon import Sense
from .scene_reader import Concept, SceneReading, read_scene, topic_concept

__all__ = [
    "FIGURE_PREFIX",
    "STRONG_FIT",
    "Candidate",
    "IllustrationResult",
    "Layers",
    "Pictogram",
    "artwork_available",
    "choose_style",
    "picture_candidates",
    "render_illustration",
]

# A picture prompt that starts with this shows its number as a data card ("chart: $4.2
# million revenue"); the creator removes it to get a picture instead.
FIGURE_PREFIX = "chart:"


@dataclass(frozen=True)
class Pictogram:
    """One piece of artwork placed in a frame."""

    hexcode: str
    label: str
    group: str
    subgroup: str
    artwork: Artwork
    score: float = 0.0
    matched: tuple[str, ...] = ()
    about: str = ""  # the sense of the scene's thing it stands for ("bicycle.n.01")


@dataclass(frozen=True)
class Layers:
    """The picture apart: the scene without its hero, and the hero (RGBA, with its shadow)
    at ``hero_at``, for a render that moves them at different speeds. ``steps``: the hero on
    its way in, in the hero's own box (a data card's figure counting up), shown in turn
    before the hero itself; empty for a hero that only enters."""

    background: Image.Image
    hero: Image.Image
    hero_at: tuple[int, int]
    steps: tuple[Image.Image, ...] = ()


@dataclass(frozen=True)
class IllustrationResult:
    image: Image.Image  # RGB, exactly width x height
    pictograms: tuple[Pictogram, ...]  # what the frame shows, hero first
    credit: str  # one line to show with the picture
    licence: str
    source_url: str
    depicts: tuple[str, ...]  # what the artwork itself shows: its own names, hero first
    source: str  # "openclipart", "fluent", "twemoji" or "data card"
    layers: Layers | None = None


@dataclass(frozen=True)
class Candidate:
    id: str
    depicts: tuple[str, ...]
    source: str
    credit: str
    # 1 the very thing, 0.8 a direct kind of it, less for a near thing (see _fit).
    fit: float = 1.0


# Below this a drawing only hints at the thing ("firefighter" for a lighthouse keeper): used
# only when nothing closer exists.
STRONG_FIT = 0.5


def artwork_available() -> bool:
    return library_available() and lexicon.lexicon_available()


# --- which drawing shows a concept ---------------------------------------------------------


_TITLE_BREAK = re.compile(r"\b(?:in|with|on|of|at|and|for|from|under|over|by|without)\b")


@lru_cache(maxsize=4096)
def _art_sense(artwork: Artwork) -> Sense | None:
    """The sense of what the artwork's title names, read against its own tags ("mouse"
    tagged "computer" is the device; tagged "rodent", the animal)."""
    if artwork.id.startswith("openclipart:unsorted/") and len(artwork.names) < 2:
        # A bare title in no category and with no tags: nothing says which sense it draws
        # (one "caterpillar" there is a bulldozer).
        return None
    # The whole title first ("test tube" is no "tube"), then its head: the last word before
    # any preposition ("Vancouver city badge" is a badge, "ship in a bottle" a ship).
    title = artwork.names[0] if artwork.names else ""
    words = _TITLE_BREAK.split(title)[0].split() if title else []
    # "person running" is a runner, "man swimming" a swimmer: one who moves so.
    agent = lexicon.agent_in_title(title)
    if agent is not None:
        return agent
    # The longest end of the title WordNet knows: an "oncoming police car" is a police car,
    # not any car.
    head = [" ".join(words[start:]) for start in range(1, len(words))]
    # A hyphenated word is a thing of its own ("jack-o'-lantern" is no plain lantern): by
    # its own name, or not at all.
    raw = artwork.title.lower().strip()
    hyphened = (raw.replace("-o-", "-o'-"),) if " " not in raw and "-" in raw else ()
    if hyphened and not lexicon.noun_senses(hyphened[0]):
        return None
    # The index's own heads only where the title says them ("città di torino" is no city).
    heads = tuple(dict.fromkeys((*hyphened, *artwork.names[:1], *head, *(h for h in artwork.heads if h in title))))
    # A bare title with no tags: what the index found it to be a kind of says which sense
    # ("battery", an electrical device). With tags, the tags say it.
    around = artwork.names[1:12] if len(artwork.names) > 1 else artwork.broader[:4]
    # Words as their base forms on both sides: a net tagged "play" is the one in the
    # gloss's "playing area", not a trap.
    context = {_base(word) for name in around for word in name.split()}
    for head in heads:
        senses = lexicon.noun_senses(head)
        if " " in head and head == title and not senses:
            # "tram car" is WordNet's "tramcar" (a streetcar), no car of any kind.
            senses = lexicon.noun_senses(head.replace(" ", ""))
        if not senses:
            continue
        best, best_score = None, -1.0
        for rank, sense in enumerate(senses):
            gloss = {_base(word) for word in re.findall(r"[a-z]+", sense.definition.lower())}
            # Every ancestor's name: an emoji tagged "animal" is the fox, not the sly person.
            gloss.update(part for name in sense.hypernyms[:12] for part in name.lower().split("_"))
            score = len(gloss & context) + (0.5 if rank == 0 else 0.0) + (0.3 if sense.depictable else 0.0)
            score += 0.7 if lexicon.USUAL_SENSES.get(head) == sense.name else 0.0
            # A drawing titled "wheel" is of the thing whose own name is "wheel", not of a
            # bicycle (which WordNet also calls a wheel).
            if sense.lemmas and sense.lemmas[0].lower() in {head.replace(" ", "_"), head.replace(" ", "")}:
                score += 1.0
            if score > best_score:
                best, best_score = sense, score
        return best
    return None


@lru_cache(maxsize=8192)
def _base(word: str) -> str:
    if word.endswith("ing"):
        # "playing area": play, not WordNet's noun "playing".
        return lexicon.lemma(word, "v") or lexicon.lemma(word, "n") or word
    return lexicon.lemma(word, "n") or lexicon.lemma(word, "v") or word


@lru_cache(maxsize=4096)
def _held_by_title(artwork: Artwork) -> Sense | None:
    """What a drawing titled "glass of milk" or "bowl of rice" shows: the milk, the rice
    (the title's measure or vessel holds it)."""
    main = _art_sense(artwork)
    held = re.match(r"^\w+ of (\w+)$", artwork.names[0] if artwork.names else "")
    if main is None or held is None:
        return None
    if not (main.lexname == "noun.quantity" or any(main.is_a(kind) for kind in _HOLDERS)):
        return None
    return next((sense for sense in lexicon.noun_senses(held.group(1)) if sense.depictable), None)


@lru_cache(maxsize=4096)
def _named_kind(artwork: Artwork, sense: Sense) -> float:
    """How far a title with a noun before its head (one WordNet does not know as one thing)
    is from the plain thing: 0 when it only describes it ("red lantern"), 1 for a kind of it
    ("bubble tea"), 2 when the noun is an idea, not a thing ("evolution steps": a diagram of
    the ascent of man, no staircase)."""
    words = (artwork.names[0] if artwork.names else "").split()
    own = {part for name in sense.lemmas for part in name.lower().split("_")}
    before = [w for w in words if w not in own]
    if len(before) == len(words):
        return 0
    degree = 0
    for word in before:
        if word.endswith("ing") and lexicon.verb_lexname(word) == "verb.motion":
            degree = 2  # a "rollerblading beginner" is one on skates: another picture of a beginner
            continue
        counts = lexicon.pos_counts(word)
        if counts.get("n", 0) > counts.get("a", 0) + counts.get("v", 0) and word not in {"paper", "glass", "wooden"}:
            senses = lexicon.noun_senses(word)
            idea = bool(senses) and senses[0].lexname in _IDEAS and not senses[0].depictable
            degree = max(degree, 2 if idea else 1)
    return degree


# Nouns of processes, acts, feelings and times: before a head, they name another picture
# ("evolution steps", "time machine"), not a kind of the thing.
_IDEAS = frozenset({"noun.process", "noun.act", "noun.feeling", "noun.state", "noun.time", "noun.event"})


# Things whose drawing shows what they hold.
_HOLDERS = (
    "container.n.01",
    "vessel.n.03",
    "tableware.n.01",
    "crockery.n.01",
    "dish.n.01",
    "pot.n.01",
    "building.n.01",
)


@lru_cache(maxsize=4096)
def _also_shows(artwork: Artwork) -> tuple[Sense, ...]:
    """Other things a drawing plainly shows, read from its own tags against its title's
    sense: what a vessel holds ("teacup" tagged tea, "steaming bowl" tagged noodle); a kind
    of the titled thing that its tags name ("hot beverage" tagged coffee); a thing the
    titled one is part of or covered by by definition ("wheel" tagged tire: a tire is "a
    hoop that covers a wheel"); the place a map is of ("map of Japan")."""
    main = _art_sense(artwork)
    if main is None:
        return ()
    title = artwork.names[0] if artwork.names else ""
    out: dict[str, Sense] = {}
    tags = list(artwork.names[1:10])
    match = re.match(r"^(?:map|globe|model) of (\w[\w ]*)$", title)
    if match:
        tags.insert(0, match.group(1))
    holder = any(main.is_a(kind) for kind in _HOLDERS)
    held = _held_by_title(artwork)
    if held is not None:
        out.setdefault(held.name, held)
    gloss = set(re.findall(r"[a-z]+", main.definition.lower()))
    own = {name.lower().replace("_", " ") for name in main.lemmas}
    words = set(title.split())
    head = title.split()[-1] if title else ""
    for tag in tags:
        if tag in own or tag == title:
            continue
        senses = lexicon.noun_senses(tag)
        if not senses:
            continue
        if match and tag == match.group(1):
            places = [sense for sense in senses if sense.lexname == "noun.location"]
            if places:
                out.setdefault(places[0].name, places[0])
            continue
        food = next((sense for sense in senses if sense.lexname == "noun.food"), None)
        if holder and food is not None:
            # What a vessel holds: tea in a teacup, honey in a honey pot.
            out.setdefault(food.name, food)
            continue
        if tag in words:
            continue  # a "baby bottle" shows no baby
        # A "station" tagged "train" is a train station: the tag and the title make a thing.
        kind = next((k for k in lexicon.compound_senses((tag, head)) if k.depictable), None) if head else None
        if kind is not None and kind.name != main.name and " " not in tag and kind.is_a(main):
            # ... of the titled kind only: "police car light" tagged "beacon" is no "beacon
            # light" (a lighthouse).
            out.setdefault(kind.name, kind)
        named_in_gloss = tag in gloss or (lexicon.lemma(tag, "n") or tag) + "s" in gloss
        if named_in_gloss and main.lexname == "noun.cognition":
            # A "cityscape" is "a viewpoint toward a city": a picture of the city.
            seen = next((sense for sense in senses if sense.depictable), None)
            if seen is not None:
                out.setdefault(seen.name, seen)
            continue
        if named_in_gloss and holder:
            # Tools in a toolbox ("for holding hand tools"); the gloss's word in the gloss's
            # sense: a tool chest's "chest" is no thorax.
            held = next((sense for sense in senses if sense.lexname == main.lexname), None)
            if held is not None:
                out.setdefault(held.name, held)
            continue
        tag_sense = senses[0]
        if not tag_sense.depictable or tag_sense.name == main.name:
            continue
        if tag_sense.is_a(main) and tag_sense.ancestors[:1] == (main.name,):
            # A kind of the titled thing that its tags name: coffee for a "hot beverage".
            out.setdefault(tag_sense.name, tag_sense)
        elif (
            tag_sense.lexname == main.lexname
            and head in re.findall(r"[a-z]+", tag_sense.definition.lower())
            and not main.is_a(tag_sense)
            and re.search(r"\b(?:covers?|part of|attached to|of a)\b", tag_sense.definition)
        ):
            out.setdefault(tag_sense.name, tag_sense)
    return tuple(out.values())


# Where a drawing of a kind shows the thing (a sailboat is a boat). Not for light, weather
# or stuff: sunshine is no picture of "a ring of light".
_KINDS_SHOW_IT = frozenset(
    {"noun.artifact", "noun.animal", "noun.plant", "noun.food", "noun.person", "noun.object", "noun.location"}
)


def _fit(art: Sense, wanted: Sense) -> float:
    """How well a drawing of ``art`` shows ``wanted``: 1 the same thing or a kind of it,
    less for its near kind ("tower" for a lighthouse), 0 for anything else."""
    if art.name == wanted.name:
        return 1.0
    if art.is_instance:
        return 0.0  # Turin's coat of arms is no picture of "a city"
    # Only a specific thing is shown by a kind of it: any flat screen is a "surface".
    if art.is_a(wanted) and wanted.lexname in _KINDS_SHOW_IT and len(wanted.ancestors) >= 6:
        # A direct kind (a sailboat for a boat) shows it; a remote kind (a jack-o'-lantern
        # for a lamp) only says it.
        if wanted.name not in art.ancestors[:1]:
            return 0.3
        # A rare kind nobody would name for the thing (a lota for a water bottle) only hints.
        return 0.8 if art.count > 0 else STRONG_FIT - 0.05
    if art.name in wanted.ancestors[:1] and art.lexname == wanted.lexname:
        return 0.5  # a drawing of its near kind: a tower for a lighthouse
    if wanted.ancestors and art.lexname == wanted.lexname and len(wanted.ancestors) >= 7:
        if wanted.ancestors[0] in art.ancestors[:1]:
            return 0.4  # a sibling of a specific thing: a desktop computer for a server
    return 0.0


def _find(
    concept: Concept, *, style: str | None, exclude: Collection[str], limit: int = 1
) -> list[tuple[Artwork, float]]:
    if concept.sense is None:
        return []
    # "coffee machine" is a machine of one kind: a drawing of any machine only hints at it.
    named = concept.text.replace(" ", "_") in concept.sense.lemmas
    # What it is made of does not narrow the kind: a "sand beach" is any beach.
    kind_words = set() if named else {w for w in concept.text.split()[:-1] if not _material(w)}
    # A "bicycle pump" is a pump of one kind: a "fuel pump" only hints at it.
    kind_words |= set(concept.sense.lemmas[0].lower().split("_")[:-1]) if concept.sense.lemmas else set()
    found: list[tuple[Artwork, float, float]] = []
    for match in library_search(concept.search_terms(), style=style, limit=40, exclude=exclude):
        sense = _art_sense(match.artwork)
        fit = _fit(sense, concept.sense) if sense is not None else 0.0
        if 0 < fit < STRONG_FIT and sense is not None and concept.sense.name in sense.ancestors[:1]:
            # A direct kind the corpus never tags (so _fit takes it for a rare one) that the
            # drawing's own names call the thing: the "ewe" tagged "sheep" is a sheep.
            own = {name.lower() for name in match.artwork.names}
            if own & {lemma.lower().replace("_", " ") for lemma in concept.sense.lemmas}:
                fit = 0.8
        degree = _named_kind(match.artwork, sense) if fit == 1 else 0
        if degree:
            # "bubble tea" is tea of one kind: a plain cup of tea shows "tea" better; an idea
            # before the head ("evolution steps") names another picture altogether.
            fit = 0.85 if degree == 1 else 0.3
        if fit < 1:
            # What it shows besides its title counts a little less than its title; what the
            # title says it holds ("glass of milk") almost as much.
            held = _held_by_title(match.artwork)
            fit = max(
                [
                    fit,
                    0.95 if held is not None and held.name == concept.sense.name else 0.0,
                    *(0.9 * _fit(other, concept.sense) for other in _also_shows(match.artwork)),
                ]
            )
        if fit <= 0:
            continue
        title_words = set(match.artwork.title.lower().replace("_", " ").split())
        title_words |= {word for name in match.artwork.names[:6] for word in name.split()}
        if title_words & _EMBLEM_WORDS and not set(concept.text.split()) & _EMBLEM_WORDS:
            continue  # a recycling symbol is no picture of water, a road sign none of a train
        if kind_words and not kind_words & {w for name in match.artwork.names[:6] for w in name.split()}:
            own_name = match.artwork.names[0].split()
            if len(own_name) >= 2 and own_name[-1] == concept.text.split()[-1]:
                # Another kind by the same word, however well its head fits: a test tube for
                # an inner tube, a fax machine for a coffee machine.
                continue
            if fit < 1:
                fit = min(fit, STRONG_FIT - 0.05)  # a computer is a machine, but no coffee machine
            elif any(
                other.is_a(concept.sense) and not kind_words & set(other.lemmas[0].lower().split("_"))
                for other in _also_shows(match.artwork)
            ):
                # Its tags make it another kind: a "station" tagged "train" is a railway
                # station, no charging station.
                fit = STRONG_FIT - 0.05
        found.append((match.artwork, fit, match.score))
    # What shows the thing best first; among equals, the better name match and drawing.
    found.sort(key=lambda item: (-round(item[1], 2), -item[2], item[0].id))
    if not any(fit >= STRONG_FIT for _, fit, _ in found) and " " in concept.text:
        # "green tea" with no drawing of its own: a drawing of tea, of the same kind of thing
        # (food, plants, animals: a "fuel pump" is still no picture of a "bicycle pump").
        head = concept.text.split()[-1]
        same = [s for s in lexicon.noun_senses(head) if s.lexname == concept.sense.lexname]
        if same and concept.sense.lexname in {"noun.food", "noun.plant", "noun.animal"}:
            return _find(Concept(head, same[0], concept.role), style=style, exclude=exclude, limit=limit)
        # A "flat tyre" is a tyre in a state no drawing shows: a drawing of a tyre shows it.
        # (A "bicycle pump" is a kind named by a noun: a fuel pump still does not.)
        # Its definition says so: nothing but words of a state before the head ("a deflated
        # pneumatic tire"); an "inner tube" is "a ... tube that fits inside a tire".
        kinds = [s for s in lexicon.noun_senses(head) if concept.sense.is_a(s)]
        gloss = re.findall(r"[a-z]+", concept.sense.definition.lower())
        if kinds and gloss and gloss[-1] == head and lexicon.mostly_adjective(concept.text.split()[0]):
            return _find(Concept(head, kinds[0], concept.role), style=style, exclude=exclude, limit=limit)
        # A "lighthouse keeper" ("the keeper of a lighthouse") with no drawing of its own:
        # the thing it is named after and defined by, as a near picture.
        first = concept.text.split()[0]
        whole = next((s for s in lexicon.noun_senses(first) if s.depictable), None)
        near: list[tuple[Artwork, float]] = []
        if whole is not None and first in re.findall(r"[a-z]+", concept.sense.definition.lower()):
            near = [
                (art, round(fit * (STRONG_FIT + 0.1), 3))
                for art, fit in _find(Concept(first, whole, concept.role), style=style, exclude=exclude, limit=limit)
            ]
        if near and near[0][1] >= STRONG_FIT + 0.1:
            return near  # a coffee cup: a cup of coffee says more than an empty cup
        # A "fishing boat" or an "electric car" with no drawing of its own: a drawing of the
        # plain thing its last word names (a boat, a car), when WordNet has the two as one kind
        # and its sibling (a fishing boat is a vessel as a boat is), and the drawing is of
        # that very thing: no other kind of it ("motor boat", "tram car").
        if named:
            plain = next(
                (
                    s
                    for s in lexicon.noun_senses(head)
                    if s.lexname == concept.sense.lexname
                    and len(s.ancestors) >= 8
                    and concept.sense.ancestors[:1]
                    and (s.name == concept.sense.ancestors[0] or s.ancestors[:1] == concept.sense.ancestors[:1])
                ),
                None,
            )
            if plain is not None:
                drawn = [
                    (art, round(STRONG_FIT + 0.1, 3))
                    for art, fit in _find(Concept(head, plain, concept.role), style=style, exclude=exclude, limit=8)
                    if fit >= 1 and _art_sense(art) == plain and not _named_kind(art, plain)
                ]
                if drawn:
                    return drawn[:limit]
        if near:
            return near
    return [(art, fit) for art, fit, _ in found[:limit]]


def _gloss_words(sense: Sense) -> set[str]:
    words = set()
    for word in re.findall(r"[a-z]+", sense.definition.lower()):
        words.add(word)
        words.add(lexicon.lemma(word, "n") or word)
    return words


def _topics_nearest(reading: SceneReading, topics: Sequence[str]) -> list[str]:
    """topics in their order, but those one of the scene's own things is defined by (or
    that are defined by it: WordNet's glosses) first. A thing and its own kind do not count."""
    own = [c.sense for c in reading.concepts if c.sense is not None]
    if not own:
        return list(topics)

    def near(topic: str) -> bool:
        main = topic_concept(topic)
        sense = main.sense if main is not None else None
        if sense is None:
            return False
        names = {lemma.lower() for lemma in sense.lemmas if "_" not in lemma}
        for thing in own:
            if thing.name == sense.name or thing.is_a(sense) or sense.is_a(thing):
                continue
            thing_names = {lemma.lower() for lemma in thing.lemmas if "_" not in lemma}
            if names & _gloss_words(thing) or thing_names & _gloss_words(sense):
                return True
        return False

    return sorted(topics, key=lambda topic: not near(topic))


def _material(word: str) -> bool:
    senses = lexicon.noun_senses(word)
    return bool(senses) and senses[0].lexname == "noun.substance"


# Drawings of a sign or symbol for a thing, not of the thing.
_EMBLEM_WORDS = frozenset(
    "sign signs roadsign symbol symbols logo icon badge button recycle recycling emblem pictogram label sticker"
    # Flags of a cause or a people: emblems, never "a flag" planted on the Moon.
    " transgender rainbow pirate chequered checkered".split()
)

_EMOJI_CODE = re.compile(r"^(?:twemoji|fluent):([0-9a-f-]+)$")


def _about(concept: Concept) -> str:
    """What a drawing stands for, as a sense: a "sea turtle" and a "mother turtle" are one
    thing to show, whatever the words."""
    return concept.sense.name if concept.sense is not None else concept.text


def _same_thing(one: str, other: str) -> bool:
    """Whether two senses are one thing to show: the same, or one a kind of the other (a
    "sea turtle" and a "turtle")."""
    if one == other:
        return True
    first, second = lexicon.sense_named(one), lexicon.sense_named(other)
    return first is not None and second is not None and (first.is_a(second) or second.is_a(first))


def _shows(artwork_id: str, about: str) -> bool:
    """Whether a drawing shows the thing ``about`` names: its own title's thing, or what its
    tags say it holds or is."""
    artwork = artwork_by_id(artwork_id)
    if artwork is None:
        return False
    own = _art_sense(artwork)
    return (own is not None and own.name == about) or about in {sense.name for sense in _also_shows(artwork)}


def _placed(artwork: Artwork, score: float = 0.0, about: str = "") -> Pictogram:
    group, subgroup = _place_of(_art_sense(artwork))
    match = _EMOJI_CODE.match(artwork.id)
    code = match.group(1).upper() if match else artwork.id
    return Pictogram(
        hexcode=code,
        label=artwork.title,
        group=group,
        subgroup=subgroup,
        artwork=artwork,
        score=score,
        matched=(),
        about=about,
    )


# Where a kind of thing goes in a frame, by what it is a kind of (first match wins).
_PLACES: tuple[tuple[str, str, str], ...] = (
    ("flag.n.01", "flags", "country-flag"),
    # The sun, its light, a planet, a rainbow, a cloud: up in the sky, not on the grass.
    ("celestial_body.n.01", "travel-places", "sky-weather"),
    ("sunlight.n.01", "travel-places", "sky-weather"),
    ("atmospheric_phenomenon.n.01", "travel-places", "sky-weather"),
    ("cloud.n.02", "travel-places", "sky-weather"),
    ("rainbow.n.01", "travel-places", "sky-weather"),
    ("bird.n.01", "animals-nature", "animal-bird"),
    ("aircraft.n.01", "travel-places", "transport-air"),
    ("spacecraft.n.01", "travel-places", "transport-air"),
    ("rocket.n.01", "travel-places", "transport-air"),
    ("vessel.n.02", "travel-places", "transport-water"),
    ("boat.n.01", "travel-places", "transport-water"),
    ("fish.n.01", "animals-nature", "animal-marine"),
    ("aquatic_mammal.n.01", "animals-nature", "animal-marine"),
    ("insect.n.01", "animals-nature", "animal-bug"),
    ("reptile.n.01", "animals-nature", "animal-reptile"),
    ("amphibian.n.03", "animals-nature", "animal-amphibian"),
    ("animal.n.01", "animals-nature", "animal-mammal"),
    ("fruit.n.01", "food-drink", "food-fruit"),
    ("vegetable.n.01", "food-drink", "food-vegetable"),
    ("food.n.02", "food-drink", "food-prepared"),
    ("food.n.01", "food-drink", "food-prepared"),
    ("beverage.n.01", "food-drink", "drink"),
    ("flower.n.01", "animals-nature", "plant-flower"),
    ("plant.n.02", "animals-nature", "plant-other"),
    ("person.n.01", "people-body", "person-role"),
    ("structure.n.01", "travel-places", "place-building"),
    ("wheeled_vehicle.n.01", "travel-places", "transport-ground"),
    ("conveyance.n.03", "travel-places", "transport-ground"),
    # Things of the house and the desk stand indoors, on a table or the floor.
    ("furniture.n.01", "objects", "household"),
    ("container.n.01", "objects", "household"),
    ("utensil.n.01", "objects", "household"),
    ("electronic_equipment.n.01", "objects", "household"),
    ("computer.n.01", "objects", "household"),
    ("home_appliance.n.01", "objects", "household"),
    ("implement.n.01", "objects", "household"),
    ("lamp.n.02", "objects", "household"),
    ("source_of_illumination.n.01", "objects", "household"),
    ("device.n.01", "objects", "household"),
    ("machine.n.01", "objects", "household"),
    ("covering.n.02", "objects", "household"),
    ("document.n.01", "objects", "household"),
    ("geological_formation.n.01", "travel-places", "place-geographic"),
    ("celestial_body.n.01", "travel-places", "sky-weather"),
)


def _place_of(sense: Sense | None) -> tuple[str, str]:
    """Where a thing stands: anything not known to belong indoors stands outdoors (a road
    sign, a statue, a fountain)."""
    if sense is None:
        return "objects", "other-object"
    for ancestor, group, subgroup in _PLACES:
        if sense.is_a(ancestor):
            return group, subgroup
    return "travel-places", "place-other"


# --- the video's one style -----------------------------------------------------------------


def choose_style(prompts: Sequence[str], *, topics: Sequence[str] = ()) -> str | None:
    """The artwork style that shows most of a video's scenes (one style per video: clip
    art and emoji never mix). Ties go to the emoji sets, which are the most consistent."""
    if not artwork_available():
        return None
    readings = [_reading(prompt) for prompt in prompts]
    subjects = [r.subject for r in readings if r.subject is not None]
    if not subjects:
        return STYLES[0]
    # How well each style shows each subject: an exact drawing counts fully, a near one less,
    # a mere hint not at all.
    # What the whole video is about counts three times: a lighthouse story needs its lighthouse.
    main = {c.sense for c in map(topic_concept, topics[:2]) if c is not None}

    def shows(reading: SceneReading, style: str) -> float:
        # What the scene would show: its subject, else the best of its other things.
        best = 0.0
        for rank, concept in enumerate(reading.concepts[:4]):
            fit = max((fit for _, fit in _find(concept, style=style, exclude=()) if fit >= STRONG_FIT), default=0.0)
            weight = (1.0 if rank == 0 else 0.8) * (3 if concept.sense in main else 1)
            best = max(best, fit * weight)
        return best

    shown = {style: sum(shows(reading, style) for reading in readings) for style in STYLES}

    return max(STYLES, key=lambda style: (shown[style], -STYLES.index(style)))


@lru_cache(maxsize=512)
def _reading(prompt: str) -> SceneReading:
    return read_scene(_without_figure(prompt))


def _without_figure(prompt: str) -> str:
    return prompt[len(FIGURE_PREFIX) :] if prompt.lower().startswith(FIGURE_PREFIX) else prompt


# --- what the creator may choose instead ---------------------------------------------------


def picture_candidates(prompt: str, *, limit: int = 6, style: str | None = None) -> list[Candidate]:
    """The drawings that show the prompt's subject (then its other things), best first."""
    if not artwork_available():
        return []
    reading = _reading(prompt)
    out: list[Candidate] = []
    seen: set[str] = set()
    hints: list[Candidate] = []
    for concept in reading.concepts:
        for artwork, fit in _find(concept, style=style, exclude=seen, limit=limit):
            seen.add(artwork.id)
            candidate = Candidate(artwork.id, _depicts(artwork), artwork.source, artwork.credit, round(fit, 2))
            # Drawings that only hint at the thing (a radio tower for a lighthouse) are offered
            # only when nothing shows it.
            (out if fit > STRONG_FIT else hints).append(candidate)
        if len(out) >= limit:
            break
    return (out or hints)[:limit]


def _depicts(artwork: Artwork) -> tuple[str, ...]:
    """The artwork's own names, its title first, each once ("the mad little ship" and "mad
    little ship", "falling rocks" and "falling rock" are one name)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in [artwork.title.lower().replace("_", " "), *(n for n in artwork.names if n != "unsorted")]:
        key = re.sub(r"^(?:the|a|an) ", "", name.strip())
        key = key[:-1] if key.endswith("s") and key[:-1] in seen else key
        if key and key not in seen and (key + "s") not in seen:
            seen.add(key)
            out.append(name.strip())
    return tuple(out[:6])


# --- the picture ---------------------------------------------------------------------------

_WATER_WORDS = frozenset({"sea", "ocean", "harbor", "harbour", "port", "river", "lake", "coast", "bay", "shore"})
# Things that stand on or by the water without being it (not a backdrop the frame draws).
_BY_WATER_WORDS = frozenset(
    {"boat", "fishing boat", "ship", "sailboat", "ferry", "yacht", "canoe", "pier", "wharf", "dock", "quay", "jetty"}
)
# Settings in the open: a shoe "in a park" stands on grass, not by a window.
_OUTDOOR_WORDS = frozenset(
    {"park", "garden", "field", "meadow", "forest", "wood", "woods", "mountain", "hill", "desert", "beach", "farm"}
    | {"yard", "road", "trail", "path", "countryside", "valley", "playground", "campsite", "orchard", "lawn"}
)
_CITY_WORDS = frozenset({"city", "town", "downtown", "street", "traffic", "skyscraper", "skyline", "station"})
_INDOOR_WORDS = frozenset(
    {"kitchen", "room", "office", "house", "home", "shop", "store", "restaurant", "cafe", "bar", "classroom", "studio"}
)


def render_illustration(
    *,
    prompt: str,
    width: int,
    height: int,
    seed: int,
    palette_seed: str | int,
    style: str | None = None,
    artwork: str = "",
    exclude: Collection[str] = (),
    topics: Sequence[str] = (),
    shown: Mapping[str, str] | None = None,
) -> IllustrationResult | None:
    """The picture for ``prompt`` at exactly ``width`` x ``height``: a data card for a
    "chart:" prompt, else the drawing of its subject in its setting.

    ``style`` keeps the video's one artwork source; ``artwork`` pins the hero the creator
    chose; ``exclude`` are drawings other scenes of the video already show; ``topics`` (the
    script's own drawable nouns) stand in where the scene has no drawing; ``shown`` maps the
    drawings earlier scenes showed to the thing each stood for: one comes back only for the
    same thing. Returns None
    only when the library is not installed."""
    if not artwork_available():
        return None
    palette = palette_for(palette_seed)
    reading = _reading(prompt)
    if prompt.lower().startswith(FIGURE_PREFIX):
        figure = find_figure(_without_figure(prompt))
        if figure is not None:
            return _data_card(figure, reading, palette, width, height, style, set(exclude))
    objects: list[Pictogram] = []
    used = set(exclude)
    shown = shown or {}

    def taken(about: str) -> set[str]:
        # A drawing comes back only for the same thing, or for a thing it plainly shows too
        # (the wheel drawn for "the wheel" shows "the tyre" later).
        return used | {art for art, was in shown.items() if not _same_thing(was, about) and not _shows(art, about)}

    pinned = artwork_by_id(artwork) if artwork else None
    if pinned is not None:
        objects.append(_placed(pinned, 1.0))
        used.add(pinned.id)
    weak: list[Pictogram] = []
    concepts = list(reading.concepts)
    part_of = _topic_it_belongs_to(reading, topics)
    if (
        part_of is not None
        and part_of.sense is not None
        and reading.subject is not None
        and reading.subject.sense is not None
    ):
        if reading.subject.sense.is_a(part_of.sense) or part_of.sense.is_a(reading.subject.sense):
            # A kind of the script's thing (its smart water bottle, Armstrong the astronaut)
            # is drawn as that thing, in the subject's place.
            concepts = [part_of if c is reading.subject else c for c in concepts]
        else:
            concepts.insert(0, part_of)
    for concept in concepts:
        if len(objects) >= 3:
            break
        if pinned is not None and concept is reading.subject:
            continue
        if concept.role == "setting" and _backdrop_word(concept.text):
            continue  # the sea, a kitchen, a city: the frame draws it
        about = _about(concept)
        found = _find(concept, style=style, exclude=taken(about), limit=3)
        # Of the drawings that show it equally well, not one an earlier scene showed for
        # another thing (the server of a "cloud storage" card is not again "the servers").
        found = sorted(
            found, key=lambda item: (-round(item[1], 2), not _same_thing(shown.get(item[0].id, about), about))
        )[:1]
        for art, score in found:
            if score < STRONG_FIT:
                weak.append(_placed(art, score, about))
                continue
            objects.append(_placed(art, score, about))
            used.add(art.id)
    if not objects:
        # Nothing of the scene's own in the video's style: the thing the script is about,
        # the one the scene's own things are defined by first ("the cooled lava": lava
        # "issues from volcanos", so the volcano story's volcano, not its sheep).
        for topic in _topics_nearest(reading, topics):
            main = topic_concept(topic)
            if main is None:
                continue
            about = _about(main)
            found = [(art, fit) for art, fit in _find(main, style=style, exclude=taken(about)) if fit >= STRONG_FIT]
            if found:
                objects.append(_placed(found[0][0], found[0][1], about))
                break
    if not objects and weak:
        objects = weak[:1]
    if not objects:
        # Nothing of the scene has a drawing: a still landscape, never another word's sense.
        for fallback in ("tree", "house", "flower"):
            senses = lexicon.noun_senses(fallback)
            if not senses:
                continue
            found = _find(Concept(fallback, senses[0], "subject"), style=style, exclude=())
            if found:
                objects.append(_placed(found[0][0], 0.0))
                break
    if not objects:
        return None
    scene, city = _scene_of(reading, objects[0])
    layout_key = f"{seed}\0{scene}\0{reading.mood}\0{city}\0" + ",".join(p.artwork.id for p in objects)
    rng = random.Random(hashlib.sha256(layout_key.encode()).digest())
    frame = compose(
        width=width,
        height=height,
        palette=palette,
        mood=reading.mood,
        scene=scene,
        city=city,
        objects=objects,
        rng=rng,
    )
    hero = objects[0].artwork
    return IllustrationResult(
        image=frame.image,
        pictograms=tuple(objects),
        credit=_credit(p.artwork for p in objects),
        licence=hero.licence,
        source_url=hero.source_url,
        depicts=tuple(dict.fromkeys(d for p in objects for d in _depicts(p.artwork)[:2])),
        source=hero.source,
        layers=Layers(frame.background, frame.hero, frame.hero_at) if frame.hero is not None else None,
    )


def _topic_it_belongs_to(reading: SceneReading, topics: Sequence[str]) -> Concept | None:
    """The script's main thing when the scene's subject is a part of it by its very
    definition: "the light is turning" in a lighthouse story is the lighthouse's light (a
    lighthouse is "a tower with a light that..."), not sunshine."""
    subject = reading.subject
    if subject is None or subject.sense is None:
        return None
    for topic in topics[:2]:
        main = topic_concept(topic)
        if main is None or main.sense is None or main.sense == subject.sense:
            continue
        if subject.sense.is_a(main.sense):
            return Concept(main.text, main.sense, "subject")  # the smart water bottle is the bottle
        if main.sense.is_a(subject.sense) and subject.text not in main.text.split():
            # What the script's thing is, named plainly: in a volcano story "the mountain" is
            # the volcano ("a mountain formed by volcanic material").
            return Concept(main.text, main.sense, "subject")
        # Its own name, or that of what it is ("lamp" is a light source: a lighthouse is a
        # tower "with a light"). The gloss's words as written: "passing ships" are no ship.
        said = set(re.findall(r"[a-z]+", main.sense.definition.lower()))
        names = {subject.text}
        for kind in subject.sense.ancestors[:2]:
            if kind in main.sense.ancestors:
                continue  # what both are ("a person who operates a farm"): no part of it
            known = lexicon.sense_named(kind)
            names.update(n.lower() for n in (known.lemmas if known is not None else ()))
        if names & said:
            return Concept(main.text, main.sense, "subject")
    return None


def _backdrop_word(text: str) -> bool:
    return text in _WATER_WORDS or text in _CITY_WORDS or text in _INDOOR_WORDS


def _scene_of(reading: SceneReading, hero: Pictogram) -> tuple[str, bool]:
    # Whole names and their heads: a "shop owner" is not a shop.
    words = {c.text for c in reading.concepts} | {c.text.split()[-1] for c in reading.concepts}
    # Words of the sea make a sea only around things that stand by or on it (a lighthouse, a
    # gull, a boat); a bus by the river still drives on land.
    by_water = hero.subgroup in {"place-building", "place-geographic", "animal-bird", "sky-weather", "transport-air"}
    seaside = bool(words & (_WATER_WORDS | _BY_WATER_WORDS))
    water = hero.subgroup in {"transport-water", "animal-marine"} or (by_water and seaside)
    city = bool(words & _CITY_WORDS)
    indoor_thing = hero.group in {"objects", "food-drink"} and hero.subgroup not in {"food-fruit", "food-vegetable"}
    # Crates on a pier stand outdoors: a thing of the house only indoors away from the water.
    outdoors = bool(words & _OUTDOOR_WORDS)
    indoor = bool(words & _INDOOR_WORDS) or (indoor_thing and not (water or city or seaside or outdoors))
    if indoor and hero.subgroup not in {"transport-water", "animal-marine"}:
        return "indoor", False
    return ("water" if water else "land"), city


def _credit(artworks: Iterable[Artwork]) -> str:
    lines = dict.fromkeys(art.credit for art in artworks)
    return "; ".join(lines) + ("; arranged into a scene by Contentizer." if lines else "")


def _data_card(
    figure: Figure,
    reading: SceneReading,
    palette: Palette,
    width: int,
    height: int,
    style: str | None,
    exclude: Collection[str],
) -> IllustrationResult:
    icon_art = None
    if reading.subject is not None:
        # Only a drawing of the very thing counted: a computer is no icon for a coffee machine.
        found = [
            (art, fit)
            for art, fit in _find(reading.subject, style=style, exclude=exclude)
            or _find(reading.subject, style=None, exclude=())
            if fit >= STRONG_FIT
        ]
        icon_art = found[0][0] if found else None
    icon = artwork_image(icon_art, max(64, min(width, height) // 4)) if icon_art is not None else None
    # The card's look, one for its still, its layers and its count-up.
    background, accent, ink = palette.sky_top, palette.accent, (255, 255, 255)
    drawn = data_card_layers(
        figure, width=width, height=height, background=background, accent=accent, ink=ink, icon=icon
    )
    if drawn is None:
        image = render_data_card(figure, width=width, height=height, background=background, accent=accent, ink=ink)
        layers = None
    else:
        # The figure, its chart and label come in over the card's ground (the render's entrance).
        image, ground, content, at = drawn
        # And counts up as it comes in: the content part-way, in the final content's box.
        box = (at[0], at[1], at[0] + content.width, at[1] + content.height)
        steps = data_card_count_up(
            figure, box=box, icon=icon, width=width, height=height, background=background, accent=accent, ink=ink
        )
        layers = Layers(ground, content, at, tuple(steps))
    depicts = (f"{figure.display} {figure.label}".strip(),) + (_depicts(icon_art)[:1] if icon_art else ())
    return IllustrationResult(
        image=image,
        pictograms=(_placed(icon_art),) if icon_art is not None else (),
        credit=_credit([icon_art]) if icon_art is not None else "",
        licence=icon_art.licence if icon_art is not None else "",
        source_url=icon_art.source_url if icon_art is not None else "",
        depicts=depicts,
        source="data card",
        layers=layers,
    )
