"""Job lifecycle: create, enqueue, claim, report progress, finish, cancel, retry.

The Job row is the single source of truth. Workers write it; pages, the API and the
websocket consumer read it. Every transition is a conditional UPDATE so that two
processes racing on the same job cannot both win.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.errors import StateError
from core.health import unavailable_dependency
from core.storage import storage_delete_quietly, storage_save
from jobs.job_metrics import job_metrics_record_end
from jobs.models import Job, StagedFile, stale_cutoff, stale_running
from jobs.registry import job_kind, job_subject_relations
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


# What a creator reads when a disk is full (the job's temp dir, local storage), whoever
# noticed it: an OSError, FFmpeg's stderr, a storage backend. One message for all of them.
DISK_FULL_MESSAGE = "The server's storage is full, so this step could not finish; nothing was kept. Try again later."
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_DISK_FULL_TEXT = re.compile(r"No space left on device|Disk quota exceeded", re.IGNORECASE)
# An absolute path of two or more parts (a temp dir, MEDIA_ROOT) in an error text; not a
# URL's path ("https://host/a/b": preceded by a word character or a slash).
_SERVER_PATH = re.compile(r"(?<![\w:/.~-])/(?:[^\s'\"/:,;()\[\]]+/)+([^\s'\"/:,;()\[\]]+)")


def job_error_text(message: str) -> str:
    """What a creator is shown for a failure message: a full disk in one clear sentence, and
    no server path (a path becomes its file name). job_fail applies it to every failure."""
    if _DISK_FULL_TEXT.search(message):
        return DISK_FULL_MESSAGE
    return _SERVER_PATH.sub(r"\1", message)


# A dependency that stopped answering while a job ran (core.health.unavailable_dependency).
_UNAVAILABLE_WORDS = {"database": "database", "redis": "task queue", "storage": "file storage"}


def job_unexpected_error_text(exc: BaseException) -> str:
    """The message for an exception no service turned into a JobFailure."""
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
        return DISK_FULL_MESSAGE
    dependency = unavailable_dependency(exc)
    if dependency is not None:
        return (
            f"The {_UNAVAILABLE_WORDS[dependency]} did not answer, so this step stopped; "
            "nothing was kept. Retry the job."
        )
    return f"Unexpected error ({type(exc).__name__}). The team has the details in the logs."


class JobCanceled(Exception):
    """Raised inside a service when the job was canceled while it ran."""


class JobClaimLost(JobCanceled):
    """This worker no longer holds the job's claim (it was reaped and claimed again, or
    canceled): it must stop and write nothing."""


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


def job_create(*, owner, video, kind: str, estimated_cost: Decimal = Decimal("0")) -> Job:
    """Create and queue a job of a registered kind for `owner`. `video` is the subject's key
    (Job.video); jobs stores it and reads nothing of it."""
    job = Job.objects.create(owner=owner, video=video, kind=kind, estimated_cost=estimated_cost)
    job_enqueue(job=job)
    return job


def job_enqueue(*, job: Job) -> None:
    """Queue the job's task once the surrounding transaction commits (ids only)."""
    job_id = job.pk

    def _send() -> None:
        from django_q.tasks import async_task

        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(enqueued_at=timezone.now())
        task_id = async_task(RUN_JOB_TASK, job_id, task_name=f"job-{job_id}-{job.kind}", group=job.kind)
        Job.objects.filter(pk=job_id).update(task_id=str(task_id or "")[:64])
        job_notify(job)

    transaction.on_commit(_send)


