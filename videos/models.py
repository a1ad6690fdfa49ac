from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from videos import options
from videos.options import VIDEO_OPTION_DEFAULTS


class Project(models.Model):
    """A creator's folder of videos."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="project_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name


class CaptionPreset(models.Model):
    """A creator's caption style and look, saved under a name and applied to new videos
    (pages, API, batch rows, make_video) with `caption_preset`."""

    # The Video fields a preset holds, in the same names (defaults: videos.options).
    FIELDS = (
        "caption_style",
        "caption_font",
        "caption_size",
        "caption_color",
        "caption_highlight_color",
        "caption_background",
        "caption_position",
    )

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caption_presets")
    name = models.CharField(max_length=60)
    caption_style = models.CharField(
        max_length=10, choices=options.CaptionStyle.choices, default=VIDEO_OPTION_DEFAULTS.caption_style
    )
    caption_font = models.CharField(
        max_length=20, choices=options.CaptionFont.choices, default=VIDEO_OPTION_DEFAULTS.caption_font
    )
    caption_size = models.PositiveSmallIntegerField(default=VIDEO_OPTION_DEFAULTS.caption_size)
    caption_color = models.CharField(max_length=7, blank=True, default=VIDEO_OPTION_DEFAULTS.caption_color)
    caption_highlight_color = models.CharField(
        max_length=7, blank=True, default=VIDEO_OPTION_DEFAULTS.caption_highlight_color
    )
    caption_background = models.CharField(
        max_length=8, choices=options.CaptionBackground.choices, default=VIDEO_OPTION_DEFAULTS.caption_background
    )
    caption_position = models.CharField(
        max_length=8, choices=options.CaptionPosition.choices, default=VIDEO_OPTION_DEFAULTS.caption_position
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="caption_preset_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name

    def look(self) -> dict[str, str | int]:
        """The preset as keyword arguments of video_create."""
        return {name: getattr(self, name) for name in self.FIELDS}


def video_file_name(video: Video, kind: str, ext: str, token: str) -> str:
    """Storage name for one of a video's output files. The token (a job code) makes every
    render's files distinct, so a re-render never overwrites what a viewer is streaming."""
    return f"videos/{video.owner_id}/{video.code.hex}/{kind}-{token}.{ext}"


class VideoJobKind(models.TextChoices):
    """The jobs a video has (registered with jobs in VideosConfig.ready)."""

    STORYBOARD = "storyboard", "Storyboard"
    RENDER = "render", "Render"
    # The master of one of the video's other aspects (VideoMaster), beside the main render
    # (the value fits Job.kind's 12 characters).
    RENDER_ASPECT = "aspect", "Render of another aspect"
    EXPORT = "export", "Export"


# The jobs that read the storyboard to make a master: while one runs, the storyboard is locked.
RENDER_KINDS = (VideoJobKind.RENDER, VideoJobKind.RENDER_ASPECT)


