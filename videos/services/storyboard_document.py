"""The storyboard as a document: each scene's words, where it sits in the finished video
and what its picture shows. One function answers `GET /api/v1/videos/<code>/storyboard`
and writes `NAME.storyboard.json` beside `make_video`'s MP4, so the two never differ.
"""

from __future__ import annotations

from assets.models import MediaAsset
from mediakit.spec import SceneSpec, StoryboardSpec, frame_size
from mediakit.timeline import frames_to_ms, plan
from videos.credits import attribution, credit_summary, picture_depicts, picture_source
from videos.models import Scene, Video
from videos.selectors import video_transition_ms


def scene_spans(*, video: Video, durations_ms: list[int]) -> list[tuple[int, int]] | None:
    """Where each scene starts and ends in the rendered video, in milliseconds: laid out
    by the render's own planner (mediakit.timeline.plan) on the video's frame grid, each
    scene starting a crossfade before the previous one ends, so the numbers are the real
    video's. None while a scene has no length yet (its narration is still being made) or
    the storyboard could not be rendered as it is."""
    if not durations_ms or any(ms <= 0 for ms in durations_ms):
        return None
    width, height = frame_size(video.aspect, video.quality)
    try:
        spec = StoryboardSpec(
            # Only the lengths matter to the layout; no file is read.
            scenes=tuple(
                SceneSpec(picture="", duration_ms=ms, narration=None, narration_ms=0, caption_text="")
                for ms in durations_ms
            ),
            width=width,
            height=height,
            fps=video.fps,
            transition=video.transition,
            transition_ms=video_transition_ms(video),
        )
        timeline = plan(spec)
    except ValueError:
        return None
    return [
        (frames_to_ms(start, video.fps), frames_to_ms(start + frames, video.fps))
        for start, frames in zip(timeline.scene_start_frames, timeline.scene_frames, strict=True)
    ]


def picture_shown(asset: MediaAsset | None) -> dict | None:
    """What a scene's picture (or clip) is: where it comes from, what it shows, its credit line."""
    if asset is None:
        return None
    return {
        "source": picture_source(asset),
        "depicts": picture_depicts(asset),
        "credit": credit_summary(attribution(asset.credit)),
    }


def storyboard_document(*, video: Video) -> dict:
    """The storyboard of a video as plain data (see videos.serializers.StoryboardSerializer)."""
    scenes: list[Scene] = list(video.scenes.select_related("picture", "clip").order_by("position"))
    spans = scene_spans(video=video, durations_ms=[scene.duration_ms for scene in scenes])
    rows = []
    for index, scene in enumerate(scenes):
        start_ms, end_ms = spans[index] if spans else (None, None)
        rows.append(
            {
                "position": scene.position,
                "code": scene.code,
                "narration": scene.narration,
                "visual_prompt": scene.visual_prompt,
                "artwork": scene.artwork,
                "duration_ms": scene.duration_ms,
                "start_ms": start_ms,
                "end_ms": end_ms,
                "picture": picture_shown(scene.picture),
                "clip": picture_shown(scene.clip),
            }
        )
    return {
        "video": video.code,
        "title": video.title,
        "aspect": video.aspect,
        "duration_ms": spans[-1][1] if spans else None,
        "scenes": rows,
    }
