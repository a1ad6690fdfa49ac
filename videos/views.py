"""HTML views. The creator pages are built out in the web issue; this module holds
the video detail route that Video.get_absolute_url names."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from videos.models import Video


def _get_video_for_user(request: HttpRequest, code) -> Video:
    videos = Video.objects.all() if request.user.is_staff else Video.objects.filter(owner=request.user)
    return get_object_or_404(videos, code=code)


@login_required
def video_detail(request: HttpRequest, code) -> HttpResponse:
    video = _get_video_for_user(request, code)
    return render(request, "videos/detail.html", {"video": video})
