"""Video domain services: every entry point (pages, API, admin, commands, tasks) calls these.

Keyword-only, typed. Bad input raises django.core.exceptions.ValidationError (a 400 with
field messages), PermissionDenied (403) or Conflict (409) before anything is written.
"""

from __future__ import annotations

import logging
import zlib
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from assets.models import MediaAsset
from assets.services import (
    asset_create_from_path,
    asset_delete_if_unused,
    storage_delete_quietly,
    storage_fetch,
    storage_save,
)
from jobs.models import Job
from jobs.services import (
    JobCanceled,
    JobFailure,
    JobReporter,
    job_cancel,
    job_create,
    job_tempdir,
)
from videos.models import Export, Project, Scene, SiteSettings, Video, video_file_name
from videos.storyboard import ScriptError, split_script

logger = logging.getLogger(__name__)

QUALITY_RANK = {"480p": 0, "720p": 1, "1080p": 2}


class Conflict(Exception):
    """The request is valid but the current state does not allow it (HTTP 409)."""


# --- creation ---------------------------------------------------------------------


def _seed_for(text: str, salt: int = 0) -> int:
    return (zlib.crc32(text.encode("utf-8")) + salt * 7919) & 0x7FFFFFFF


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
    visuals: str = Video.Visuals.GENERATED,
) -> dict[str, str]:
    from assets.generators import replicate_available
    from assets.generators.offline import RATE_MAX, RATE_MIN, VOICES

    errors: dict[str, str] = {}
    if aspect not in Video.Aspect.values:
        errors["aspect"] = f"Unknown aspect {aspect!r}; choose one of {', '.join(Video.Aspect.values)}."
    if quality not in Video.Quality.values:
        errors["quality"] = f"Unknown quality {quality!r}; choose one of {', '.join(Video.Quality.values)}."
    if fps not in Video.Fps.values:
        errors["fps"] = f"Unsupported frame rate {fps!r}; choose one of {', '.join(map(str, Video.Fps.values))}."
    if voice not in VOICES:
        errors["voice"] = f"Unknown voice {voice!r}."
    if not (RATE_MIN <= speech_rate <= RATE_MAX):
        errors["speech_rate"] = f"Speech rate must be between {RATE_MIN} and {RATE_MAX} words per minute."
    if music not in Video.Music.values:
        errors["music"] = f"Unknown music choice {music!r}."
    elif music == Video.Music.UPLOAD:
        if music_asset is None:
            errors["music"] = "Choose an uploaded audio file for the music."
        elif (music_asset.owner_id != owner.pk and music_asset.source != MediaAsset.Source.STOCK) or (
            music_asset.kind not in (MediaAsset.Kind.AUDIO, MediaAsset.Kind.MUSIC)
        ):
            errors["music"] = "That music file is not one of your audio uploads."
    if caption_style not in Video.CaptionStyle.values:
        errors["caption_style"] = f"Unknown caption style {caption_style!r}."
    if transition not in Video.Transition.values:
        errors["transition"] = f"Unknown transition {transition!r}."
    if project is not None and project.owner_id != owner.pk:
        errors["project"] = "That project is not yours."
    if visuals not in Video.Visuals.values:
        errors["visuals"] = f"Unknown visuals {visuals!r}; choose one of {', '.join(Video.Visuals.values)}."
    elif visuals == Video.Visuals.REPLICATE and not replicate_available():
        errors["visuals"] = "AI pictures are not available on this site; choose generated or stock visuals."
    return errors


def video_create(
    *,
    owner,
    title: str,
    script: str,
    aspect: str = Video.Aspect.LANDSCAPE,
    quality: str = Video.Quality.P720,
    fps: int = 30,
    voice: str = "en-us",
    speech_rate: int = 165,
    music: str = Video.Music.NONE,
    music_asset: MediaAsset | None = None,
    captions: bool = True,
    caption_style: str = Video.CaptionStyle.CLASSIC,
    transition: str = Video.Transition.FADE,
    project: Project | None = None,
    callback_url: str = "",
    visuals: str = Video.Visuals.GENERATED,
) -> Video:
    """Validate everything, create the video with its scenes (text only) and queue the
    storyboard job that makes each scene's narration and picture."""
    errors = video_options_errors(
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
    )
    title = (title or "").strip()
    if not title:
        errors["title"] = "Give the video a title."
    elif len(title) > 200:
        errors["title"] = "The title is longer than 200 characters."
    from jobs.webhooks import callback_url_errors

    callback_url = (callback_url or "").strip()
    if callback_error := callback_url_errors(callback_url):
        errors["callback_url"] = callback_error
    drafts = []
    try:
        drafts = split_script(
            script or "",
            rate_wpm=speech_rate if "speech_rate" not in errors else 165,
            max_chars=settings.CONTENTIZER_SCRIPT_MAX_CHARS,
            max_scenes=settings.CONTENTIZER_MAX_SCENES,
        )
    except ScriptError as exc:
        errors["script"] = str(exc)
    if errors:
        raise ValidationError(errors)

    from videos.quotas import quota_check, quota_record_video

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
            captions=captions,
            caption_style=caption_style,
            transition=transition,
            visuals=visuals,
            callback_url=callback_url,
            status=Video.Status.STORYBOARDING,
        )
        Scene.objects.bulk_create(
            Scene(
                video=video,
                position=i,
                narration=draft.narration,
                visual_prompt=draft.visual_prompt,
                seed=_seed_for(draft.visual_prompt),
            )
            for i, draft in enumerate(drafts)
        )
        job_create(
            video=video,
            kind=Job.Kind.STORYBOARD,
            estimated_cost=storyboard_estimate_cost(video=video),
        )
        quota_record_video(user=owner, video=video)
    return video


