"""A creator's caption presets: a caption style and look saved under a name, applied to new
videos by `video_create(caption_preset=name)` (pages, API, batch rows, make_video)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from videos.models import CaptionPreset, Video
from videos.options import VIDEO_OPTION_DEFAULTS
from videos.services.creation import caption_look_errors

NAME_MAX = 60


def caption_preset_save(
    *,
    owner,
    name: str,
    caption_style: str = VIDEO_OPTION_DEFAULTS.caption_style,
    caption_font: str = VIDEO_OPTION_DEFAULTS.caption_font,
    caption_size: int = VIDEO_OPTION_DEFAULTS.caption_size,
    caption_color: str = VIDEO_OPTION_DEFAULTS.caption_color,
    caption_highlight_color: str = VIDEO_OPTION_DEFAULTS.caption_highlight_color,
    caption_background: str = VIDEO_OPTION_DEFAULTS.caption_background,
    caption_position: str = VIDEO_OPTION_DEFAULTS.caption_position,
) -> CaptionPreset:
    """Create the owner's preset of that name, or replace what an existing one holds."""
    look: dict[str, Any] = {
        "caption_font": caption_font,
        "caption_size": caption_size,
        "caption_color": caption_color,
        "caption_highlight_color": caption_highlight_color,
        "caption_background": caption_background,
        "caption_position": caption_position,
    }
    errors = caption_look_errors(**look)
    if caption_style not in Video.CaptionStyle.values:
        errors["caption_style"] = f"Unknown caption style {caption_style!r}."
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the caption preset a name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"The preset name is longer than {NAME_MAX} characters."
    if errors:
        raise ValidationError(errors)
    preset, _ = CaptionPreset.objects.update_or_create(
        owner=owner, name=name, defaults={"caption_style": caption_style, **look}
    )
    return preset


def caption_preset_delete(*, preset: CaptionPreset) -> None:
    """Forget the preset; videos made with it keep their own copy of its look."""
    preset.delete()
