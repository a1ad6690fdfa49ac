"""API representations of media assets (output and input serializers; no logic)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.generations import PICTURE_ASPECTS, PROMPT_MAX_CHARS
from assets.models import Generation, MediaAsset
from assets.script_writing import SECONDS_MAX, SECONDS_MIN, TONES, TOPIC_MAX_CHARS
from core.api_fields import StrictCharField, StrictChoiceField, StrictInputSerializer, StrictIntegerField
from core.api_links import api_url
from jobs.serializers import JobSerializer
from mediakit.speech import DEFAULT_VOICE, RATE_DEFAULT, RATE_MAX, RATE_MIN, speech_rate_error, voice_choices


class AssetLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    file = serializers.URLField()


class AssetSerializer(serializers.ModelSerializer):
    links = serializers.SerializerMethodField()

    class Meta:
        model = MediaAsset
        fields = [
            "code",
            "kind",
            "source",
            "mime",
            "size_bytes",
            "width",
            "height",
            "duration_ms",
            "has_audio",
            "generator",
            "label",
            "tags",
            "credit",
            "created_at",
            "links",
        ]
        read_only_fields = fields
        extra_kwargs = {"credit": {"help_text": "Attribution: provider, author, source_url, licence... ({}: none)"}}

    @extend_schema_field(AssetLinksSerializer)
    def get_links(self, asset: MediaAsset) -> dict:
        return {
            "self": api_url(self.context, "api-assets-detail", code=asset.code),
            "file": api_url(self.context, "api-assets-file", code=asset.code),
        }


class AssetListFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MediaAsset.Kind.choices, required=False)
    # A field named like Field.source: DRF's metaclass takes declared fields off the class,
    # so only the stubs see the two collide.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=MediaAsset.Source.choices,
        required=False,
        help_text="`stock` lists the stock library (everyone's, read-only); default: your own assets",
    )


class AssetUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A picture (JPEG, PNG, WebP), a clip (MP4, MOV, WebM) or a sound (MP3, WAV, M4A), "
        "checked by its content; at most CONTENTIZER_UPLOAD_MAX_BYTES (50 MB by default)"
    )


# --- projects ----------------------------------------------------------------------------


# --- stand-alone pictures and narrations ----------------------------------------------------


class PictureCreateSerializer(StrictInputSerializer):
    prompt = StrictCharField(max_length=PROMPT_MAX_CHARS, help_text="What the picture shows")
    aspect = StrictChoiceField(choices=list(PICTURE_ASPECTS.items()), default="16:9")
    provider = StrictChoiceField(
        choices=Generation.Provider.choices,
        default=Generation.Provider.GENERATED,
        help_text="`generated`: an offline card (free); `replicate`: an AI picture (only where the site has a "
        "Replicate token)",
    )


class NarrationCreateSerializer(StrictInputSerializer):
    text = StrictCharField(help_text="What to say (at most CONTENTIZER_SCRIPT_MAX_CHARS characters)")
    voice = StrictChoiceField(choices=voice_choices(), default=DEFAULT_VOICE)
    speech_rate = StrictIntegerField(
        min_value=RATE_MIN,
        max_value=RATE_MAX,
        error_messages={"min_value": speech_rate_error(RATE_MIN - 1), "max_value": speech_rate_error(RATE_MAX + 1)},
        default=RATE_DEFAULT,
        help_text="Words per minute",
    )


class PictureLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    job = serializers.URLField()
    file = serializers.URLField(allow_null=True, help_text="The picture, once the job has succeeded")


class PictureSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="job.status", read_only=True, help_text="The job's status")
    picture = AssetSerializer(read_only=True, allow_null=True)
    job = JobSerializer(read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Generation
        fields = ["code", "status", "prompt", "aspect", "provider", "picture", "job", "created_at", "links"]
        read_only_fields = fields

    @extend_schema_field(PictureLinksSerializer)
    def get_links(self, generation: Generation) -> dict:
        return {
            "self": api_url(self.context, "api-pictures-detail", code=generation.code),
            "job": api_url(self.context, "api-jobs-detail", code=generation.job.code),
            "file": api_url(self.context, "api-assets-file", code=generation.picture.code)
            if generation.picture is not None
            else None,
        }


class PhraseSerializer(serializers.Serializer):
    text = serializers.CharField()
    start_ms = serializers.IntegerField()
    end_ms = serializers.IntegerField()


class NarrationLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    job = serializers.URLField()
    wav = serializers.URLField(allow_null=True)
    m4a = serializers.URLField(allow_null=True)


class NarrationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="job.status", read_only=True, help_text="The job's status")
    wav = AssetSerializer(source="audio_wav", read_only=True, allow_null=True)
    m4a = AssetSerializer(source="audio_m4a", read_only=True, allow_null=True)
    timings = PhraseSerializer(
        many=True, read_only=True, help_text="Each phrase (a sentence) and where it starts and ends in the audio"
    )
    job = JobSerializer(read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Generation
        fields = [
            "code",
            "status",
            "text",
            "voice",
            "speech_rate",
            "duration_ms",
            "timings",
            "wav",
            "m4a",
            "job",
            "created_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(NarrationLinksSerializer)
    def get_links(self, generation: Generation) -> dict:
        def file(asset_id, asset) -> str | None:
            return api_url(self.context, "api-assets-file", code=asset.code) if asset_id else None

        return {
            "self": api_url(self.context, "api-narrations-detail", code=generation.code),
            "job": api_url(self.context, "api-jobs-detail", code=generation.job.code),
            "wav": file(generation.audio_wav_id, generation.audio_wav),
            "m4a": file(generation.audio_m4a_id, generation.audio_m4a),
        }


# --- a script from a topic -----------------------------------------------------------------


class ScriptTopicSerializer(StrictInputSerializer):
    topic = StrictCharField(max_length=TOPIC_MAX_CHARS, help_text="What the video is about")
    seconds = StrictIntegerField(
        min_value=SECONDS_MIN, max_value=SECONDS_MAX, default=60, help_text="About how long the narration runs"
    )
    tone = StrictChoiceField(choices=sorted((k, k) for k in TONES), default="informative")


class ScriptSerializer(serializers.Serializer):
    topic = serializers.CharField()
    seconds = serializers.IntegerField()
    tone = serializers.CharField()
    script = serializers.CharField(help_text="The draft: edit it, then send it as `script` to POST /videos")
    words = serializers.IntegerField()
    model = serializers.CharField(help_text="The Replicate model that wrote it")
    cost_usd = serializers.DecimalField(max_digits=10, decimal_places=4)
