"""JSON log lines: time, level, logger and message on every line; the job's code, kind and
current stage inside a job; the request id and user id inside a request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from types import SimpleNamespace

import pytest

from core.logcontext import JobContextFilter, job_log_context
from core.structured_logs import JsonLogFormatter, LogContextFilter, job_log_details, request_log_context


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The console handler as settings.LOGGING builds it with LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(JobContextFilter())
    handler.addFilter(LogContextFilter())
    handler.setFormatter(JsonLogFormatter())
    log = logging.getLogger("contentizer.test.structured")
    log.addHandler(handler)
    log.propagate = False
    yield stream
    log.removeHandler(handler)
    log.propagate = True


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_has_time_level_logger_and_message(json_log):
    logging.getLogger("contentizer.test.structured").warning("disk at %d%%", 91)
    [line] = lines(json_log)
    assert line["level"] == "WARNING" and line["logger"] == "contentizer.test.structured"
    assert line["message"] == "disk at 91%"
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0
    assert not {"job", "request_id", "user_id"} & set(line)


def test_a_line_inside_a_job_names_its_code_kind_and_the_stage_it_is_at_now(json_log):
    job = SimpleNamespace(code="0f1e", kind="render", stage="starting")
    log = logging.getLogger("contentizer.test.structured")
    with job_log_context(job=job.code, video="v-7"), job_log_details(job):
        log.info("begun")
        job.stage = "compose"  # the reporter moves the stage on the same object
        log.info("composing")
    first, second = lines(json_log)
    assert (first["job"], first["job_kind"], first["job_stage"], first["video"]) == (
        "0f1e",
        "render",
        "starting",
        "v-7",
    )
    assert second["job_stage"] == "compose"


def test_a_line_inside_a_request_names_the_request_and_the_user_once_known(json_log):
    log = logging.getLogger("contentizer.test.structured")
    request = SimpleNamespace()
    with request_log_context(request_id="req-12345678", request=request):
        log.info("anonymous so far")
        request._cached_user = SimpleNamespace(pk=42, is_authenticated=True)
        log.info("authenticated")
    first, second = lines(json_log)
    assert first["request_id"] == second["request_id"] == "req-12345678"
    assert "user_id" not in first and second["user_id"] == 42


def test_an_exception_is_written_with_its_traceback(json_log):
    try:
        raise ValueError("bad frame")
    except ValueError:
        logging.getLogger("contentizer.test.structured").exception("render broke")
    [line] = lines(json_log)
    assert line["level"] == "ERROR" and "ValueError: bad frame" in line["exc_info"]
