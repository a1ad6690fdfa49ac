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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

from . import lexicon
from .art_library import STYLES, Artwork, artwork_by_id, artwork_image, library_available, library_search
from .data_card import Figure, find_figure
from .frame_drawing import compose, palette_for
from .lexicon import Sense
from .scene_reader import Concept, SceneReading, read_scene

__all__ = [
    "FIGURE_PREFIX",
    "Candidate",
    "IllustrationResult",
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


@dataclass(frozen=True)
class IllustrationResult:
    image: Image.Image  # RGB, exactly width x height
    pictograms: tuple[Pictogram, ...]  # what the frame shows, hero first
    credit: str  # one line to show with the picture
    licence: str
    source_url: str
    depicts: tuple[str, ...]  # what the artwork itself shows: its own names, hero first
    source: str  # "openclipart", "fluent", "twemoji" or "data card"


@dataclass(frozen=True)
class Candidate:
    id: str
    depicts: tuple[str, ...]
    source: str
    credit: str


def artwork_available() -> bool:
    return library_available() and lexicon.lexicon_available()


# --- which drawing shows a concept ---------------------------------------------------------


@lru_cache(maxsize=4096)
def _art_sense(artwork: Artwork) -> Sense | None:
    """The sense of what the artwork's title names, read against its own tags ("mouse"
    tagged "computer" is the device; tagged "rodent", the animal)."""
    # The whole title first ("test tube" is no "tube"), then what it is a picture of.
    heads = tuple(dict.fromkeys((*artwork.names[:1], *artwork.heads)))
    context = {word for name in artwork.names[1:12] for word in name.split()}
    for head in heads:
        senses = lexicon.noun_senses(head)
        if not senses:
            continue
        best, best_score = None, -1.0
        for rank, sense in enumerate(senses):
            gloss = set(re.findall(r"[a-z]+", sense.definition.lower()))
            gloss.update(part for name in sense.hypernyms[:5] for part in name.lower().split("_"))
            score = len(gloss & context) + (0.5 if rank == 0 else 0.0) + (0.3 if sense.depictable else 0.0)
            if score > best_score:
                best, best_score = sense, score
        return best
    return None


def _fit(art: Sense, wanted: Sense) -> float:
    """How well a drawing of ``art`` shows ``wanted``: 1 the same thing or a kind of it,
    less for its near kind ("tower" for a lighthouse), 0 for anything else."""
    if art.name == wanted.name:
        return 1.0
    if art.is_a(wanted):
        return 0.9
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
    found: list[tuple[Artwork, float]] = []
    for match in library_search(concept.search_terms(), style=style, limit=40, exclude=exclude):
        sense = _art_sense(match.artwork)
        fit = _fit(sense, concept.sense) if sense is not None else 0.0
        if fit <= 0:
            continue
        found.append((match.artwork, fit * (0.5 + match.score)))
    found.sort(key=lambda item: (-item[1], item[0].id))
    return found[:limit]


_EMOJI_CODE = re.compile(r"^(?:twemoji|fluent):([0-9a-f-]+)$")


def _placed(artwork: Artwork, score: float = 0.0) -> Pictogram:
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
    )


# Where a kind of thing goes in a frame, by what it is a kind of (first match wins).
_PLACES: tuple[tuple[str, str, str], ...] = (
    ("flag.n.01", "flags", "country-flag"),
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
    ("geological_formation.n.01", "travel-places", "place-geographic"),
    ("celestial_body.n.01", "travel-places", "sky-weather"),
)


def _place_of(sense: Sense | None) -> tuple[str, str]:
    if sense is None:
        return "objects", "other-object"
    for ancestor, group, subgroup in _PLACES:
        if sense.is_a(ancestor):
            return group, subgroup
    return "objects", "other-object"


# --- the video's one style -----------------------------------------------------------------


def choose_style(prompts: Sequence[str]) -> str | None:
    """The artwork style that shows most of a video's scenes (one style per video: clip
    art and emoji never mix). Ties go to the emoji sets, which are the most consistent."""
    if not artwork_available():
        return None
    readings = [_reading(prompt) for prompt in prompts]
    subjects = [r.subject for r in readings if r.subject is not None]
    if not subjects:
        return STYLES[0]
    shown = {style: sum(1 for subject in subjects if _find(subject, style=style, exclude=())) for style in STYLES}
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
    for concept in reading.concepts:
        for artwork, _score in _find(concept, style=style, exclude=seen, limit=limit):
            seen.add(artwork.id)
            out.append(Candidate(artwork.id, _depicts(artwork), artwork.source, artwork.credit))
        if len(out) >= limit:
            break
    return out[:limit]


