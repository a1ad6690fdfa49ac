"""Creator pages: library, new video, storyboard, job progress, the video page and the
files behind it.

Every object is looked up through a `_get_*_for_user` helper that 404s for anything that
is not the user's (staff see everything). Changes go through videos.services and
jobs.services. With HTMX a view answers with the fragment that changed; without
JavaScript the same URLs work as plain forms followed by a redirect.
"""

from __future__ import annotations

import uuid
import zlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from assets.models import MediaAsset
from assets.script_writing import script_writing_available
from assets.selectors import assets_uploaded_by, stock_library
from assets.upload_handlers import megabytes, upload_limit_bytes
from core.delivery import serve_stored_file
from core.errors import Conflict
from core.ratelimit import FormThrottle, creation_refusal, retry_after
from jobs.models import Job
from jobs.services import JobStateError, job_cancel, job_retry
from quotas.services import quota_usage
from videos import services
from videos.credits import credits_text, scene_credits, video_credits
from videos.forms import ExportForm, SceneAddForm, SceneForm, ScenePictureForm, ScriptTopicForm, VideoForm
from videos.job_display import job_fragment_context
from videos.models import CaptionPreset, Export, Project, Scene, Video, VideoJobKind
from videos.selectors import approval_submits_for_review, storyboard_state, video_duration_ms, videos_filtered
from videos.services.storyboard_document import picture_shown
from videos.video_metrics import counts_as_download, export_download_counted, video_download_counted

LIBRARY_PAGE_SIZE = 24

EXPORT_CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
CAPTION_FILES = {
    "vtt": ("captions_vtt", "text/vtt; charset=utf-8"),
    "srt": ("captions_srt", "application/x-subrip; charset=utf-8"),
}


# --- lookups: another user's object is a 404 ---------------------------------------------


def _visible_videos(request: HttpRequest) -> QuerySet[Video]:
    if request.user.is_staff:
        return Video.objects.all()
    return Video.objects.filter(owner=request.user)


def _get_video_for_user(request: HttpRequest, code) -> Video:
    return get_object_or_404(_visible_videos(request), code=code)


def _get_scene_for_user(request: HttpRequest, code) -> Scene:
    scenes = Scene.objects.select_related("video", "picture", "narration_audio")
    if not request.user.is_staff:
        scenes = scenes.filter(video__owner=request.user)
    return get_object_or_404(scenes, code=code)


def _get_job_for_user(request: HttpRequest, code) -> Job:
    # A video's jobs: a stand-alone picture or narration job has no page of its own here.
    jobs = Job.objects.select_related("video").filter(video__isnull=False)
    if not request.user.is_staff:
        jobs = jobs.filter(video__owner=request.user)
    return get_object_or_404(jobs, code=code)


def _get_export_for_user(request: HttpRequest, code) -> Export:
    exports = Export.objects.select_related("video", "job")
    if not request.user.is_staff:
        exports = exports.filter(video__owner=request.user)
    return get_object_or_404(exports, code=code)


def _wants_fragment(request: HttpRequest) -> bool:
    # A history-restore request needs the whole page, not the fragment it once swapped.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _file_version(name: str) -> str:
    """A short token that changes when a stored file is replaced (cache busting)."""
    return format(zlib.crc32(name.encode("utf-8")), "08x") if name else ""


# --- library -----------------------------------------------------------------------------


