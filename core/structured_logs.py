"""JSON log lines an operator can search: time, level, logger and message on every line,
plus the job (code, kind, stage, video) inside a job and the request (id, user id) inside
a request.

- `request_log_context(request_id=..., request=...)`: bound by the request middleware
  (contentizer_site/request_observability.py) around each request. The user id is read
  when a line is written, and only once authentication has resolved it (never a query
  from a log call).
- `job_log_details(job)`: bound by the job task around a run. Kind and stage are read from
  the job object when a line is written, so lines follow the stage as the reporter moves
  it.
- `LogContextFilter` copies both onto each record (so the text format can use them too);
  `JsonLogFormatter` writes one JSON object per line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_request: ContextVar[tuple[str, Any] | None] = ContextVar("contentizer_request_log_context", default=None)
_job: ContextVar[Any] = ContextVar("contentizer_job_log_details", default=None)


@contextmanager
def request_log_context(*, request_id: str, request: Any = None) -> Iterator[None]:
    token = _request.set((request_id, request))
    try:
        yield
    finally:
        _request.reset(token)


@contextmanager
def job_log_details(job: Any) -> Iterator[None]:
    """Lines written inside name `job`'s kind and (current) stage."""
    token = _job.set(job)
    try:
        yield
    finally:
        _job.reset(token)


def _resolved_user_id(request: Any) -> int | None:
    """The user id if authentication already ran; never triggers it (no query, no recursion
    when the database is what is being logged about)."""
    if request is None:
        return None
    user = request.__dict__.get("_cached_user")  # django.contrib.auth's lazy user, once read
    if user is None:
        candidate = request.__dict__.get("user")  # DRF sets the authenticated user directly
        if candidate is not None and not hasattr(candidate, "_setupfunc"):
            user = candidate
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class LogContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        bound = _request.get()
        if bound is None:
            # Django logs a request's outcome ("Not Found: /x", a 500's traceback) after the
            # middleware returned, passing the request itself: take the id from it.
            request = getattr(record, "request", None)
            request_id = getattr(request, "request_id", None)
            if request_id:
                bound = (request_id, request)
        if bound is not None and not hasattr(record, "request_id"):
            record.request_id = bound[0]
            user_id = _resolved_user_id(bound[1])
            if user_id is not None:
                record.user_id = user_id
        job = _job.get()
        if job is not None:
            if not hasattr(record, "job"):
                record.job = str(getattr(job, "code", ""))
            if not hasattr(record, "job_kind"):
                record.job_kind = getattr(job, "kind", "")
                record.job_stage = getattr(job, "stage", "")
        return True


# Record attributes that become fields when present, in this order after the fixed ones.
_CONTEXT_FIELDS = ("job", "job_kind", "job_stage", "video", "request_id", "user_id")
# Everything a LogRecord has by itself (plus what our formatters add): not "extra" fields.
_RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "job_context",
    "taskName",
    # django.request's `extra`: the request object (its id and user are written instead).
    "request",
}


class JsonLogFormatter(JsonFormatter):
    """{"time": ISO 8601 UTC, "level", "logger", "message", job/request context, any
    `extra=` fields, "exc_info" when there is one}."""

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.getMessage()
        for name in _CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value not in (None, ""):
                log_data[name] = value
        for name, value in record.__dict__.items():
            if name not in _RESERVED and name not in log_data and not name.startswith("_"):
                log_data[name] = value
        log_data.update(message_dict)
        if record.exc_info and "exc_info" not in log_data:
            log_data["exc_info"] = self.formatException(record.exc_info)
