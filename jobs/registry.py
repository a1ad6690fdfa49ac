"""The kinds of job, registered by the apps that own them (in their AppConfig.ready).

jobs is generic: it runs, finishes, retries and announces jobs without knowing what a
video is. An app tells it, per kind, which service does the work, what to do when a job
of that kind ends or is retried, and (JobSubject) how to show what the job works on: its
code and API link, its admin link, where its events are sent, its log fields. Periodic
work an app needs is registered too (PeriodicTask), and `manage.py bootstrap` schedules
it. The job table and the task stay the same; `Job.video` is only the subject's key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jobs.models import Job, job_kind_label, job_kind_label_register


@dataclass(frozen=True)
class JobSubject:
    """What the jobs of a kind work on (the row their `Job.video` key points at), as the
    jobs layer shows it; given by the app that owns that row."""

    # Relations to load with a job so that the callables below make no query.
    related: tuple[str, ...]
    # The subject's public code (the API's and the webhook's `video` member).
    code: Callable[[Job], str]
    # Its API URL, built with core.api_links.api_url from the serializer context.
    api_url: Callable[[Job, Mapping[str, Any]], str]
    # Its admin change page and its name there.
    admin_url: Callable[[Job], str]
    label: Callable[[Job], str]
    # Where its events are POSTed; "" for the owner's account default.
    callback_url: Callable[[Job], str]
    # Fields bound to every log line the job writes (core.logcontext.job_log_context).
    log_fields: Callable[[Job], dict[str, str]]
    # Admin search over jobs: lookups on the subject (e.g. its title).
    search_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobKind:
    name: str
    # The service: run(job=, reporter=) -> the actual cost in USD. Raises JobFailure/JobCanceled.
    run: Callable[..., Decimal | None]
    # After the job ended (succeeded, failed or canceled): keep the owning rows in step.
    on_finished: Callable[[Job], None] | None = None
    # Inside job_retry's transaction, before it is queued again: raising refuses the retry.
    on_retried: Callable[[Job], None] | None = None
    # Extra members of a webhook event's `data` (e.g. {"video": {...}}).
    event_data: Callable[[Job], dict[str, Any]] | None = None
    # What the job works on; None for a stand-alone job (a picture, a narration).
    subject: JobSubject | None = None
    # How the admin and the API name the kind ("Storyboard").
    label: str = ""


@dataclass(frozen=True)
class PeriodicTask:
    """A task an app needs run on a schedule; `manage.py bootstrap` creates its schedule."""

    name: str
    func: str  # dotted path of the task
    minutes: int  # run every this many minutes


_KINDS: dict[str, JobKind] = {}
_PERIODIC: dict[str, PeriodicTask] = {}


def job_kind_register(kind: JobKind) -> None:
    """Register (or re-register, e.g. on a second ready()) the handlers of a kind."""
    _KINDS[kind.name] = kind
    job_kind_label_register(kind.name, kind.label)


def job_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No app registered the job kind {name!r}; is its app installed?") from None


def job_run(job: Job, reporter) -> Decimal | None:
    """Run the kind's service; `reporter` is the jobs.services.JobReporter of this run."""
    return job_kind(job.kind).run(job=job, reporter=reporter)


def job_kind_choices() -> list[tuple[str, str]]:
    """(name, label) of every registered kind: the API's and the admin's kind filter."""
    return [(kind.name, job_kind_label(kind.name)) for kind in _KINDS.values()]


def job_subject(job: Job) -> JobSubject | None:
    """What `job` works on, as its kind describes it; None for a stand-alone job."""
    if job.video_id is None:
        return None
    return job_kind(job.kind).subject


def _subjects() -> list[JobSubject]:
    """Every registered subject, once (several kinds share one)."""
    subjects: list[JobSubject] = []
    for kind in _KINDS.values():
        if kind.subject is not None and kind.subject not in subjects:
            subjects.append(kind.subject)
    return subjects


def job_subject_relations() -> tuple[str, ...]:
    """The relations to load with jobs so that every kind's subject reads without a query."""
    return tuple(dict.fromkeys(name for subject in _subjects() for name in subject.related))


def job_subject_search_fields() -> tuple[str, ...]:
    """The admin's search lookups on every kind's subject."""
    return tuple(dict.fromkeys(name for subject in _subjects() for name in subject.search_fields))


def job_log_fields(job: Job) -> dict[str, str]:
    """The subject's fields for the job's log lines (core.logcontext)."""
    subject = job_subject(job)
    return subject.log_fields(job) if subject is not None else {}


def periodic_task_register(task: PeriodicTask) -> None:
    _PERIODIC[task.name] = task


def periodic_tasks() -> list[PeriodicTask]:
    return list(_PERIODIC.values())


# --- parts: a job's shares that any free worker may do --------------------------------

# The part runner of a kind: run(job=, parts=, tmp=) does each part it is given (an
# iterator of jobs.parts.PartLease, each claimed just before it is yielded) in the local
# dir tmp, saving each one's output with lease.finish(path).
_PART_RUNNERS: dict[str, Callable[..., None]] = {}


def job_part_runner_register(kind: str, run: Callable[..., None]) -> None:
    _PART_RUNNERS[kind] = run


def job_part_runner(kind: str) -> Callable[..., None] | None:
    return _PART_RUNNERS.get(kind)
