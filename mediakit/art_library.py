"""The offline artwork library: every usable picture from three sources, indexed once at
setup by ``python -m mediakit.art_library build`` and searched at run time by name.

Sources, one visual style each (a video never mixes them):

- ``openclipart``: Debian's ``openclipart-svg``, about 8,000 public-domain drawings whose RDF
  metadata carries a title, tags and the author;
- ``twemoji``: Twemoji's SVGs (CC BY 4.0), named by emojibase's CLDR annotations (MIT);
- ``fluent``: Microsoft's Fluent Emoji (MIT) as Iconify JSON, named by the same annotations.

Names and tags are normalised to lowercase noun lemmas through WordNet (``mediakit.lexicon``),
phrases kept whole ("light bulb"), so search is by exact name or phrase: "mind" never finds
"mind blown". The build renders every candidate small to drop what fails to render, to tell
colour from black-and-white and to find exact duplicates; drawings that carry text and icon
sets (mime types, themes, buttons, LEDs, playing cards) are left out.

The index is a JSON file under ``.artwork/``. It is never built at run time: without it
``library_available()`` is False. Nothing here imports Django or reaches the network.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import json
import math
import os
import re
import sys
import time
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops

from . import config, lexicon

__all__ = [
    "STYLES",
    "Artwork",
    "Match",
    "artwork_by_id",
    "artwork_image",
    "build",
    "index_path",
    "library_available",
    "library_counts",
    "library_search",
]

STYLES = ("fluent", "twemoji", "openclipart")
# Bumped whenever the index's shape or rules change; an index of another version is not
# read (setup rebuilds it because this file changed).
INDEX_VERSION = 1
OPENCLIPART_DIR = "/usr/share/openclipart/svg"

_TWEMOJI_DIR = "@twemoji/svg"
_FLUENT_JSON = "@iconify-json/fluent-emoji/icons.json"
_ANNOTATIONS = "emojibase-data/en/data.json"
_GROUPS = "emojibase-data/meta/groups.json"
# Fluent SVGs are extracted from the 100 MB Iconify JSON at build time, compressed, so the
# run time never parses that file (resvg reads .svgz directly).
_FLUENT_SVG_DIR = "fluent-emoji"

_LICENCES = {
    "openclipart": ("Public domain", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "twemoji": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "fluent": ("MIT", "https://github.com/microsoft/fluentui-emoji/blob/main/LICENSE"),
}
_SOURCE_URLS = {
    "openclipart": "https://openclipart.org/",
    "twemoji": "https://github.com/jdecked/twemoji",
    "fluent": "https://github.com/microsoft/fluentui-emoji",
}


# --- the run-time API ---------------------------------------------------------------------


@dataclass(frozen=True)
class Artwork:
    id: str  # "openclipart:buildings/homes/lighthouse_matthew_gates_", "twemoji:1f3e0"
    source: str  # one of STYLES
    title: str  # its own title or label, as published ("Lighthouse", "house with garden")
    names: tuple[str, ...]  # normalised: its title first, then its heads and tags
    author: str
    licence: str
    licence_url: str
    source_url: str
    colour: bool  # False for black-and-white line art
    aspect: float  # drawn width / height
    quality: float  # 0.5 (poor) .. 1.0 (good): colour, fill, sane shape, metadata
    heads: tuple[str, ...] = field(default=(), repr=False)  # what the title is a picture of
    # WordNet's other words for its heads, and what they are kinds of: not its own names.
    alike: tuple[str, ...] = field(default=(), repr=False)
    broader: tuple[str, ...] = field(default=(), repr=False)
    path: str = field(default="", repr=False, compare=False)  # its SVG (or .svgz)

    @property
    def credit(self) -> str:
        """One line to show with the picture: what each licence asks for (CC BY: author and
        licence), and the author as a courtesy where it asks for nothing."""
        if self.source == "twemoji":
            return "Twemoji by Twitter/X and contributors, CC BY 4.0"
        if self.source == "fluent":
            return "Fluent Emoji © Microsoft, MIT licence"
        by = f" by {self.author}" if self.author else ""
        return f"{self.title}{by}, Openclipart (public domain)"


@dataclass(frozen=True)
class Match:
    artwork: Artwork
    score: float
    matched: tuple[str, ...]  # the search terms it matched
    # Where its strongest term was found: "title", "head" (what the title is a picture of),
    # "synonym", "tag", "broader" (a kind the head belongs to) or "loose" (a tag naming only
    # an idea, "mind" on the exploding head): a caller can refuse weak evidence.
    via: str = "title"


def index_path() -> Path:
    return Path(config.current().artwork_dir).parent / "library.json"


def library_available() -> bool:
    return _library(str(index_path())) is not None


def library_counts() -> dict[str, int]:
    lib = _library(str(index_path()))
    if lib is None:
        return {}
    counts = dict.fromkeys(STYLES, 0)
    for art in lib.entries:
        counts[art.source] += 1
    return counts


def artwork_by_id(id: str) -> Artwork | None:  # noqa: A002 - the name callers know
    lib = _library(str(index_path()))
    return lib.by_id.get(id) if lib is not None else None


# Where a term was found, strongest first, and what a match there is worth. A title match
# must beat any number of tag matches of the same weight: tags are many and loose, a title is
# what the artist drew. Synonyms and broader words come from WordNet, not the artist.
_TITLE, _HEAD, _ALIKE, _TAG, _BROADER, _LOOSE = range(6)
_KIND_NAMES = ("title", "head", "synonym", "tag", "broader", "loose")
_VALUES = (1.0, 0.75, 0.5, 0.2, 0.15, 0.05)
# Tags beyond this many dilute each other: an entry with 40 tags must not win by having many.
_TAG_BUDGET = 8


def library_search(
    terms: Sequence[tuple[str, float]],
    *,
    style: str | None = None,
    limit: int = 8,
    exclude: Collection[str] = (),
) -> list[Match]:
    """Artwork whose names are the terms, best first. Each term is a lowercase lemma or
    phrase with a weight ("lighthouse", 1.0), ("light bulb", 0.8); matching is exact, by whole
    name, so a word never finds a phrase containing it. ``style`` keeps one source;
    ``exclude`` drops ids already used."""
    lib = _library(str(index_path()))
    if lib is None or not terms or limit <= 0:
        return []
    if style is not None and style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")
    scores: dict[int, float] = {}
    matched: dict[int, list[str]] = {}
    best_part: dict[int, tuple[float, int]] = {}
    seen_terms: set[str] = set()
    for raw_term, weight in terms:
        term = _clean(raw_term)
        if not term or weight <= 0 or term in seen_terms:
            continue
        seen_terms.add(term)
        for idx, kind in lib.postings.get(term, ()):
            art = lib.entries[idx]
            if style is not None and art.source != style:
                continue
            value = _VALUES[kind]
            if kind in (_TAG, _LOOSE):
                value *= min(1.0, math.sqrt(_TAG_BUDGET / max(1, lib.tag_counts[idx])))
            scores[idx] = scores.get(idx, 0.0) + weight * value
            matched.setdefault(idx, []).append(term)
            if weight * value > best_part.get(idx, (0.0, _LOOSE))[0]:
                best_part[idx] = (weight * value, kind)
    excluded = set(exclude)
    ranked = sorted(
        (
            (score * lib.entries[idx].quality, idx)
            for idx, score in scores.items()
            if lib.entries[idx].id not in excluded
        ),
        key=lambda item: (-item[0], -lib.entries[item[1]].quality, lib.entries[item[1]].id),
    )
    return [
        Match(
            artwork=lib.entries[idx],
            score=round(score, 4),
            matched=tuple(matched[idx]),
            via=_KIND_NAMES[best_part[idx][1]],
        )
        for score, idx in ranked[:limit]
    ]


@lru_cache(maxsize=64)
def artwork_image(artwork: Artwork, size: int) -> Image.Image | None:
    """The artwork as RGBA, cropped to its drawn part, its longer side ``size`` pixels (many
    drawings sit small on a big page: see _render_cropped)."""
    if size < 4:
        return None
    svg = _svg_text(artwork.path)
    if svg is None:
        return None
    # Emoji too: a Fluent emoji's page has a margin, so drawing the whole page drew it twice
    # (the second time zoomed 1.14x, 612 ms per emoji at 600 px); the small probe and one
    # drawing of the drawn part take 399 ms (12 random Fluent emoji, the same pictures to a
    # pixel's shift).
    return _render_cropped(svg, size)


# --- the loaded index ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Library:
    entries: tuple[Artwork, ...]
    by_id: dict[str, Artwork]
    # name -> (entry index, kind): kind 0 title, 1 head, 2 tag
    postings: dict[str, tuple[tuple[int, int], ...]]
    tag_counts: tuple[int, ...]


@lru_cache(maxsize=2)
def _library(path: str) -> _Library | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
        return None
    roots = {
        "openclipart": "",
        "twemoji": str(Path(config.current().artwork_dir) / _TWEMOJI_DIR),
        "fluent": str(Path(path).parent / _FLUENT_SVG_DIR),
    }
    entries: list[Artwork] = []
    postings: dict[str, list[tuple[int, int]]] = {}
    tag_counts: list[int] = []
    for idx, row in enumerate(data["entries"]):
        source = row["source"]
        licence, licence_url = _LICENCES[source]
        names = tuple(row["names"])
        heads = tuple(row["heads"])
        alike = tuple(row["alike"])
        broader = tuple(row["broader"])
        entries.append(
            Artwork(
                id=row["id"],
                source=source,
                title=row["title"],
                names=names,
                author=row["author"],
                licence=licence,
                licence_url=licence_url,
                source_url=row.get("url") or _SOURCE_URLS[source],
                colour=row["colour"],
                aspect=row["aspect"],
                quality=row["quality"],
                heads=heads,
                alike=alike,
                broader=broader,
                path=os.path.join(roots[source], row["path"]) if roots[source] else row["path"],
            )
        )
        # The strongest reading of each name wins: a name that is both a head and a tag is
        # a head.
        kinds: dict[str, int] = {}
        for kind, group in (
            (_BROADER, broader),
            (_TAG, names[1:]),
            (_LOOSE, row["loose"]),
            (_ALIKE, alike),
            (_HEAD, heads),
            (_TITLE, names[:1]),
        ):
            for name in group:
                kinds[name] = kind
        for name, kind in kinds.items():
            postings.setdefault(name, []).append((idx, kind))
        tag_counts.append(sum(1 for kind in kinds.values() if kind in (_TAG, _LOOSE)))
    return _Library(
        entries=tuple(entries),
        by_id={art.id: art for art in entries},
        postings={name: tuple(items) for name, items in postings.items()},
        tag_counts=tuple(tag_counts),
    )


# --- names --------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z'’]*")
# Tags that say how or where a drawing was made or published, not what it shows.
_NOISE = frozenset(
    {
        "clip art",
        "clipart",
        "clip",
        "art",
        "image",
        "images",
        "media",
        "png",
        "svg",
        "public domain",
        "externalsource",
        "openclipart",
        "drawing",
        "illustration",
        "icon",
        "remix",
        "inkscape",
        "unknown",
        "untitled",
        "color",
        "colour",
        "colored",
        "coloured",
        "symbol",
        "picture",
        "graphic",
        "vector",
        "sketch",
        "cartoon",
        "design",
        "etiquette",
        "pd",
        "nopublisher",
        "c",
    }
)
# Words that end a title without naming what it shows ("apple icon", "cat 02").
_TRAILING_NOISE = frozenset({"icon", "clipart", "clip", "art", "drawing", "illustration", "vector", "image"})
_LINKS = frozenset(
    {"with", "of", "on", "in", "at", "and", "over", "without", "for", "under", "by", "from", "near", "to", "&"}
)
_ARTICLES = frozenset({"a", "an", "the"})


def _clean(phrase: str) -> str:
    """Lowercase words separated by single spaces: the shape every name and term takes."""
    # Accents folded: "Württemberg" is found by "wurttemberg", as Iconify's names spell it.
    text = unicodedata.normalize("NFKD", phrase).encode("ascii", "ignore").decode()
    text = text.lower().replace("_", " ").replace("-", " ")
    return " ".join(_WORD.findall(text)).strip("'")


@lru_cache(maxsize=100000)
def _lemma_phrase(phrase: str) -> str:
    """A cleaned phrase with its last word as a noun lemma ("light bulbs" -> "light bulb");
    WordNet's compound lemma wins when it knows the whole phrase."""
    words = phrase.split()
    if not words:
        return ""
    if len(words) > 1:
        whole = lexicon.lemma("_".join(words), "n")
        if whole:
            return whole.replace("_", " ").lower()
    last = words[-1]
    base = lexicon.lemma(last, "n") if len(last) > 2 else None
    # "glasses" -> "glass", "news" -> "news": WordNet decides; a word it does not know as a
    # noun ("red", "flying") stays as written.
    return " ".join([*words[:-1], base.lower() if base else last])


