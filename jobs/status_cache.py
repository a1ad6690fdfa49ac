"""Job status for pollers, from memory: the API poll and the progress websocket read a
job here, not from the database, and every change to the row invalidates it.

Each process keeps the last status it read per job with the job's change stamp
(core/change_stamps.py) as it was *before* the read. `jobs.services.job_notify`, which every
write of a Job row goes through, bumps the stamp at once and again after commit, then
publishes the fresh row. A copy is used only while its stamp is current, so a poll never
shows a state older than the last committed change, in any process.

Scaled out (stamps in Redis) the published status also goes to the shared cache, so other
processes' readers (the websocket consumers pushed by the channel layer) take it from
there without touching the database. On one machine each process re-reads the row once per
change (the DatabaseCache would cost a SQLite query per read: no cheaper than the row).

`max_age_s` bounds how old a copy may be whatever the stamps say: the backstop for a
write that skipped job_notify.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete

from core.change_stamps import stamp_bump, stamp_read
from core.request_metrics import poll_cache_counted
from jobs.models import Job
from jobs.registry import job_subject, job_subject_relations
from jobs.serializers import JobSerializer

# Links in the cached body start with this instead of "scheme://host"; the reader puts its
# request's origin in (a NUL never reaches a URL from Django's reverse()).
ORIGIN_MARK = "\x00origin\x00"
# What a poll tolerates when the stamps say nothing changed (a write that skipped job_notify).
POLL_MAX_AGE_S = 30.0
_MAX_ENTRIES = 10_000
_SHARED_PREFIX = "jobstatus:"
_SHARED_TIMEOUT_S = 3600


class _OriginPlaceholderRequest:
    """What JobSerializer's links need from a request, with the origin left open."""

    def build_absolute_uri(self, location: str) -> str:
        return ORIGIN_MARK + location


@dataclass(frozen=True)
class JobStatus:
    """A job as pollers see it, read once per change."""

    stamp: int
    at: float
    job_id: int
    code: uuid.UUID
    owner_id: int
    # What the job works on (its kind's JobSubject.code), None for a stand-alone job.
    subject_code: str | None
    status: str
    fields: dict = field(repr=False)  # the row's column values by attribute name
    body: dict = field(repr=False)  # JobSerializer's output, links under ORIGIN_MARK

    @property
    def is_finished(self) -> bool:
        return self.status in Job.FINISHED

    def api_body(self, origin: str) -> dict:
        """The API's JSON for this job, links absolute for `origin` ("http://host")."""
        body = dict(self.body)
        links = body.get("links")
        if isinstance(links, dict):
            body["links"] = {
                name: origin + url[len(ORIGIN_MARK) :] if isinstance(url, str) and url.startswith(ORIGIN_MARK) else url
                for name, url in links.items()
            }
        return body

    def job(self) -> Job:
        """An in-memory Job with the row's values (its subject relation is not loaded)."""
        job = Job(**self.fields)
        job._state.adding = False
        job._state.db = "default"
        return job


_entries: dict[str, JobStatus] = {}


def _key(code) -> str:
    return str(code if isinstance(code, uuid.UUID) else uuid.UUID(str(code)))


def _shared() -> bool:
    return settings.CONTENTIZER_CHANGE_STAMPS == "cache"


def _read_row(code: str, stamp: int) -> JobStatus | None:
    job = Job.objects.select_related(*job_subject_relations()).filter(code=code).first()
    if job is None:
        return None
    body = JobSerializer(job, context={"request": _OriginPlaceholderRequest()}).data
    subject = job_subject(job)
    return JobStatus(
        stamp=stamp,
        at=time.monotonic(),
        job_id=job.pk,
        code=job.code,
        owner_id=job.owner_id,
        subject_code=subject.code(job) if subject is not None else None,
        status=job.status,
        fields={f.attname: getattr(job, f.attname) for f in Job._meta.concrete_fields},
        # Plain dicts and lists only (the serializer's ReturnDict keeps a serializer reference).
        body=_plain(body),
    )


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _remember(key: str, status: JobStatus) -> None:
    if len(_entries) >= _MAX_ENTRIES:
        _entries.clear()
    _entries[key] = status


def job_status_get(*, code, max_age_s: float = POLL_MAX_AGE_S) -> JobStatus | None:
    """The job's current status (None when there is no such job). No query while the
    copy in memory is current."""
    key = _key(code)
    stamp = stamp_read(f"job:{key}")
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry.stamp == stamp and now - entry.at < max_age_s:
        poll_cache_counted(hit=True, source="process")
        return entry
    if _shared():
        shared = cache.get(_SHARED_PREFIX + key)
        if isinstance(shared, JobStatus) and shared.stamp == stamp and now - shared.at < max_age_s:
            # `at` is the publisher's monotonic clock: on another machine it means little,
            # so the copy counts as read now.
            shared = JobStatus(**{**shared.__dict__, "at": now})
            _remember(key, shared)
            poll_cache_counted(hit=True, source="shared")
            return shared
    poll_cache_counted(hit=False, source="database")
    status = _read_row(key, stamp)
    if status is None:
        _entries.pop(key, None)
        return None
    _remember(key, status)
    return status


def job_status_invalidate(*, code) -> None:
    """The job's row changed (or is about to commit a change): bump its stamp now and after commit."""
    stamp_bump(f"job:{_key(code)}")


def job_status_publish(*, code) -> JobStatus | None:
    """Read the committed row once and keep it (and, scaled out, share it) under the current
    stamp, so that readers pushed by the channel layer need no query. Call after commit."""
    key = _key(code)
    status = _read_row(key, stamp_read(f"job:{key}"))
    if status is None:
        _entries.pop(key, None)
        return None
    _remember(key, status)
    if _shared():
        cache.set(_SHARED_PREFIX + key, status, timeout=_SHARED_TIMEOUT_S)
    return status


def _job_deleted(sender, instance: Job, **kwargs) -> None:
    job_status_invalidate(code=instance.code)


def connect_status_signals() -> None:
    """Deleting a job's subject deletes its jobs without job_notify: invalidate them too (JobsConfig.ready)."""
    post_delete.connect(_job_deleted, sender=Job, dispatch_uid="jobs.status_cache.job_deleted")
