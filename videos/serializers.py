"""API input and output shapes for videos, scenes, exports, projects and assets.

Inputs check types and choices only; the services decide everything else. Outputs are
read-only representations with links; public ids are the UUID `code`s.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.serializers import AssetSerializer
from core.api_fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictInputSerializer,
    StrictIntegerField,
    StrictUUIDField,
)
from core.api_links import api_url
from jobs.models import Job
from jobs.serializers import JobSerializer
from mediakit.speech import RATE_MAX, RATE_MIN, speech_rate_error, voice_choices
from videos.models import CaptionPreset, Export, Project, Scene, Video, VideoJobKind
from videos.options import (
    CAPTION_COLOUR_PATTERN,
    CAPTION_SIZE_MAX,
    CAPTION_SIZE_MIN,
    MUSIC_VOLUME_MAX_DB,
    MUSIC_VOLUME_MIN_DB,
    VIDEO_OPTION_DEFAULTS,
    caption_colour_error,
    caption_size_error,
    music_volume_error,
)
from videos.selectors import MasterFiles, video_masters

# --- assets ---------------------------------------------------------------------------


class ProjectLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    videos = serializers.URLField()
    jobs = serializers.URLField()


class ProjectSerializer(serializers.ModelSerializer):
    video_count = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["code", "name", "created_at", "video_count", "links"]
        read_only_fields = fields

    def get_video_count(self, project: Project) -> int:
        count = getattr(project, "num_videos", None)
        return project.videos.count() if count is None else count

    @extend_schema_field(ProjectLinksSerializer)
    def get_links(self, project: Project) -> dict:
        return {
            "self": api_url(self.context, "api-projects-detail", code=project.code),
            "videos": api_url(self.context, "api-projects-videos", code=project.code),
            "jobs": api_url(self.context, "api-projects-jobs", code=project.code),
        }


class ProjectInputSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=120, help_text="Unique among your projects")


# --- videos --------------------------------------------------------------------------------


def _colour_field(default: str, help_text: str) -> StrictCharField:
    """A caption colour: "#rrggbb" or "" (the schema says so with a pattern), one wording."""
    return StrictCharField(
        max_length=7,
        required=False,
        allow_blank=True,
        default=default,
        help_text=help_text,
        validators=[RegexValidator(CAPTION_COLOUR_PATTERN, message=caption_colour_error("x"))],
    )


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(Video.Aspect.values)},
        "minItems": 1,
        "maxItems": len(Video.Aspect.values),
        "uniqueItems": True,
    }
)
class AspectListField(serializers.ListField):
    """A list of aspects: the schema states the rule; videos.options.aspects_parse checks it
    (in the service, in the one wording every entry point shows)."""


class VideoCreateSerializer(StrictInputSerializer):
    title = StrictCharField(max_length=200)
    script = StrictCharField(
        max_length=100_000, help_text="The narration; split into scenes at sentence boundaries (~5 s each)"
    )
    aspect = StrictChoiceField(choices=Video.Aspect.choices, default=VIDEO_OPTION_DEFAULTS.aspect)
    aspects = AspectListField(
        child=StrictCharField(max_length=5),
        required=False,
        allow_empty=True,
        help_text='Several aspects from the one storyboard, e.g. ["16:9", "9:16", "1:1"]: one master '
        "each (its own render job, charged to the render quota), the pictures laid out again for "
        "each frame. The video's own aspect (its pictures are drawn for it) is `aspect` when given "
        "(added to these if missing), else the first of these. An empty list, an unknown or a "
        "repeated aspect is refused (400).",
    )
    quality = StrictChoiceField(choices=Video.Quality.choices, default=VIDEO_OPTION_DEFAULTS.quality)
    fps = StrictChoiceField(choices=Video.Fps.choices, default=VIDEO_OPTION_DEFAULTS.fps)
    voice = StrictChoiceField(choices=voice_choices(), default=VIDEO_OPTION_DEFAULTS.voice)
    speech_rate = StrictIntegerField(
        min_value=RATE_MIN,
        max_value=RATE_MAX,
        error_messages={"min_value": speech_rate_error(RATE_MIN - 1), "max_value": speech_rate_error(RATE_MAX + 1)},
        default=VIDEO_OPTION_DEFAULTS.speech_rate,
        help_text="Words per minute",
    )
    music = StrictChoiceField(choices=Video.Music.choices, default=VIDEO_OPTION_DEFAULTS.music)
    music_asset = StrictUUIDField(
        required=False, allow_null=True, help_text="Code of your audio asset, with music=upload"
    )
    music_volume_db = StrictIntegerField(
        min_value=MUSIC_VOLUME_MIN_DB,
        max_value=MUSIC_VOLUME_MAX_DB,
        error_messages={
            "min_value": music_volume_error(MUSIC_VOLUME_MIN_DB - 1),
            "max_value": music_volume_error(MUSIC_VOLUME_MAX_DB + 1),
        },
        default=VIDEO_OPTION_DEFAULTS.music_volume_db,
        help_text="The music's level in dB before it is ducked under the voice; 0: the library's reference loudness",
    )
    captions = StrictBooleanField(default=VIDEO_OPTION_DEFAULTS.captions)
    caption_style = StrictChoiceField(choices=Video.CaptionStyle.choices, default=VIDEO_OPTION_DEFAULTS.caption_style)
    caption_font = StrictChoiceField(choices=Video.CaptionFont.choices, default=VIDEO_OPTION_DEFAULTS.caption_font)
    caption_size = StrictIntegerField(
        min_value=CAPTION_SIZE_MIN,
        max_value=CAPTION_SIZE_MAX,
        error_messages={
            "min_value": caption_size_error(CAPTION_SIZE_MIN - 1),
            "max_value": caption_size_error(CAPTION_SIZE_MAX + 1),
        },
        default=VIDEO_OPTION_DEFAULTS.caption_size,
        help_text="Percent of the caption style's own size",
    )
    caption_color = _colour_field(
        VIDEO_OPTION_DEFAULTS.caption_color, "The caption's letters, #rrggbb; empty: the style's own"
    )
    caption_highlight_color = _colour_field(
        VIDEO_OPTION_DEFAULTS.caption_highlight_color, "The word being said (words style), #rrggbb; empty: yellow"
    )
    caption_background = StrictChoiceField(
        choices=Video.CaptionBackground.choices, default=VIDEO_OPTION_DEFAULTS.caption_background
    )
    caption_position = StrictChoiceField(
        choices=Video.CaptionPosition.choices,
        default=VIDEO_OPTION_DEFAULTS.caption_position,
        help_text="Inside the aspect's safe area (9:16: clear of the bottom 20 % and the right 12 %)",
    )
    caption_preset = StrictCharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="The name of one of your caption presets: its style and look replace the caption fields",
    )
    transition = StrictChoiceField(choices=Video.Transition.choices, default=VIDEO_OPTION_DEFAULTS.transition)
    visuals = StrictChoiceField(
        choices=Video.Visuals.choices,
        default=VIDEO_OPTION_DEFAULTS.visuals,
        help_text="Scene pictures: generated cards, the best-matching stock item, Replicate "
        "(only where the site has a Replicate token), or stock_online: clips and photos from "
        "Pexels/Pixabay (only where the site has one of their API keys; refused with 400 otherwise)",
    )
    project = StrictUUIDField(required=False, allow_null=True, help_text="Code of one of your projects")
    callback_url = StrictCharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="http(s) URL that receives this video's job events (else your account default)",
    )


class VideoAspectsInputSerializer(StrictInputSerializer):
    aspects = AspectListField(
        child=StrictCharField(max_length=5),
        allow_empty=True,
        help_text="Every aspect the video is made in, its own `aspect` among them",
    )


class CaptionPresetInputSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=60, help_text="Unique among your presets; saving a name again replaces it")
    caption_style = StrictChoiceField(choices=Video.CaptionStyle.choices, default=VIDEO_OPTION_DEFAULTS.caption_style)
    caption_font = StrictChoiceField(choices=Video.CaptionFont.choices, default=VIDEO_OPTION_DEFAULTS.caption_font)
    caption_size = StrictIntegerField(
        min_value=CAPTION_SIZE_MIN,
        max_value=CAPTION_SIZE_MAX,
        error_messages={
            "min_value": caption_size_error(CAPTION_SIZE_MIN - 1),
            "max_value": caption_size_error(CAPTION_SIZE_MAX + 1),
        },
        default=VIDEO_OPTION_DEFAULTS.caption_size,
    )
    caption_color = _colour_field(VIDEO_OPTION_DEFAULTS.caption_color, "The caption's letters; empty: the style's own")
    caption_highlight_color = _colour_field(
        VIDEO_OPTION_DEFAULTS.caption_highlight_color, "The word being said (words style); empty: yellow"
    )
    caption_background = StrictChoiceField(
        choices=Video.CaptionBackground.choices, default=VIDEO_OPTION_DEFAULTS.caption_background
    )
    caption_position = StrictChoiceField(
        choices=Video.CaptionPosition.choices, default=VIDEO_OPTION_DEFAULTS.caption_position
    )


class CaptionPresetSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaptionPreset
        fields = ["code", "name", *CaptionPreset.FIELDS, "created_at", "updated_at"]
        read_only_fields = fields


class VideoListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Video.Status.choices, required=False)
    project = serializers.UUIDField(required=False, help_text="Only videos in this project (code)")


class VideoLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    scenes = serializers.URLField()
    jobs = serializers.URLField()
    exports = serializers.URLField()
    approve = serializers.URLField()
    render = serializers.URLField()
    cost = serializers.URLField()
    stream = serializers.URLField(allow_null=True)
    download = serializers.URLField(allow_null=True)
    poster = serializers.URLField(allow_null=True)
    captions_vtt = serializers.URLField(allow_null=True)
    captions_srt = serializers.URLField(allow_null=True)


class MasterLinksSerializer(serializers.Serializer):
    stream = serializers.URLField(allow_null=True)
    download = serializers.URLField(allow_null=True)
    poster = serializers.URLField(allow_null=True)
    captions_vtt = serializers.URLField(allow_null=True)
    captions_srt = serializers.URLField(allow_null=True)


MASTER_STATES = ["waiting", "rendering", "ready", "failed", "canceled"]


class MasterSerializer(serializers.Serializer):
    """One aspect's master of a video (videos.selectors.MasterFiles)."""

    aspect = serializers.ChoiceField(choices=Video.Aspect.choices)
    primary = serializers.BooleanField(help_text="The video's own aspect (its pictures were drawn for it)")
    state = serializers.ChoiceField(
        choices=MASTER_STATES,
        help_text="waiting: not rendered yet; rendering: its render job is queued or running",
    )
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    size_bytes = serializers.IntegerField(allow_null=True)
    downloads = serializers.IntegerField()
    job = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    @extend_schema_field(JobSerializer(allow_null=True))
    def get_job(self, master: MasterFiles):
        return JobSerializer(master.job, context=self.context).data if master.job else None

    @extend_schema_field(MasterLinksSerializer)
    def get_links(self, master: MasterFiles) -> dict:
        code = self.context["video_code"]

        def link(name: str, field) -> str | None:
            return api_url(self.context, name, code=code, aspect=master.slug) if field else None

        return {
            "stream": link("api-videos-master-stream", master.file),
            "download": link("api-videos-master-download", master.file),
            "poster": link("api-videos-master-poster", master.poster),
            "captions_vtt": link("api-videos-master-captions-vtt", master.captions_vtt),
            "captions_srt": link("api-videos-master-captions-srt", master.captions_srt),
        }


