"""Stand-alone pictures and narrations: asked for on their own, made by a job, kept as
media assets (a picture; a narration's WAV and M4A with its phrase timings).

The same rules as a video's jobs: the owner's quotas are checked in the transaction that
queues the job (concurrent jobs, storage not full), the job is an ordinary Job (listed,
canceled, retried, announced by webhook like any other), and its input and output live on
the Generation row. The kinds are registered with jobs by AssetsConfig.ready.
"""

from __future__ import annotations

import logging
import zlib
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from assets.generators import provider_close, replicate_available
from assets.generators.base import GenerationError, PictureProvider
from assets.generators.catalog import get_picture_provider
from assets.generators.replicate_provider import ReplicatePictureProvider, replicate_price
from assets.models import Generation, GenerationJobKind, MediaAsset
from assets.narration_timing import timed_narration_synthesizer
from assets.services import job_asset_create
from jobs.models import Job
from jobs.services import JobCanceled, JobFailure, JobReporter, job_enqueue, job_tempdir
from mediakit.errors import FFmpegCanceled, FFmpegError, FFmpegTimeout, ProbeError
from mediakit.probe import probe
from mediakit.runner import run_ffmpeg
from mediakit.spec import frame_size
from mediakit.speech import DEFAULT_VOICE, RATE_DEFAULT, speech_rate_error, voice_error
from quotas.services import quota_check

logger = logging.getLogger(__name__)

# The aspects (and their names) of a video: the same choices in the API schema.
PICTURE_ASPECTS = {"16:9": "16:9 landscape", "9:16": "9:16 portrait", "1:1": "1:1 square"}
PROMPT_MAX_CHARS = 2000
# Stand-alone pictures are drawn at the largest frame a video uses.
PICTURE_QUALITY = "1080p"
M4A_BITRATE = "128k"


def _seed(prompt: str) -> int:
    return zlib.crc32(prompt.encode("utf-8")) & 0x7FFFFFFF


def _queue(*, owner, kind: str, estimated_cost: Decimal, **fields) -> Generation:
    """Create the job and its Generation under the owner's quota lock, queued on commit."""
    with transaction.atomic():
        # Locks the owner's quota row until commit: the same rule as every other job.
        quota_check(user=owner, jobs=1, storage_bytes=0)
        job = Job.objects.create(owner=owner, video=None, kind=kind, estimated_cost=estimated_cost)
        generation = Generation.objects.create(owner=owner, kind=kind, job=job, **fields)
        job_enqueue(job=job)
    return generation


# --- pictures -------------------------------------------------------------------------------


def picture_request(*, owner, prompt: str, aspect: str = "16:9", provider: str = Generation.Provider.GENERATED):
    """Queue a picture job: `generated` (an offline card, free) or `replicate` (an AI
    picture, only on a site with a Replicate token)."""
    errors: dict[str, str] = {}
    prompt = " ".join((prompt or "").split())
    if not prompt:
        errors["prompt"] = "Describe the picture."
    elif len(prompt) > PROMPT_MAX_CHARS:
        errors["prompt"] = f"The prompt is longer than {PROMPT_MAX_CHARS} characters."
    if aspect not in PICTURE_ASPECTS:
        errors["aspect"] = f"Unknown aspect {aspect!r}; choose one of {', '.join(PICTURE_ASPECTS)}."
    if provider not in Generation.Provider.values:
        errors["provider"] = f"Unknown provider {provider!r}; choose one of {', '.join(Generation.Provider.values)}."
    elif provider == Generation.Provider.REPLICATE and not replicate_available():
        errors["provider"] = "AI pictures are not available on this site; choose generated."
    if errors:
        raise ValidationError(errors)
    cost = replicate_price(settings.REPLICATE_PICTURE_MODEL) if provider == Generation.Provider.REPLICATE else 0
    return _queue(
        owner=owner,
        kind=GenerationJobKind.PICTURE,
        estimated_cost=Decimal(cost),
        prompt=prompt,
        aspect=aspect,
        provider=provider,
    )


