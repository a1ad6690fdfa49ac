"""Staff operations in Django admin: videos and their approval queue, projects, quotas,
site settings and the storage summary.

Every action calls the same services as the pages and the API; a refusal (not approved,
over quota, wrong state) becomes a warning message naming the video, never a 500. Files,
codes and costs are read-only: they are written by jobs, not by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Prefetch, QuerySet, Sum, Window
from django.http import HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.errors import Conflict
from jobs.models import Job
from jobs.services import JobStateError, job_cancel, job_retry
from videos import services
from videos.models import (
    Batch,
    BrandKit,
    CaptionPreset,
    Export,
    Project,
    Scene,
    StoryboardAwaitingApproval,
    Video,
    VideoJobKind,
    VideoMaster,
)
from videos.selectors import batch_progress, batches_with_progress
from videos.services.brand_kit import FIELDS as BRAND_KIT_FIELDS
from videos.templatetags.video_tags import duration_text

# What a service may answer instead of doing the work: shown as a warning, per video.
REFUSALS = (Conflict, PermissionDenied, ValidationError, JobStateError)
STORYBOARDS = ("storyboard", "storyboards")
LIMIT_FIELDS = ("videos_per_day", "render_minutes_per_month", "storage_bytes", "concurrent_jobs")


def refusal_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "Not allowed."


def asset_file_url(asset) -> str:
    return reverse("admin:assets_mediaasset_file", args=[asset.pk])


def search_by_code(queryset: QuerySet, search_term: str) -> QuerySet | None:
    """Rows whose public code is the search term, when it is a UUID (hex with or
    without dashes); None when it is not one."""
    try:
        code = uuid.UUID(search_term.strip())
    except ValueError:
        return None
    return queryset.model.objects.filter(code=code)


def run_for_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects,
    work: Callable[[object], object],
    *,
    done: str,
    log: str,
    noun: tuple[str, str] = ("video", "videos"),
) -> int:
    """Call `work(obj)` for each object; one success message with the count, one
    warning per refusal. Each success is written to the admin log."""
    succeeded = 0
    for obj in objects:
        try:
            work(obj)
        except REFUSALS as exc:
            modeladmin.message_user(request, f"“{obj}”: {refusal_text(exc)}", messages.WARNING)
        else:
            succeeded += 1
            modeladmin.log_change(request, obj, log)
    if succeeded:
        modeladmin.message_user(request, f"{done} {succeeded} {noun[succeeded != 1]}.", messages.SUCCESS)
    return succeeded


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        max_length=2000,
        help_text="The creator sees this on their storyboard page.",
    )


# --- actions shared by the video list and the approval queue -----------------------------


@admin.action(description="Approve the selected storyboards")
def approve_storyboards(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    run_for_each(
        modeladmin,
        request,
        queryset,
        lambda video: services.storyboard_staff_approve(video=video, staff=request.user),
        done="Approved",
        log="Approved the storyboard.",
        noun=STORYBOARDS,
    )


@admin.action(description="Reject the selected storyboards (with a reason)…")
def reject_storyboards(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> TemplateResponse | None:
    """An intermediate page asks for the reason; its form posts back to this action."""
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        run_for_each(
            modeladmin,
            request,
            queryset,
            lambda video: services.storyboard_reject(video=video, staff=request.user, reason=reason),
            done="Rejected",
            log=f"Rejected the storyboard: {reason}",
            noun=STORYBOARDS,
        )
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Reject storyboards",
        "opts": opts,
        "form": form,
        "videos": list(queryset.select_related("owner")),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": "reject_storyboards",
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/videos/reject_storyboards.html", context)


# --- videos ------------------------------------------------------------------------------


class SceneInline(admin.TabularInline):
    """The storyboard as staff review it: read-only (edits go through the creator's pages,
    which withdraw the approval and remake the media)."""

    model = Scene
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ["position", "thumbnail", "narration", "narration_player", "visual_prompt", "length", "refinement_count"]
    readonly_fields = fields
    ordering = ["position"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row is headed "Scene 2 of 3" (Scene.__str__ reads scene_total).
        return (
            super()
            .get_queryset(request)
            .select_related("picture", "narration_audio")
            .annotate(scene_total=Window(Count("pk"), partition_by=[F("video_id")]))
        )

    @admin.display(description="Picture")
    def thumbnail(self, scene: Scene) -> str:
        if scene.picture is None:
            return "–"
        url = asset_file_url(scene.picture)
        return format_html('<a href="{}"><img src="{}" alt="" style="max-height:72px;max-width:128px"></a>', url, url)

    @admin.display(description="Narration audio")
    def narration_player(self, scene: Scene) -> str:
        if scene.narration_audio is None:
            return "–"
        return format_html(
            '<audio controls preload="none" src="{}" aria-label="Narration of scene {}"></audio>',
            asset_file_url(scene.narration_audio),
            scene.position + 1,
        )

    @admin.display(description="Length")
    def length(self, scene: Scene) -> str:
        return duration_text(scene.duration_ms or None)  # 0: not recorded yet


class JobInline(admin.TabularInline):
    model = Job
    extra = 0
    can_delete = False
    fields = ["job_link", "kind", "status", "stage", "progress", "attempts", "error_message", "created_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Job")
    def job_link(self, job: Job) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:jobs_job_change", args=[job.pk]), job.code.hex[:8])


class VideoMasterInline(admin.TabularInline):
    """The masters of the video's other aspects (its own is the video's fields); each
    render's job is a link (cancel, retry there)."""

    model = VideoMaster
    verbose_name = "master of another aspect"
    verbose_name_plural = "masters of other aspects"
    extra = 0
    can_delete = False
    fields = ["aspect", "job_link", "file", "width", "height", "size", "downloads"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Render")
    def job_link(self, master: VideoMaster) -> str:
        if master.job is None:
            return "–"
        job = master.job
        return format_html(
            '<a href="{}">{} ({})</a>', reverse("admin:jobs_job_change", args=[job.pk]), job.code.hex[:8], job.status
        )

    @admin.display(description="Size")
    def size(self, master: VideoMaster) -> str:
        return filesizeformat(master.size_bytes) if master.size_bytes else "–"


class ExportInline(admin.TabularInline):
    model = Export
    extra = 0
    can_delete = False
    fields = ["format", "quality", "job", "width", "height", "size", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Size")
    def size(self, export: Export) -> str:
        return filesizeformat(export.size_bytes) if export.size_bytes else "–"


VIDEO_READONLY = [
    "code",
    "owner",
    "project",
    "status",
    "approval",
    "approved_by",
    "approved_at",
    "rejection_reason",
    "site_links",
    "script",
    "aspect",
    "quality",
    "fps",
    "voice",
    "speech_rate",
    "music",
    "music_asset",
    "music_volume_db",
    "captions",
    "caption_style",
    "caption_font",
    "caption_size",
    "caption_color",
    "caption_highlight_color",
    "caption_background",
    "caption_position",
    "transition",
    "callback_url",
    "refinements_used",
    "estimated_cost",
    "player",
    "master",
    "poster",
    "captions_vtt",
    "captions_srt",
    "duration_ms",
    "width",
    "height",
    "video_codec",
    "audio_codec",
    "size",
    "created_at",
    "updated_at",
]


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "status", "approval", "scene_count", "length", "size", "created_at"]
    list_filter = ["status", "approval", "quality", "aspect", "created_at"]
    search_fields = ["title", "owner__username", "owner__email"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    readonly_fields = VIDEO_READONLY
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "code",
                    "owner",
                    "project",
                    "site_links",
                    "status",
                    "approval",
                    "approved_by",
                    "approved_at",
                    "rejection_reason",
                ]
            },
        ),
        ("Output", {"fields": ["player", "duration_ms", "width", "height", "video_codec", "audio_codec", "size"]}),
        (
            "Options",
            {
                "classes": ["collapse"],
                "fields": [
                    "aspect",
                    "quality",
                    "fps",
                    "voice",
                    "speech_rate",
                    "music",
                    "music_asset",
                    "music_volume_db",
                    "captions",
                    "caption_style",
                    "caption_font",
                    "caption_size",
                    "caption_color",
                    "caption_highlight_color",
                    "caption_background",
                    "caption_position",
                    "transition",
                    "callback_url",
                    "refinements_used",
                    "estimated_cost",
                ],
            },
        ),
        ("Script", {"classes": ["collapse"], "fields": ["script"]}),
        (
            "Files",
            {"classes": ["collapse"], "fields": ["master", "poster", "captions_vtt", "captions_srt"]},
        ),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [SceneInline, VideoMasterInline, JobInline, ExportInline]
    actions = [approve_storyboards, reject_storyboards, "render_videos", "cancel_jobs", "retry_jobs"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_scene_count=Count("scenes", distinct=True))

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        by_code = search_by_code(queryset, search_term)
        if by_code is not None:
            return queryset.filter(pk__in=by_code.values("pk")), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Videos are made from a script by the creator's pages, the API or make_video.
        return False

    def get_deleted_objects(self, objs, request: HttpRequest):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A video's jobs are its history and go with it (video_delete cancels running ones);
        # staff cannot delete a job on its own, but that must not block deleting the video.
        perms_needed.discard(Job._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Video) -> None:
        services.video_delete(video=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for video in queryset:
            services.video_delete(video=video)

    # --- columns and fields ---

    @admin.display(description="Scenes", ordering="_scene_count")
    def scene_count(self, video: Video) -> int:
        return getattr(video, "_scene_count", None) or video.scenes.count()

    @admin.display(description="Length", ordering="duration_ms")
    def length(self, video: Video) -> str:
        return duration_text(video.duration_ms)

    @admin.display(description="Size", ordering="size_bytes")
    def size(self, video: Video) -> str:
        return filesizeformat(video.size_bytes) if video.size_bytes else "–"

    @admin.display(description="Estimated cost")
    def estimated_cost(self, video: Video) -> str:
        return f"${services.video_estimated_cost(video=video):.4f}"

    @admin.display(description="On the site")
    def site_links(self, video: Video) -> str:
        return format_html(
            '<a href="{}">Storyboard</a> · <a href="{}">Video page</a>',
            reverse("videos-storyboard", kwargs={"code": video.code}),
            reverse("videos-detail", kwargs={"code": video.code}),
        )

    @admin.display(description="Player")
    def player(self, video: Video) -> str:
        if not video.master:
            return "Not rendered yet."
        return format_html(
            '<video controls preload="none" poster="{}" src="{}" style="max-width:480px;max-height:270px"></video>',
            reverse("videos-poster", kwargs={"code": video.code}) if video.poster else "",
            reverse("videos-stream", kwargs={"code": video.code}),
        )

    # --- actions ---

    @admin.action(description="Render the selected videos")
    def render_videos(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The owner's quota applies: staff start the work, the creator's account pays for it.
        run_for_each(
            self,
            request,
            queryset,
            lambda video: services.render_request(video=video, user=request.user),
            done="Queued a render of",
            log="Queued a render.",
        )

    @admin.action(description="Cancel the selected videos' running jobs")
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        def cancel(video: Video) -> None:
            active = list(video.jobs.filter(status__in=Job.ACTIVE))
            if not active:
                raise JobStateError("No job of this video is queued or running.")
            for job in active:
                job_cancel(job=job)

        run_for_each(self, request, queryset, cancel, done="Canceled the jobs of", log="Canceled its jobs.")

    @admin.action(description="Retry the selected videos' failed jobs")
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        def retry(video: Video) -> None:
            job = video.jobs.order_by("-created_at").first()
            if job is None or job.status not in (Job.Status.FAILED, Job.Status.CANCELED):
                raise JobStateError("Its latest job did not fail and was not canceled; there is nothing to retry.")
            job_retry_checked(job=job)

        run_for_each(self, request, queryset, retry, done="Retried the latest job of", log="Retried its latest job.")


def job_retry_checked(*, job: Job) -> Job:
    """Retry, but never a render of a storyboard that is not approved (any more)."""
    if (
        job.kind == VideoJobKind.RENDER
        and not Video.objects.filter(pk=job.video_id, approval=Video.Approval.APPROVED).exists()
    ):
        raise PermissionDenied("The storyboard is not approved; approve it before rendering again.")
    return job_retry(job=job)


@admin.register(StoryboardAwaitingApproval)
class StoryboardAwaitingApprovalAdmin(admin.ModelAdmin):
    """The queue: storyboards creators submitted while the site requires staff approval,
    oldest first, with their first pictures. Open one to see its scenes and approve or
    reject it there (or several at once from the list's actions)."""

    list_display = ["title", "pictures", "owner", "scene_count", "length", "submitted", "review_link"]
    list_display_links = ["title"]
    QUEUE_THUMBNAILS = 4
    search_fields = ["title", "owner__username", "owner__email"]
    list_select_related = ["owner"]
    ordering = ["updated_at"]
    readonly_fields = ["title", "owner", "project", "approval", "rejection_reason", "script", "updated_at"]
    fields = readonly_fields
    inlines = [SceneInline]
    actions = [approve_storyboards, reject_storyboards]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Served by the (approval, updated_at) index on Video.
        return (
            super()
            .get_queryset(request)
            .filter(approval=Video.Approval.PENDING)
            .annotate(_scene_count=Count("scenes"), _length_ms=Sum("scenes__duration_ms"))
            .prefetch_related(
                Prefetch(
                    "scenes",
                    queryset=Scene.objects.filter(picture__isnull=False).select_related("picture").order_by("position"),
                    to_attr="_pictured_scenes",
                )
            )
        )

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        """The review page: the storyboard with Approve, and Reject with a reason, at the
        bottom (the same services as the list's actions)."""
        video = self.get_object(request, object_id)
        reject_form = RejectForm()
        if video is not None and request.method == "POST" and self.has_view_permission(request, video):
            if "_approve" in request.POST:
                return self._review(request, video, approve=True, reason="")
            if "_reject" in request.POST:
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    return self._review(request, video, approve=False, reason=reject_form.cleaned_data["reason"])
            # A reject without a reason: the page again, with the form's message.
            request.method = "GET"
        context = {**(extra_context or {}), "reject_form": reject_form, "review": True}
        if video is not None:
            context.setdefault("title", "Review the storyboard")
        response = super().change_view(request, object_id, form_url, extra_context=context)
        if reject_form.is_bound:
            response.status_code = 400
        return response

    def _review(self, request: HttpRequest, video: Video, *, approve: bool, reason: str) -> HttpResponseRedirect:
        try:
            if approve:
                services.storyboard_staff_approve(video=video, staff=request.user)
            else:
                services.storyboard_reject(video=video, staff=request.user, reason=reason)
        except REFUSALS as exc:
            self.message_user(request, f"“{video}”: {refusal_text(exc)}", messages.WARNING)
            return HttpResponseRedirect(request.path)
        if approve:
            self.log_change(request, video, "Approved the storyboard.")
            self.message_user(request, f"Approved “{video}”; its creator can render it now.", messages.SUCCESS)
        else:
            self.log_change(request, video, f"Rejected the storyboard: {reason}")
            self.message_user(request, f"Sent “{video}” back to its creator with your reason.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:videos_storyboardawaitingapproval_changelist"))

    @admin.display(description="Pictures")
    def pictures(self, video: Video) -> str:
        scenes = getattr(video, "_pictured_scenes", [])[: self.QUEUE_THUMBNAILS]
        if not scenes:
            return "–"
        return format_html_join(
            "",
            '<img src="{}" alt="Scene {}" loading="lazy" class="queue-thumb" '
            'style="height:40px;width:auto;max-width:72px;border-radius:4px;margin-right:3px;object-fit:cover">',
            ((asset_file_url(scene.picture), scene.position + 1) for scene in scenes),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Scenes", ordering="_scene_count")
    def scene_count(self, video: Video) -> int:
        return video._scene_count

    @admin.display(description="Length")
    def length(self, video: Video) -> str:
        return duration_text(video._length_ms)

    @admin.display(description="Waiting since", ordering="updated_at")
    def submitted(self, video: Video):
        return video.updated_at

    @admin.display(description="Review")
    def review_link(self, video: Video) -> str:
        return format_html(
            '<a href="{}">Storyboard page</a>', reverse("videos-storyboard", kwargs={"code": video.code})
        )


# --- projects ----------------------------------------------------------------------------


@admin.register(CaptionPreset)
class CaptionPresetAdmin(admin.ModelAdmin):
    """Creators' saved caption looks; read-only here (creators save them, the checks live in
    caption_preset_save)."""

    list_display = ["name", "owner", "caption_style", "caption_font", "caption_position", "updated_at"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
    readonly_fields = ["code", "owner", "name", *CaptionPreset.FIELDS, "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(BrandKit)
class BrandKitAdmin(admin.ModelAdmin):
    """Creators' brand kits; read-only here (creators set them, the checks live in
    videos.services.brand_kit)."""

    list_display = ["owner", "logo", "logo_corner", "font", "intro_title", "outro_title", "updated_at"]
    search_fields = ["owner__username", "intro_title", "outro_title"]
    list_select_related = ["owner", "logo"]
    readonly_fields = ["code", "owner", "logo", *BRAND_KIT_FIELDS, "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "video_count", "created_at"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_video_count=Count("videos"))

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # Moving a project to another owner would leave their videos in someone else's folder.
        return ["code", "owner", "created_at"] if obj is not None else ["code", "created_at"]

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        services.project_delete(project=obj)

    @admin.display(description="Videos", ordering="_video_count")
    def video_count(self, project: Project) -> int:
        return project._video_count


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    """Videos made together from one file. Read-only but for the name: the rows became
    ordinary videos through the batch service (pages, API, CLI); deleting a batch only
    ungroups its videos."""

    list_display = ["name", "owner", "video_count", "progress", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "code", "owner__username"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    readonly_fields = ["code", "owner", "created_at", "progress", "video_links"]
    fields = ["name", "code", "owner", "created_at", "progress", "video_links"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return batches_with_progress().select_related("owner").annotate(_video_count=Count("videos"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Videos", ordering="_video_count")
    def video_count(self, batch: Batch) -> int:
        return batch._video_count

    @admin.display(description="Progress")
    def progress(self, batch: Batch) -> str:
        progress = batch_progress(batch)
        counts = ", ".join(f"{count} {status}" for status, count in progress.counts.items() if count)
        state = "finished" if progress.finished else f"{progress.percent}%"
        return f"{state} ({counts})" if counts else state

    @admin.display(description="Videos (row, status, job)")
    def video_links(self, batch: Batch) -> str:
        items = batch_progress(batch).videos
        if not items:
            return "–"
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> · {}{}</li>',
                (
                    (
                        reverse("admin:videos_video_change", args=[item.video.pk]),
                        item.video.title,
                        item.video.get_status_display(),
                        format_html(
                            ' · <a href="{}">{} job, {}</a>',
                            reverse("admin:jobs_job_change", args=[item.job.pk]),
                            item.job.get_kind_display(),
                            item.job.get_status_display().lower(),
                        )
                        if item.job
                        else "",
                    )
                    for item in items
                ),
            ),
        )
