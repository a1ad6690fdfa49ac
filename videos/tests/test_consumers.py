"""The job progress websocket: current state on connect, changes after, close on finish,
nothing for anyone but the job's owner (and staff)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from contentizer_site.asgi import application
from jobs.models import Job
from jobs.services import job_notify
from videos.models import Video, VideoJobKind

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def job(owner):
    video = Video.objects.create(owner=owner, title="Harbour", script="Boats.", status=Video.Status.RENDERING)
    return Job.objects.create(
        owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING, stage="video", progress=10
    )


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.fixture
def owner_cookie(owner) -> str:
    return _session_cookie(owner)


def _communicator(job: Job, cookie: str | None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, f"/ws/jobs/{job.code}/", headers=headers)


async def _update(job: Job, *, notify: bool = True, **fields) -> None:
    await sync_to_async(Job.objects.filter(pk=job.pk).update)(**fields)
    if notify:
        await sync_to_async(job_notify)(job)


async def test_the_owner_gets_the_current_state_on_connect(job, owner_cookie):
    communicator = _communicator(job, owner_cookie)

    connected, _ = await communicator.connect()
    message = await communicator.receive_from(timeout=3)

    assert connected
    assert message.lstrip().startswith(f'<div id="job-{job.code.hex}"')
    assert 'aria-valuenow="10"' in message
    assert "Encoding the video" in message
    await communicator.disconnect()


async def test_a_change_announced_on_the_group_arrives_without_waiting_for_the_next_read(
    job, owner_cookie, monkeypatch
):
    import videos.consumers

    # With a re-read only every 60 s, only the group message can deliver this in time.
    monkeypatch.setattr(videos.consumers, "POLL_SECONDS", 60)
    communicator = _communicator(job, owner_cookie)
    await communicator.connect()
    await communicator.receive_from(timeout=3)

    await _update(job, stage="audio", progress=91)
    message = await communicator.receive_from(timeout=5)

    assert 'aria-valuenow="91"' in message
    assert "Mixing the sound" in message
    await communicator.disconnect()


async def test_a_change_made_in_another_process_arrives_by_re_reading_the_row(job, owner_cookie):
    communicator = _communicator(job, owner_cookie)
    await communicator.connect()
    await communicator.receive_from(timeout=3)

    # No group message: the in-memory layer cannot carry one from a qcluster worker.
    await _update(job, notify=False, progress=55)
    message = await communicator.receive_from(timeout=2)

    assert 'aria-valuenow="55"' in message
    await communicator.disconnect()


async def test_nothing_is_sent_while_nothing_changes(job, owner_cookie):
    communicator = _communicator(job, owner_cookie)
    await communicator.connect()
    await communicator.receive_from(timeout=3)

    await sync_to_async(job_notify)(job)

    assert await communicator.receive_nothing(timeout=1.2)
    await communicator.disconnect()


async def test_the_socket_sends_the_final_state_and_closes_when_the_job_finishes(job, owner_cookie):
    communicator = _communicator(job, owner_cookie)
    await communicator.connect()
    await communicator.receive_from(timeout=3)

    await _update(job, status=Job.Status.SUCCEEDED, stage="done", progress=100)
    final = await communicator.receive_from(timeout=2)
    closing = await communicator.receive_output(timeout=2)

    assert 'aria-valuenow="100"' in final
    assert "data-job-finished" in final
    assert "Watch the video" in final
    assert closing["type"] == "websocket.close"
    await communicator.disconnect()


async def test_a_failure_is_sent_with_its_stage_and_message(job, owner_cookie):
    communicator = _communicator(job, owner_cookie)
    await communicator.connect()
    await communicator.receive_from(timeout=3)

    await _update(job, status=Job.Status.FAILED, error_stage="mux", error_message="FFmpeg failed: disk full")
    final = await communicator.receive_from(timeout=2)

    assert "Failed while joining picture and sound." in final
    assert "FFmpeg failed: disk full" in final
    assert (await communicator.receive_output(timeout=2))["type"] == "websocket.close"
    await communicator.disconnect()


async def test_connecting_to_a_finished_job_gets_its_state_then_closes(job, owner_cookie):
    await _update(job, notify=False, status=Job.Status.CANCELED)
    communicator = _communicator(job, owner_cookie)

    connected, _ = await communicator.connect()
    message = await communicator.receive_from(timeout=3)

    assert connected
    assert "Canceled." in message
    assert (await communicator.receive_output(timeout=2))["type"] == "websocket.close"
    await communicator.disconnect()


async def test_a_stranger_is_refused(job, stranger):
    communicator = _communicator(job, await sync_to_async(_session_cookie)(stranger))

    connected, _ = await communicator.connect()

    assert not connected


async def test_an_anonymous_visitor_is_refused(job):
    communicator = _communicator(job, None)

    connected, _ = await communicator.connect()

    assert not connected


async def test_staff_may_watch_any_job(job, staff):
    communicator = _communicator(job, await sync_to_async(_session_cookie)(staff))

    connected, _ = await communicator.connect()

    assert connected
    assert f'id="job-{job.code.hex}"' in await communicator.receive_from(timeout=3)
    await communicator.disconnect()


async def test_a_socket_from_another_site_is_refused(job, owner_cookie):
    headers = [(b"origin", b"http://evil.example"), (b"cookie", f"sessionid={owner_cookie}".encode())]
    communicator = WebsocketCommunicator(application, f"/ws/jobs/{job.code}/", headers=headers)

    connected, _ = await communicator.connect()

    assert not connected