# --- costs --------------------------------------------------------------------------


def storyboard_estimate_cost(*, video: Video) -> Decimal:
    """What making the missing scene media will cost at the providers' prices."""
    from assets.generators import narration_price_per_second_for, picture_price_for

    scenes = list(video.scenes.all())
    missing_pictures = sum(1 for s in scenes if s.picture_id is None)
    words = sum(len(s.narration.split()) for s in scenes if s.narration_audio_id is None)
    seconds = Decimal(words * 60) / Decimal(max(video.speech_rate, 1))
    return picture_price_for(video) * missing_pictures + narration_price_per_second_for(video) * seconds


def video_estimated_cost(*, video: Video) -> Decimal:
    """Estimated cost of the whole video: the storyboard media still to make plus the
    render, which runs locally and costs nothing."""
    return storyboard_estimate_cost(video=video)


# --- storyboard job ------------------------------------------------------------------


def _scenes_missing_media(video: Video) -> list[Scene]:
    return list(video.scenes.filter(Q(picture__isnull=True) | Q(narration_audio__isnull=True)).order_by("position"))


def storyboard_run(*, job: Job, reporter: JobReporter) -> Decimal:
    """Make the narration and the picture of every scene that lacks one. Idempotent:
    a second run only fills what is still missing. Pictures come from the video's
    visuals (videos.storyboard_media); a Replicate voice that fails falls back to
    espeak-ng with a warning on the scene."""
    from assets.generators import narration_provider_for, provider_close
    from assets.generators.base import GenerationError
    from assets.generators.offline import get_narration_provider
    from mediakit.spec import frame_size, scene_duration_for
    from videos.storyboard_media import scene_warning_merge, storyboard_make_pictures

    video = job.video
    narrator = narration_provider_for(video, job_id=job.pk)
    offline_narrator = get_narration_provider()
    width, height = frame_size(video.aspect, video.quality)
    transition_ms = 0 if video.transition == Video.Transition.CUT else 500
    cost = Decimal("0")
    try:
        with job_tempdir(job=job) as tmp:
            # Loop until nothing is missing: a scene edited while we work is picked up too.
            for _round in range(3):
                pending = _scenes_missing_media(video)
                if not pending:
                    break
                voiceless = [scene for scene in pending if scene.narration_audio_id is None]
                for index, scene in enumerate(voiceless):
                    reporter.check_cancel()
                    reporter.update("narration", 0.5 * index / len(voiceless))
                    number = scene.position + 1
                    warning = ""
                    try:
                        audio = narrator.synthesize(
                            text=scene.narration, voice=video.voice, rate_wpm=video.speech_rate, out_dir=tmp
                        )
                        maker = narrator
                    except GenerationError as exc:
                        if narrator.name == offline_narrator.name:
                            raise JobFailure(
                                "narration", f"Scene {number}: could not synthesise speech: {exc}"
                            ) from exc
                        warning = f"{exc} The built-in voice reads this scene instead."
                        maker = offline_narrator
                        try:
                            audio = offline_narrator.synthesize(
                                text=scene.narration, voice=video.voice, rate_wpm=video.speech_rate, out_dir=tmp
                            )
                        except GenerationError as exc2:
                            raise JobFailure(
                                "narration", f"Scene {number}: could not synthesise speech: {exc2}"
                            ) from exc2
                    asset = asset_create_from_path(
                        owner=video.owner,
                        kind=MediaAsset.Kind.AUDIO,
                        source=MediaAsset.Source.GENERATED,
                        path=audio.path,
                        mime=audio.mime,
                        duration_ms=audio.duration_ms,
                        generator=maker.name,
                    )
                    cost += audio.cost_usd
                    changes = {
                        "narration_audio": asset,
                        "narration_ms": audio.duration_ms,
                        "duration_ms": scene_duration_for(audio.duration_ms, transition_ms=transition_ms),
                    }
                    changes["warning"] = scene_warning_merge(scene.warning, "Narration", warning)
                    # Conditional on the text we spoke: an edit made meanwhile wins.
                    if not Scene.objects.filter(
                        pk=scene.pk, narration=scene.narration, narration_audio__isnull=True
                    ).update(**changes):
                        asset_delete_if_unused(asset=asset)
                    audio.path.unlink(missing_ok=True)
                reporter.check_cancel()
                pictureless = [scene for scene in pending if scene.picture_id is None]
                reporter.update("pictures", 0.5)
                cost += storyboard_make_pictures(
                    job=job, video=video, scenes=pictureless, reporter=reporter, tmp=tmp, width=width, height=height
                )
            if _scenes_missing_media(video):
                raise JobFailure(
                    "storyboard",
                    "Scenes kept changing while their media was made; run it again.",
                )
    finally:
        provider_close(narrator)
    return cost


