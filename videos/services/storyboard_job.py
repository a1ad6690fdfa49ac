"""The storyboard job: make the narration and the picture of every scene that lacks one."""

from __future__ import annotations

import logging
from decimal import Decimal

from assets.generators import narration_provider_for, provider_close
from assets.generators.base import GenerationError
from assets.generators.catalog import get_narration_provider
from assets.models import MediaAsset
from assets.services import asset_delete_if_unused, job_asset_create
from jobs.models import Job
from jobs.services import (
    JobFailure,
    JobReporter,
    job_tempdir,
)
from mediakit.spec import frame_size, scene_duration_for
from videos.models import Scene, Video
from videos.selectors import scenes_missing_media, video_transition_ms
from videos.services.pictures import scene_warning_merge, storyboard_make_pictures

logger = logging.getLogger(__name__)


def storyboard_run(*, job: Job, reporter: JobReporter) -> Decimal:
    """Make the narration and the picture of every scene that lacks one. Idempotent:
    a second run only fills what is still missing. Pictures come from the video's
    visuals (videos.storyboard_media); a Replicate voice that fails falls back to
    the built-in voice with a warning on the scene."""

    video = job.video
    narrator = narration_provider_for(video, job_id=job.pk)
    offline_narrator = get_narration_provider()
    width, height = frame_size(video.aspect, video.quality)
    transition_ms = video_transition_ms(video)
    cost = Decimal("0")
    try:
        with job_tempdir(job=job) as tmp:
            # Loop until nothing is missing: a scene edited while we work is picked up too.
            for _round in range(3):
                pending = scenes_missing_media(video)
                if not pending:
                    break
                voiceless = [scene for scene in pending if scene.narration_audio_id is None]
                for start in range(0, len(voiceless), NARRATION_BATCH):
                    reporter.check_cancel()
                    reporter.update("narration", 0.5 * start / len(voiceless))
                    batch = voiceless[start : start + NARRATION_BATCH]
                    for scene, (audio, maker, warning) in zip(
                        batch, _narrate(batch, video, narrator, offline_narrator, tmp), strict=True
                    ):
                        cost += audio.cost_usd
                        _attach_narration(video, scene, audio, maker, warning, transition_ms, job=job)
                reporter.check_cancel()
                pictureless = [scene for scene in pending if scene.picture_id is None]
                reporter.update("pictures", 0.5)
                cost += storyboard_make_pictures(
                    job=job, video=video, scenes=pictureless, reporter=reporter, tmp=tmp, width=width, height=height
                )
            if scenes_missing_media(video):
                raise JobFailure(
                    "storyboard",
                    "Scenes kept changing while their media was made; run it again.",
                )
    finally:
        provider_close(narrator)
    return cost


# Scenes narrated by one synthesis run: the neural voice loads its model once per run, and
# the job looks at cancellation between runs.
NARRATION_BATCH = 6


def _narrate(scenes: list[Scene], video: Video, narrator, fallback, tmp) -> list[tuple]:
    """(audio, the provider that made it, a warning) for each scene, in order. A provider
    that fails (e.g. an online voice) leaves the scene to the built-in voice, with a warning."""
    texts = [scene.narration for scene in scenes]
    many = getattr(narrator, "synthesize_many", None)
    if many is not None:
        try:
            audios = many(texts=texts, voice=video.voice, rate_wpm=video.speech_rate, out_dir=tmp)
            return [(audio, narrator, "") for audio in audios]
        except GenerationError:
            pass  # fall through: scene by scene, so the message names the scene
    results = []
    for scene in scenes:
        number = scene.position + 1
        try:
            audio = narrator.synthesize(
                text=scene.narration, voice=video.voice, rate_wpm=video.speech_rate, out_dir=tmp
            )
            results.append((audio, narrator, ""))
            continue
        except GenerationError as exc:
            if narrator.name == fallback.name:
                raise JobFailure("narration", f"Scene {number}: could not synthesise speech: {exc}") from exc
            warning = f"{exc} The built-in voice reads this scene instead."
        try:
            audio = fallback.synthesize(
                text=scene.narration, voice=video.voice, rate_wpm=video.speech_rate, out_dir=tmp
            )
        except GenerationError as exc2:
            raise JobFailure("narration", f"Scene {number}: could not synthesise speech: {exc2}") from exc2
        results.append((audio, fallback, warning))
    return results


def _stored_phrases(audio) -> list[list]:
    """[text, start_ms, end_ms, [[word, start_ms], ...]] per phrase: the words' times, where
    the voice gave them, stored with their phrase (Scene.narration_phrases)."""
    words = getattr(audio, "words", ())
    return [
        [*phrase, [list(word) for word in words[index]]] if index < len(words) else list(phrase)
        for index, phrase in enumerate(getattr(audio, "phrases", ()))
    ]


def _attach_narration(video: Video, scene: Scene, audio, maker, warning: str, transition_ms: int, *, job: Job) -> None:
    asset = job_asset_create(
        job=job,
        owner=video.owner,
        kind=MediaAsset.Kind.AUDIO,
        source=MediaAsset.Source.GENERATED,
        path=audio.path,
        mime=audio.mime,
        duration_ms=audio.duration_ms,
        generator=maker.name,
    )
    # Phrases no voice could speak are shown but silent: the creator is told on the scene.
    warnings = " ".join([warning, *getattr(audio, "warnings", ())]).strip()
    changes = {
        "narration_audio": asset,
        "narration_ms": audio.duration_ms,
        "narration_phrases": _stored_phrases(audio),
        "duration_ms": scene_duration_for(audio.duration_ms, transition_ms=transition_ms),
        "warning": scene_warning_merge(scene.warning, "Narration", warnings),
    }
    # Conditional on the text we spoke: an edit made meanwhile wins.
    if not Scene.objects.filter(pk=scene.pk, narration=scene.narration, narration_audio__isnull=True).update(**changes):
        asset_delete_if_unused(asset=asset)
    # The file stays until the job's temp dir goes: scenes with the same words share it.