def _current_job(video: Video) -> Job | None:
    """The job that describes where the video is: an active storyboard/render job, else
    the newest finished one."""
    jobs = [j for j in video.jobs.all() if j.kind in (VideoJobKind.STORYBOARD, VideoJobKind.RENDER)]
    jobs.sort(key=lambda j: j.created_at, reverse=True)
    for job in jobs:
        if job.is_active:
            return job
    return jobs[0] if jobs else None


class VideoSerializer(serializers.ModelSerializer):
    callback_url = serializers.CharField(read_only=True, help_text="This video's callback URL; empty for none")
    project = serializers.SerializerMethodField()
    music_asset = serializers.SerializerMethodField()
    refinements_limit = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    current_job = serializers.SerializerMethodField()
    scene_count = serializers.SerializerMethodField()
    aspects = serializers.SerializerMethodField()
    masters = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "code",
            "title",
            "script",
            "project",
            "aspect",
            "aspects",
            "masters",
            "quality",
            "fps",
            "voice",
            "speech_rate",
            "music",
            "music_asset",
            "music_volume_db",
            "captions",
            "caption_style",
            "caption_font",
            "caption_size",
            "caption_color",
            "caption_highlight_color",
            "caption_background",
            "caption_position",
            "transition",
            "visuals",
            "brand_kit",
            "callback_url",
            "status",
            "stage",
            "progress",
            "current_job",
            "approval",
            "approved_at",
            "rejection_reason",
            "refinements_used",
            "refinements_limit",
            "scene_count",
            "duration_ms",
            "width",
            "height",
            "video_codec",
            "audio_codec",
            "size_bytes",
            "downloads",
            "created_at",
            "updated_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_project(self, video: Video):
        return str(video.project.code) if video.project_id else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_music_asset(self, video: Video):
        return str(video.music_asset.code) if video.music_asset_id else None

    def get_refinements_limit(self, video: Video) -> int:
        return settings.CONTENTIZER_MAX_REFINEMENTS

    def get_stage(self, video: Video) -> str:
        job = _current_job(video)
        return job.stage if job else ""

    def get_progress(self, video: Video) -> int:
        job = _current_job(video)
        return job.progress if job else 0

    @extend_schema_field(JobSerializer(allow_null=True))
    def get_current_job(self, video: Video):
        job = _current_job(video)
        return JobSerializer(job, context=self.context).data if job else None

    def get_scene_count(self, video: Video) -> int:
        count = getattr(video, "num_scenes", None)
        return video.scenes.count() if count is None else count

    @extend_schema_field(serializers.ListField(child=serializers.CharField(help_text="16:9, 9:16 or 1:1")))
    def get_aspects(self, video: Video) -> list[str]:
        """Every aspect the video is made in, its own first."""
        return video.aspects

    @extend_schema_field(MasterSerializer(many=True))
    def get_masters(self, video: Video) -> list:
        context = {**self.context, "video_code": video.code}
        return MasterSerializer(video_masters(video), many=True, context=context).data

    @extend_schema_field(VideoLinksSerializer)
    def get_links(self, video: Video) -> dict:
        return video_links(self.context, video)


