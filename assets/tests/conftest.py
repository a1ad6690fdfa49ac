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


@pytest.fixture
def fake_replicate(settings):
    """A fake Replicate on a local port, and the settings that point the real client at
    it: a token, fast polling and backoff, no webhooks (tests that want them add a public
    URL and the signing secret)."""
    from assets.tests.fake_replicate import FakeReplicate

    fake = FakeReplicate().start()
    settings.REPLICATE_API_TOKEN = "r8_test_token"
    settings.REPLICATE_BASE_URL = fake.url
    settings.REPLICATE_POLL_INTERVAL_MS = 20
    settings.REPLICATE_BACKOFF_MS = 1
    settings.REPLICATE_PREDICTION_TIMEOUT_SECONDS = 10
    settings.REPLICATE_ATTEMPTS = 3
    settings.REPLICATE_PARALLELISM = 4
    settings.REPLICATE_WEBHOOK_SECRET = ""
    settings.CONTENTIZER_PUBLIC_URL = ""
    settings.REPLICATE_TTS_MODEL = ""
    try:
        yield fake
    finally:
        fake.stop()