# --- approval ---------------------------------------------------------------------


def _withdraw_approval(video: Video) -> None:
    Video.objects.filter(pk=video.pk, approval__in=(Video.Approval.APPROVED, Video.Approval.PENDING)).update(
        approval=Video.Approval.NONE,
        approved_by=None,
        approved_at=None,
        updated_at=timezone.now(),
    )
    video.refresh_from_db(fields=["approval", "approved_by", "approved_at"])


def _require_complete_storyboard(video: Video) -> None:
    if video.jobs.filter(kind=Job.Kind.STORYBOARD, status__in=Job.ACTIVE).exists() or _scenes_missing_media(video):
        raise Conflict("The storyboard is still being made; approve it once every scene has its picture and narration.")
    if not video.scenes.exists():
        raise Conflict("The storyboard has no scenes; add one before approving.")


def storyboard_approve(*, video: Video, user) -> Video:
    """The creator's approval. Where the site requires staff approval (SiteSettings) and
    the user is not staff, it submits the storyboard instead: `approval` comes back
    PENDING and the render stays refused until staff approve."""
    _require_complete_storyboard(video)
    if not user.is_staff and SiteSettings.load().require_staff_approval:
        # An approved storyboard stays approved; anything else waits for staff.
        Video.objects.filter(pk=video.pk).exclude(approval=Video.Approval.APPROVED).update(
            approval=Video.Approval.PENDING,
            approved_by=None,
            approved_at=None,
            rejection_reason="",
            updated_at=timezone.now(),
        )
        video.refresh_from_db()
        return video
    Video.objects.filter(pk=video.pk).update(
        approval=Video.Approval.APPROVED,
        approved_by=user,
        approved_at=timezone.now(),
        rejection_reason="",
        updated_at=timezone.now(),
    )
    video.refresh_from_db()
    return video


def storyboard_staff_approve(*, video: Video, staff) -> Video:
    """Staff approve a storyboard (awaiting approval, or not yet submitted, or rejected
    before); records who and when."""
    if not staff.is_staff:
        raise PermissionDenied("Only staff can approve other people's storyboards.")
    _require_complete_storyboard(video)
    now = timezone.now()
    if (
        not Video.objects.filter(pk=video.pk)
        .exclude(approval=Video.Approval.APPROVED)
        .update(
            approval=Video.Approval.APPROVED,
            approved_by=staff,
            approved_at=now,
            rejection_reason="",
            updated_at=now,
        )
    ):
        raise Conflict("This storyboard is already approved.")
    video.refresh_from_db()
    return video


def storyboard_reject(*, video: Video, staff, reason: str) -> Video:
    """Staff send a storyboard back with a reason the creator sees. Withdraws an
    approval; the creator edits and approves (submits) again."""
    if not staff.is_staff:
        raise PermissionDenied("Only staff can reject storyboards.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tell the creator why the storyboard is sent back."})
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason under 2000 characters."})
    if video.jobs.filter(kind=Job.Kind.RENDER, status__in=Job.ACTIVE).exists():
        raise Conflict("The video is rendering; cancel the render before rejecting its storyboard.")
    Video.objects.filter(pk=video.pk).update(
        approval=Video.Approval.REJECTED,
        approved_by=None,
        approved_at=None,
        rejection_reason=reason,
        updated_at=timezone.now(),
    )
    video.refresh_from_db()
    return video


def storyboard_refresh(*, video: Video) -> Job | None:
    """Queue a storyboard job if some scene lacks media and none is running."""
    with transaction.atomic():
        locked = Video.objects.select_for_update().get(pk=video.pk)
        active = locked.jobs.filter(kind=Job.Kind.STORYBOARD, status__in=Job.ACTIVE).first()
        if active is not None or not _scenes_missing_media(locked):
            return active
        Video.objects.filter(pk=video.pk).update(status=Video.Status.STORYBOARDING)
        return job_create(
            video=locked,
            kind=Job.Kind.STORYBOARD,
            estimated_cost=storyboard_estimate_cost(video=locked),
        )


