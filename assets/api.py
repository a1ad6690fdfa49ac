"""REST API for a creator's media assets: list, upload a picture, retrieve, delete, file."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from assets import services
from assets.models import MediaAsset
from contentizer_site.api_base import ApiView, FileApiView, Pagination, UploadThrottle, get_scoped_or_404, scoped
from contentizer_site.api_errors import ConflictError, error_responses
from videos.delivery import serve_stored_file
from videos.serializers import AssetListFilterSerializer, AssetSerializer, AssetUploadSerializer


def _asset(request, code) -> MediaAsset:
    return get_scoped_or_404(request, MediaAsset.objects.all(), code, "asset")


class AssetListCreateApi(ApiView):
    pagination_class = Pagination
    parser_classes = [MultiPartParser]

    def get_throttles(self):
        return [UploadThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["assets"],
        summary="List your media assets",
        parameters=[OpenApiParameter("kind", enum=MediaAsset.Kind.values, description="Only assets of this kind")],
        responses={200: AssetSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        filters = self.valid(AssetListFilterSerializer, request.query_params)
        assets = scoped(request, MediaAsset.objects.all())
        if "kind" in filters:
            assets = assets.filter(kind=filters["kind"])
        return self.paginated(assets.order_by("-created_at", "-pk"), AssetSerializer)

    @extend_schema(
        tags=["assets"],
        summary="Upload a picture",
        description="Multipart with a `file` part: a JPEG, PNG or WebP picture, checked by its content "
        "and stored re-encoded. Rate limited per user (429 with `Retry-After`).",
        request={"multipart/form-data": AssetUploadSerializer},
        parameters=[
            OpenApiParameter("Retry-After", OpenApiTypes.INT, location=OpenApiParameter.HEADER, response=[429])
        ],
        responses={201: AssetSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": ["Attach the picture as the `file` part."]})
        asset = services.asset_ingest_image(owner=request.user, upload=upload, field="file")
        return self.out(AssetSerializer, asset, status=status.HTTP_201_CREATED)


class AssetDetailApi(ApiView):
    @extend_schema(
        tags=["assets"], summary="Retrieve an asset", responses={200: AssetSerializer, **error_responses(401, 404)}
    )
    def get(self, request, code):
        return self.out(AssetSerializer, _asset(request, code))

    @extend_schema(
        tags=["assets"],
        summary="Delete an asset",
        description="Refused (409) while a scene or a video uses it.",
        responses={204: None, **error_responses(401, 404, 409)},
    )
    def delete(self, request, code):
        if not services.asset_delete_if_unused(asset=_asset(request, code)):
            raise ConflictError("A scene or a video still uses this asset; replace it there first.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssetFileApi(FileApiView):
    @extend_schema(
        tags=["assets"],
        summary="The asset's file",
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, with its own type"),
            (206, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The requested byte range"),
            302: OpenApiResponse(description="With S3/R2 storage: a redirect to a presigned URL"),
            416: OpenApiResponse(description="The requested range is outside the file"),
            **error_responses(401, 404),
        },
    )
    def get(self, request, code):
        asset = _asset(request, code)
        return serve_stored_file(request, asset.file.name, content_type=asset.mime)
