"""REST API for a video's storyboard: the document, its scenes (list, add, reorder, edit,
move, delete) and each scene's picture (regenerate, library candidates, pin an artwork,
replace). A scene's clip and recorded narration are in scene_media_api.
(Conventions as in videos.api: one view per operation, objects by `code` within
what the user may see, else 404.)
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from assets.api import RETRY_AFTER
from assets.models import MediaAsset
from core.api_base import ApiView, JsonOrUploadApi, Pagination, get_scoped_or_404
from core.api_errors import error_responses
from videos import services
from videos.api import video_for_request
from videos.models import Scene, Video, VideoJobKind
from videos.serializers import (
    PictureCandidateSerializer,
    SceneArtworkSerializer,
    SceneCreateSerializer,
    SceneMoveSerializer,
    SceneOrderSerializer,
    ScenePictureSerializer,
    ScenePictureUploadSerializer,
    SceneRefinedSerializer,
    SceneSerializer,
    SceneUpdateSerializer,
    StoryboardSerializer,
)


def _scene(request, code) -> Scene:
    queryset = Scene.objects.select_related("video", "picture", "narration_audio")
    return get_scoped_or_404(request, queryset, code, "scene", owner_field="video__owner")


class VideoStoryboardApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="The storyboard: each scene's words, times and what its picture shows",
        description="Each scene's narration and picture words, where it sits in the rendered video "
        "(`start_ms`/`end_ms`, laid out as the render lays it out: a scene starts a crossfade before the "
        "previous one ends; null while a scene has no length yet) and its `picture`: `source`, `depicts` "
        "(what the artwork itself shows, main subject first) and `credit`. `make_video` writes the same "
        "JSON to NAME.storyboard.json.",
        responses={200: StoryboardSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        return self.out(StoryboardSerializer, services.storyboard_document(video=video_for_request(request, code)))


class SceneListCreateApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["storyboard"],
        summary="A video's scenes, in order",
        responses={200: SceneSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code):
        video = video_for_request(request, code)
        scenes = video.scenes.select_related("video", "picture", "narration_audio").order_by("position")
        return self.paginated(scenes, SceneSerializer)

    @extend_schema(
        tags=["storyboard"],
        summary="Add a scene",
        description="At the end, or after the scene `after`. Its media is made by a storyboard job; "
        "the approval is withdrawn.",
        request=SceneCreateSerializer,
        responses={201: SceneSerializer, **error_responses(400, 401, 404, 409, 415)},
    )
    def post(self, request, code):
        video = video_for_request(request, code)
        data = self.valid(SceneCreateSerializer)
        after = None
        if data.get("after"):
            after = video.scenes.filter(code=data["after"]).first()
            if after is None:
                raise exceptions.ValidationError({"after": ["No scene of this video has this code."]})
        scene = services.scene_add(
            video=video, narration=data["narration"], visual_prompt=data["visual_prompt"], after=after
        )
        return self.out(SceneSerializer, _scene(request, scene.code), status=status.HTTP_201_CREATED)


class SceneOrderApi(ApiView):
    # The answer is the first page of the new order, the same shape as GET .../scenes.
    pagination_class = Pagination

    @extend_schema(
        tags=["storyboard"],
        summary="Reorder all scenes",
        description="Answers the scenes in their new order, paginated like `GET /videos/{code}/scenes`.",
        request=SceneOrderSerializer,
        responses={200: SceneSerializer(many=True), **error_responses(400, 401, 404, 409, 415)},
    )
    def put(self, request, code):
        video = video_for_request(request, code)
        data = self.valid(SceneOrderSerializer)
        services.scenes_reorder(video=video, order=data["scenes"])
        scenes = video.scenes.select_related("video", "picture", "narration_audio").order_by("position")
        return self.paginated(scenes, SceneSerializer)


class SceneDetailApi(ApiView):
    @extend_schema(
        tags=["storyboard"], summary="Retrieve a scene", responses={200: SceneSerializer, **error_responses(401, 404)}
    )
    def get(self, request, code):
        return self.out(SceneSerializer, _scene(request, code))

    @extend_schema(
        tags=["storyboard"],
        summary="Edit a scene's narration or visual prompt",
        description="Changed text gets new narration (and a changed prompt a new picture) from a storyboard "
        "job; the approval is withdrawn.",
        request=SceneUpdateSerializer,
        responses={200: SceneSerializer, **error_responses(400, 401, 404, 409, 415)},
    )
    def patch(self, request, code):
        scene = _scene(request, code)
        data = self.valid(SceneUpdateSerializer)
        services.scene_update(scene=scene, narration=data.get("narration"), visual_prompt=data.get("visual_prompt"))
        return self.out(SceneSerializer, _scene(request, code))

    @extend_schema(
        tags=["storyboard"],
        summary="Delete a scene",
        responses={204: None, **error_responses(401, 404, 409)},
    )
    def delete(self, request, code):
        services.scene_delete(scene=_scene(request, code))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SceneMoveApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Move a scene up or down by one",
        request=SceneMoveSerializer,
        responses={200: SceneSerializer, **error_responses(400, 401, 404, 409, 415)},
    )
    def post(self, request, code):
        scene = _scene(request, code)
        data = self.valid(SceneMoveSerializer)
        services.scene_move(scene=scene, offset=data["offset"])
        return self.out(SceneSerializer, _scene(request, code))


class SceneRefineApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Regenerate a scene's picture",
        description="A new picture with a new seed, made by a storyboard job. At most a few per video "
        "(`refinements_limit`); after that 409.",
        request=None,
        responses={202: SceneRefinedSerializer, **error_responses(401, 404, 409)},
    )
    def post(self, request, code):
        services.scene_refine_picture(scene=_scene(request, code))
        return self.out(SceneRefinedSerializer, _refined(request, code), status=status.HTTP_202_ACCEPTED)


def _refined(request, code) -> dict:
    """After a scene's picture was asked for again: the scene, the job making it, the refinements left."""
    scene = _scene(request, code)
    video = Video.objects.get(pk=scene.video_id)
    return {
        "scene": scene,
        "job": video.jobs.filter(kind=VideoJobKind.STORYBOARD).order_by("-created_at").first(),
        "refinements_used": video.refinements_used,
        "refinements_left": max(settings.CONTENTIZER_MAX_REFINEMENTS - video.refinements_used, 0),
    }


class ScenePictureCandidatesApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Library artworks that could show the scene",
        description="The best matches of the scene's picture words in the offline artwork library, best "
        "first (at most 6), in the video's artwork style where it has some: each `id` can be pinned with "
        "`POST /scenes/{code}/artwork`. Empty for videos whose pictures are not drawn from the library "
        "(stock, Replicate) or when the library is not installed.",
        responses={200: PictureCandidateSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code):
        candidates = services.scene_picture_candidates(scene=_scene(request, code))
        return Response(PictureCandidateSerializer(candidates, many=True).data)


class SceneArtworkApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Pin a library artwork as the scene's picture",
        description='`{"artwork": id}` with an `id` from `picture-candidates`: a storyboard job draws the '
        "scene's picture again with that artwork, counted like a refinement (409 when none is left). An empty, "
        "over-long (over 200 characters) or unknown id is a 400 naming `artwork`, and nothing changes. "
        "Editing the scene's `visual_prompt` removes the pin.",
        request=SceneArtworkSerializer,
        responses={202: SceneRefinedSerializer, **error_responses(400, 401, 404, 409, 415)},
    )
    def post(self, request, code):
        scene = _scene(request, code)
        data = self.valid(SceneArtworkSerializer)
        services.scene_artwork_choose(scene=scene, artwork=data["artwork"])
        return self.out(SceneRefinedSerializer, _refined(request, code), status=status.HTTP_202_ACCEPTED)


class ScenePictureApi(JsonOrUploadApi):
    @extend_schema(
        tags=["storyboard"],
        summary="Replace a scene's picture",
        description='JSON `{"asset": code}` uses one of your image assets; a multipart upload (`file`) '
        "is checked by content (JPEG, PNG or WebP) and stored first. Uploads are rate limited.",
        request={"application/json": ScenePictureSerializer, "multipart/form-data": ScenePictureUploadSerializer},
        parameters=[RETRY_AFTER],
        responses={200: SceneSerializer, **error_responses(400, 401, 404, 409, 415, 429)},
    )
    def put(self, request, code):
        scene = _scene(request, code)
        if self.is_upload(request):
            upload = request.FILES.get("file")
            if upload is None:
                raise exceptions.ValidationError({"file": ["Attach the picture as the `file` part."]})
            services.scene_upload_picture(scene=scene, upload=upload)
        else:
            data = self.valid(ScenePictureSerializer)
            asset = MediaAsset.objects.filter(owner=scene.video.owner, code=data["asset"]).first()
            if asset is None:
                raise exceptions.ValidationError({"asset": ["No asset with this code is yours."]})
            services.scene_replace_picture(scene=scene, asset=asset)
        return self.out(SceneSerializer, _scene(request, code))
