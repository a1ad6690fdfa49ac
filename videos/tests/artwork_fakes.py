"""A small artwork library for tests about choosing a scene's picture: the library is the
boundary (mediakit.art_library's index, mediakit.illustration's matcher), patched here only."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class FakeCandidate:
    id: str
    depicts: tuple[str, ...]
    source: str
    credit: str


LIBRARY = {
    "openclipart:buildings/lighthouse_01": FakeCandidate(
        "openclipart:buildings/lighthouse_01",
        ("lighthouse", "building"),
        "openclipart",
        "Lighthouse by Jane Doe, Openclipart (public domain)",
    ),
    "openclipart:nature/cliff_02": FakeCandidate(
        "openclipart:nature/cliff_02", ("cliff", "sea"), "openclipart", "Cliff by Ann Roe, Openclipart (public domain)"
    ),
    "twemoji:1f3e0": FakeCandidate("twemoji:1f3e0", ("house",), "twemoji", "Twemoji by Twitter (CC BY 4.0)"),
}


@pytest.fixture
def art_library(monkeypatch) -> list[tuple[str, str | None]]:
    """Patches the library lookups; returns the (prompt, style) of each candidates query."""
    from mediakit import art_library, illustration

    asked: list[tuple[str, str | None]] = []

    def picture_candidates(prompt: str, *, limit: int = 6, style: str | None = None) -> list[FakeCandidate]:
        asked.append((prompt, style))
        found = [c for c in LIBRARY.values() if style is None or c.source == style]
        return found[:limit]

    monkeypatch.setattr(art_library, "artwork_by_id", lambda id: LIBRARY.get(id))  # noqa: A006
    monkeypatch.setattr(illustration, "picture_candidates", picture_candidates)
    return asked
