"""/healthz, /readyz and /metrics, answered before anything else in the middleware stack.

First to answer in MIDDLEWARE on purpose (only the request id and HTTP metrics come before
it, and they check nothing): load balancers and Prometheus reach a process by its IP
over plain HTTP, so these paths skip the host check (ALLOWED_HOSTS), the HTTPS redirect,
sessions and CSRF. They read nothing from the request but its peer address and, for
/metrics, the Authorization header.

- /healthz: the process answers (200, always).
- /readyz: database, cache and storage answer (200), or 503 naming what failed.
  Workers are not required; the staff health page has the full picture.
- /metrics: Prometheus text. Open to clients on this machine that connect directly;
  anyone else needs `Authorization: Bearer <CONTENTIZER_METRICS_TOKEN>`, and without a
  token configured the path does not exist for them (404).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from contentizer_site.metrics import CONTENT_TYPE, metrics_text
from core.client_address import is_direct_loopback
from core.health import readiness

_PATHS = {"/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics"}


class OpsEndpointsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _PATHS.get(request.path_info.rstrip("/") or "/")
        if name is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return response
        response = getattr(self, name)(request)
        response["Cache-Control"] = "no-store"
        return response

    def healthz(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"status": "ok"})

    def readyz(self, request: HttpRequest) -> HttpResponse:

        checks = readiness()
        failed = [name for name, outcome in checks.items() if outcome != "ok"]
        body = {"status": "unavailable" if failed else "ok", "checks": checks, "failed": failed}
        return HttpResponse(json.dumps(body), content_type="application/json", status=503 if failed else 200)

    def metrics(self, request: HttpRequest) -> HttpResponse:
        if not is_direct_loopback(request):
            token = settings.CONTENTIZER_METRICS_TOKEN
            if not token:
                return HttpResponse("Not found.\n", status=404, content_type="text/plain")
            scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                response = HttpResponse("A metrics token is required.\n", status=401, content_type="text/plain")
                response["WWW-Authenticate"] = 'Bearer realm="metrics"'
                return response

        return HttpResponse(metrics_text(), content_type=CONTENT_TYPE)
