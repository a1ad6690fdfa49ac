"""REST API for a creator's caption presets: list, save by name, delete.
(Conventions as in videos.api: one view per operation, objects by `code` within
what the user may see, else 404.)
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.api_base import ApiView, Pagination, get_scoped_or_404, scoped
from core.api_errors import error_responses
from videos import services
from videos.models import CaptionPreset
from videos.serializers import CaptionPresetInputSerializer, CaptionPresetSerializer


class CaptionPresetListCreateApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["caption presets"],
        summary="List your caption presets",
        responses={200: CaptionPresetSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request):
        presets = scoped(request, CaptionPreset.objects.all()).order_by("name", "pk")
        return self.paginated(presets, CaptionPresetSerializer)

    @extend_schema(
        tags=["caption presets"],
        summary="Save a caption preset",
        description="A caption style and look under a name; a name you already use is replaced (200). "
        "Apply it to a new video with `caption_preset`.",
        request=CaptionPresetInputSerializer,
        responses={201: CaptionPresetSerializer, 200: CaptionPresetSerializer, **error_responses(400, 401, 415)},
    )
    def post(self, request):
        data = self.valid(CaptionPresetInputSerializer)
        existed = CaptionPreset.objects.filter(owner=request.user, name=data["name"].strip()).exists()
        preset = services.caption_preset_save(owner=request.user, **data)
        return self.out(
            CaptionPresetSerializer, preset, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class CaptionPresetDetailApi(ApiView):
    @extend_schema(
        tags=["caption presets"],
        summary="Delete a caption preset",
        description="Videos made with it keep their look.",
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request, code):
        preset = get_scoped_or_404(request, CaptionPreset.objects.all(), code, "caption preset")
        services.caption_preset_delete(preset=preset)
        return Response(status=status.HTTP_204_NO_CONTENT)