def video_links(context: dict | None, video: Video) -> dict:
    code = video.code

    def link(name: str) -> str:
        return api_url(context, name, code=code)

    def file_link(field, name: str) -> str | None:
        return link(name) if field else None

    return {
        "self": link("api-videos-detail"),
        "scenes": link("api-videos-scenes"),
        "jobs": link("api-videos-jobs"),
        "exports": link("api-videos-exports"),
        "approve": link("api-videos-approve"),
        "render": link("api-videos-render"),
        "cost": link("api-videos-cost"),
        "stream": file_link(video.master, "api-videos-stream"),
        "download": file_link(video.master, "api-videos-download"),
        "poster": file_link(video.poster, "api-videos-poster"),
        "captions_vtt": file_link(video.captions_vtt, "api-videos-captions-vtt"),
        "captions_srt": file_link(video.captions_srt, "api-videos-captions-srt"),
    }


class VideoSummarySerializer(serializers.ModelSerializer):
    """A short description of a video (webhook events)."""

    project = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "code",
            "title",
            "status",
            "approval",
            "project",
            "duration_ms",
            "width",
            "height",
            "size_bytes",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_project(self, video: Video):
        return str(video.project.code) if video.project_id else None

    @extend_schema_field(VideoLinksSerializer)
    def get_links(self, video: Video) -> dict:
        return video_links(self.context, video)