def _depicts(artwork: Artwork) -> tuple[str, ...]:
    names = [artwork.title.lower()] + [name for name in artwork.names if name != artwork.title.lower()]
    return tuple(dict.fromkeys(names))[:6]


# --- the picture ---------------------------------------------------------------------------

_WATER_WORDS = frozenset({"sea", "ocean", "harbor", "harbour", "port", "river", "lake", "coast", "bay", "shore"})
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
) -> IllustrationResult | None:
    """The picture for ``prompt`` at exactly ``width`` x ``height``: a data card for a
    "chart:" prompt, else the drawing of its subject in its setting.

    ``style`` keeps the video's one artwork source; ``artwork`` pins the hero the creator
    chose; ``exclude`` are drawings other scenes of the video already show. Returns None
    only when the library is not installed."""
    if not artwork_available():
        return None
    palette = palette_for(palette_seed)
    reading = _reading(prompt)
    if prompt.lower().startswith(FIGURE_PREFIX):
        figure = find_figure(_without_figure(prompt))
        if figure is not None:
            return _data_card(figure, reading, palette, width, height, style, exclude)
    objects: list[Pictogram] = []
    used = set(exclude)
    pinned = artwork_by_id(artwork) if artwork else None
    if pinned is not None:
        objects.append(_placed(pinned, 1.0))
        used.add(pinned.id)
    for concept in reading.concepts:
        if len(objects) >= 3:
            break
        if pinned is not None and concept is reading.subject:
            continue
        if concept.role == "setting" and _backdrop_word(concept.text):
            continue  # the sea, a kitchen, a city: the frame draws it
        for art, score in _find(concept, style=style, exclude=used):
            objects.append(_placed(art, score))
            used.add(art.id)
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
    image = compose(
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
        image=image,
        pictograms=tuple(objects),
        credit=_credit(p.artwork for p in objects),
        licence=hero.licence,
        source_url=hero.source_url,
        depicts=tuple(dict.fromkeys(d for p in objects for d in _depicts(p.artwork)[:2])),
        source=hero.source,
    )


def _backdrop_word(text: str) -> bool:
    return text in _WATER_WORDS or text in _CITY_WORDS or text in _INDOOR_WORDS


def _scene_of(reading: SceneReading, hero: Pictogram) -> tuple[str, bool]:
    words = {c.text for c in reading.concepts} | {w for c in reading.concepts for w in c.text.split()}
    water = hero.subgroup in {"transport-water", "animal-marine"} or bool(words & _WATER_WORDS)
    city = bool(words & _CITY_WORDS)
    indoor_thing = hero.group in {"objects", "food-drink"} and hero.subgroup not in {"food-fruit", "food-vegetable"}
    indoor = bool(words & _INDOOR_WORDS) or (indoor_thing and not water and not city)
    if indoor and hero.subgroup not in {"transport-water", "animal-marine"}:
        return "indoor", False
    return ("water" if water else "land"), city


def _credit(artworks: Iterable[Artwork]) -> str:
    lines = dict.fromkeys(art.credit for art in artworks)
    return "; ".join(lines) + ("; arranged into a scene by Contentizer." if lines else "")


def _data_card(
    figure: Figure,
    reading: SceneReading,
    palette,
    width: int,
    height: int,
    style: str | None,
    exclude: Collection[str],
) -> IllustrationResult:
    icon_art = None
    if reading.subject is not None:
        found = _find(reading.subject, style=style, exclude=exclude) or _find(reading.subject, style=None, exclude=())
        icon_art = found[0][0] if found else None
    from .data_card import render_data_card

    icon = artwork_image(icon_art, max(64, min(width, height) // 4)) if icon_art is not None else None
    image = render_data_card(
        figure,
        width=width,
        height=height,
        background=palette.sky_top,
        accent=palette.accent,
        ink=(255, 255, 255),
        icon=icon,
    )
    depicts = (f"{figure.display} {figure.label}".strip(),) + (_depicts(icon_art)[:1] if icon_art else ())
    return IllustrationResult(
        image=image,
        pictograms=(_placed(icon_art),) if icon_art is not None else (),
        credit=_credit([icon_art]) if icon_art is not None else "",
        licence=icon_art.licence if icon_art is not None else "",
        source_url=icon_art.source_url if icon_art is not None else "",
        depicts=depicts,
        source="data card",
    )
