"""A job's parts: shares of one job (a render's video segments) that any free worker does.

The job that owns them (its worker holds the job's claim) makes the parts for that claim
(job_parts_create), which also sends one helper task (run_job_parts) per extra part, up to
CONTENTIZER_PART_HELPERS. Helpers and the owner claim parts as leases, like jobs: a part
that nobody holds, or whose holder's heartbeat went stale (its worker died), is claimable;
every claim adds one to its `lease`, and only the holder of the current lease may write it.
A helper saves its part's output to storage as a staged file of the job's claim (swept like
any staged file once the claim is no longer live) and the owner fetches it, joins, and
removes the parts (job_parts_discard). Cancel: helpers read the job's row; a canceled job,
or one whose claim moved on, stops them. A helper's real failure is recorded on its part
and the owner fails the job with it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from core.storage import storage_fetch
from jobs.models import Job, JobPart
from jobs.services import JobClaimLost, JobFailure, job_staged_discard, job_storage_save, job_token

logger = logging.getLogger(__name__)

PART_TASK = "jobs.tasks.run_job_parts"
# How often a part's holder writes its heartbeat and reads the job's row, at most.
PART_CHECK_INTERVAL_S = 0.5
# While no helper holds a part, the owner sends one more helper task this often, up to
# MAX_HELPER_TASKS in all (see JobPartShare._nudge).
NUDGE_AFTER_S = 1.0
MAX_HELPER_TASKS = 8


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def _part_stale_cutoff():
    return timezone.now() - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS)


def _claimable() -> Q:
    return Q(status=JobPart.Status.QUEUED) | Q(status=JobPart.Status.RUNNING, heartbeat_at__lt=_part_stale_cutoff())


def _job_live(job_id: int, token: int) -> bool:
    return Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=token, cancel_requested=False).exists()


def job_parts_create(*, job: Job, frames: list[int], helpers: int) -> int:
    """The owner (holding the job's claim) makes one part per entry of `frames` (each part's
    size, for progress) for its claim, drops the parts of earlier claims, and sends up to
    `helpers` helper tasks once committed. Returns how many helpers it sent."""
    token = job_token(job)
    job_parts_discard(job=job)
    JobPart.objects.bulk_create(
        [JobPart(job=job, claim=token, index=index, frames=count) for index, count in enumerate(frames)]
    )
    count = max(0, min(helpers, len(frames) - 1))
    transaction.on_commit(lambda: _send_helpers(job=job, token=token, count=count, first=0))
    return count


def _send_helpers(*, job: Job, token: int, count: int, first: int) -> None:
    from django_q.tasks import async_task

    for number in range(first, first + count):
        async_task(PART_TASK, job.pk, token, task_name=f"job-{job.pk}-{token}-part-{number}", group="parts")


def job_parts_discard(*, job: Job) -> None:
    """Remove every part of the job (any claim) and their stored outputs."""
    parts = JobPart.objects.filter(job=job)
    job_staged_discard(*parts.exclude(output="").values_list("output", flat=True))
    parts.delete()


@dataclass
class PartLease:
    """A part held by this worker: its heartbeat, progress, cancel check and outcome."""

    part: JobPart
    job: Job
    token: int  # the job's claim the part belongs to
    _lost: bool = False
    _last_write: float = 0.0
    _last_check: float = 0.0
    _frames_done: int = field(default=0)

    @property
    def index(self) -> int:
        return self.part.index

    @property
    def frames(self) -> int:
        return self.part.frames

    def _held(self):
        return JobPart.objects.filter(pk=self.part.pk, lease=self.part.lease, status=JobPart.Status.RUNNING)

    def progress(self, frames_done: int, *, force: bool = False) -> None:
        """Frames encoded so far (throttled); also the part's heartbeat."""
        self._frames_done = max(self._frames_done, frames_done)
        now = time.monotonic()
        if not force and now - self._last_write < PART_CHECK_INTERVAL_S:
            return
        self._last_write = now
        if not self._held().update(frames_done=self._frames_done, heartbeat_at=timezone.now()):
            self._lost = True

    def should_cancel(self) -> bool:
        """True once the job was canceled, its claim moved on, or this part was taken back."""
        if self._lost:
            return True
        now = time.monotonic()
        if now - self._last_check < PART_CHECK_INTERVAL_S:
            return False
        self._last_check = now
        self.progress(self._frames_done)
        if not self._lost and not _job_live(self.job.pk, self.token):
            self._lost = True
        return self._lost

    def finish(self, path: Path | None) -> str:
        """The part is done: its output (None when the owner keeps it locally) is saved as a
        staged file of the job's claim and the part marked done. Raises JobClaimLost (and
        keeps nothing) when the part or the job was taken away meanwhile."""
        name = ""
        if path is not None:
            name = job_storage_save(
                job=self.job,
                name=f"parts/{self.job.code.hex[:12]}-{self.token}-{self.index:04d}{path.suffix}",
                path=path,
                stage="video",
            )
        updated = self._held().update(
            status=JobPart.Status.DONE,
            output=name,
            frames_done=self.part.frames,
            heartbeat_at=timezone.now(),
        )
        if not updated or not _job_live(self.job.pk, self.token):
            job_staged_discard(name)
            JobPart.objects.filter(pk=self.part.pk, output=name).exclude(output="").update(output="")
            raise JobClaimLost()
        return name

    def fail(self, stage: str, message: str) -> None:
        """A real failure (bad input): recorded on the part; the owner fails the job with it."""
        self._held().update(status=JobPart.Status.FAILED, error_stage=stage[:40], error_message=message)


