"""A video's job pages (HTML): progress (live over a websocket, or the polled fragment),
cancel and retry.

Lookups 404 for anything the user may not see; changes go through jobs.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from jobs.models import Job
from jobs.services import JobStateError, job_cancel, job_retry
from videos.job_display import job_fragment_context
from videos.models import VideoJobKind, VideoMaster
from videos.views import wants_fragment


def _get_job_for_user(request: HttpRequest, code) -> Job:
    # A video's jobs: a stand-alone picture or narration job has no page of its own here.
    jobs = Job.objects.select_related("video").filter(video__isnull=False)
    if not request.user.is_staff:
        jobs = jobs.filter(video__owner=request.user.pk)
    return get_object_or_404(jobs, code=code)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_safe
def job_detail(request: HttpRequest, code) -> HttpResponse:
    job = _get_job_for_user(request, code)
    # The render of another aspect says which (its master's frame, not the video's own).
    master = VideoMaster.objects.filter(job=job).first() if job.kind == VideoJobKind.RENDER_ASPECT else None
    return render(request, "videos/job.html", {"job": job, "video": job.video, "master": master})


@login_required
@require_safe
def job_fragment(request: HttpRequest, code) -> HttpResponse:
    """The progress fragment alone: what the page polls when its websocket is down."""
    job = _get_job_for_user(request, code)
    return render(request, "videos/_job_progress.html", job_fragment_context(job))


def _job_action_response(request: HttpRequest, job: Job, *, error: str = "") -> HttpResponse:
    if wants_fragment(request):
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
