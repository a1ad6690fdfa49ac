"""Links in API bodies: absolute when answering a request (the request's own host), else
absolute on CONTENTIZER_PUBLIC_URL (webhook events are made in a worker, with no request).
A link a webhook receiver cannot follow is no link: without CONTENTIZER_PUBLIC_URL the
embedded default's address is used, on the port scripts/run.sh serves on (PORT, which it
exports to the worker too)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse


def public_base_url() -> str:
    # Production sets CONTENTIZER_PUBLIC_URL; the embedded default serves on localhost:PORT.
    configured = getattr(settings, "CONTENTIZER_PUBLIC_URL", "")
    return (configured or f"http://localhost:{settings.CONTENTIZER_PORT}").rstrip("/")


def api_url(context: Mapping[str, Any] | None, viewname: str, **kwargs: Any) -> str:
    path = reverse(viewname, kwargs=kwargs)
    request = (context or {}).get("request")
    if request is not None:
        return request.build_absolute_uri(path)
    return public_base_url() + path
