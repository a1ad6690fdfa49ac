"""Every request: a request id (echoed in `X-Request-ID`, bound to the log lines written
while it runs, with the user id once known) and the HTTP metrics (count by view, method
and status; latency by view).

First in MIDDLEWARE, so probes and /metrics are counted and carry an id too. The view label
is the URL name (`videos-detail`), never the path: one series per view however many videos.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.request_metrics import HTTP_LATENCY, HTTP_REQUESTS
from core.structured_logs import request_log_context

REQUEST_ID_HEADER = "X-Request-ID"
# An id a proxy in front already gave the request is kept (so its logs and ours match) when
# it looks like an id; anything else is replaced.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_OPS_PATHS = {"/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics"}


def _view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match._func_path
    return _OPS_PATHS.get(request.path_info.rstrip("/"), "unmatched")


class RequestObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        # Read back by core.structured_logs for what Django logs after the response.
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        with request_log_context(request_id=request_id, request=request):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = _view_label(request)
        method = (
            request.method
            if request.method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
            else "other"
        )
        HTTP_REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        HTTP_LATENCY.labels(view=view, method=method).observe(elapsed)
        response[REQUEST_ID_HEADER] = request_id
        return response
