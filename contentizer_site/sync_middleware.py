"""Run the middleware chain synchronously, in one thread, under ASGI.

Django runs middleware that can be either sync or async (all of its own, django-htmx's) in
async mode under ASGI, and each sync hook then crosses into a worker thread and back:
about sixteen thread hand-offs per request here, most of a small view's cost. One sync-only
middleware at the bottom of the chain makes Django adapt once, so everything above it runs
as under WSGI, in the request's one thread (measured with `manage.py bench_poll`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SyncMiddlewareChain:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
