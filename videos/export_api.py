"""REST API for a video's exports to another format or size: list, request (cached),
retrieve, download.
(Conventions as in videos.api: one view per operation, objects by `code` within
what the user may see, else 404.)
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status

from core.api_base import ApiView, FileApiView, Pagination, get_scoped_or_404
from core.api_errors import ConflictError, error_responses
from core.delivery import serve_stored_file
from videos import services
from videos.api import video_for_request
from videos.delivery_api import REDIRECT, download_name
from videos.models import Export
from videos.serializers import ExportCreateSerializer, ExportSerializer, export_status
from videos.video_metrics import counts_as_download, export_download_counted


def _export(request, code) -> Export:
    queryset = Export.objects.select_related("video", "job", "job__video")
    return get_scoped_or_404(request, queryset, code, "export", owner_field="video__owner")


class ExportListCreateApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["exports"],
        summary="A video's exports",
        responses={200: ExportSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code):
        video = video_for_request(request, code)
        exports = video.exports.select_related("video", "job", "job__video").order_by("format", "quality")
        return self.paginated(exports, ExportSerializer)

    @extend_schema(
        tags=["exports"],
        summary="Export the video to another format or size",
        description="Cached: asking for one that exists (made from the current master) answers 200 with it; "
        "otherwise an export job is queued and the answer is 202. An export is never larger than the master: "
        "a `quality` above the video's own is refused with 400. Rendering the video again keeps earlier "
        "exports, with `status: stale`, until they are asked for again.",
        request=ExportCreateSerializer,
        responses={
            200: ExportSerializer,
            202: ExportSerializer,
            **error_responses(400, 401, 404, 409, 415),
        },
    )
    def post(self, request, code):
        video = video_for_request(request, code)
        data = self.valid(ExportCreateSerializer)
        export = services.export_request(video=video, format=data["format"], quality=data["quality"])
        export = _export(request, export.code)
        ready = export_status(export) == "ready"
        return self.out(ExportSerializer, export, status=status.HTTP_200_OK if ready else status.HTTP_202_ACCEPTED)


class ExportDetailApi(ApiView):
    @extend_schema(
        tags=["exports"], summary="Retrieve an export", responses={200: ExportSerializer, **error_responses(401, 404)}
    )
    def get(self, request, code):
        return self.out(ExportSerializer, _export(request, code))


_EXPORT_TYPES: dict[str, str] = {
    Export.Format.MP4: "video/mp4",
    Export.Format.MOV: "video/quicktime",
    Export.Format.WEBM: "video/webm",
}


class ExportDownloadApi(FileApiView):
    @extend_schema(
        tags=["exports"],
        summary="Download an export (attachment)",
        responses={
            **{
                (200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The file")
                for media in _EXPORT_TYPES.values()
            },
            **{
                (206, media): OpenApiResponse(OpenApiTypes.BINARY, description="The requested byte range")
                for media in _EXPORT_TYPES.values()
            },
            302: REDIRECT,
            **error_responses(401, 404, 409, 416),
        },
    )
    def get(self, request, code):
        export = _export(request, code)
        if export_status(export) != "ready":
            raise ConflictError("This export is not ready; check its status.")
        media = _EXPORT_TYPES[export.format]
        name = download_name(export.video, export.format).replace(
            f".{export.format}", f"-{export.quality}.{export.format}"
        )
        response = serve_stored_file(request, export.file.name, content_type=media, download_name=name)
        if counts_as_download(request, response):
            export_download_counted(export=export)
        return response
