"""Queue tasks. Thin: claim the job, call the service for its kind, record the outcome.

Safe to run twice: a second delivery finds the job already claimed or finished and
does nothing.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from core.logcontext import job_log_context
from jobs.models import Job
from jobs.registry import job_run
from jobs.services import (
    JobCanceled,
    JobFailure,
    JobReporter,
    job_claim,
    job_fail,
    job_finished,
    job_mark_canceled,
    job_succeed,
    jobs_reap_stale,
)
from jobs.webhooks import webhook_deliver, webhooks_send_due

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def run_job(job_id: int) -> str:

    job = job_claim(job_id=job_id)
    if job is None:
        return "not claimed"
    # Every log line from here on (services, mediakit) names the job and its video.
    with job_log_context(job=job.code, video=job.video.code if job.video_id else None):
        return _run_claimed(job)


def _run_claimed(job: Job) -> str:
    if job.attempts > MAX_ATTEMPTS:
        job_fail(
            job=job,
            stage=job.stage or "worker",
            message=f"The worker stopped {MAX_ATTEMPTS} times while running this job; it was not retried again.",
        )
        job_finished(job_id=job.pk)
        return "failed"
    reporter = JobReporter(job=job)
    try:
        cost = job_run(job, reporter)
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
    job_finished(job_id=job.pk)
    return outcome


def reap_stale_jobs() -> int:
    return jobs_reap_stale()


def deliver_webhook(delivery_id: int) -> str:
    """One attempt at an outbound webhook; a failure schedules the next one with backoff."""
    return webhook_deliver(delivery_id=delivery_id)


def send_due_webhooks() -> int:
    """Periodic safety net: queue deliveries that are due but were never queued."""
    return webhooks_send_due()
