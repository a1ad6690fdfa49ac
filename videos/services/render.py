"""Rendering an approved storyboard and exporting the result (the jobs and what they save)."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assets.models import MediaAsset, PictureLayer
from assets.music import MusicBed, music_bed
from core.errors import Conflict
from core.storage import storage_delete_quietly, storage_fetch
from jobs.models import Job
from jobs.parts import JobPartShare, PartLease, job_parts_create, job_parts_discard
from jobs.services import (
    JobCanceled,
    JobFailure,
    JobReporter,
    job_claim_check,
    job_create,
    job_staged_discard,
    job_staged_promote,
    job_storage_save,
    job_tempdir,
)
from mediakit.caption_images import render_caption_frames, render_phrase_pngs
from mediakit.encoding import X264Setting, setting_for
from mediakit.errors import (
    FFmpegCanceled,
    FFmpegError,
    FFmpegTimeout,
    ProbeError,
    ValidationFailed,
)
from mediakit.phrases import phrases_timed_by_length
from mediakit.relayout import relayout_layers
from mediakit.render import MasterOutput, render_export, render_master, render_segment, render_segments
from mediakit.spec import SceneLayers, SceneSpec, StoryboardSpec, frame_size
from mediakit.timeline import plan
from quotas.services import quota_check, quota_record_render
from videos.credits import scene_content
from videos.models import Export, Video, VideoJobKind, VideoMaster, video_file_name
from videos.options import aspect_slug
from videos.selectors import storyboard_state, video_duration_ms, video_transition_ms
from videos.services.brand_kit import brand_caption_look, brand_kit_apply, brand_kit_for_render

logger = logging.getLogger(__name__)


QUALITY_RANK = {"480p": 0, "720p": 1, "1080p": 2}


def render_request(*, video: Video, user) -> Job:
    """Queue a render of an approved storyboard (403 otherwise): one job for the video's own
    aspect (returned) and one for each of its other masters (VideoMaster), each charged to
    the render quota on its own. Asking twice while the video's render is queued or running
    returns the same job and queues nothing more."""
    with transaction.atomic():
        locked = Video.objects.select_for_update().get(pk=video.pk)
        if not locked.is_approved:
            raise PermissionDenied("The storyboard must be approved before it can be rendered.")
        active = locked.jobs.filter(kind=VideoJobKind.RENDER, status__in=Job.ACTIVE).first()
        if active is not None:
            return active
        if not storyboard_state(locked).complete:
            raise Conflict("The storyboard is still being made; render once every scene has its media.")
        render_ms = video_duration_ms(locked)
        # A master whose render is still going (retried on its own) keeps it.
        others = [
            master
            for master in locked.other_masters.select_related("job")
            if master.job is None or master.job.status not in Job.ACTIVE
        ]
        count = 1 + len(others)
        quota_check(user=locked.owner, render_ms=render_ms * count, jobs=count, storage_bytes=0)
        Video.objects.filter(pk=locked.pk).update(status=Video.Status.RENDERING, updated_at=timezone.now())
        job = job_create(owner=locked.owner, video=locked, kind=VideoJobKind.RENDER)
        quota_record_render(user=locked.owner, video=locked, job=job, render_ms=render_ms)
        for master in others:
            master.job = job_create(owner=locked.owner, video=locked, kind=VideoJobKind.RENDER_ASPECT)
            master.save(update_fields=["job"])
            quota_record_render(user=locked.owner, video=locked, job=master.job, render_ms=render_ms)
    video.refresh_from_db()
    return job


def _fetch_scene_file(asset: MediaAsset | PictureLayer, stem: Path, number: int, what: str) -> Path:
    """Copy one of a scene's files into the temp dir (keeping its stored suffix); a failure
    says which scene and which file in words, never the server path the OSError carries."""
    name = asset.file.name
    try:
        return storage_fetch(name=name, dest=stem.with_name(stem.name + Path(name).suffix))
    except FileNotFoundError as exc:
        raise JobFailure(
            "prepare",
            f"Scene {number}'s {what} file is missing from storage; replace the scene's {what} "
            "or rebuild the storyboard.",
        ) from exc
    except OSError as exc:
        # job_fail turns a full disk into its own message; anything else names only the error.
        raise JobFailure(
            "prepare", f"Scene {number}'s {what} could not be read from storage ({exc.strerror or exc})."
        ) from exc


def _fetch_layers(picture: MediaAsset, stem: Path, number: int) -> SceneLayers | None:
    """The picture's own layers (assets.models.PictureLayer), fetched beside it; None for a
    picture drawn flat. Layers belong to the picture asset, so they are always its own."""
    stored = list(picture.layers.all())  # prefetched: ordered here, not by the query
    layers = {layer.role: layer for layer in stored if layer.role != PictureLayer.Role.STEP}
    background, hero = layers.get(PictureLayer.Role.BACKGROUND), layers.get(PictureLayer.Role.HERO)
    if background is None or hero is None:
        return None
    # The hero's steps on its way in (a data card counting up), fetched and read as the hero
    # is: a missing one fails the render in the same words, a corrupt one in FFmpeg's.
    steps = sorted((layer for layer in stored if layer.role == PictureLayer.Role.STEP), key=lambda layer: layer.order)
    return SceneLayers(
        background=str(_fetch_scene_file(background, stem.with_name(stem.name + "-background"), number, "picture")),
        hero=str(_fetch_scene_file(hero, stem.with_name(stem.name + "-hero"), number, "picture")),
        hero_x=hero.x,
        hero_y=hero.y,
        hero_width=hero.width,
        hero_height=hero.height,
        picture_width=background.width,
        picture_height=background.height,
        hero_steps=tuple(
            str(_fetch_scene_file(step, stem.with_name(f"{stem.name}-step-{step.order:02d}"), number, "picture"))
            for step in steps
        ),
    )


def _render_inputs(video: Video, tmp: Path, aspect: str | None = None):
    """Fetch the scene media from storage into the job's temp dir and describe the
    storyboard for the composer, in `aspect`'s frame: for another aspect than the video's
    own, each picture drawn in layers is laid out again for that frame (a flat picture or a
    clip covers it), and the captions are drawn inside that frame's safe area."""

    aspect = aspect or video.aspect
    width, height = frame_size(aspect, video.quality)
    relaid = aspect != video.aspect
    scenes = list(
        video.scenes.select_related("picture", "narration_audio", "clip")
        .prefetch_related("picture__layers")
        .order_by("position")
    )
    if not scenes:
        raise JobFailure("prepare", "The storyboard has no scenes.")
    look = brand_caption_look(video, brand_kit_for_render(video))
    specs = []
    for scene in scenes:
        number = scene.position + 1
        if scene.picture is None or scene.narration_audio is None:
            raise JobFailure(
                "prepare",
                f"Scene {number} has no picture or narration yet; rebuild the storyboard.",
            )
        picture = _fetch_scene_file(scene.picture, tmp / f"scene-{number:03d}-picture", number, "picture")
        # The stored suffix: an uploaded recording may be MP3 or M4A, not WAV.
        narration = _fetch_scene_file(scene.narration_audio, tmp / f"scene-{number:03d}-voice", number, "narration")
        clip = None
        if scene.clip is not None:
            clip = _fetch_scene_file(scene.clip, tmp / f"scene-{number:03d}-clip", number, "clip")
        layers = None if clip else _fetch_layers(scene.picture, tmp / f"scene-{number:03d}-layer", number)
        if relaid and layers is not None:
            recomposed, layers = relayout_layers(
                layers, width=width, height=height, out_dir=tmp, prefix=f"scene-{number:03d}-{width}x{height}"
            )
            picture = Path(recomposed)
        # Each caption phrase is one cue, burned in and in the VTT alike: timed by the
        # speech where it was synthesised, by its share of a recording's length otherwise.
        # Stored phrases carry their words' times (from the voice) as a fourth item.
        stored = scene.narration_phrases
        phrases = tuple((p[0], p[1], p[2]) for p in stored) or phrases_timed_by_length(
            scene.narration, scene.narration_ms
        )
        phrase_words = tuple(tuple((w, at) for w, at in p[3]) if len(p) > 3 else () for p in stored)
        if not any(phrase_words):
            phrase_words = ()
        phrase_pngs: tuple[str, ...] = ()
        caption_frames: tuple[tuple[tuple[str, int], ...], ...] = ()
        if video.captions and phrases and (video.caption_style == Video.CaptionStyle.WORDS or height >= width):
            # A word highlighted as it is said, or a long phrase paged at one caption size
            # (9:16 and 1:1, where 42 characters do not fit a line): several images a phrase,
            # each from its first word's time.
            caption_frames = tuple(
                render_caption_frames(
                    text,
                    phrase_words[index] if phrase_words else (),
                    start_ms=start,
                    end_ms=end,
                    width=width,
                    height=height,
                    style=video.caption_style,
                    out_dir=tmp,
                    prefix=f"scene-{number:03d}-caption-{index:03d}",
                    caption_look=look,
                )
                for index, (text, start, end) in enumerate(phrases)
            )
        elif video.captions and phrases:
            phrase_pngs = render_phrase_pngs(
                [p[0] for p in phrases],
                width=width,
                height=height,
                style=video.caption_style,
                out_dir=tmp,
                prefix=f"scene-{number:03d}-caption",
                caption_look=look,
            )
        specs.append(
            SceneSpec(
                picture=str(picture),
                duration_ms=scene.duration_ms,
                narration=str(narration),
                narration_ms=scene.narration_ms,
                caption_text=scene.narration,
                phrases=phrases,
                phrase_pngs=phrase_pngs,
                phrase_words=phrase_words,
                caption_frames=caption_frames,
                # A clip is looped or cut to the scene; its sound mixed in only if it has one.
                clip=str(clip) if clip else None,
                clip_ms=(scene.clip.duration_ms or 0) if clip else 0,
                clip_audio=scene.clip_audio if clip and scene.clip.has_audio else "drop",
                content=scene_content(scene),
                layers=layers,
            )
        )
    transition_ms = video_transition_ms(video)
    total_ms = video_duration_ms(video, [s.duration_ms for s in specs])
    music = None
    bed = MusicBed(path=Path())
    if video.music == Video.Music.UPLOAD and video.music_asset is not None:
        music = str(
            storage_fetch(
                name=video.music_asset.file.name,
                dest=tmp / f"music{Path(video.music_asset.file.name).suffix}",
            )
        )
    elif video.music not in (Video.Music.NONE, Video.Music.UPLOAD):
        bed = music_bed(choice=video.music, key=str(video.code), duration_ms=total_ms, out_dir=tmp)
        music = str(bed.path)
    return StoryboardSpec(
        scenes=tuple(specs),
        width=width,
        height=height,
        fps=video.fps,
        transition=video.transition,
        transition_ms=transition_ms,
        music=music,
        music_volume_db=video.music_volume_db + bed.gain_db,
        music_loop_ms=bed.loop_ms,
        music_crossfade_ms=bed.crossfade_ms,
        captions=video.captions,
        caption_position=video.caption_position,
        preset=settings.CONTENTIZER_X264_PRESET,
        crf=settings.CONTENTIZER_X264_CRF,
    )


