"""How a job's progress reads to a creator: stage names, ETA, the progress fragment.

The page views, the template tag and the websocket consumer render the same fragment
from the same row, through job_fragment_context."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jobs.models import Job
from videos.models import Export, VideoJobKind

# Job.stage values, as a creator reads them. Unknown stages fall back to the raw word.
STAGE_LABELS = {
    "": "Waiting for a worker",
    "starting": "Starting",
    "requeued after a lost worker": "Starting again",
    "narration": "Recording the narration",
    "pictures": "Drawing the pictures",
    "narration and pictures": "Recording the narration and drawing the pictures",
    "storyboard": "Building the storyboard",
    "prepare": "Gathering the scene media",
    "video": "Encoding the video",
    "audio": "Mixing the sound",
    "mux": "Joining picture and sound",
    "validate": "Checking the file",
    "poster": "Making the poster",
    "encode": "Encoding",
    "save": "Saving",
    "done": "Done",
    "worker": "Running",
}


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage.replace("_", " ").capitalize())


# Past this the last steps (joining, checking, the poster) are short but report little
# progress: a number of seconds there would be a guess.
ALMOST_DONE_PERCENT = 95


def job_eta_seconds(job: Job, now: datetime | None = None) -> int | None:
    """Seconds left: at the recent rate of progress (since the reporter's mark, up to 30 s
    back), never more than at the rate since the job started (early stages such as the
    narration are slower per percent than the encoding that ends a render); 0 past
    ALMOST_DONE_PERCENT ("almost done"); None while too little is known."""
    if job.status != Job.Status.RUNNING or job.started_at is None or not 3 <= job.progress < 100:
        return None
    if job.progress >= ALMOST_DONE_PERCENT:
        return 0
    now = now or timezone.now()
    elapsed = (now - job.started_at).total_seconds()
    if elapsed <= 0:
        return None
    left = 100 - job.progress
    eta = elapsed * left / job.progress
    if job.progress_mark_at is not None and job.progress > job.progress_mark:
        # Measured up to now, not to the last write: progress that stalls slows the rate.
        recent = (now - job.progress_mark_at).total_seconds()
        if recent > 0:
            eta = min(eta, recent * left / (job.progress - job.progress_mark))
    return round(eta)


def format_eta(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds == 0:
        return "almost done"
    if seconds < 10:
        return "a few seconds left"
    if seconds < 60:
        return f"about {int(round(seconds / 5) * 5)} s left"
    minutes = round(seconds / 60)
    return f"about {minutes} min left"


def job_fragment_context(job: Job) -> dict:
    """Everything _job_progress.html needs; the page views and the websocket consumer
    render the same fragment from the same row."""
    export = Export.objects.filter(job=job).first() if job.kind == VideoJobKind.EXPORT else None
    stage = "" if job.status == Job.Status.QUEUED else job.stage
    return {
        "job": job,
        "video": job.video,
        "export": export,
        "stage": stage_label(stage),
        "error_stage": stage_label(job.error_stage) if job.error_stage else "",
        "eta": format_eta(job_eta_seconds(job)),
        "ws_url": f"/ws/jobs/{job.code}/",
    }