def _name(phrase: str) -> str:
    """A published name or tag as an index name, or "" when it names nothing."""
    cleaned = _clean(phrase)
    words = [w for w in cleaned.split() if w not in _ARTICLES or cleaned.count(" ") == 0]
    while len(words) > 1 and words[-1] in _TRAILING_NOISE:
        words.pop()
    # "hash 0x8b4d" style tags and letter soup ("x c b") name nothing.
    if any(len(w) < 2 or w == "hash" for w in words):
        return ""
    cleaned = " ".join(words)
    if not cleaned or cleaned in _NOISE or len(cleaned) < 2 or len(words) > 4:
        return ""
    return _lemma_phrase(cleaned)


def _is_noun(word: str) -> bool:
    return bool(word) and lexicon.lemma(word.replace(" ", "_"), "n") is not None


@lru_cache(maxsize=50000)
def _depictable_noun(word: str) -> bool:
    """A word used mostly as a noun, with a sense one can draw: "lighthouse", not "red"
    (mostly an adjective) or "style" (no drawable sense)."""
    if not _is_noun(word):
        return False
    counts = lexicon.pos_counts(word.replace(" ", "_"))
    if counts.get("a", 0) > counts.get("n", 0):
        return False
    senses = lexicon.noun_senses(word.replace(" ", "_"))
    if not senses:
        return False
    if _drawable(senses[0]):
        return True
    # "mind": a rare drawable sense (a clever person) does not make the word a thing; "book"
    # (mostly the text, often the object) is one.
    total = sum(sense.count for sense in senses)
    return total > 0 and sum(sense.count for sense in senses if _drawable(sense)) >= 0.1 * total


