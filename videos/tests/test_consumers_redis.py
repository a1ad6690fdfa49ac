"""Scaled out (channels-redis, stamps and statuses in Redis): a change made in another
process reaches the socket by the group message, and the consumer sends it without a
single database query (the writer already put the fresh status in the shared cache).

Uses the local Redis, database 11 (this test's own); the embedded default never needs Redis."""

from __future__ import annotations

import asyncio
import sys

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as dj_settings
from django.core.cache import cache
from django.db.backends import utils as db_utils
from django.test import Client

from conftest import _subprocess_env
from jobs.models import Job
from videos.models import Video, VideoJobKind

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/11"

WRITER = """
import sys
import django
django.setup()
from jobs.models import Job
from jobs.services import job_notify
job = Job.objects.get(pk=int(sys.argv[1]))
Job.objects.filter(pk=job.pk).update(stage="audio", progress=91)
job_notify(job)
"""


@pytest.fixture
def redis_mode(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
    settings.CONTENTIZER_CHANGE_STAMPS = "cache"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queries(monkeypatch):
    """Every SQL statement this process runs, from any thread."""
    seen: list[str] = []
    execute, executemany = db_utils.CursorWrapper.execute, db_utils.CursorWrapper.executemany

    def counting_execute(self, sql, params=None):
        seen.append(sql)
        return execute(self, sql, params)

    def counting_executemany(self, sql, param_list):
        seen.append(sql)
        return executemany(self, sql, param_list)

    monkeypatch.setattr(db_utils.CursorWrapper, "execute", counting_execute)
    monkeypatch.setattr(db_utils.CursorWrapper, "executemany", counting_executemany)
    return seen


async def test_a_change_in_another_process_is_pushed_without_a_query(redis_mode, owner, queries, monkeypatch, settings):
    import videos.consumers
    from contentizer_site.asgi import application

    # Only the group message can deliver the change in time.
    monkeypatch.setattr(videos.consumers, "PUSH_BACKSTOP_SECONDS", 60)
    video = await sync_to_async(Video.objects.create)(owner=owner, title="Harbour", script="Boats.")
    job = await sync_to_async(Job.objects.create)(
        owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING, stage="video", progress=10
    )
    client = Client()
    await sync_to_async(client.force_login)(owner)
    headers = [
        (b"origin", b"http://127.0.0.1"),
        (b"host", b"127.0.0.1"),
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
    ]
    communicator = WebsocketCommunicator(application, f"/ws/jobs/{job.code}/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    assert 'aria-valuenow="10"' in await communicator.receive_from(timeout=5)

    del queries[:]
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WRITER,
        str(job.pk),
        cwd=str(dj_settings.BASE_DIR),
        env={**_subprocess_env(settings), "REDIS_URL": REDIS_URL},
    )
    assert await asyncio.wait_for(writer.wait(), timeout=60) == 0
    message = await communicator.receive_from(timeout=10)

    assert 'aria-valuenow="91"' in message
    assert "Mixing the sound" in message
    assert queries == []
    await communicator.disconnect()
