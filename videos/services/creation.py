"""Creating a video: validate every option, split the script into scenes, queue the storyboard job."""

from __future__ import annotations

import logging
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from assets.generators import replicate_available
from assets.models import MediaAsset
from assets.selectors import asset_is_usable_by
from assets.stock_online.configured import stock_providers_available
from jobs.services import (
    job_create,
)
from jobs.webhooks import callback_url_errors
from mediakit.speech import speech_rate_error, voice_error, voice_language
from quotas.services import quota_check, quota_record_video
from videos.models import Batch, CaptionPreset, Project, Scene, Video, VideoJobKind
from videos.options import VIDEO_OPTION_DEFAULTS, caption_colour_error, caption_size_error, music_volume_error
from videos.services.costs import storyboard_estimate_cost
from videos.storyboard import ScriptError, split_script

logger = logging.getLogger(__name__)


def picture_seed(text: str, salt: int = 0) -> int:
    return (zlib.crc32(text.encode("utf-8")) + salt * 7919) & 0x7FFFFFFF


def caption_look_errors(
    *,
    caption_font: str,
    caption_size: int,
    caption_color: str,
    caption_highlight_color: str,
    caption_background: str,
    caption_position: str,
) -> dict[str, str]:
    """What is wrong with a caption look, field by field (videos and caption presets alike)."""
    errors: dict[str, str] = {}
    if caption_font not in Video.CaptionFont.values:
        errors["caption_font"] = (
            f"Unknown caption font {caption_font!r}; choose one of {', '.join(Video.CaptionFont.values)}."
        )
    if size_problem := caption_size_error(caption_size):
        errors["caption_size"] = size_problem
    for name, colour in (("caption_color", caption_color), ("caption_highlight_color", caption_highlight_color)):
        if colour_problem := caption_colour_error(colour):
            errors[name] = colour_problem
    if caption_background not in Video.CaptionBackground.values:
        errors["caption_background"] = (
            f"Unknown caption background {caption_background!r}; "
            f"choose one of {', '.join(Video.CaptionBackground.values)}."
        )
    if caption_position not in Video.CaptionPosition.values:
        errors["caption_position"] = (
            f"Unknown caption position {caption_position!r}; choose one of {', '.join(Video.CaptionPosition.values)}."
        )
    return errors


def caption_preset_look(*, owner, name: str) -> tuple[dict, str]:
    """(the preset's caption fields, '') for one of the owner's presets by name, or ({}, why not)."""
    preset = CaptionPreset.objects.filter(owner=owner, name=(name or "").strip()).first()
    if preset is None:
        return {}, f"You have no caption preset named {name!r}."
    return preset.look(), ""


def video_options_errors(
    *,
    owner,
    aspect: str,
    quality: str,
    fps: int,
    voice: str,
    speech_rate: int,
    music: str,
    music_asset: MediaAsset | None,
    caption_style: str,
    transition: str,
    project: Project | None,
    visuals: str = VIDEO_OPTION_DEFAULTS.visuals,
    music_volume_db: int = VIDEO_OPTION_DEFAULTS.music_volume_db,
    caption_font: str = VIDEO_OPTION_DEFAULTS.caption_font,
    caption_size: int = VIDEO_OPTION_DEFAULTS.caption_size,
    caption_color: str = VIDEO_OPTION_DEFAULTS.caption_color,
    caption_highlight_color: str = VIDEO_OPTION_DEFAULTS.caption_highlight_color,
    caption_background: str = VIDEO_OPTION_DEFAULTS.caption_background,
    caption_position: str = VIDEO_OPTION_DEFAULTS.caption_position,
) -> dict[str, str]:

    errors: dict[str, str] = {}
    if aspect not in Video.Aspect.values:
        errors["aspect"] = f"Unknown aspect {aspect!r}; choose one of {', '.join(Video.Aspect.values)}."
    if quality not in Video.Quality.values:
        errors["quality"] = f"Unknown quality {quality!r}; choose one of {', '.join(Video.Quality.values)}."
    if fps not in Video.Fps.values:
        errors["fps"] = f"Unsupported frame rate {fps!r}; choose one of {', '.join(map(str, Video.Fps.values))}."
    if voice_problem := voice_error(voice):
        errors["voice"] = voice_problem
    if rate_problem := speech_rate_error(speech_rate):
        errors["speech_rate"] = rate_problem
    if music not in Video.Music.values:
        errors["music"] = f"Unknown music choice {music!r}."
    elif music == Video.Music.UPLOAD:
        if music_asset is None:
            errors["music"] = "Choose an uploaded audio file for the music."
        elif not asset_is_usable_by(music_asset, owner) or (
            music_asset.kind not in (MediaAsset.Kind.AUDIO, MediaAsset.Kind.MUSIC)
        ):
            errors["music"] = "That music file is not one of your audio uploads."
    if volume_problem := music_volume_error(music_volume_db):
        errors["music_volume_db"] = volume_problem
    if caption_style not in Video.CaptionStyle.values:
        errors["caption_style"] = f"Unknown caption style {caption_style!r}."
    errors.update(
        caption_look_errors(
            caption_font=caption_font,
            caption_size=caption_size,
            caption_color=caption_color,
            caption_highlight_color=caption_highlight_color,
            caption_background=caption_background,
            caption_position=caption_position,
        )
    )
    if transition not in Video.Transition.values:
        errors["transition"] = f"Unknown transition {transition!r}."
    if project is not None and project.owner_id != owner.pk:
        errors["project"] = "That project is not yours."
    if visuals not in Video.Visuals.values:
        errors["visuals"] = f"Unknown visuals {visuals!r}; choose one of {', '.join(Video.Visuals.values)}."
    elif visuals == Video.Visuals.REPLICATE and not replicate_available():
        errors["visuals"] = "AI pictures are not available on this site; choose generated or stock visuals."
    elif visuals == Video.Visuals.STOCK_ONLINE and not stock_providers_available():
        # No key, no option: the form and the command do not offer it either.
        errors["visuals"] = (
            "Stock footage from Pexels or Pixabay is not available on this site (no API key is set); "
            "choose generated or stock library visuals."
        )
    return errors


