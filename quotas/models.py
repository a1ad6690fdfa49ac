"""Quotas and the site's policy row: what each user may use, and what they used.

The tables were created by the videos app; they keep their names (db_table)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SiteSettings(models.Model):
    """Site-wide policy staff change in admin without a deploy. One row (pk 1), read from
    the database on every use so every process sees a change at once."""

    require_staff_approval = models.BooleanField(
        default=False,
        help_text="When on, a creator's approval sends the storyboard to staff, who approve or reject it.",
    )
    review_approval_approves = models.BooleanField(
        default=False,
        help_text="When on, a client's approval through a review link approves the storyboard as the creator's "
        "own approval would (with staff approval required, it sends the storyboard to staff).",
    )
    videos_per_day = models.PositiveIntegerField(default=20, help_text="Default for each user: new videos per UTC day")
    render_minutes_per_month = models.PositiveIntegerField(
        default=120, help_text="Default for each user: minutes rendered per UTC calendar month"
    )
    storage_bytes = models.PositiveBigIntegerField(
        default=5 * 1024**3,
        help_text="Default for each user: bytes of uploads, scene media, masters and exports (5368709120 = 5 GiB)",
    )
    concurrent_jobs = models.PositiveIntegerField(
        default=5, help_text="Default for each user: jobs queued or running at once"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "videos_sitesettings"  # the table predates the quotas app
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="site_settings_singleton")]

    def __str__(self) -> str:
        return "Site settings"

    @classmethod
    def load(cls) -> SiteSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


class Quota(models.Model):
    """One user's limits; a blank field means the site default. The row is also the lock
    that serialises that user's work requests (see quotas.services)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quota")
    videos_per_day = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: the site default")
    render_minutes_per_month = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: the site default")
    storage_bytes = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Blank: the site default (in bytes; 1073741824 = 1 GiB)"
    )
    concurrent_jobs = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: the site default")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "videos_quota"
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"Quota of {self.user}"


class QuotaCharge(models.Model):
    """What a work request took from a quota. Kept when the video is deleted, so deleting
    a video does not hand its place in today's count back."""

    class Kind(models.TextChoices):
        VIDEO = "video", "New video"
        RENDER = "render", "Render minutes"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # 1 per video; the render's estimated length in milliseconds per render.
    amount = models.PositiveBigIntegerField()
    video = models.ForeignKey("videos.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A render that failed or was canceled gives its minutes back (see quotas.services).
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "videos_quotacharge"
        ordering = ["-created_at"]
        indexes = [
            # "this user's charges of a kind since midnight / the 1st of the month"
            models.Index(fields=["user", "kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} for {self.user_id}"
