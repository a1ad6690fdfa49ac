"""API representations of jobs and webhook deliveries (output only; no logic)."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fields import StrictCharField, StrictInputSerializer
from core.api_links import api_url
from jobs.models import Job, WebhookAttempt, WebhookDelivery, WebhookSettings
from jobs.registry import job_kind_choices, job_subject


class JobLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    video = serializers.URLField(allow_null=True, help_text="Null for a stand-alone picture or narration job")
    cancel = serializers.URLField()
    retry = serializers.URLField()


class JobSerializer(serializers.ModelSerializer):
    video = serializers.SerializerMethodField()
    estimated_cost = serializers.DecimalField(
        max_digits=10, decimal_places=4, read_only=True, help_text="USD, at the providers' prices"
    )
    actual_cost = serializers.DecimalField(max_digits=10, decimal_places=4, read_only=True, help_text="USD")
    cost_over_estimate = serializers.BooleanField(
        read_only=True, help_text="The actual cost ran more than 20 % over the estimate"
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "code",
            "kind",
            "status",
            "stage",
            "progress",
            "attempts",
            "crashes",
            "error_stage",
            "error_message",
            "cancel_requested",
            "estimated_cost",
            "actual_cost",
            "cost_over_estimate",
            "video",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.UUIDField(allow_null=True, help_text="Null for a stand-alone picture or narration")
    )
    def get_video(self, job: Job):
        # The subject's code as its kind tells it (jobs reads nothing of it), a string, not
        # a UUID: webhook events are encoded with the plain json module.
        subject = job_subject(job)
        return subject.code(job) if subject is not None else None

    @extend_schema_field(JobLinksSerializer)
    def get_links(self, job: Job) -> dict:
        subject = job_subject(job)
        return {
            "self": api_url(self.context, "api-jobs-detail", code=job.code),
            "video": subject.api_url(job, self.context) if subject is not None else None,
            "cancel": api_url(self.context, "api-jobs-cancel", code=job.code),
            "retry": api_url(self.context, "api-jobs-retry", code=job.code),
        }


class JobListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Job.Status.choices, required=False, help_text="Only jobs in this status")
    kind = serializers.ChoiceField(choices=(), required=False, help_text="Only jobs of this kind")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The kinds the installed apps registered (known once they are ready).
        cast(serializers.ChoiceField, self.fields["kind"]).choices = job_kind_choices()


class WebhookSettingsSerializer(serializers.ModelSerializer):
    callback_url = serializers.CharField(read_only=True, help_text="Default callback URL; empty for none")

    class Meta:
        model = WebhookSettings
        fields = ["callback_url", "secret", "secret_rotated_at"]
        read_only_fields = fields
        extra_kwargs = {
            "secret": {"help_text": "Signing secret (`whsec_` + base64 key): verify `webhook-signature` with it."},
        }


class WebhookSettingsInputSerializer(StrictInputSerializer):
    callback_url = StrictCharField(
        max_length=500,
        allow_blank=True,
        required=False,  # a PATCH: leaving it out changes nothing
        help_text="Default http(s) URL for job events; empty for none. A video's own callback URL wins.",
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "duration_ms", "status_code", "error"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    job = serializers.SerializerMethodField()
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "code",
            "event_id",
            "event_type",
            "url",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
            "job",
            "attempt_log",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_job(self, delivery: WebhookDelivery):
        return delivery.job.code if delivery.job is not None else None
