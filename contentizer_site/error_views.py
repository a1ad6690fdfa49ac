"""The answer to an uncaught exception (Django's handler500): a 503 that says "try again
shortly" while the database or Redis is not answering, else Django's own 500.

Django calls it inside its `except` block, wherever the exception came from (a view, or
a middleware reading the session), so the exception is in `sys.exc_info()`. Rendered
without the request's context: the context processors read the session and the user,
which need the database that is down.
"""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

from core.api_errors import OUTAGE_RETRY_AFTER_SECONDS, outage_body
from core.health import unavailable_dependency


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if exc is None or unavailable_dependency(exc) is None:
        return django_server_error(request)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(outage_body(), status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER_SECONDS)
    return response
