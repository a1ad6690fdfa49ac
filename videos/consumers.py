"""Live job progress over a websocket, for the htmx ws extension.

The job row is the truth. Workers update it and send a best-effort `job.changed` to the
job's group; with the in-memory layer that message never crosses from a qcluster process
to daphne, so the consumer also re-reads the row every POLL_SECONDS. It sends the
current state on connect, then only changes, and closes once the job has finished
(after sending the final state). Each message is the `_job_progress.html` fragment,
whose id lets the extension swap it into the page out of band.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from jobs.models import Job
from jobs.services import job_group_name
from videos.job_display import job_fragment_context

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5


class JobProgressConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = ""
        self.watcher: asyncio.Task | None = None
        user = self.scope.get("user")
        code = self.scope["url_route"]["kwargs"]["code"]
        job = await self._load_job(user, code) if user is not None and user.is_authenticated else None
        if job is None:
            # Closing before accepting refuses the handshake (HTTP 403): anonymous users
            # and other creators learn nothing about the job.
            await self.close()
            return
        self.job_pk = job.pk
        self.changed = asyncio.Event()
        self.group = job_group_name(job)
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
            snapshot = await self._snapshot(last_key)
            if snapshot is None:
                # The job (or its video) was deleted.
                await self.close()
                return
            key, html, finished = snapshot
            if html is not None:
                await self.send(text_data=html)
                last_key = key
            if finished:
                await self.close()
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=POLL_SECONDS)
            self.changed.clear()

    @database_sync_to_async
    def _load_job(self, user, code) -> Job | None:
        # A video's jobs only: the progress fragment is a video's (stand-alone jobs have none).
        jobs = Job.objects.filter(video__isnull=False) if user.is_staff else Job.objects.filter(video__owner=user)
        return jobs.filter(code=code).first()

    @database_sync_to_async
    def _snapshot(self, last_key) -> tuple[tuple, str | None, bool] | None:
        """(state key, fragment or None when unchanged, finished?), or None if gone."""

        job = Job.objects.select_related("video").filter(pk=self.job_pk).first()
        if job is None:
            return None
        key = (
            job.status,
            job.stage,
            job.progress,
            job.attempts,
            job.cancel_requested,
            job.error_stage,
            job.error_message,
        )
        if key == last_key:
            return key, None, job.is_finished
        html = render_to_string("videos/_job_progress.html", job_fragment_context(job))
        return key, html, job.is_finished
