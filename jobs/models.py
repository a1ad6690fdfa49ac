from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def stale_cutoff(now: datetime | None = None) -> datetime:
    """A running job whose heartbeat is older than this has lost its worker."""
    return (now or timezone.now()) - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS)


def stale_running(now: datetime | None = None) -> Q:
    """The one definition of a stale job (claim, reaper, admin system page, API)."""
    return Q(status=Job.Status.RUNNING) & (Q(heartbeat_at__lt=stale_cutoff(now)) | Q(heartbeat_at__isnull=True))


def costs_over_estimate() -> Q:
    """The rows of Job.cost_over_estimate (admin filter)."""
    return Q(actual_cost__gt=0) & (
        Q(estimated_cost__lte=0) | Q(actual_cost__gt=F("estimated_cost") * (1 + Job.COST_VARIANCE_LIMIT))
    )


class Job(models.Model):
    """One long step of a kind some app registered (jobs.registry). The row is the truth
    for progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELED)
    # An actual cost more than this fraction over the estimate is flagged (issue 25).
    COST_VARIANCE_LIMIT = Decimal("0.20")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    # None for a stand-alone picture or narration job.
    video = models.ForeignKey("videos.Video", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    # One of the kinds the apps registered (jobs.registry): videos' storyboard, render and
    # export (videos.models.VideoJobKind), assets' picture and narration.
    kind = models.CharField(max_length=12)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # An earlier point of this attempt's progress, up to PROGRESS_WINDOW_S before the last
    # progress write (written with it): the ETA reads the recent rate from it.
    progress_mark = models.PositiveSmallIntegerField(default=0)
    progress_mark_at = models.DateTimeField(null=True, blank=True)
    # Every claim adds one: the current value is the claim's token (the lease). Only the
    # worker whose token matches may write the row or point other rows at its files.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Claims that took over from a worker that died or went silent (user cancels and
    # retries do not count); MAX_CRASHES of them fail the job.
    crashes = models.PositiveSmallIntegerField(default=0)
    error_stage = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    estimated_cost = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"))
    actual_cost = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"))
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="django-q2 task id of the last enqueue")
    # When the task was last sent to the broker: a job still queued long after this was
    # lost by the broker (a killed cluster drops prefetched tasks); the reaper sends it again.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # "the latest job of this kind for this video" (pages, API, render_request)
            models.Index(fields=["video", "kind", "-created_at"]),
            # the stale-heartbeat reaper and the workers view: running jobs by heartbeat
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} job {self.code.hex[:8]} ({self.status})"

    def get_kind_display(self) -> str:
        """The kind's name for people, as the app that registered it says it."""
        return job_kind_label(self.kind)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def cost_over_estimate(self) -> bool:
        """The actual cost ran more than COST_VARIANCE_LIMIT over the estimate (an
        unestimated job that cost something is over too: nobody was told it would)."""
        if self.actual_cost <= 0:
            return False
        return self.estimated_cost <= 0 or self.actual_cost > self.estimated_cost * (1 + self.COST_VARIANCE_LIMIT)

    def is_stale(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.RUNNING and (
            self.heartbeat_at is None or self.heartbeat_at < stale_cutoff(now)
        )


class StagedFile(models.Model):
    """A storage name a job is about to write (or has written) but no row points at yet.

    Recorded and committed BEFORE the file is written; deleted in the same transaction that
    points a row at the file. A record whose job no longer holds the claim it was made
    under is a leftover (a kill between the write and the commit): the sweep deletes the
    file and the record."""

    name = models.CharField(max_length=255, unique=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="staged_files")
    claim = models.PositiveSmallIntegerField(default=0, help_text="The job's claim token when it was staged")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class WebhookSettings(models.Model):
    """An API client's webhook settings: where job events go by default and the secret
    they are signed with (Standard Webhooks: `whsec_` + base64 key)."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_settings",
    )
    callback_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Default callback for job events; a video's own callback URL wins",
    )
    secret = models.CharField(max_length=100)
    secret_rotated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "webhook settings"

    def __str__(self) -> str:
        return f"Webhook settings of {self.owner}"


class WebhookDelivery(models.Model):
    """One event sent to one URL. The body is fixed when the event is made, so every
    retry sends (and signs) the same bytes under the same webhook-id."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Gave up"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    job = models.ForeignKey(
        Job,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_deliveries",
    )
    # The webhook-id header and the event's "id": one per job ending, stable across retries.
    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=32)
    url = models.URLField(max_length=500)
    payload = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # "my deliveries, newest first" (API list) and the staff log
            models.Index(fields=["owner", "-created_at"]),
            # deliveries still owed an attempt, by due time
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} -> {self.url} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back, or why nothing did."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique_number")]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


# The kinds' labels, written by jobs.registry when an app registers a kind: kept here so the
# model reads them without importing the registry (which imports the model).
_KIND_LABELS: dict[str, str] = {}


def job_kind_label_register(name: str, label: str) -> None:
    if label:
        _KIND_LABELS[name] = label


def job_kind_label(name: str) -> str:
    """The registered label of the kind `name` ("Storyboard"); the name itself if unknown."""
    return _KIND_LABELS.get(name) or name.title()


class JobPart(models.Model):
    """One share of a job that any worker may do (a render's video segment): the job makes
    its parts for its current claim, workers claim them as leases, and the job joins their
    outputs. The job's row stays the truth for cancel and for the claim the parts belong to."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="parts")
    # The job's claim token (Job.attempts) these parts were made under; a newer claim makes its own.
    claim = models.PositiveSmallIntegerField()
    index = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Every claim of the part adds one: the current value is its holder's lease.
    lease = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Who holds (or did) it: "host:pid", and whether that is the job's own worker.
    worker = models.CharField(max_length=80, blank=True)
    by_owner = models.BooleanField(default=False)
    frames = models.PositiveIntegerField(default=0)
    frames_done = models.PositiveIntegerField(default=0)
    # The stored output (a staged file of the job's claim) once done.
    output = models.CharField(max_length=255, blank=True)
    error_stage = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "claim", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "claim", "index"], name="job_part_unique_index")]

    def __str__(self) -> str:
        return f"part {self.index} of job {self.job_id} ({self.status})"