def _composition_failure(stage: str, exc: Exception) -> JobFailure:

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


def _export_encoder(video: Video, width: int, height: int) -> X264Setting:
    """x264's setting for an export, by the master's rule (builder.x264_setting) at the
    export's size: CONTENTIZER_X264_PRESET when set, else the table's for the scenes' content."""
    if settings.CONTENTIZER_X264_PRESET:
        return X264Setting(settings.CONTENTIZER_X264_PRESET, settings.CONTENTIZER_X264_CRF)
    scenes = video.scenes.select_related("picture")
    return setting_for((scene_content(scene) for scene in scenes), width, height)


def _ffmpeg_timeout_s() -> float:
    return max(settings.Q_TIMEOUT - 30, 30)


def _compose(*, job: Job, reporter: JobReporter, video: Video, aspect: str, tmp: Path) -> MasterOutput:
    """Render the storyboard in `aspect`'s frame into tmp/out (progress, cancel, failures in words)."""
    stage = {"name": "prepare"}

    def on_progress(name: str, fraction: float) -> None:
        stage["name"] = name
        reporter.update(name, 0.05 + 0.9 * fraction)

    reporter.update("prepare", 0.0)
    spec = brand_kit_apply(video=video, spec=_render_inputs(video, tmp, aspect), tmp=tmp)
    reporter.check_cancel()
    shared = _segment_share(job=job, spec=spec)
    try:
        out = render_master(
            spec,
            tmp / "out",
            on_progress=on_progress,
            should_cancel=reporter.should_cancel,
            timeout_s=_ffmpeg_timeout_s(),
            shared=shared,
            segment_max_ms=settings.CONTENTIZER_RENDER_SEGMENT_MS,
        )
    except FFmpegCanceled as exc:
        raise JobCanceled() from exc
    except (FFmpegError, FFmpegTimeout, ValidationFailed, ProbeError) as exc:
        raise _composition_failure(stage["name"], exc) from exc
    finally:
        if shared is not None:
            # Joined (or given up): the helpers' segments in storage and the part rows go.
            job_parts_discard(job=job)
    reporter.check_cancel()
    reporter.update("save", 0.96)
    return out


