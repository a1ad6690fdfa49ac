"""Services: one recording of the creator's for the whole video (a voiceover).

The upload is judged like any other sound (assets.services: size, content, length, a full
decode), then heard offline and matched to the storyboard's scenes (mediakit.voiceover):
each scene is narrated by its own stretch of the recording, cut at the pause before its
first word, and its captions are timed to the recording's words. It runs in the request,
as a scene's own recording does: the Whisper model transcribes a minute of speech in a few
seconds on two cores.

All or nothing: a recording that is silent or does not say the script is refused with a
message naming where it diverges, and then nothing stays stored (neither the upload nor
any scene's piece); the scenes keep their narration.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from assets.models import MediaAsset
from assets.services import asset_create_from_path, asset_delete_if_unused, asset_ingest_upload
from core.errors import Conflict
from core.storage import storage_fetch
from jobs.models import Job
from mediakit.errors import CompositionError
from mediakit.spec import scene_duration_for
from videos.models import Scene, Video, VideoJobKind
from videos.selectors import video_transition_ms
from videos.services.approval import approval_withdraw
from videos.services.scenes import generated_assets_delete, storyboard_require_editable

FIELD = "voiceover"
GENERATOR = "voiceover"
DECODE_TIMEOUT_S = 300.0


def _refuse(message: str) -> ValidationError:
    return ValidationError({FIELD: ValidationError(message, code="invalid")})


def video_use_voiceover(*, video: Video, upload) -> Video:
    """Narrate every scene of the storyboard with its stretch of one uploaded recording,
    captions timed to it. Raises ValidationError({"voiceover": message}) and stores nothing
    when the file is not a usable sound (see asset_ingest_upload), is silent, or does not
    say the scenes' words; Conflict while the storyboard is being made or rendered."""
    storyboard_require_editable(video)
    if video.jobs.filter(kind=VideoJobKind.STORYBOARD, status__in=Job.ACTIVE).exists():
        raise Conflict("The storyboard is still being made; add the voiceover when it is ready.")
    scenes = list(video.scenes.select_related("narration_audio").order_by("position"))
    if not scenes:
        raise _refuse("The storyboard has no scenes yet; nothing was stored.")
    upload_asset = asset_ingest_upload(owner=video.owner, upload=upload, field=FIELD, kinds=(MediaAsset.Kind.AUDIO,))
    stored: list[MediaAsset] = [upload_asset]
    try:
        pieces = _cut_and_store(video, scenes, upload_asset, stored)
        transition_ms = video_transition_ms(video)
        old: list[MediaAsset | None] = []
        with transaction.atomic():
            # As they are now (the recording took seconds to hear): the same scenes and
            # words, or the pieces no longer fit them.
            now = {
                pk: (position, narration, audio)
                for pk, position, narration, audio in Scene.objects.select_for_update()
                .filter(video=video)
                .values_list("pk", "position", "narration", "narration_audio")
            }
            if now != {scene.pk: (scene.position, scene.narration, scene.narration_audio_id) for scene in scenes}:
                raise Conflict("The storyboard changed while the recording was heard; add the voiceover again.")
            for scene, (asset, phrases) in zip(scenes, pieces, strict=True):
                if scene.narration_audio_id != asset.pk:
                    old.append(scene.narration_audio)
                scene.narration_audio = asset
                scene.narration_source = Scene.NarrationSource.UPLOAD
                scene.narration_ms = asset.duration_ms or 0
                scene.narration_phrases = phrases
                scene.duration_ms = scene_duration_for(scene.narration_ms, transition_ms=transition_ms)
                scene.save(
                    update_fields=[
                        "narration_audio",
                        "narration_source",
                        "narration_ms",
                        "narration_phrases",
                        "duration_ms",
                    ]
                )
            approval_withdraw(video)
    except BaseException:
        for asset in reversed(stored):
            asset_delete_if_unused(asset=asset)
        raise
    # What the scenes were narrated by before: synthesised speech and earlier voiceover
    # pieces go; a scene recording the creator uploaded stays in their media.
    generated_assets_delete(old)
    return video


def _cut_and_store(
    video: Video, scenes: list[Scene], upload_asset: MediaAsset, stored: list[MediaAsset]
) -> list[tuple[MediaAsset, list[list]]]:
    """Hear the recording, cut it per scene and store the pieces (appended to `stored` as
    they are written); each piece with its scene's phrases as Scene.narration_phrases."""
    # Imported here: the listening loads NumPy (and the speech model), which only a
    # creator's own recording needs.
    from mediakit.voiceover import ANALYSIS_RATE, VoiceoverError, cut_wav, decode_mono, plan_voiceover, read_wav

    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR, prefix="contentizer-voiceover-") as tmp_dir:
        tmp = Path(tmp_dir)
        name = upload_asset.file.name or ""
        local = storage_fetch(name=name, dest=tmp / f"upload{Path(name).suffix}")
        try:
            full = decode_mono(local, tmp / "full.wav", timeout_s=DECODE_TIMEOUT_S)
            analysis = decode_mono(local, tmp / "analysis.wav", rate=ANALYSIS_RATE, timeout_s=DECODE_TIMEOUT_S)
            samples, rate = read_wav(analysis)
            planned = plan_voiceover(scenes=[scene.narration for scene in scenes], samples=samples, rate=rate)
        except VoiceoverError as exc:
            raise _refuse(f"{exc} Nothing was stored.") from exc
        except CompositionError as exc:
            raise _refuse("Contentizer could not read that recording; nothing was stored.") from exc
        out = []
        for scene, piece in zip(scenes, planned, strict=True):
            number = scene.position + 1
            path = cut_wav(full, tmp / f"voiceover-scene-{number:03d}.wav", piece.start_ms, piece.end_ms)
            asset = asset_create_from_path(
                path=path,
                owner=video.owner,
                kind=MediaAsset.Kind.AUDIO,
                source=MediaAsset.Source.GENERATED,
                mime="audio/wav",
                duration_ms=piece.end_ms - piece.start_ms,
                generator=GENERATOR,
                label=f"{upload_asset.label or 'Voiceover'}, scene {number}",
                check_quota=True,
            )
            stored.append(asset)
            phrases = [
                [text, start, end, [[word, at] for word, at in words]] for text, start, end, words in piece.phrases
            ]
            out.append((asset, phrases))
        return out
