"""The HTTP both stock providers share: JSON GETs with bounded retries, and downloads
that only go to the provider's own media hosts and never leave a half-written file.

Real `httpx`; tests point it at local fake servers and inject `sleep` so backoff costs
no time. Nothing here reads Django settings: the providers are built from settings by
`assets.stock_online.configured`.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from assets.stock_online.base import (
    EXTENSIONS,
    FAMILIES,
    StockAuthError,
    StockDownloadRefused,
    StockError,
    StockRateLimited,
)
from mediakit.sniff import sniff_media

log = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"localhost"})
_HEAD_BYTES = 64
_MAX_REDIRECTS = 3


@dataclass(frozen=True)
class RetryPolicy:
    """How a 429, a 5xx or a dropped connection is retried: at most `attempts` requests,
    waits doubling from `base_s` (capped at `max_wait_s`), a Retry-After (or a rate-limit
    reset) honoured when it fits, and never more than `budget_s` of waiting in all."""

    attempts: int = 4
    base_s: float = 1.0
    max_wait_s: float = 30.0
    budget_s: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


@dataclass(frozen=True)
class HttpSettings:
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(20.0, connect=10.0))
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # A picture or clip larger than this is refused (stops with no file kept).
    max_download_bytes: int = 50 * 1024 * 1024
    # Tests only: http:// and loopback hosts (the fake servers) are allowed too.
    allow_loopback_http: bool = False
    user_agent: str = "Contentizer/1.0 (+stock search)"


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, hosts: frozenset[str], settings: HttpSettings, what: str) -> None:
    """Refuse a URL that is not https on one of `hosts` (or, in tests, on loopback)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if settings.allow_loopback_http and is_loopback(host) and parts.scheme in ("http", "https"):
        return
    if parts.scheme != "https":
        raise StockDownloadRefused(f"{what}: only https URLs are fetched, not {parts.scheme or 'no scheme'}://")
    if parts.username or parts.password or host not in hosts:
        raise StockDownloadRefused(f"{what}: {host or 'no host'} is not one of the provider's media hosts")


