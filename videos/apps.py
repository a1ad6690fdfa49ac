from __future__ import annotations

from django.apps import AppConfig


class VideosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "videos"

    def ready(self) -> None:
        # Imported here, not at the top: models and services load once the app registry is ready.
        # The layers below know nothing of videos: tell them what a video's jobs do, where
        # its files count against storage, and where it uses assets.
        from assets.services import asset_usage_finder_register
        from jobs.models import Job
        from jobs.registry import JobKind, job_kind_register
        from quotas.services import StorageCounter, bytes_by_user, storage_counter_register
        from videos import selectors, services
        from videos.models import Export, Video
        from videos.serializers import VideoSummarySerializer

        def event_data(job: Job) -> dict:
            return {"video": VideoSummarySerializer(job.video).data}

        for name, run in (
            (Job.Kind.STORYBOARD, services.storyboard_run),
            (Job.Kind.RENDER, services.render_run),
            (Job.Kind.EXPORT, services.export_run),
        ):
            job_kind_register(
                JobKind(
                    name=name,
                    run=run,
                    on_finished=lambda job: services.video_job_finished(job=job),
                    on_retried=lambda job: services.video_job_retried(job=job),
                    event_data=event_data,
                )
            )
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
