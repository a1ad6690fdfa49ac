"""The storyboard editor (HTML): the page, each scene's text, order, deletion, picture
(regenerate, library artwork, upload), adding scenes, approval and the render request.
A scene's clip, recorded narration and media choice are in scene_media_views, which
answers through `storyboard_response` too.

Lookups 404 for anything the user may not see (videos.views); changes go through
videos.services. With HTMX the answer is the storyboard body; without JavaScript the
same URLs work as plain forms followed by a redirect.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from assets.models import MediaAsset
from assets.selectors import assets_uploaded_by, stock_library
from assets.upload_handlers import megabytes, upload_limit_bytes
from core.delivery import serve_stored_file
from core.errors import Conflict
from jobs.models import Job
from videos import services
from videos.credits import scene_credits
from videos.forms import SceneAddForm, SceneForm, ScenePictureForm
from videos.models import Scene, Video
from videos.selectors import approval_submits_for_review, storyboard_state, video_duration_ms
from videos.services.storyboard_document import picture_shown
from videos.views import get_video_for_user, wants_fragment


def _get_scene_for_user(request: HttpRequest, code) -> Scene:
    scenes = Scene.objects.select_related("video", "picture", "narration_audio")
    if not request.user.is_staff:
        scenes = scenes.filter(video__owner=request.user.pk)
    return get_object_or_404(scenes, code=code)


def _storyboard_context(
    video: Video,
    *,
    user=None,
    failed_scene: Scene | None = None,
    scene_errors: dict | None = None,
    scene_values: dict | None = None,
    add_form: SceneAddForm | None = None,
    error: str = "",
) -> dict:
    video.refresh_from_db()
    scenes = list(video.scenes.select_related("picture", "narration_audio", "clip").order_by("position"))
    for scene in scenes:
        scene.picture_version = scene.picture.code.hex[:10] if scene.picture else ""
        scene.credits = scene_credits(scene)
        # What the picture shows ("Picture: lighthouse, building"), as the API and the file say it.
        scene.shown = picture_shown(scene.picture)
        if failed_scene is not None and scene.pk == failed_scene.pk:
            scene.form_errors = scene_errors or {}
            scene.form_values = scene_values or {}
    state = storyboard_state(video, scenes)
    storyboard_job = state.storyboard_job
    show_job = storyboard_job is not None and (
        state.building or storyboard_job.status in (Job.Status.FAILED, Job.Status.CANCELED)
    )
    limit = settings.CONTENTIZER_MAX_REFINEMENTS
    # Where staff must approve, a creator's "approve" submits the storyboard for review.
    submits = user is not None and approval_submits_for_review(user)
    return {
        "video": video,
        "scenes": scenes,
        "submits": submits,
        "pending": video.approval == Video.Approval.PENDING,
        "storyboard_job": storyboard_job if show_job else None,
        "render_job": state.render_job,
        "locked": state.locked,
        "building": state.building or state.missing_media,
        "complete": state.complete,
        "can_approve": state.can_approve(video, submits=submits),
        "can_render": state.can_render(video),
        "total_ms": video_duration_ms(video, [s.duration_ms for s in scenes]) if state.complete else None,
        "refinements_used": video.refinements_used,
        "refinements_limit": limit,
        "refinements_left": max(limit - video.refinements_used, 0),
        "estimated_cost": services.video_estimated_cost(video=video),
        "actual_cost": video.jobs.aggregate(total=Sum("actual_cost"))["total"] or 0,
        **_storyboard_media_context(video),
        "add_form": add_form or SceneAddForm(),
        "error": error,
        "has_active_job": state.building or state.locked,
        # Library artwork can be chosen only where the pictures are drawn from it.
        "artwork_choice": video.visuals == Video.Visuals.GENERATED,
    }


def _storyboard_media_context(video: Video) -> dict:
    """What the scene controls offer: the owner's pictures, clips and sounds, and the stock
    library's pictures and clips."""
    mine = assets_uploaded_by(video.owner).order_by("-created_at", "-pk")
    stock = stock_library().order_by("label", "pk")
    visual = (MediaAsset.Kind.IMAGE, MediaAsset.Kind.VIDEO)
    return {
        "upload_limit": megabytes(upload_limit_bytes()),
        "my_visuals": list(mine.filter(kind__in=visual)[:100]),
        "my_sounds": list(mine.filter(kind__in=(MediaAsset.Kind.AUDIO, MediaAsset.Kind.MUSIC))[:100]),
        "stock_visuals": list(stock.filter(kind__in=visual)[:100]),
    }