def job_claim(*, job_id: int) -> Job | None:
    """Atomically take a queued job (or a running one whose worker went silent).

    The claim is a lease: `attempts` goes up by one and its new value is this worker's
    token; every later write by this worker filters on it (job_held). Taking over a stale
    running job counts as a crash. Returns the claimed job, or None when someone else has
    it or it is finished."""
    now = timezone.now()
    claimable = Q(status=Job.Status.QUEUED) | stale_running(now)
    fields = dict(
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
    base = Job.objects.filter(pk=job_id, cancel_requested=False)
    count = base.filter(stale_running(now)).update(**fields, crashes=F("crashes") + 1)
    if not count:
        count = base.filter(claimable).update(**fields)
    if count != 1:
        return None
    job = Job.objects.select_related(*job_subject_relations(), "owner").get(pk=job_id)
    # Kept apart from `attempts`, which a refresh_from_db may move to a newer claim's value.
    job.claim_token = job.attempts  # type: ignore[attr-defined]  # read by job_token
    job_notify(job)
    return job


def job_token(job: Job) -> int:
    """This worker's claim token for `job` (set by job_claim)."""
    return getattr(job, "claim_token", job.attempts)


def job_held(job: Job) -> Q:
    """The rows this worker may still write: the job, running, under this worker's token."""
    return Q(pk=job.pk, status=Job.Status.RUNNING, attempts=job_token(job))


def job_claim_check(*, job: Job) -> None:
    """Inside the transaction that points rows at a job's outputs: lock the job row and
    raise JobClaimLost unless this worker still holds the claim (and no cancel came)."""
    held = Job.objects.select_for_update().filter(job_held(job), cancel_requested=False).exists()
    if not held:
        raise JobClaimLost()


# How far back the recent rate of progress looks (the ETA's, videos.job_display).
PROGRESS_WINDOW_S = 30


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
    # (when, progress) of this attempt's writes in the last PROGRESS_WINDOW_S.
    _recent: deque[tuple[datetime, int]] = field(default_factory=deque)

    def update(self, stage: str, fraction: float) -> None:
        progress = max(0, min(100, int(fraction * 100)))
        now = time.monotonic()
        changed_stage = stage != self._stage
        if not changed_stage and progress == self._progress and now - self._last_write < 5:
            return
        if not changed_stage and now - self._last_write < self.min_interval_s:
            return
        self._stage, self._progress, self._last_write = stage, progress, now
        written_at = timezone.now()
        if self._recent and progress < self._recent[-1][1]:
            self._recent.clear()  # a stage that counts from 0 again: its own rate
        self._recent.append((written_at, progress))
        while written_at - self._recent[0][0] > timedelta(seconds=PROGRESS_WINDOW_S):
            self._recent.popleft()
        mark_at, mark = self._recent[0]
        updated = Job.objects.filter(job_held(self.job)).update(
            stage=stage,
            progress=progress,
            heartbeat_at=written_at,
            progress_mark=mark,
            progress_mark_at=mark_at,
        )
        if updated != 1:
            # Someone took the job away (canceled or reaped): stop working on it.
            self._canceled = True
        self.job.stage, self.job.progress = stage, progress
        self.job.progress_mark, self.job.progress_mark_at = mark, mark_at
        job_notify(self.job)

    def should_cancel(self) -> bool:
        if self._canceled:
            return True
        now = time.monotonic()
        if now - self._last_cancel_check < self.min_interval_s:
            return False
        self._last_cancel_check = now
        row = Job.objects.filter(pk=self.job.pk).values("status", "cancel_requested", "attempts").first()
        if (
            row is None
            or row["cancel_requested"]
            or row["status"] != Job.Status.RUNNING
            or row["attempts"] != job_token(self.job)
        ):
            self._canceled = True
        return self._canceled

    def check_cancel(self) -> None:
        if self.should_cancel():
            raise JobCanceled()


def job_succeed(*, job: Job, actual_cost: Decimal = Decimal("0")) -> bool:
    """Record success; False when this worker no longer holds the claim. (A cancel asked
    after the outputs were committed is too late: the job succeeded.)"""
    count = Job.objects.filter(job_held(job)).update(
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


def job_fail(*, job: Job, stage: str, message: str) -> bool:
    """Record the failure; False (nothing written) when this worker lost the claim. The
    message is shown to the creator: see job_error_text."""
    token = job_token(job)
    count = Job.objects.filter(job_held(job)).update(
        status=Job.Status.FAILED,
        error_stage=stage[:40],
        error_message=job_error_text(message),
        finished_at=timezone.now(),
    )
    _refresh(job)
    if count:
        job_notify(job)
    else:
        logger.info("job %s: claim %s lost, failure not recorded", job.pk, token)
    return count == 1


def job_mark_canceled(*, job: Job) -> bool:
    """Record the cancellation; False (nothing written) when this worker lost the claim."""
    count = Job.objects.filter(job_held(job)).update(
        status=Job.Status.CANCELED, finished_at=timezone.now(), cancel_requested=True
    )
    _refresh(job)
    if count:
        job_notify(job)
    return count == 1


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
    """Put a failed or canceled job back in the queue (same row; its claim token keeps
    counting, its crash count starts again). The kind's on_retried hook runs first, inside
    the same transaction, with the job row locked: it may refuse (quotas, approval)."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or locked.status not in (Job.Status.FAILED, Job.Status.CANCELED):
            job.refresh_from_db()
            raise JobStateError(f"Only a failed or canceled job can be retried; this one is {job.status}.")
        _before_job_retried(job=locked)
        Job.objects.filter(pk=job.pk, status__in=(Job.Status.FAILED, Job.Status.CANCELED)).update(
            status=Job.Status.QUEUED,
            cancel_requested=False,
            stage="",
            progress=0,
            crashes=0,
            error_stage="",
            error_message="",
            started_at=None,
            finished_at=None,
            created_at=timezone.now(),
        )
        job.refresh_from_db()
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
    job = Job.objects.select_related(*job_subject_relations()).filter(pk=job_id).first()
    if job is not None:
        job_metrics_record_end(job)
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
            # The claim token is in the name: a dir of an earlier, dead attempt is not the
            # live attempt's, even when the job was claimed again before the sweep looked.
            prefix=f"{tempdir_instance_prefix()}{job.code.hex[:12]}-{job_token(job)}-",
            dir=settings.CONTENTIZER_TMP_DIR,
        )
    )
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def jobs_reap_stale() -> int:
    """Re-queue running jobs whose worker went silent (a killed worker; the Redis broker
    never re-delivers) and send again queued jobs the broker lost (still queued long after
    their last enqueue). Returns how many were sent again."""
    now = timezone.now()
    requeued = 0
    for job in Job.objects.filter(stale_running(now)):
        with transaction.atomic():
            if Job.objects.filter(stale_running(now), pk=job.pk).update(
                status=Job.Status.QUEUED,
                stage="requeued after a lost worker",
                crashes=F("crashes") + 1,
                # a new token: the silent worker, if it wakes up, no longer holds the claim
                attempts=F("attempts") + 1,
            ):
                job_notify(job)
                job_enqueue(job=job)
                requeued += 1
    lost = Q(status=Job.Status.QUEUED, cancel_requested=False) & (
        Q(enqueued_at__lt=now - timedelta(seconds=settings.CONTENTIZER_QUEUED_GRACE_SECONDS))
        | Q(enqueued_at__isnull=True, created_at__lt=now - timedelta(seconds=settings.CONTENTIZER_QUEUED_GRACE_SECONDS))
    )
    for job in Job.objects.filter(lost):
        # Conditional on the stamp we saw, so two reapers cannot both send it.
        if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED, enqueued_at=job.enqueued_at).update(enqueued_at=now):
            logger.warning("job %s was still queued after the grace period; sending it again", job.pk)
            job_enqueue(job=job)
            requeued += 1
    return requeued


# --- nothing left behind: staged outputs, temp dirs -----------------------------------

TEMPDIR_PREFIX = "contentizer-job-"


def instance_key(database: dict) -> str:
    """A short name for the instance a database row set belongs to: its database's engine,
    host, port and name. Workers of one instance (on any machine) share it; a second
    checkout, a test run or staging on the same host has its own."""
    identity = "\0".join(str(database.get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME"))
    return hashlib.sha256(identity.encode()).hexdigest()[:10]


def tempdir_instance_prefix() -> str:
    """`contentizer-job-<instance>-`: job temp dirs carry their instance, so a sweep that
    reads this instance's jobs never judges (and removes) another instance's live work in
    a shared temp root such as the system /tmp."""
    return f"{TEMPDIR_PREFIX}{instance_key(connection.settings_dict)}-"


def job_storage_save(*, job: Job, name: str, path: Path, stage: str = "save") -> str:
    """Save one output of a job under its final, unique storage name, recorded first as
    staged (committed before a byte is written), so a kill before the commit that points a
    row at it leaves a record the sweep removes. Promote with job_staged_promote inside
    that commit. A storage error (disk full, bucket refusing) deletes what was written and
    raises JobFailure with a message that names no server path."""
    # Called outside any transaction (the worker runs in autocommit), so the record is
    # committed before the first byte is written.
    from django.core.files.storage import default_storage

    for _ in range(5):
        candidate = default_storage.get_available_name(name)
        staged, created = StagedFile.objects.get_or_create(
            name=candidate, defaults={"job": job, "claim": job_token(job)}
        )
        if created:
            break
    else:
        raise JobFailure(stage, "Could not choose a storage name for the output; try again.")
    try:
        saved = storage_save(name=candidate, path=path)
    except Exception as exc:  # noqa: BLE001 - any storage error: clean up, plain message
        storage_delete_quietly(candidate)
        staged.delete()
        logger.warning("job %s: saving %s failed", job.pk, candidate, exc_info=True)
        raise JobFailure(stage, _storage_error_message(exc)) from exc
    if saved != candidate:
        StagedFile.objects.filter(pk=staged.pk).update(name=saved)
    return saved


def _storage_error_message(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
        return DISK_FULL_MESSAGE
    return f"The storage refused the output ({type(exc).__name__}); nothing was kept. Try again later."


def job_staged_promote(*names: str) -> None:
    """Inside the transaction that points rows at these files: they are no longer staged."""
    StagedFile.objects.filter(name__in=[n for n in names if n]).delete()


def job_staged_discard(*names: str) -> None:
    """This worker gives up its staged outputs: delete the files, then the records."""
    names = tuple(n for n in names if n)
    storage_delete_quietly(*names)
    StagedFile.objects.filter(name__in=names).delete()


def _staged_orphans(now):
    """Staged records whose job no longer holds the claim they were made under."""
    cutoff = stale_cutoff(now)
    live = Q(
        job__status=Job.Status.RUNNING,
        job__attempts=F("claim"),
        job__heartbeat_at__gte=cutoff,
    )
    return StagedFile.objects.exclude(live)


def jobs_sweep_staged(*, now=None) -> int:
    """Delete the files (then the records) of staged outputs left by lost workers."""
    now = now or timezone.now()
    removed = 0
    for staged in _staged_orphans(now):
        storage_delete_quietly(staged.name)
        staged.delete()
        removed += 1
    return removed


def jobs_sweep_tempdirs(*, now=None) -> int:
    """Remove this instance's job temp dirs (contentizer-job-<instance>-<code12>-<token>-*)
    that are not the current claim of a job running with a fresh heartbeat: leftovers of
    killed workers. Returns how many were removed."""
    root = Path(settings.CONTENTIZER_TMP_DIR or tempfile.gettempdir())
    now = now or timezone.now()
    try:
        # Listed before the live jobs are read: a dir listed now belongs to a job whose
        # claim (which comes before its mkdtemp) is already committed.
        entries = list(root.iterdir())
    except OSError:
        return 0
    live = {
        f"{code.hex[:12]}-{attempts}"
        for code, attempts in Job.objects.filter(
            status=Job.Status.RUNNING, heartbeat_at__gte=stale_cutoff(now)
        ).values_list("code", "attempts")
    }
    ours = tempdir_instance_prefix()
    removed = 0
    for entry in entries:
        name = entry.name
        # Only this instance's dirs: another instance's are judged by its own workers.
        if not name.startswith(ours) or not entry.is_dir() or entry.is_symlink():
            continue
        claim = "-".join(name[len(ours) :].split("-")[:2])
        if claim in live:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def jobs_sweep() -> dict[str, int]:
    """The periodic clean-up: lost jobs sent again, leftover temp dirs and staged outputs removed."""
    return {
        "requeued": jobs_reap_stale(),
        "tempdirs": jobs_sweep_tempdirs(),
        "staged": jobs_sweep_staged(),
    }
