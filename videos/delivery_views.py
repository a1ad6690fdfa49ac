"""The files behind a video page: the stream (HTTP Range), the download, the poster, the
captions, an export's download and credits.txt.

Lookups 404 for anything the user may not see (videos.views); a file not made yet is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from core.delivery import serve_stored_file
from videos.credits import credits_text
from videos.models import Export, Video
from videos.selectors import MasterFiles, video_master
from videos.video_metrics import (
    counts_as_download,
    export_download_counted,
    master_download_counted,
    video_download_counted,
)
from videos.views import get_video_for_user

EXPORT_CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
CAPTION_FILES = {
    "vtt": ("captions_vtt", "text/vtt; charset=utf-8"),
    "srt": ("captions_srt", "application/x-subrip; charset=utf-8"),
}


def _get_export_for_user(request: HttpRequest, code) -> Export:
    exports = Export.objects.select_related("video", "job")
    if not request.user.is_staff:
        exports = exports.filter(video__owner=request.user.pk)
    return get_object_or_404(exports, code=code)


def _download_name(video: Video, suffix: str) -> str:
    return f"{slugify(video.title) or 'video'}{suffix}"


@login_required
@require_safe
def video_stream(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    if not video.master:
        raise Http404("This video has not been rendered yet.")
    return serve_stored_file(request, video.master.name, content_type="video/mp4")


@login_required
@require_safe
def video_download(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
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
    video = get_video_for_user(request, code)
    if not video.poster:
        raise Http404("This video has no poster yet.")
    return serve_stored_file(request, video.poster.name, content_type="image/jpeg")


@login_required
@require_safe
def video_captions(request: HttpRequest, code, fmt: str) -> HttpResponse:
    video = get_video_for_user(request, code)
    if fmt not in CAPTION_FILES:
        raise Http404("Captions come as .vtt or .srt.")
    field, content_type = CAPTION_FILES[fmt]
    stored = getattr(video, field)
    if not stored:
        raise Http404("This video has no captions yet.")
    name = _download_name(video, f".{fmt}") if request.GET.get("download") else None
    # The player's <track> loads it: from this origin, even on object storage.
    return serve_stored_file(request, stored.name, content_type=content_type, download_name=name, same_origin=True)


def _get_master_for_user(request: HttpRequest, code, aspect: str) -> tuple[Video, MasterFiles]:
    """One aspect's master ("9x16") of a video the user may see; 404 for anything else."""
    video = get_video_for_user(request, code)
    master = video_master(video, aspect)
    if master is None:
        raise Http404("This video is not made in that aspect.")
    return video, master


@login_required
@require_safe
def master_stream(request: HttpRequest, code, aspect: str) -> HttpResponse:
    _video, master = _get_master_for_user(request, code, aspect)
    if not master.file:
        raise Http404("This aspect has not been rendered yet.")
    return serve_stored_file(request, master.file.name, content_type="video/mp4")


@login_required
@require_safe
def master_download(request: HttpRequest, code, aspect: str) -> HttpResponse:
    video, master = _get_master_for_user(request, code, aspect)
    if not master.file:
        raise Http404("This aspect has not been rendered yet.")
    response = serve_stored_file(
        request, master.file.name, content_type="video/mp4", download_name=_download_name(video, f"-{aspect}.mp4")
    )
    if counts_as_download(request, response):
        master_download_counted(row=master.row)
    return response


@login_required
@require_safe
def master_poster(request: HttpRequest, code, aspect: str) -> HttpResponse:
    _video, master = _get_master_for_user(request, code, aspect)
    if not master.poster:
        raise Http404("This aspect has no poster yet.")
    return serve_stored_file(request, master.poster.name, content_type="image/jpeg")


@login_required
@require_safe
def master_captions(request: HttpRequest, code, aspect: str, fmt: str) -> HttpResponse:
    video, master = _get_master_for_user(request, code, aspect)
    if fmt not in CAPTION_FILES:
        raise Http404("Captions come as .vtt or .srt.")
    field, content_type = CAPTION_FILES[fmt]
    stored = getattr(master, field)
    if not stored:
        raise Http404("This aspect has no captions yet.")
    name = _download_name(video, f"-{aspect}.{fmt}") if request.GET.get("download") else None
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
    video = get_video_for_user(request, code)
    response = HttpResponse(credits_text(video), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(video, "-credits.txt")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
