"""Outbound webhooks: signed events to a local receiver, retries with backoff, one event
per job end, the delivery log (API and admin)."""

from __future__ import annotations

import json
import socket
import time

import pytest
from django.utils import timezone
from django_q.models import Schedule
from django_q.scheduler import scheduler
from replicate.webhook import InvalidSignatureError, Webhooks, WebhookSigningSecret

from conftest import SHORT_SCRIPT, wait_for
from core.testing import (
    WebhookReceiver,
    assert_error,
    token_client,
    verify_standard_webhook,
)
from jobs.models import Job, WebhookAttempt, WebhookDelivery
from jobs.services import job_cancel, job_claim, job_fail, job_finished, job_retry
from jobs.webhooks import webhook_deliver, webhook_secret_rotate, webhook_settings_get, webhook_settings_update
from videos.services import render_request, video_create

pytestmark = pytest.mark.usefixtures("cache_table")


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    """These receivers listen on 127.0.0.1, which production refuses (test_webhook_targets)."""
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    server = WebhookReceiver([200])
    yield server
    server.close()


def _create(owner, capture, **options) -> object:
    with capture(execute=True):
        return video_create(owner=owner, title="Lighthouse", script=SHORT_SCRIPT, quality="480p", **options)


def _run_due_retries(capture) -> None:
    """What the cluster's scheduler does every ~30 s: queue the schedules that are due
    (the queue runs inline in tests)."""
    with capture(execute=True):
        scheduler()


def test_a_finished_job_is_posted_to_the_video_callback_signed_as_standard_webhooks(
    owner, receiver, django_capture_on_commit_callbacks
):
    video = _create(owner, django_capture_on_commit_callbacks, callback_url=receiver.url)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    secret = webhook_settings_get(user=owner).secret
    assert secret.startswith("whsec_")
    # Replicate's own validator (Standard Webhooks) accepts it...
    assert (
        Webhooks.validate(
            headers=request["headers"],
            body=request["body"].decode(),
            secret=WebhookSigningSecret(key=secret),
            tolerance=300,
        )
        is None
    )
    # ...and so does an independent implementation.
    assert verify_standard_webhook(secret, request["headers"], request["body"]) == request["headers"]["webhook-id"]
    assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 60
    assert request["headers"]["content-type"] == "application/json"
    assert request["path"] == "/hooks/contentizer"
    event = json.loads(request["body"])
    job = video.jobs.get(kind="storyboard")
    assert set(event) == {"id", "type", "created", "data"}
    assert event["id"] == request["headers"]["webhook-id"]
    assert event["type"] == "job.succeeded"
    assert event["data"]["job"]["code"] == str(job.code)
    assert event["data"]["job"]["kind"] == "storyboard"
    assert event["data"]["job"]["status"] == "succeeded"
    assert event["data"]["video"]["code"] == str(video.code)
    assert event["data"]["video"]["status"] == "storyboard"


def test_a_tampered_body_or_another_secret_fails_verification(owner, receiver, django_capture_on_commit_callbacks):
    _create(owner, django_capture_on_commit_callbacks, callback_url=receiver.url)
    request = receiver.requests[0]
    secret = WebhookSigningSecret(key=webhook_settings_get(user=owner).secret)
    tampered = request["body"].replace(b"succeeded", b"failed")
    with pytest.raises(InvalidSignatureError):
        Webhooks.validate(headers=request["headers"], body=tampered.decode(), secret=secret)
    other = WebhookSigningSecret(key=webhook_secret_rotate(user=owner).secret)
    with pytest.raises(InvalidSignatureError):
        Webhooks.validate(headers=request["headers"], body=request["body"].decode(), secret=other)


def test_the_account_default_callback_is_used_when_the_video_has_none(
    owner, receiver, django_capture_on_commit_callbacks
):
    webhook_settings_update(user=owner, callback_url=receiver.url)
    _create(owner, django_capture_on_commit_callbacks)
    assert [e["type"] for e in receiver.events()] == ["job.succeeded"]
    assert WebhookDelivery.objects.get().url == receiver.url


def test_the_video_callback_wins_over_the_account_default(owner, receiver, django_capture_on_commit_callbacks):
    other = WebhookReceiver([200])
    try:
        webhook_settings_update(user=owner, callback_url=other.url)
        _create(owner, django_capture_on_commit_callbacks, callback_url=receiver.url)
        assert len(receiver.requests) == 1
        assert other.requests == []
    finally:
        other.close()


