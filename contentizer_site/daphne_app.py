"""Daphne as an installed app without its start-up cost.

Daphne is installed for one thing: its `runserver`, which serves the ASGI app (HTTP and
websockets) in development. Its own AppConfig module imports `daphne.server`, and with it
Twisted and OpenSSL (about 0.2 CPU s), in every process that sets Django up: `make_video`,
`check`, every qcluster worker, none of which serves HTTP. This config is the same app
(label "daphne", listed before staticfiles so its `runserver` wins) without that import:
`runserver` imports `daphne.server` itself, and the `daphne` program imports it before it
loads Django, so the reactor is still installed first wherever one runs.

Daphne's own check (daphne.E001, "listed before staticfiles") looks for its own config class
and would fail on this one: the order is kept by settings.INSTALLED_APPS, where this entry
comes first.
"""

from __future__ import annotations

from django.apps import AppConfig


class DaphneRunserverConfig(AppConfig):
    name = "daphne"
    label = "daphne"
    verbose_name = "Daphne"
