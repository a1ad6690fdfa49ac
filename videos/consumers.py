"""Live job progress over a websocket, for the htmx ws extension.

The job row is the truth; the consumer reads it through the status cache
(jobs/status_cache.py), which `job_notify` invalidates on every change, so an idle socket
costs no query. Workers send `job.changed` to the job's group after each committed change:
- with channels-redis that message crosses processes and the worker has already put the
  fresh status in the shared cache, so the consumer pushes the change without a query
  (a slow timer, PUSH_BACKSTOP_SECONDS, only re-checks the stamp);
- with the in-memory layer it never crosses from a qcluster process to daphne, so the
  consumer also checks the status cache every POLL_SECONDS (a stamp read; the row is re-read
  once per change, and at most FALLBACK_MAX_AGE_S apart for writes that bypass job_notify).
It sends the current state on connect, then only changes, and closes once the job has
finished (after sending the final state). Each message is the `_job_progress.html`
fragment, whose id lets the extension swap it into the page out of band.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.template.loader import render_to_string

from jobs.services import job_group_name
from jobs.status_cache import POLL_MAX_AGE_S, JobStatus, job_status_get
from videos.job_display import job_fragment_context
from videos.models import Video

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
FALLBACK_MAX_AGE_S = 1.0
PUSH_BACKSTOP_SECONDS = 5.0
# What decides that the fragment changed.
_KEY_FIELDS = ("status", "stage", "progress", "attempts", "cancel_requested", "error_stage", "error_message")


class JobProgressConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = ""
        self.watcher: asyncio.Task | None = None
        user = self.scope.get("user")
        code = self.scope["url_route"]["kwargs"]["code"]
        status = await self._status(code) if user is not None and user.is_authenticated else None
        # A video's jobs only: the progress fragment is a video's (stand-alone jobs have none).
        if status is None or status.subject_code is None or (status.owner_id != user.pk and not user.is_staff):
            # Closing before accepting refuses the handshake (HTTP 403): anonymous users
            # and other creators learn nothing about the job.
            await self.close()
            return
        self.job_pk = status.job_id
        self.code = status.code
        self.changed = asyncio.Event()
        self.group = job_group_name(status.job())
        # Pushed across processes (channels-redis): wait for messages; otherwise check on a timer.
        self.pushed = self.channel_layer is not None and not isinstance(self.channel_layer, InMemoryChannelLayer)
        if self.channel_layer is not None:
            await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.watcher = asyncio.ensure_future(self._watch())

    async def disconnect(self, code: int) -> None:
        if self.watcher is not None and not self.watcher.done():
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher
        if self.group and self.channel_layer is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        # The page never needs to talk back; anything it sends is ignored.
        return

    async def job_changed(self, event: dict) -> None:
        self.changed.set()

    async def _watch(self) -> None:
        try:
            await self._send_changes()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a broken watcher must not leave a silent socket
            logger.exception("progress socket for job %s failed", self.job_pk)
            # 1011 makes the htmx extension reconnect; the page polls meanwhile.
            await self.close(code=1011)

    async def _send_changes(self) -> None:
        last_key = None
        while True:
            max_age = POLL_MAX_AGE_S if self.pushed else FALLBACK_MAX_AGE_S
            status = await self._status(self.code, max_age)
            if status is None:
                # The job (or its video) was deleted.
                await self.close()
                return
            key = tuple(status.fields[name] for name in _KEY_FIELDS)
            if key != last_key:
                await self.send(text_data=await self._fragment(status))
                last_key = key
            if status.is_finished:
                await self.close()
                return
            with contextlib.suppress(TimeoutError):
                timeout = PUSH_BACKSTOP_SECONDS if self.pushed else POLL_SECONDS
                await asyncio.wait_for(self.changed.wait(), timeout=timeout)
            self.changed.clear()

    @database_sync_to_async
    def _status(self, code, max_age_s: float = POLL_MAX_AGE_S) -> JobStatus | None:
        # No query while the cached status is current (a stamp read).
        return job_status_get(code=code, max_age_s=max_age_s)

    @database_sync_to_async
    def _fragment(self, status: JobStatus) -> str:
        job = status.job()
        # The fragment needs the video's code only: no query for it.
        job.video = Video(pk=job.video_id, code=uuid.UUID(status.subject_code), owner_id=status.owner_id)
        return render_to_string("videos/_job_progress.html", job_fragment_context(job))
