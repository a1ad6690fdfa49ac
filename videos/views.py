"""Creator pages: library, new video and the video page (its exports, deleting it); and the
lookups the other page modules share. The storyboard editor is in storyboard_views (a
scene's own media in scene_media_views), job progress in job_views, the files behind a
video in delivery_views, batches in batch_views, "Write it for me" in script_views.

Every object is looked up through a helper (`get_video_for_user` here, `_get_*_for_user`
in the others) that 404s for anything that is not the user's (staff see everything). Changes go through videos.services and
jobs.services. With HTMX a view answers with the fragment that changed; without
JavaScript the same URLs work as plain forms followed by a redirect.
"""

from __future__ import annotations

import zlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from assets.script_writing import script_writing_available
from core.errors import Conflict
from core.ratelimit import FormThrottle, creation_refusal, retry_after
from jobs.models import Job
from quotas.services import quota_usage
from videos import services
from videos.credits import video_credits
from videos.forms import ExportForm, ScriptTopicForm, VideoForm
from videos.models import CaptionPreset, Project, Scene, Video, VideoJobKind
from videos.selectors import video_masters, videos_filtered

LIBRARY_PAGE_SIZE = 24


# --- lookups: another user's object is a 404 ---------------------------------------------


def _visible_videos(request: HttpRequest) -> QuerySet[Video]:
    if request.user.is_staff:
        return Video.objects.all()
    return Video.objects.filter(owner=request.user.pk)


def get_video_for_user(request: HttpRequest, code) -> Video:
    return get_object_or_404(_visible_videos(request), code=code)


def wants_fragment(request: HttpRequest) -> bool:
    # A history-restore request needs the whole page, not the fragment it once swapped.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _file_version(name: str | None) -> str:
    """A short token that changes when a stored file is replaced (cache busting)."""
    return format(zlib.crc32(name.encode("utf-8")), "08x") if name else ""


# --- library -----------------------------------------------------------------------------


@login_required
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.filter(owner=request.user.pk)
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
        Video.objects.filter(owner=request.user.pk).select_related("project"),
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
    template = "videos/_library_grid.html" if wants_fragment(request) else "videos/library.html"
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
        "has_active_job": (latest is not None and latest.is_active)
        or video.jobs.filter(kind=VideoJobKind.RENDER_ASPECT, status__in=Job.ACTIVE).exists(),
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
        # The masters of its other aspects (9:16 beside a 16:9, ...), each with its own render.
        "other_masters": [master for master in video_masters(video) if not master.primary],
        # The aspects the page offers to add or remove (the video's own stays).
        "aspect_choices": [
            (value, label, value in video.aspects) for value, label in Video.Aspect.choices if value != video.aspect
        ],
    }


@login_required
@require_safe
def video_detail(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    if wants_fragment(request):
        # oob_status: the header badge outside the fragment follows the job too.
        return render(request, "videos/_video_main.html", {**_detail_context(video), "oob_status": True})
    return render(request, "videos/detail.html", _detail_context(video))


@login_required
@require_POST
def export_create(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
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
    if wants_fragment(request):
        context = _exports_context(video, export_form=form, export_error=error)
        return render(request, "videos/_exports.html", context, status=status)
    if status != 200:
        context = _detail_context(video, export_form=form, export_error=error)
        return render(request, "videos/detail.html", context, status=status)
    return redirect(f"{video.get_absolute_url()}#exports")


@login_required
@require_http_methods(["GET", "POST"])
def video_delete(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    if request.method != "POST":
        return render(request, "videos/delete.html", {"video": video})
    title = video.title
    services.video_delete(video=video)
    messages.success(request, f"Deleted “{title}” and all of its files.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("videos-library"))
    return redirect("videos-library")
