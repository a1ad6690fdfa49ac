from __future__ import annotations

from django.apps import AppConfig

from mediakit import config


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self) -> None:
        from django.conf import settings

        from core.api_tokens import connect_token_signals

        connect_token_signals()

        # The media layer has no Django: it gets its binaries and fonts once, here.
        config.configure(
            ffmpeg=settings.CONTENTIZER_FFMPEG,
            ffprobe=settings.CONTENTIZER_FFPROBE,
            ffmpeg_nice=settings.CONTENTIZER_FFMPEG_NICE,
        )
