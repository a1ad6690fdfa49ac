from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"

    def ready(self) -> None:
        from jobs.status_cache import connect_status_signals

        connect_status_signals()
