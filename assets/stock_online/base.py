"""What a stock search asks for, what it finds, and the interface every provider speaks.

Plain data and a Protocol: no HTTP and no Django here, so selection can be tested with
any provider (the real ones, pointed at local fake servers, or a list in memory).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol

from mediakit.spec import frame_size

Kind = Literal["photo", "video"]
Orientation = Literal["landscape", "portrait", "square"]

ORIENTATIONS: dict[str, Orientation] = {"16:9": "landscape", "9:16": "portrait", "1:1": "square"}
# What sniff_media must say about a downloaded file of each kind.
FAMILIES: dict[str, frozenset[str]] = {
    "photo": frozenset({"jpeg", "png", "webp"}),
    "video": frozenset({"isobmff", "matroska"}),
}
EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "isobmff": ".mp4", "matroska": ".webm"}


class StockError(Exception):
    """A stock search or download failed; the message can be shown to a creator or staff."""


class StockAuthError(StockError):
    """The provider refused the API key (401/403, or Pixabay's 400 for a bad key)."""


class StockRateLimited(StockError):
    """Still rate limited (429) after the allowed attempts, or asked to wait past the budget."""


class StockDownloadRefused(StockError):
    """A download URL, redirect or body we will not take: wrong host or scheme, too big,
    not the kind of media the search promised."""


@dataclass(frozen=True)
class StockQuery:
    terms: str
    kind: Kind = "photo"
    orientation: Orientation = "landscape"
    min_width: int = 0
    min_height: int = 0
    # A clip at least this long plays once through the scene without looping.
    min_duration_ms: int = 0
    per_page: int = 30
    safesearch: bool = True

    @classmethod
    def for_video(
        cls, *, terms: str, aspect: str, quality: str, kind: Kind = "photo", min_duration_ms: int = 0
    ) -> StockQuery:
        """The query for a scene of a video at this aspect ("16:9") and quality ("1080p"):
        the frame size is the minimum resolution, so nothing is upscaled."""
        width, height = frame_size(aspect, quality)
        return cls(
            terms=terms,
            kind=kind,
            orientation=ORIENTATIONS[aspect],
            min_width=width,
            min_height=height,
            min_duration_ms=min_duration_ms,
        )

    def with_terms(self, terms: str) -> StockQuery:
        return replace(self, terms=terms)

    def with_kind(self, kind: Kind) -> StockQuery:
        return replace(self, kind=kind)


@dataclass(frozen=True)
class StockCandidate:
    provider: str  # "pexels", "pixabay"
    id: str  # the provider's id of the item (not of the rendition)
    kind: Kind
    download_url: str
    width: int  # of the rendition at download_url
    height: int
    duration_ms: int | None  # clips only
    author_name: str
    author_url: str
    source_url: str  # the item's page on the provider's site
    licence_name: str
    licence_url: str
    # The query that found it (for the scene's record and debugging).
    terms: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """What "the same item" means for no-reuse: provider and item id."""
        return (self.provider, self.id)

    def credit(self) -> dict[str, str]:
        """What to store with the asset and show in the credits (see the report's JSON)."""
        return {
            "provider": self.provider,
            "id": self.id,
            "author": self.author_name,
            "author_url": self.author_url,
            "source_url": self.source_url,
            "licence": self.licence_name,
            "licence_url": self.licence_url,
        }


class StockProvider(Protocol):
    name: str  # "pexels"
    label: str  # "Pexels"

    def search(self, query: StockQuery) -> list[StockCandidate]:
        """Candidates in the provider's relevance order, each already a rendition that
        satisfies the query's orientation and minimum size where the item has one.
        Raises StockAuthError, StockRateLimited or StockError."""
        ...

    def download(self, candidate: StockCandidate, dest: Path) -> Path:
        """Stream the candidate to `dest` (the suffix is set from the bytes), atomically.
        Raises StockDownloadRefused or StockError; never leaves a partial file."""
        ...


def orientation_of(width: int, height: int) -> Orientation:
    # Within 5% of square counts as square: a 1080x1080 scene crops nothing off it.
    if width <= 0 or height <= 0:
        return "square"
    ratio = width / height
    if ratio > 1.05:
        return "landscape"
    if ratio < 1 / 1.05:
        return "portrait"
    return "square"


def orientation_fits(width: int, height: int, orientation: Orientation) -> bool:
    """Whether a picture of this size suits a frame of this orientation. A square frame
    takes any picture (it is cropped to the centre); the others need their own shape."""
    if orientation == "square":
        return width > 0 and height > 0
    return orientation_of(width, height) == orientation