def _segment_share(*, job: Job, spec: StoryboardSpec) -> JobPartShare | None:
    """The render's video segments as parts of its job that free workers help with
    (jobs.parts), when there is more than one and helpers are allowed; None renders alone.
    The render itself claims segments too, so a one-worker cluster still finishes."""
    from django_q.conf import Conf

    helpers = settings.CONTENTIZER_PART_HELPERS
    if Conf.SYNC:  # tasks run inline (tests, Q_SYNC): there is no other worker to share with
        return None
    segments = render_segments(spec, plan(spec), segment_max_ms=settings.CONTENTIZER_RENDER_SEGMENT_MS)
    if helpers < 1 or len(segments) < 2:
        return None
    job_parts_create(job=job, frames=[sum(piece.frames for piece in pieces) for pieces in segments], helpers=helpers)
    return JobPartShare(job=job)


def render_part_run(*, job: Job, part: PartLease, tmp: Path, cache: dict) -> None:
    """A helper's share of a render (jobs.tasks.run_job_parts): encode one video segment of
    the job's storyboard, built from storage into this helper's temp dir as the render
    builds it (once per helper task, kept in `cache`), and save it as the part's output."""
    spec = cache.get("spec")
    if spec is None:
        video = job.video
        aspect = video.aspect
        if job.kind == VideoJobKind.RENDER_ASPECT:
            master = VideoMaster.objects.filter(job=job).first()
            if master is None:
                raise JobCanceled()  # the owner fails the job in its own words
            aspect = master.aspect
        spec = brand_kit_apply(video=video, spec=_render_inputs(video, tmp, aspect), tmp=tmp)
        cache["spec"] = spec
        part.progress(0, force=True)  # a heartbeat after the fetching
    out = tmp / f"part-{part.index:04d}.mp4"
    try:
        try:
            render_segment(
                spec,
                part.index,
                out,
                on_frames=part.progress,
                should_cancel=part.should_cancel,
                timeout_s=_ffmpeg_timeout_s(),
                segment_max_ms=settings.CONTENTIZER_RENDER_SEGMENT_MS,
            )
        except FFmpegCanceled as exc:
            raise JobCanceled() from exc
        except (FFmpegError, FFmpegTimeout, ValidationFailed, ProbeError) as exc:
            raise _composition_failure("video", exc) from exc
        part.finish(out)
    finally:
        out.unlink(missing_ok=True)


