"""The kinds of job, registered by the apps that own them (in their AppConfig.ready).

jobs is generic: it runs, finishes, retries and announces jobs without knowing what a
video is. An app tells it, per kind, which service does the work and what to do when a
job of that kind ends or is retried; the job table and the task stay the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jobs.models import Job


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


_KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: JobKind) -> None:
    """Register (or re-register, e.g. on a second ready()) the handlers of a kind."""
    _KINDS[kind.name] = kind


def job_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No app registered the job kind {name!r}; is its app installed?") from None


def job_run(job: Job, reporter) -> Decimal | None:
    """Run the kind's service; `reporter` is the jobs.services.JobReporter of this run."""
    return job_kind(job.kind).run(job=job, reporter=reporter)
