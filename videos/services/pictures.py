"""The storyboard job's pictures: stock matches, generated cards, Replicate pictures.

Called by videos.services.storyboard_run for the scenes still without a picture.

- `visuals="stock"`: each scene takes the stock item whose tags best match its words (a
  picture becomes the scene's picture; a clip its clip, with a card as the picture for
  thumbnails); a scene nothing matches gets a card.
- `visuals="replicate"` (with a token): pictures are made in parallel, a few at a time,
  each in its own thread with its own database connection. A scene whose picture still
  fails after the provider's retries gets an offline card and a warning the creator
  sees, instead of failing the whole storyboard.
- `visuals="stock_online"` (with a Pexels or Pixabay key): each scene takes a clip or
  photo found online for its words (videos.services.pictures._use_online_stock), stored
  at once as the owner's asset with its credit; nothing found, a provider error or a full
  storage quota gives the offline picture and a "Stock:" warning, never a failed job.
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
from assets.services import (
    asset_delete_if_unused,
    job_asset_create,
    picture_layers_add,
    stock_candidates,
    stock_match,
)
from assets.stock_online import (
    StockCandidate,
    StockError,
    StockQuery,
    download_verified,
    pick_for_scenes,
    stock_queries_for,
)
from assets.stock_online.configured import stock_providers
from core.errors import QuotaExceeded
from jobs.models import Job
from jobs.services import JobFailure, JobReporter
from videos.credits import credit_from_generated
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
    elif video.visuals == Video.Visuals.STOCK_ONLINE:
        scenes = _use_online_stock(job, video, scenes, reporter=reporter, tmp=tmp, width=width, height=height)
    stop = threading.Event()
    # Every scene's words choose the video's one artwork style, not only the scenes drawn now.
    prompts = list(Scene.objects.filter(video=video).values_list("visual_prompt", flat=True))
    provider = picture_provider_for(video, job_id=job.pk, stop=stop, prompts=prompts)
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
        if scene.clip_id is not None:
            remaining.append(scene)  # its clip stays; it needs only a still
            continue
        item = stock_match(text=f"{scene.narration} {scene.visual_prompt}", candidates=candidates)
        if item is None:
            # Said on the scene: a card with no word of why looks like a bug.
            if not candidates:
                why = "The stock library is empty, so an offline picture is shown; staff can add stock items."
            else:
                why = "No item of the stock library matches this scene's words; an offline picture is shown."
            _warn(scene, "Stock", why)
            remaining.append(scene)
        elif item.kind == MediaAsset.Kind.IMAGE:
            current = _current_warning(scene)
            Scene.objects.filter(pk=scene.pk, visual_prompt=scene.visual_prompt, picture__isnull=True).update(
                picture=item, warning=scene_warning_merge(scene_warning_merge(current, "Picture", ""), "Stock", "")
            )
        else:
            Scene.objects.filter(pk=scene.pk, clip__isnull=True).update(
                clip=item,
                clip_audio=Scene.ClipAudio.DROP,
                warning=scene_warning_merge(_current_warning(scene), "Stock", ""),
            )
            remaining.append(scene)
    return remaining


def _current_warning(scene: Scene) -> str:
    return Scene.objects.filter(pk=scene.pk).values_list("warning", flat=True).first() or ""


def _warn(scene: Scene, topic: str, text: str) -> None:
    """Set (or clear, with "") one topic's line of the scene's warning, as it is now."""
    Scene.objects.filter(pk=scene.pk).update(warning=scene_warning_merge(_current_warning(scene), topic, text))


# --- online stock (Pexels, Pixabay) -------------------------------------------------------------

# A download that fails verification is retried with the scene's next-best item, this often.
ONLINE_STOCK_ATTEMPTS = 2


def online_stock_keys(video: Video, *, besides: set[int] = frozenset()) -> set[tuple[str, str]]:
    """(provider, id) of the online stock items on the video's scenes other than `besides`
    (scene pks), and of the items its creator turned down: none is picked again."""
    keys: set[tuple[str, str]] = set()
    rows = Scene.objects.filter(video=video).values_list(
        "pk", "picture__source", "picture__credit", "clip__source", "clip__credit", "stock_rejected"
    )
    for pk, picture_source, picture_credit, clip_source, clip_credit, rejected in rows:
        for item in rejected or []:
            if isinstance(item, list | tuple) and len(item) == 2:
                keys.add((str(item[0]), str(item[1])))
        if pk in besides:
            continue
        for source, credit in ((picture_source, picture_credit), (clip_source, clip_credit)):
            if source == MediaAsset.Source.ONLINE_STOCK and credit and credit.get("provider"):
                keys.add((credit["provider"], str(credit.get("id", ""))))
    return keys


# Search terms tried per scene, at most: each costs up to four requests (clips, then photos,
# on each provider), and Pexels allows 200 an hour.
STOCK_TERMS_PER_SCENE = 4


def scene_stock_terms(scene: Scene) -> list[str]:
    """What to search stock sites for: the prompt the creator wrote, if they did; else
    the narration's phrases ("lighthouse keeper"), then the prompt's salient words (its
    keyword list keeps nouns a phrase guesser takes for verbs: "the grey *waves* break"),
    then the narration's single words."""
    prompt = stock_queries_for(scene.visual_prompt, limit=STOCK_TERMS_PER_SCENE)
    spoken = stock_queries_for(scene.narration, limit=3)
    if scene.prompt_edited:
        ordered = prompt + spoken
    else:
        ordered = [q for q in spoken if " " in q] + prompt + [q for q in spoken if " " not in q]
    return list(dict.fromkeys(ordered))[:STOCK_TERMS_PER_SCENE]


