"""Fixtures for the media tests: real tiny media files made once per session, and the
helpers that say "nothing was stored"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.tests.media_files import make_media


@pytest.fixture(scope="session")
def media_files(tmp_path_factory) -> dict[str, Path]:
    return make_media(tmp_path_factory.mktemp("media-files"))


@pytest.fixture
def stored_files(media_root):
    """A callable listing every file in storage (sorted), to compare before and after."""

    def listing() -> list[Path]:
        return sorted(p for p in media_root.rglob("*") if p.is_file())

    return listing
