"""Who made the pictures and clips a video shows, and under what licence: for the
storyboard, the video page, `credits.txt` and the API.

A credit is what `MediaAsset.credit` holds: online stock items store their candidate's
credit (`StockCandidate.credit()` plus `provider_label`); a generated picture whose
artwork asks for attribution stores its line as `text` with its licence. A generated
picture also stores what its artwork shows as `depicts` (a list): that is not
attribution (`attribution()` leaves it out), and `picture_depicts` / `picture_source`
are the one place the storyboard (page, API, file) reads what a picture shows and where
it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from assets.models import MediaAsset
from assets.music import music_credit, music_track
from mediakit.encoding import CARD, CLIP, ILLUSTRATION, PHOTO
from videos.models import Scene, Video

# Generated pictures carry a licence name only; where it is a well-known one, its deed.
LICENCE_URLS = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "Pexels License": "https://www.pexels.com/license/",
    "Pixabay Content License": "https://pixabay.com/service/license-summary/",
    "MIT": "https://opensource.org/license/mit",
}
PROVIDER_LABELS = {"pexels": "Pexels", "pixabay": "Pixabay", "illustrated": "Illustrations (offline artwork library)"}


# Keys a stored credit may hold that are not attribution: what the picture shows and which
# library it came from. They never make a picture "need crediting".
DEPICTS = "depicts"
NOT_ATTRIBUTION = (DEPICTS, "source", "kind")


def credit_from_generated(picture, *, generator: str) -> dict:
    """The credit to store with a generated picture: its attribution, if its provider gave
    one, and `depicts` (what the artwork shows, a list, main subject first), if known; {}
    when neither. `picture.credit` may be a line of text (with `licence` and `source_url`
    beside it) or already a dict (whose `source` names the library: "openclipart")."""
    depicts = [str(name) for name in (getattr(picture, "depicts", None) or ()) if str(name).strip()]
    raw = getattr(picture, "credit", None)
    if not raw:
        return {DEPICTS: depicts} if depicts else {}
    if isinstance(raw, dict):
        credit = {str(k): str(v) for k, v in raw.items() if v and k != DEPICTS}
        credit.setdefault("provider", generator)
    else:
        licence = str(getattr(picture, "licence", "") or "")
        credit = {
            "provider": generator,
            "text": str(raw),
            "licence": licence,
            "licence_url": LICENCE_URLS.get(licence, ""),
            "source_url": str(getattr(picture, "source_url", "") or ""),
        }
    credit.setdefault("provider_label", PROVIDER_LABELS.get(credit["provider"], credit["provider"].title()))
    credit = {k: v for k, v in credit.items() if v}
    if depicts:
        credit[DEPICTS] = depicts
    return credit


def attribution(credit: dict | None) -> dict:
    """The part of a stored credit that credits someone: {} when nothing needs crediting
    (a credit holding only what the picture shows, or only its provider's name)."""
    found = {k: v for k, v in (credit or {}).items() if k not in NOT_ATTRIBUTION}
    if not set(found) - {"provider", "provider_label"}:
        return {}
    return found


# Where a generated picture's artwork comes from, when its credit does not say (`source`):
# recognised in its attribution line.
_LIBRARY_WORDS = (("twemoji", "twemoji"), ("fluent", "fluent"), ("openclipart", "openclipart"))


def picture_source(asset: MediaAsset) -> str:
    """Where a picture comes from, in one word a creator can read: the artwork library
    ("openclipart", "twemoji", "fluent", "data card"), "replicate", "pexels", "pixabay",
    "stock library", "upload", "card" (a plain offline card)."""
    credit = asset.credit or {}
    if credit.get("source"):
        return str(credit["source"])
    source = asset.source
    if source == MediaAsset.Source.UPLOADED:
        return "upload"
    if source == MediaAsset.Source.STOCK:
        return "stock library"
    if source == MediaAsset.Source.ONLINE_STOCK:
        return str(credit.get("provider") or asset.generator or "online stock")
    generator = asset.generator or ""
    if generator.startswith("replicate"):
        return "replicate"
    if generator == "offline-card":
        return "card"
    # The attribution line names the artwork's library ("... Openclipart (public domain)");
    # the first one named is the main picture's. (Not provider_label: it names the provider.)
    text = " ".join(str(credit.get(key, "")) for key in ("text", "source_url")).lower()
    named = [(text.find(word), name) for word, name in _LIBRARY_WORDS if word in text]
    if named:
        return min(named)[1]
    return generator or source


# Where a picture comes from (picture_source) -> what it is for the encoder (mediakit.encoding):
# drawn artwork and plain cards are illustrations; AI and online stock pictures are photos.
# Uploads and stock library items may be either: "" (the setting safe for every kind).
_SOURCE_CONTENT = {
    "openclipart": ILLUSTRATION,
    "twemoji": ILLUSTRATION,
    "fluent": ILLUSTRATION,
    "card": ILLUSTRATION,
    "illustrated": ILLUSTRATION,
    "data card": CARD,
    "replicate": PHOTO,
    "pexels": PHOTO,
    "pixabay": PHOTO,
    "online stock": PHOTO,
}


def scene_content(scene: Scene) -> str:
    """What a scene shows, for the encoder's setting (mediakit.encoding.CONTENT_TYPES): a clip,
    an illustration, a data card or a photo; "" when that is not known."""
    if scene.clip_id is not None:
        return CLIP
    if scene.picture is None:
        return ""
    return _SOURCE_CONTENT.get(picture_source(scene.picture), "")


def picture_depicts(asset: MediaAsset) -> list[str]:
    """What a picture shows, main subject first. Generated artwork: its library names,
    stored at generation (`credit["depicts"]`). Stock library items: their tags. Online
    stock: the words it was found with (Pexels and Pixabay give us no tags of their own
    that we keep). Uploads and AI pictures: [] (nothing we could say for sure)."""
    credit = asset.credit or {}
    stored = credit.get(DEPICTS)
    if isinstance(stored, list):
        return [str(name) for name in stored]
    if asset.source == MediaAsset.Source.STOCK:
        return asset.tags.split()
    if asset.source == MediaAsset.Source.ONLINE_STOCK and asset.tags:
        return [asset.tags]
    return []


def provider_label(credit: dict) -> str:
    provider = credit.get("provider", "")
    return credit.get("provider_label") or PROVIDER_LABELS.get(provider, provider.title() or "Other")


def credit_summary(credit: dict) -> str:
    """One line for a person: "Ivo Petrov on Pexels (Pexels License)"."""
    if not credit:
        return ""
    if credit.get("text"):
        line = credit["text"]
    else:
        who = credit.get("author") or "unknown author"
        line = f"{who} on {provider_label(credit)}"
    licence = credit.get("licence")
    if licence and licence not in line:
        line += f" ({licence})"
    return line


@dataclass(frozen=True)
class CreditItem:
    scene_number: int  # where it is first seen or heard: 1 for the music, under every scene
    role: str  # "picture" | "clip" | "music"
    credit: dict

    @property
    def provider_label(self) -> str:
        return provider_label(self.credit)

    @property
    def heading(self) -> str:
        return "Music" if self.role == "music" else f"Scene {self.scene_number} {self.role}"

    @property
    def summary(self) -> str:
        return credit_summary(self.credit)

    def line(self) -> str:
        """The credits.txt line: the scene, who, where it comes from, the licence."""
        credit = self.credit
        parts = [f"{self.heading}:"]
        if credit.get("text"):
            parts.append(credit["text"])
        else:
            author = credit.get("author") or "unknown author"
            if credit.get("author_url"):
                author += f" <{credit['author_url']}>"
            parts.append(f"by {author} on {self.provider_label}")
        if credit.get("source_url"):
            parts.append(credit["source_url"])
        if credit.get("licence") and credit["licence"] not in credit.get("text", ""):
            parts.append(f"({credit['licence']})")
        return " ".join(parts)

    def as_dict(self) -> dict:
        return {"scene": self.scene_number, "role": self.role, **self.credit}


def scene_credits(scene: Scene) -> list[CreditItem]:
    """The credited media of one scene (its clip first: that is what the video shows)."""
    number = scene.position + 1
    items = []
    for asset, role in ((scene.clip, "clip"), (scene.picture, "picture")):
        credit = attribution(asset.credit) if asset is not None else {}
        if credit:
            items.append(CreditItem(number, role, credit))
    return items


def video_credits(video: Video) -> list[CreditItem]:
    """Every credited picture and clip of the video, in scene order; an item used twice
    is listed once (at its first scene); then the music, if it is a library track."""
    seen: set[int] = set()
    items: list[CreditItem] = []
    scenes = video.scenes.select_related("picture", "clip").order_by("position")
    for scene in scenes:
        for asset, role in ((scene.clip, "clip"), (scene.picture, "picture")):
            credit = attribution(asset.credit) if asset is not None else {}
            if not credit or asset.pk in seen:
                continue
            seen.add(asset.pk)
            items.append(CreditItem(scene.position + 1, role, credit))
    # The music library's track (no attribution required; credited all the same).
    track = music_track(video.music, key=str(video.code))
    if track is not None:
        items.append(CreditItem(1, "music", music_credit(track)))
    return items


def credits_licences(items: list[CreditItem]) -> list[tuple[str, str]]:
    """Each licence once, in first-use order: (name, url)."""
    found: dict[str, str] = {}
    for item in items:
        name = item.credit.get("licence")
        if name and not found.get(name):
            found[name] = item.credit.get("licence_url") or LICENCE_URLS.get(name, "")
    return list(found.items())


def credits_text(video: Video, items: list[CreditItem] | None = None) -> str:
    """credits.txt: a heading, one line per credited item grouped by provider (in
    first-use order), then each licence once."""
    items = video_credits(video) if items is None else items
    lines = [f"Credits for “{video.title}”", ""]
    if not items:
        lines.append("Nothing in this video needs crediting: its pictures were made for it or are your own.")
        return "\n".join(lines) + "\n"
    groups: dict[str, list[CreditItem]] = {}
    for item in items:
        groups.setdefault(item.provider_label, []).append(item)
    for label, group in groups.items():
        lines.append(label)
        lines += [f"  {item.line()}" for item in group]
        lines.append("")
    lines.append("Licences")
    for name, url in credits_licences(items):
        lines.append(f"  {name}: {url}" if url else f"  {name}")
    return "\n".join(lines) + "\n"
