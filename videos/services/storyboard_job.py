"""The storyboard job: make the narration and the picture of every scene that lacks one."""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from decimal import Decimal

from django.db import connection

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
from videos.services.pictures import CANCEL_CHECK_S, scene_warning_merge, storyboard_make_pictures

logger = logging.getLogger(__name__)


def storyboard_run(*, job: Job, reporter: JobReporter) -> Decimal:
    """Make the narration and the picture of every scene that lacks one. Idempotent:
    a second run only fills what is still missing. Pictures come from the video's
    visuals (videos.storyboard_media); a Replicate voice that fails falls back to
    the built-in voice with a warning on the scene. With the built-in voice the narration
    is made while the pictures are drawn (_NarrationAlongside)."""

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
                pictureless = [scene for scene in pending if scene.picture_id is None]
                if voiceless and pictureless and _speaks_while_drawing(video, narrator, offline_narrator):
                    alongside = _NarrationAlongside(
                        job=job,
                        video=video,
                        scenes=voiceless,
                        narrator=narrator,
                        fallback=offline_narrator,
                        reporter=reporter,
                        tmp=tmp,
                        transition_ms=transition_ms,
                        pictures=len(pictureless),
                    )
                    try:
                        cost += storyboard_make_pictures(
                            job=job,
                            video=video,
                            scenes=pictureless,
                            reporter=alongside,
                            tmp=tmp,
                            width=width,
                            height=height,
                        )
                        cost += alongside.finish()
                    finally:
                        # Nothing of the narration is written once the temp dir goes.
                        alongside.close()
                    continue
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


# Scenes narrated by one synthesis run: the job looks at cancellation (and, alongside the
# pictures, stores what is done) between runs.
NARRATION_BATCH = 6

# The job's stage while the narration is made alongside the pictures.
STAGE_NARRATION_AND_PICTURES = "narration and pictures"


def _speaks_while_drawing(video: Video, narrator, fallback) -> bool:
    """Whether the narration can be made while the pictures are drawn: with the built-in
    voice (a program of its own: the thread that asks it only waits), unless the pictures
    need the narration first (online stock picks clips by the scenes' spoken lengths). An
    online voice stays in the job's thread with its database rows."""
    return narrator.name == fallback.name and video.visuals != Video.Visuals.STOCK_ONLINE


def _narrate_in_thread(scenes: list[Scene], video: Video, narrator, fallback, tmp) -> list[tuple]:
    try:
        return _narrate(scenes, video, narrator, fallback, tmp)
    finally:
        connection.close()  # a provider that looked at the database did so on this thread's own


class _NarrationAlongside:
    """The scenes' narration, made in a thread of its own while the job's thread draws the
    pictures; and the JobReporter those pictures report to. Each progress report or cancel
    check of the pictures also stores the narration done meanwhile, so every database write
    stays in the job's thread; a narration that failed fails the job at the next one (the
    pictures stop there: what was stored stays, a second run makes only what is missing)."""

    def __init__(
        self,
        *,
        job: Job,
        video: Video,
        scenes: list[Scene],
        narrator,
        fallback,
        reporter: JobReporter,
        tmp,
        transition_ms: int,
        pictures: int,
    ) -> None:
        self.job, self.video, self.reporter, self.transition_ms = job, video, reporter, transition_ms
        self.batches = [scenes[start : start + NARRATION_BATCH] for start in range(0, len(scenes), NARRATION_BATCH)]
        self.total = len(scenes) + pictures
        self.pictures = pictures
        self.pictures_done = 0.0
        self.spoken = 0
        self.stored = 0
        self.cost = Decimal("0")
        # One thread, ended with the job: the voice program it asks outlives it
        # (mediakit.deathsig.popen_for_process), so the next job finds the model loaded.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"job-{job.pk}-narration")
        self.futures: list[Future] = [
            self.pool.submit(_narrate_in_thread, batch, video, narrator, fallback, tmp) for batch in self.batches
        ]
        self._report()

    def _report(self) -> None:
        done = self.spoken + self.pictures_done * self.pictures
        self.reporter.update(STAGE_NARRATION_AND_PICTURES, min(done / max(1, self.total), 0.99))

    def _store_done(self) -> None:
        """Store the narration of the batches finished so far, in order (the job's thread)."""
        while self.stored < len(self.futures) and self.futures[self.stored].done():
            batch = self.batches[self.stored]
            results = self.futures[self.stored].result()  # the narration's failure is raised here
            self.stored += 1
            for scene, (audio, maker, warning) in zip(batch, results, strict=True):
                self.cost += audio.cost_usd
                _attach_narration(self.video, scene, audio, maker, warning, self.transition_ms, job=self.job)
            self.spoken += len(batch)

    # --- what the pictures call (storyboard_make_pictures takes a JobReporter) ---

    def update(self, stage: str, fraction: float) -> None:
        self._store_done()
        # The pictures count from 0.5 (their half after the narration's, when one follows the other).
        self.pictures_done = max(self.pictures_done, min(1.0, max(0.0, (fraction - 0.5) / 0.5)))
        self._report()

    def should_cancel(self) -> bool:
        failed = any(f.done() and not f.cancelled() and f.exception() is not None for f in self.futures)
        return failed or self.reporter.should_cancel()

    def check_cancel(self) -> None:
        self._store_done()
        self.reporter.check_cancel()

    # --- after the pictures ---

    def finish(self) -> Decimal:
        """Wait for the rest of the narration (looking at cancellation), store it; its cost."""
        self.pictures_done = 1.0
        while self.stored < len(self.futures):
            wait(self.futures[self.stored :], timeout=CANCEL_CHECK_S, return_when=FIRST_COMPLETED)
            self.check_cancel()
            self._report()  # the heartbeat, while the voice speaks
        return self.cost

    def close(self) -> None:
        """Drop the batches not started and wait for the one speaking: after this nothing
        writes to the job's temp dir."""
        self.pool.shutdown(wait=True, cancel_futures=True)


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
        # The warning as it is now: the picture's line may have been stored since the scene was read.
        "warning": scene_warning_merge(
            Scene.objects.filter(pk=scene.pk).values_list("warning", flat=True).first() or "", "Narration", warnings
        ),
    }
    # Conditional on the text we spoke: an edit made meanwhile wins.
    if not Scene.objects.filter(pk=scene.pk, narration=scene.narration, narration_audio__isnull=True).update(**changes):
        asset_delete_if_unused(asset=asset)
    # The file stays until the job's temp dir goes: scenes with the same words share it.
