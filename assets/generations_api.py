"""REST API for stand-alone pictures and narrations (a job each) and for a script written
from a topic. Creations share the creation throttle with videos and batches; a refused
request does not count against it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from assets import generations
from assets.api import RETRY_AFTER
from assets.models import Generation
from assets.script_writing import ScriptWritingFailed, script_from_topic, script_writing_available
from assets.serializers import (
    NarrationCreateSerializer,
    NarrationSerializer,
    PictureCreateSerializer,
    PictureSerializer,
    ScriptSerializer,
    ScriptTopicSerializer,
)
from core.api_base import ApiView, Pagination, VideoCreateThrottle, get_scoped_or_404, scoped
from core.api_errors import UpstreamError, error_responses


def _generations(kind: str):
    return Generation.objects.filter(kind=kind).select_related("job", "job__video", "picture", "audio_wav", "audio_m4a")


class _CreationApi(ApiView):
    pagination_class = Pagination

    def get_throttles(self):
        return [VideoCreateThrottle()] if self.request.method == "POST" else []


class PictureListCreateApi(_CreationApi):
    @extend_schema(
        tags=["pictures"],
        summary="Your stand-alone pictures, newest first",
        responses={200: PictureSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request):
        pictures = scoped(request, _generations(Generation.Kind.PICTURE)).order_by("-created_at", "-pk")
        return self.paginated(pictures, PictureSerializer)

    @extend_schema(
        tags=["pictures"],
        summary="Make a picture from a prompt",
        description="Queues a picture job (`kind: picture`) and answers 202 with the picture, whose `status` is "
        "its job's. Once the job succeeds, `picture` is the image asset and `links.file` its file. Under the "
        "same quotas (concurrent jobs, storage), throttle and webhooks as a video's jobs.",
        request=PictureCreateSerializer,
        parameters=[RETRY_AFTER],
        responses={202: PictureSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request):
        data = self.valid(PictureCreateSerializer)
        generation = generations.picture_request(owner=request.user, **data)
        generation = _generations(Generation.Kind.PICTURE).get(pk=generation.pk)
        body = PictureSerializer(generation, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})


class PictureDetailApi(ApiView):
    @extend_schema(
        tags=["pictures"],
        summary="Retrieve a picture",
        responses={200: PictureSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        generation = get_scoped_or_404(request, _generations(Generation.Kind.PICTURE), code, "picture")
        return self.out(PictureSerializer, generation)


class NarrationListCreateApi(_CreationApi):
    @extend_schema(
        tags=["narrations"],
        summary="Your stand-alone narrations, newest first",
        responses={200: NarrationSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request):
        narrations = scoped(request, _generations(Generation.Kind.NARRATION)).order_by("-created_at", "-pk")
        return self.paginated(narrations, NarrationSerializer)

    @extend_schema(
        tags=["narrations"],
        summary="Narrate a text",
        description="Queues a narration job (`kind: narration`) and answers 202. Once the job succeeds the "
        "narration has a WAV and an M4A (AAC) of the text and `timings`: each phrase (a sentence) with its "
        "start and end in milliseconds, measured on the audio.",
        request=NarrationCreateSerializer,
        parameters=[RETRY_AFTER],
        responses={202: NarrationSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request):
        data = self.valid(NarrationCreateSerializer)
        generation = generations.narration_request(owner=request.user, **data)
        generation = _generations(Generation.Kind.NARRATION).get(pk=generation.pk)
        body = NarrationSerializer(generation, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]})


class NarrationDetailApi(ApiView):
    @extend_schema(
        tags=["narrations"],
        summary="Retrieve a narration",
        responses={200: NarrationSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        generation = get_scoped_or_404(request, _generations(Generation.Kind.NARRATION), code, "narration")
        return self.out(NarrationSerializer, generation)


class ScriptWriteApi(ApiView):
    def get_throttles(self):
        return [VideoCreateThrottle()]

    @extend_schema(
        tags=["scripts"],
        summary="Write a script from a topic",
        description="A first draft to edit before `POST /videos`: a Replicate language model "
        "(REPLICATE_SCRIPT_MODEL) writes about `seconds` of narration on the topic, in the tone asked. "
        "Only where the site has a Replicate token: 404 otherwise. 502 when the model fails.",
        request=ScriptTopicSerializer,
        parameters=[RETRY_AFTER],
        responses={200: ScriptSerializer, **error_responses(400, 401, 404, 415, 429, 502)},
    )
    def post(self, request):
        if not script_writing_available():
            raise exceptions.NotFound("Script writing is not available on this site (it needs a Replicate token).")
        data = self.valid(ScriptTopicSerializer)
        try:
            written = script_from_topic(owner=request.user, **data)
        except ScriptWritingFailed as exc:
            raise UpstreamError(str(exc)) from exc
        return self.out(ScriptSerializer, written)