def _editable(video: Video) -> None:
    if video.jobs.filter(kind=Job.Kind.RENDER, status__in=Job.ACTIVE).exists():
        raise Conflict("The video is rendering; cancel the render before editing the storyboard.")


def scene_update(*, scene: Scene, narration: str | None = None, visual_prompt: str | None = None) -> Scene:
    video = scene.video
    _editable(video)
    errors = {}
    if narration is not None and not narration.strip():
        errors["narration"] = "A scene needs some narration."
    if visual_prompt is not None and not visual_prompt.strip():
        errors["visual_prompt"] = "A scene needs a visual prompt."
    if errors:
        raise ValidationError(errors)
    old_assets = []
    fields = []
    if narration is not None and narration.strip() != scene.narration:
        scene.narration = narration.strip()
        fields.append("narration")
        # An uploaded recording stays (the text is then its caption); speech is remade.
        if scene.narration_source != Scene.NarrationSource.UPLOAD:
            old_assets.append(scene.narration_audio)
            scene.narration_audio = None
            scene.narration_ms = 0
            fields += ["narration_audio", "narration_ms"]
    if visual_prompt is not None and visual_prompt.strip() != scene.visual_prompt:
        scene.visual_prompt = visual_prompt.strip()
        if scene.picture is not None and scene.picture.source == MediaAsset.Source.GENERATED:
            old_assets.append(scene.picture)
            scene.picture = None
            scene.seed = _seed_for(scene.visual_prompt, scene.refinement_count)
            fields += ["picture", "seed"]
        fields.append("visual_prompt")
    if not fields:
        return scene
    with transaction.atomic():
        scene.save(update_fields=fields)
        _withdraw_approval(video)
    _delete_generated(old_assets)
    storyboard_refresh(video=video)
    return scene


def scene_add(*, video: Video, narration: str, visual_prompt: str = "", after: Scene | None = None) -> Scene:
    from videos.storyboard import visual_prompt_for

    _editable(video)
    if not narration.strip():
        raise ValidationError({"narration": "A scene needs some narration."})
    if video.scenes.count() >= settings.CONTENTIZER_MAX_SCENES:
        raise Conflict(f"A video can have at most {settings.CONTENTIZER_MAX_SCENES} scenes.")
    prompt = visual_prompt.strip() or visual_prompt_for(narration)
    with transaction.atomic():
        if after is None:
            position = (video.scenes.aggregate(m=Max("position"))["m"] or -1) + 1
        else:
            position = after.position + 1
            # Shift from the end backwards-compatible: a single UPDATE moves the tail.
            video.scenes.filter(position__gte=position).update(position=F("position") + 1)
        scene = Scene.objects.create(
            video=video,
            position=position,
            narration=narration.strip(),
            visual_prompt=prompt,
            seed=_seed_for(prompt),
        )
        _withdraw_approval(video)
    storyboard_refresh(video=video)
    return scene


def scene_delete(*, scene: Scene) -> None:
    video = scene.video
    _editable(video)
    if video.scenes.count() <= 1:
        raise Conflict("A storyboard needs at least one scene; this is the last one.")
    assets = [scene.picture, scene.narration_audio]
    with transaction.atomic():
        position = scene.position
        scene.delete()
        video.scenes.filter(position__gt=position).update(position=F("position") - 1)
        _withdraw_approval(video)
    _delete_generated(assets)


def scene_move(*, scene: Scene, offset: int) -> Scene:
    """Move a scene up (offset -1) or down (+1) by swapping it with its neighbour."""
    video = scene.video
    _editable(video)
    target = scene.position + offset
    with transaction.atomic():
        neighbour = video.scenes.filter(position=target).first()
        if neighbour is None:
            return scene
        neighbour.position, scene.position = scene.position, target
        neighbour.save(update_fields=["position"])
        scene.save(update_fields=["position"])
        _withdraw_approval(video)
    return scene


def scene_refine_picture(*, scene: Scene) -> Scene:
    """Make a new picture for one scene with a new seed; at most N per video."""
    video = scene.video
    _editable(video)
    limit = settings.CONTENTIZER_MAX_REFINEMENTS
    with transaction.atomic():
        if not Video.objects.filter(pk=video.pk, refinements_used__lt=limit).update(
            refinements_used=F("refinements_used") + 1
        ):
            raise Conflict(f"You have used all {limit} picture refinements for this video.")
        old = scene.picture
        scene.refinement_count += 1
        scene.seed = _seed_for(scene.visual_prompt, scene.refinement_count)
        scene.picture = None
        scene.save(update_fields=["refinement_count", "seed", "picture"])
        _withdraw_approval(video)
    video.refresh_from_db(fields=["refinements_used"])
    _delete_generated([old])
    storyboard_refresh(video=video)
    return scene


