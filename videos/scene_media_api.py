"""REST API for a scene's own media: a clip instead of the picture, a recording instead
of synthesised speech. Uploads are judged by their content (assets.services); one over
the size limit is a 413, any other refusal a 400, and nothing is stored."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers

from assets.api import RETRY_AFTER, refused_for_size, upload_part
from assets.selectors import asset_usable_by
from core.api_base import JsonOrUploadApi, get_scoped_or_404
from core.api_errors import error_responses
from core.api_fields import StrictChoiceField, StrictUUIDField
from videos import services
from videos.models import Scene
from videos.serializers import SceneSerializer


def _scene(request, code) -> Scene:
    queryset = Scene.objects.select_related("video", "picture", "narration_audio", "clip")
    return get_scoped_or_404(request, queryset, code, "scene", owner_field="video__owner")


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
            upload = upload_part(request, "file")
            audio = request.data.get("clip_audio") or Scene.ClipAudio.DROP
            if audio not in Scene.ClipAudio.values:
                raise exceptions.ValidationError({"clip_audio": ["Choose `drop` or `mix`."]})
            refused_for_size(lambda: services.scene_upload_clip(scene=scene, upload=upload, audio=audio))
        else:
            data = self.valid(SceneClipSerializer)
            asset = asset_usable_by(scene.video.owner_id, data["asset"])
            if asset is None:
                raise exceptions.ValidationError({"asset": ["No clip with this code is yours."]})
            services.scene_use_clip(scene=scene, asset=asset, audio=data["clip_audio"])
        return self.out(SceneSerializer, _scene(request, code))

    @extend_schema(
        tags=["storyboard"],
        summary="Remove a scene's clip",
        description="The scene shows its picture again; the clip stays in your media.",
        responses={200: SceneSerializer, **error_responses(401, 404, 409)},
    )
    def delete(self, request, code):
        services.scene_remove_clip(scene=_scene(request, code))
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
            upload = upload_part(request, "file")
            refused_for_size(lambda: services.scene_upload_narration(scene=scene, upload=upload))
        else:
            data = self.valid(SceneNarrationSerializer)
            asset = asset_usable_by(scene.video.owner_id, data["asset"])
            if asset is None:
                raise exceptions.ValidationError({"asset": ["No sound file with this code is yours."]})
            services.scene_use_narration(scene=scene, asset=asset)
        return self.out(SceneSerializer, _scene(request, code))

    @extend_schema(
        tags=["storyboard"],
        summary="Go back to synthesised speech",
        description="The scene is narrated from its text again (a storyboard job makes the speech).",
        responses={200: SceneSerializer, **error_responses(401, 404, 409)},
    )
    def delete(self, request, code):
        services.scene_use_speech(scene=_scene(request, code))
        return self.out(SceneSerializer, _scene(request, code))
