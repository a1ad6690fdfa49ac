from __future__ import annotations

from django.apps import AppConfig


class AssetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assets"

    def ready(self) -> None:
        # Imported here, not at the top: models and services load once the app registry is ready.
        from assets.models import MediaAsset
        from quotas.services import StorageCounter, bytes_by_user, storage_counter_register

        # Uploads and generated scene media count against their owner's storage quota.
        storage_counter_register(
            StorageCounter(
                name="assets",
                label="Assets",
                per_user=lambda user_id: bytes_by_user(
                    MediaAsset.objects.filter(owner_id=user_id), user_field="owner"
                ).get(user_id, 0),
                by_user=lambda: bytes_by_user(MediaAsset.objects.all(), user_field="owner"),
            )
        )
