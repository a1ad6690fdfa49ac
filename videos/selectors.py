"""Reads with rules: what pages, the API, admin and services all ask of a video, answered
in one place (state of the storyboard, its length, what its transitions overlap)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.files import FieldFile

from jobs.models import Job
from mediakit.spec import transition_ms_for, video_length_ms
from quotas.models import SiteSettings
from videos.models import Batch, BrandKit, Scene, Video, VideoJobKind, VideoMaster
from videos.options import Aspect, aspect_slug


def video_transition_ms(video: Video) -> int:
    """How long consecutive scenes of this video overlap."""
    return transition_ms_for(video.transition)


def video_duration_ms(video: Video, scene_ms: list[int] | None = None) -> int:
    """How long the render will be, from the storyboard as it is now: the scenes end to
    end, less the crossfade overlaps, and the brand kit's intro and outro cards when the
    video renders with one (videos.services.brand_kit_apply)."""
    if scene_ms is None:
        scene_ms = list(video.scenes.order_by("position").values_list("duration_ms", flat=True))
    kit = BrandKit.objects.filter(owner_id=video.owner_id).first() if video.brand_kit else None
    cards_ms = kit.cards_ms(video_title=video.title) if kit is not None else 0
    return video_length_ms(scene_ms, transition_ms=video_transition_ms(video)) + cards_ms


@dataclass(frozen=True)
class MasterFiles:
    """One aspect's master of a video, as pages, the API and the delivery views show it:
    the video's own (its Video row's files) or another aspect's (a VideoMaster row)."""

    aspect: str
    primary: bool
    file: FieldFile
    poster: FieldFile
    captions_vtt: FieldFile
    captions_srt: FieldFile
    width: int | None
    height: int | None
    duration_ms: int | None
    size_bytes: int | None
    downloads: int
    job: Job | None  # the render making or that made it (the latest one)
    row: Video | VideoMaster

    @property
    def slug(self) -> str:
        """The aspect in URLs and file names: "9x16"."""
        return aspect_slug(self.aspect)

    @property
    def state(self) -> str:
        """rendering (a render is queued or running), ready, failed, canceled or waiting
        (never rendered): the page's and the API's one answer."""
        if self.job is not None and self.job.status in Job.ACTIVE:
            return "rendering"
        if self.file:
            return "ready"
        if self.job is not None and self.job.status in (Job.Status.FAILED, Job.Status.CANCELED):
            return str(self.job.status)
        return "waiting"


def video_masters(video: Video) -> list[MasterFiles]:
    """Every master of the video, its own aspect first, then the others in Aspect's order
    (16:9, 9:16, 1:1); a master not rendered yet has no file."""
    renders = sorted(
        (job for job in video.jobs.all() if job.kind == VideoJobKind.RENDER), key=lambda job: job.created_at
    )
    masters = [
        MasterFiles(
            aspect=video.aspect,
            primary=True,
            file=video.master,
            poster=video.poster,
            captions_vtt=video.captions_vtt,
            captions_srt=video.captions_srt,
            width=video.width,
            height=video.height,
            duration_ms=video.duration_ms,
            size_bytes=video.size_bytes,
            downloads=video.downloads,
            job=renders[-1] if renders else None,
            row=video,
        )
    ]
    order = {aspect: index for index, aspect in enumerate(Aspect.values)}
    # .all(): the API's list prefetches them with their jobs (videos.api.videos_with_jobs).
    others = sorted(video.other_masters.all(), key=lambda master: order.get(master.aspect, 99))
    masters += [
        MasterFiles(
            aspect=master.aspect,
            primary=False,
            file=master.file,
            poster=master.poster,
            captions_vtt=master.captions_vtt,
            captions_srt=master.captions_srt,
            width=master.width,
            height=master.height,
            duration_ms=master.duration_ms,
            size_bytes=master.size_bytes,
            downloads=master.downloads,
            job=master.job,
            row=master,
        )
        for master in others
    ]
    return masters


def video_master(video: Video, slug: str) -> MasterFiles | None:
    """The video's master of the aspect written `slug` ("9x16"), or None for one it has not."""
    return next((master for master in video_masters(video) if master.slug == slug), None)


def videos_filtered(videos: QuerySet[Video], *, status: str = "", project_code: object = None) -> QuerySet[Video]:
    """The library's filter, one definition for the page and GET /api/v1/videos: only
    `status` (when given), only the project with `project_code` (when given), newest
    first. `videos` is what the caller may see (the page: your own; the API: scoped)."""
    if status:
        videos = videos.filter(status=status)
    if project_code:
        videos = videos.filter(project__code=project_code)
    return videos.order_by("-created_at", "-pk")


def scenes_missing_media(video: Video) -> list[Scene]:
    return list(video.scenes.filter(Q(picture__isnull=True) | Q(narration_audio__isnull=True)).order_by("position"))


@dataclass(frozen=True)
class StoryboardState:
    """Where a storyboard stands, for the page, the API, admin and the services' checks."""

    has_scenes: bool
    building: bool  # a storyboard job is queued or running
    missing_media: bool  # some scene has no picture or narration yet
    rendering: bool  # a render job is queued or running
    storyboard_job: Job | None  # the latest storyboard job
    render_job: Job | None  # the active render job

    @property
    def complete(self) -> bool:
        """Every scene has its media and nothing is still being made."""
        return self.has_scenes and not self.missing_media and not self.building

    @property
    def locked(self) -> bool:
        """Edits are refused while a render runs."""
        return self.rendering

    def can_approve(self, video: Video, *, submits: bool) -> bool:
        """Approve (or submit for review, where staff approve) is offered."""
        pending = video.approval == Video.Approval.PENDING
        return self.complete and not video.is_approved and not self.locked and not (pending and submits)

    def can_render(self, video: Video) -> bool:
        return self.complete and video.is_approved and not self.locked


