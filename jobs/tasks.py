"""Queue tasks. Thin: claim the job, call the service for its kind, record the outcome.

Safe to run twice: a second delivery finds the job already claimed or finished and
does nothing.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.utils.module_loading import import_string

from core.logcontext import job_log_context
from jobs.models import Job
from jobs.services import (
    JobCanceled,
    JobFailure,
    JobReporter,
    _after_job_finished,
    job_claim,
    job_fail,
    job_mark_canceled,
    job_succeed,
    jobs_reap_stale,
)

logger = logging.getLogger(__name__)

# kind -> service(job=..., reporter=...) -> actual cost in USD
RUNNERS = {
    Job.Kind.STORYBOARD: "videos.services.storyboard_run",
    Job.Kind.RENDER: "videos.services.render_run",
    Job.Kind.EXPORT: "videos.services.export_run",
}
MAX_ATTEMPTS = 3


def run_job(job_id: int) -> str:

    job = job_claim(job_id=job_id)
    if job is None:
        return "not claimed"
    # Every log line from here on (services, mediakit) names the job and its video.
    with job_log_context(job=job.code, video=job.video.code):
        return _run_claimed(job)


def _run_claimed(job: Job) -> str:
    if job.attempts > MAX_ATTEMPTS:
        job_fail(
            job=job,
            stage=job.stage or "worker",
            message=f"The worker stopped {MAX_ATTEMPTS} times while running this job; it was not retried again.",
        )
        _after_job_finished(job_id=job.pk)
        return "failed"
    reporter = JobReporter(job=job)
    service = import_string(RUNNERS[job.kind])
    try:
        cost = service(job=job, reporter=reporter)
    except JobCanceled:
        job_mark_canceled(job=job)
        outcome = "canceled"
    except JobFailure as exc:
        logger.info("job %s failed at %s: %s", job.pk, exc.stage, exc.message)
        job_fail(job=job, stage=exc.stage, message=exc.message)
        outcome = "failed"
    except Exception as exc:  # noqa: BLE001 - record every failure on the row, with a reason
        logger.exception("job %s crashed", job.pk)
        job_fail(
            job=job,
            stage=reporter.job.stage or "starting",
            message=f"Unexpected error ({type(exc).__name__}): {exc}. The team has the details in the logs.",
        )
        outcome = "failed"
    else:
        if job_succeed(job=job, actual_cost=cost or Decimal("0")):
            outcome = "succeeded"
        else:
            # Canceled between the last check and the end: honour the cancel.
            job_mark_canceled(job=job)
            outcome = "canceled"
    _after_job_finished(job_id=job.pk)
    return outcome


def reap_stale_jobs() -> int:
    return jobs_reap_stale()


def deliver_webhook(delivery_id: int) -> str:
    """One attempt at an outbound webhook; a failure schedules the next one with backoff."""
    from jobs.webhooks import webhook_deliver

    return webhook_deliver(delivery_id=delivery_id)


def send_due_webhooks() -> int:
    """Periodic safety net: queue deliveries that are due but were never queued."""
    from jobs.webhooks import webhooks_send_due

    return webhooks_send_due()