def _delete_generated(assets: list[MediaAsset | None]) -> None:
    for asset in assets:
        if asset is not None and asset.source == MediaAsset.Source.GENERATED:
            asset_delete_if_unused(asset=asset)


# --- render ---------------------------------------------------------------------------


def render_request(*, video: Video, user) -> Job:
    """Queue a render of an approved storyboard (403 otherwise). Asking twice while one
    is queued or running returns the same job."""
    with transaction.atomic():
        locked = Video.objects.select_for_update().get(pk=video.pk)
        if not locked.is_approved:
            raise PermissionDenied("The storyboard must be approved before it can be rendered.")
        active = locked.jobs.filter(kind=Job.Kind.RENDER, status__in=Job.ACTIVE).first()
        if active is not None:
            return active
        if locked.jobs.filter(kind=Job.Kind.STORYBOARD, status__in=Job.ACTIVE).exists() or _scenes_missing_media(
            locked
        ):
            raise Conflict("The storyboard is still being made; render once every scene has its media.")
        from videos.quotas import quota_check, quota_record_render, render_estimate_ms

        render_ms = render_estimate_ms(video=locked)
        quota_check(user=locked.owner, render_ms=render_ms, jobs=1, storage_bytes=0)
        Video.objects.filter(pk=locked.pk).update(status=Video.Status.RENDERING, updated_at=timezone.now())
        job = job_create(video=locked, kind=Job.Kind.RENDER)
        quota_record_render(user=locked.owner, video=locked, job=job, render_ms=render_ms)
    video.refresh_from_db()
    return job


def _render_inputs(video: Video, tmp: Path):
    """Fetch the scene media from storage into the job's temp dir and describe the
    storyboard for the composer."""
    from assets.generators.offline import render_music_bed
    from mediakit.caption_images import render_caption_png
    from mediakit.spec import SceneSpec, StoryboardSpec, frame_size

    width, height = frame_size(video.aspect, video.quality)
    scenes = list(video.scenes.select_related("picture", "narration_audio", "clip").order_by("position"))
    if not scenes:
        raise JobFailure("prepare", "The storyboard has no scenes.")
    specs = []
    for scene in scenes:
        number = scene.position + 1
        if scene.picture is None or scene.narration_audio is None:
            raise JobFailure(
                "prepare",
                f"Scene {number} has no picture or narration yet; rebuild the storyboard.",
            )
        try:
            picture = storage_fetch(
                name=scene.picture.file.name,
                dest=tmp / f"scene-{number:03d}-picture{Path(scene.picture.file.name).suffix}",
            )
            narration = storage_fetch(
                name=scene.narration_audio.file.name,
                # The stored suffix: an uploaded recording may be MP3 or M4A, not WAV.
                dest=tmp / f"scene-{number:03d}-voice{Path(scene.narration_audio.file.name).suffix}",
            )
            clip = None
            if scene.clip is not None:
                clip = storage_fetch(
                    name=scene.clip.file.name,
                    dest=tmp / f"scene-{number:03d}-clip{Path(scene.clip.file.name).suffix}",
                )
        except OSError as exc:
            raise JobFailure(
                "prepare",
                f"Scene {number}'s media could not be read from storage ({exc}).",
            ) from exc
        caption_png = None
        if video.captions:
            caption_png = str(tmp / f"scene-{number:03d}-caption.png")
            render_caption_png(
                scene.narration,
                width=width,
                height=height,
                style=video.caption_style,
                out_path=Path(caption_png),
            )
        specs.append(
            SceneSpec(
                picture=str(picture),
                duration_ms=scene.duration_ms,
                narration=str(narration),
                narration_ms=scene.narration_ms,
                caption_text=scene.narration,
                caption_png=caption_png,
                # A clip is looped or cut to the scene; its sound mixed in only if it has one.
                clip=str(clip) if clip else None,
                clip_ms=(scene.clip.duration_ms or 0) if clip else 0,
                clip_audio=scene.clip_audio if clip and scene.clip.has_audio else "drop",
            )
        )
    transition_ms = 0 if video.transition == Video.Transition.CUT else 500
    total_ms = sum(s.duration_ms for s in specs) - transition_ms * (len(specs) - 1)
    music = None
    if video.music == Video.Music.UPLOAD and video.music_asset is not None:
        music = str(
            storage_fetch(
                name=video.music_asset.file.name,
                dest=tmp / f"music{Path(video.music_asset.file.name).suffix}",
            )
        )
    elif video.music not in (Video.Music.NONE, Video.Music.UPLOAD):
        music = str(render_music_bed(bed=video.music, duration_ms=total_ms, out_dir=tmp).path)
    return StoryboardSpec(
        scenes=tuple(specs),
        width=width,
        height=height,
        fps=video.fps,
        transition=video.transition,
        transition_ms=transition_ms,
        music=music,
        captions=video.captions,
        preset=settings.CONTENTIZER_X264_PRESET,
        crf=settings.CONTENTIZER_X264_CRF,
    )


