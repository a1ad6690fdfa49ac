"""The front door: a signed-in creator's "/" is their library; a stranger's is a page that
says what Contentizer is, shows a video it made, and links to sign up and log in."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from videos.views import library

# Rendered by `make_video` from a three-sentence script, offline, at 480p (under 1 MB).
SAMPLE_VIDEO = Path("examples") / "sample.mp4"


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return library(request)
    return redirect("landing")


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("videos-library")
    return render(request, "landing.html", {"nav": "landing"})


@require_safe
def sample_video(request: HttpRequest) -> FileResponse:
    path = Path(settings.BASE_DIR) / SAMPLE_VIDEO
    if not path.is_file():
        raise Http404("No sample video.")
    response = FileResponse(path.open("rb"), content_type="video/mp4")
    response["Cache-Control"] = "public, max-age=86400"
    return response