class Video(models.Model):
    class Status(models.TextChoices):
        STORYBOARDING = "storyboarding", "Making storyboard"
        STORYBOARD = "storyboard", "Storyboard ready"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Approval(models.TextChoices):
        NONE = "none", "Not approved"
        PENDING = "pending", "Awaiting staff approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    # The render options' choices are defined once, in videos.options, with their defaults.
    Aspect = options.Aspect
    Quality = options.Quality
    Fps = options.Fps
    Music = options.Music
    CaptionStyle = options.CaptionStyle
    CaptionFont = options.CaptionFont
    CaptionBackground = options.CaptionBackground
    CaptionPosition = options.CaptionPosition
    Transition = options.Transition
    Visuals = options.Visuals

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="videos")
    title = models.CharField(max_length=200)
    script = models.TextField()

    aspect = models.CharField(max_length=5, choices=Aspect.choices, default=VIDEO_OPTION_DEFAULTS.aspect)
    quality = models.CharField(max_length=5, choices=Quality.choices, default=VIDEO_OPTION_DEFAULTS.quality)
    fps = models.PositiveSmallIntegerField(choices=Fps.choices, default=VIDEO_OPTION_DEFAULTS.fps)
    voice = models.CharField(max_length=40, default=VIDEO_OPTION_DEFAULTS.voice)
    speech_rate = models.PositiveSmallIntegerField(
        default=VIDEO_OPTION_DEFAULTS.speech_rate, help_text="Words per minute"
    )
    music = models.CharField(max_length=10, choices=Music.choices, default=VIDEO_OPTION_DEFAULTS.music)
    music_volume_db = models.SmallIntegerField(
        default=VIDEO_OPTION_DEFAULTS.music_volume_db,
        help_text="The music's level in dB before ducking (-30 to 0; 0: the library's reference loudness)",
    )
    music_asset = models.ForeignKey(
        "assets.MediaAsset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    captions = models.BooleanField(default=VIDEO_OPTION_DEFAULTS.captions)
    caption_style = models.CharField(
        max_length=10, choices=CaptionStyle.choices, default=VIDEO_OPTION_DEFAULTS.caption_style
    )
    # The creator's look over the caption style (videos.options; checked by video_options_errors).
    caption_font = models.CharField(
        max_length=20, choices=CaptionFont.choices, default=VIDEO_OPTION_DEFAULTS.caption_font
    )
    caption_size = models.PositiveSmallIntegerField(
        default=VIDEO_OPTION_DEFAULTS.caption_size, help_text="Percent of the style's own size"
    )
    caption_color = models.CharField(
        max_length=7, blank=True, default=VIDEO_OPTION_DEFAULTS.caption_color, help_text="#rrggbb; empty: the style's"
    )
    caption_highlight_color = models.CharField(
        max_length=7,
        blank=True,
        default=VIDEO_OPTION_DEFAULTS.caption_highlight_color,
        help_text="The word being said (words style), #rrggbb; empty: yellow",
    )
    caption_background = models.CharField(
        max_length=8, choices=CaptionBackground.choices, default=VIDEO_OPTION_DEFAULTS.caption_background
    )
    caption_position = models.CharField(
        max_length=8, choices=CaptionPosition.choices, default=VIDEO_OPTION_DEFAULTS.caption_position
    )
    transition = models.CharField(max_length=12, choices=Transition.choices, default=VIDEO_OPTION_DEFAULTS.transition)
    visuals = models.CharField(max_length=16, choices=Visuals.choices, default=VIDEO_OPTION_DEFAULTS.visuals)
    # Rendered with the owner's brand kit (BrandKit: logo, cards, caption look) when they have one.
    brand_kit = models.BooleanField(default=True, help_text="Use the owner's brand kit, if they have one")
    # Where this video's job events are POSTed (API clients); else the account default.
    callback_url = models.URLField(max_length=500, blank=True)
    # The batch (CSV/JSONL file) this video was made from, if any.
    batch = models.ForeignKey("Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="videos")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.STORYBOARDING)
    approval = models.CharField(max_length=10, choices=Approval.choices, default=Approval.NONE)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    refinements_used = models.PositiveSmallIntegerField(default=0)

    master = models.FileField(max_length=255, blank=True)
    poster = models.FileField(max_length=255, blank=True)
    captions_vtt = models.FileField(max_length=255, blank=True)
    captions_srt = models.FileField(max_length=255, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    video_codec = models.CharField(max_length=40, blank=True)
    audio_codec = models.CharField(max_length=40, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    # Downloads of the MP4 (pages and API; streaming in the player is not a download).
    downloads = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # the library: "my videos, newest first", optionally filtered by status
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["owner", "status"]),
            # the staff approval queue
            models.Index(fields=["approval", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("videos-detail", kwargs={"code": self.code})

    @property
    def is_approved(self) -> bool:
        return self.approval == self.Approval.APPROVED

    @property
    def aspects(self) -> list[str]:
        """Every aspect the video is made in: its own (`aspect`, the storyboard's pictures'
        and `master`'s) first, then its other masters' in the order of Aspect."""
        others = {m.aspect for m in self.other_masters.all()}
        return [self.aspect, *(a for a in options.Aspect.values if a in others and a != self.aspect)]


class VideoMaster(models.Model):
    """The master of one more aspect of a video (a 9:16 beside a 16:9 video, ...): made from
    the same storyboard, narration and pictures by its own render job (VideoJobKind.
    RENDER_ASPECT), the pictures laid out again for its frame (mediakit.relayout). The
    video's own aspect stays on the Video row (`master`, `poster`, ...), as before."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="other_masters")
    aspect = models.CharField(max_length=5, choices=options.Aspect.choices)
    # The render making (or that made) this master; its charge counts against the quota.
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(max_length=255, blank=True)
    poster = models.FileField(max_length=255, blank=True)
    captions_vtt = models.FileField(max_length=255, blank=True)
    captions_srt = models.FileField(max_length=255, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    video_codec = models.CharField(max_length=40, blank=True)
    audio_codec = models.CharField(max_length=40, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["video", "aspect"]
        constraints = [
            models.UniqueConstraint(fields=["video", "aspect"], name="video_master_unique_aspect"),
        ]

    def __str__(self) -> str:
        return f"{self.aspect} master of {self.video}"


class Scene(models.Model):
    class ClipAudio(models.TextChoices):
        DROP = "drop", "Drop the clip's sound"
        MIX = "mix", "Mix the clip's sound in"

    class NarrationSource(models.TextChoices):
        SPEECH = "speech", "Synthesised speech"
        UPLOAD = "upload", "My recording"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="scenes")
    position = models.PositiveIntegerField()
    narration = models.TextField()
    visual_prompt = models.TextField()
    # The creator wrote the prompt themselves: a narration edit then keeps it.
    prompt_edited = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(default=0)
    narration_ms = models.PositiveIntegerField(default=0)
    # When each caption phrase is spoken: [[text, start_ms, end_ms, [[word, start_ms], ...]], ...]
    # in the narration audio's time (synthesised speech; the word list, from the voice's own
    # timing, is missing on phrases stored before it); empty for a recording, whose captions
    # are timed by length.
    narration_phrases = models.JSONField(default=list, blank=True)
    seed = models.PositiveIntegerField(default=0, help_text="Picture seed; a refinement picks a new one")
    picture = models.ForeignKey(
        "assets.MediaAsset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    narration_audio = models.ForeignKey(
        "assets.MediaAsset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refinement_count = models.PositiveSmallIntegerField(default=0)
    # The creator's own media: a clip shown instead of the picture, and narration from an
    # upload instead of speech synthesis (the scene then takes the upload's length).
    clip = models.ForeignKey(
        "assets.MediaAsset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clip_audio = models.CharField(max_length=4, choices=ClipAudio.choices, default=ClipAudio.DROP)
    narration_source = models.CharField(max_length=6, choices=NarrationSource.choices, default=NarrationSource.SPEECH)
    # Shown on the storyboard and in the API, e.g. when a generated picture fell back to a card.
    warning = models.TextField(blank=True)
    # Online stock items the creator turned down here ("New picture"): [[provider, id], ...].
    stock_rejected = models.JSONField(default=list, blank=True)
    # The library artwork the creator pinned for this scene's picture (an id of
    # mediakit.art_library); "" lets the matcher choose. Editing the picture words clears it.
    artwork = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position"]
        indexes = [
            # "this video's scenes in order"
            models.Index(fields=["video", "position"]),
        ]

    def __str__(self) -> str:
        # "of N" where the query counted the video's scenes (the staff review's inline); the
        # video's pk is no count a person can read.
        total = getattr(self, "scene_total", None)
        return f"Scene {self.position + 1} of {total}" if total else f"Scene {self.position + 1}"


class Export(models.Model):
    class Format(models.TextChoices):
        MP4 = "mp4", "MP4 (H.264)"
        MOV = "mov", "MOV (H.264)"
        WEBM = "webm", "WebM (VP9)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=5, choices=Format.choices)
    quality = models.CharField(max_length=5, choices=Video.Quality.choices)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The master this export was made from; a re-render makes cached exports stale.
    source_master = models.CharField(max_length=255, blank=True)
    file = models.FileField(max_length=255, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["format", "quality"]
        constraints = [
            models.UniqueConstraint(fields=["video", "format", "quality"], name="export_unique_per_video"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.quality} of {self.video_id}"


# --- staff: site policy, quotas ------------------------------------------------------


class StoryboardAwaitingApproval(Video):
    """The staff approval queue in admin: the same rows, seen as a to-do list."""

    class Meta:
        proxy = True
        verbose_name = "storyboard awaiting approval"
        verbose_name_plural = "storyboards awaiting approval"


# --- batches ---------------------------------------------------------------------------


class Batch(models.Model):
    """Videos made together from one CSV or JSONL file (one row each). Each video is an
    ordinary video; the batch only groups them for one progress view."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="batches")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "batches"
        indexes = [
            # "my batches, newest first" (API list, a future page)
            models.Index(fields=["owner", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewLink(models.Model):
    """A link a creator shares with someone without an account (a client) to review one
    video: its storyboard or its finished video. Only the SHA-256 of the link's secret token
    is kept, so the database never holds a working link (videos.services.review)."""

    class Shows(models.TextChoices):
        STORYBOARD = "storyboard", "Storyboard"
        VIDEO = "video", "Finished video"

    class Decision(models.TextChoices):
        NONE = "", "No decision yet"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="review_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    shows = models.CharField(max_length=10, choices=Shows.choices, default=Shows.STORYBOARD)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The reviewer's latest word on it.
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True, default=Decision.NONE)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "this video's review links, newest first" (storyboard page, API list)
            models.Index(fields=["video", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_shows_display()} review of {self.video}"


class ReviewComment(models.Model):
    """What a reviewer wrote through a link: on a scene, at a time in the video, or on the
    whole; `decision` is set when it came with an approval or a request for changes."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    link = models.ForeignKey(ReviewLink, on_delete=models.CASCADE, related_name="comments")
    scene = models.ForeignKey(Scene, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Where in the video, in milliseconds")
    author = models.CharField(max_length=80, blank=True)
    body = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=ReviewLink.Decision.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # "a link's comments, oldest first" (the review page, the storyboard's panel)
            models.Index(fields=["link", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.body[:60] or self.get_decision_display()


class BrandKit(models.Model):
    """A creator's look, applied to every render of their videos that keeps `brand_kit` on:
    a logo in a corner, intro and outro cards, the caption font and highlight (or a caption
    preset's whole look). The limits are mediakit.brand's; videos.services.brand_kit checks
    and applies them."""

    class LogoCorner(models.TextChoices):
        TOP_LEFT = "top-left", "Top left"
        TOP_RIGHT = "top-right", "Top right"
        BOTTOM_LEFT = "bottom-left", "Bottom left"
        BOTTOM_RIGHT = "bottom-right", "Bottom right"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_kit")
    # The logo, an image asset of the owner's (RGBA PNG): PROTECT, so it cannot be deleted
    # from the library while the kit shows it.
    logo = models.ForeignKey("assets.MediaAsset", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    logo_corner = models.CharField(max_length=12, choices=LogoCorner.choices, default=LogoCorner.TOP_RIGHT)
    logo_size = models.PositiveSmallIntegerField(default=14, help_text="Percent of the frame's shorter side")
    logo_opacity = models.PositiveSmallIntegerField(default=85, help_text="Percent")
    font = models.CharField(max_length=20, choices=options.CaptionFont.choices, default=options.CaptionFont.DEFAULT)
    # The word being said (words captions), #rrggbb; empty: the video's own.
    highlight_color = models.CharField(max_length=7, blank=True, default="")
    # A caption preset whose whole look replaces the video's (font and highlight above still win).
    caption_preset = models.ForeignKey(
        CaptionPreset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    card_background = models.CharField(max_length=7, default="#101828")
    card_text_color = models.CharField(max_length=7, default="#ffffff")
    accent_color = models.CharField(max_length=7, default="#ffd600")
    # A card is shown only when it has a title.
    intro_title = models.CharField(max_length=60, blank=True)
    intro_line = models.CharField(max_length=90, blank=True)
    intro_ms = models.PositiveIntegerField(default=2500)
    outro_title = models.CharField(max_length=60, blank=True)
    outro_line = models.CharField(max_length=90, blank=True)
    outro_ms = models.PositiveIntegerField(default=3000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Brand kit of {self.owner}"

    def card_title(self, which: str, *, video_title: str) -> str:
        """The intro's or outro's title for a video ({title} is the video's); "" shows no card."""
        return getattr(self, f"{which}_title").replace("{title}", video_title).strip()

    def cards_ms(self, *, video_title: str) -> int:
        """How long the kit's cards add to a video: each card shown, its own time."""
        return sum(getattr(self, f"{w}_ms") for w in ("intro", "outro") if self.card_title(w, video_title=video_title))