def _composition_failure(stage: str, exc: Exception) -> JobFailure:
    from mediakit.errors import FFmpegError, FFmpegTimeout, ValidationFailed

    if isinstance(exc, FFmpegTimeout):
        return JobFailure(stage, f"FFmpeg took too long and was stopped ({exc}).")
    if isinstance(exc, ValidationFailed):
        return JobFailure(
            "validate",
            "The rendered file did not pass its checks: " + "; ".join(exc.problems),
        )
    if isinstance(exc, FFmpegError):
        return JobFailure(stage, f"FFmpeg failed: {exc.message}")
    return JobFailure(stage, str(exc))


def _ffmpeg_timeout_s() -> float:
    return max(settings.Q_TIMEOUT - 30, 30)


def render_run(*, job: Job, reporter: JobReporter) -> Decimal:
    from mediakit.errors import (
        FFmpegCanceled,
        FFmpegError,
        FFmpegTimeout,
        ProbeError,
        ValidationFailed,
    )
    from mediakit.render import render_master

    video = job.video
    saved: list[str] = []
    stage = {"name": "prepare"}

    def on_progress(name: str, fraction: float) -> None:
        stage["name"] = name
        reporter.update(name, 0.05 + 0.9 * fraction)

    with job_tempdir(job=job) as tmp:
        reporter.update("prepare", 0.0)
        spec = _render_inputs(video, tmp)
        reporter.check_cancel()
        try:
            out = render_master(
                spec,
                tmp / "out",
                on_progress=on_progress,
                should_cancel=reporter.should_cancel,
                timeout_s=_ffmpeg_timeout_s(),
            )
        except FFmpegCanceled as exc:
            raise JobCanceled() from exc
        except (FFmpegError, FFmpegTimeout, ValidationFailed, ProbeError) as exc:
            raise _composition_failure(stage["name"], exc) from exc
        reporter.check_cancel()
        reporter.update("save", 0.96)
        token = job.code.hex[:12]
        try:
            master = storage_save(
                name=video_file_name(video, "master", "mp4", token),
                path=out.master_path,
            )
            saved.append(master)
            poster = storage_save(
                name=video_file_name(video, "poster", "jpg", token),
                path=out.poster_path,
            )
            saved.append(poster)
            vtt_path, srt_path = tmp / "captions.vtt", tmp / "captions.srt"
            vtt_path.write_text(out.vtt_text, encoding="utf-8")
            srt_path.write_text(out.srt_text, encoding="utf-8")
            vtt = storage_save(name=video_file_name(video, "captions", "vtt", token), path=vtt_path)
            saved.append(vtt)
            srt = storage_save(name=video_file_name(video, "captions", "srt", token), path=srt_path)
            saved.append(srt)
            reporter.check_cancel()
            with transaction.atomic():
                locked = Video.objects.select_for_update().get(pk=video.pk)
                old = [
                    locked.master.name,
                    locked.poster.name,
                    locked.captions_vtt.name,
                    locked.captions_srt.name,
                ]
                info = out.info
                (
                    locked.master,
                    locked.poster,
                    locked.captions_vtt,
                    locked.captions_srt,
                ) = master, poster, vtt, srt
                locked.duration_ms = info.duration_ms
                locked.width = info.video.width
                locked.height = info.video.height
                locked.video_codec = (
                    f"{info.video.codec} ({info.video.profile})" if info.video.profile else info.video.codec
                )
                locked.audio_codec = info.audio.codec if info.audio else ""
                locked.size_bytes = info.size_bytes
                locked.status = Video.Status.READY
                locked.save()
                # Exports made from the previous master are stale now.
                stale = list(locked.exports.exclude(source_master=master).exclude(job__status__in=Job.ACTIVE))
                old += [e.file.name for e in stale]
                Export.objects.filter(pk__in=[e.pk for e in stale]).delete()
        except Exception:  # JobCanceled included: nothing half-saved stays in storage
            storage_delete_quietly(*saved)
            raise
    transaction.on_commit(lambda: storage_delete_quietly(*old))
    return Decimal("0")


# --- exports --------------------------------------------------------------------------


