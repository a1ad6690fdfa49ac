"""Job lifecycle: create, enqueue, claim, report progress, finish, cancel, retry.

The Job row is the single source of truth. Workers write it; pages, the API and the
websocket consumer read it. Every transition is a conditional UPDATE so that two
processes racing on the same job cannot both win.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.errors import StateError
from jobs.models import Job, stale_running
from jobs.registry import job_kind
from jobs.status_cache import job_status_invalidate, job_status_publish
from jobs.webhooks import webhook_job_finished

logger = logging.getLogger(__name__)

# The task every job runs; it dispatches on Job.kind.
RUN_JOB_TASK = "jobs.tasks.run_job"


class JobFailure(Exception):
    """A failure a person can act on: which stage failed and why, in plain words."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage}: {message}")
        self.stage = stage
        self.message = message


class JobCanceled(Exception):
    """Raised inside a service when the job was canceled while it ran."""


class JobStateError(StateError):
    """The job is not in a state that allows the requested change (HTTP 409)."""


def job_group_name(job: Job) -> str:
    return f"job-{job.code.hex}"


def job_notify(job: Job) -> None:
    """Every write of a Job row ends here. Invalidates the pollers' copy of the job at once
    (jobs/status_cache.py) and, once the write is committed, publishes the fresh row and
    nudges the websocket consumers (best effort: with the in-memory layer the nudge does not
    cross processes, and consumers fall back to the status cache on a timer)."""
    try:
        job_status_invalidate(code=job.code)
    except Exception:  # noqa: BLE001 - status push must never break a job
        logger.warning("job status invalidation failed for %s", job.pk, exc_info=True)

    def _after_commit() -> None:
        try:
            status = job_status_publish(code=job.code)
            from asgiref.sync import async_to_sync
            from channels.layers import get_channel_layer

            layer = get_channel_layer()
            if layer is not None:
                message = {"type": "job.changed", "stamp": status.stamp if status is not None else 0}
                async_to_sync(layer.group_send)(job_group_name(job), message)
        except Exception:  # noqa: BLE001 - progress push must never break a job
            logger.debug("job_notify failed for %s", job.pk, exc_info=True)

    transaction.on_commit(_after_commit)


def job_create(*, video, kind: str, estimated_cost: Decimal = Decimal("0")) -> Job:
    job = Job.objects.create(owner=video.owner, video=video, kind=kind, estimated_cost=estimated_cost)
    job_enqueue(job=job)
    return job


def job_enqueue(*, job: Job) -> None:
    """Queue the job's task once the surrounding transaction commits (ids only)."""
    job_id = job.pk

    def _send() -> None:
        from django_q.tasks import async_task

        task_id = async_task(RUN_JOB_TASK, job_id, task_name=f"job-{job_id}-{job.kind}", group=job.kind)
        Job.objects.filter(pk=job_id).update(task_id=str(task_id or "")[:64])
        job_notify(job)

    transaction.on_commit(_send)


def job_claim(*, job_id: int) -> Job | None:
    """Atomically take a queued job (or a running one whose worker went silent).

    Returns the claimed job, or None when someone else has it or it is finished."""
    now = timezone.now()
    claimable = Q(status=Job.Status.QUEUED) | stale_running(now)
    count = Job.objects.filter(claimable, pk=job_id, cancel_requested=False).update(
        status=Job.Status.RUNNING,
        stage="starting",
        progress=0,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        error_stage="",
        error_message="",
    )
    if count != 1:
        return None
    job = Job.objects.select_related("video", "owner").get(pk=job_id)
    job_notify(job)
    return job


@dataclass
class JobReporter:
    """Writes stage/progress/heartbeat to the job row (throttled) and answers whether
    the job was canceled. Used by services as their only link to the job."""

    job: Job
    min_interval_s: float = 0.5
    _last_write: float = 0.0
    _last_cancel_check: float = 0.0
    _canceled: bool = False
    _stage: str = ""
    _progress: int = -1

    def update(self, stage: str, fraction: float) -> None:
        progress = max(0, min(100, int(fraction * 100)))
        now = time.monotonic()
        changed_stage = stage != self._stage
        if not changed_stage and progress == self._progress and now - self._last_write < 5:
            return
        if not changed_stage and now - self._last_write < self.min_interval_s:
            return
        self._stage, self._progress, self._last_write = stage, progress, now
        updated = Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(
            stage=stage, progress=progress, heartbeat_at=timezone.now()
        )
        if updated != 1:
            # Someone took the job away (canceled or reaped): stop working on it.
            self._canceled = True
        self.job.stage, self.job.progress = stage, progress
        job_notify(self.job)

    def should_cancel(self) -> bool:
        if self._canceled:
            return True
        now = time.monotonic()
        if now - self._last_cancel_check < self.min_interval_s:
            return False
        self._last_cancel_check = now
        row = Job.objects.filter(pk=self.job.pk).values("status", "cancel_requested").first()
        if row is None or row["cancel_requested"] or row["status"] != Job.Status.RUNNING:
            self._canceled = True
        return self._canceled

    def check_cancel(self) -> None:
        if self.should_cancel():
            raise JobCanceled()


