"""Staff in Django admin: per-user quotas, the site settings row (approval policy and
default quotas) and the storage summary."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
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

# Storage sizes as staff type them: a number and a unit, stored in bytes. Binary units,
# named as filesizeformat (and so the rest of the site) names them.
SIZE_UNITS = (("MB", "MB", 1024**2), ("GB", "GB", 1024**3), ("TB", "TB", 1024**4))
SIZE_FACTORS = {code: factor for code, _, factor in SIZE_UNITS}


def size_in_units(size: int) -> tuple[Decimal, str]:
    """Bytes as (number, unit): the largest unit that shows it in at most two decimals."""
    for code, _, factor in reversed(SIZE_UNITS):
        number = Decimal(size) / factor
        if number >= 1 and number == round(number, 2):
            return number.quantize(Decimal(1)) if number == number.to_integral() else round(number, 2).normalize(), code
    return round(Decimal(size) / SIZE_FACTORS["MB"], 2), "MB"


class StorageSizeWidget(forms.MultiWidget):
    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs: dict | None = None) -> None:
        widgets = (
            forms.NumberInput(attrs={"step": "any", "min": "0", "style": "width:8em", "aria-label": "Size"}),
            forms.Select(choices=[(code, label) for code, label, _ in SIZE_UNITS], attrs={"aria-label": "Unit"}),
        )
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if value in (None, ""):
            return [None, "GB"]
        number, unit = size_in_units(int(value))
        return [number, unit]


class StorageSizeField(forms.MultiValueField):
    """A storage limit typed as a number and a unit (MB, GB, TB), cleaned to bytes."""

    widget = StorageSizeWidget

    def __init__(self, *, required: bool = True, **kwargs) -> None:
        fields = (
            forms.DecimalField(min_value=0, required=False),
            forms.ChoiceField(choices=[(code, label) for code, label, _ in SIZE_UNITS], required=False),
        )
        kwargs.setdefault("error_messages", {"required": "Give a size, for example 5 GB."})
        super().__init__(fields, required=required, require_all_fields=False, **kwargs)

    def compress(self, data_list) -> int | None:
        if not data_list or data_list[0] in (None, ""):
            if self.required:
                raise forms.ValidationError("Give a size, for example 5 GB.")
            return None
        number, unit = data_list
        return int(round(number * SIZE_FACTORS.get(unit or "GB", SIZE_FACTORS["GB"])))


class QuotaForm(forms.ModelForm):
    storage_bytes = StorageSizeField(
        required=False, label="Storage", help_text="Blank: the site default. 1 GB here is 1024 MB."
    )

    class Meta:
        model = Quota
        fields = ["user", "videos_per_day", "render_minutes_per_month", "storage_bytes", "concurrent_jobs"]

    def validate_unique(self) -> None:
        # Every user who has made something already has a row (the quota lock creates it):
        # "Add quota" for them saves on that row (QuotaAdmin.save_model) instead of refusing.
        if self.instance.pk is None:
            self._validate_unique = False
            return
        super().validate_unique()


class SiteSettingsForm(forms.ModelForm):
    storage_bytes = StorageSizeField(label="Storage", help_text="Default for each user. 1 GB here is 1024 MB.")

    class Meta:
        model = SiteSettings
        fields = [
            "require_staff_approval",
            "review_approval_approves",
            "videos_per_day",
            "render_minutes_per_month",
            "storage_bytes",
            "concurrent_jobs",
        ]


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    """Per-user limits; a blank field means the site default (Site settings)."""

    form = QuotaForm

    list_display = ["user", "videos_per_day_limit", "render_minutes_limit", "storage_limit", "jobs_limit", "updated_at"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    fields = ["user", "videos_per_day", "render_minutes_per_month", "storage_bytes", "concurrent_jobs", "current_use"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return ["user", "current_use"] if obj is not None else ["current_use"]

    def save_model(self, request: HttpRequest, obj: Quota, form, change: bool) -> None:
        existing = None if change else Quota.objects.filter(user_id=obj.user_id).first()
        if existing is not None:
            # The user's row exists already: the limits typed here go on it.
            obj.pk = existing.pk
            obj._saved_on_existing = True  # type: ignore[attr-defined]  # for response_add
            obj.save(force_update=True)
            return
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: Quota, post_url_continue=None) -> HttpResponse:
        if getattr(obj, "_saved_on_existing", False):
            self.message_user(
                request,
                f"{obj.user} already had a quota row (made when they first used the site); your limits are saved on it.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:quotas_quota_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

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
        rows: list[dict[str, Any]] = []
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

    form = SiteSettingsForm

    fieldsets = [
        ("Approvals", {"fields": ["require_staff_approval", "review_approval_approves"]}),
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