class VideoCreatedSerializer(serializers.Serializer):
    video = VideoSerializer()
    job = JobSerializer(help_text="The storyboard job: poll it, or wait for its webhook")


class VideoCostSerializer(serializers.Serializer):
    currency = serializers.CharField()
    estimated_cost = serializers.DecimalField(
        max_digits=10, decimal_places=4, help_text="What the media still to be made will cost"
    )
    actual_cost = serializers.DecimalField(max_digits=10, decimal_places=4, help_text="Spent so far, all jobs")


# --- scenes ------------------------------------------------------------------------------------


class SceneLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    video = serializers.URLField()
    refine = serializers.URLField()
    move = serializers.URLField()
    picture = serializers.URLField()
    clip = serializers.URLField()
    narration = serializers.URLField()


class SceneSerializer(serializers.ModelSerializer):
    video = serializers.UUIDField(source="video.code", read_only=True)
    picture = AssetSerializer(read_only=True, allow_null=True)
    narration_audio = AssetSerializer(read_only=True, allow_null=True)
    clip = AssetSerializer(read_only=True, allow_null=True, help_text="A clip shown instead of the picture")
    warning = serializers.CharField(
        read_only=True, help_text="Something the creator should know (e.g. a picture fell back to a card)"
    )
    ready = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Scene
        fields = [
            "code",
            "video",
            "position",
            "narration",
            "visual_prompt",
            "duration_ms",
            "narration_ms",
            "refinement_count",
            "artwork",
            "picture",
            "narration_audio",
            "narration_source",
            "clip",
            "clip_audio",
            "warning",
            "ready",
            "links",
        ]
        read_only_fields = fields

    def get_ready(self, scene: Scene) -> bool:
        """Whether the scene has its picture and its narration."""
        return scene.picture_id is not None and scene.narration_audio_id is not None

    @extend_schema_field(SceneLinksSerializer)
    def get_links(self, scene: Scene) -> dict:
        return {
            "self": api_url(self.context, "api-scenes-detail", code=scene.code),
            "video": api_url(self.context, "api-videos-detail", code=scene.video.code),
            "refine": api_url(self.context, "api-scenes-refine", code=scene.code),
            "move": api_url(self.context, "api-scenes-move", code=scene.code),
            "picture": api_url(self.context, "api-scenes-picture", code=scene.code),
            "clip": api_url(self.context, "api-scenes-clip", code=scene.code),
            "narration": api_url(self.context, "api-scenes-narration", code=scene.code),
        }