def test_without_a_callback_url_nothing_is_sent(owner, django_capture_on_commit_callbacks):
    _create(owner, django_capture_on_commit_callbacks)
    assert Job.objects.get().status == Job.Status.SUCCEEDED
    assert not WebhookDelivery.objects.exists()


def test_a_failing_receiver_is_retried_with_exponential_backoff_under_the_same_id(
    owner, settings, django_capture_on_commit_callbacks
):
    settings.CONTENTIZER_WEBHOOK_BACKOFF_SECONDS = 0.3
    flaky = WebhookReceiver([500, 503, 200])
    try:
        _create(owner, django_capture_on_commit_callbacks, callback_url=flaky.url)
        delivery = WebhookDelivery.objects.get()
        for expected_attempts in (2, 3):
            schedule = Schedule.objects.get(func="jobs.tasks.deliver_webhook")
            assert schedule.schedule_type == Schedule.ONCE
            # Nothing happens before the backoff has passed...
            _run_due_retries(django_capture_on_commit_callbacks)
            assert len(flaky.requests) == expected_attempts - 1
            wait_for(lambda s=schedule: timezone.now() > s.next_run, timeout=5, message="the retry to be due")
            _run_due_retries(django_capture_on_commit_callbacks)
            assert len(flaky.requests) == expected_attempts
    finally:
        flaky.close()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempts == 3
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery))
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    assert "500" in attempts[0].error and attempts[2].error == ""
    # Exponential: the second wait is four times the first.
    gaps = [b["at"] - a["at"] for a, b in zip(flaky.requests, flaky.requests[1:], strict=False)]
    assert gaps[0] >= 0.3
    assert gaps[1] >= 1.2
    ids = {r["headers"]["webhook-id"] for r in flaky.requests}
    assert ids == {delivery.event_id}
    secret = webhook_settings_get(user=owner).secret
    for request in flaky.requests:
        verify_standard_webhook(secret, request["headers"], request["body"])
    assert len({r["body"] for r in flaky.requests}) == 1
    assert not Schedule.objects.filter(func="jobs.tasks.deliver_webhook").exists()


def test_a_delivery_gives_up_after_the_last_attempt(owner, settings, django_capture_on_commit_callbacks):
    settings.CONTENTIZER_WEBHOOK_MAX_ATTEMPTS = 2
    settings.CONTENTIZER_WEBHOOK_BACKOFF_SECONDS = 0.1
    broken = WebhookReceiver([500])
    try:
        _create(owner, django_capture_on_commit_callbacks, callback_url=broken.url)
        schedule = Schedule.objects.get(func="jobs.tasks.deliver_webhook")
        wait_for(lambda: timezone.now() > schedule.next_run, timeout=5, message="the retry to be due")
        _run_due_retries(django_capture_on_commit_callbacks)
    finally:
        broken.close()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == 2 and len(broken.requests) == 2
    assert delivery.last_status_code == 500
    assert not Schedule.objects.filter(func="jobs.tasks.deliver_webhook").exists()


def test_a_redirect_is_not_a_delivery(owner, django_capture_on_commit_callbacks):
    redirecting = WebhookReceiver([302])
    try:
        _create(owner, django_capture_on_commit_callbacks, callback_url=redirecting.url)
    finally:
        redirecting.close()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_status_code == 302
    assert len(redirecting.requests) == 1  # the redirect was not followed
    assert Schedule.objects.filter(func="jobs.tasks.deliver_webhook").count() == 1


def test_an_unreachable_receiver_is_logged_and_retried(owner, django_capture_on_commit_callbacks):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    _create(owner, django_capture_on_commit_callbacks, callback_url=f"http://127.0.0.1:{port}/hook")
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert "refused" in attempt.error.lower()
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING


def test_a_duplicate_delivery_task_does_not_send_again(owner, receiver, django_capture_on_commit_callbacks):
    _create(owner, django_capture_on_commit_callbacks, callback_url=receiver.url)
    delivery = WebhookDelivery.objects.get()
    assert webhook_deliver(delivery_id=delivery.pk) == "not due"
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1


def test_each_job_end_is_one_event(owner, receiver, make_approved_video, django_capture_on_commit_callbacks):
    video = make_approved_video(owner)
    video.callback_url = receiver.url
    video.save(update_fields=["callback_url"])
    job = render_request(video=video, user=owner)  # queued, not run
    with django_capture_on_commit_callbacks(execute=True):
        job_cancel(job=job)
        # The same ending reported twice is still one event.
        job_finished(job_id=job.pk)
    with django_capture_on_commit_callbacks(execute=False):
        job_retry(job=job)  # queued again; its task is not run here
    with django_capture_on_commit_callbacks(execute=True):
        job_cancel(job=job)
    events = receiver.events()
    assert [e["type"] for e in events] == ["job.canceled", "job.canceled"]
    assert len({e["id"] for e in events}) == 2
    assert all(e["data"]["job"]["code"] == str(job.code) for e in events)
    assert WebhookDelivery.objects.filter(job=job).count() == 2


