"""REST API for videos, their storyboards, delivery files, exports and projects.

One view per URL, named `<Entity><Action>Api`; every operation calls a service in
videos/services.py. Objects are found by their UUID `code` within what the requesting
user may see (their own; staff: all), else 404.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, Sum
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from assets.models import MediaAsset
from core.api_base import (
    ApiView,
    FileApiView,
    JsonOrUploadApi,
    Pagination,
    VideoCreateThrottle,
    get_scoped_or_404,
    scoped,
)
from core.api_errors import ConflictError, error_responses
from core.delivery import serve_stored_file
from jobs.models import Job
from jobs.registry import job_kind_choices
from jobs.serializers import JobListFilterSerializer, JobSerializer
from videos import services
from videos.credits import credits_licences, credits_text, video_credits
from videos.models import CaptionPreset, Export, Project, Scene, Video, VideoJobKind
from videos.selectors import batch_progress, batches_with_progress, videos_filtered
from videos.serializers import (
    BatchCreateSerializer,
    BatchSerializer,
    BatchUploadSerializer,
    CaptionPresetInputSerializer,
    CaptionPresetSerializer,
    ExportCreateSerializer,
    ExportSerializer,
    PictureCandidateSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
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
    VideoCostSerializer,
    VideoCreatedSerializer,
    VideoCreateSerializer,
    VideoCreditsSerializer,
    VideoListFilterSerializer,
    VideoSerializer,
    export_status,
)
from videos.video_metrics import counts_as_download, export_download_counted, video_download_counted


def _videos():
    return Video.objects.select_related("project", "music_asset").prefetch_related(
        Prefetch("jobs", queryset=Job.objects.order_by("-created_at"))
    )


def _video(request, code) -> Video:
    return get_scoped_or_404(request, _videos(), code, "video")


def _scene(request, code) -> Scene:
    queryset = Scene.objects.select_related("video", "picture", "narration_audio")
    return get_scoped_or_404(request, queryset, code, "scene", owner_field="video__owner")


def _project(request, code) -> Project:
    return get_scoped_or_404(request, Project.objects.all(), code, "project")


def _export(request, code) -> Export:
    queryset = Export.objects.select_related("video", "job", "job__video")
    return get_scoped_or_404(request, queryset, code, "export", owner_field="video__owner")


def _jobs_page(view: ApiView, jobs):
    filters = view.valid(JobListFilterSerializer, view.request.query_params)
    if "status" in filters:
        jobs = jobs.filter(status=filters["status"])
    if "kind" in filters:
        jobs = jobs.filter(kind=filters["kind"])
    return view.paginated(jobs.select_related("video").order_by("-created_at", "-pk"), JobSerializer)


JOB_FILTERS = [
    OpenApiParameter("status", enum=Job.Status.values, description="Only jobs in this status"),
    OpenApiParameter("kind", enum=[name for name, _label in job_kind_choices()], description="Only jobs of this kind"),
]
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again",
)
REDIRECT = OpenApiResponse(description="With S3/R2 storage: a redirect to a short-lived presigned URL")


def _file_responses(media_type: str, *, ranges: bool = False) -> dict:
    responses = {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file")}
    if ranges:
        responses[(206, media_type)] = OpenApiResponse(
            OpenApiTypes.BINARY, description="The requested byte range (`Range: bytes=start-end`)"
        )
        responses.update(error_responses(416))
    responses[302] = REDIRECT
    responses.update(error_responses(401, 404, 409))
    return responses


# --- videos -------------------------------------------------------------------------------


class VideoListCreateApi(ApiView):
    pagination_class = Pagination

    def get_throttles(self):
        return [VideoCreateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["videos"],
        summary="List videos",
        parameters=[
            OpenApiParameter("status", enum=Video.Status.values, description="Only videos in this status"),
            OpenApiParameter("project", OpenApiTypes.UUID, description="Only videos in this project (code)"),
        ],
        responses={200: VideoSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        filters = self.valid(VideoListFilterSerializer, request.query_params)
        videos = scoped(request, _videos()).annotate(num_scenes=Count("scenes"))
        videos = videos_filtered(videos, status=filters.get("status", ""), project_code=filters.get("project"))
        return self.paginated(videos, VideoSerializer)

    @extend_schema(
        tags=["videos"],
        summary="Create a video from a script",
        description="Validates the script and options, splits the script into scenes and queues the "
        "storyboard job that makes each scene's narration and picture. Answers 202 with the video and "
        "that job. Limited to a few creations per minute per user (429 with `Retry-After`).",
        request=VideoCreateSerializer,
        parameters=[RETRY_AFTER],
        responses={202: VideoCreatedSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request):
        data = dict(self.valid(VideoCreateSerializer))
        project_code = data.pop("project", None)
        asset_code = data.pop("music_asset", None)
        project = None
        if project_code:
            project = scoped(request, Project.objects.all()).filter(code=project_code).first()
            if project is None:
                raise exceptions.ValidationError({"project": ["No project with this code is yours."]})
        music_asset = None
        if asset_code:
            # Your own sound files, or the stock library's music.
            music_asset = MediaAsset.objects.filter(
                Q(owner=request.user) | Q(source=MediaAsset.Source.STOCK), code=asset_code
            ).first()
            if music_asset is None:
                raise exceptions.ValidationError({"music_asset": ["No asset with this code is yours."]})
        video = services.video_create(owner=request.user, project=project, music_asset=music_asset, **data)
        video = _videos().get(pk=video.pk)
        job = video.jobs.filter(kind=VideoJobKind.STORYBOARD).order_by("-created_at").first()
        body = VideoCreatedSerializer({"video": video, "job": job}, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["video"]["links"]["self"]})


class VideoDetailApi(ApiView):
    @extend_schema(
        tags=["videos"],
        summary="Retrieve a video",
        description="Status, the current job's stage and progress, approval, probed metadata and links.",
        responses={200: VideoSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        return self.out(VideoSerializer, _video(request, code))

    @extend_schema(
        tags=["videos"],
        summary="Delete a video",
        description="Cancels its running jobs and removes its files from storage.",
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request, code):
        services.video_delete(video=_video(request, code))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoApproveApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Approve the storyboard",
        request=None,
        responses={200: VideoSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request, code):
        video = services.storyboard_approve(video=_video(request, code), user=request.user)
        return self.out(VideoSerializer, _videos().get(pk=video.pk))


class VideoRenderApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Render the video",
        description="Queues the render of an approved storyboard (403 when it is not approved). "
        "Asking again while a render is queued or running answers the same job.",
        request=None,
        responses={202: JobSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request, code):
        job = services.render_request(video=_video(request, code), user=request.user)
        return self.out(JobSerializer, job, status=status.HTTP_202_ACCEPTED)


class VideoCostApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Estimated and actual cost",
        responses={200: VideoCostSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        video = _video(request, code)
        spent = video.jobs.aggregate(total=Sum("actual_cost"))["total"] or Decimal("0")
        body = {
            "currency": "USD",
            "estimated_cost": services.video_estimated_cost(video=video),
            "actual_cost": spent,
        }
        return self.out(VideoCostSerializer, body)


class VideoJobListApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["jobs"],
        summary="A video's jobs",
        parameters=JOB_FILTERS,
        responses={200: JobSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request, code):
        video = _video(request, code)
        return _jobs_page(self, Job.objects.filter(video=video))


# --- storyboard scenes ----------------------------------------------------------------------


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
        return self.out(StoryboardSerializer, services.storyboard_document(video=_video(request, code)))


class SceneListCreateApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["storyboard"],
        summary="A video's scenes, in order",
        responses={200: SceneSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code):
        video = _video(request, code)
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
        video = _video(request, code)
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
        video = _video(request, code)
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


# --- delivery -------------------------------------------------------------------------------


def _rendered(video: Video) -> None:
    if not video.master:
        raise ConflictError("The video has not been rendered yet.")


def _download_name(video: Video, ext: str) -> str:
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
        video = _video(request, code)
        _rendered(video)
        return serve_stored_file(request, video.master.name, content_type="video/mp4")


class VideoDownloadApi(FileApiView):
    @extend_schema(
        tags=["delivery"],
        summary="Download the video (attachment)",
        responses=_file_responses("video/mp4", ranges=True),
    )
    def get(self, request, code):
        video = _video(request, code)
        _rendered(video)
        response = serve_stored_file(
            request, video.master.name, content_type="video/mp4", download_name=_download_name(video, "mp4")
        )
        if counts_as_download(request, response):
            video_download_counted(video=video)
        return response


class VideoPosterApi(FileApiView):
    @extend_schema(tags=["delivery"], summary="The poster image", responses=_file_responses("image/jpeg"))
    def get(self, request, code):
        video = _video(request, code)
        if not video.poster:
            raise ConflictError("The video has not been rendered yet.")
        return serve_stored_file(request, video.poster.name, content_type="image/jpeg")


class VideoCaptionsVttApi(FileApiView):
    @extend_schema(tags=["delivery"], summary="Captions as WebVTT", responses=_file_responses("text/vtt"))
    def get(self, request, code):
        video = _video(request, code)
        if not video.captions_vtt:
            raise ConflictError("The video has not been rendered yet.")
        return serve_stored_file(
            request, video.captions_vtt.name, content_type="text/vtt", download_name=_download_name(video, "vtt")
        )


class VideoCaptionsSrtApi(FileApiView):
    @extend_schema(tags=["delivery"], summary="Captions as SRT", responses=_file_responses("application/x-subrip"))
    def get(self, request, code):
        video = _video(request, code)
        if not video.captions_srt:
            raise ConflictError("The video has not been rendered yet.")
        return serve_stored_file(
            request,
            video.captions_srt.name,
            content_type="application/x-subrip",
            download_name=_download_name(video, "srt"),
        )


# --- exports --------------------------------------------------------------------------------


class ExportListCreateApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["exports"],
        summary="A video's exports",
        responses={200: ExportSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code):
        video = _video(request, code)
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
        video = _video(request, code)
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


_EXPORT_TYPES = {
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
        name = _download_name(export.video, export.format).replace(
            f".{export.format}", f"-{export.quality}.{export.format}"
        )
        response = serve_stored_file(request, export.file.name, content_type=media, download_name=name)
        if counts_as_download(request, response):
            export_download_counted(export=export)
        return response


# --- projects -------------------------------------------------------------------------------


def _projects(request):
    return scoped(request, Project.objects.annotate(num_videos=Count("videos")))


class ProjectListCreateApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["projects"],
        summary="List projects",
        responses={200: ProjectSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request):
        return self.paginated(_projects(request).order_by("name", "pk"), ProjectSerializer)

    @extend_schema(
        tags=["projects"],
        summary="Create a project",
        request=ProjectInputSerializer,
        responses={201: ProjectSerializer, **error_responses(400, 401, 415)},
    )
    def post(self, request):
        data = self.valid(ProjectInputSerializer)
        project = services.project_create(owner=request.user, name=data["name"])
        return self.out(ProjectSerializer, _projects(request).get(pk=project.pk), status=status.HTTP_201_CREATED)


class ProjectDetailApi(ApiView):
    @extend_schema(
        tags=["projects"], summary="Retrieve a project", responses={200: ProjectSerializer, **error_responses(401, 404)}
    )
    def get(self, request, code):
        return self.out(ProjectSerializer, get_scoped_or_404(request, _projects(request), code, "project"))

    @extend_schema(
        tags=["projects"],
        summary="Rename a project",
        request=ProjectInputSerializer,
        responses={200: ProjectSerializer, **error_responses(400, 401, 404, 415)},
    )
    def patch(self, request, code):
        project = _project(request, code)
        data = self.valid(ProjectInputSerializer)
        services.project_rename(project=project, name=data["name"])
        return self.out(ProjectSerializer, _projects(request).get(pk=project.pk))

    @extend_schema(
        tags=["projects"],
        summary="Delete a project",
        description="Its videos stay, outside any project.",
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request, code):
        services.project_delete(project=_project(request, code))
        return Response(status=status.HTTP_204_NO_CONTENT)


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


class ProjectVideoListApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["projects"],
        summary="The videos in a project",
        responses={200: VideoSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code):
        project = _project(request, code)
        videos = _videos().filter(project=project).annotate(num_scenes=Count("scenes"))
        return self.paginated(videos.order_by("-created_at", "-pk"), VideoSerializer)


class ProjectJobListApi(ApiView):
    pagination_class = Pagination

    @extend_schema(
        tags=["projects"],
        summary="The jobs of the videos in a project",
        parameters=JOB_FILTERS,
        responses={200: JobSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request, code):
        project = _project(request, code)
        return _jobs_page(self, Job.objects.filter(video__project=project))


# --- credits -----------------------------------------------------------------------------


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
        video = _video(request, code)
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


# --- batches --------------------------------------------------------------------------------


class BatchListCreateApi(JsonOrUploadApi):
    pagination_class = Pagination

    def get_throttles(self):
        # A batch is one creation for the throttle (each row still counts against the quotas).
        return [VideoCreateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["batches"],
        summary="Your batches, newest first",
        responses={200: BatchSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request):
        batches = scoped(request, batches_with_progress()).order_by("-created_at", "-pk")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(batches, request, view=self)
        data = BatchSerializer([batch_progress(b) for b in page], many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        tags=["batches"],
        summary="Make many videos from one file",
        description="A multipart upload (`file`: CSV with a header row, or JSONL with one object per line; "
        'optional `name`) or JSON `{"name", "rows": [...]}`. Each row takes the options of POST /videos '
        "(`script` required, `title` defaults to the batch name and the row number). Every row is checked "
        "first: one 400 names every problem as `rows.<n>.<field>` (n = 1 for the first video) and nothing is "
        "created. The whole batch must fit your quotas (videos per day, concurrent jobs: one storyboard job "
        "per video), else 429 and nothing is created. Then 202 with the batch; each video is an ordinary "
        "video with its own storyboard job.",
        request={"application/json": BatchCreateSerializer, "multipart/form-data": BatchUploadSerializer},
        parameters=[RETRY_AFTER],
        responses={202: BatchSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request):
        if self.is_upload(request):
            upload = request.FILES.get("file")
            if upload is None:
                raise exceptions.ValidationError({"file": ["Attach the CSV or JSONL file as the `file` part."]})
            name = request.data.get("name", "")
            limit = settings.CONTENTIZER_BATCH_MAX_BYTES
            # Read one byte past the limit: the service refuses an over-size file by its length.
            data = upload.read(limit + 1)
            batch = services.batch_create_from_file(
                owner=request.user, data=data, filename=upload.name or "", name=name if isinstance(name, str) else ""
            )
        else:
            data = self.valid(BatchCreateSerializer)
            batch = services.batch_create(owner=request.user, rows=data["rows"], name=data["name"])
        body = BatchSerializer(batch_progress(_batch(request, batch.code)), context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})


def _batch(request, code):
    return get_scoped_or_404(request, batches_with_progress(), code, "batch")


class BatchDetailApi(ApiView):
    @extend_schema(
        tags=["batches"],
        summary="A batch's progress",
        description="Each video's status, stage, progress and error, the counts per status, whether the batch "
        "is finished and an overall percentage.",
        responses={200: BatchSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        return self.out(BatchSerializer, batch_progress(_batch(request, code)))