def _video_checked(
    *,
    owner,
    title: str,
    script: str,
    aspect: str,
    quality: str,
    fps: int,
    voice: str,
    speech_rate: int,
    music: str,
    music_asset: MediaAsset | None,
    caption_style: str,
    transition: str,
    project: Project | None,
    callback_url: str,
    visuals: str,
    music_volume_db: int,
    caption_font: str,
    caption_size: int,
    caption_color: str,
    caption_highlight_color: str,
    caption_background: str,
    caption_position: str,
) -> tuple[dict[str, str], str, str, list]:
    """(errors, title, callback URL, scene drafts): every check video_create makes."""
    errors = video_options_errors(
        music_volume_db=music_volume_db,
        owner=owner,
        aspect=aspect,
        quality=quality,
        fps=fps,
        voice=voice,
        speech_rate=speech_rate,
        music=music,
        music_asset=music_asset,
        caption_style=caption_style,
        transition=transition,
        project=project,
        visuals=visuals,
        caption_font=caption_font,
        caption_size=caption_size,
        caption_color=caption_color,
        caption_highlight_color=caption_highlight_color,
        caption_background=caption_background,
        caption_position=caption_position,
    )
    title = (title or "").strip()
    if not title:
        errors["title"] = "Give the video a title."
    elif len(title) > 200:
        errors["title"] = "The title is longer than 200 characters."

    callback_url = (callback_url or "").strip()
    if callback_error := callback_url_errors(callback_url):
        errors["callback_url"] = callback_error
    drafts = []
    try:
        drafts = split_script(
            script or "",
            rate_wpm=speech_rate if "speech_rate" not in errors else VIDEO_OPTION_DEFAULTS.speech_rate,
            max_chars=settings.CONTENTIZER_SCRIPT_MAX_CHARS,
            max_scenes=settings.CONTENTIZER_MAX_SCENES,
            language=voice_language(voice),
            title=title,
        )
    except ScriptError as exc:
        errors["script"] = str(exc)
    return errors, title, callback_url, drafts


def video_create_errors(*, owner, title: str, script: str, **options) -> dict[str, str]:
    """What video_create would refuse, field by field, without creating anything (a
    batch checks every row before it creates the first video)."""
    defaults = {
        **VIDEO_OPTION_DEFAULTS.as_kwargs(),
        "music_asset": None,
        "project": None,
        "callback_url": "",
    }
    # Captions on or off cannot be wrong; nothing checks them.
    defaults.pop("captions")
    options.pop("captions", None)
    preset_problem = ""
    if preset_name := options.pop("caption_preset", ""):
        look, preset_problem = caption_preset_look(owner=owner, name=preset_name)
        options.update(look)
    errors, _, _, _ = _video_checked(owner=owner, title=title, script=script, **{**defaults, **options})
    if preset_problem:
        errors["caption_preset"] = preset_problem
    return errors


