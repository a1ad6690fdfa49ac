"""Media assets in admin: what each file is, whose, how big, with a preview. Read-only:
files, checksums and sizes are written by the services that store them."""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from assets.forms import StockAssetForm
from assets.models import Generation, MediaAsset, ReplicatePrediction, ReplicateWebhookEvent, StockItem
from assets.services import (
    asset_delete_if_unused,
    asset_usage,
    stock_asset_create,
    stock_tags_normalise,
    upload_too_large,
)
from assets.upload_handlers import upload_refusal
from core.delivery import serve_stored_file
from jobs.registry import job_subject


def _dimensions(asset: MediaAsset) -> str:
    parts = []
    if asset.width and asset.height:
        parts.append(f"{asset.width}×{asset.height}")
    if asset.duration_ms:
        parts.append(f"{asset.duration_ms / 1000:.1f} s")
    return ", ".join(parts) or "–"


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "short_code", "kind", "source", "owner", "size", "mime", "dimensions", "created_at"]
    list_display_links = ["short_code"]
    list_filter = ["kind", "source", "created_at"]
    search_fields = ["owner__username", "owner__email", "checksum", "generator", "mime"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "preview",
        "code",
        "owner",
        "kind",
        "source",
        "file",
        "mime",
        "size",
        "checksum",
        "width",
        "height",
        "duration_ms",
        "generator",
        "created_at",
    )

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/file/",
                self.admin_site.admin_view(self.file_view),
                name="assets_mediaasset_file",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The stored bytes, for the preview (Range requests, so clips can seek)."""

        if not self.has_view_permission(request):
            raise Http404
        asset = get_object_or_404(MediaAsset, pk=pk)
        return serve_stored_file(request, asset.file.name, content_type=asset.mime or "application/octet-stream")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        try:
            code = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(code=code), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Assets come from generation and validated uploads, never from a bare file field.
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: MediaAsset) -> None:
        # The admin's delete page already refuses an asset a scene or video still uses
        # (PROTECT); this also removes the file from storage.
        if not asset_delete_if_unused(asset=obj):
            self.message_user(request, f"“{obj}” is in use and was not deleted.", messages.WARNING)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        kept = [asset for asset in queryset if not asset_delete_if_unused(asset=asset)]
        if kept:
            self.message_user(request, f"{len(kept)} assets are in use and were not deleted.", messages.WARNING)

    def _url(self, asset: MediaAsset) -> str:
        return reverse("admin:assets_mediaasset_file", args=[asset.pk])

    @admin.display(description="")
    def thumbnail(self, asset: MediaAsset) -> str:
        if asset.kind != MediaAsset.Kind.IMAGE or not asset.file:
            return ""
        return format_html(
            '<img src="{}" alt="" loading="lazy" style="max-height:40px;max-width:72px">', self._url(asset)
        )

    @admin.display(description="Preview")
    def preview(self, asset: MediaAsset) -> str:
        if not asset.file:
            return "No file."
        url = self._url(asset)
        if asset.kind == MediaAsset.Kind.IMAGE:
            return format_html(
                '<a href="{}"><img src="{}" alt="" style="max-width:480px;max-height:320px"></a>', url, url
            )
        if asset.kind == MediaAsset.Kind.VIDEO:
            return format_html(
                '<video controls preload="metadata" src="{}" style="max-width:480px;max-height:320px"></video>', url
            )
        return format_html('<audio controls preload="metadata" src="{}"></audio>', url)

    @admin.display(description="Code")
    def short_code(self, asset: MediaAsset) -> str:
        return asset.code.hex[:8]

    @admin.display(description="Size", ordering="size_bytes")
    def size(self, asset: MediaAsset) -> str:
        return filesizeformat(asset.size_bytes)

    @admin.display(description="Size / length")
    def dimensions(self, asset: MediaAsset) -> str:
        return _dimensions(asset)


# --- the stock library ----------------------------------------------------------------------


@admin.register(StockItem)
class StockItemAdmin(admin.ModelAdmin):
    """Staff curate the stock library here: add a picture, clip or music file with tags
    (checked like a creator's upload), edit its name and tags, remove it when no scene
    or video uses it. Creators see it read-only; scenes of "stock" videos take the item
    whose tags share the most words with their narration and prompt."""

    list_display = ["thumbnail", "title", "kind", "tags", "size", "dimensions", "in_use", "created_at"]
    list_display_links = ["title"]
    list_filter = ["kind", "created_at"]
    search_fields = ["label", "tags"]
    list_select_related = ["owner"]
    fields = ["preview", "label", "tags", "kind", "mime", "size", "dimensions", "owner", "code", "created_at"]
    readonly_fields = ["preview", "kind", "mime", "size", "dimensions", "owner", "code", "created_at"]

    def get_urls(self) -> list:
        return [
            path("<int:pk>/file/", self.admin_site.admin_view(self.file_view), name="assets_stockitem_file"),
            *super().get_urls(),
        ]

    def file_view(self, request: HttpRequest, pk: int) -> HttpResponse:

        if not self.has_view_permission(request):
            raise Http404
        asset = get_object_or_404(StockItem, pk=pk)
        return serve_stored_file(request, asset.file.name, content_type=asset.mime or "application/octet-stream")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """A staff-friendly upload form (file, name, tags), validated like a creator's upload."""
        from django.core.exceptions import PermissionDenied, ValidationError
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse

        if not self.has_add_permission(request):
            raise PermissionDenied
        status = 200
        form = StockAssetForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            refusal = upload_refusal(request)
            if refusal:
                form.is_valid()
                form.errors.pop("file", None)
                form.add_error("file", refusal)
                status = 413
            elif form.is_valid():
                try:
                    asset = stock_asset_create(
                        staff=request.user,
                        upload=form.cleaned_data["file"],
                        tags=form.cleaned_data["tags"],
                        label=form.cleaned_data["label"],
                    )
                except ValidationError as exc:
                    form.add_service_errors(exc)
                    status = 413 if upload_too_large(exc) else 400
                else:
                    self.log_addition(request, asset, [{"added": {}}])
                    self.message_user(
                        request,
                        f"Added “{asset.label or asset}” to the stock library ({asset.tags}).",
                        messages.SUCCESS,
                    )
                    return redirect("admin:assets_stockitem_changelist")
            else:
                status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": "Add a stock item",
            "opts": self.model._meta,
            "form": form,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "assets/admin_stock_add.html", context, status=status)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: StockItem, form, change: bool) -> None:

        # Only the name and the tags change here; the tags are stored normalised.
        obj.tags = stock_tags_normalise(obj.tags) or obj.tags
        obj.save(update_fields=["label", "tags"])

    def delete_model(self, request: HttpRequest, obj: StockItem) -> None:
        if not asset_delete_if_unused(asset=obj):
            self.message_user(request, f"“{obj}” is in use and was not deleted.", messages.WARNING)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        kept = [asset for asset in queryset if not asset_delete_if_unused(asset=asset)]
        if kept:
            self.message_user(request, f"{len(kept)} stock items are in use and were not deleted.", messages.WARNING)

    def _url(self, asset: MediaAsset) -> str:
        return reverse("admin:assets_stockitem_file", args=[asset.pk])

    @admin.display(description="")
    def thumbnail(self, asset: MediaAsset) -> str:
        if asset.kind != MediaAsset.Kind.IMAGE or not asset.file:
            return ""
        return format_html(
            '<img src="{}" alt="" loading="lazy" style="max-height:40px;max-width:72px">', self._url(asset)
        )

    @admin.display(description="Preview")
    def preview(self, asset: MediaAsset) -> str:
        url = self._url(asset)
        if asset.kind == MediaAsset.Kind.IMAGE:
            return format_html('<img src="{}" alt="" style="max-width:480px;max-height:320px">', url)
        if asset.kind == MediaAsset.Kind.VIDEO:
            return format_html(
                '<video controls preload="metadata" src="{}" style="max-width:480px;max-height:320px"></video>', url
            )
        return format_html('<audio controls preload="metadata" src="{}"></audio>', url)

    @admin.display(description="Name", ordering="label")
    def title(self, asset: MediaAsset) -> str:
        return asset.label or asset.code.hex[:8]

    @admin.display(description="Size", ordering="size_bytes")
    def size(self, asset: MediaAsset) -> str:
        return filesizeformat(asset.size_bytes)

    @admin.display(description="Size / length")
    def dimensions(self, asset: MediaAsset) -> str:
        return _dimensions(asset)

    @admin.display(description="In use")
    def in_use(self, asset: MediaAsset) -> str:

        uses = asset_usage(asset=asset)
        return f"{len(uses)} place{'s' if len(uses) != 1 else ''}" if uses else "–"