@login_required
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.filter(owner=request.user)
    status = request.GET.get("status", "")
    if status not in Video.Status.values:
        status = ""
    project = None
    project_code = request.GET.get("project", "")
    if project_code:
        try:
            project = projects.filter(code=project_code).first()
        except ValidationError:
            project = None
    videos = videos_filtered(
        Video.objects.filter(owner=request.user).select_related("project"),
        status=status,
        project_code=project.code if project is not None else None,
    )
    first_picture = Scene.objects.filter(video=OuterRef("pk"), picture__isnull=False).order_by("position")
    videos = videos.annotate(
        thumb_scene=Subquery(first_picture.values("code")[:1]),
        thumb_picture=Subquery(first_picture.values("picture_id")[:1]),
    )
    page = Paginator(videos, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    for video in page:
        video.poster_version = _file_version(video.poster.name)
        video.link = (
            reverse("videos-storyboard", kwargs={"code": video.code})
            if video.status in (Video.Status.STORYBOARDING, Video.Status.STORYBOARD)
            else video.get_absolute_url()
        )
    context = {
        "page": page,
        "quota": quota_usage(user=request.user),
        "projects": projects,
        "statuses": Video.Status.choices,
        "status": status,
        "project": project,
        "filtered": bool(status or project),
        "nav": "library",
    }
    template = "videos/_library_grid.html" if _wants_fragment(request) else "videos/library.html"
    return render(request, template, context)


# --- new video -----------------------------------------------------------------------------


def _creation_blockers(quota) -> list[str]:
    """Why a new video would be refused now (what video_create checks), in words."""
    reasons = []
    videos, jobs, storage = quota.videos_today, quota.jobs, quota.storage
    if videos.exhausted:
        reasons.append(
            f"You have made {videos.used_display} of {videos.limit_display} videos today; "
            f"you can make another from {videos.resets_at.day} {videos.resets_at:%b, %H:%M} UTC."
        )
    if jobs.exhausted:
        reasons.append(
            f"{jobs.used_display} of {jobs.limit_display} jobs are queued or running; "
            "wait for one to finish, or cancel one."
        )
    if storage.exhausted:
        reasons.append(
            f"Your storage is full ({storage.used_display} of {storage.limit_display}); "
            "delete videos or files to make room."
        )
    return reasons


def writer_context(form: ScriptTopicForm | None = None, **extra) -> dict:
    """What templates/videos/_script_writer.html needs ("Write it for me", videos/script_views.py)."""
    return {"writer_available": script_writing_available(), "writer_form": form or ScriptTopicForm(), **extra}


def new_video_page(
    request: HttpRequest, form: VideoForm, *, status: int = 200, extra: dict | None = None
) -> HttpResponse:
    quota = quota_usage(user=request.user)
    context = {
        **writer_context(),
        "form": form,
        "nav": "new",
        "quota": quota,
        "blockers": _creation_blockers(quota),
        "script_max_chars": settings.CONTENTIZER_SCRIPT_MAX_CHARS,
        **(extra or {}),
    }
    return render(request, "videos/new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def video_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return new_video_page(request, VideoForm(owner=request.user))
    form = VideoForm(request.POST, request.FILES, owner=request.user)
    # The API's creation counter (VideoCreateThrottle): only videos made count.
    throttle = FormThrottle.for_user("video_create", request.user)
    wait = throttle.wait_seconds()
    if wait is not None:
        form.is_valid()
        form.add_error(None, creation_refusal(wait))
        return retry_after(new_video_page(request, form, status=429), wait)
    if form.is_valid():
        new_project = form.cleaned_data["new_project"].strip()
        try:
            # One transaction: a refused video must not leave a new project behind.
            with transaction.atomic():
                project = form.cleaned_data["project"]
                if new_project:
                    project = services.project_get_or_create(owner=request.user, name=new_project)
                video = services.video_create(**form.service_kwargs(project=project))
                if preset_name := form.cleaned_data["save_caption_preset"].strip():
                    try:
                        services.caption_preset_save(
                            owner=request.user,
                            name=preset_name,
                            **{name: getattr(video, name) for name in CaptionPreset.FIELDS},
                        )
                    except ValidationError as exc:
                        raise ValidationError({"save_caption_preset": exc.messages}) from exc
        except ValidationError as exc:
            if new_project and "project" in exc.message_dict:
                exc = ValidationError({"new_project": exc.message_dict["project"]})
            form.add_service_errors(exc)
        except Conflict as exc:
            # A used-up quota: the form stays as it was, with the reason on top.
            form.add_error(None, str(exc))
            return new_video_page(request, form, status=409)
        else:
            throttle.hit()
            # "until-job-done": the page drops this message once the storyboard job ends.
            messages.success(
                request,
                "Your storyboard is on its way: each scene gets a picture and a narration.",
                extra_tags="until-job-done",
            )
            return redirect("videos-storyboard", code=video.code)
    return new_video_page(request, form, status=400)


# --- storyboard --------------------------------------------------------------------------------


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
    if _wants_fragment(request):
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
    video = _get_video_for_user(request, code)
    template = "videos/_storyboard_body.html" if _wants_fragment(request) else "videos/storyboard.html"
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
    video = _get_video_for_user(request, code)
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
    video = _get_video_for_user(request, code)
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
    template = "videos/_scene_candidates.html" if _wants_fragment(request) else "videos/scene_candidates.html"
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
    video = _get_video_for_user(request, code)
    try:
        services.storyboard_approve(video=video, user=request.user)
    except Conflict as exc:
        return storyboard_response(request, video, status=409, error=str(exc))
    if not _wants_fragment(request):
        if video.is_approved:
            messages.success(request, "Storyboard approved. You can render it now.")
        else:
            messages.success(request, "Storyboard sent to staff for approval.")
    return storyboard_response(request, video, anchor="storyboard-actions")


@login_required
@require_POST
def video_render(request: HttpRequest, code) -> HttpResponse:
    video = _get_video_for_user(request, code)
    try:
        # PermissionDenied (not approved) propagates: Django answers 403.
        job = services.render_request(video=video, user=request.user)
    except Conflict as exc:
        return storyboard_response(request, video, status=409, error=str(exc))
    url = reverse("videos-job", kwargs={"code": job.code})
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- jobs ----------------------------------------------------------------------------------------


@login_required
@require_safe
def job_detail(request: HttpRequest, code) -> HttpResponse:
    job = _get_job_for_user(request, code)
    return render(request, "videos/job.html", {"job": job, "video": job.video})


@login_required
@require_safe
def job_fragment(request: HttpRequest, code) -> HttpResponse:
    """The progress fragment alone: what the page polls when its websocket is down."""
    job = _get_job_for_user(request, code)
    return render(request, "videos/_job_progress.html", job_fragment_context(job))


def _job_action_response(request: HttpRequest, job: Job, *, error: str = "") -> HttpResponse:
    if _wants_fragment(request):
        job.refresh_from_db()
        context = {**job_fragment_context(job), "error": error}
        return render(request, "videos/_job_live.html", context, status=409 if error else 200)
    if error:
        messages.error(request, error)
    return redirect(_safe_next(request, reverse("videos-job", kwargs={"code": job.code})))


@login_required
@require_POST
def job_cancel_view(request: HttpRequest, code) -> HttpResponse:
    job = _get_job_for_user(request, code)
    try:
        job_cancel(job=job)
    except JobStateError as exc:
        return _job_action_response(request, job, error=str(exc))
    return _job_action_response(request, job)


@login_required
@require_POST
def job_retry_view(request: HttpRequest, code) -> HttpResponse:
    job = _get_job_for_user(request, code)
    try:
        job_retry(job=job)
    except (JobStateError, PermissionDenied) as exc:
        return _job_action_response(request, job, error=str(exc))
    return _job_action_response(request, job)


# --- the video page ----------------------------------------------------------------------------------


def _exports_context(video: Video, *, export_form: ExportForm | None = None, export_error: str = "") -> dict:
    exports = list(video.exports.select_related("job"))
    for export in exports:
        export.is_current = bool(export.file) and export.source_master == video.master.name
    return {
        "video": video,
        "exports": exports,
        "export_form": export_form or ExportForm(video=video),
        "export_error": export_error,
    }


def _detail_context(video: Video, **exports_extra) -> dict:
    video.refresh_from_db()
    jobs = video.jobs.filter(kind__in=(VideoJobKind.STORYBOARD, VideoJobKind.RENDER)).order_by("-created_at")
    latest = jobs.first()
    version = _file_version(video.master.name)
    return {
        **_exports_context(video, **exports_extra),
        "job": latest if latest is not None and not latest.status == Job.Status.SUCCEEDED else None,
        "has_active_job": latest is not None and latest.is_active,
        "stream_url": f"{reverse('videos-stream', kwargs={'code': video.code})}?v={version}",
        "poster_url": (
            f"{reverse('videos-poster', kwargs={'code': video.code})}?v={_file_version(video.poster.name)}"
            if video.poster
            else ""
        ),
        # The VTT is always the player's captions track (a screen reader, a player's own
        # caption settings, the words' times). Burned-in captions are in the picture already,
        # so the track is then off until the viewer switches it on.
        "vtt_url": (
            f"{reverse('videos-captions', kwargs={'code': video.code, 'fmt': 'vtt'})}?v={version}"
            if video.captions_vtt
            else ""
        ),
        "ready": video.status == Video.Status.READY and bool(video.master),
        "credits": video_credits(video),
    }


@login_required
@require_safe
def video_detail(request: HttpRequest, code) -> HttpResponse:
    video = _get_video_for_user(request, code)
    if _wants_fragment(request):
        # oob_status: the header badge outside the fragment follows the job too.
        return render(request, "videos/_video_main.html", {**_detail_context(video), "oob_status": True})
    return render(request, "videos/detail.html", _detail_context(video))


@login_required
@require_POST
def export_create(request: HttpRequest, code) -> HttpResponse:
    video = _get_video_for_user(request, code)
    form = ExportForm(request.POST, video=video)
    status, error = 200, ""
    if not form.is_valid():
        status = 400
    else:
        try:
            services.export_request(
                video=video, format=form.cleaned_data["format"], quality=form.cleaned_data["quality"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            status = 400
        except Conflict as exc:
            status, error = 409, str(exc)
        else:
            form = None
    if _wants_fragment(request):
        context = _exports_context(video, export_form=form, export_error=error)
        return render(request, "videos/_exports.html", context, status=status)
    if status != 200:
        context = _detail_context(video, export_form=form, export_error=error)
        return render(request, "videos/detail.html", context, status=status)
    return redirect(f"{video.get_absolute_url()}#exports")


@login_required
@require_http_methods(["GET", "POST"])
def video_delete(request: HttpRequest, code) -> HttpResponse:
    video = _get_video_for_user(request, code)
    if request.method != "POST":
        return render(request, "videos/delete.html", {"video": video})
    title = video.title
    services.video_delete(video=video)
    messages.success(request, f"Deleted “{title}” and all of its files.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("videos-library"))
    return redirect("videos-library")


# --- files -------------------------------------------------------------------------------------


def _download_name(video: Video, suffix: str) -> str:
    return f"{slugify(video.title) or 'video'}{suffix}"


@login_required
@require_safe
def video_stream(request: HttpRequest, code) -> HttpResponse:
    video = _get_video_for_user(request, code)
    if not video.master:
        raise Http404("This video has not been rendered yet.")
    return serve_stored_file(request, video.master.name, content_type="video/mp4")


@login_required
@require_safe
def video_download(request: HttpRequest, code) -> HttpResponse:
    video = _get_video_for_user(request, code)
    if not video.master:
        raise Http404("This video has not been rendered yet.")
    response = serve_stored_file(
        request, video.master.name, content_type="video/mp4", download_name=_download_name(video, ".mp4")
    )
    if counts_as_download(request, response):
        video_download_counted(video=video)
    return response


@login_required
@require_safe
def video_poster(request: HttpRequest, code) -> HttpResponse:
    video = _get_video_for_user(request, code)
    if not video.poster:
        raise Http404("This video has no poster yet.")
    return serve_stored_file(request, video.poster.name, content_type="image/jpeg")


@login_required
@require_safe
def video_captions(request: HttpRequest, code, fmt: str) -> HttpResponse:
    video = _get_video_for_user(request, code)
    if fmt not in CAPTION_FILES:
        raise Http404("Captions come as .vtt or .srt.")
    field, content_type = CAPTION_FILES[fmt]
    stored = getattr(video, field)
    if not stored:
        raise Http404("This video has no captions yet.")
    name = _download_name(video, f".{fmt}") if request.GET.get("download") else None
    # The player's <track> loads it: from this origin, even on object storage.
    return serve_stored_file(request, stored.name, content_type=content_type, download_name=name, same_origin=True)


@login_required
@require_safe
def export_download(request: HttpRequest, code) -> HttpResponse:
    export = _get_export_for_user(request, code)
    if not export.file or export.source_master != export.video.master.name:
        raise Http404("This export is not ready.")
    response = serve_stored_file(
        request,
        export.file.name,
        content_type=EXPORT_CONTENT_TYPES.get(export.format, "application/octet-stream"),
        download_name=_download_name(export.video, f"-{export.quality}.{export.format}"),
    )
    if counts_as_download(request, response):
        export_download_counted(export=export)
    return response


@login_required
@require_safe
def video_credits_download(request: HttpRequest, code) -> HttpResponse:
    """credits.txt: who made the video's credited pictures and clips, and their licences."""
    video = _get_video_for_user(request, code)
    response = HttpResponse(credits_text(video), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(video, "-credits.txt")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