def export_request(*, video: Video, format: str, quality: str) -> Export:
    """Ask for the master in another format/size. Cached: asking again for one that is
    made (from the current master) or being made returns it without encoding again."""
    errors = {}
    if format not in Export.Format.values:
        errors["format"] = f"Unknown format {format!r}; choose one of {', '.join(Export.Format.values)}."
    if quality not in Video.Quality.values:
        errors["quality"] = f"Unknown quality {quality!r}; choose one of {', '.join(Video.Quality.values)}."
    if errors:
        raise ValidationError(errors)
    if video.status != Video.Status.READY or not video.master:
        raise Conflict("Render the video before exporting it.")
    if QUALITY_RANK[quality] > QUALITY_RANK[video.quality]:
        raise ValidationError({"quality": f"The video was rendered at {video.quality}; exports cannot be larger."})
    with transaction.atomic():
        Video.objects.select_for_update().get(pk=video.pk)
        export, _ = Export.objects.get_or_create(video=video, format=format, quality=quality)
        if export.file and export.source_master == video.master.name:
            return export
        if export.job_id and export.job.status in Job.ACTIVE:
            return export
        from videos.quotas import quota_check

        quota_check(user=video.owner, jobs=1, storage_bytes=0)
        export.source_master = video.master.name
        export.job = job_create(video=video, kind=Job.Kind.EXPORT)
        export.save(update_fields=["source_master", "job"])
    return export


def export_run(*, job: Job, reporter: JobReporter) -> Decimal:
    from mediakit.errors import (
        FFmpegCanceled,
        FFmpegError,
        FFmpegTimeout,
        ProbeError,
        ValidationFailed,
    )
    from mediakit.render import render_export
    from mediakit.spec import frame_size

    export = Export.objects.select_related("video").filter(job=job).first()
    if export is None:
        raise JobFailure("prepare", "This export was deleted before it could be made.")
    video = export.video
    if not video.master or export.source_master != video.master.name:
        raise JobFailure(
            "prepare",
            "The video was rendered again since this export was asked for; ask again.",
        )
    width, height = frame_size(video.aspect, export.quality)
    with job_tempdir(job=job) as tmp:
        reporter.update("prepare", 0.0)
        try:
            master = storage_fetch(name=video.master.name, dest=tmp / "master.mp4")
        except OSError as exc:
            raise JobFailure("prepare", f"The master could not be read from storage ({exc}).") from exc
        try:
            path, info = render_export(
                master,
                fmt=export.format,
                width=width,
                height=height,
                workdir=tmp / "out",
                on_progress=lambda name, f: reporter.update(name, 0.05 + 0.9 * f),
                should_cancel=reporter.should_cancel,
                timeout_s=_ffmpeg_timeout_s(),
            )
        except FFmpegCanceled as exc:
            raise JobCanceled() from exc
        except (FFmpegError, FFmpegTimeout, ValidationFailed, ProbeError) as exc:
            raise _composition_failure("encode", exc) from exc
        reporter.check_cancel()
        reporter.update("save", 0.97)
        name = storage_save(
            name=video_file_name(video, f"export-{export.quality}", export.format, job.code.hex[:12]),
            path=path,
        )
        try:
            with transaction.atomic():
                old = export.file.name
                updated = Export.objects.filter(pk=export.pk, source_master=video.master.name).update(
                    file=name,
                    width=info.video.width,
                    height=info.video.height,
                    size_bytes=info.size_bytes,
                    duration_ms=info.duration_ms,
                )
                if not updated:
                    raise JobFailure(
                        "save",
                        "The video was rendered again while this export ran; ask again.",
                    )
        except Exception:
            storage_delete_quietly(name)
            raise
    if old and old != name:
        storage_delete_quietly(old)
    return Decimal("0")


# --- job outcomes reflected on the video ------------------------------------------------


def video_job_finished(*, job: Job) -> None:
    """Keep Video.status in step with how its last storyboard/render job ended."""
    video = job.video
    if job.kind == Job.Kind.STORYBOARD:
        if job.status == Job.Status.SUCCEEDED:
            new = Video.Status.STORYBOARD
        elif job.status in (Job.Status.FAILED, Job.Status.CANCELED):
            new = Video.Status.FAILED
        else:
            return
        Video.objects.filter(pk=video.pk, status=Video.Status.STORYBOARDING).update(status=new)
    elif job.kind == Job.Kind.RENDER and job.status in (
        Job.Status.FAILED,
        Job.Status.CANCELED,
    ):
        if job.status == Job.Status.FAILED:
            new = Video.Status.FAILED
        else:
            new = Video.Status.READY if video.master else Video.Status.STORYBOARD
        Video.objects.filter(pk=video.pk, status=Video.Status.RENDERING).update(status=new)