def job_part_claim(*, job: Job, token: int, by_owner: bool) -> PartLease | None:
    """Take the next part of the job's claim `token` that nobody holds (or whose holder went
    silent); None when there is none or the job is no longer running under that claim."""
    if not _job_live(job.pk, token):
        return None
    while True:
        candidate = (
            JobPart.objects.filter(job=job, claim=token)
            .filter(_claimable())
            .order_by("index")
            .values("pk", "lease")
            .first()
        )
        if candidate is None:
            return None
        now = timezone.now()
        updated = (
            JobPart.objects.filter(pk=candidate["pk"], lease=candidate["lease"])
            .filter(_claimable())
            .update(
                status=JobPart.Status.RUNNING,
                lease=F("lease") + 1,
                heartbeat_at=now,
                worker=_worker_name(),
                by_owner=by_owner,
                frames_done=0,
            )
        )
        if updated:
            return PartLease(part=JobPart.objects.get(pk=candidate["pk"]), job=job, token=token)


def job_parts_claimable(*, job: Job, token: int) -> bool:
    """Whether a helper would find work: the job runs under `token` and a part is claimable."""
    return _job_live(job.pk, token) and JobPart.objects.filter(job=job, claim=token).filter(_claimable()).exists()


class JobPartShare:
    """The owner's side, as mediakit.render.SegmentShare asks for it: it claims parts for
    itself (their outputs stay in its own dir), counts everyone's frames, fetches the parts
    helpers made, and fails the job when a helper's part failed."""

    def __init__(self, *, job: Job, fetch_stage: str = "video") -> None:
        self.job = job
        self.token = job_token(job)
        self.fetch_stage = fetch_stage
        self.held: dict[int, PartLease] = {}
        self._started = time.monotonic()
        self._sent = settings.CONTENTIZER_PART_HELPERS
        self._nudged_at = self._started
        self._state: tuple[int, int] = (0, 0)
        self._state_at = 0.0

    def claim(self) -> int | None:
        self._nudge()
        lease = job_part_claim(job=self.job, token=self.token, by_owner=True)
        if lease is None:
            return None
        self.held[lease.index] = lease
        return lease.index

    def _nudge(self) -> None:
        """Send one more helper task when, NUDGE_AFTER_S after the last, no helper holds a part
        and some are still unclaimed: a cluster whose workers are all busy may have taken the
        first ones into its local queue (django-q's prefetch, queue_limit), where they wait
        for the very worker that runs this job; another cluster's free worker can take this."""
        now = time.monotonic()
        if self._sent >= MAX_HELPER_TASKS or now - self._nudged_at < NUDGE_AFTER_S:
            return
        self._nudged_at = now
        parts = JobPart.objects.filter(job=self.job, claim=self.token)
        if parts.filter(status=JobPart.Status.RUNNING, by_owner=False).exists():
            return
        if parts.filter(_claimable()).count() < 2:  # the owner is about to take the last one
            return
        _send_helpers(job=self.job, token=self.token, count=1, first=self._sent)
        self._sent += 1

    def progress(self, index: int, frames_done: int) -> None:
        self.held[index].progress(frames_done)
        self._nudge()

    def finished(self, index: int) -> None:
        try:
            self.held.pop(index).finish(None)
        except JobClaimLost:
            if not _job_live(self.job.pk, self.token):
                raise
            # Taken over while this worker looked silent: the new holder finishes the part, and
            # the file made here is the same segment, so the render keeps using its own.
        self._state_at = 0.0

    def frames_done(self) -> tuple[int, int]:
        now = time.monotonic()
        if now - self._state_at < PART_CHECK_INTERVAL_S:
            return self._state
        self._state_at = now
        parts = JobPart.objects.filter(job=self.job, claim=self.token)
        failed = parts.filter(status=JobPart.Status.FAILED).first()
        if failed is not None:
            raise JobFailure(failed.error_stage or "video", failed.error_message)
        done = parts.filter(status=JobPart.Status.DONE).count()
        frames = parts.aggregate(total=Sum("frames_done"))["total"] or 0
        self._state = (done, frames)
        return self._state

    def fetch(self, index: int, dest: Path) -> Path:
        part = JobPart.objects.get(job=self.job, claim=self.token, index=index)
        if part.status != JobPart.Status.DONE or not part.output:
            raise JobFailure(self.fetch_stage, f"Part {index + 1} of the job was not made.")
        try:
            return storage_fetch(name=part.output, dest=dest)
        except OSError as exc:
            raise JobFailure(
                self.fetch_stage, f"Part {index + 1} could not be read from storage ({exc.strerror or exc})."
            ) from exc
