"""Static files served by the ASGI app itself (one machine, no web server in front).

Django's ASGIStaticFilesHandler turns only Http404 into a response: a path that climbs out
of the static directories (`/static/..%2f..%2fdb.sqlite3`, decoded by the server before
Django sees it) raises SuspiciousFileOperation in the finders and became a 500. Whatever
is not a file under the static directories is simply not found.
"""

from __future__ import annotations

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousOperation
from django.http import Http404


class SafeASGIStaticFilesHandler(ASGIStaticFilesHandler):
    def serve(self, request):  # noqa: ANN001, ANN201 - Django's signature
        path = request.path
        if "\x00" in path:
            raise Http404("Not found")
        try:
            return super().serve(request)
        except (SuspiciousOperation, ValueError) as exc:
            # ValueError: names the OS refuses (e.g. too long) are not files either.
            raise Http404("Not found") from exc