def _stock_credit(candidate: StockCandidate, label: str) -> dict:
    return {**candidate.credit(), "provider_label": label, "kind": candidate.kind}


def _use_online_stock(
    job: Job, video: Video, scenes: list[Scene], *, reporter: JobReporter, tmp: Path, width: int, height: int
) -> list[Scene]:
    """Give each scene a clip (a card as its still) or a photo found online; returns the
    scenes that still need a generated picture: those with a clip, and those nothing was
    found for (with a "Stock:" warning saying why)."""
    to_pick = [scene for scene in scenes if scene.clip_id is None]
    remaining = [scene for scene in scenes if scene.clip_id is not None]
    if not to_pick:
        return remaining
    # Narration was made earlier in this job: the lengths on the rows are the fresh ones.
    durations = dict(Scene.objects.filter(pk__in=[s.pk for s in to_pick]).values_list("pk", "duration_ms"))
    used = online_stock_keys(video, besides={s.pk for s in to_pick})
    base = StockQuery.for_video(terms="", aspect=video.aspect, quality=video.quality, kind="video")
    providers = stock_providers()
    by_name = {p.name: p for p in providers}
    try:
        for index, scene in enumerate(to_pick):
            reporter.check_cancel()
            reporter.update("pictures", 0.5 + 0.25 * index / len(to_pick))
            terms = scene_stock_terms(scene)
            warning = ""
            stored = None
            for _attempt in range(ONLINE_STOCK_ATTEMPTS):
                try:
                    (pick,) = pick_for_scenes(
                        providers,
                        [(scene.narration, durations.get(scene.pk, 0))],
                        base,
                        exclude=used,
                        queries_for=lambda _text, terms=terms: terms,
                    )
                except StockError as exc:
                    warning = str(exc)
                    break
                if pick.candidate is None:
                    warning = pick.reason
                    break
                candidate = pick.candidate
                used.add(candidate.key)
                for note in pick.notes:
                    logger.info("scene %s stock search: %s", scene.pk, note)
                try:
                    stored = _store_online(
                        job, video, scene, candidate, by_name[candidate.provider], tmp, width, height
                    )
                except StockError as exc:
                    logger.info("scene %s: %s item %s refused: %s", scene.pk, candidate.provider, candidate.id, exc)
                    warning = f"{exc}"
                    continue
                except QuotaExceeded as exc:
                    warning = f"{exc} The stock {candidate.kind} was not kept."
                    break
                break
            if stored is None:
                _warn(scene, "Stock", f"{warning} An offline picture is shown instead.")
                remaining.append(scene)
                continue
            if not _attach_online(scene, stored):
                asset_delete_if_unused(asset=stored)
                continue
            if stored.kind == MediaAsset.Kind.VIDEO:
                remaining.append(scene)  # a clip still needs a picture: the poster and thumbnail
    finally:
        for provider in providers:
            provider.close()
    return remaining