def _stage_outputs(*, job: Job, video: Video, out: MasterOutput, tmp: Path, kind: str, saved: list[str]) -> list[str]:
    """Save a render's master, poster and captions to storage as the job's staged files
    (appended to `saved` as they are written); returns their names in that order."""
    token = job.code.hex[:12]
    vtt_path, srt_path = tmp / "captions.vtt", tmp / "captions.srt"
    vtt_path.write_text(out.vtt_text, encoding="utf-8")
    srt_path.write_text(out.srt_text, encoding="utf-8")
    for what, ext, path in (
        (kind, "mp4", out.master_path),
        (kind.replace("master", "poster"), "jpg", out.poster_path),
        (kind.replace("master", "captions"), "vtt", vtt_path),
        (kind.replace("master", "captions"), "srt", srt_path),
    ):
        saved.append(job_storage_save(job=job, name=video_file_name(video, what, ext, token), path=path))
    return list(saved)


def _probed_fields(out: MasterOutput) -> dict:
    """What a master row records of its probed file (Video and VideoMaster alike)."""
    info = out.info
    return {
        "duration_ms": info.duration_ms,
        "width": info.video.width,
        "height": info.video.height,
        "video_codec": f"{info.video.codec} ({info.video.profile})" if info.video.profile else info.video.codec,
        "audio_codec": info.audio.codec if info.audio else "",
        "size_bytes": info.size_bytes,
    }


def render_run(*, job: Job, reporter: JobReporter) -> Decimal:

    video = job.video
    saved: list[str] = []

    with job_tempdir(job=job) as tmp:
        out = _compose(job=job, reporter=reporter, video=video, aspect=video.aspect, tmp=tmp)
        # Each output is recorded as staged before it is written; the transaction below
        # points the video at them only while this worker still holds the job's claim.
        try:
            master, poster, vtt, srt = _stage_outputs(
                job=job, video=video, out=out, tmp=tmp, kind="master", saved=saved
            )
            reporter.check_cancel()
            with transaction.atomic():
                job_claim_check(job=job)
                locked = Video.objects.select_for_update().get(pk=video.pk)
                old = [
                    locked.master.name,
                    locked.poster.name,
                    locked.captions_vtt.name,
                    locked.captions_srt.name,
                ]
                (
                    locked.master,
                    locked.poster,
                    locked.captions_vtt,
                    locked.captions_srt,
                ) = master, poster, vtt, srt
                for name, value in _probed_fields(out).items():
                    setattr(locked, name, value)
                locked.status = Video.Status.READY
                locked.save()
                job_staged_promote(*saved)
                # Exports made from the previous master are kept: they read as `stale` (their
                # source_master is not this master) until asked for again, which re-encodes
                # them and replaces their file (export_run).
        except BaseException:  # JobCanceled/JobClaimLost included: nothing half-saved stays
            job_staged_discard(*saved)
            raise
    transaction.on_commit(lambda: storage_delete_quietly(*old))
    return Decimal("0")


