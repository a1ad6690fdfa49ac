from __future__ import annotations

from django.apps import AppConfig


class AssetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assets"

    def ready(self) -> None:
        # Imported here, not at the top: models and services load once the app registry is ready.
        from assets import generations
        from assets.models import Generation, GenerationJobKind, MediaAsset, PictureLayer
        from assets.serializers import NarrationSerializer, PictureSerializer
        from jobs.models import Job
        from jobs.registry import JobKind, job_kind_register
        from quotas.services import StorageCounter, bytes_by_user, quota_check, storage_counter_register

        # Stand-alone pictures and narrations are jobs without a video: assets tells jobs
        # what runs them and how their webhook events describe what was made.
        def picture_event(job: Job) -> dict:
            generation = Generation.objects.filter(job=job).select_related("job", "picture").first()
            return {"picture": PictureSerializer(generation).data if generation else None}

        def narration_event(job: Job) -> dict:
            generation = Generation.objects.filter(job=job).select_related("job", "audio_wav", "audio_m4a").first()
            return {"narration": NarrationSerializer(generation).data if generation else None}

        from assets.samples import SAMPLES_PREFIX
        from core.storage import storage_keep_prefix

        storage_keep_prefix(SAMPLES_PREFIX)

        def retried(job: Job) -> None:
            # A retried job is queued work like a new one: the concurrent-jobs quota applies.
            quota_check(user=job.owner, jobs=1)

        for kind, run, event_data in (
            (GenerationJobKind.PICTURE, generations.picture_run, picture_event),
            (GenerationJobKind.NARRATION, generations.narration_run, narration_event),
        ):
            job_kind_register(
                JobKind(name=kind.value, label=kind.label, run=run, on_retried=retried, event_data=event_data)
            )

        # Uploads and generated scene media count against their owner's storage quota,
        # a layered picture's layers with it.
        def asset_bytes(user_id: int) -> int:
            return bytes_by_user(MediaAsset.objects.filter(owner_id=user_id), user_field="owner").get(
                user_id, 0
            ) + bytes_by_user(PictureLayer.objects.filter(picture__owner_id=user_id), user_field="picture__owner").get(
                user_id, 0
            )

        def asset_bytes_by_user() -> dict[int, int]:
            totals = bytes_by_user(MediaAsset.objects.all(), user_field="owner")
            for user_id, size in bytes_by_user(PictureLayer.objects.all(), user_field="picture__owner").items():
                totals[user_id] = totals.get(user_id, 0) + size
            return totals

        storage_counter_register(
            StorageCounter(name="assets", label="Assets", per_user=asset_bytes, by_user=asset_bytes_by_user)
        )
