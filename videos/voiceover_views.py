"""The voiceover page (HTML): one recording of the whole script narrates every scene
(videos.services.video_use_voiceover, as the API and `make_video --voiceover` call it).

The lookup 404s for a video that is not the user's. An upload refused for its size answers
413, any other refusal (not sound, silent, not the script's words) 400, with the reason on
the page; nothing is stored either way. Done: back to the storyboard.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from assets.services import upload_too_large
from assets.upload_handlers import upload_refusal
from core.errors import Conflict
from videos import services
from videos.models import Video

TOO_LARGE = 413


def _get_video_for_user(request: HttpRequest, code) -> Video:
    videos = Video.objects.all()
    if not request.user.is_staff:
        videos = videos.filter(owner=request.user.pk)
    return get_object_or_404(videos, code=code)


def _page(request: HttpRequest, video: Video, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {"video": video, "scenes": video.scenes.order_by("position"), "error": error}
    return render(request, "videos/voiceover.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def video_voiceover(request: HttpRequest, code) -> HttpResponse:
    """GET: the form, with the scenes to read. POST (`voiceover`, a file): narrate the
    storyboard with it."""
    video = _get_video_for_user(request, code)
    if request.method == "GET":
        return _page(request, video)
    refusal = upload_refusal(request)
    if refusal:
        return _page(request, video, error=refusal, status=TOO_LARGE)
    upload = request.FILES.get("voiceover")
    if upload is None:
        return _page(request, video, error="Choose your recording of the whole script.", status=400)
    try:
        services.video_use_voiceover(video=video, upload=upload)
    except ValidationError as exc:
        status = TOO_LARGE if upload_too_large(exc) else 400
        return _page(request, video, error=" ".join(exc.messages), status=status)
    except Conflict as exc:
        return _page(request, video, error=str(exc), status=409)
    return redirect(reverse("videos-storyboard", kwargs={"code": video.code}))