class SceneUpdateSerializer(StrictInputSerializer):
    narration = StrictCharField(required=False, max_length=5000, help_text="New narration text")
    visual_prompt = StrictCharField(required=False, max_length=2000, help_text="New visual prompt")


class SceneCreateSerializer(StrictInputSerializer):
    narration = StrictCharField(max_length=5000)
    visual_prompt = StrictCharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Derived from the narration if empty"
    )
    after = StrictUUIDField(
        required=False, allow_null=True, help_text="Code of the scene to insert after; at the end if absent"
    )


class SceneMoveSerializer(StrictInputSerializer):
    offset = StrictChoiceField(
        choices=[(-1, "up"), (1, "down")], help_text="-1 swaps with the scene before, 1 with the one after"
    )


class SceneOrderSerializer(StrictInputSerializer):
    scenes = serializers.ListField(
        child=StrictUUIDField(), max_length=1000, help_text="Every scene code of the video, in the new order"
    )


class ScenePictureSerializer(StrictInputSerializer):
    asset = StrictUUIDField(help_text="Code of one of your image assets")


class ScenePictureUploadSerializer(serializers.Serializer):
    """The multipart form of ScenePictureSerializer (documentation: the view reads the part)."""

    file = serializers.FileField(help_text="A JPEG, PNG or WebP picture (checked by content)")


class SceneRefinedSerializer(serializers.Serializer):
    scene = SceneSerializer()
    job = JobSerializer(allow_null=True, help_text="The storyboard job making the new picture")
    refinements_used = serializers.IntegerField()
    refinements_left = serializers.IntegerField()


# --- exports -------------------------------------------------------------------------------------


class ExportLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    video = serializers.URLField()
    download = serializers.URLField(allow_null=True)


