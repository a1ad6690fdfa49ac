from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from jobs.models import Job, JobPart, WebhookAttempt, WebhookDelivery, WebhookSettings, costs_over_estimate
from jobs.registry import job_subject, job_subject_relations, job_subject_search_fields
from jobs.services import JobStateError, job_cancel, job_retry
from jobs.system_status import system_status


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "started_at", "duration_ms", "status_code", "error", "response_excerpt")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class JobPartInline(admin.TabularInline):
    """The parts of a running job (a render's segments) and which worker holds each."""

    model = JobPart
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "claim",
        "index",
        "status",
        "worker",
        "by_owner",
        "frames_done",
        "frames",
        "heartbeat_at",
        "error_message",
    )

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every event sent to a client, with each attempt's outcome."""

    list_display = [
        "event_type",
        "owner",
        "url",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "url", "owner__username", "job__code"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    readonly_fields = [
        "code",
        "owner",
        "job",
        "event_id",
        "event_type",
        "url",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookSettings)
class WebhookSettingsAdmin(admin.ModelAdmin):
    list_display = ["owner", "callback_url", "secret_rotated_at"]
    search_fields = ["owner__username", "callback_url"]
    # The secret signs a client's events: staff see who has one, not its value.
    exclude = ["secret"]
    readonly_fields = ["owner", "secret_rotated_at"]

    def has_add_permission(self, request) -> bool:
        return False


# --- jobs (staff operations) -------------------------------------------------------------


class CostOverEstimateFilter(admin.SimpleListFilter):
    title = "cost over estimate"
    parameter_name = "over_estimate"

    def lookups(self, request, model_admin):
        return [("yes", "More than 20 % over")]

    def queryset(self, request, queryset):
        return queryset.filter(costs_over_estimate()) if self.value() == "yes" else queryset


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Every long step with its stage, progress, attempts and error. Read-only: a job
    changes through its services (retry, cancel), never by editing the row."""

    list_display = [
        "short_code",
        "kind",
        "subject_link",
        "owner",
        "status",
        "stage",
        "percent",
        "attempts",
        "crashes",
        "error",
        "over_estimate",
        "created_at",
        "heartbeat_at",
    ]
    list_filter = ["status", "kind", CostOverEstimateFilter, "created_at"]
    search_fields = ["owner__username", "error_message", "task_id"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "code",
        "kind",
        "subject_link",
        "owner",
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
        "over_estimate",
        "task_id",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    )
    inlines = [JobPartInline]
    actions = ["retry_jobs", "cancel_jobs"]

    def get_urls(self) -> list:
        return [
            path("system/", self.admin_site.admin_view(self.system_view), name="jobs_job_system"),
            *super().get_urls(),
        ]

    def get_list_select_related(self, request: HttpRequest) -> list[str]:
        return ["owner", *job_subject_relations()]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # The registered subjects' own lookups (a video's title), read once the apps are ready.
        return [*self.search_fields, *job_subject_search_fields()]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        try:
            code = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(code=code), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Jobs are the history of what they worked on; they go when that is deleted.
        return False

    @admin.display(description="Job")
    def short_code(self, job: Job) -> str:
        return job.code.hex[:8]

    @admin.display(description="Works on")
    def subject_link(self, job: Job) -> str:
        subject = job_subject(job)
        if subject is None:
            return f"(stand-alone {job.get_kind_display().lower()})"
        return format_html('<a href="{}">{}</a>', subject.admin_url(job), subject.label(job))

    @admin.display(description="Progress", ordering="progress")
    def percent(self, job: Job) -> str:
        return f"{job.progress} %"

    @admin.display(description="Error")
    def error(self, job: Job) -> str:
        if not job.error_message:
            return ""
        text = job.error_message if len(job.error_message) <= 90 else job.error_message[:89] + "…"
        return f"{job.error_stage}: {text}" if job.error_stage else text

    @admin.display(description="Over estimate", boolean=True)
    def over_estimate(self, job: Job) -> bool:
        return job.cost_over_estimate

    def _each(self, request: HttpRequest, queryset: QuerySet, work, done: str) -> None:
        succeeded = 0
        for job in queryset:
            try:
                work(job)
            except (JobStateError, PermissionDenied) as exc:
                self.message_user(request, f"{job}: {exc}", messages.WARNING)
            else:
                succeeded += 1
                self.log_change(request, job, f"{done} the job.")
        if succeeded:
            self.message_user(request, f"{done} {succeeded} job{'s' if succeeded != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Retry the selected failed or canceled jobs")
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        # job_retry asks the kind's app (e.g. a render needs an approved storyboard).
        self._each(request, queryset, lambda job: job_retry(job=job), "Retried")

    @admin.action(description="Cancel the selected queued or running jobs")
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, lambda job: job_cancel(job=job), "Canceled")

    def system_view(self, request: HttpRequest) -> TemplateResponse:
        """Workers, queue, running jobs and free disk, on one page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        status = system_status()
        context = {
            **self.admin_site.each_context(request),
            "title": "System status",
            "opts": self.model._meta,
            "status": status,
            # Each running job with what it works on, as its kind's registration names it.
            "running": [(job, self.subject_link(job)) for job in status.jobs_running],
        }
        return TemplateResponse(request, "admin/jobs/system.html", context)
