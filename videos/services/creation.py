"""Creating a video: validate every option, split the script into scenes, queue the storyboard job."""

from __future__ import annotations

import logging
import zlib
from dataclasses import replace
from typing import Any

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
from videos.models import Batch, CaptionPreset, Project, Scene, Video, VideoJobKind, VideoMaster
from videos.options import (
    VIDEO_OPTION_DEFAULTS,
    VideoOptions,
    aspects_parse,
    caption_colour_error,
    caption_size_error,
    music_volume_error,
)
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
    *, owner, options: VideoOptions, music_asset: MediaAsset | None, project: Project | None
) -> dict[str, str]:
    """What is wrong with a video's options (and its music file and project), field by field."""
    errors: dict[str, str] = {}
    if options.aspect not in Video.Aspect.values:
        errors["aspect"] = f"Unknown aspect {options.aspect!r}; choose one of {', '.join(Video.Aspect.values)}."
    if options.quality not in Video.Quality.values:
        errors["quality"] = f"Unknown quality {options.quality!r}; choose one of {', '.join(Video.Quality.values)}."
    if options.fps not in Video.Fps.values:
        errors["fps"] = (
            f"Unsupported frame rate {options.fps!r}; choose one of {', '.join(map(str, Video.Fps.values))}."
        )
    if voice_problem := voice_error(options.voice):
        errors["voice"] = voice_problem
    if rate_problem := speech_rate_error(options.speech_rate):
        errors["speech_rate"] = rate_problem
    if options.music not in Video.Music.values:
        errors["music"] = f"Unknown music choice {options.music!r}."
    elif options.music == Video.Music.UPLOAD:
        if music_asset is None:
            errors["music"] = "Choose an uploaded audio file for the music."
        elif not asset_is_usable_by(music_asset, owner) or (
            music_asset.kind not in (MediaAsset.Kind.AUDIO, MediaAsset.Kind.MUSIC)
        ):
            errors["music"] = "That music file is not one of your audio uploads."
    if volume_problem := music_volume_error(options.music_volume_db):
        errors["music_volume_db"] = volume_problem
    if options.caption_style not in Video.CaptionStyle.values:
        errors["caption_style"] = f"Unknown caption style {options.caption_style!r}."
    errors.update(
        caption_look_errors(
            caption_font=options.caption_font,
            caption_size=options.caption_size,
            caption_color=options.caption_color,
            caption_highlight_color=options.caption_highlight_color,
            caption_background=options.caption_background,
            caption_position=options.caption_position,
        )
    )
    if options.transition not in Video.Transition.values:
        errors["transition"] = f"Unknown transition {options.transition!r}."
    if project is not None and project.owner_id != owner.pk:
        errors["project"] = "That project is not yours."
    visuals = options.visuals
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
    options: VideoOptions,
    music_asset: MediaAsset | None,
    project: Project | None,
    callback_url: str,
) -> tuple[dict[str, str], str, str, list]:
    """(errors, title, callback URL, scene drafts): every check video_create makes."""
    errors = video_options_errors(owner=owner, options=options, music_asset=music_asset, project=project)
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
            rate_wpm=options.speech_rate if "speech_rate" not in errors else VIDEO_OPTION_DEFAULTS.speech_rate,
            max_chars=settings.CONTENTIZER_SCRIPT_MAX_CHARS,
            max_scenes=settings.CONTENTIZER_MAX_SCENES,
            language=voice_language(options.voice),
            title=title,
        )
    except ScriptError as exc:
        errors["script"] = str(exc)
    return errors, title, callback_url, drafts


def video_create_errors(
    *,
    owner,
    title: str,
    script: str,
    music_asset: MediaAsset | None = None,
    project: Project | None = None,
    callback_url: str = "",
    caption_preset: str = "",
    aspects: str | list[str] | None = None,
    **options: Any,
) -> dict[str, str]:
    """What video_create would refuse, field by field, without creating anything (a
    batch checks every row before it creates the first video)."""
    preset_problem = ""
    if caption_preset:
        look, preset_problem = caption_preset_look(owner=owner, name=caption_preset)
        options.update(look)
    aspects_problem = ""
    if aspects is not None:
        chosen_aspects, aspects_problem = aspects_parse(aspects)
        if chosen_aspects:
            options["aspect"] = chosen_aspects[0]
    errors, _, _, _ = _video_checked(
        owner=owner,
        title=title,
        script=script,
        options=replace(VIDEO_OPTION_DEFAULTS, **options),
        music_asset=music_asset,
        project=project,
        callback_url=callback_url,
    )
    if preset_problem:
        errors["caption_preset"] = preset_problem
    if aspects_problem:
        errors["aspects"] = aspects_problem
    return errors


def video_create(
    *,
    owner,
    title: str,
    script: str,
    music_asset: MediaAsset | None = None,
    project: Project | None = None,
    callback_url: str = "",
    caption_preset: str = "",
    batch: Batch | None = None,
    aspects: str | list[str] | None = None,
    **options: Any,
) -> Video:
    """Validate everything, create the video with its scenes (text only) and queue the
    storyboard job that makes each scene's narration and picture.

    options: the fields of videos.options.VideoOptions (aspect, quality, voice, ...); one
    left out takes its default there, an unknown one is a TypeError. caption_preset: the
    name of one of the owner's presets, whose style and look replace the caption options.
    aspects: every aspect to make (a list, or "16:9,9:16"), each its own master from the
    one storyboard; the first is the video's `aspect` (its pictures are drawn for it), the
    others become VideoMaster rows. None: the one `aspect` option."""
    others: list[str] = []
    if aspects is not None:
        chosen_aspects, problem = aspects_parse(aspects)
        if problem:
            raise ValidationError({"aspects": problem})
        options["aspect"], others = chosen_aspects[0], chosen_aspects[1:]
    chosen = replace(VIDEO_OPTION_DEFAULTS, **options)
    if caption_preset:
        look, problem = caption_preset_look(owner=owner, name=caption_preset)
        if problem:
            raise ValidationError({"caption_preset": problem})
        chosen = replace(chosen, **look)
    errors, title, callback_url, drafts = _video_checked(
        owner=owner,
        title=title,
        script=script,
        options=chosen,
        music_asset=music_asset,
        project=project,
        callback_url=callback_url,
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # Locks the owner's quota row until commit: racing requests cannot both take the last video.
        quota_check(user=owner, videos=1, jobs=1, storage_bytes=0)
        video = Video.objects.create(
            **chosen.as_kwargs(),
            owner=owner,
            project=project,
            title=title,
            script=script,
            music_asset=music_asset if chosen.music == Video.Music.UPLOAD else None,
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
        VideoMaster.objects.bulk_create(VideoMaster(video=video, aspect=aspect) for aspect in others)
        job_create(
            owner=owner,
            video=video,
            kind=VideoJobKind.STORYBOARD,
            estimated_cost=storyboard_estimate_cost(video=video),
        )
        quota_record_video(user=owner, video=video)
    return video
