from __future__ import annotations

from django.apps import AppConfig


class VideosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "videos"

    def ready(self) -> None:
        # Imported here, not at the top: models and services load once the app registry is ready.
        # The layers below know nothing of videos: tell them what a video's jobs do, where
        # its files count against storage, and where it uses assets.
        from django.urls import reverse

        from assets.services import asset_usage_finder_register
        from core.api_links import api_url
        from jobs.models import Job
        from jobs.registry import (
            JobKind,
            JobSubject,
            PeriodicTask,
            job_kind_register,
            job_part_runner_register,
            periodic_task_register,
        )
        from quotas.services import StorageCounter, bytes_by_user, storage_counter_register
        from videos import selectors, services
        from videos.models import Export, Video, VideoJobKind, VideoMaster
        from videos.serializers import VideoSummarySerializer
        from videos.services.brand_kit import brand_kit_asset_uses

        def event_data(job: Job) -> dict:
            return {"video": VideoSummarySerializer(job.video).data}

        # What jobs shows of a video job's video: its code, API and admin links, callback
        # URL and log field (jobs reads nothing of a video itself).
        video_subject = JobSubject(
            related=("video", "video__project"),
            code=lambda job: str(job.video.code),
            api_url=lambda job, context: api_url(context, "api-videos-detail", code=job.video.code),
            admin_url=lambda job: reverse("admin:videos_video_change", args=[job.video_id]),
            label=lambda job: job.video.title,
            callback_url=lambda job: job.video.callback_url,
            log_fields=lambda job: {"video": str(job.video.code)},
            search_fields=("video__title",),
        )
        for kind, run in (
            (VideoJobKind.STORYBOARD, services.storyboard_run),
            (VideoJobKind.RENDER, services.render_run),
            (VideoJobKind.RENDER_ASPECT, services.master_render_run),
            (VideoJobKind.EXPORT, services.export_run),
        ):
            job_kind_register(
                JobKind(
                    name=kind.value,
                    label=kind.label,
                    run=run,
                    on_finished=lambda job: services.video_job_finished(job=job),
                    on_retried=lambda job: services.video_job_retried(job=job),
                    event_data=event_data,
                    subject=video_subject,
                )
            )
        # A render's video segments, done by any free worker (jobs.parts).
        for kind in (VideoJobKind.RENDER, VideoJobKind.RENDER_ASPECT):
            job_part_runner_register(kind.value, services.render_part_run)
        # Does nothing while CONTENTIZER_EXPORT_RETENTION_DAYS is 0 (keep for ever).
        periodic_task_register(PeriodicTask(name="expire old exports", func="videos.tasks.expire_exports", minutes=60))
        storage_counter_register(
            StorageCounter(
                name="masters",
                label="Masters",
                per_user=lambda user_id: bytes_by_user(Video.objects.filter(owner_id=user_id), user_field="owner").get(
                    user_id, 0
                ),
                by_user=lambda: bytes_by_user(Video.objects.all(), user_field="owner"),
            )
        )
        # The masters of a video's other aspects (9:16 and 1:1 beside its 16:9, ...).
        storage_counter_register(
            StorageCounter(
                name="aspect_masters",
                label="Masters of other aspects",
                per_user=lambda user_id: bytes_by_user(
                    VideoMaster.objects.filter(video__owner_id=user_id), user_field="video__owner"
                ).get(user_id, 0),
                by_user=lambda: bytes_by_user(VideoMaster.objects.all(), user_field="video__owner"),
            )
        )
        storage_counter_register(
            StorageCounter(
                name="exports",
                label="Exports",
                per_user=lambda user_id: bytes_by_user(
                    Export.objects.filter(video__owner_id=user_id), user_field="video__owner"
                ).get(user_id, 0),
                by_user=lambda: bytes_by_user(Export.objects.all(), user_field="video__owner"),
            )
        )
        asset_usage_finder_register(selectors.asset_uses)
        asset_usage_finder_register(brand_kit_asset_uses)