# --- Replicate: what was asked, what it cost --------------------------------------------------


@admin.register(ReplicatePrediction)
class ReplicatePredictionAdmin(admin.ModelAdmin):
    """Every prediction asked of Replicate, with its outcome and cost (a job's actual cost
    is the sum of its stored outputs). Read-only: written by the storyboard and webhooks."""

    list_display = ["prediction_id", "model", "status", "attempt", "cost_usd", "job_link", "created_at", "completed_at"]
    list_filter = ["status", "model", "created_at"]
    search_fields = ["prediction_id", "job__code", "job__video__title"]
    list_select_related = ["job", "job__video"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ReplicatePrediction._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Job")
    def job_link(self, prediction: ReplicatePrediction) -> str:
        if prediction.job is None:
            return "–"
        url = reverse("admin:jobs_job_change", args=[prediction.job_id])
        # What the job works on, as its kind names it (a stand-alone picture has no subject).
        subject = job_subject(prediction.job)
        label = subject.label(prediction.job) if subject is not None else prediction.job.get_kind_display()
        return format_html('<a href="{}">{}</a>', url, label)


@admin.register(ReplicateWebhookEvent)
class ReplicateWebhookEventAdmin(admin.ModelAdmin):
    """Webhooks accepted from Replicate (one row per webhook-id: retries are not applied twice)."""

    list_display = ["webhook_id", "prediction_id", "status", "received_at"]
    search_fields = ["webhook_id", "prediction_id"]
    readonly_fields = ["webhook_id", "prediction_id", "status", "received_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    """Stand-alone pictures and narrations (`POST /api/v1/pictures`, `/narrations`): what
    was asked, the job that makes it, what it made. Read-only: written by their services
    and jobs."""

    list_display = ["__str__", "kind", "owner", "provider", "job_link", "made", "created_at"]
    list_filter = ["kind", "provider", "job__status", "created_at"]
    search_fields = ["code", "owner__username", "prompt", "text", "job__code"]
    list_select_related = ["owner", "job", "picture", "audio_wav", "audio_m4a"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Generation._meta.fields] + ["job_link", "made"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Job", ordering="job__status")
    def job_link(self, generation: Generation) -> str:
        url = reverse("admin:jobs_job_change", args=[generation.job_id])
        return format_html('<a href="{}">{}</a>', url, generation.job.get_status_display())

    @admin.display(description="Made")
    def made(self, generation: Generation) -> str:
        assets = [(label, a) for label, a in (("picture", generation.picture), ("WAV", generation.audio_wav),
                                                ("M4A", generation.audio_m4a)) if a is not None]  # fmt: skip
        if not assets:
            return "–"
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reverse("admin:assets_mediaasset_change", args=[a.pk]), label) for label, a in assets),
        )
