"""Creator pages for their own media: the "My media" page (list, upload, delete, the
stock library), the file behind each asset, and the public endpoint Replicate's webhooks
reach. (A scene's media controls are the storyboard's: videos.scene_media_views.)

Lookups 404 for anything the user may not see; changes go through assets.services. An
upload refused for its size answers 413, any other refusal 400, with the reason on the
page; nothing is stored either way.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assets import samples, services
from assets.forms import AssetUploadForm
from assets.generators.replicate_provider import WebhookRefused, replicate_webhook_receive
from assets.models import MediaAsset
from assets.samples import SampleUnavailable
from assets.selectors import assets_uploaded_by, assets_visible_to, stock_library
from assets.upload_handlers import upload_refusal
from core.delivery import serve_stored_file
from core.errors import Conflict
from core.ratelimit import FormThrottle, retry_after, wait_in_words
from quotas.services import quota_usage

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
    return get_object_or_404(assets_visible_to(request.user), code=code)


# --- the file behind an asset ------------------------------------------------------------


def asset_download_name(asset: MediaAsset) -> str:
    """A generated name (never the uploader's): kind, short code, the content's extension."""
    ext = EXTENSIONS.get(asset.mime, "bin")
    return f"{asset.kind}-{asset.code.hex[:8]}.{ext}"


def asset_file_response(request: HttpRequest, asset: MediaAsset) -> HttpResponse:
    """The stored bytes with their own type, `nosniff`, and an inline disposition with a
    generated name (Range requests work, so clips seek)."""
    response = serve_stored_file(request, asset.file.name, content_type=asset.mime or "application/octet-stream")
    disposition = content_disposition_header(False, asset_download_name(asset))
    if response.status_code in (200, 206) and disposition:
        response["Content-Disposition"] = disposition
    return response


@login_required
@require_safe
def asset_file(request: HttpRequest, code) -> HttpResponse:
    return asset_file_response(request, _get_asset_for_user(request, code))


# --- My media ----------------------------------------------------------------------------


def _library_context(request: HttpRequest, *, form: AssetUploadForm | None = None, error: str = "") -> dict:
    show = request.GET.get("show", "")
    assets = assets_uploaded_by(request.user)
    if show in KIND_FILTERS:
        assets = assets.filter(kind__in=KIND_FILTERS[show])
    else:
        show = ""
    shown = list(assets.order_by("-created_at", "-pk")[:200])
    usages = services.asset_usages(assets=shown)
    return {
        # Each asset with where it is used.
        "assets": [(asset, usages[asset.pk]) for asset in shown],
        "stock": list(stock_library().order_by("kind", "label", "pk")[:200]),
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
    # The API's upload counter (UploadThrottle): pages and programs share one rate.
    throttle = FormThrottle.for_user("upload", request.user)
    wait = throttle.wait_seconds()
    if wait is not None:
        form.is_valid()
        form.errors.clear()
        form.add_error(None, f"You have uploaded many files in the last minute. Please wait {wait_in_words(wait)}.")
        response = render(request, "assets/list.html", _library_context(request, form=form), status=429)
        return retry_after(response, wait)
    throttle.hit()
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


# --- samples to hear before choosing ------------------------------------------------------


def _sample_response(request: HttpRequest, make) -> HttpResponse:
    try:
        name = make()
    except SampleUnavailable as exc:
        raise Http404(str(exc)) from exc
    response = serve_stored_file(request, name, content_type="audio/wav")
    # Samples only change with SAMPLE_VERSION (it is in the storage name).
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_safe
def voice_sample(request: HttpRequest, voice: str) -> HttpResponse:
    return _sample_response(request, lambda: samples.voice_sample(voice=voice))


@login_required
@require_safe
def music_sample(request: HttpRequest, bed: str) -> HttpResponse:
    return _sample_response(request, lambda: samples.music_sample(bed=bed))


# --- Replicate's webhooks --------------------------------------------------------------------


@csrf_exempt
@require_POST
def replicate_webhook(request: HttpRequest) -> HttpResponse:
    """Public: Replicate posts here when a prediction ends. The signature (and its
    timestamp) is checked before anything is read from the body; a webhook-id already
    seen is acknowledged and ignored."""
    try:
        outcome = replicate_webhook_receive(headers=request.headers, body=request.body)
    except WebhookRefused as exc:
        logger.warning("replicate webhook refused (%s): %s", exc.status, exc.message)
        return JsonResponse({"status": "refused", "message": exc.message}, status=exc.status)
    return JsonResponse({"status": outcome})
