"""Creator pages for their own media: the "My media" page (list, upload, delete, the
stock library), the file behind each asset, the storyboard's per-scene controls for
clips, recordings and stock items, and the public endpoint Replicate's webhooks reach.

Lookups 404 for anything the user may not see; changes go through assets.services and
videos.scene_media. An upload refused for its size answers 413, any other refusal 400,
with the reason on the page; nothing is stored either way.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assets import services
from assets.forms import AssetUploadForm, SceneClipForm, SceneMediaForm, SceneNarrationForm
from assets.models import MediaAsset
from assets.upload_handlers import upload_refusal
from videos import scene_media
from videos.delivery import serve_stored_file
from videos.models import Scene, Video
from videos.quotas import quota_usage
from videos.services import Conflict

logger = logging.getLogger(__name__)

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
}
KIND_FILTERS = {
    "pictures": (MediaAsset.Kind.IMAGE,),
    "clips": (MediaAsset.Kind.VIDEO,),
    "sounds": (MediaAsset.Kind.AUDIO, MediaAsset.Kind.MUSIC),
}
TOO_LARGE = 413


# --- lookups ------------------------------------------------------------------------------


def _get_asset_for_user(request: HttpRequest, code) -> MediaAsset:
    """One of the user's assets or a stock item (staff: any); 404 otherwise."""
    return get_object_or_404(services.assets_visible_to(request.user), code=code)


def _get_scene_for_user(request: HttpRequest, code) -> Scene:
    scenes = Scene.objects.select_related("video", "picture", "narration_audio", "clip")
    if not request.user.is_staff:
        scenes = scenes.filter(video__owner=request.user)
    return get_object_or_404(scenes, code=code)


def _usable_asset(request: HttpRequest, code, *, owner) -> MediaAsset | None:
    """An asset the scene's owner may use (theirs or stock), or None."""
    return MediaAsset.objects.filter(Q(owner=owner) | Q(source=MediaAsset.Source.STOCK), code=code).first()


