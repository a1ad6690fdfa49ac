"""REST API for a video's voiceover: one recording of the whole script narrates every
scene (videos.services.video_use_voiceover). Judged by its content like every upload; one
over the size limit is a 413, any other refusal (not sound, silent, too long, not the
script's words) a 400 naming why, and nothing is stored."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser

from assets.api import RETRY_AFTER, refused_for_size, upload_part
from core.api_base import ApiView, UploadThrottle, get_scoped_or_404
from core.api_errors import error_responses
from videos import services
from videos.models import Video
from videos.serializers import StoryboardSerializer


class VideoVoiceoverUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An MP3, WAV or M4A recording of the whole script (checked by content)")


class VideoVoiceoverApi(ApiView):
    parser_classes = [MultiPartParser]
    throttle_classes = [UploadThrottle]

    @extend_schema(
        tags=["storyboard"],
        summary="Narrate the whole video with one recording",
        description="A multipart upload (`file`) of you reading the whole script. It is heard offline, "
        "matched to the scenes' words and cut into the scenes at its pauses: each scene is narrated by "
        "its stretch of the recording and takes its length, and the captions (each word's start "
        "included) are timed to it. A recording that does not say the script is refused with the scene "
        "where it diverges; one that is not sound, is silent, too long or too big is refused too, and "
        "then nothing is stored. Withdraws the approval. Answers the storyboard.",
        request={"multipart/form-data": VideoVoiceoverUploadSerializer},
        parameters=[RETRY_AFTER],
        responses={200: StoryboardSerializer, **error_responses(400, 401, 404, 409, 415, 429)},
    )
    def put(self, request, code):
        video = get_scoped_or_404(request, Video.objects.all(), code, "video")
        upload = upload_part(request, "file")
        refused_for_size(lambda: services.video_use_voiceover(video=video, upload=upload))
        return self.out(StoryboardSerializer, services.storyboard_document(video=video))
