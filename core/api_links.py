"""Links in API bodies: absolute when answering a request (the request's own host), else
absolute on CONTENTIZER_PUBLIC_URL (webhook events are made in a worker, with no request).
A link a webhook receiver cannot follow is no link: without CONTENTIZER_PUBLIC_URL the
embedded default's address (scripts/run.sh: http://localhost:8000) is used."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

# Where the embedded default serves (scripts/run.sh); production sets CONTENTIZER_PUBLIC_URL.
EMBEDDED_PUBLIC_URL = "http://localhost:8000"


def public_base_url() -> str:
    return (getattr(settings, "CONTENTIZER_PUBLIC_URL", "") or EMBEDDED_PUBLIC_URL).rstrip("/")


def api_url(context: dict | None, viewname: str, **kwargs) -> str:
    path = reverse(viewname, kwargs=kwargs)
    request = (context or {}).get("request")
    if request is not None:
        return request.build_absolute_uri(path)
    return public_base_url() + path
