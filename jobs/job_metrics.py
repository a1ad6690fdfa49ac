"""What /metrics learns when a job ends: its duration (a histogram per kind and outcome),
its failure (kind and stage), its cost and whether that ran over the estimate.

Recorded once per ending by jobs.services.job_finished, in whichever process ended the
job, into the database counters (core/event_metrics.py), so the scrape never counts over
the job table. Kinds are read from the row, never listed here.
"""

from __future__ import annotations

from core.event_metrics import metric_count, metric_observe
from jobs.models import Job

# Failures whose error came from FFmpeg: the composition service words every such failure
# "FFmpeg failed: ..." or "FFmpeg took too long ...", and an output that fails its probe
# checks fails at the "validate" stage.
FFMPEG_STAGES = frozenset({"validate"})


def job_failed_in_ffmpeg(job: Job) -> bool:
    return job.status == Job.Status.FAILED and (
        job.error_message.startswith("FFmpeg") or job.error_stage in FFMPEG_STAGES
    )


def job_metrics_record_end(job: Job) -> None:
    """Count one ending of `job` (a retried job that ends again counts again)."""
    kind, status = job.kind, job.status
    if job.started_at and job.finished_at:
        seconds = max(0.0, (job.finished_at - job.started_at).total_seconds())
        metric_observe("contentizer_job_duration_seconds", seconds, {"kind": kind, "status": status})
    else:
        # Canceled while queued: it never ran, so it has no duration; still an ending.
        metric_count("contentizer_jobs_ended_unstarted", {"kind": kind, "status": status})
    if status == Job.Status.FAILED:
        stage = job.error_stage or "unknown"
        metric_count("contentizer_job_failures", {"kind": kind, "stage": stage})
        if job_failed_in_ffmpeg(job):
            metric_count("contentizer_ffmpeg_failures", {"kind": kind, "stage": stage})
    if job.actual_cost:
        metric_count("contentizer_job_cost_dollars", {"kind": kind}, float(job.actual_cost))
    if job.estimated_cost:
        metric_count("contentizer_job_estimated_cost_dollars", {"kind": kind}, float(job.estimated_cost))
    if job.cost_over_estimate:
        metric_count("contentizer_job_cost_over_estimate", {"kind": kind})