def master_render_run(*, job: Job, reporter: JobReporter) -> Decimal:
    """The render of one of the video's other aspects (VideoMaster): the same storyboard,
    narration and pictures, laid out for that aspect's frame; the master, poster and
    captions go to the VideoMaster row. The video's status follows its own render only."""
    master = VideoMaster.objects.select_related("video").filter(job=job).first()
    if master is None:
        raise JobFailure(
            "prepare", "This aspect was removed from the video, or the video was rendered again since; render again."
        )
    video = master.video
    saved: list[str] = []
    with job_tempdir(job=job) as tmp:
        out = _compose(job=job, reporter=reporter, video=video, aspect=master.aspect, tmp=tmp)
        kind = f"master-{aspect_slug(master.aspect)}"
        try:
            names = _stage_outputs(job=job, video=video, out=out, tmp=tmp, kind=kind, saved=saved)
            reporter.check_cancel()
            with transaction.atomic():
                job_claim_check(job=job)
                locked = VideoMaster.objects.select_for_update().filter(pk=master.pk, job=job).first()
                if locked is None:
                    raise JobFailure("save", "The video was rendered again while this aspect ran; render again.")
                old = [locked.file.name, locked.poster.name, locked.captions_vtt.name, locked.captions_srt.name]
                locked.file, locked.poster, locked.captions_vtt, locked.captions_srt = names
                for name, value in _probed_fields(out).items():
                    setattr(locked, name, value)
                locked.save()
                job_staged_promote(*saved)
        except BaseException:
            job_staged_discard(*saved)
            raise
    transaction.on_commit(lambda: storage_delete_quietly(*old))
    return Decimal("0")


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
        quota_check(user=video.owner, jobs=1, storage_bytes=0)
        # A stale export (made from an earlier master) was kept until now: asked for
        # again, its old file goes, so it can never pass for one of the current master.
        stale_file = export.file.name if export.file else ""
        export.source_master = video.master.name
        export.file = ""
        export.job = job_create(owner=video.owner, video=video, kind=VideoJobKind.EXPORT)
        export.save(update_fields=["source_master", "job", "file"])
        if stale_file:
            transaction.on_commit(lambda: storage_delete_quietly(stale_file))
    return export


def export_run(*, job: Job, reporter: JobReporter) -> Decimal:

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
        except FileNotFoundError as exc:
            raise JobFailure("prepare", "The rendered video is missing from storage; render it again.") from exc
        except OSError as exc:
            raise JobFailure("prepare", f"The master could not be read from storage ({exc.strerror or exc}).") from exc
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
                encoder=_export_encoder(video, width, height),
            )
        except FFmpegCanceled as exc:
            raise JobCanceled() from exc
        except (FFmpegError, FFmpegTimeout, ValidationFailed, ProbeError) as exc:
            raise _composition_failure("encode", exc) from exc
        reporter.check_cancel()
        reporter.update("save", 0.97)
        name = job_storage_save(
            job=job,
            name=video_file_name(video, f"export-{export.quality}", export.format, job.code.hex[:12]),
            path=path,
        )
        try:
            with transaction.atomic():
                job_claim_check(job=job)
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
                job_staged_promote(name)
        except BaseException:
            job_staged_discard(name)
            raise
    if old and old != name:
        storage_delete_quietly(old)
    return Decimal("0")


def exports_expire(*, now=None) -> int:
    """Retention (CONTENTIZER_EXPORT_RETENTION_DAYS; 0 keeps exports for ever): an export
    made longer ago than that loses its file and reads `stale`; asking for the same format
    and quality again encodes it anew. Returns how many expired."""
    days = settings.CONTENTIZER_EXPORT_RETENTION_DAYS
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    made_before = Q(job__finished_at__lt=cutoff) | Q(job__isnull=True, created_at__lt=cutoff)
    expired = 0
    for export in Export.objects.exclude(file="").filter(made_before).exclude(job__status__in=Job.ACTIVE):
        name = export.file.name
        with transaction.atomic():
            # Conditional on the file we saw: an export made again meanwhile keeps its new file.
            if Export.objects.filter(pk=export.pk, file=name).update(file=""):
                transaction.on_commit(lambda name=name: storage_delete_quietly(name))
                expired += 1
    return expired
