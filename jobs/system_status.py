"""What the staff system page shows: the django-q2 clusters that are alive, the queue, our
jobs, and free disk where files and job temp dirs live. Each part is read on its own, so
one that cannot be read (a broker down) is reported as such and the rest still shows."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone

from jobs.models import Job
from jobs.registry import job_subject_relations


@dataclass(frozen=True)
class ClusterInfo:
    """One running `qcluster`, from the stat it refreshes in the cache every few seconds
    (an entry expires a few seconds after its cluster stops)."""

    cluster_id: str
    host: str
    status: str
    workers: int
    started_at: datetime | None
    last_seen: datetime | None


@dataclass(frozen=True)
class TaskInfo:
    name: str
    func: str
    started: datetime | None
    stopped: datetime | None
    success: bool


@dataclass(frozen=True)
class DiskInfo:
    label: str
    path: str
    total: int = 0
    used: int = 0
    free: int = 0
    error: str = ""

    @property
    def percent_used(self) -> int:
        return round(100 * self.used / self.total) if self.total else 0


@dataclass(frozen=True)
class SystemStatus:
    checked_at: datetime
    broker: str = ""
    clusters: list[ClusterInfo] = field(default_factory=list)
    clusters_error: str = ""
    queue_size: int | None = None
    queue_in_progress: int | None = None
    queue_error: str = ""
    last_task: TaskInfo | None = None
    jobs_queued: int = 0
    jobs_running: list[Job] = field(default_factory=list)
    stale_after_s: int = 0
    disks: list[DiskInfo] = field(default_factory=list)

    @property
    def stale_jobs(self) -> list[Job]:
        return [job for job in self.jobs_running if job.is_stale(self.checked_at)]


def _clusters(broker) -> list[ClusterInfo]:
    from django_q.status import Stat

    clusters = []
    for stat in Stat.get_all(broker=broker):
        clusters.append(
            ClusterInfo(
                cluster_id=str(stat.cluster_id),
                host=stat.host,
                status=str(stat.status),
                workers=len(stat.workers or []),
                started_at=stat.tob,
                last_seen=stat.timestamp,
            )
        )
    return sorted(clusters, key=lambda c: (c.host, c.cluster_id))


def _last_task() -> TaskInfo | None:
    from django_q.models import Task

    task = Task.objects.order_by("-stopped").first()
    if task is None:
        return None
    return TaskInfo(name=task.name, func=task.func, started=task.started, stopped=task.stopped, success=task.success)


def _disk(label: str, path: str) -> DiskInfo:
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        return DiskInfo(label=label, path=path, error=str(exc))
    return DiskInfo(label=label, path=path, total=usage.total, used=usage.used, free=usage.free)


def disks() -> list[DiskInfo]:
    found = []
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        found.append(_disk("Media files (MEDIA_ROOT)", str(storage.location)))
    found.append(_disk("Job temp dirs", str(settings.CONTENTIZER_TMP_DIR or tempfile.gettempdir())))
    return found


def system_status() -> SystemStatus:
    from django_q.brokers import get_broker

    now = timezone.now()
    values: dict = {}
    try:
        broker = get_broker()
        values["broker"] = broker.info()
    except Exception as exc:  # noqa: BLE001 - the page reports what it cannot read
        broker = None
        values["clusters_error"] = values["queue_error"] = f"The task broker is unavailable: {exc}"
    if broker is not None:
        try:
            values["clusters"] = _clusters(broker)
        except Exception as exc:  # noqa: BLE001
            values["clusters_error"] = f"Could not read the worker heartbeats: {exc}"
        try:
            values["queue_size"] = broker.queue_size()
            values["queue_in_progress"] = broker.lock_size()
        except Exception as exc:  # noqa: BLE001
            values["queue_error"] = f"Could not read the queue: {exc}"
    return SystemStatus(
        checked_at=now,
        last_task=_last_task(),
        jobs_queued=Job.objects.filter(status=Job.Status.QUEUED).count(),
        jobs_running=list(
            Job.objects.filter(status=Job.Status.RUNNING)
            .select_related(*job_subject_relations(), "owner")
            .order_by("started_at")
        ),
        stale_after_s=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS,
        disks=disks(),
        **values,
    )
