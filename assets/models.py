from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models


def asset_upload_to(instance: MediaAsset, filename: str) -> str:
    # Owner-scoped, generated name: no part of the user's file name reaches the path.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"assets/{instance.owner_id}/{instance.code.hex}.{ext}"


class MediaAsset(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video clip"
        MUSIC = "music", "Music"

    class Source(models.TextChoices):
        GENERATED = "generated", "Generated"
        UPLOADED = "uploaded", "Uploaded"
        STOCK = "stock", "Stock"
        # Downloaded from Pexels/Pixabay for one video's scene: owned by the video's owner
        # (counts against their storage, deleted with the scene), never in the staff's
        # curated stock library.
        ONLINE_STOCK = "online", "Online stock"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    file = models.FileField(upload_to=asset_upload_to, max_length=255)
    mime = models.CharField(max_length=100)
    size_bytes = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the stored bytes")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    generator = models.CharField(max_length=100, blank=True, help_text="Provider that made it, if generated")
    label = models.CharField(
        max_length=120, blank=True, help_text="A name to show (uploads: the file's name; never part of the path)"
    )
    # Stock items only: lower-case words, space separated; scenes are matched against them.
    tags = models.CharField(max_length=500, blank=True)
    # Clips: whether the file has a sound track (a clip's sound can be mixed into the scene).
    has_audio = models.BooleanField(default=False)
    # Attribution, for online stock items and generated pictures whose artwork asks for it:
    # {provider, provider_label, id, author, author_url, source_url, licence, licence_url, text};
    # {} when nothing needs crediting.
    credit = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "my assets of this kind, newest first" (library pickers, storage summary)
            models.Index(fields=["owner", "kind", "-created_at"]),
            # the stock library: "stock items of these kinds" (matching, pickers)
            models.Index(fields=["source", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code.hex[:8]}"


def layer_upload_to(instance: PictureLayer, filename: str) -> str:
    # Beside its picture, named after it: the picture's code, never a user's file name.
    picture = instance.picture
    if instance.role == PictureLayer.Role.STEP:
        return f"assets/{picture.owner_id}/{picture.code.hex}-step-{instance.order:02d}.png"
    return f"assets/{picture.owner_id}/{picture.code.hex}-{instance.role}.png"


class PictureLayer(models.Model):
    """One layer of a picture asset drawn in layers: the scene without its hero, or the
    hero (RGBA, with its shadow) cropped to its box at (x, y) in the picture's pixels, or
    one of the hero's steps on its way in (a data card counting up: RGBA of the hero's box,
    shown in ``order`` before the hero).

    A layer belongs to its picture, not to a scene: a scene whose picture changes (refine,
    upload, stock, edit) points at another asset, which has its own layers or none, so a
    render can never pair a picture with another picture's layers. Not a MediaAsset of its
    own: a layer must never show up in a library, be picked for a scene or be deleted alone.
    Counted in its owner's storage with the assets; deleted (row by CASCADE, file by
    assets.services.asset_delete_if_unused or the storage sweep) with its picture.
    """

    class Role(models.TextChoices):
        BACKGROUND = "background", "Background"
        HERO = "hero", "Hero"
        STEP = "step", "Step"

    picture = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="layers")
    role = models.CharField(max_length=10, choices=Role.choices)
    file = models.FileField(upload_to=layer_upload_to, max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    x = models.IntegerField(default=0)
    y = models.IntegerField(default=0)
    # A step's place in the count, 0 first; 0 for the one background and the one hero.
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["picture", "role", "order"], name="picture_layer_role_order_unique")
        ]

    def __str__(self) -> str:
        if self.role == self.Role.STEP:
            return f"Step {self.order + 1} of {self.picture}"
        return f"{self.get_role_display()} of {self.picture}"


class ReplicatePrediction(models.Model):
    """One prediction asked of Replicate: what a webhook or a poll says about it. The
    worker thread waiting for it and the webhook endpoint (in a web process) meet on
    this row; its cost adds up to the job's actual cost."""

    class Status(models.TextChoices):
        STARTING = "starting", "Starting"
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"
        ABORTED = "aborted", "Aborted"
        TIMED_OUT = "timed_out", "Timed out (our deadline)"
        STORED = "stored", "Output stored"
        REFUSED = "refused", "Output refused"

    PENDING = (Status.STARTING, Status.PROCESSING)

    prediction_id = models.CharField(max_length=100, unique=True)
    model = models.CharField(max_length=200)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempt = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.STARTING)
    output_url = models.URLField(max_length=1000, blank=True)
    error = models.TextField(blank=True)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # a job's predictions (cost per job, staff view)
            models.Index(fields=["job", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.prediction_id} ({self.status})"


class ReplicateWebhookEvent(models.Model):
    """A webhook from Replicate that was accepted: its `webhook-id` is processed once,
    however often Replicate sends it."""

    webhook_id = models.CharField(max_length=100, unique=True)
    prediction_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Webhook {self.webhook_id} for {self.prediction_id}"


class StockItemManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(source=MediaAsset.Source.STOCK)


class StockItem(MediaAsset):
    """The stock library in admin: the stock rows of MediaAsset, seen on their own."""

    objects: ClassVar[StockItemManager] = StockItemManager()

    class Meta:
        proxy = True
        verbose_name = "stock item"
        verbose_name_plural = "stock library"


class GenerationJobKind(models.TextChoices):
    """The stand-alone jobs assets runs (registered with jobs in AssetsConfig.ready)."""

    PICTURE = "picture", "Picture"
    NARRATION = "narration", "Narration"


class Generation(models.Model):
    """A picture or a narration asked for on its own (not for a video's scene): what was
    asked, the job that makes it, and what it made. The job row has no input fields of
    its own, so the job's service reads its input here."""

    class Kind(models.TextChoices):
        PICTURE = "picture", "Picture"
        NARRATION = "narration", "Narration"

    class Provider(models.TextChoices):
        GENERATED = "generated", "Generated card (offline)"
        REPLICATE = "replicate", "AI picture (Replicate)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="generation")
    # pictures
    prompt = models.TextField(blank=True)
    aspect = models.CharField(max_length=5, blank=True)
    provider = models.CharField(max_length=10, choices=Provider.choices, blank=True)
    # narrations
    text = models.TextField(blank=True)
    voice = models.CharField(max_length=40, blank=True)
    speech_rate = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Words per minute")
    # what it made
    picture = models.ForeignKey(MediaAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    audio_wav = models.ForeignKey(MediaAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    audio_m4a = models.ForeignKey(MediaAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # [{"text", "start_ms", "end_ms"}, ...]: one phrase per sentence (or word, once the
    # synthesiser gives word timings), in the audio's time.
    timings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "my pictures (or narrations), newest first" (API lists)
            models.Index(fields=["owner", "kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code.hex[:8]}"
