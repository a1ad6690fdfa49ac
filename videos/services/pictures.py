"""The storyboard job's pictures: stock matches, generated cards, Replicate pictures.

Called by videos.services.storyboard_run for the scenes still without a picture.

- `visuals="stock"`: each scene takes the stock item whose tags best match its words (a
  picture becomes the scene's picture; a clip its clip, with a card as the picture for
  thumbnails); a scene nothing matches gets a card.
- `visuals="replicate"` (with a token): pictures are made in parallel, a few at a time,
  each in its own thread with its own database connection. A scene whose picture still
  fails after the provider's retries gets an offline card and a warning the creator
  sees, instead of failing the whole storyboard.
- otherwise: offline cards, one after the other.

Results are stored by the calling thread, each with a conditional update: a scene edited
meanwhile keeps the edit and the new file is deleted again.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import connection

from assets.generators import picture_provider_for, provider_close
from assets.generators.base import GeneratedPicture, GenerationError, PictureProvider
from assets.generators.catalog import get_picture_provider
from assets.models import MediaAsset
from assets.services import asset_create_from_path, asset_delete_if_unused, stock_candidates, stock_match
from jobs.models import Job
from jobs.services import JobFailure, JobReporter
from videos.models import Scene, Video

logger = logging.getLogger(__name__)

# How long the job waits for a result before it looks at cancellation again.
CANCEL_CHECK_S = 0.5


@dataclass
class _Outcome:
    scene: Scene
    picture: GeneratedPicture | None
    generator: str
    warning: str


def storyboard_make_pictures(
    *, job: Job, video: Video, scenes: list[Scene], reporter: JobReporter, tmp: Path, width: int, height: int
) -> Decimal:
    """Give each scene a picture; returns what it cost."""
    if not scenes:
        return Decimal("0")
    if video.visuals == Video.Visuals.STOCK:
        scenes = _use_stock(video, scenes)
    stop = threading.Event()
    provider = picture_provider_for(video, job_id=job.pk, stop=stop)
    try:
        return _generate(job, video, scenes, provider, stop, reporter, tmp, width, height)
    finally:
        stop.set()
        provider_close(provider)


def _use_stock(video: Video, scenes: list[Scene]) -> list[Scene]:
    """Attach the best-matching stock item to each scene; returns the scenes that still
    need a generated picture (no match, or a stock clip that needs a card for its thumbnail)."""
    candidates = stock_candidates()
    remaining = []
    for scene in scenes:
        item = stock_match(text=f"{scene.narration} {scene.visual_prompt}", candidates=candidates)
        if item is None:
            remaining.append(scene)
        elif item.kind == MediaAsset.Kind.IMAGE:
            Scene.objects.filter(pk=scene.pk, visual_prompt=scene.visual_prompt, picture__isnull=True).update(
                picture=item, warning=scene_warning_merge(scene.warning, "Picture", "")
            )
        else:
            Scene.objects.filter(pk=scene.pk, clip__isnull=True).update(clip=item, clip_audio=Scene.ClipAudio.DROP)
            remaining.append(scene)
    return remaining


def _generate(
    job: Job,
    video: Video,
    scenes: list[Scene],
    provider: PictureProvider,
    stop: threading.Event,
    reporter: JobReporter,
    tmp: Path,
    width: int,
    height: int,
) -> Decimal:
    total = len(scenes)
    cost = Decimal("0")
    done = 0

    def make(scene: Scene) -> _Outcome:
        out_dir = tmp / f"scene-{scene.pk}"
        out_dir.mkdir(exist_ok=True)
        try:
            picture = provider.generate(
                prompt=scene.visual_prompt, width=width, height=height, seed=scene.seed, out_dir=out_dir
            )
        except GenerationError as exc:
            if provider.name == get_picture_provider().name:
                raise
            return _Outcome(scene, None, provider.name, str(exc))
        return _Outcome(scene, picture, provider.name, "")

    def finish(outcome: _Outcome) -> None:
        nonlocal cost, done
        if outcome.picture is None:
            # The provider gave up on this scene: an offline card keeps the storyboard going.
            outcome = _fallback_card(outcome, tmp, width, height)
        cost += outcome.picture.cost_usd
        _attach(video, outcome)
        done += 1
        reporter.update("pictures", min(0.5 + 0.5 * done / total, 0.99))

    parallel = max(1, int(getattr(provider, "parallelism", 1)))
    if parallel == 1:
        for scene in scenes:
            reporter.check_cancel()
            finish(_offline_or_failure(make, scene))
        return cost

    def in_thread(scene: Scene) -> _Outcome:
        try:
            return make(scene)
        finally:
            # Each thread opened its own connection (prediction rows): give it back.
            connection.close()

    pool = ThreadPoolExecutor(max_workers=min(parallel, total), thread_name_prefix=f"job-{job.pk}-pictures")
    try:
        pending: set[Future] = {pool.submit(in_thread, scene) for scene in scenes}
        while pending:
            if reporter.should_cancel():
                stop.set()
                reporter.check_cancel()
            finished, pending = wait(pending, timeout=CANCEL_CHECK_S, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(future.result())
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
    return cost


def _offline_or_failure(make, scene: Scene) -> _Outcome:
    try:
        return make(scene)
    except GenerationError as exc:
        raise JobFailure("pictures", f"Scene {scene.position + 1}: could not make the picture: {exc}") from exc


def _fallback_card(outcome: _Outcome, tmp: Path, width: int, height: int) -> _Outcome:
    scene = outcome.scene
    offline = get_picture_provider(palette_seed=str(scene.video.code))  # the video's palette
    try:
        picture = offline.generate(
            prompt=scene.visual_prompt, width=width, height=height, seed=scene.seed, out_dir=tmp / f"scene-{scene.pk}"
        )
    except GenerationError as exc:
        raise JobFailure("pictures", f"Scene {scene.position + 1}: could not make the picture: {exc}") from exc
    warning = f"{outcome.warning} An offline illustration is shown instead; “New picture” tries again."
    logger.info("scene %s falls back to a card: %s", scene.pk, outcome.warning)
    return _Outcome(scene, picture, offline.name, warning)


def scene_warning_merge(current: str, topic: str, text: str) -> str:
    """A scene's warning text with the line about `topic` ("Picture", "Narration")
    replaced by `text` (removed when `text` is empty); other lines stay."""
    lines = [line for line in (current or "").splitlines() if line and not line.startswith(f"{topic}: ")]
    if text:
        lines.append(f"{topic}: {text}")
    return "\n".join(lines)


def _attach(video: Video, outcome: _Outcome) -> None:
    scene, picture = outcome.scene, outcome.picture
    current = Scene.objects.filter(pk=scene.pk).values_list("warning", flat=True).first() or ""
    asset = asset_create_from_path(
        owner=video.owner,
        kind=MediaAsset.Kind.IMAGE,
        source=MediaAsset.Source.GENERATED,
        path=picture.path,
        mime=picture.mime,
        width=picture.width,
        height=picture.height,
        generator=outcome.generator,
    )
    if not Scene.objects.filter(
        pk=scene.pk, visual_prompt=scene.visual_prompt, seed=scene.seed, picture__isnull=True
    ).update(picture=asset, warning=scene_warning_merge(current, "Picture", outcome.warning)):
        asset_delete_if_unused(asset=asset)
    picture.path.unlink(missing_ok=True)