class ExportSerializer(serializers.ModelSerializer):
    video = serializers.UUIDField(source="video.code", read_only=True)
    status = serializers.SerializerMethodField()
    job = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "code",
            "video",
            "format",
            "quality",
            "status",
            "job",
            "width",
            "height",
            "size_bytes",
            "duration_ms",
            "downloads",
            "created_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["ready", "queued", "running", "failed", "canceled", "stale"],
            help_text="`ready` when the file can be downloaded; `stale` when the video was rendered again since",
        )
    )
    def get_status(self, export: Export) -> str:
        return export_status(export)

    @extend_schema_field(JobSerializer(allow_null=True))
    def get_job(self, export: Export):
        return JobSerializer(export.job, context=self.context).data if export.job_id else None

    @extend_schema_field(ExportLinksSerializer)
    def get_links(self, export: Export) -> dict:
        ready = export_status(export) == "ready"
        return {
            "self": api_url(self.context, "api-exports-detail", code=export.code),
            "video": api_url(self.context, "api-videos-detail", code=export.video.code),
            "download": api_url(self.context, "api-exports-download", code=export.code) if ready else None,
        }


def export_status(export: Export) -> str:
    if export.file and export.source_master == export.video.master.name:
        return "ready"
    if export.job_id and export.job.status != Job.Status.SUCCEEDED:
        return export.job.status
    return "stale"


class ExportCreateSerializer(StrictInputSerializer):
    format = StrictChoiceField(choices=Export.Format.choices)
    quality = StrictChoiceField(
        choices=Video.Quality.choices,
        help_text="At most the video's own quality: an export larger than the master is refused (400, `quality`)",
    )


# --- credits (who made the pictures and clips a video shows) ---------------------------


class CreditItemSerializer(serializers.Serializer):
    scene = serializers.IntegerField(help_text="Scene number, from 1 (1 for the music, heard under every scene)")
    role = serializers.ChoiceField(choices=["picture", "clip", "music"])
    provider = serializers.CharField(
        help_text="pexels, pixabay, the picture generator's name, or immich-memories-music (the music library)"
    )
    provider_label = serializers.CharField(required=False)
    id = serializers.CharField(required=False, help_text="The provider's id of the item (online stock)")
    author = serializers.CharField(required=False)
    author_url = serializers.URLField(required=False)
    source_url = serializers.URLField(required=False, help_text="The item's page on the provider's site")
    licence = serializers.CharField(required=False)
    licence_url = serializers.URLField(required=False)
    text = serializers.CharField(required=False, help_text="An attribution line, for generated artwork")
    line = serializers.CharField(help_text="The item's line in credits.txt")


class CreditLicenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class VideoCreditsSerializer(serializers.Serializer):
    items = CreditItemSerializer(many=True)
    licences = CreditLicenceSerializer(many=True, help_text="Each licence once")
    text = serializers.CharField(help_text="credits.txt: one line per item grouped by provider, then the licences")


# --- the storyboard document, and what a scene's picture shows -----------------------


class StoryboardPictureSerializer(serializers.Serializer):
    source = serializers.CharField(
        help_text="Where it comes from: openclipart, twemoji, fluent, data card, card, replicate, pexels, "
        "pixabay, stock library, upload"
    )
    depicts = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the picture itself shows, in its library's names, main subject first; [] when unknown "
        "(uploads, AI pictures)",
    )
    credit = serializers.CharField(allow_blank=True, help_text="Its attribution line; empty when none is needed")


class StoryboardSceneSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="From 0")
    code = serializers.UUIDField()
    narration = serializers.CharField()
    visual_prompt = serializers.CharField(help_text="The picture words")
    artwork = serializers.CharField(
        allow_blank=True, help_text="The library artwork the creator pinned for this scene; empty: matched"
    )
    duration_ms = serializers.IntegerField()
    start_ms = serializers.IntegerField(
        allow_null=True,
        help_text="Where the scene starts in the rendered video (after the previous scene's crossfade "
        "began); null while a scene has no length yet",
    )
    end_ms = serializers.IntegerField(allow_null=True, help_text="Where it ends (the next scene's crossfade ends)")
    picture = StoryboardPictureSerializer(allow_null=True)
    clip = StoryboardPictureSerializer(allow_null=True, help_text="A clip shown instead of the picture")


class StoryboardSerializer(serializers.Serializer):
    """GET /api/v1/videos/<code>/storyboard, and make_video's NAME.storyboard.json."""

    video = serializers.UUIDField()
    title = serializers.CharField()
    aspect = serializers.CharField()
    duration_ms = serializers.IntegerField(allow_null=True, help_text="Length of the rendered video")
    scenes = StoryboardSceneSerializer(many=True)


class PictureCandidateSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The artwork's library id: send it to /scenes/<code>/artwork to pin it")
    depicts = serializers.ListField(child=serializers.CharField(), help_text="What it shows, main subject first")
    source = serializers.CharField(help_text="Its library: openclipart, twemoji, fluent, ...")
    credit = serializers.CharField(allow_blank=True)


class SceneArtworkSerializer(StrictInputSerializer):
    artwork = StrictCharField(
        allow_blank=True, trim_whitespace=False, help_text="A candidate's `id` (at most 200 characters)"
    )


# --- batches ------------------------------------------------------------------------------------


class BatchRowSerializer(VideoCreateSerializer):
    """One row of a batch (schema only: the batch service checks the rows, all at once)."""

    title = StrictCharField(max_length=200, required=False, help_text="Default: the batch's name and the row number")


@extend_schema_field(BatchRowSerializer(many=True))
class BatchRowsField(serializers.ListField):
    """The rows as sent: each one checked by the batch service, which reports every
    problem of every row at once (`rows.<n>.<field>`, n from 1)."""

    # Any JSON value: the batch service says which rows are not objects, numbered from 1.
    child = serializers.JSONField(allow_null=True)


class BatchCreateSerializer(StrictInputSerializer):
    name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    rows = BatchRowsField(
        min_length=1,
        max_length=1000,
        help_text="One object per video, with the options of POST /videos (at most CONTENTIZER_BATCH_MAX_ROWS)",
    )


class BatchUploadSerializer(serializers.Serializer):
    """The multipart form (schema only)."""

    file = serializers.FileField(
        help_text="CSV (a header row naming the options, then one video per line) or JSONL (one JSON object "
        "per line); UTF-8, at most CONTENTIZER_BATCH_MAX_BYTES"
    )
    name = serializers.CharField(required=False, max_length=200)


class BatchVideoLinksSerializer(serializers.Serializer):
    self = serializers.URLField()


class BatchVideoSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1 for the file's first video")
    code = serializers.UUIDField(source="video.code")
    title = serializers.CharField(source="video.title")
    status = serializers.ChoiceField(choices=Video.Status.choices)
    stage = serializers.SerializerMethodField()
    progress = serializers.IntegerField()
    error_message = serializers.SerializerMethodField()
    job = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    def get_stage(self, item) -> str:
        return item.job.stage if item.job else ""

    def get_error_message(self, item) -> str:
        return item.job.error_message if item.job else ""

    @extend_schema_field(serializers.UUIDField(allow_null=True, help_text="The job that says where it is"))
    def get_job(self, item):
        return str(item.job.code) if item.job else None

    @extend_schema_field(BatchVideoLinksSerializer)
    def get_links(self, item) -> dict:
        return {"self": api_url(self.context, "api-videos-detail", code=item.video.code)}


class BatchCountsSerializer(serializers.Serializer):
    storyboarding = serializers.IntegerField()
    storyboard = serializers.IntegerField()
    rendering = serializers.IntegerField()
    ready = serializers.IntegerField()
    failed = serializers.IntegerField()


class BatchLinksSerializer(serializers.Serializer):
    self = serializers.URLField()


class BatchSerializer(serializers.Serializer):
    """A batch read through videos.selectors.batch_progress."""

    code = serializers.UUIDField(source="batch.code")
    name = serializers.CharField(source="batch.name")
    created_at = serializers.DateTimeField(source="batch.created_at")
    total = serializers.IntegerField()
    counts = BatchCountsSerializer(help_text="Videos per status")
    finished = serializers.BooleanField(help_text="No video of the batch is being made any more")
    progress = serializers.IntegerField(source="percent", help_text="0-100 over all the batch's videos")
    videos = BatchVideoSerializer(many=True)
    links = serializers.SerializerMethodField()

    @extend_schema_field(BatchLinksSerializer)
    def get_links(self, progress) -> dict:
        return {"self": api_url(self.context, "api-batches-detail", code=progress.batch.code)}
