"""A storyboard as rows only (no media, no job), for the review-link tests that need a video
and its scenes but not their files."""

from __future__ import annotations

from videos.models import Scene, Video


def storyboard_rows(owner, *, title: str = "Lighthouse") -> Video:
    video = Video.objects.create(
        owner=owner, title=title, script="The keeper climbs. The waves break.", status=Video.Status.STORYBOARD
    )
    for position, text in enumerate(("The keeper climbs.", "The waves break."), 1):
        Scene.objects.create(video=video, position=position, narration=text, visual_prompt=text, duration_ms=4000)
    return video
