"""Scheduled tasks of the videos app (bootstrap creates their schedules)."""

from __future__ import annotations

from videos.services import exports_expire


def expire_exports() -> int:
    """Daily: exports past CONTENTIZER_EXPORT_RETENTION_DAYS lose their file (they read `stale`)."""
    return exports_expire()
