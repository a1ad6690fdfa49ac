"""Queue tasks. Thin: claim the job, call the service for its kind, record the outcome.

Safe to run twice: a second delivery finds the job already claimed or finished and
does nothing.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from core.logcontext import job_log_context
from core.structured_logs import job_log_details
from jobs.models import Job
from jobs.parts import job_part_claim, job_parts_claimable
from jobs.registry import job_log_fields, job_part_runner, job_run, job_subject_relations
from jobs.services import (
    JobCanceled,
    JobFailure,
    JobReporter,
    job_claim,
    job_fail,
    job_finished,
    job_mark_canceled,
    job_succeed,
    job_tempdir,
    job_unexpected_error_text,
    jobs_sweep,
)
from jobs.webhooks import webhook_deliver, webhooks_send_due

logger = logging.getLogger(__name__)

# Claims that took over from a dead or silent worker; a user's cancel and retry are not crashes.
MAX_CRASHES = 3


def run_job(job_id: int) -> str:

    job = job_claim(job_id=job_id)
    if job is None:
        return "not claimed"
    # Every log line from here on (services, mediakit) names the job and what it works on.
    with job_log_context(job=job.code, **job_log_fields(job)), job_log_details(job):
        return _run_claimed(job)


def _run_claimed(job: Job) -> str:
    if job.crashes >= MAX_CRASHES:
        if job_fail(
            job=job,
            stage=job.stage or "worker",
            message=f"The worker stopped {job.crashes} times while running this job; it was not retried again.",
        ):
            job_finished(job_id=job.pk)
        return "failed"
    reporter = JobReporter(job=job)
    try:
        cost = job_run(job, reporter)
    except JobCanceled:
        recorded = job_mark_canceled(job=job)
        outcome = "canceled"
    except JobFailure as exc:
        logger.info("job %s failed at %s: %s", job.pk, exc.stage, exc.message)
        recorded = job_fail(job=job, stage=exc.stage, message=exc.message)
        outcome = "failed"
    except Exception as exc:  # noqa: BLE001 - record every failure on the row, with a reason
        logger.exception("job %s crashed", job.pk)
        recorded = job_fail(
            job=job,
            stage=reporter.job.stage or "starting",
            message=job_unexpected_error_text(exc),
        )
        outcome = "failed"
    else:
        if job_succeed(job=job, actual_cost=cost or Decimal("0")):
            recorded, outcome = True, "succeeded"
        else:
            # Canceled between the last check and the end: honour the cancel.
            recorded, outcome = job_mark_canceled(job=job), "canceled"
    if not recorded:
        # Another worker holds the job now (or it is gone): it records the outcome.
        logger.warning("job %s: this worker lost its claim; it wrote nothing", job.pk)
        return "claim lost"
    job_finished(job_id=job.pk)
    return outcome


def run_job_parts(job_id: int, claim: int) -> str:
    """Help a running job: claim its parts (jobs.parts) one after another and do each with the
    part runner its kind registered, until none is left to claim. Safe to run twice and late:
    a job that ended, or whose claim moved on, has nothing to claim."""
    job = Job.objects.select_related(*job_subject_relations(), "owner").filter(pk=job_id).first()
    if job is None or not job_parts_claimable(job=job, token=claim):
        return "nothing to do"
    runner = job_part_runner(job.kind)
    if runner is None:
        return "no part runner"
    job.claim_token = claim  # type: ignore[attr-defined]  # the parts' staged files and temp dir
    done = 0
    with job_log_context(job=job.code, **job_log_fields(job)), job_tempdir(job=job) as tmp:
        cache: dict = {}
        while (lease := job_part_claim(job=job, token=claim, by_owner=False)) is not None:
            try:
                runner(job=job, part=lease, tmp=tmp, cache=cache)
            except JobCanceled:
                return "stopped"
            except JobFailure as exc:
                logger.info("job %s part %s failed at %s: %s", job.pk, lease.index, exc.stage, exc.message)
                lease.fail(exc.stage, exc.message)
                return "failed"
            except Exception as exc:  # noqa: BLE001 - the owner reports it on the job
                logger.exception("job %s part %s crashed", job.pk, lease.index)
                lease.fail(job.stage or "video", job_unexpected_error_text(exc))
                return "failed"
            done += 1
    return f"{done} parts"


def reap_stale_jobs() -> dict[str, int]:
    """Scheduled every minute: lost jobs sent again, leftovers (temp dirs, staged outputs) removed."""
    return jobs_sweep()


def deliver_webhook(delivery_id: int) -> str:
    """One attempt at an outbound webhook; a failure schedules the next one with backoff."""
    return webhook_deliver(delivery_id=delivery_id)


def send_due_webhooks() -> int:
    """Periodic safety net: queue deliveries that are due but were never queued."""
    return webhooks_send_due()