def _drawable(sense: lexicon.Sense) -> bool:
    # Money is a possession in WordNet, and is drawn as coins and notes.
    return sense.depictable or sense.lexname == "noun.possession"


def _head_of(part: list[str]) -> list[str]:
    """The head of one part of a title: the last drawable noun (with the WordNet compound it
    ends, "yellow light bulb" -> "light bulb", "bulb"); "man rowing boat" -> "man"."""
    ing = [i for i, w in enumerate(part) if i and w.endswith("ing") and not _depictable_noun(w)]
    words = part[: ing[0]] if ing else part
    for end in range(len(words), 0, -1):
        word = _lemma_phrase(words[end - 1])
        if not _depictable_noun(word):
            continue
        found = []
        if end >= 2:
            pair = _lemma_phrase(" ".join(words[end - 2 : end]))
            if _is_noun(pair):
                found.append(pair)
        return [*found, word]
    return [_lemma_phrase(words[-1])] if len(words) == 1 else []


def _heads(title: str) -> list[str]:
    """What a title is a picture of: the head of each part before a linking word ("red and
    white striped lighthouse" -> lighthouse, "cat with hat" -> cat, "cat and dog" -> both)."""
    words = [w for w in _clean(title).split() if w not in _ARTICLES]
    while len(words) > 1 and words[-1] in _TRAILING_NOISE:
        words.pop()
    parts: list[list[str]] = [[]]
    for word in words:
        if word in _LINKS:
            if word != "and" or not parts[-1]:
                break
            parts.append([])
        else:
            parts[-1].append(word)
    out: list[str] = []
    for part in parts:
        for head in _head_of(part) if part else []:
            if head and head not in _NOISE and head not in out:
                out.append(head)
    return out


# Ancestors too general to say anything about a picture.
_GENERIC = frozenset(
    {
        "entity",
        "physical entity",
        "object",
        "whole",
        "artifact",
        "instrumentality",
        "device",
        "structure",
        "abstraction",
        "thing",
        "matter",
        "organism",
        "living thing",
        "unit",
        "container",
        "covering",
        "commodity",
        "consumer goods",
        "implement",
        "equipment",
        "system",
        "causal agent",
        "part",
        "location",
        "region",
        "solid",
        "substance",
        "food",
        "nutriment",
        "mechanism",
        "creation",
        "artefact",
        "chordate",
        "vertebrate",
        "placental",
        "eutherian mammal",
        "adult",
        "attribute",
        "shape",
        "group",
        "content",
        "product",
    }
)


def _sense_words(head: str, context: set[str]) -> tuple[list[str], list[str]]:
    """(synonyms, broader names) of the head in the sense the drawing most likely has: the
    drawable sense whose words meet the entry's tags and folders, else the most frequent
    drawable one ("mouse" filed under computer hardware is the device)."""
    senses = [s for s in lexicon.noun_senses(head.replace(" ", "_"))[:6] if _drawable(s)]
    if not senses:
        return [], []

    def overlap(sense: lexicon.Sense) -> int:
        words = {w.replace("_", " ").lower() for w in (*sense.lemmas, *sense.hypernyms)}
        return len(words & context)

    best = max(senses, key=lambda sense: (overlap(sense), sense.count, -senses.index(sense)))
    synonyms = [w.replace("_", " ").lower() for w in best.lemmas]
    broader = [w.replace("_", " ").lower() for w in best.hypernyms[:5]]
    return (
        [w for w in synonyms if w != head and "-" not in w],
        [w for w in broader if w not in _GENERIC][:3],
    )


@dataclass
class _Names:
    main: str
    heads: list[str]
    tags: list[str]  # its own tags that name a drawable thing (or are not nouns at all)
    loose: list[str]  # its own tags that name only an idea ("mind", "idea"): weak evidence
    alike: list[str]  # WordNet synonyms of its heads
    broader: list[str]  # what its heads are kinds of

    @property
    def own(self) -> list[str]:
        return [self.main, *self.heads, *self.tags, *self.loose]


