"""The stock providers this site offers, built from Django settings at call time.

A provider is offered only when its API key is set (PEXELS_API_KEY, PIXABAY_API_KEY).
"""

from __future__ import annotations

import httpx
from django.conf import settings

from assets.stock_online.base import StockError, StockProvider
from assets.stock_online.http import HttpSettings, RetryPolicy
from assets.stock_online.pexels import PEXELS_API_URL, PexelsProvider
from assets.stock_online.pixabay import PIXABAY_API_URL, PixabayProvider

# In the order selection tries them: Pexels first (its photos cover 1080p; Pixabay's
# largeImageURL stops at 1280 px without full API access).
PROVIDER_NAMES = ("pexels", "pixabay")


def stock_providers_available() -> list[str]:
    """Names of the providers with a key set, in selection order."""
    keys = {"pexels": settings.PEXELS_API_KEY, "pixabay": settings.PIXABAY_API_KEY}
    return [name for name in PROVIDER_NAMES if (keys[name] or "").strip()]


def http_settings(*, sleep=None) -> HttpSettings:
    retry = RetryPolicy(
        attempts=settings.STOCK_HTTP_ATTEMPTS,
        base_s=settings.STOCK_HTTP_BACKOFF_MS / 1000,
        budget_s=float(settings.STOCK_HTTP_RETRY_BUDGET_SECONDS),
        **({"sleep": sleep} if sleep is not None else {}),
    )
    return HttpSettings(
        timeout=httpx.Timeout(float(settings.STOCK_HTTP_TIMEOUT_SECONDS), connect=10.0),
        retry=retry,
        max_download_bytes=settings.STOCK_DOWNLOAD_MAX_BYTES,
        allow_loopback_http=settings.STOCK_ALLOW_LOOPBACK_HTTP,
    )


def stock_provider(name: str, *, sleep=None) -> StockProvider:
    """A provider built from the settings; StockError when it is not offered. Close it
    (`provider.close()`) when done: it holds an HTTP connection pool."""
    if name not in stock_providers_available():
        raise StockError(f"The stock provider {name!r} is not offered (no API key set).")
    http = http_settings(sleep=sleep)
    if name == "pexels":
        return PexelsProvider(
            settings.PEXELS_API_KEY.strip(), base_url=settings.PEXELS_API_URL or PEXELS_API_URL, http=http
        )
    return PixabayProvider(
        settings.PIXABAY_API_KEY.strip(), base_url=settings.PIXABAY_API_URL or PIXABAY_API_URL, http=http
    )


def stock_providers(*, sleep=None) -> list[StockProvider]:
    """Every offered provider, in selection order."""
    return [stock_provider(name, sleep=sleep) for name in stock_providers_available()]
