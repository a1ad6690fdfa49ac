"""Rate limits for HTML forms (login, signup), counted like DRF's throttles.

django-ratelimit refuses our embedded caches in its system check, and DRF's throttles
only wrap API views; this reuses DRF's SimpleRateThrottle (the same sliding window of
timestamps in the shared cache, the same "N/period" rates from
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], defined once in settings) but lets the caller
decide what counts: a login counts only when it fails, a signup only when it succeeds.

When the cache cannot be reached the form is let through (logged): a broken cache must
not lock everybody out of their accounts.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class FormThrottle(SimpleRateThrottle):
    """One counter: a scope ("login_account") and what it counts per (an account, an address)."""

    def __init__(self, scope: str, ident: str) -> None:
        # Read at call time (not DRF's import-time copy), so settings can change in tests.
        self.scope = scope
        rates = cast(dict[str, str | None], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        self.rate = rates[scope]
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            raise ImproperlyConfigured(f"DEFAULT_THROTTLE_RATES[{scope!r}] sets no rate.")
        self.num_requests: int = num_requests
        self.duration: int = duration
        digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]
        self.key = self.cache_format % {"scope": scope, "ident": digest}

    @classmethod
    def for_user(cls, scope: str, user) -> FormThrottle:
        """The counter DRF's UserRateThrottle keeps for this user and scope (the same cache
        key), so a page and the API share one count of, say, creations per minute."""
        throttle = cls(scope, "")
        throttle.key = throttle.cache_format % {"scope": scope, "ident": user.pk}
        return throttle

    def get_cache_key(self, request, view) -> str | None:  # noqa: ANN001 - DRF's signature
        return self.key

    def _load(self) -> None:
        self.now = self.timer()
        history = self.cache.get(self.key, [])
        self.history = [t for t in history if t > self.now - self.duration]

    def wait_seconds(self) -> float | None:
        """Seconds until one more attempt is allowed, or None if it is allowed now."""
        try:
            self._load()
        except Exception:  # noqa: BLE001 - fail open, see the module docstring
            logger.warning("rate limit %s not checked: the cache is unavailable", self.scope, exc_info=True)
            return None
        if len(self.history) < self.num_requests:
            return None
        # Newest first: one more is allowed once the num-th newest leaves the window.
        return max(self.history[self.num_requests - 1] + self.duration - self.now, 1.0)

    def hit(self) -> None:
        """Count one attempt."""
        try:
            self._load()
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)
        except Exception:  # noqa: BLE001 - fail open
            logger.warning("rate limit %s not counted: the cache is unavailable", self.scope, exc_info=True)


def longest_wait(throttles: list[FormThrottle]) -> float | None:
    waits = [w for w in (t.wait_seconds() for t in throttles) if w is not None]
    return max(waits) if waits else None


def wait_in_words(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    if minutes <= 1:
        return "a minute"
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


def retry_after(response, wait: float):
    """Mark a refused page answer (429) with when to try again; returns the response."""
    response["Retry-After"] = str(math.ceil(wait))
    return response


def creation_refusal(wait: float) -> str:
    """What the creation pages say when the shared `video_create` counter is full."""
    return f"You have started many videos in the last minute. Please wait {wait_in_words(wait)}."
