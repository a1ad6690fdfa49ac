"""Links in API bodies: absolute when answering a request, else relative to
CONTENTIZER_PUBLIC_URL (webhook events are made in a worker, with no request)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def api_url(context: dict | None, viewname: str, **kwargs) -> str:
    path = reverse(viewname, kwargs=kwargs)
    request = (context or {}).get("request")
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.CONTENTIZER_PUBLIC_URL.rstrip("/") + path