def picture_run(*, job: Job, reporter: JobReporter) -> Decimal:
    generation = Generation.objects.select_related("owner").get(job=job)
    width, height = frame_size(generation.aspect, PICTURE_QUALITY)
    if generation.provider == Generation.Provider.REPLICATE:
        if not replicate_available():
            raise JobFailure("picture", "AI pictures are no longer available on this site.")
        provider: PictureProvider = ReplicatePictureProvider(aspect_ratio=generation.aspect, job_id=job.pk)
    else:
        provider = get_picture_provider()
    reporter.update("picture", 0.05)
    try:
        with job_tempdir(job=job) as tmp:
            reporter.check_cancel()
            try:
                picture = provider.generate(
                    prompt=generation.prompt, width=width, height=height, seed=_seed(generation.prompt), out_dir=tmp
                )
            except GenerationError as exc:
                raise JobFailure("picture", str(exc)) from exc
            reporter.check_cancel()
            reporter.update("save", 0.9)
            asset = job_asset_create(
                owner=generation.owner,
                kind=MediaAsset.Kind.IMAGE,
                source=MediaAsset.Source.GENERATED,
                path=picture.path,
                mime=picture.mime,
                width=picture.width,
                height=picture.height,
                generator=provider.name,
                label=generation.prompt[:120],
                check_quota=True,
                job=job,
            )
    finally:
        provider_close(provider)
    Generation.objects.filter(pk=generation.pk).update(picture=asset)
    return picture.cost_usd


# --- narrations -----------------------------------------------------------------------------


def narration_request(*, owner, text: str, voice: str = DEFAULT_VOICE, speech_rate: int = RATE_DEFAULT) -> Generation:
    """Queue a narration job: a WAV and an M4A of the text, with phrase timings."""
    errors: dict[str, str] = {}
    text = (text or "").strip()
    limit = settings.CONTENTIZER_SCRIPT_MAX_CHARS
    if not text:
        errors["text"] = "Write the text to narrate."
    elif len(text) > limit:
        errors["text"] = f"The text is {len(text):,} characters; the limit is {limit:,}."
    if voice_problem := voice_error(voice):
        errors["voice"] = voice_problem
    if rate_problem := speech_rate_error(speech_rate):
        errors["speech_rate"] = rate_problem
    if errors:
        raise ValidationError(errors)
    return _queue(
        owner=owner,
        kind=GenerationJobKind.NARRATION,
        estimated_cost=Decimal(0),
        text=text,
        voice=voice,
        speech_rate=speech_rate,
    )


def _to_m4a(wav: Path, out: Path, *, duration_ms: int, reporter: JobReporter) -> Path:
    argv = ["ffmpeg", "-y", "-i", str(wav), "-vn", "-c:a", "aac", "-b:a", M4A_BITRATE, "-movflags", "+faststart"]
    try:
        run_ffmpeg(
            [*argv, str(out)],
            total_ms=duration_ms,
            on_progress=lambda f: reporter.update("encode", 0.7 + 0.2 * f),
            should_cancel=reporter.should_cancel,
            timeout_s=max(60.0, duration_ms / 1000),
        )
        info = probe(out)
    except FFmpegCanceled as exc:
        raise JobCanceled() from exc
    except (FFmpegError, FFmpegTimeout, ProbeError) as exc:
        raise JobFailure("encode", f"The M4A could not be made: {exc}") from exc
    if info.audio is None or info.audio.codec != "aac":
        raise JobFailure("encode", "The M4A has no AAC sound in it.")
    return out


def narration_run(*, job: Job, reporter: JobReporter) -> Decimal:
    generation = Generation.objects.select_related("owner").get(job=job)
    synthesize = timed_narration_synthesizer()
    reporter.update("narration", 0.05)
    with job_tempdir(job=job) as tmp:
        try:
            narration = synthesize(
                text=generation.text, voice=generation.voice, rate_wpm=generation.speech_rate, out_dir=tmp
            )
        except GenerationError as exc:
            raise JobFailure("narration", f"Could not synthesise speech: {exc}") from exc
        reporter.check_cancel()
        m4a = _to_m4a(narration.path, tmp / "narration.m4a", duration_ms=narration.duration_ms, reporter=reporter)
        reporter.check_cancel()
        reporter.update("save", 0.95)
        label = generation.text[:120]
        stored: list[MediaAsset] = []
        try:
            for path, mime in ((narration.path, "audio/wav"), (m4a, "audio/mp4")):
                stored.append(
                    job_asset_create(
                        owner=generation.owner,
                        kind=MediaAsset.Kind.AUDIO,
                        source=MediaAsset.Source.GENERATED,
                        path=path,
                        mime=mime,
                        duration_ms=narration.duration_ms,
                        generator=narration.generator,
                        label=label,
                        check_quota=True,
                        job=job,
                    )
                )
        except Exception:
            for asset in stored:
                asset.file.delete(save=False)
                asset.delete()
            raise
    Generation.objects.filter(pk=generation.pk).update(
        audio_wav=stored[0],
        audio_m4a=stored[1],
        duration_ms=narration.duration_ms,
        timings=[phrase.as_dict() for phrase in narration.phrases],
    )
    return narration.cost_usd