def _names(title: str, tags: Iterable[str], context: Iterable[str] = (), *, subject: str = "") -> _Names:
    """The index names of a picture, each once: its title and heads (from ``subject``, the
    part of the title that names the subject, when given), its tags (drawable or not), and
    WordNet's synonyms and broader words for its heads."""
    main = _name(title) or _clean(title)
    heads = [h for h in _heads(subject or title) if h != main]
    seen = {main, *heads}
    own_tags: list[str] = []
    for tag in tags:
        name = _name(tag)
        if name and name not in seen:
            seen.add(name)
            own_tags.append(name)
    strong = [t for t in own_tags if not _is_noun(t) or _depictable_noun(t)]
    loose = [t for t in own_tags if t not in strong]
    ctx = set(own_tags) | {_lemma_phrase(_clean(c)) for c in context}
    alike: list[str] = []
    broader: list[str] = []
    for head in [*heads[:2], main] if _is_noun(main) else heads[:2]:
        syn, up = _sense_words(head, ctx)
        alike.extend(w for w in syn if w not in seen and w not in alike)
        broader.extend(w for w in up if w not in seen and w not in broader and w not in alike)
    # "person running" is found as a runner (and a pedestrian is found walking).
    agent = lexicon.agent_in_title(main)
    if agent is not None:
        alike.extend(
            n
            for n in (_name(lemma.replace("_", " ")) for lemma in agent.lemmas[:3])
            if n and n not in seen and n not in alike
        )
    return _Names(main=main, heads=heads, tags=strong, loose=loose, alike=alike, broader=broader)


# --- rendering ----------------------------------------------------------------------------

_ROOT = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)
_SIZE_ATTR = re.compile(r"(\s)(width|height)\s*=\s*([\"'])(.*?)\3", re.DOTALL)
_VIEWBOX = re.compile(r"\sviewBox\s*=\s*([\"'])(.*?)\1", re.DOTALL)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z%]*)\s*$")
_PX_PER = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


def _px(value: str) -> float | None:
    match = _LENGTH.match(value)
    if not match or match.group(2).lower() not in _PX_PER:
        return None
    return float(match.group(1)) * _PX_PER[match.group(2).lower()]


def _normalised(svg: str) -> tuple[str, float] | None:
    """The SVG with its root size in plain pixels (resvg refuses "297mm"), and its aspect.
    Percentages are dropped: the viewBox then gives the size."""
    root = _ROOT.search(svg)
    if root is None:
        return None
    tag = root.group(0)
    sizes: dict[str, float] = {}

    def fix(match: re.Match[str]) -> str:
        px = _px(match.group(4))
        if px is None or px <= 0:
            return match.group(1)
        sizes[match.group(2)] = px
        return f'{match.group(1)}{match.group(2)}="{px:.3f}"'

    new_tag = _SIZE_ATTR.sub(fix, tag)
    viewbox = _VIEWBOX.search(new_tag)
    box = None
    if viewbox:
        parts = re.split(r"[\s,]+", viewbox.group(2).strip())
        try:
            box = [float(p) for p in parts] if len(parts) == 4 else None
        except ValueError:
            box = None
    width = sizes.get("width") or (box[2] if box else None)
    height = sizes.get("height") or (box[3] if box else None)
    if not width or not height or width <= 0 or height <= 0:
        return None
    return svg[: root.start()] + new_tag + svg[root.end() :], width / height


def _svg_text(path: str) -> str | None:
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    if path.endswith(".svgz"):
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


def _render(svg: str, longer: int, zoom: float = 1.0) -> Image.Image | None:
    """The whole page, its longer side ``longer * zoom`` pixels; None when it cannot be
    drawn. One side only is given: resvg keeps the aspect from it."""
    import resvg_py

    normal = _normalised(svg)
    if normal is None:
        return None
    text, aspect = normal
    side = max(1, round(longer * zoom))
    try:
        if aspect >= 1:
            png = resvg_py.svg_to_bytes(svg_string=text, width=side, skip_system_fonts=True)
        else:
            png = resvg_py.svg_to_bytes(svg_string=text, height=side, skip_system_fonts=True)
    except (ValueError, RuntimeError, OverflowError):
        return None
    try:
        return Image.open(io.BytesIO(bytes(png))).convert("RGBA")
    except OSError:
        return None


# Alpha below this is a halo or a shadow's edge, not the drawing.
_ALPHA_EDGE = 24


def _alpha_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return image.getchannel("A").point(lambda a: 255 if a > _ALPHA_EDGE else 0).getbbox()


# The drawn part is found on a small render of the page first.
_PROBE = 256
# Probe pixels of margin round that part: antialiasing reaches a pixel beyond the edge.
_PROBE_PAD = 2


def _render_cropped(svg: str, size: int) -> Image.Image | None:
    """The drawn part of the page, its longer side ``size`` pixels.

    The page is drawn small to find where the drawing lies, then only that part is drawn
    at the size asked (a viewBox round it): a drawing a tenth of its page wide no longer
    has the whole page rasterised at ten times the size (155 ms per artwork, most of a
    scene's drawing). Pages whose viewport cannot be re-aimed so simply are drawn whole.
    """
    probe = _render(svg, min(size, _PROBE))
    box = _alpha_box(probe) if probe is not None else None
    if probe is None or box is None:
        return None
    cropped = _crop_svg(svg, probe.size, box)
    page = _render(cropped, size) if cropped is not None else None
    if page is None:
        return _render_cropped_whole(svg, size)
    box = _alpha_box(page)
    if box is None:
        return None
    art = page.crop(box)
    if max(art.size) != size:
        scale = size / max(art.size)
        art = art.resize(
            (max(1, round(art.width * scale)), max(1, round(art.height * scale))), Image.Resampling.LANCZOS
        )
    return art


