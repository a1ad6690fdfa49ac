from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contentizer_site.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs Django set up first
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from contentizer_site import daphne_requests  # noqa: E402
from contentizer_site.routing import websocket_urlpatterns  # noqa: E402
from contentizer_site.static_files import SafeASGIStaticFilesHandler  # noqa: E402

# Multipart bodies reach Django as sent, even ones Twisted cannot parse (see the module).
daphne_requests.install()

# daphne does not serve static files; on one machine Django serves its own (local files,
# no CDN). Behind a web server or CDN, set CONTENTIZER_SERVE_STATIC=0.
http_app = SafeASGIStaticFilesHandler(django_asgi_app) if settings.CONTENTIZER_SERVE_STATIC else django_asgi_app

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
