"""Job log lines carry the job and video codes, in text and in JSON logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from core.logcontext import JobContextFilter, TextFormatter, job_log_context
from jobs.models import Job
from videos.models import VideoJobKind


@pytest.fixture
def text_log() -> Iterator[io.StringIO]:
    """The console handler as settings.LOGGING builds it, on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(JobContextFilter())
    handler.setFormatter(TextFormatter(settings.LOGGING["formatters"]["text"]["format"]))
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_lines_inside_the_context_name_the_job_and_video_and_others_do_not(text_log):
    log = logging.getLogger("contentizer.test")
    log.info("before")
    with job_log_context(job="job-code-1", video="video-code-2"):
        log.info("inside")
    log.info("after")
    lines = text_log.getvalue().splitlines()
    assert lines[0].endswith("contentizer.test before")
    assert lines[1].endswith("contentizer.test [job job-code-1 video video-code-2] inside")
    assert lines[2].endswith("contentizer.test after")


def test_json_logs_carry_job_and_video_as_fields():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(JobContextFilter())
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("contentizer.test.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        with job_log_context(job="j1", video="v1"):
            log.warning("inside")
        log.warning("outside")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (inside["job"], inside["video"], inside["message"]) == ("j1", "v1", "inside")
    assert "job" not in outside and "video" not in outside


def test_a_job_that_fails_logs_with_its_codes(text_log, owner, make_video):
    from jobs.tasks import run_job

    video = make_video(owner)
    video.scenes.all().delete()
    job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER)

    assert run_job(job.pk) == "failed"

    failed = [line for line in text_log.getvalue().splitlines() if "failed at prepare" in line]
    assert failed, text_log.getvalue()
    assert f"[job {job.code} video {video.code}]" in failed[0]
