"""Which provider makes a video's media.

Offline providers are the default. A video whose creator chose Replicate visuals gets
pictures (and, when REPLICATE_TTS_MODEL is set, narration) from Replicate, but only on a
site with REPLICATE_API_TOKEN; a stock video is matched against the stock library by
the storyboard and falls back to the offline illustrations.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

from .base import NarrationProvider, PictureProvider
from .catalog import get_narration_provider, get_picture_provider
from .replicate_provider import (
    ReplicateNarrationProvider,
    ReplicatePictureProvider,
    replicate_available,
    replicate_price,
)


def uses_replicate(video) -> bool:
    return video.visuals == "replicate" and replicate_available()


def picture_provider_for(
    video,
    *,
    job_id: int | None = None,
    stop: threading.Event | None = None,
    prompts: Sequence[str] = (),
) -> PictureProvider:
    """The provider of the video's scene pictures (for stock videos: of the fallback cards).
    ``prompts`` (every scene's picture words) choose the offline artwork style that shows
    most of them, one style for the whole video."""
    if uses_replicate(video):
        return ReplicatePictureProvider(aspect_ratio=video.aspect, job_id=job_id, stop=stop)
    # Imported here: the illustration style chooser and the script reader load NumPy, the
    # art library and WordNet, which a process that makes no picture never needs.
    from mediakit.illustration import choose_style
    from mediakit.scene_reader import script_topics
    from mediakit.speech import voice_language

    # The video picks the palette, so all its scenes share one.
    english = voice_language(video.voice) in ("", "en")
    topics = script_topics(video.script, title=video.title) if english and prompts else []
    return get_picture_provider(
        palette_seed=str(video.code),
        style=choose_style(prompts, topics=topics) if prompts else None,
        topics=topics,
    )


def narration_provider_for(
    video, *, job_id: int | None = None, stop: threading.Event | None = None
) -> NarrationProvider:
    if uses_replicate(video) and settings.REPLICATE_TTS_MODEL:
        return ReplicateNarrationProvider(job_id=job_id, stop=stop)
    return get_narration_provider()


def provider_close(provider: object) -> None:
    """Release what a provider holds (Replicate: its HTTP connections)."""
    close = getattr(provider, "close", None)
    if callable(close):
        close()


def picture_price_for(video):
    """USD per scene picture for this video (stock matches and cards cost nothing)."""
    if uses_replicate(video):
        return replicate_price(settings.REPLICATE_PICTURE_MODEL)
    return Decimal(0)


def narration_price_per_second_for(video):
    if uses_replicate(video) and settings.REPLICATE_TTS_MODEL:
        return replicate_price(settings.REPLICATE_TTS_MODEL)
    return Decimal(0)
