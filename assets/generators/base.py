"""The interface every picture and narration provider implements.

The offline providers (illustrations, the title card, piper) are named in ``catalog.py``;
the Replicate providers plug in behind the same protocols. Providers write into a
caller-owned ``out_dir`` and return what they wrote; storing the file is the caller's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = [
    "GeneratedAudio",
    "GeneratedPicture",
    "GenerationError",
    "NarrationProvider",
    "PictureLayers",
    "PictureProvider",
]


@dataclass(frozen=True)
class GeneratedPicture:
    path: Path
    width: int
    height: int
    mime: str
    cost_usd: Decimal
    # Attribution for artwork under a licence that asks for it (empty: none needed).
    credit: str = ""
    licence: str = ""
    source_url: str = ""
    # What the artwork itself shows, in its library's own names, main subject first
    # ("lighthouse", "building"): what the creator is told the picture is, not the words
    # it was searched with. Empty when unknown (an AI picture, a plain card).
    depicts: tuple[str, ...] = ()
    # The same picture in layers, when the provider drew it in layers: a render can then
    # move the hero apart from the scene (parallax) and bring it in (an entrance).
    layers: PictureLayers | None = None


@dataclass(frozen=True)
class PictureLayers:
    """The scene without its hero (a PNG of the picture's size) and the hero with its
    shadow (an RGBA PNG cropped to what it covers), drawn at (hero_x, hero_y). ``steps``:
    the hero on its way in (a data card counting up), RGBA PNGs of the hero's box, in the
    order they are shown; empty for a hero that only enters."""

    background: Path
    hero: Path
    hero_x: int
    hero_y: int
    steps: tuple[Path, ...] = ()


@dataclass(frozen=True)
class GeneratedAudio:
    path: Path
    duration_ms: int
    mime: str
    cost_usd: Decimal


class GenerationError(Exception):
    """A provider could not produce the asset; the message can be shown to the creator."""


@runtime_checkable
class PictureProvider(Protocol):
    name: str

    def price_per_picture(self) -> Decimal: ...

    def generate(self, *, prompt: str, width: int, height: int, seed: int, out_dir: Path) -> GeneratedPicture: ...


@runtime_checkable
class NarrationProvider(Protocol):
    name: str

    def price_per_second(self) -> Decimal: ...

    def synthesize(self, *, text: str, voice: str, rate_wpm: int, out_dir: Path) -> GeneratedAudio: ...
