"""REST API for a rendered video's files: the stream (HTTP Range), the download, the
poster, the captions (WebVTT, SRT) and the credits of its pictures and clips.
(Conventions as in videos.api: one view per operation, objects by `code` within
what the user may see, else 404.)
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from core.api_base import ApiView, FileApiView
from core.api_errors import ConflictError, error_responses
from core.delivery import serve_stored_file
from videos.api import video_for_request
from videos.credits import credits_licences, credits_text, video_credits
from videos.models import Video
from videos.selectors import MasterFiles, video_master
from videos.serializers import VideoCreditsSerializer
from videos.video_metrics import counts_as_download, master_download_counted, video_download_counted

REDIRECT = OpenApiResponse(description="With S3/R2 storage: a redirect to a short-lived presigned URL")


def _file_responses(media_type: str, *, ranges: bool = False) -> dict:
    responses: dict[Any, OpenApiResponse] = {
        (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file")
    }
    if ranges:
        responses[(206, media_type)] = OpenApiResponse(
            OpenApiTypes.BINARY, description="The requested byte range (`Range: bytes=start-end`)"
        )
        responses.update(error_responses(416))
    responses[302] = REDIRECT
    responses.update(error_responses(401, 404, 409))
    return responses


def _rendered(video: Video) -> None:
    if not video.master:
        raise ConflictError("The video has not been rendered yet.")


def download_name(video: Video, ext: str) -> str:
    stem = "".join(c if c.isalnum() or c in " -_" else "_" for c in video.title).strip() or "video"
    return f"{stem[:80]}.{ext}"


class VideoStreamApi(FileApiView):
    @extend_schema(
        tags=["delivery"],
        summary="Stream the video (HTTP Range)",
        description="Answers `Range: bytes=...` with 206 and `Content-Range`, an unsatisfiable range "
        "with 416, and no Range with the whole file; `Accept-Ranges: bytes` always.",
        responses=_file_responses("video/mp4", ranges=True),
    )
    def get(self, request, code):
        video = video_for_request(request, code)
        _rendered(video)
        return serve_stored_file(request, video.master.name, content_type="video/mp4")


class VideoDownloadApi(FileApiView):
    @extend_schema(
        tags=["delivery"],
        summary="Download the video (attachment)",
        responses=_file_responses("video/mp4", ranges=True),
    )
    def get(self, request, code):
        video = video_for_request(request, code)
        _rendered(video)
        response = serve_stored_file(
            request, video.master.name, content_type="video/mp4", download_name=download_name(video, "mp4")
        )
        if counts_as_download(request, response):
            video_download_counted(video=video)
        return response


class VideoPosterApi(FileApiView):
    @extend_schema(tags=["delivery"], summary="The poster image", responses=_file_responses("image/jpeg"))
    def get(self, request, code):
        video = video_for_request(request, code)
        if not video.poster:
            raise ConflictError("The video has not been rendered yet.")
        return serve_stored_file(request, video.poster.name, content_type="image/jpeg")


class VideoCaptionsVttApi(FileApiView):
    @extend_schema(tags=["delivery"], summary="Captions as WebVTT", responses=_file_responses("text/vtt"))
    def get(self, request, code):
        video = video_for_request(request, code)
        if not video.captions_vtt:
            raise ConflictError("The video has not been rendered yet.")
        return serve_stored_file(
            request, video.captions_vtt.name, content_type="text/vtt", download_name=download_name(video, "vtt")
        )


class VideoCaptionsSrtApi(FileApiView):
    @extend_schema(tags=["delivery"], summary="Captions as SRT", responses=_file_responses("application/x-subrip"))
    def get(self, request, code):
        video = video_for_request(request, code)
        if not video.captions_srt:
            raise ConflictError("The video has not been rendered yet.")
        return serve_stored_file(
            request,
            video.captions_srt.name,
            content_type="application/x-subrip",
            download_name=download_name(video, "srt"),
        )


# --- each aspect's master ("16x9", "9x16", "1x1"; the video's own included) ---------------


def _master_for_request(request, code, aspect: str) -> tuple[Video, MasterFiles]:
    video = video_for_request(request, code)
    master = video_master(video, aspect)
    if master is None:
        raise NotFound("This video is not made in that aspect.")
    return video, master


def _master_file(master: MasterFiles, field: str):
    stored = getattr(master, field)
    if not stored:
        raise ConflictError("This aspect has not been rendered yet.")
    return stored


class VideoMasterStreamApi(FileApiView):
    @extend_schema(
        tags=["delivery"],
        summary="Stream one aspect's master (HTTP Range)",
        description="`aspect` is written 16x9, 9x16 or 1x1 (the video's `masters[].aspect` with x "
        "for the colon); Range as for the video's stream.",
        responses=_file_responses("video/mp4", ranges=True),
    )
    def get(self, request, code, aspect):
        _video, master = _master_for_request(request, code, aspect)
        return serve_stored_file(request, _master_file(master, "file").name, content_type="video/mp4")


class VideoMasterDownloadApi(FileApiView):
    @extend_schema(
        tags=["delivery"],
        summary="Download one aspect's master (attachment)",
        responses=_file_responses("video/mp4", ranges=True),
    )
    def get(self, request, code, aspect):
        video, master = _master_for_request(request, code, aspect)
        stem = download_name(video, "mp4").removesuffix(".mp4")
        response = serve_stored_file(
            request,
            _master_file(master, "file").name,
            content_type="video/mp4",
            download_name=f"{stem}.{aspect}.mp4",
        )
        if counts_as_download(request, response):
            master_download_counted(row=master.row)
        return response


class VideoMasterPosterApi(FileApiView):
    @extend_schema(tags=["delivery"], summary="One aspect's poster image", responses=_file_responses("image/jpeg"))
    def get(self, request, code, aspect):
        _video, master = _master_for_request(request, code, aspect)
        return serve_stored_file(request, _master_file(master, "poster").name, content_type="image/jpeg")


class VideoMasterCaptionsVttApi(FileApiView):
    @extend_schema(tags=["delivery"], summary="One aspect's captions as WebVTT", responses=_file_responses("text/vtt"))
    def get(self, request, code, aspect):
        video, master = _master_for_request(request, code, aspect)
        stem = download_name(video, "vtt").removesuffix(".vtt")
        return serve_stored_file(
            request,
            _master_file(master, "captions_vtt").name,
            content_type="text/vtt",
            download_name=f"{stem}.{aspect}.vtt",
        )


class VideoMasterCaptionsSrtApi(FileApiView):
    @extend_schema(
        tags=["delivery"], summary="One aspect's captions as SRT", responses=_file_responses("application/x-subrip")
    )
    def get(self, request, code, aspect):
        video, master = _master_for_request(request, code, aspect)
        stem = download_name(video, "srt").removesuffix(".srt")
        return serve_stored_file(
            request,
            _master_file(master, "captions_srt").name,
            content_type="application/x-subrip",
            download_name=f"{stem}.{aspect}.srt",
        )


class _PlainTextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Errors keep their JSON body, even for a client that asked for text.
        return (data if isinstance(data, str) else json.dumps(data)).encode("utf-8")


class VideoCreditsApi(ApiView):
    renderer_classes = [JSONRenderer, _PlainTextRenderer]

    @extend_schema(
        tags=["delivery"],
        summary="Credits of the video's pictures and clips",
        description="Who made each credited picture or clip (online stock items, artwork under an "
        "attribution licence), its source and licence, and `credits.txt` as `text`. With "
        "`Accept: text/plain` the answer is that text alone.",
        responses={
            (200, "application/json"): VideoCreditsSerializer,
            (200, "text/plain"): OpenApiTypes.STR,
            **error_responses(401, 404),
        },
    )
    def get(self, request, code):
        video = video_for_request(request, code)
        items = video_credits(video)
        text = credits_text(video, items)
        if request.accepted_renderer.format == "txt":
            return Response(text, content_type="text/plain; charset=utf-8")
        body = {
            "items": [{**item.as_dict(), "line": item.line()} for item in items],
            "licences": [{"name": name, "url": url} for name, url in credits_licences(items)],
            "text": text,
        }
        return self.out(VideoCreditsSerializer, body)