def test_a_failed_job_sends_job_failed_with_its_stage_and_message(owner, receiver, django_capture_on_commit_callbacks):
    video = video_create(owner=owner, title="T", script=SHORT_SCRIPT, callback_url=receiver.url)
    job = job_claim(job_id=video.jobs.get().pk)
    with django_capture_on_commit_callbacks(execute=True):
        job_fail(job=job, stage="pictures", message="Scene 1: could not make the picture.")
        job_finished(job_id=job.pk)
    (event,) = receiver.events()
    assert event["type"] == "job.failed"
    assert event["data"]["job"]["error_stage"] == "pictures"
    assert event["data"]["job"]["error_message"] == "Scene 1: could not make the picture."


def test_retries_are_signed_with_the_current_secret(owner, settings, django_capture_on_commit_callbacks):
    settings.CONTENTIZER_WEBHOOK_BACKOFF_SECONDS = 0.1
    flaky = WebhookReceiver([500, 200])
    try:
        _create(owner, django_capture_on_commit_callbacks, callback_url=flaky.url)
        new_secret = webhook_secret_rotate(user=owner).secret
        schedule = Schedule.objects.get(func="jobs.tasks.deliver_webhook")
        wait_for(lambda: timezone.now() > schedule.next_run, timeout=5, message="the retry to be due")
        _run_due_retries(django_capture_on_commit_callbacks)
    finally:
        flaky.close()
    assert len(flaky.requests) == 2
    verify_standard_webhook(new_secret, flaky.requests[1]["headers"], flaky.requests[1]["body"])
    with pytest.raises(AssertionError):
        verify_standard_webhook(new_secret, flaky.requests[0]["headers"], flaky.requests[0]["body"])


def test_the_api_lists_my_deliveries_with_their_attempts(owner, stranger, receiver, django_capture_on_commit_callbacks):
    _create(owner, django_capture_on_commit_callbacks, callback_url=receiver.url)
    body = token_client(owner).get("/api/v1/webhooks/deliveries").json()
    assert body["count"] == 1
    (delivery,) = body["results"]
    assert delivery["status"] == "succeeded"
    assert delivery["event_type"] == "job.succeeded"
    assert delivery["attempt_log"][0]["status_code"] == 200
    detail = token_client(owner).get(f"/api/v1/webhooks/deliveries/{delivery['code']}").json()
    assert detail["event_id"] == receiver.requests[0]["headers"]["webhook-id"]
    assert token_client(stranger).get("/api/v1/webhooks/deliveries").json()["count"] == 0
    assert_error(token_client(stranger).get(f"/api/v1/webhooks/deliveries/{delivery['code']}"), 404)


def test_staff_see_the_delivery_log_in_the_admin(owner, staff, client, receiver, django_capture_on_commit_callbacks):
    _create(owner, django_capture_on_commit_callbacks, callback_url=receiver.url)
    delivery = WebhookDelivery.objects.get()
    client.force_login(staff)
    changelist = client.get("/admin/jobs/webhookdelivery/")
    assert changelist.status_code == 200
    assert delivery.url.encode() in changelist.content
    detail = client.get(f"/admin/jobs/webhookdelivery/{delivery.pk}/change/")
    assert detail.status_code == 200
    assert b'id="attempt_log-group"' in detail.content  # the attempts inline
    assert delivery.event_id.encode() in detail.content


def test_creators_cannot_open_the_delivery_log_in_the_admin(owner, client):
    client.force_login(owner)
    response = client.get("/admin/jobs/webhookdelivery/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_safety_net_sends_a_delivery_that_was_never_queued(owner, receiver, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from jobs.tasks import send_due_webhooks

    stranded = WebhookDelivery.objects.create(
        owner=owner,
        event_id="msg_stranded",
        event_type="job.succeeded",
        url=receiver.url,
        payload='{"id":"msg_stranded"}',
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    fresh = WebhookDelivery.objects.create(
        owner=owner, event_id="msg_fresh", event_type="job.succeeded", url=receiver.url, payload="{}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_webhooks() == 1
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == ["msg_stranded"]
    stranded.refresh_from_db()
    fresh.refresh_from_db()
    assert stranded.status == WebhookDelivery.Status.SUCCEEDED
    assert fresh.status == WebhookDelivery.Status.PENDING
