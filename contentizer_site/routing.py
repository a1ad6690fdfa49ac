"""Websocket URL routes (progress consumers are added by the apps)."""

from __future__ import annotations

websocket_urlpatterns: list = []
