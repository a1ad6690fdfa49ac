"""Export retention: past CONTENTIZER_EXPORT_RETENTION_DAYS an export loses its file and
reads `stale` (asking again encodes it anew); 0 keeps exports for ever."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from jobs.models import Job
from videos.models import Export, VideoJobKind
from videos.serializers import export_status
from videos.tasks import expire_exports


def _export(video, owner, *, days_ago: int, quality: str = "480p") -> Export:
    finished = timezone.now() - timedelta(days=days_ago)
    job = Job.objects.create(
        owner=owner, video=video, kind=VideoJobKind.EXPORT, status=Job.Status.SUCCEEDED, finished_at=finished
    )
    name = default_storage.save(f"videos/t/export-{quality}-{days_ago}.webm", ContentFile(b"webm"))
    return Export.objects.create(
        video=video, format="webm", quality=quality, job=job, source_master=video.master.name, file=name
    )


def test_old_exports_expire_and_read_stale_young_ones_stay(
    make_video, owner, media_root, settings, django_capture_on_commit_callbacks
):
    video = make_video(owner)
    video.master = default_storage.save("videos/t/master.mp4", ContentFile(b"mp4"))
    video.save(update_fields=["master"])
    old = _export(video, owner, days_ago=40, quality="480p")
    young = _export(video, owner, days_ago=2, quality="720p")
    old_name = old.file.name

    settings.CONTENTIZER_EXPORT_RETENTION_DAYS = 0
    assert expire_exports() == 0  # 0 keeps them for ever
    settings.CONTENTIZER_EXPORT_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_exports() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert not old.file and not default_storage.exists(old_name)
    assert export_status(old) == "stale"
    assert young.file and default_storage.exists(young.file.name) and export_status(young) == "ready"
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_exports() == 0


def test_bootstrap_schedules_the_export_retention(db):
    from io import StringIO

    call_command("bootstrap", stdout=StringIO())
    call_command("bootstrap", stdout=StringIO())
    assert Schedule.objects.filter(name="expire old exports", func="videos.tasks.expire_exports").count() == 1
