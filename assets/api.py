"""REST API for media assets: list, upload, retrieve, delete, file. (A scene's own media
is the storyboard's: videos.scene_media_api.)

Uploads are judged by their content (assets.services); one over the size limit is a
413, any other refusal a 400, and nothing is stored. The stock library is readable by
everyone (`?source=stock`) and changed only by staff, in admin.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from assets import services
from assets.models import MediaAsset
from assets.selectors import assets_visible_to, stock_library
from assets.serializers import AssetListFilterSerializer, AssetSerializer, AssetUploadSerializer
from assets.upload_handlers import upload_refusal
from assets.views import asset_file_response
from core.api_base import (
    ApiView,
    FileApiView,
    Pagination,
    UploadThrottle,
)
from core.api_errors import PayloadTooLarge, error_responses

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again",
)


def _asset(request, code) -> MediaAsset:
    asset = assets_visible_to(request.user).filter(code=code).first()
    if asset is None:
        raise exceptions.NotFound("No asset with this code is yours.")
    return asset


def upload_part(request, part: str):
    """The uploaded file part, or the reason it was refused while it arrived (413)."""
    refusal = upload_refusal(request)
    if refusal:
        raise PayloadTooLarge(refusal)
    upload = request.FILES.get(part)
    if upload is None:
        raise exceptions.ValidationError({part: [f"Attach the file as the `{part}` part."]})
    return upload


def refused_for_size(call):
    """Run an ingesting call; a refusal for the file's size becomes a 413."""
    from django.core.exceptions import ValidationError

    try:
        return call()
    except ValidationError as exc:
        if services.upload_too_large(exc):
            raise PayloadTooLarge(" ".join(exc.messages)) from exc
        raise


class AssetListCreateApi(ApiView):
    pagination_class = Pagination
    parser_classes = [MultiPartParser]

    def get_throttles(self):
        return [UploadThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["assets"],
        summary="List your media assets, or the stock library",
        parameters=[
            OpenApiParameter("kind", enum=MediaAsset.Kind.values, description="Only assets of this kind"),
            OpenApiParameter(
                "source",
                enum=MediaAsset.Source.values,
                description="`stock`: the stock library (everyone's); otherwise your own assets from this source",
            ),
        ],
        responses={200: AssetSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        filters = self.valid(AssetListFilterSerializer, request.query_params)
        if filters.get("source") == MediaAsset.Source.STOCK:
            assets = stock_library()
        else:
            assets = (
                MediaAsset.objects.all() if request.user.is_staff else MediaAsset.objects.filter(owner=request.user)
            )
            if "source" in filters:
                assets = assets.filter(source=filters["source"])
        if "kind" in filters:
            assets = assets.filter(kind=filters["kind"])
        return self.paginated(assets.order_by("-created_at", "-pk"), AssetSerializer)

    @extend_schema(
        tags=["assets"],
        summary="Upload a picture, a clip or a sound",
        description="Multipart with a `file` part: a picture (JPEG, PNG, WebP; stored re-encoded), a clip "
        "(MP4, MOV, WebM) or a sound (MP3, WAV, M4A), checked by its content, not its name: the extension "
        "must agree with the content, pictures must decode within the pixel limit, clips and sounds must "
        "probe and decode with a sane length. Over the size limit: 413. Refused uploads store nothing. "
        "Counts against your storage quota (429 `quota_exceeded`). Rate limited per user (429 with "
        "`Retry-After`).",
        request={"multipart/form-data": AssetUploadSerializer},
        parameters=[RETRY_AFTER],
        responses={201: AssetSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request):
        upload = upload_part(request, "file")
        asset = refused_for_size(lambda: services.asset_ingest_upload(owner=request.user, upload=upload, field="file"))
        return self.out(AssetSerializer, asset, status=status.HTTP_201_CREATED)


class AssetDetailApi(ApiView):
    @extend_schema(
        tags=["assets"],
        summary="Retrieve an asset",
        description="One of yours, or a stock item.",
        responses={200: AssetSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        return self.out(AssetSerializer, _asset(request, code))

    @extend_schema(
        tags=["assets"],
        summary="Delete an asset",
        description="Refused (409, naming where) while a scene or a video uses it; stock items can only "
        "be removed by staff (403).",
        responses={204: None, **error_responses(401, 403, 404, 409)},
    )
    def delete(self, request, code):
        services.asset_delete(asset=_asset(request, code), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssetFileApi(FileApiView):
    @extend_schema(
        tags=["assets"],
        summary="The asset's file",
        description="With its own `Content-Type`, `X-Content-Type-Options: nosniff` and an inline "
        "`Content-Disposition` with a generated name.",
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, with its own type"),
            (206, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The requested byte range"),
            302: OpenApiResponse(description="With S3/R2 storage: a redirect to a presigned URL"),
            **error_responses(401, 404, 416),
        },
    )
    def get(self, request, code):
        return asset_file_response(request, _asset(request, code))
