"""The creator steers a scene's picture: the library artworks that could show it, and
pinning one of them. Pages and the API call these two; the storyboard job then draws the
pinned artwork (videos.services.pictures passes `artwork=` to a provider that accepts it).

The artwork library and the matcher live in mediakit (art_library, illustration) and are
imported inside the functions: they load a large index, and a library that is not
installed must not break the storyboard page.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.core.exceptions import ValidationError

from videos.credits import picture_source
from videos.models import Scene, Video
from videos.services.scenes import scene_refine_picture, storyboard_require_editable

logger = logging.getLogger(__name__)

CANDIDATES_LIMIT = 6


def video_artwork_style(video: Video) -> str | None:
    """The artwork library most of the video's pictures come from (one style per video),
    or None when none of them is library artwork."""
    try:
        from mediakit.art_library import STYLES
    except ImportError:
        return None
    pictures = video.scenes.select_related("picture").exclude(picture=None)
    sources = Counter(picture_source(scene.picture) for scene in pictures if scene.picture is not None)
    found = [(count, source) for source, count in sources.items() if source in STYLES]
    return max(found)[1] if found else None


def scene_picture_candidates(*, scene: Scene, limit: int = CANDIDATES_LIMIT) -> list:
    """The library artworks that best show the scene's picture words, best first
    (mediakit.illustration.Candidate: id, depicts, source, credit): in the video's style
    where that style has some, else from any library. [] for a video whose pictures are
    not drawn from the library (stock, Replicate) or when the library is not installed."""
    if scene.video.visuals != Video.Visuals.GENERATED:
        return []
    try:
        from mediakit.illustration import picture_candidates
    except ImportError:
        logger.warning("picture candidates unavailable: mediakit.illustration has no picture_candidates")
        return []
    style = video_artwork_style(scene.video)
    found = picture_candidates(scene.visual_prompt, limit=limit, style=style)
    if not found and style is not None:
        found = picture_candidates(scene.visual_prompt, limit=limit, style=None)
    return list(found)


def scene_artwork_choose(*, scene: Scene, artwork: str) -> Scene:
    """Pin one library artwork for a scene's picture: the picture is made again with it,
    as "New picture" does (and counted like it against the video's refinements). Empty,
    over-long or unknown ids, and videos not illustrated from the library, are refused
    with a message (ValidationError on `artwork`) and nothing changes."""
    video = scene.video
    chosen = (artwork or "").strip()
    limit = Scene._meta.get_field("artwork").max_length or 0
    if not chosen:
        raise ValidationError({"artwork": "Choose one of the pictures offered: no artwork id was given."})
    if len(chosen) > limit:
        raise ValidationError(
            {"artwork": f"That is not an artwork of the library: ids are at most {limit} characters."}
        )
    if video.visuals != Video.Visuals.GENERATED:
        raise ValidationError(
            {
                "artwork": f"This video's pictures are {video.get_visuals_display().lower()}; "
                "library artwork can be chosen only for illustrated videos."
            }
        )
    try:
        from mediakit.art_library import artwork_by_id
    except ImportError as exc:
        raise ValidationError({"artwork": "The artwork library is not installed on this site."}) from exc
    if artwork_by_id(chosen) is None:
        raise ValidationError({"artwork": f"There is no artwork “{chosen[:80]}” in the library."})
    storyboard_require_editable(video)
    if chosen == scene.artwork and scene.picture_id is not None:
        return scene  # already showing it: a refinement would be spent on the same picture
    return scene_refine_picture(scene=scene, artwork=chosen)