def retry_after_seconds(response: httpx.Response, *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait: Retry-After (seconds or an HTTP date), else,
    on a 429 only, the rate-limit reset header (Pexels: a UNIX time; Pixabay: seconds
    from now). Both APIs send the reset header on every answer, so a 5xx ignores it."""
    raw = response.headers.get("retry-after")
    now = time.time() if now is None else now
    if raw:
        raw = raw.strip()
        if raw.isdigit():
            return float(raw)
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - now)
    reset = response.headers.get("x-ratelimit-reset") if response.status_code == 429 else None
    if reset and reset.strip().isdigit():
        value = float(reset)
        # A value this large is an epoch time (Pexels); a small one is a delay (Pixabay).
        return max(0.0, value - now) if value > 1_000_000_000 else value
    return None


class StockHttp:
    def __init__(self, *, label: str, settings: HttpSettings, secrets: tuple[str, ...] = ()) -> None:
        self.label = label
        self.settings = settings
        self._secrets = tuple(s for s in secrets if s)
        self.client = httpx.Client(
            timeout=settings.timeout,
            follow_redirects=False,  # each hop is checked against the allowed hosts
            headers={"User-Agent": settings.user_agent},
        )

    def close(self) -> None:
        self.client.close()

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _count_error(self, kind: str) -> None:
        """One error from the provider, for /metrics (contentizer_provider_errors_total)."""
        from core.event_metrics import metric_count

        metric_count("contentizer_provider_errors", {"provider": self.label.lower(), "kind": kind})

    # -- requests with retries ---------------------------------------------------------------

    def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send with retries on 429/5xx/connection errors. Returns the first other answer
        (the caller judges it); raises StockRateLimited / StockError when retries run out."""
        policy = self.settings.retry
        waited = 0.0
        last = ""
        for attempt in range(1, policy.attempts + 1):
            # How long this attempt's answer asked us to wait (None: it did not say).
            asked: float | None = None
            try:
                response = self.client.send(request, stream=stream)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}"
                self._count_error("connection")
            else:
                if response.status_code != 429 and response.status_code < 500:
                    return response
                last = f"HTTP {response.status_code}"
                self._count_error("rate_limited" if response.status_code == 429 else "server_error")
                asked = retry_after_seconds(response)
                response.close()
            if attempt == policy.attempts:
                break
            backoff = min(policy.max_wait_s, policy.base_s * 2 ** (attempt - 1))
            wait = backoff
            if asked is not None:
                if asked > policy.max_wait_s or waited + asked > policy.budget_s:
                    raise StockRateLimited(f"{self.label} asks us to wait {asked:.0f} s ({last}); try again later.")
                wait = max(asked, 0.0)
            if waited + wait > policy.budget_s:
                break
            log.info("%s: %s, retrying in %.2f s (attempt %d)", self.label, last, wait, attempt)
            policy.sleep(wait)
            waited += wait
        if last == "HTTP 429":
            raise StockRateLimited(f"{self.label} is rate limiting our requests (429); try again later.")
        raise StockError(f"{self.label} did not answer properly ({last}) after {policy.attempts} attempts.")

    def get_json(self, url: str, *, params: dict, headers: dict[str, str] | None = None) -> dict:
        request = self.client.build_request("GET", url, params=params, headers=headers or {})
        response = self._send(request)
        status = response.status_code
        if status in (401, 403) or (status == 400 and "key" in response.text.lower()):
            self._count_error("auth")
            raise StockAuthError(f"{self.label} refused the API key (HTTP {status}); check the key in the settings.")
        if status != 200:
            raise StockError(f"{self.label} answered HTTP {status}: {self._redact(response.text[:200])}")
        try:
            body = response.json()
        except ValueError:
            raise StockError(f"{self.label} answered something that is not JSON.") from None
        if not isinstance(body, dict):
            raise StockError(f"{self.label} answered JSON of an unexpected shape.")
        remaining = response.headers.get("x-ratelimit-remaining")
        if remaining is not None:
            log.debug("%s: %s requests left in this window", self.label, remaining)
        return body

    # -- downloads ---------------------------------------------------------------------------

    def download(self, url: str, dest: Path, *, kind: str, hosts: frozenset[str]) -> Path:
        """Stream `url` to a temp file beside `dest`, check its first bytes are a `kind`
        (photo/video) and its size is within the cap, then rename it into place. The
        suffix of the returned path comes from the bytes (".jpg", ".mp4", ...)."""
        families = FAMILIES[kind]
        limit = self.settings.max_download_bytes
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.part")
        try:
            response = self._open_following(url, hosts=hosts)
            try:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise StockDownloadRefused(
                        f"{self.label}: the file is {int(declared):,} bytes, over the {limit:,}-byte limit."
                    )
                family = None
                size = 0
                with open(part, "wb") as out:
                    head = b""
                    for chunk in response.iter_bytes(64 * 1024):
                        size += len(chunk)
                        if size > limit:
                            raise StockDownloadRefused(f"{self.label}: the file is over the {limit:,}-byte limit.")
                        if family is None:
                            head += chunk
                            if len(head) < _HEAD_BYTES:
                                out.write(chunk)
                                continue
                            family = self._judge(head, families, kind)
                        out.write(chunk)
                    if family is None:
                        family = self._judge(head, families, kind)
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                response.close()
            final = dest.with_suffix(EXTENSIONS[family])
            os.replace(part, final)
            return final
        except httpx.HTTPError as exc:
            raise StockError(f"{self.label}: the download failed ({type(exc).__name__}).") from None
        finally:
            part.unlink(missing_ok=True)

    def _judge(self, head: bytes, families: frozenset[str], kind: str) -> str:
        family = sniff_media(head)
        if family not in families:
            looks = "an HTML page" if head.lstrip()[:1] == b"<" else (family or "unrecognised bytes")
            raise StockDownloadRefused(f"{self.label}: the download is {looks}, not a {kind}.")
        return family

    def _open_following(self, url: str, *, hosts: frozenset[str]) -> httpx.Response:
        for _ in range(_MAX_REDIRECTS + 1):
            check_url(url, hosts=hosts, settings=self.settings, what=f"{self.label} download")
            response = self._send(self.client.build_request("GET", url), stream=True)
            if response.is_redirect:
                location = response.headers.get("location", "")
                response.close()
                url = str(httpx.URL(url).join(location))
                continue
            if response.status_code != 200:
                response.close()
                raise StockError(f"{self.label}: the download answered HTTP {response.status_code}.")
            return response
        raise StockDownloadRefused(f"{self.label}: too many redirects.")
