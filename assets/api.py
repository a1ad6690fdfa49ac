"""REST API for media assets (list, upload, retrieve, delete, file) and a scene's own
media (a clip instead of the picture, a recording instead of synthesised speech).

Uploads are judged by their content (assets.services); one over the size limit is a
413, any other refusal a 400, and nothing is stored. The stock library is readable by
everyone (`?source=stock`) and changed only by staff, in admin.
"""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from assets import services
from assets.models import MediaAsset
from assets.upload_handlers import upload_refusal
from assets.views import asset_file_response
from contentizer_site.api_base import (
    ApiView,
    FileApiView,
    JsonOrUploadApi,
    Pagination,
    UploadThrottle,
    get_scoped_or_404,
)
from contentizer_site.api_errors import PayloadTooLarge, error_responses
from contentizer_site.api_fields import StrictChoiceField, StrictUUIDField
from videos import scene_media
from videos.models import Scene
from videos.serializers import AssetListFilterSerializer, AssetSerializer, AssetUploadSerializer, SceneSerializer

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again",
)


def _asset(request, code) -> MediaAsset:
    asset = services.assets_visible_to(request.user).filter(code=code).first()
    if asset is None:
        raise exceptions.NotFound("No asset with this code is yours.")
    return asset


def _scene(request, code) -> Scene:
    queryset = Scene.objects.select_related("video", "picture", "narration_audio", "clip")
    return get_scoped_or_404(request, queryset, code, "scene", owner_field="video__owner")


def _usable(scene: Scene, code) -> MediaAsset | None:
    owner = scene.video.owner
    return MediaAsset.objects.filter(Q(owner=owner) | Q(source=MediaAsset.Source.STOCK), code=code).first()


def _upload(request, part: str):
    """The uploaded file part, or the reason it was refused while it arrived (413)."""
    refusal = upload_refusal(request)
    if refusal:
        raise PayloadTooLarge(refusal)
    upload = request.FILES.get(part)
    if upload is None:
        raise exceptions.ValidationError({part: [f"Attach the file as the `{part}` part."]})
    return upload


def _refused_for_size(call):
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
            assets = MediaAsset.objects.filter(source=MediaAsset.Source.STOCK)
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
        upload = _upload(request, "file")
        asset = _refused_for_size(lambda: services.asset_ingest_upload(owner=request.user, upload=upload, field="file"))
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
            416: OpenApiResponse(description="The requested range is outside the file"),
            **error_responses(401, 404),
        },
    )
    def get(self, request, code):
        return asset_file_response(request, _asset(request, code))


# --- a scene's own media -------------------------------------------------------------------


class SceneClipSerializer(serializers.Serializer):
    asset = StrictUUIDField(help_text="Code of one of your video clips, or of a stock clip")
    clip_audio = StrictChoiceField(
        choices=Scene.ClipAudio.choices, default=Scene.ClipAudio.DROP, help_text="Drop or mix the clip's own sound"
    )


class SceneClipUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An MP4, MOV or WebM clip (checked by content)")
    clip_audio = serializers.ChoiceField(choices=Scene.ClipAudio.choices, default=Scene.ClipAudio.DROP)


class SceneNarrationSerializer(serializers.Serializer):
    asset = StrictUUIDField(help_text="Code of one of your sound files")


class SceneNarrationUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An MP3, WAV or M4A recording (checked by content)")


class SceneClipApi(JsonOrUploadApi):
    @extend_schema(
        tags=["storyboard"],
        summary="Show a clip in a scene",
        description='JSON `{"asset": code, "clip_audio": "drop"|"mix"}` uses one of your clips (or a stock '
        "clip); a multipart upload (`file`, `clip_audio`) is checked by content and stored first. The clip "
        "is trimmed or looped to the scene; its sound is dropped or mixed in. Withdraws the approval.",
        request={"application/json": SceneClipSerializer, "multipart/form-data": SceneClipUploadSerializer},
        parameters=[RETRY_AFTER],
        responses={200: SceneSerializer, **error_responses(400, 401, 404, 409, 415, 429)},
    )
    def put(self, request, code):
        scene = _scene(request, code)
        if JsonOrUploadApi.is_upload(request):
            upload = _upload(request, "file")
            audio = request.data.get("clip_audio") or Scene.ClipAudio.DROP
            if audio not in Scene.ClipAudio.values:
                raise exceptions.ValidationError({"clip_audio": ["Choose `drop` or `mix`."]})
            _refused_for_size(lambda: scene_media.scene_upload_clip(scene=scene, upload=upload, audio=audio))
        else:
            data = self.valid(SceneClipSerializer)
            asset = _usable(scene, data["asset"])
            if asset is None:
                raise exceptions.ValidationError({"asset": ["No clip with this code is yours."]})
            scene_media.scene_use_clip(scene=scene, asset=asset, audio=data["clip_audio"])
        return self.out(SceneSerializer, _scene(request, code))

    @extend_schema(
        tags=["storyboard"],
        summary="Remove a scene's clip",
        description="The scene shows its picture again; the clip stays in your media.",
        responses={200: SceneSerializer, **error_responses(401, 404, 409)},
    )
    def delete(self, request, code):
        scene_media.scene_remove_clip(scene=_scene(request, code))
        return self.out(SceneSerializer, _scene(request, code))


class SceneNarrationApi(JsonOrUploadApi):
    @extend_schema(
        tags=["storyboard"],
        summary="Narrate a scene with a recording",
        description='JSON `{"asset": code}` uses one of your sound files; a multipart upload (`file`) is '
        "checked by content and stored first. It replaces the synthesised speech and the scene takes its "
        "length; the narration text stays as the caption. Withdraws the approval.",
        request={"application/json": SceneNarrationSerializer, "multipart/form-data": SceneNarrationUploadSerializer},
        parameters=[RETRY_AFTER],
        responses={200: SceneSerializer, **error_responses(400, 401, 404, 409, 415, 429)},
    )
    def put(self, request, code):
        scene = _scene(request, code)
        if JsonOrUploadApi.is_upload(request):
            upload = _upload(request, "file")
            _refused_for_size(lambda: scene_media.scene_upload_narration(scene=scene, upload=upload))
        else:
            data = self.valid(SceneNarrationSerializer)
            asset = _usable(scene, data["asset"])
            if asset is None:
                raise exceptions.ValidationError({"asset": ["No sound file with this code is yours."]})
            scene_media.scene_use_narration(scene=scene, asset=asset)
        return self.out(SceneSerializer, _scene(request, code))

    @extend_schema(
        tags=["storyboard"],
        summary="Go back to synthesised speech",
        description="The scene is narrated from its text again (a storyboard job makes the speech).",
        responses={200: SceneSerializer, **error_responses(401, 404, 409)},
    )
    def delete(self, request, code):
        scene_media.scene_use_speech(scene=_scene(request, code))
        return self.out(SceneSerializer, _scene(request, code))
