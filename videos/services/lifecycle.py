"""How a video follows its jobs (status on finish and retry), and deleting a video."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.storage import storage_delete_quietly
from jobs.models import Job
from jobs.services import (
    job_cancel,
)
from quotas.services import quota_check
from videos.models import Video, VideoJobKind
from videos.services.scenes import generated_assets_delete
from videos.video_metrics import video_render_counted

logger = logging.getLogger(__name__)


def video_job_finished(*, job: Job) -> None:
    """Keep Video.status in step with how its last storyboard/render job ended."""
    video_render_counted(job=job)
    video = job.video
    if job.kind == VideoJobKind.STORYBOARD:
        if job.status == Job.Status.SUCCEEDED:
            new = Video.Status.STORYBOARD
        elif job.status in (Job.Status.FAILED, Job.Status.CANCELED):
            new = Video.Status.FAILED
        else:
            return
        Video.objects.filter(pk=video.pk, status=Video.Status.STORYBOARDING).update(status=new)
    elif job.kind == VideoJobKind.RENDER and job.status in (
        Job.Status.FAILED,
        Job.Status.CANCELED,
    ):
        if job.status == Job.Status.FAILED:
            new = Video.Status.FAILED
        else:
            new = Video.Status.READY if video.master else Video.Status.STORYBOARD
        Video.objects.filter(pk=video.pk, status=Video.Status.RENDERING).update(status=new)


def video_job_retried(*, job: Job) -> None:
    """Called inside job_retry's transaction, before the job is queued again: raising here
    refuses the retry. A retried job is queued work like a new one: the concurrent-jobs quota
    applies (the job itself is not counted yet: it is still failed or canceled)."""
    quota_check(user=job.owner, jobs=1)
    if (
        job.kind in (VideoJobKind.RENDER, VideoJobKind.RENDER_ASPECT)
        and not Video.objects.filter(pk=job.video_id, approval=Video.Approval.APPROVED).exists()
    ):
        raise PermissionDenied("The storyboard is no longer approved; approve it before rendering again.")
    status = {
        VideoJobKind.STORYBOARD: Video.Status.STORYBOARDING,
        VideoJobKind.RENDER: Video.Status.RENDERING,
    }.get(job.kind)
    if status:
        Video.objects.filter(pk=job.video_id).update(status=status)


def video_delete(*, video: Video) -> None:
    """Delete a video, its scenes, exports and jobs, and their files in storage."""
    for job in video.jobs.filter(status__in=Job.ACTIVE):
        try:
            job_cancel(job=job)
        except Exception:  # noqa: BLE001 - it finished meanwhile
            pass
    names = [
        video.master.name,
        video.poster.name,
        video.captions_vtt.name,
        video.captions_srt.name,
    ]
    names += [e.file.name for e in video.exports.all()]
    for master in video.other_masters.all():
        names += [master.file.name, master.poster.name, master.captions_vtt.name, master.captions_srt.name]
    assets = []
    for scene in video.scenes.select_related("picture", "narration_audio", "clip"):
        # Clips too: an online stock clip was fetched for this video (uploads stay).
        assets += [scene.picture, scene.narration_audio, scene.clip]
    with transaction.atomic():
        video.delete()
    storage_delete_quietly(*names)
    generated_assets_delete(assets)
