"""The video page's other aspects: choosing them again, and rendering one alone
(videos.services.aspects). Each answers with the video page (a message says what happened)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.errors import Conflict
from videos import services
from videos.options import Aspect
from videos.views import get_video_for_user


def _back(video) -> HttpResponse:
    return redirect(f"{video.get_absolute_url()}#masters")


@login_required
@require_POST
def video_aspects(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    others = request.POST.getlist("other_aspects")
    # In Aspect's order, the video's own first (the service refuses anything else in words).
    aspects = [video.aspect, *(a for a in Aspect.values if a in others and a != video.aspect)]
    aspects += [a for a in others if a not in Aspect.values]
    try:
        services.video_aspects_set(video=video, aspects=aspects)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"This video is made in {', '.join(video.aspects)}.")
    return _back(video)


@login_required
@require_POST
def master_render(request: HttpRequest, code, aspect: str) -> HttpResponse:
    video = get_video_for_user(request, code)
    try:
        services.master_render_request(video=video, aspect=aspect.replace("x", ":"), user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    except Conflict as exc:  # a used-up quota included
        messages.error(request, str(exc))
    return _back(video)
