"""Staff in Django admin: per-user quotas, the site settings row (approval policy and
default quotas) and the storage summary."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from quotas import services as quotas
from quotas.models import Quota, SiteSettings

LIMIT_FIELDS = ("videos_per_day", "render_minutes_per_month", "storage_bytes", "concurrent_jobs")


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    """Per-user limits; a blank field means the site default (Site settings)."""

    list_display = ["user", "videos_per_day_limit", "render_minutes_limit", "storage_limit", "jobs_limit", "updated_at"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    fields = ["user", "videos_per_day", "render_minutes_per_month", "storage_bytes", "concurrent_jobs", "current_use"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return ["user", "current_use"] if obj is not None else ["current_use"]

    def get_urls(self) -> list:
        return [
            path("storage/", self.admin_site.admin_view(self.storage_view), name="quotas_quota_storage"),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The site defaults ride along on each row: one read of SiteSettings per page.
        site = SiteSettings.load()
        return (
            super()
            .get_queryset(request)
            .annotate(**{f"_site_{field}": Value(getattr(site, field)) for field in LIMIT_FIELDS})
        )

    def _show(self, quota: Quota, field: str, fmt: Callable[[int], str] = str) -> str:
        own = getattr(quota, field)
        if own is not None:
            return fmt(own)
        return f"{fmt(getattr(quota, f'_site_{field}'))} (site default)"

    @admin.display(description="Videos per day")
    def videos_per_day_limit(self, quota: Quota) -> str:
        return self._show(quota, "videos_per_day")

    @admin.display(description="Render minutes per month")
    def render_minutes_limit(self, quota: Quota) -> str:
        return self._show(quota, "render_minutes_per_month")

    @admin.display(description="Storage")
    def storage_limit(self, quota: Quota) -> str:
        return self._show(quota, "storage_bytes", filesizeformat)

    @admin.display(description="Concurrent jobs")
    def jobs_limit(self, quota: Quota) -> str:
        return self._show(quota, "concurrent_jobs")

    @admin.display(description="Use now")
    def current_use(self, quota: Quota) -> str:
        if quota is None or quota.user_id is None:
            return "–"
        usage = quotas.quota_usage(user=quota.user)
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {} of {}</li>",
                ((m.label, m.used_display, m.limit_display) for m in usage.meters),
            ),
        )

    def storage_view(self, request: HttpRequest) -> TemplateResponse:
        """Bytes per user by registered counter (uploads and scene media, masters, exports), largest first."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        use = quotas.storage_use_by_user()
        users = get_user_model().objects.in_bulk(list(use))
        own = {q.user_id: q for q in Quota.objects.filter(user_id__in=list(use))}
        site = SiteSettings.load()
        rows = []
        for user_id, row in use.items():
            quota = own.get(user_id)
            limit = quota.storage_bytes if quota is not None and quota.storage_bytes is not None else site.storage_bytes
            rows.append(
                {
                    "user": users.get(user_id),
                    "use": row,
                    "limit": limit,
                    "percent": min(100, round(100 * row.total_bytes / limit)) if limit else 100,
                    "over": row.total_bytes >= limit,
                    "quota": quota,
                }
            )
        rows.sort(key=lambda r: r["use"].total_bytes, reverse=True)
        counters = quotas.storage_counters()
        for r in rows:
            r["parts"] = [r["use"].parts.get(c.name, 0) for c in counters]
        totals = {
            "parts": [sum(r["use"].parts.get(c.name, 0) for r in rows) for c in counters],
            "total": sum(r["use"].total_bytes for r in rows),
        }
        context = {
            **self.admin_site.each_context(request),
            "title": "Storage use per user",
            "opts": self.model._meta,
            "rows": rows,
            "columns": [c.label for c in counters],
            "totals": totals,
        }
        return TemplateResponse(request, "admin/quotas/storage_summary.html", context)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to it."""

    fieldsets = [
        ("Approvals", {"fields": ["require_staff_approval"]}),
        (
            "Default quotas (per user; a user's own quota overrides each)",
            {"fields": ["videos_per_day", "render_minutes_per_month", "storage_bytes", "concurrent_jobs"]},
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        site = SiteSettings.load()
        return HttpResponseRedirect(reverse("admin:quotas_sitesettings_change", args=[site.pk]))

    def response_change(self, request: HttpRequest, obj: SiteSettings) -> HttpResponse:
        self.message_user(request, "Site settings saved; they apply to the next request.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:index"))