def _crop_svg(svg: str, rendered: tuple[int, int], box: tuple[int, int, int, int]) -> str | None:
    """The SVG with its viewport narrowed to ``box`` (pixels of a render of the whole page
    at ``rendered`` size), at the page's own scale; None where the page's viewBox is not
    plainly centred and scaled to fit (another preserveAspectRatio)."""
    normal = _normalised(svg)
    root = _ROOT.search(normal[0]) if normal is not None else None
    if normal is None or root is None:
        return None
    text, _ = normal
    tag = root.group(0)
    ratio = re.search(r"\spreserveAspectRatio\s*=\s*([\"'])(.*?)\1", tag)
    if ratio is not None and ratio.group(2).strip() not in ("", "xMidYMid", "xMidYMid meet"):
        return None
    sizes = {m.group(2): _px(m.group(4)) for m in _SIZE_ATTR.finditer(tag)}
    viewbox = _VIEWBOX.search(tag)
    try:
        vx, vy, vw, vh = [float(v) for v in re.split(r"[\s,]+", viewbox.group(2).strip())] if viewbox else [0, 0, 0, 0]
    except ValueError:
        return None
    width, height = sizes.get("width") or vw, sizes.get("height") or vh
    if not viewbox:
        vw, vh = width, height
    if not (width and height and vw > 0 and vh > 0):
        return None
    scale = min(width / vw, height / vh)  # user units to page pixels
    left, top = (width - vw * scale) / 2, (height - vh * scale) / 2
    r = rendered[0] / width  # page pixels to rendered pixels
    x0, y0 = max(0, box[0] - _PROBE_PAD), max(0, box[1] - _PROBE_PAD)
    x1, y1 = min(rendered[0], box[2] + _PROBE_PAD), min(rendered[1], box[3] + _PROBE_PAD)
    u0, v0 = vx + (x0 / r - left) / scale, vy + (y0 / r - top) / scale
    uw, uh = (x1 - x0) / r / scale, (y1 - y0) / r / scale
    if uw <= 0 or uh <= 0:
        return None
    new_tag = _SIZE_ATTR.sub("", tag)
    new_tag = _VIEWBOX.sub("", new_tag)
    new_tag = re.sub(r"\spreserveAspectRatio\s*=\s*([\"'])(.*?)\1", "", new_tag)
    new_tag = re.sub(
        r"^<svg\b",
        f'<svg width="{uw * scale:.4f}" height="{uh * scale:.4f}" viewBox="{u0:.4f} {v0:.4f} {uw:.4f} {uh:.4f}"',
        new_tag,
        flags=re.IGNORECASE,
    )
    return text[: root.start()] + new_tag + text[root.end() :]


def _render_cropped_whole(svg: str, size: int) -> Image.Image | None:
    """The drawn part, found on the whole page and drawn again at the zoom that makes it
    ``size`` pixels: for pages _crop_svg cannot re-aim."""
    page = _render(svg, size)
    box = _alpha_box(page) if page is not None else None
    if page is None or box is None:
        return None
    drawn = max(box[2] - box[0], box[3] - box[1])
    zoom = min(32.0, size / drawn)
    if zoom > 1.02:
        page = _render(svg, size, zoom)
        box = _alpha_box(page) if page is not None else None
        if page is None or box is None:
            return None
    art = page.crop(box)
    if max(art.size) != size:
        scale = size / max(art.size)
        art = art.resize(
            (max(1, round(art.width * scale)), max(1, round(art.height * scale))), Image.Resampling.LANCZOS
        )
    return art


# --- build: examining one picture ---------------------------------------------------------

_THUMB = 64
_TEXT = re.compile(r"<(?:svg:)?text\b[^>]*>(.*?)</(?:svg:)?text>", re.DOTALL | re.IGNORECASE)
_FLOW = re.compile(r"<(?:svg:)?flowPara\b[^>]*>(.*?)</(?:svg:)?flowPara>", re.DOTALL | re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]+>")


# Letters converted to outlines keep the id Inkscape gave the text ("text4060") or carry
# its aria-label: the drawing still shows words.
_OUTLINED_TEXT = re.compile(r"""\sid=["'](?:text|flowRoot|tspan)\d+["']|\saria-label=["'][^"']""")


def _has_text(svg: str) -> bool:
    """Whether the drawing writes any letters: a picture must never carry words."""
    if _OUTLINED_TEXT.search(svg):
        return True
    for pattern in (_TEXT, _FLOW):
        for match in pattern.finditer(svg):
            if _TAG_RE.sub("", match.group(1)).strip():
                return True
    return False


def _measure(svg: str) -> dict[str, Any] | None:
    """Rendered small: None when it does not render or draws nothing; otherwise its drawn
    aspect, how colourful it is, how much of its box it fills, and a pixel fingerprint."""
    page = _render(svg, _THUMB)
    box = _alpha_box(page) if page is not None else None
    if page is None or box is None:
        return None
    drawn = max(box[2] - box[0], box[3] - box[1])
    if drawn < _THUMB / 3:
        # A small drawing on a big page: look again at the drawing itself.
        zoom = min(32.0, _THUMB / drawn)
        page = _render(svg, _THUMB, zoom)
        box = _alpha_box(page) if page is not None else None
        if page is None or box is None:
            return None
    art = page.crop(box)
    width, height = art.size
    # Thin line art is mostly half-covered pixels at this size: count what is visibly drawn.
    alpha = art.getchannel("A").point(lambda a: 255 if a > 64 else 0)
    opaque = alpha.histogram()[255]
    if opaque < 12:
        return None
    _, sat, val = art.convert("RGB").convert("HSV").split()
    vivid = ImageChops.multiply(
        ImageChops.multiply(sat.point(lambda s: 255 if s > 70 else 0), val.point(lambda v: 255 if v > 60 else 0)),
        alpha,
    ).histogram()[255]
    dark = ImageChops.multiply(val.point(lambda v: 255 if v < 60 else 0), alpha).histogram()[255]
    return {
        "aspect": round(width / height, 3),
        "vivid": round(vivid / opaque, 3),
        "dark": round(dark / opaque, 3),
        "fill": round(opaque / (width * height), 3),
        "print": hashlib.sha1(art.tobytes()).hexdigest()[:16],
    }


