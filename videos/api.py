"""REST API for videos: list, create, retrieve, delete, approve, render, cost and jobs;
and the lookups the other videos API modules share (a video by code, a page of jobs).
The rest of the videos API is in storyboard_api, scene_media_api, delivery_api,
export_api, project_api, caption_preset_api and batch_api.

One view per URL, named `<Entity><Action>Api`; every operation calls a service in
videos/services/. Objects are found by their UUID `code` within what the requesting
user may see (their own; staff: all), else 404.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from assets.api import RETRY_AFTER
from assets.models import MediaAsset
from core.api_base import ApiView, Pagination, VideoCreateThrottle, get_scoped_or_404, scoped
from core.api_errors import error_responses
from jobs.models import Job
from jobs.registry import job_kind_choices
from jobs.serializers import JobListFilterSerializer, JobSerializer
from videos import services
from videos.models import Project, Video, VideoJobKind, VideoMaster
from videos.selectors import videos_filtered
from videos.serializers import (
    VideoCostSerializer,
    VideoCreatedSerializer,
    VideoCreateSerializer,
    VideoListFilterSerializer,
    VideoSerializer,
)


def videos_with_jobs():
    return Video.objects.select_related("project", "music_asset").prefetch_related(
        Prefetch("jobs", queryset=Job.objects.order_by("-created_at")),
        Prefetch("other_masters", queryset=VideoMaster.objects.select_related("job")),
    )


def video_for_request(request, code) -> Video:
    return get_scoped_or_404(request, videos_with_jobs(), code, "video")


def jobs_page(view: ApiView, jobs):
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
        videos = scoped(request, videos_with_jobs()).annotate(num_scenes=Count("scenes"))
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
        if data.get("aspects") is None:
            data.pop("aspects", None)
        elif "aspect" in request.data:
            # Both given: `aspect` is the video's own (first), the others follow.
            data["aspects"] = [data["aspect"], *(a for a in data["aspects"] if a != data["aspect"])]
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
        video = videos_with_jobs().get(pk=video.pk)
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
        return self.out(VideoSerializer, video_for_request(request, code))

    @extend_schema(
        tags=["videos"],
        summary="Delete a video",
        description="Cancels its running jobs and removes its files from storage.",
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request, code):
        services.video_delete(video=video_for_request(request, code))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoApproveApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Approve the storyboard",
        request=None,
        responses={200: VideoSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request, code):
        video = services.storyboard_approve(video=video_for_request(request, code), user=request.user)
        return self.out(VideoSerializer, videos_with_jobs().get(pk=video.pk))


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
        job = services.render_request(video=video_for_request(request, code), user=request.user)
        return self.out(JobSerializer, job, status=status.HTTP_202_ACCEPTED)


class VideoCostApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Estimated and actual cost",
        responses={200: VideoCostSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        video = video_for_request(request, code)
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
        video = video_for_request(request, code)
        return jobs_page(self, Job.objects.filter(video=video))