def job_succeed(*, job: Job, actual_cost: Decimal = Decimal("0")) -> bool:
    count = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.SUCCEEDED,
        progress=100,
        stage="done",
        actual_cost=actual_cost,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    _refresh(job)
    job_notify(job)
    return count == 1


def job_fail(*, job: Job, stage: str, message: str) -> None:
    Job.objects.filter(pk=job.pk).exclude(status__in=Job.FINISHED).update(
        status=Job.Status.FAILED,
        error_stage=stage[:40],
        error_message=message,
        finished_at=timezone.now(),
    )
    _refresh(job)
    job_notify(job)


def job_mark_canceled(*, job: Job) -> None:
    Job.objects.filter(pk=job.pk).exclude(status__in=(Job.Status.SUCCEEDED, Job.Status.FAILED)).update(
        status=Job.Status.CANCELED, finished_at=timezone.now(), cancel_requested=True
    )
    _refresh(job)
    job_notify(job)


def job_cancel(*, job: Job) -> Job:
    """Cancel a queued job at once; ask a running one to stop (its runner kills FFmpeg
    within a second and records the cancellation)."""
    now = timezone.now()
    if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELED, cancel_requested=True, finished_at=now
    ):
        job_finished(job_id=job.pk)
    else:
        updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True)
        if not updated:
            job.refresh_from_db()
            raise JobStateError(f"This job has already {job.status}; there is nothing to cancel.")
    job.refresh_from_db()
    job_notify(job)
    return job


def job_retry(*, job: Job) -> Job:
    """Put a failed or canceled job back in the queue (same row, attempts keep counting)."""
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status__in=(Job.Status.FAILED, Job.Status.CANCELED)).update(
            status=Job.Status.QUEUED,
            cancel_requested=False,
            stage="",
            progress=0,
            error_stage="",
            error_message="",
            started_at=None,
            finished_at=None,
            created_at=timezone.now(),
        )
        if updated != 1:
            job.refresh_from_db()
            raise JobStateError(f"Only a failed or canceled job can be retried; this one is {job.status}.")
        job.refresh_from_db()
        _before_job_retried(job=job)
        job_enqueue(job=job)
    job_notify(job)
    return job


def _refresh(job: Job) -> None:
    # The row may be gone: deleting a video deletes its jobs, even a running one.
    try:
        job.refresh_from_db()
    except Job.DoesNotExist:
        pass


def job_finished(*, job_id: int) -> None:
    """A job just ended: let the app that owns its kind react, then announce it."""
    job = Job.objects.select_related("video").filter(pk=job_id).first()
    if job is not None:
        on_finished = job_kind(job.kind).on_finished
        if on_finished is not None:
            on_finished(job)
        # Best effort and queued: records the event and enqueues its delivery on commit.
        webhook_job_finished(job_id=job_id)


def _before_job_retried(*, job: Job) -> None:
    on_retried = job_kind(job.kind).on_retried
    if on_retried is not None:
        on_retried(job)


@contextmanager
def job_tempdir(*, job: Job) -> Iterator[Path]:
    """A local working directory for one job, always removed afterwards."""
    path = Path(
        tempfile.mkdtemp(
            prefix=f"contentizer-job-{job.code.hex[:12]}-",
            dir=settings.CONTENTIZER_TMP_DIR,
        )
    )
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def jobs_reap_stale() -> int:
    """Re-queue running jobs whose worker went silent (a killed worker; the Redis broker
    never re-delivers). Returns how many were re-queued."""
    now = timezone.now()
    requeued = 0
    for job in Job.objects.filter(stale_running(now)):
        with transaction.atomic():
            if Job.objects.filter(stale_running(now), pk=job.pk).update(
                status=Job.Status.QUEUED, stage="requeued after a lost worker"
            ):
                job_notify(job)
                job_enqueue(job=job)
                requeued += 1
    return requeued