def _wants_fragment(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- the file behind an asset ------------------------------------------------------------


def asset_download_name(asset: MediaAsset) -> str:
    """A generated name (never the uploader's): kind, short code, the content's extension."""
    ext = EXTENSIONS.get(asset.mime, "bin")
    return f"{asset.kind}-{asset.code.hex[:8]}.{ext}"


def asset_file_response(request: HttpRequest, asset: MediaAsset) -> HttpResponse:
    """The stored bytes with their own type, `nosniff`, and an inline disposition with a
    generated name (Range requests work, so clips seek)."""
    response = serve_stored_file(request, asset.file.name, content_type=asset.mime or "application/octet-stream")
    if response.status_code in (200, 206):
        response["Content-Disposition"] = content_disposition_header(False, asset_download_name(asset))
    return response


@login_required
@require_safe
def asset_file(request: HttpRequest, code) -> HttpResponse:
    return asset_file_response(request, _get_asset_for_user(request, code))


# --- My media ----------------------------------------------------------------------------


def _mine(user) -> QuerySet[MediaAsset]:
    return MediaAsset.objects.filter(owner=user, source=MediaAsset.Source.UPLOADED)


def _stock() -> QuerySet[MediaAsset]:
    return MediaAsset.objects.filter(source=MediaAsset.Source.STOCK)


def _library_context(request: HttpRequest, *, form: AssetUploadForm | None = None, error: str = "") -> dict:
    show = request.GET.get("show", "")
    assets = _mine(request.user)
    if show in KIND_FILTERS:
        assets = assets.filter(kind__in=KIND_FILTERS[show])
    else:
        show = ""
    assets = list(assets.order_by("-created_at", "-pk")[:200])
    usages = services.asset_usages(assets=assets)
    for asset in assets:
        asset.uses = usages[asset.pk]
    return {
        "assets": assets,
        "stock": list(_stock().order_by("kind", "label", "pk")[:200]),
        "show": show,
        "filters": [("", "Everything"), ("pictures", "Pictures"), ("clips", "Clips"), ("sounds", "Sounds")],
        "form": form or AssetUploadForm(),
        "error": error,
        "quota": quota_usage(user=request.user),
        "nav": "media",
    }


@login_required
@require_safe
def asset_list(request: HttpRequest) -> HttpResponse:
    return render(request, "assets/list.html", _library_context(request))


@login_required
@require_POST
def asset_upload(request: HttpRequest) -> HttpResponse:
    refusal = upload_refusal(request)
    form = AssetUploadForm(request.POST, request.FILES)
    if refusal:
        form.is_valid()
        form.errors.clear()
        form.add_error("file", refusal)
        return render(request, "assets/list.html", _library_context(request, form=form), status=TOO_LARGE)
    if not form.is_valid():
        return render(request, "assets/list.html", _library_context(request, form=form), status=400)
    try:
        asset = services.asset_ingest_upload(owner=request.user, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        status = TOO_LARGE if services.upload_too_large(exc) else 400
        return render(request, "assets/list.html", _library_context(request, form=form), status=status)
    except Conflict as exc:  # over the storage quota
        form.add_error(None, str(exc))
        return render(request, "assets/list.html", _library_context(request, form=form), status=409)
    messages.success(request, f"Added “{asset.label or asset.get_kind_display()}” to your media.")
    return redirect("assets-list")


@login_required
@require_http_methods(["POST"])
def asset_delete(request: HttpRequest, code) -> HttpResponse:
    asset = _get_asset_for_user(request, code)
    try:
        services.asset_delete(asset=asset, user=request.user)
    except (Conflict, PermissionDenied) as exc:
        status = 409 if isinstance(exc, Conflict) else 403
        return render(request, "assets/list.html", _library_context(request, error=str(exc)), status=status)
    messages.success(request, f"Deleted “{asset.label or asset.get_kind_display()}”.")
    return redirect("assets-list")


# --- the storyboard's per-scene controls ---------------------------------------------------


def storyboard_media_context(video: Video) -> dict:
    """What the scene controls offer: the owner's pictures, clips and sounds, and the stock
    library's pictures and clips (added to the storyboard page's context)."""
    mine = _mine(video.owner).order_by("-created_at", "-pk")
    stock = _stock().order_by("label", "pk")
    from assets.upload_handlers import megabytes, upload_limit_bytes

    return {
        "upload_limit": megabytes(upload_limit_bytes()),
        "my_visuals": list(mine.filter(kind__in=(MediaAsset.Kind.IMAGE, MediaAsset.Kind.VIDEO))[:100]),
        "my_sounds": list(mine.filter(kind__in=(MediaAsset.Kind.AUDIO, MediaAsset.Kind.MUSIC))[:100]),
        "stock_visuals": list(stock.filter(kind__in=(MediaAsset.Kind.IMAGE, MediaAsset.Kind.VIDEO))[:100]),
    }


def _scene_response(
    request: HttpRequest, scene: Scene, *, status: int = 200, errors: dict | None = None, error: str = ""
):
    from videos.views import _storyboard_response

    if error:
        return _storyboard_response(request, scene.video, status=status, error=error)
    if errors:
        return _storyboard_response(
            request, scene.video, status=status, failed_scene=scene, scene_errors=errors, scene_values={}
        )
    return _storyboard_response(request, scene.video, anchor=f"scene-{scene.code}")


def _form_errors(form) -> dict:
    return {name if name != "__all__" else "form": [str(e) for e in errs] for name, errs in form.errors.items()}


def _run(request: HttpRequest, scene: Scene, action) -> HttpResponse:
    """Call a scene service and answer like the other storyboard controls."""
    try:
        action()
    except ValidationError as exc:
        status = TOO_LARGE if services.upload_too_large(exc) else 400
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
            lambda: scene_media.scene_upload_clip(scene=scene, upload=form.cleaned_data["clip"], audio=audio),
        )
    asset = _usable_asset(request, form.cleaned_data["asset"], owner=scene.video.owner)
    if asset is None:
        return _scene_response(
            request, scene, status=400, errors={"clip": ["That clip is not one of your video clips."]}
        )
    return _run(request, scene, lambda: scene_media.scene_use_clip(scene=scene, asset=asset, audio=audio))


@login_required
@require_POST
def scene_clip_audio(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    audio = request.POST.get("clip_audio", "")
    return _run(request, scene, lambda: scene_media.scene_set_clip_audio(scene=scene, audio=audio))


@login_required
@require_POST
def scene_clip_remove(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    return _run(request, scene, lambda: scene_media.scene_remove_clip(scene=scene))


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
        return _run(request, scene, lambda: scene_media.scene_upload_narration(scene=scene, upload=upload))
    asset = _usable_asset(request, form.cleaned_data["asset"], owner=scene.video.owner)
    if asset is None:
        return _scene_response(
            request, scene, status=400, errors={"narration_audio": ["That recording is not one of your sound files."]}
        )
    return _run(request, scene, lambda: scene_media.scene_use_narration(scene=scene, asset=asset))


@login_required
@require_POST
def scene_narration_speech(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    return _run(request, scene, lambda: scene_media.scene_use_speech(scene=scene))


@login_required
@require_POST
def scene_media_choice(request: HttpRequest, code) -> HttpResponse:
    """Use one of the creator's pictures or clips, or a stock item, in the scene."""
    from videos.services import scene_replace_picture

    scene = _get_scene_for_user(request, code)
    form = SceneMediaForm(request.POST)
    asset = _usable_asset(request, form.cleaned_data["asset"], owner=scene.video.owner) if form.is_valid() else None
    if asset is None or asset.kind not in (MediaAsset.Kind.IMAGE, MediaAsset.Kind.VIDEO):
        return _scene_response(request, scene, status=400, errors={"media": ["Choose one of your pictures or clips."]})
    if asset.kind == MediaAsset.Kind.VIDEO:
        return _run(request, scene, lambda: scene_media.scene_use_clip(scene=scene, asset=asset))
    return _run(request, scene, lambda: scene_replace_picture(scene=scene, asset=asset))


# --- Replicate's webhooks --------------------------------------------------------------------


@csrf_exempt
@require_POST
def replicate_webhook(request: HttpRequest) -> HttpResponse:
    """Public: Replicate posts here when a prediction ends. The signature (and its
    timestamp) is checked before anything is read from the body; a webhook-id already
    seen is acknowledged and ignored."""
    from assets.generators.replicate_provider import WebhookRefused, replicate_webhook_receive

    try:
        outcome = replicate_webhook_receive(headers=request.headers, body=request.body)
    except WebhookRefused as exc:
        logger.warning("replicate webhook refused (%s): %s", exc.status, exc.message)
        return JsonResponse({"status": "refused", "message": exc.message}, status=exc.status)
    return JsonResponse({"status": outcome})