def _quality(measure: dict[str, Any], *, titled: bool, tagged: bool) -> float:
    """0.5..1.0: colourful, solid, sensibly shaped, properly described drawings first."""
    q: float = 0.5
    q += 0.2 * min(1.0, measure["vivid"] / 0.25)
    q += 0.1 * min(1.0, measure["fill"] / 0.35)
    aspect = measure["aspect"]
    q += 0.1 if 1 / 2.5 <= aspect <= 2.5 else 0.0
    q += 0.05 if titled else 0.0
    q += 0.05 if tagged else 0.0
    return round(min(1.0, q), 3)


# Openclipart folders that hold no picture of a thing: theme and mime-type icon sets, buttons,
# generated stars and arrows, diagram parts, patterns, LEDs, playing cards, semaphore letters.
_OPENCLIPART_SKIPPED = (
    "buttons/",
    "computer/icons/",
    "computer/buttons/",
    "computer/diagrams/",
    "shapes/stars/",
    "shapes/arrows/",
    "shapes/callouts/",
    "shapes/flowchart/",
    "shapes/jigsaw/",
    "special/",
    "signs_and_symbols/led/",
    "signs_and_symbols/flags/semaphore/",
    "recreation/games/cards/",
    "unsorted/duplicates/",
    "logos/",
    # Drawings whose title names another picture than the one drawn.
    "transportation/vehicles/the_mad_little_ship_core_01",  # a ship in a bottle
)
# Titles whose head says it is a user-interface part, not a picture.
_UI_HEADS = frozenset({"button", "icon", "banner", "arrow", "bullet", "frame", "border", "background", "pattern"})

_WORK = re.compile(r"<cc:Work\b[^>]*>(.*?)</cc:Work>", re.DOTALL)
_AGENT = re.compile(r"<cc:Agent\b[^>]*>.*?</cc:Agent>", re.DOTALL)
_DC = {name: re.compile(rf"<dc:{name}\b[^>]*>(.*?)</dc:{name}>", re.DOTALL) for name in ("title", "subject", "creator")}
_LI = re.compile(r"<rdf:li\b[^>]*>(.*?)</rdf:li>", re.DOTALL)


def _text_of(fragment: str) -> str:
    # Twice: some titles were escaped twice ("Baden-W&amp;uuml;rttemberg").
    return " ".join(html.unescape(html.unescape(_TAG_RE.sub(" ", fragment))).split())


def _rdf(svg: str) -> tuple[str, list[str], str]:
    """(title, tags, creator) from the drawing's RDF metadata."""
    work = _WORK.search(svg)
    if work is None:
        return "", [], ""
    body = work.group(1)
    creator = ""
    match = _DC["creator"].search(body)
    if match:
        creator = _text_of(match.group(1))
    # Publisher, creator and rights agents carry dc:title too: the drawing's is outside them.
    plain = _AGENT.sub("", body)
    title_match = _DC["title"].search(plain)
    title = _text_of(title_match.group(1)) if title_match else ""
    tags: list[str] = []
    subject = _DC["subject"].search(plain)
    if subject:
        items = _LI.findall(subject.group(1)) or re.split(r"[,;]", subject.group(1))
        for item in items:
            text = _text_of(item)
            # Some tags are one comma- or space-less run of words: keep the sane ones.
            tags.extend(t for t in re.split(r"[,;]", text) if t.strip())
    return title, tags, creator


def _examine_openclipart(job: tuple[str, str]) -> tuple[str, dict[str, Any] | str]:
    path, rel = job
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return rel, "unreadable"
    svg = raw.decode("utf-8", errors="replace")
    if _has_text(svg):
        return rel, "text"
    measure = _measure(svg)
    if measure is None:
        return rel, "render"
    title, tags, creator = _rdf(svg)
    return rel, {
        "title": title,
        "tags": tags,
        "author": creator,
        "sha": hashlib.sha1(raw).hexdigest(),
        **measure,
    }


def _examine_svg(job: tuple[str, str]) -> tuple[str, dict[str, Any] | str]:
    key, path = job
    svg = _svg_text(path)
    measure = _measure(svg) if svg is not None else None
    return key, measure if measure is not None else "render"


# --- build: the three sources -------------------------------------------------------------


def _openclipart_jobs(root: Path) -> list[tuple[str, str]]:
    """(real path, id path) of every SVG outside the skipped folders. A symlinked copy in a
    second folder is the same drawing: it is listed once, under its real path."""
    jobs: dict[str, str] = {}
    for path in sorted(root.rglob("*.svg")):
        real = path.resolve()
        try:
            rel = real.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        if rel.startswith(_OPENCLIPART_SKIPPED) or not real.is_file():
            continue
        jobs.setdefault(str(real), rel[: -len(".svg")])
    return sorted(jobs.items(), key=lambda item: item[1])


_BW = re.compile(r"\b(?:b\s*(?:&|and|/)\s*w|bw|black\s*(?:&|and)\s*white|outline|line\s*art)\b", re.IGNORECASE)


def _openclipart_title(title: str, rel: str, author: str) -> tuple[str, str, list[str]]:
    """(the drawing's title, the part naming its subject, extra tags). "Clipart by Nicu
    Buculei - antenna" is an antenna; "Dodge Neon (Pink)" a Dodge Neon tagged pink; "Apple Pie
    (B and W)" an apple pie; "mountain - RPG map elements" a mountain."""
    if not title or re.fullmatch(r"[\W\d_]*", title):
        # An untitled drawing: its file name without the author suffix the packager added.
        stem = rel.rsplit("/", 1)[-1]
        title = re.sub(r"[_\d]+$", "", stem).replace("_", " ")
    title = re.sub(r"\.svg$", "", title.strip(), flags=re.IGNORECASE)
    extra = [t for t in re.findall(r"\(([^)]*)\)", title) if not _BW.search(t)]
    title = re.sub(r"\([^)]*\)?", " ", title)
    title = _BW.sub(" ", title)
    parts = [p.strip() for p in re.split(r"\s+-\s+|:\s+", title) if p.strip()]

    def credit(part: str) -> bool:
        return bool(
            re.search(r"clip\s*art", part, re.IGNORECASE)
            or re.search(r"\bby\s+[A-Z]", part)
            or (author and author.lower() in part.lower())
        )

    kept = [p for p in parts if not credit(p)] or parts
    if len(kept) > 1:
        # "Germany - Bavaria" is Bavaria's flag, found by Germany too; "Lock - Open" a lock.
        extra.extend(kept)
    subject = " ".join(kept[0].split()) if kept else ""
    title = " - ".join(" ".join(p.split()) for p in kept) or " ".join(title.split())
    return title, subject, extra


