"""Log lines written while a job runs carry the job's and its video's codes.

`job_log_context(job=..., video=...)` binds the codes for the code running inside it (a
context variable: safe with threads and asyncio, not inherited by threads started inside).
`JobContextFilter`, on the console handler, copies them onto every record as `job` and
`video` (so the JSON formatter emits them as fields), and `TextFormatter` shows them as
"[job <code> video <code>]" before the message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[tuple[str, str] | None] = ContextVar("contentizer_job_log_context", default=None)


@contextmanager
def job_log_context(*, job: object, video: object = None) -> Iterator[None]:
    token = _current.set((str(job), str(video)))
    try:
        yield
    finally:
        _current.reset(token)


class JobContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if context is not None and not hasattr(record, "job"):
            record.job, record.video = context
        return True


class TextFormatter(logging.Formatter):
    """The plain-text format, with the job context (when there is one) before the message."""

    def format(self, record: logging.LogRecord) -> str:
        job = getattr(record, "job", None)
        record.job_context = f"[job {job} video {getattr(record, 'video', '-')}] " if job else ""
        return super().format(record)
