"""What videos tells /metrics (core/event_metrics.py): seconds of video its renders made,
downloads (also kept per video and per export for the creator) and storyboard reviews."""

from __future__ import annotations

from django.db.models import F
from django.http import HttpRequest, HttpResponse

from core.event_metrics import metric_count
from jobs.models import Job
from videos.models import Export, Video, VideoJobKind, VideoMaster


def video_render_counted(*, job: Job) -> None:
    """A render job ended: a success adds its run time and the seconds of video it made
    (their ratio is render speed)."""
    if job.kind != VideoJobKind.RENDER or job.status != Job.Status.SUCCEEDED:
        return
    if not (job.started_at and job.finished_at and job.video_id):
        return
    duration_ms = Video.objects.filter(pk=job.video_id).values_list("duration_ms", flat=True).first()
    if not duration_ms:
        return
    metric_count("contentizer_render_seconds", amount=(job.finished_at - job.started_at).total_seconds())
    metric_count("contentizer_rendered_video_seconds", amount=duration_ms / 1000)


def counts_as_download(request: HttpRequest, response: HttpResponse) -> bool:
    """A GET answered with the file (or a redirect to it) from its first byte: a download
    manager's later Range requests for the same file, HEAD and refusals are not another
    download."""
    if request.method != "GET" or response.status_code not in (200, 206, 302):
        return False
    ranged = request.META.get("HTTP_RANGE", "").replace(" ", "")
    return not ranged or ranged.startswith("bytes=0-")


def video_download_counted(*, video: Video) -> None:
    Video.objects.filter(pk=video.pk).update(downloads=F("downloads") + 1)
    metric_count("contentizer_downloads", {"what": "master", "format": "mp4"})


def master_download_counted(*, row: Video | VideoMaster) -> None:
    """A download of one of a video's masters: its own (the Video row) or another aspect's."""
    if isinstance(row, Video):
        video_download_counted(video=row)
        return
    VideoMaster.objects.filter(pk=row.pk).update(downloads=F("downloads") + 1)
    metric_count("contentizer_downloads", {"what": "master", "format": "mp4"})


def export_download_counted(*, export: Export) -> None:
    Export.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
    metric_count("contentizer_downloads", {"what": "export", "format": export.format})


def storyboard_review_counted(*, decision: str) -> None:
    metric_count("contentizer_storyboard_reviews", {"decision": decision})