def video_create(
    *,
    owner,
    title: str,
    script: str,
    aspect: str = VIDEO_OPTION_DEFAULTS.aspect,
    quality: str = VIDEO_OPTION_DEFAULTS.quality,
    fps: int = VIDEO_OPTION_DEFAULTS.fps,
    voice: str = VIDEO_OPTION_DEFAULTS.voice,
    speech_rate: int = VIDEO_OPTION_DEFAULTS.speech_rate,
    music: str = VIDEO_OPTION_DEFAULTS.music,
    music_asset: MediaAsset | None = None,
    music_volume_db: int = VIDEO_OPTION_DEFAULTS.music_volume_db,
    captions: bool = VIDEO_OPTION_DEFAULTS.captions,
    caption_style: str = VIDEO_OPTION_DEFAULTS.caption_style,
    transition: str = VIDEO_OPTION_DEFAULTS.transition,
    project: Project | None = None,
    callback_url: str = "",
    visuals: str = VIDEO_OPTION_DEFAULTS.visuals,
    caption_font: str = VIDEO_OPTION_DEFAULTS.caption_font,
    caption_size: int = VIDEO_OPTION_DEFAULTS.caption_size,
    caption_color: str = VIDEO_OPTION_DEFAULTS.caption_color,
    caption_highlight_color: str = VIDEO_OPTION_DEFAULTS.caption_highlight_color,
    caption_background: str = VIDEO_OPTION_DEFAULTS.caption_background,
    caption_position: str = VIDEO_OPTION_DEFAULTS.caption_position,
    caption_preset: str = "",
    batch: Batch | None = None,
) -> Video:
    """Validate everything, create the video with its scenes (text only) and queue the
    storyboard job that makes each scene's narration and picture. caption_preset: the name
    of one of the owner's presets, whose style and look replace the caption arguments."""
    if caption_preset:
        look, problem = caption_preset_look(owner=owner, name=caption_preset)
        if problem:
            raise ValidationError({"caption_preset": problem})
        caption_style = str(look["caption_style"])
        caption_font = str(look["caption_font"])
        caption_size = int(look["caption_size"])
        caption_color = str(look["caption_color"])
        caption_highlight_color = str(look["caption_highlight_color"])
        caption_background = str(look["caption_background"])
        caption_position = str(look["caption_position"])
    errors, title, callback_url, drafts = _video_checked(
        owner=owner,
        title=title,
        script=script,
        aspect=aspect,
        quality=quality,
        fps=fps,
        voice=voice,
        speech_rate=speech_rate,
        music=music,
        music_asset=music_asset,
        caption_style=caption_style,
        transition=transition,
        project=project,
        callback_url=callback_url,
        visuals=visuals,
        music_volume_db=music_volume_db,
        caption_font=caption_font,
        caption_size=caption_size,
        caption_color=caption_color,
        caption_highlight_color=caption_highlight_color,
        caption_background=caption_background,
        caption_position=caption_position,
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # Locks the owner's quota row until commit: racing requests cannot both take the last video.
        quota_check(user=owner, videos=1, jobs=1, storage_bytes=0)
        video = Video.objects.create(
            owner=owner,
            project=project,
            title=title,
            script=script,
            aspect=aspect,
            quality=quality,
            fps=fps,
            voice=voice,
            speech_rate=speech_rate,
            music=music,
            music_asset=music_asset if music == Video.Music.UPLOAD else None,
            music_volume_db=music_volume_db,
            captions=captions,
            caption_style=caption_style,
            caption_font=caption_font,
            caption_size=caption_size,
            caption_color=caption_color,
            caption_highlight_color=caption_highlight_color,
            caption_background=caption_background,
            caption_position=caption_position,
            transition=transition,
            visuals=visuals,
            callback_url=callback_url,
            status=Video.Status.STORYBOARDING,
            batch=batch,
        )
        Scene.objects.bulk_create(
            Scene(
                video=video,
                position=i,
                narration=draft.narration,
                visual_prompt=draft.visual_prompt,
                seed=picture_seed(draft.visual_prompt),
            )
            for i, draft in enumerate(drafts)
        )
        job_create(
            owner=owner,
            video=video,
            kind=VideoJobKind.STORYBOARD,
            estimated_cost=storyboard_estimate_cost(video=video),
        )
        quota_record_video(user=owner, video=video)
    return video
