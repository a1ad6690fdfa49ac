"""A video's other aspects after it was made: choosing them again, and rendering one alone
(a 9:16 asked for once the 16:9 is finished renders only itself)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.errors import Conflict
from core.storage import storage_delete_quietly
from jobs.models import Job
from jobs.services import job_create
from quotas.services import quota_check, quota_record_render
from videos.models import Video, VideoJobKind, VideoMaster
from videos.options import Aspect, aspects_parse
from videos.selectors import storyboard_state, video_duration_ms


def video_aspects_set(*, video: Video, aspects: str | list[str]) -> Video:
    """Make the video in exactly these aspects. Its own aspect (its pictures are drawn for
    it) cannot be left out; a new one gets a master waiting to be rendered, one left out
    goes with its files. Refused (nothing changed) for a bad list, or while a master that
    would go is rendering."""
    chosen, problem = aspects_parse(aspects)
    if problem:
        raise ValidationError({"aspects": problem})
    if video.aspect not in chosen:
        raise ValidationError(
            {"aspects": f"The video's own aspect, {video.aspect}, stays: its storyboard's pictures are drawn for it."}
        )
    with transaction.atomic():
        Video.objects.select_for_update().get(pk=video.pk)
        masters = {master.aspect: master for master in video.other_masters.select_related("job")}
        gone = [master for aspect, master in masters.items() if aspect not in chosen]
        if any(master.job is not None and master.job.status in Job.ACTIVE for master in gone):
            raise Conflict("That aspect is rendering; cancel its render before removing it.")
        names = [
            name
            for master in gone
            for name in (master.file.name, master.poster.name, master.captions_vtt.name, master.captions_srt.name)
            if name
        ]
        VideoMaster.objects.filter(pk__in=[master.pk for master in gone]).delete()
        VideoMaster.objects.bulk_create(
            VideoMaster(video=video, aspect=aspect)
            for aspect in chosen
            if aspect != video.aspect and aspect not in masters
        )
        transaction.on_commit(lambda: storage_delete_quietly(*names))
    return video


def master_render_request(*, video: Video, aspect: str, user) -> Job:
    """Queue the render of one of the video's other aspects alone (the approved storyboard,
    charged to the render quota as one master). Asking again while it renders returns the
    same job. The video's own aspect renders with render_request."""
    master = video.other_masters.filter(aspect=aspect).first()
    if aspect not in Aspect.values or master is None:
        raise ValidationError({"aspect": f"This video is not made in {aspect!r}; add the aspect first."})
    with transaction.atomic():
        locked = Video.objects.select_for_update().get(pk=video.pk)
        if not locked.is_approved:
            raise PermissionDenied("The storyboard must be approved before it can be rendered.")
        master = VideoMaster.objects.select_related("job").get(pk=master.pk)
        if master.job is not None and master.job.status in Job.ACTIVE:
            return master.job
        if not storyboard_state(locked).complete:
            raise Conflict("The storyboard is still being made; render once every scene has its media.")
        render_ms = video_duration_ms(locked)
        quota_check(user=locked.owner, render_ms=render_ms, jobs=1, storage_bytes=0)
        master.job = job_create(owner=locked.owner, video=locked, kind=VideoJobKind.RENDER_ASPECT)
        master.save(update_fields=["job"])
        quota_record_render(user=locked.owner, video=locked, job=master.job, render_ms=render_ms)
    return master.job