def video_job_retried(*, job: Job) -> None:
    """Called inside job_retry's transaction: raising here refuses the retry."""
    if (
        job.kind == Job.Kind.RENDER
        and not Video.objects.filter(pk=job.video_id, approval=Video.Approval.APPROVED).exists()
    ):
        raise PermissionDenied("The storyboard is no longer approved; approve it before rendering again.")
    status = {
        Job.Kind.STORYBOARD: Video.Status.STORYBOARDING,
        Job.Kind.RENDER: Video.Status.RENDERING,
    }.get(job.kind)
    if status:
        Video.objects.filter(pk=job.video_id).update(status=status)


# --- deletion -------------------------------------------------------------------------


def video_delete(*, video: Video) -> None:
    """Delete a video, its scenes, exports and jobs, and their files in storage."""
    for job in video.jobs.filter(status__in=Job.ACTIVE):
        try:
            job_cancel(job=job)
        except Exception:  # noqa: BLE001 - it finished meanwhile
            pass
    names = [
        video.master.name,
        video.poster.name,
        video.captions_vtt.name,
        video.captions_srt.name,
    ]
    names += [e.file.name for e in video.exports.all()]
    assets = []
    for scene in video.scenes.select_related("picture", "narration_audio"):
        assets += [scene.picture, scene.narration_audio]
    with transaction.atomic():
        video.delete()
    storage_delete_quietly(*names)
    _delete_generated(assets)


# --- pictures from the creator, projects ------------------------------------------------


def scene_replace_picture(*, scene: Scene, asset: MediaAsset) -> Scene:
    """Use one of the owner's images as a scene's picture. Withdraws the approval; the
    generated picture it replaces is deleted."""
    from videos.storyboard_media import scene_warning_merge

    video = scene.video
    _editable(video)
    mine = asset.owner_id == video.owner_id or asset.source == MediaAsset.Source.STOCK
    if not mine or asset.kind != MediaAsset.Kind.IMAGE:
        raise ValidationError({"picture": "That picture is not one of your images."})
    old = scene.picture
    with transaction.atomic():
        scene.picture = asset
        # A warning about a generated picture no longer applies.
        scene.warning = scene_warning_merge(scene.warning, "Picture", "")
        scene.save(update_fields=["picture", "warning"])
        _withdraw_approval(video)
    if old is not None and old.pk != asset.pk:
        _delete_generated([old])
    return scene


def scene_upload_picture(*, scene: Scene, upload) -> Scene:
    """Validate an uploaded picture and make it the scene's picture. Nothing is stored
    when the upload is refused or the storyboard cannot be edited right now."""
    from assets.services import asset_ingest_image

    _editable(scene.video)
    asset = asset_ingest_image(owner=scene.video.owner, upload=upload)
    try:
        return scene_replace_picture(scene=scene, asset=asset)
    except Exception:
        asset_delete_if_unused(asset=asset)
        raise


def project_get_or_create(*, owner, name: str) -> Project:
    """The owner's project with this name, made if it does not exist yet."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"project": "Give the project a name."})
    if len(name) > 120:
        raise ValidationError({"project": "A project name is at most 120 characters."})
    project = Project.objects.filter(owner=owner, name__iexact=name).first()
    if project is None:
        project = Project.objects.create(owner=owner, name=name)
    return project


def _project_name_errors(*, owner, name: str, exclude_pk: int | None = None) -> tuple[str, str | None]:
    name = " ".join((name or "").split())
    if not name:
        return name, "Give the project a name."
    if len(name) > 120:
        return name, "A project name is at most 120 characters."
    clash = Project.objects.filter(owner=owner, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        return name, f"You already have a project called {name!r}."
    return name, None


def project_create(*, owner, name: str) -> Project:
    """A new project; the name must be new among the owner's projects."""
    name, error = _project_name_errors(owner=owner, name=name)
    if error:
        raise ValidationError({"name": error})
    return Project.objects.create(owner=owner, name=name)


def project_rename(*, project: Project, name: str) -> Project:
    name, error = _project_name_errors(owner=project.owner, name=name, exclude_pk=project.pk)
    if error:
        raise ValidationError({"name": error})
    project.name = name
    project.save(update_fields=["name"])
    return project


def project_delete(*, project: Project) -> None:
    """Delete a project; its videos stay, outside any project."""
    project.delete()


def scenes_reorder(*, video: Video, order: list) -> list[Scene]:
    """Put the video's scenes in the given order (a list of every scene's code, once)."""
    _editable(video)
    scenes = {scene.code: scene for scene in video.scenes.all()}
    codes = list(order)
    if len(codes) != len(scenes) or set(codes) != set(scenes):
        raise ValidationError({"scenes": "List every scene of this video exactly once, in the new order."})
    with transaction.atomic():
        changed = [scenes[code] for i, code in enumerate(codes) if scenes[code].position != i]
        for i, code in enumerate(codes):
            scenes[code].position = i
        if changed:
            Scene.objects.bulk_update(changed, ["position"])
            _withdraw_approval(video)
    return [scenes[code] for code in codes]