def storyboard_response(
    request: HttpRequest, video: Video, *, status: int = 200, anchor: str = "", **extra
) -> HttpResponse:
    """After a storyboard change: the storyboard body for HTMX, the page with its errors
    for a refused plain form, a redirect back to the page otherwise."""
    if wants_fragment(request):
        context = _storyboard_context(video, user=request.user, **extra)
        return render(request, "videos/_storyboard_body.html", context, status=status)
    if status >= 400:
        context = _storyboard_context(video, user=request.user, **extra)
        return render(request, "videos/storyboard.html", context, status=status)
    url = reverse("videos-storyboard", kwargs={"code": video.code})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_safe
def storyboard(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    template = "videos/_storyboard_body.html" if wants_fragment(request) else "videos/storyboard.html"
    return render(request, template, _storyboard_context(video, user=request.user))


@login_required
@require_POST
def scene_update(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    form = SceneForm(request.POST)
    form.is_valid()
    # A field left out of the request is left unchanged; one sent empty is an error.
    narration = form.cleaned_data["narration"] if "narration" in request.POST else None
    prompt = form.cleaned_data["visual_prompt"] if "visual_prompt" in request.POST else None
    try:
        services.scene_update(scene=scene, narration=narration, visual_prompt=prompt)
    except ValidationError as exc:
        values = {"narration": narration, "visual_prompt": prompt}
        return storyboard_response(
            request,
            scene.video,
            status=400,
            failed_scene=scene,
            scene_errors=exc.message_dict,
            scene_values=values,
        )
    except Conflict as exc:
        return storyboard_response(request, scene.video, status=409, error=str(exc))
    return storyboard_response(request, scene.video, anchor=f"scene-{scene.code}")


@login_required
@require_POST
def scene_move(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        return storyboard_response(request, scene.video, status=400, error="Move a scene up or down.")
    try:
        services.scene_move(scene=scene, offset=offset)
    except Conflict as exc:
        return storyboard_response(request, scene.video, status=409, error=str(exc))
    return storyboard_response(request, scene.video, anchor=f"scene-{scene.code}")


def _scene_codes(request: HttpRequest) -> list[uuid.UUID] | None:
    """The new order: `order` repeated, or one comma-separated `order` (the page's drag and
    drop sends that); None when a code is not a UUID."""
    raw = [part for value in request.POST.getlist("order") for part in value.split(",") if part.strip()]
    try:
        return [uuid.UUID(part.strip()) for part in raw]
    except ValueError:
        return None


@login_required
@require_POST
def scenes_reorder(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    order = _scene_codes(request)
    if order is None:
        return storyboard_response(request, video, status=400, error="List every scene of this video once.")
    try:
        services.scenes_reorder(video=video, order=order)
    except ValidationError as exc:
        return storyboard_response(request, video, status=400, error=" ".join(exc.messages))
    except Conflict as exc:
        return storyboard_response(request, video, status=409, error=str(exc))
    return storyboard_response(request, video, anchor="storyboard-actions")


@login_required
@require_POST
def scene_delete(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    try:
        services.scene_delete(scene=scene)
    except Conflict as exc:
        return storyboard_response(request, scene.video, status=409, error=str(exc))
    return storyboard_response(request, scene.video)


@login_required
@require_POST
def scene_add(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    form = SceneAddForm(request.POST)
    form.is_valid()
    after = None
    if request.POST.get("after"):
        try:
            after = video.scenes.filter(code=request.POST["after"]).first()
        except ValidationError:
            after = None
    try:
        scene = services.scene_add(
            video=video,
            narration=form.cleaned_data["narration"],
            visual_prompt=form.cleaned_data["visual_prompt"],
            after=after,
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return storyboard_response(request, video, status=400, add_form=form)
    except Conflict as exc:
        return storyboard_response(request, video, status=409, error=str(exc))
    return storyboard_response(request, video, anchor=f"scene-{scene.code}")


@login_required
@require_POST
def scene_refine(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    try:
        services.scene_refine_picture(scene=scene)
    except Conflict as exc:
        return storyboard_response(request, scene.video, status=409, error=str(exc))
    return storyboard_response(request, scene.video, anchor=f"scene-{scene.code}")


@login_required
@require_safe
def scene_candidates(request: HttpRequest, code) -> HttpResponse:
    """The library artworks that could show a scene, to pin one: loaded into the scene when
    its "Choose the picture" opens (HTMX), or a page of its own without JavaScript."""
    scene = _get_scene_for_user(request, code)
    context = {
        "scene": scene,
        "video": scene.video,
        "candidates": services.scene_picture_candidates(scene=scene),
        "refinements_left": max(settings.CONTENTIZER_MAX_REFINEMENTS - scene.video.refinements_used, 0),
    }
    template = "videos/_scene_candidates.html" if wants_fragment(request) else "videos/scene_candidates.html"
    return render(request, template, context)


@login_required
@require_POST
def scene_artwork(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    try:
        services.scene_artwork_choose(scene=scene, artwork=request.POST.get("artwork", ""))
    except ValidationError as exc:
        return storyboard_response(
            request, scene.video, status=400, failed_scene=scene, scene_errors=exc.message_dict, scene_values={}
        )
    except Conflict as exc:
        return storyboard_response(request, scene.video, status=409, error=str(exc))
    return storyboard_response(request, scene.video, anchor=f"scene-{scene.code}")


@login_required
@require_POST
def scene_picture(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    form = ScenePictureForm(request.POST, request.FILES)
    errors: dict = {}
    if form.is_valid():
        try:
            services.scene_upload_picture(scene=scene, upload=form.cleaned_data["picture"])
        except ValidationError as exc:
            errors = exc.message_dict
        except Conflict as exc:
            return storyboard_response(request, scene.video, status=409, error=str(exc))
    else:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    if errors:
        return storyboard_response(
            request, scene.video, status=400, failed_scene=scene, scene_errors=errors, scene_values={}
        )
    return storyboard_response(request, scene.video, anchor=f"scene-{scene.code}")


@login_required
@require_safe
def scene_image(request: HttpRequest, code) -> HttpResponse:
    scene = _get_scene_for_user(request, code)
    if scene.picture is None:
        raise Http404("This scene has no picture yet.")
    return serve_stored_file(request, scene.picture.file.name, content_type=scene.picture.mime or "image/jpeg")


@login_required
@require_POST
def storyboard_approve(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    try:
        services.storyboard_approve(video=video, user=request.user)
    except Conflict as exc:
        return storyboard_response(request, video, status=409, error=str(exc))
    if not wants_fragment(request):
        if video.is_approved:
            messages.success(request, "Storyboard approved. You can render it now.")
        else:
            messages.success(request, "Storyboard sent to staff for approval.")
    return storyboard_response(request, video, anchor="storyboard-actions")


@login_required
@require_POST
def video_render(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    try:
        # PermissionDenied (not approved) propagates: Django answers 403.
        job = services.render_request(video=video, user=request.user)
    except Conflict as exc:
        return storyboard_response(request, video, status=409, error=str(exc))
    url = reverse("videos-job", kwargs={"code": job.code})
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
