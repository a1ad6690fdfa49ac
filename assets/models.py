from __future__ import annotations

import uuid

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

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assets"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    file = models.FileField(upload_to=asset_upload_to, max_length=255)
    mime = models.CharField(max_length=100)
    size_bytes = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the stored bytes")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    generator = models.CharField(
        max_length=100, blank=True, help_text="Provider that made it, if generated"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "my assets of this kind, newest first" (library pickers, storage summary)
            models.Index(fields=["owner", "kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code.hex[:8]}"
