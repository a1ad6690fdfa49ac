"""Editing a storyboard: scene text and prompt, order, add, delete, refine or replace a picture."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from assets.models import MediaAsset
from assets.selectors import asset_is_usable_by
from assets.services import asset_delete_if_unused, asset_ingest_image
from core.errors import Conflict
from jobs.models import Job
from jobs.services import (
    job_create,
)
from videos.models import RENDER_KINDS, Scene, Video, VideoJobKind
from videos.selectors import scenes_missing_media
from videos.services.approval import approval_withdraw
from videos.services.costs import storyboard_estimate_cost
from videos.services.creation import picture_seed
from videos.services.pictures import scene_warning_merge
from videos.storyboard import visual_prompt_for

logger = logging.getLogger(__name__)


def storyboard_refresh(*, video: Video) -> Job | None:
    """Queue a storyboard job if some scene lacks media and none is running."""
    with transaction.atomic():
        locked = Video.objects.select_for_update().get(pk=video.pk)
        active = locked.jobs.filter(kind=VideoJobKind.STORYBOARD, status__in=Job.ACTIVE).first()
        if active is not None or not scenes_missing_media(locked):
            return active
        Video.objects.filter(pk=video.pk).update(status=Video.Status.STORYBOARDING)
        return job_create(
            owner=locked.owner,
            video=locked,
            kind=VideoJobKind.STORYBOARD,
            estimated_cost=storyboard_estimate_cost(video=locked),
        )


def storyboard_require_editable(video: Video) -> None:
    if video.jobs.filter(kind__in=RENDER_KINDS, status__in=Job.ACTIVE).exists():
        raise Conflict("The video is rendering; cancel the render before editing the storyboard.")


# Assets the storyboard job chose for a scene (not the creator): an edit that changes what
# the scene is about replaces them, and they go when the scene stops using them.
SYSTEM_SOURCES = (MediaAsset.Source.GENERATED, MediaAsset.Source.ONLINE_STOCK)


def _chosen_by_job(asset: MediaAsset | None) -> bool:
    return asset is not None and asset.source in SYSTEM_SOURCES


def scene_update(*, scene: Scene, narration: str | None = None, visual_prompt: str | None = None) -> Scene:
    """Edit a scene's narration and/or visual prompt. The prompt follows the narration
    (regenerated from the new words) until the creator writes one themselves; an empty
    prompt goes back to following the narration. A new prompt replaces the picture (and
    an online stock clip) the storyboard job chose, never one the creator chose."""
    video = scene.video
    storyboard_require_editable(video)
    errors = {}
    if narration is not None and not narration.strip():
        errors["narration"] = "A scene needs some narration."
    if errors:
        raise ValidationError(errors)
    old_assets = []
    fields = []
    narration_changed = narration is not None and narration.strip() != scene.narration
    if narration_changed:
        scene.narration = narration.strip()
        fields.append("narration")
        # An uploaded recording stays (the text is then its caption, timed by length: a
        # voiceover's word times were for the old words); speech is remade.
        scene.narration_phrases = []
        fields.append("narration_phrases")
        if scene.narration_source != Scene.NarrationSource.UPLOAD:
            old_assets.append(scene.narration_audio)
            scene.narration_audio = None
            scene.narration_ms = 0
            fields += ["narration_audio", "narration_ms"]
    prompt = scene.visual_prompt
    prompt_edited = scene.prompt_edited
    if visual_prompt is not None and not visual_prompt.strip():
        prompt, prompt_edited = visual_prompt_for(scene.narration), False
    elif visual_prompt is not None and visual_prompt.strip() != scene.visual_prompt:
        prompt, prompt_edited = visual_prompt.strip(), True
    elif narration_changed and not scene.prompt_edited:
        prompt = visual_prompt_for(scene.narration)
    if prompt_edited != scene.prompt_edited:
        scene.prompt_edited = prompt_edited
        fields.append("prompt_edited")
    if prompt != scene.visual_prompt:
        scene.visual_prompt = prompt
        fields.append("visual_prompt")
        if scene.artwork:
            # A pinned artwork answered the old words; the new ones are matched afresh.
            scene.artwork = ""
            fields.append("artwork")
        if _chosen_by_job(scene.picture):
            old_assets.append(scene.picture)
            scene.picture = None
            scene.seed = picture_seed(scene.visual_prompt, scene.refinement_count)
            fields += ["picture", "seed"]
        if scene.clip is not None and scene.clip.source == MediaAsset.Source.ONLINE_STOCK:
            old_assets.append(scene.clip)
            scene.clip = None
            scene.clip_audio = Scene.ClipAudio.DROP
            fields += ["clip", "clip_audio"]
    if not fields:
        return scene
    with transaction.atomic():
        scene.save(update_fields=fields)
        approval_withdraw(video)
    generated_assets_delete(old_assets)
    storyboard_refresh(video=video)
    return scene


def scene_add(*, video: Video, narration: str, visual_prompt: str = "", after: Scene | None = None) -> Scene:

    storyboard_require_editable(video)
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
            seed=picture_seed(prompt),
        )
        approval_withdraw(video)
    storyboard_refresh(video=video)
    return scene


def scene_delete(*, scene: Scene) -> None:
    video = scene.video
    storyboard_require_editable(video)
    if video.scenes.count() <= 1:
        raise Conflict("A storyboard needs at least one scene; this is the last one.")
    assets = [scene.picture, scene.narration_audio, scene.clip]
    with transaction.atomic():
        position = scene.position
        scene.delete()
        video.scenes.filter(position__gt=position).update(position=F("position") - 1)
        approval_withdraw(video)
    generated_assets_delete(assets)


def scene_move(*, scene: Scene, offset: int) -> Scene:
    """Move a scene up (offset -1) or down (+1) by swapping it with its neighbour."""
    video = scene.video
    storyboard_require_editable(video)
    target = scene.position + offset
    with transaction.atomic():
        neighbour = video.scenes.filter(position=target).first()
        if neighbour is None:
            return scene
        neighbour.position, scene.position = scene.position, target
        neighbour.save(update_fields=["position"])
        scene.save(update_fields=["position"])
        approval_withdraw(video)
    return scene


def scene_refine_picture(*, scene: Scene, artwork: str = "") -> Scene:
    """Make a new picture for one scene with a new seed; at most N per video. `artwork`
    pins a library artwork for it (already checked: videos.services.artwork); without it
    a pin goes, since "New picture" asks for another one."""
    video = scene.video
    storyboard_require_editable(video)
    limit = settings.CONTENTIZER_MAX_REFINEMENTS
    with transaction.atomic():
        if not Video.objects.filter(pk=video.pk, refinements_used__lt=limit).update(
            refinements_used=F("refinements_used") + 1
        ):
            raise Conflict(f"You have used all {limit} picture refinements for this video.")
        old = [scene.picture]
        fields = ["refinement_count", "seed", "picture"]
        # An online stock item is turned down: the next pick is another one (and for a
        # clip with its still, the clip goes too).
        for asset in (scene.picture, scene.clip):
            if asset is not None and asset.source == MediaAsset.Source.ONLINE_STOCK and asset.credit:
                key = [asset.credit.get("provider", ""), str(asset.credit.get("id", ""))]
                if key not in scene.stock_rejected:
                    scene.stock_rejected = [*scene.stock_rejected, key]
                    fields.append("stock_rejected")
        if scene.clip is not None and scene.clip.source == MediaAsset.Source.ONLINE_STOCK:
            old.append(scene.clip)
            scene.clip = None
            scene.clip_audio = Scene.ClipAudio.DROP
            fields += ["clip", "clip_audio"]
        scene.refinement_count += 1
        scene.seed = picture_seed(scene.visual_prompt, scene.refinement_count)
        scene.picture = None
        if scene.artwork != artwork:
            scene.artwork = artwork
            fields.append("artwork")
        scene.save(update_fields=list(dict.fromkeys(fields)))
        approval_withdraw(video)
    video.refresh_from_db(fields=["refinements_used"])
    generated_assets_delete(old)
    storyboard_refresh(video=video)
    return scene


def generated_assets_delete(assets: list[MediaAsset | None]) -> None:
    """Delete what the storyboard job made or fetched (generated media, online stock
    items) once nothing uses it; the creator's uploads and the stock library stay."""
    for asset in assets:
        if _chosen_by_job(asset):
            asset_delete_if_unused(asset=asset)


