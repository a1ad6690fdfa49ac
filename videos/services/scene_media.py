"""Services: a scene's own media from the creator (or the stock library).

A scene can show a video clip instead of its picture (trimmed or looped to the scene,
its sound dropped or mixed in), and can be narrated by an uploaded recording instead of
synthesised speech (the scene then takes the recording's length). Every change
withdraws the storyboard's approval, like any other storyboard edit. Uploaded files
stay in the creator's media when a scene stops using them; generated ones are deleted.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from assets.models import MediaAsset
from assets.selectors import asset_is_usable_by
from assets.services import asset_delete_if_unused, asset_ingest_upload
from mediakit.spec import scene_duration_for
from videos.models import Scene
from videos.selectors import video_transition_ms
from videos.services.approval import approval_withdraw
from videos.services.scenes import (
    generated_assets_delete,
    scene_replace_picture,
    storyboard_refresh,
    storyboard_require_editable,
)

AUDIO_KINDS = (MediaAsset.Kind.AUDIO, MediaAsset.Kind.MUSIC)


def _ingest_then(scene: Scene, upload, *, field: str, kinds: tuple[str, ...], use) -> Scene:
    """Store a validated upload and hand it to `use`; nothing stays stored if `use` refuses."""
    storyboard_require_editable(scene.video)
    asset = asset_ingest_upload(owner=scene.video.owner, upload=upload, field=field, kinds=kinds)
    try:
        return use(asset)
    except Exception:
        asset_delete_if_unused(asset=asset)
        raise


# --- clips ------------------------------------------------------------------------------


def scene_use_clip(*, scene: Scene, asset: MediaAsset, audio: str = Scene.ClipAudio.DROP) -> Scene:
    """Show one of the owner's clips (or a stock clip) in the scene instead of its picture."""
    video = scene.video
    storyboard_require_editable(video)
    if asset.kind != MediaAsset.Kind.VIDEO or not asset_is_usable_by(asset, video.owner_id):
        raise ValidationError({"clip": "That clip is not one of your video clips."})
    if audio not in Scene.ClipAudio.values:
        raise ValidationError({"clip_audio": "Choose whether to drop or mix the clip's sound."})
    if audio == Scene.ClipAudio.MIX and not asset.has_audio:
        raise ValidationError({"clip_audio": "That clip has no sound to mix in; choose “drop”."})
    with transaction.atomic():
        scene.clip = asset
        scene.clip_audio = audio
        scene.save(update_fields=["clip", "clip_audio"])
        approval_withdraw(video)
    return scene


def scene_upload_clip(*, scene: Scene, upload, audio: str = Scene.ClipAudio.DROP) -> Scene:
    """Validate an uploaded clip and show it in the scene; nothing is stored if refused."""
    if audio not in Scene.ClipAudio.values:
        raise ValidationError({"clip_audio": "Choose whether to drop or mix the clip's sound."})
    return _ingest_then(
        scene,
        upload,
        field="clip",
        kinds=(MediaAsset.Kind.VIDEO,),
        # A clip without sound is still a clip: its (absent) sound is simply dropped.
        use=lambda asset: scene_use_clip(
            scene=scene, asset=asset, audio=audio if asset.has_audio else Scene.ClipAudio.DROP
        ),
    )


def scene_set_clip_audio(*, scene: Scene, audio: str) -> Scene:
    if scene.clip is None:
        raise ValidationError({"clip_audio": "This scene has no clip."})
    return scene_use_clip(scene=scene, asset=scene.clip, audio=audio)


def scene_remove_clip(*, scene: Scene) -> Scene:
    """Back to the scene's picture. The clip stays in the creator's media."""
    video = scene.video
    storyboard_require_editable(video)
    if scene.clip_id is None:
        return scene
    with transaction.atomic():
        scene.clip = None
        scene.clip_audio = Scene.ClipAudio.DROP
        scene.save(update_fields=["clip", "clip_audio"])
        approval_withdraw(video)
    return scene


# --- narration --------------------------------------------------------------------------


def scene_use_narration(*, scene: Scene, asset: MediaAsset) -> Scene:
    """Narrate the scene with one of the owner's recordings instead of synthesised
    speech; the scene takes the recording's length. The text stays (it is the caption)."""

    video = scene.video
    storyboard_require_editable(video)
    if asset.kind not in AUDIO_KINDS or not asset_is_usable_by(asset, video.owner_id) or not asset.duration_ms:
        raise ValidationError({"narration_audio": "That recording is not one of your sound files."})
    old = scene.narration_audio
    with transaction.atomic():
        scene.narration_audio = asset
        scene.narration_source = Scene.NarrationSource.UPLOAD
        scene.narration_ms = asset.duration_ms
        scene.narration_phrases = []  # a recording's captions are timed by its length
        scene.duration_ms = scene_duration_for(asset.duration_ms, transition_ms=video_transition_ms(video))
        scene.save(
            update_fields=["narration_audio", "narration_source", "narration_ms", "narration_phrases", "duration_ms"]
        )
        approval_withdraw(video)
    if old is not None and old.pk != asset.pk:
        generated_assets_delete([old])
    return scene


def scene_upload_narration(*, scene: Scene, upload) -> Scene:
    """Validate an uploaded recording and make it the scene's narration."""
    return _ingest_then(
        scene,
        upload,
        field="narration_audio",
        kinds=(MediaAsset.Kind.AUDIO,),
        use=lambda asset: scene_use_narration(scene=scene, asset=asset),
    )


def scene_use_speech(*, scene: Scene) -> Scene:
    """Back to synthesised speech from the scene's text (made by a storyboard job)."""
    video = scene.video
    storyboard_require_editable(video)
    if scene.narration_source == Scene.NarrationSource.SPEECH:
        return scene
    with transaction.atomic():
        scene.narration_audio = None
        scene.narration_source = Scene.NarrationSource.SPEECH
        scene.narration_ms = 0
        scene.narration_phrases = []
        scene.save(update_fields=["narration_audio", "narration_source", "narration_ms", "narration_phrases"])
        approval_withdraw(video)
    storyboard_refresh(video=video)
    return scene


# --- stock ------------------------------------------------------------------------------


def scene_use_stock(*, scene: Scene, asset: MediaAsset) -> Scene:
    """Use a stock item in the scene: a stock picture becomes its picture, a stock clip
    its clip."""
    if asset.source != MediaAsset.Source.STOCK:
        raise ValidationError({"stock": "That is not an item of the stock library."})
    if asset.kind == MediaAsset.Kind.VIDEO:
        return scene_use_clip(scene=scene, asset=asset)
    if asset.kind == MediaAsset.Kind.IMAGE:
        return scene_replace_picture(scene=scene, asset=asset)
    raise ValidationError({"stock": "Only stock pictures and clips can be used in a scene."})
