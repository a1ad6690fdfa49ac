"""REST API for a video's other aspects after it was made: choose them again, render one
alone (videos.services.aspects). Conventions as in videos.api."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status

from core.api_base import ApiView
from core.api_errors import error_responses
from jobs.serializers import JobSerializer
from videos import services
from videos.api import video_for_request, videos_with_jobs
from videos.serializers import VideoAspectsInputSerializer, VideoSerializer


class VideoAspectsApi(ApiView):
    @extend_schema(
        tags=["videos"],
        summary="Choose the video's aspects",
        description="The aspects the video is made in, its own `aspect` among them (its pictures are "
        "drawn for it). A new one gets a master waiting to be rendered (`POST .../masters/{aspect}/render`, "
        "or the next render of the video); one left out goes with its files (409 while it renders).",
        request=VideoAspectsInputSerializer,
        responses={200: VideoSerializer, **error_responses(400, 401, 404, 409)},
    )
    def put(self, request, code):
        video = video_for_request(request, code)
        data = self.valid(VideoAspectsInputSerializer)
        services.video_aspects_set(video=video, aspects=data["aspects"])
        return self.out(VideoSerializer, videos_with_jobs().get(pk=video.pk))


class VideoMasterRenderApi(ApiView):
    @extend_schema(
        tags=["storyboard"],
        summary="Render one of the video's other aspects alone",
        description="`aspect` is written 16x9, 9x16 or 1x1. Queues that master's render from the approved "
        "storyboard (403 otherwise), charged to the render quota as one master; asking again while it "
        "renders answers the same job. The video's own aspect renders with `POST .../render`.",
        request=None,
        responses={202: JobSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, code, aspect):
        video = video_for_request(request, code)
        job = services.master_render_request(video=video, aspect=aspect.replace("x", ":"), user=request.user)
        return self.out(JobSerializer, job, status=status.HTTP_202_ACCEPTED)