def _category_tags(rel: str) -> list[str]:
    """The folders it was filed under ("animals/mammals/big_cats" -> big cat, mammal, animal)."""
    return [
        part.replace("_", " ")
        for part in reversed(rel.split("/")[:-1])
        if part not in ("unsorted", "special", "signs_and_symbols", "recreation")
    ]


def _openclipart_entries(results: list[tuple[str, dict[str, Any] | str]], log: dict[str, int]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    # A title an author gave many different files is a copied template ("Clipart by Nicu
    # Buculei - antenna" on a laptop, a mouse and a printer): their file names say more.
    series: dict[tuple[str, str], int] = {}
    for _, info in results:
        if isinstance(info, dict) and info["title"]:
            key = (info["title"], info["author"])
            series[key] = series.get(key, 0) + 1
    for rel, info in results:
        if isinstance(info, str):
            log[f"openclipart skipped ({info})"] = log.get(f"openclipart skipped ({info})", 0) + 1
            continue
        if info["sha"] in seen or info["print"] in seen:
            log["openclipart skipped (duplicate)"] = log.get("openclipart skipped (duplicate)", 0) + 1
            continue
        raw_title = info["title"]
        stem_words = set(_clean(rel.rsplit("/", 1)[-1]).split())
        if series.get((raw_title, info["author"]), 0) >= 3 and not stem_words & set(_clean(raw_title).split()):
            raw_title = ""
        title, subject, extra = _openclipart_title(raw_title, rel, info["author"])
        author = _clean(info["author"])
        folders = _category_tags(rel)
        tags = [t for t in [*extra, *info["tags"], *folders] if _clean(t) != author]
        names = _names(title, tags, folders, subject=subject)
        if not names.main or names.main in _UI_HEADS or any(h in _UI_HEADS for h in names.heads[-1:]):
            log["openclipart skipped (not a picture)"] = log.get("openclipart skipped (not a picture)", 0) + 1
            continue
        seen[info["sha"]] = seen[info["print"]] = rel
        entries.append(
            {
                "id": f"openclipart:{rel}",
                "source": "openclipart",
                "title": title,
                **_names_json(names),
                "author": info["author"],
                "path": str(Path(OPENCLIPART_DIR) / f"{rel}.svg"),
                "colour": info["vivid"] >= 0.08,
                "aspect": info["aspect"],
                "quality": _quality(info, titled=bool(info["title"]), tagged=bool(info["tags"])),
            }
        )
    return entries


# Emoji that cannot be put in a scene: symbols (letters, keycaps, arrows, signs), skin-tone
# and hair components, pointing hands.
_EMOJI_SKIPPED_GROUPS = frozenset({"component", "symbols"})
_EMOJI_SKIPPED_SUBGROUPS = frozenset({"hand-fingers-open", "hand-fingers-partial", "hand-single-finger"})
# Pictures that carry letters or digits (calendars, signs, charts, currency, numbered balls).
_EMOJI_TEXT_BEARING = frozenset(
    {
        "1F4C5",
        "1F4C6",
        "1F5D3",
        "1F3EA",
        "1F3E8",
        "1F3E6",
        "1F3E7",
        "1F3E4",
        "1F4AF",
        "1F4AE",  # white flower: a Japanese "well done" stamp, its words written in it
        "1F4A4",
        "1F4DB",
        "1F6C2",
        "1F3E9",
        "1F4BE",
        "1F4F0",
        "1F5DE",
        "1F4C8",
        "1F4C9",
        "1F4CA",
        "1F9FE",
        "1F3B0",
        "1F3B1",
        "1F4B1",
        "1F4B2",
        "1F948",
        "1F949",
        "1F947",
        "1F51E",
        "1F193",
        "1F195",
        "1F199",
        "1F4F4",
    }
)


def _emoji_records(artwork_dir: Path) -> list[dict[str, Any]]:
    """The depicting emoji with their names: CLDR label first, then its keywords. A country
    flag is named by its country as well, and its two-letter code is dropped ("units" must
    never find the UK)."""
    data = json.loads((artwork_dir / _ANNOTATIONS).read_text(encoding="utf-8"))
    groups = json.loads((artwork_dir / _GROUPS).read_text(encoding="utf-8"))
    out = []
    for item in data:
        group = groups["groups"].get(str(item.get("group")), "")
        subgroup = groups["subgroups"].get(str(item.get("subgroup")), "")
        hexcode = item["hexcode"]
        if not group or group in _EMOJI_SKIPPED_GROUPS or subgroup in _EMOJI_SKIPPED_SUBGROUPS:
            continue
        if hexcode in _EMOJI_TEXT_BEARING:
            continue
        label = item["label"]
        tags = [t for t in item.get("tags", ()) if not (len(t) <= 3 and t.isupper())]
        if label.startswith("flag: "):
            place = label[len("flag: ") :]
            title = f"flag of {place}"
            names = _names(title, tags)
            names.heads = [h for h in ["flag", _name(place)] if h]
            names.tags = [t for t in names.tags if t not in names.heads]
            names.alike, names.broader = [], []
        else:
            title = label
            names = _names(title, tags, (group.replace("-", " "), subgroup.replace("-", " ")))
        out.append({"hexcode": hexcode, "label": label, "title": title, **_names_json(names)})
    return out


def _twemoji_file(svg_dir: Path, hexcode: str) -> str | None:
    # Twemoji names files by lowercase code points and drops U+FE0F outside ZWJ sequences.
    codes = hexcode.lower().split("-")
    candidates = ["-".join(codes)]
    if "200d" not in codes:
        candidates.append("-".join(c for c in codes if c != "fe0f"))
    for name in candidates:
        if (svg_dir / f"{name}.svg").is_file():
            return name
    return None


def _slug(label: str) -> str:
    """Iconify's name for an emoji: its CLDR label, ASCII, hyphenated ("flag: Côte d’Ivoire"
    -> "flag-cote-divoire")."""
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    text = text.replace("'", "").replace("’", "")
    return "-".join(re.findall(r"[a-z0-9]+", text))


_SKIN = re.compile(r"-(?:light|medium-light|medium|medium-dark|dark)$")


def _fluent_names(artwork_dir: Path, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Iconify name -> emoji record. Iconify named the icons by the CLDR label of its day; a
    label CLDR has since renamed ("hugging face") is still a shortcode."""
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        out.setdefault(_slug(record["label"]), record)
    for file in ("emojibase.json", "github.json", "iamcal.json"):
        path = artwork_dir / "emojibase-data/en/shortcodes" / file
        if not path.is_file():
            continue
        codes = json.loads(path.read_text(encoding="utf-8"))
        for record in records:
            found = codes.get(record["hexcode"], ())
            for code in [found] if isinstance(found, str) else found:
                out.setdefault(_slug(code), record)
    return out


def _fluent_svgs(artwork_dir: Path, out_dir: Path, wanted: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Writes each wanted Fluent icon as .svgz (its Iconify body in an <svg> of its viewBox);
    returns name -> file name. Skin-tone variants are left out: the default is the picture."""
    data = json.loads((artwork_dir / _FLUENT_JSON).read_text(encoding="utf-8"))
    default_w, default_h = data.get("width", 16), data.get("height", 16)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for name, icon in data["icons"].items():
        if name not in wanted or _SKIN.search(name) and _SKIN.sub("", name) in data["icons"]:
            continue
        width, height = icon.get("width", default_w), icon.get("height", default_h)
        left, top = icon.get("left", 0), icon.get("top", 0)
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{width}" height="{height}" viewBox="{left} {top} {width} {height}">{icon["body"]}</svg>'
        )
        file = f"{name}.svgz"
        target = out_dir / file
        payload = gzip.compress(svg.encode("utf-8"), compresslevel=6, mtime=0)
        if not target.is_file() or target.read_bytes() != payload:
            target.write_bytes(payload)
        files[name] = file
    return files


def _names_json(names: _Names) -> dict[str, list[str]]:
    return {
        "names": names.own,
        "heads": names.heads,
        "loose": names.loose,
        "alike": names.alike,
        "broader": names.broader,
    }


def _emoji_entry(source: str, key: str, record: dict[str, Any], path: str, measure: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{source}:{key}",
        "source": source,
        "title": record["title"],
        **{key: record[key] for key in ("names", "heads", "loose", "alike", "broader")},
        "author": "Twitter/X and contributors" if source == "twemoji" else "Microsoft",
        "path": path,
        "colour": measure["vivid"] >= 0.08 or measure["dark"] < 0.6,
        "aspect": measure["aspect"],
        # Emoji are drawn for small sizes by one hand: only shape and colour tell them apart.
        "quality": _quality(measure, titled=True, tagged=True),
    }


def build(*, out: Path | None = None, processes: int | None = None, verbose: bool = True) -> dict[str, int]:
    """Builds the index from the installed artwork and writes it atomically; returns the
    count per source. Called by scripts/setup.sh, never at run time."""
    from multiprocessing import get_context

    started = time.monotonic()
    out = out or index_path()
    artwork_dir = Path(config.current().artwork_dir)
    if not lexicon.lexicon_available():
        raise SystemExit("WordNet is missing (run scripts/setup.sh): names cannot be lemmatised")
    log: dict[str, int] = {}

    records = _emoji_records(artwork_dir)
    twemoji_dir = artwork_dir / _TWEMOJI_DIR
    fluent_dir = out.parent / _FLUENT_SVG_DIR
    by_slug = _fluent_names(artwork_dir, records)
    fluent_files = _fluent_svgs(artwork_dir, fluent_dir, by_slug)
    jobs: list[tuple[str, str]] = []
    twemoji_keys: dict[str, tuple[str, dict[str, Any]]] = {}
    for record in records:
        name = _twemoji_file(twemoji_dir, record["hexcode"])
        if name is not None:
            twemoji_keys[f"twemoji:{name}"] = (name, record)
            jobs.append((f"twemoji:{name}", str(twemoji_dir / f"{name}.svg")))
    for name, file in fluent_files.items():
        jobs.append((f"fluent:{name}", str(fluent_dir / file)))
    clip_root = Path(OPENCLIPART_DIR)
    clip_jobs = _openclipart_jobs(clip_root) if clip_root.is_dir() else []

    workers = processes or min(4, os.cpu_count() or 1)
    with get_context("fork").Pool(workers) as pool:
        clip_results = list(pool.imap(_examine_openclipart, clip_jobs, chunksize=8))
        emoji_results = dict(pool.imap(_examine_svg, jobs, chunksize=32))

    entries: list[dict[str, Any]] = []
    for key, (name, record) in twemoji_keys.items():
        measure = emoji_results.get(key)
        if isinstance(measure, dict):
            entries.append(_emoji_entry("twemoji", name, record, f"{name}.svg", measure))
        else:
            log["twemoji skipped (render)"] = log.get("twemoji skipped (render)", 0) + 1
    for name, file in sorted(fluent_files.items()):
        measure = emoji_results.get(f"fluent:{name}")
        if isinstance(measure, dict):
            entries.append(_emoji_entry("fluent", name, by_slug[name], file, measure))
        else:
            log["fluent skipped (render)"] = log.get("fluent skipped (render)", 0) + 1
    entries.extend(_openclipart_entries(clip_results, log))

    counts = dict.fromkeys(STYLES, 0)
    for entry in entries:
        counts[entry["source"]] += 1
    payload = {"version": INDEX_VERSION, "counts": counts, "entries": entries}
    out.parent.mkdir(parents=True, exist_ok=True)
    # Its own temporary name: two setups running at once must not write into one file.
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(out)
    _library.cache_clear()
    if verbose:
        elapsed = time.monotonic() - started
        print(f"artwork library: {sum(counts.values())} entries in {elapsed:.1f} s -> {out}")
        for source in STYLES:
            print(f"  {source}: {counts[source]}")
        for reason, count in sorted(log.items()):
            print(f"  {reason}: {count}")
    return counts


def main(argv: Sequence[str]) -> int:
    if list(argv) != ["build"]:
        print("usage: python -m mediakit.art_library build", file=sys.stderr)
        return 2
    build()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
