"""The fake Pexels and Pixabay servers, set up for storyboard tests: media at the size
their API claims (so a download covers the frame, as a real one does), and the settings
or environment that point the site at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from assets.tests.fake_pexels import FakePexels
from assets.tests.fake_pixabay import FakePixabay


@dataclass
class StockFakes:
    pexels: FakePexels
    pixabay: FakePixabay

    def settings(self) -> dict[str, object]:
        return {
            "PEXELS_API_KEY": self.pexels.api_key,
            "PEXELS_API_URL": self.pexels.url,
            "PIXABAY_API_KEY": self.pixabay.api_key,
            "PIXABAY_API_URL": self.pixabay.api_url,
            "STOCK_ALLOW_LOOPBACK_HTTP": True,
            # Backoff costs milliseconds, not seconds.
            "STOCK_HTTP_BACKOFF_MS": 1,
            "STOCK_HTTP_ATTEMPTS": 2,
        }

    def environ(self) -> dict[str, str]:
        """The same, for a subprocess (daphne, qcluster) that reads its settings from env."""
        return {k: ("1" if v is True else str(v)) for k, v in self.settings().items()}

    def media_calls(self) -> list[dict]:
        return [
            *self.pexels.calls("/photos/"),
            *self.pexels.calls("/video-files/"),
            *[r for r in self.pixabay.requests if self.pixabay.is_media_path(r["path"])],
        ]


@contextmanager
def stock_fakes() -> Iterator[StockFakes]:
    pexels = FakePexels()
    pixabay = FakePixabay()
    for fake in (pexels, pixabay):
        fake.maker.scale = 1  # a 1280x720 rendition is a 1280x720 file
        fake.start()
    try:
        yield StockFakes(pexels, pixabay)
    finally:
        pexels.stop()
        pixabay.stop()