def scene_replace_picture(*, scene: Scene, asset: MediaAsset) -> Scene:
    """Use one of the owner's images as a scene's picture. Withdraws the approval; the
    generated picture it replaces is deleted."""
    video = scene.video
    storyboard_require_editable(video)
    if not asset_is_usable_by(asset, video.owner_id) or asset.kind != MediaAsset.Kind.IMAGE:
        raise ValidationError({"picture": "That picture is not one of your images."})
    old = scene.picture
    with transaction.atomic():
        scene.picture = asset
        # A warning about a generated picture no longer applies.
        scene.warning = scene_warning_merge(scene_warning_merge(scene.warning, "Picture", ""), "Stock", "")
        scene.save(update_fields=["picture", "warning"])
        approval_withdraw(video)
    if old is not None and old.pk != asset.pk:
        generated_assets_delete([old])
    return scene


def scene_upload_picture(*, scene: Scene, upload) -> Scene:
    """Validate an uploaded picture and make it the scene's picture. Nothing is stored
    when the upload is refused or the storyboard cannot be edited right now."""

    storyboard_require_editable(scene.video)
    asset = asset_ingest_image(owner=scene.video.owner, upload=upload)
    try:
        return scene_replace_picture(scene=scene, asset=asset)
    except Exception:
        asset_delete_if_unused(asset=asset)
        raise


def scenes_reorder(*, video: Video, order: list) -> list[Scene]:
    """Put the video's scenes in the given order (a list of every scene's code, once)."""
    storyboard_require_editable(video)
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
            approval_withdraw(video)
    return [scenes[code] for code in codes]