def approval_submits_for_review(user) -> bool:
    """Where the site requires staff approval, a creator's approval only submits."""
    return not user.is_staff and SiteSettings.load().require_staff_approval


def storyboard_state(video: Video, scenes: list[Scene] | None = None) -> StoryboardState:
    """Pass `scenes` when the caller has loaded them already (saves a query)."""
    storyboard_job = video.jobs.filter(kind=VideoJobKind.STORYBOARD).order_by("-created_at").first()
    # The video's own render, else one of its other aspects' (retried on its own).
    render_job = (
        video.jobs.filter(kind=VideoJobKind.RENDER, status__in=Job.ACTIVE).first()
        or video.jobs.filter(kind=VideoJobKind.RENDER_ASPECT, status__in=Job.ACTIVE).first()
    )
    if scenes is None:
        has_scenes = video.scenes.exists()
        missing = bool(scenes_missing_media(video))
    else:
        has_scenes = bool(scenes)
        missing = any(s.picture_id is None or s.narration_audio_id is None for s in scenes)
    return StoryboardState(
        has_scenes=has_scenes,
        building=storyboard_job is not None and storyboard_job.is_active,
        missing_media=missing,
        rendering=render_job is not None,
        storyboard_job=storyboard_job,
        render_job=render_job,
    )


def asset_uses(ids: set[int]) -> dict[int, list[str]]:
    """Where videos use these assets ("the picture of scene 2 of “Harbour”", "the music of
    …"), scenes first, in a stable order; registered with assets in VideosConfig.ready."""
    uses: dict[int, list[str]] = {}
    roles = (("picture_id", "picture"), ("clip_id", "clip"), ("narration_audio_id", "narration"))
    scenes = (
        Scene.objects.filter(Q(picture__in=ids) | Q(clip__in=ids) | Q(narration_audio__in=ids))
        .select_related("video")
        .order_by("video__title", "video_id", "position")
    )
    for scene in scenes:
        for attribute, role in roles:
            pk = getattr(scene, attribute)
            if pk in ids:
                uses.setdefault(pk, []).append(f"the {role} of scene {scene.position + 1} of “{scene.video.title}”")
    for video in Video.objects.filter(music_asset__in=ids).order_by("title", "pk"):
        uses.setdefault(video.music_asset_id, []).append(f"the music of “{video.title}”")
    return uses


# --- batches -----------------------------------------------------------------------------------

# How a video's status reads in a batch's counts, and which statuses mean "nothing is running".
BATCH_COUNTED = (
    Video.Status.STORYBOARDING,
    Video.Status.STORYBOARD,
    Video.Status.RENDERING,
    Video.Status.READY,
    Video.Status.FAILED,
)
BATCH_SETTLED = (Video.Status.STORYBOARD, Video.Status.READY, Video.Status.FAILED)


@dataclass(frozen=True)
class BatchVideoProgress:
    row: int  # 1-based, in the order of the file
    video: Video
    status: str
    job: Job | None  # the job that says where the video is (active first, else the newest)

    @property
    def progress(self) -> int:
        if self.status in (Video.Status.STORYBOARD, Video.Status.READY):
            return 100
        return self.job.progress if self.job else 0


@dataclass(frozen=True)
class BatchProgress:
    batch: Batch
    videos: tuple[BatchVideoProgress, ...]

    @property
    def total(self) -> int:
        return len(self.videos)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(BATCH_COUNTED, 0)
        for item in self.videos:
            counts[item.status] = counts.get(item.status, 0) + 1
        return counts

    @property
    def finished(self) -> bool:
        """Nothing of the batch is being made any more (storyboards ready or failed, renders done)."""
        return all(item.status in BATCH_SETTLED for item in self.videos)

    @property
    def percent(self) -> int:
        if not self.videos:
            return 100
        return round(sum(100 if item.status in BATCH_SETTLED else item.progress for item in self.videos) / self.total)


def _video_job(video: Video) -> Job | None:
    jobs = sorted(
        (j for j in video.jobs.all() if j.kind in (VideoJobKind.STORYBOARD, VideoJobKind.RENDER)),
        key=lambda j: j.created_at,
        reverse=True,
    )
    return next((j for j in jobs if j.is_active), jobs[0] if jobs else None)


def batches_with_progress():
    """Batches with what batch_progress reads, in three queries however many videos."""
    videos = Video.objects.order_by("pk").prefetch_related(
        Prefetch("jobs", queryset=Job.objects.order_by("-created_at"))
    )
    return Batch.objects.prefetch_related(Prefetch("videos", queryset=videos))


def batch_progress(batch: Batch) -> BatchProgress:
    """One progress view of a batch for the API and the pages: each video's status and
    job, counts per status, whether it is finished, and an overall percentage."""
    videos = sorted(batch.videos.all(), key=lambda v: v.pk)
    return BatchProgress(
        batch=batch,
        videos=tuple(
            BatchVideoProgress(row=i, video=video, status=video.status, job=_video_job(video))
            for i, video in enumerate(videos, 1)
        ),
    )
