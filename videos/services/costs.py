"""What a video will cost at the providers' prices (pages, API and the storyboard job)."""

from __future__ import annotations

import logging
from decimal import Decimal

from assets.generators import narration_price_per_second_for, picture_price_for
from videos.models import Video

logger = logging.getLogger(__name__)


def storyboard_estimate_cost(*, video: Video) -> Decimal:
    """What making the missing scene media will cost at the providers' prices."""

    scenes = list(video.scenes.all())
    missing_pictures = sum(1 for s in scenes if s.picture_id is None)
    words = sum(len(s.narration.split()) for s in scenes if s.narration_audio_id is None)
    seconds = Decimal(words * 60) / Decimal(max(video.speech_rate, 1))
    return picture_price_for(video) * missing_pictures + narration_price_per_second_for(video) * seconds


def video_estimated_cost(*, video: Video) -> Decimal:
    """Estimated cost of the whole video: the storyboard media still to make plus the
    render, which runs locally and costs nothing."""
    return storyboard_estimate_cost(video=video)
