"""The storyboard's per-scene media controls (HTML): a clip instead of the picture, a
recording instead of synthesised speech, one of the creator's pictures or a stock item.

Lookups 404 for anything the user may not see; changes go through videos.services. An
upload refused for its size answers 413, any other refusal 400, with the reason on the
storyboard page; nothing is stored either way.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from assets.models import MediaAsset
from assets.selectors import asset_usable_by
from assets.services import upload_too_large
from assets.upload_handlers import upload_refusal
from core.errors import Conflict
from videos import services
from videos.forms import SceneClipForm, SceneMediaForm, SceneNarrationForm
from videos.models import Scene
from videos.storyboard_views import storyboard_response

TOO_LARGE = 413


def _get_scene_for_user(request: HttpRequest, code) -> Scene:
    scenes = Scene.objects.select_related("video", "picture", "narration_audio", "clip")
    if not request.user.is_staff:
        scenes = scenes.filter(video__owner=request.user)
    return get_object_or_404(scenes, code=code)


# --- the storyboard's per-scene controls ---------------------------------------------------


def _scene_response(
    request: HttpRequest, scene: Scene, *, status: int = 200, errors: dict | None = None, error: str = ""
):
    if error:
        return storyboard_response(request, scene.video, status=status, error=error)
    if errors:
        return storyboard_response(
            request, scene.video, status=status, failed_scene=scene, scene_errors=errors, scene_values={}
        )
    return storyboard_response(request, scene.video, anchor=f"scene-{scene.code}")


def _form_errors(form) -> dict:
    return {name if name != "__all__" else "form": [str(e) for e in errs] for name, errs in form.errors.items()}


def _run(request: HttpRequest, scene: Scene, action) -> HttpResponse:
    """Call a scene service and answer like the other storyboard controls."""
    try:
        action()
    except ValidationError as exc:
        status = TOO_LARGE if upload_too_large(exc) else 400
        return _scene_response(request, scene, status=status, errors=exc.message_dict)
    except Conflict as exc:
        return _scene_response(request, scene, status=409, error=str(exc))
    return _scene_response(request, scene)


@login_required
@require_POST
def scene_clip(request: HttpRequest, code) -> HttpResponse:
    """Show a clip in the scene: an upload (`clip`) or a clip of the creator's or the stock
    library's (`asset`); `clip_audio` drops or mixes its sound."""
    scene = _get_scene_for_user(request, code)
    refusal = upload_refusal(request)
    if refusal:
        return _scene_response(request, scene, status=TOO_LARGE, errors={"clip": [refusal]})
    form = SceneClipForm(request.POST, request.FILES)
    if not form.is_valid():
        return _scene_response(request, scene, status=400, errors=_form_errors(form))
    audio = form.cleaned_data["clip_audio"]
    if form.cleaned_data.get("clip") is not None:
        return _run(
            request,
            scene,
            lambda: services.scene_upload_clip(scene=scene, upload=form.cleaned_data["clip"], audio=audio),
        )
    asset = asset_usable_by(scene.video.owner_id, form.cleaned_data["asset"])
    if asset is None:
        return _scene_response(
            request, scene, status=400, errors={"clip": ["That clip is not one of your video clips."]}
        )
    return _run(request, scene, lambda: services.scene_use_clip(scene=scene, asset=asset, audio=audio))


@login_required
@require_POST
def scene_clip_audio(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    audio = request.POST.get("clip_audio", "")
    return _run(request, scene, lambda: services.scene_set_clip_audio(scene=scene, audio=audio))


@login_required
@require_POST
def scene_clip_remove(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    return _run(request, scene, lambda: services.scene_remove_clip(scene=scene))


@login_required
@require_POST
def scene_narration(request: HttpRequest, code) -> HttpResponse:
    """Narrate the scene with a recording: an upload (`narration_audio`) or one of the
    creator's sounds (`asset`)."""
    scene = _get_scene_for_user(request, code)
    refusal = upload_refusal(request)
    if refusal:
        return _scene_response(request, scene, status=TOO_LARGE, errors={"narration_audio": [refusal]})
    form = SceneNarrationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _scene_response(request, scene, status=400, errors=_form_errors(form))
    if form.cleaned_data.get("narration_audio") is not None:
        upload = form.cleaned_data["narration_audio"]
        return _run(request, scene, lambda: services.scene_upload_narration(scene=scene, upload=upload))
    asset = asset_usable_by(scene.video.owner_id, form.cleaned_data["asset"])
    if asset is None:
        return _scene_response(
            request, scene, status=400, errors={"narration_audio": ["That recording is not one of your sound files."]}
        )
    return _run(request, scene, lambda: services.scene_use_narration(scene=scene, asset=asset))


@login_required
@require_POST
def scene_narration_speech(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    return _run(request, scene, lambda: services.scene_use_speech(scene=scene))


@login_required
@require_POST
def scene_media_choice(request: HttpRequest, code) -> HttpResponse:
    """Use one of the creator's pictures or clips, or a stock item, in the scene."""
    scene = _get_scene_for_user(request, code)
    form = SceneMediaForm(request.POST)
    asset = asset_usable_by(scene.video.owner_id, form.cleaned_data["asset"]) if form.is_valid() else None
    if asset is None or asset.kind not in (MediaAsset.Kind.IMAGE, MediaAsset.Kind.VIDEO):
        return _scene_response(request, scene, status=400, errors={"media": ["Choose one of your pictures or clips."]})
    if asset.kind == MediaAsset.Kind.VIDEO:
        return _run(request, scene, lambda: services.scene_use_clip(scene=scene, asset=asset))
    return _run(request, scene, lambda: services.scene_replace_picture(scene=scene, asset=asset))