def _store_online(
    job: Job, video: Video, scene: Scene, candidate: StockCandidate, provider, tmp: Path, width: int, height: int
) -> MediaAsset:
    """Download, verify (it must really be a photo or clip covering the frame) and store
    the item as the owner's asset, counted in their storage; the local file is removed."""
    media = download_verified(provider, candidate, tmp / f"stock-{scene.pk}", min_width=width, min_height=height)
    try:
        return job_asset_create(
            job=job,
            owner=video.owner,
            kind=MediaAsset.Kind.IMAGE if candidate.kind == "photo" else MediaAsset.Kind.VIDEO,
            source=MediaAsset.Source.ONLINE_STOCK,
            path=media.path,
            mime=media.mime,
            width=media.width,
            height=media.height,
            duration_ms=media.duration_ms,
            generator=candidate.provider,
            label=f"{provider.label} {candidate.id}: {candidate.terms}"[:120],
            tags=candidate.terms[:500],
            has_audio=media.has_audio,
            check_quota=True,
            credit=_stock_credit(candidate, provider.label),
        )
    finally:
        media.path.unlink(missing_ok=True)


def _attach_online(scene: Scene, asset: MediaAsset) -> bool:
    """A photo becomes the scene's picture, a clip its clip (sound dropped), unless the
    scene was edited meanwhile (then the caller deletes the asset)."""
    warning = scene_warning_merge(_current_warning(scene), "Stock", "")
    rows = Scene.objects.filter(pk=scene.pk, visual_prompt=scene.visual_prompt, clip__isnull=True)
    if asset.kind == MediaAsset.Kind.IMAGE:
        return bool(rows.filter(picture__isnull=True).update(picture=asset, warning=warning))
    return bool(rows.update(clip=asset, clip_audio=Scene.ClipAudio.DROP, warning=warning))


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
        # The artwork the creator pinned (videos.services.artwork), for a provider that can draw it.
        pinned = {"artwork": scene.artwork} if scene.artwork and getattr(provider, "accepts_artwork", False) else {}
        try:
            picture = provider.generate(
                prompt=scene.visual_prompt, width=width, height=height, seed=scene.seed, out_dir=out_dir, **pinned
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
        _attach(job, video, outcome)
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


def _attach(job: Job, video: Video, outcome: _Outcome) -> None:
    scene, picture = outcome.scene, outcome.picture
    current = Scene.objects.filter(pk=scene.pk).values_list("warning", flat=True).first() or ""
    asset = job_asset_create(
        job=job,
        owner=video.owner,
        kind=MediaAsset.Kind.IMAGE,
        source=MediaAsset.Source.GENERATED,
        path=picture.path,
        mime=picture.mime,
        width=picture.width,
        height=picture.height,
        generator=outcome.generator,
        credit=credit_from_generated(picture, generator=outcome.generator),
    )
    layers = picture.layers
    if layers is not None:
        # Stored with the picture before any scene points at it: a render of the scene
        # sees the picture and its layers, or the picture alone, never a stale pair.
        try:
            picture_layers_add(
                job=job,
                picture=asset,
                background=layers.background,
                hero=layers.hero,
                hero_x=layers.hero_x,
                hero_y=layers.hero_y,
                steps=layers.steps,
            )
        except (OSError, JobFailure):
            # The picture still works flat (no parallax); a full disk shows up on the next file anyway.
            logger.warning("scene %s: the picture's layers could not be stored", scene.pk, exc_info=True)
    if not Scene.objects.filter(
        pk=scene.pk, visual_prompt=scene.visual_prompt, seed=scene.seed, picture__isnull=True
    ).update(picture=asset, warning=scene_warning_merge(current, "Picture", outcome.warning)):
        asset_delete_if_unused(asset=asset)
    picture.path.unlink(missing_ok=True)
    if layers is not None:
        for path in (layers.background, layers.hero, *layers.steps):
            path.unlink(missing_ok=True)
