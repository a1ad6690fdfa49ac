"""Outbound webhooks: when a job ends, POST a signed JSON event to the client's URL.

Signed exactly as Standard Webhooks (and Replicate) sign: headers `webhook-id` (the event
id, the same on every retry), `webhook-timestamp` (Unix seconds of this attempt) and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the
base64-decoded part of the account secret after `whsec_`.

Delivery never blocks a request or a job: the event row is written when the job ends and
a queued task sends it. A failed attempt is retried later with exponential backoff (a
one-off django-q2 Schedule); every attempt is logged with its status code, error and
duration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
import urllib.error
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core import netguard
from core.event_metrics import metric_count
from jobs.models import Job, WebhookAttempt, WebhookDelivery, WebhookSettings
from jobs.registry import job_kind, job_subject, job_subject_relations
from jobs.serializers import JobSerializer

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
DELIVER_TASK = "jobs.tasks.deliver_webhook"
EVENT_TYPES: dict[str, str] = {
    Job.Status.SUCCEEDED: "job.succeeded",
    Job.Status.FAILED: "job.failed",
    Job.Status.CANCELED: "job.canceled",
}
USER_AGENT = "Contentizer-Webhooks/1.0"
# Namespace for deterministic event ids: one id per job ending, whoever computes it.
_EVENT_NAMESPACE = uuid.UUID("6f1c8d52-3b7e-4f0a-9a55-2f4c0e9b7d11")


# --- configuration (read at call time; tests and operators may change them) -------------


def webhook_max_attempts() -> int:
    return settings.CONTENTIZER_WEBHOOK_MAX_ATTEMPTS


def webhook_timeout_seconds() -> float:
    return float(settings.CONTENTIZER_WEBHOOK_TIMEOUT_SECONDS)


def webhook_allow_private() -> bool:
    """Private and loopback targets: for local development and the tests only."""
    return settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE


def webhook_backoff_seconds(attempt: int) -> float:
    """Delay before the attempt after `attempt` (1-based): base * 4^(attempt-1), capped.
    With the default 30 s base: 30 s, 2 min, 8 min, 32 min, ~2 h."""
    base = float(settings.CONTENTIZER_WEBHOOK_BACKOFF_SECONDS)
    cap = float(settings.CONTENTIZER_WEBHOOK_BACKOFF_MAX_SECONDS)
    return min(base * 4 ** max(attempt - 1, 0), cap)


# --- secrets and settings -----------------------------------------------------------------


def webhook_secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def callback_url_errors(url: str) -> str | None:
    """Why a callback URL cannot be used, or None. Empty means "none". Only public
    addresses (core.netguard); checked again, and pinned, when an event is sent."""
    if not url:
        return None
    if len(url) > 500:
        return "The callback URL is longer than 500 characters."
    return netguard.public_address_error(url, allow_private=webhook_allow_private())


def webhook_settings_get(*, user) -> WebhookSettings:
    """The user's webhook settings, made (with a fresh secret) on first use."""
    found = WebhookSettings.objects.filter(owner=user).first()
    if found is not None:
        return found
    obj, _ = WebhookSettings.objects.get_or_create(owner=user, defaults={"secret": webhook_secret_generate()})
    return obj


def webhook_settings_update(*, user, callback_url: str) -> WebhookSettings:
    callback_url = (callback_url or "").strip()
    error = callback_url_errors(callback_url)
    if error:
        raise ValidationError({"callback_url": error})
    obj = webhook_settings_get(user=user)
    obj.callback_url = callback_url
    obj.save(update_fields=["callback_url"])
    return obj


def webhook_secret_rotate(*, user) -> WebhookSettings:
    """A new signing secret; events not yet delivered are signed with it from now on."""
    obj = webhook_settings_get(user=user)
    obj.secret = webhook_secret_generate()
    obj.secret_rotated_at = timezone.now()
    obj.save(update_fields=["secret", "secret_rotated_at"])
    return obj


def webhook_sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one attempt."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


# --- events ---------------------------------------------------------------------------------


def webhook_event_id(job: Job) -> str:
    ending = f"{job.code}:{job.status}:{job.finished_at.isoformat() if job.finished_at else job.attempts}"
    return "msg_" + uuid.uuid5(_EVENT_NAMESPACE, ending).hex


def webhook_event_for(*, job: Job, event_id: str) -> dict:

    data = {"job": JobSerializer(job).data}
    # What the job worked on (e.g. its video) is described by the app that registered the kind.
    describe = job_kind(job.kind).event_data
    if describe is not None:
        data.update(describe(job))
    return {
        "id": event_id,
        "type": EVENT_TYPES[job.status],
        "created": timezone.now().isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def webhook_job_finished(*, job_id: int) -> WebhookDelivery | None:
    """Record the event for a job that just ended and queue its delivery, when what it
    worked on (its kind's JobSubject) or its owner has a callback URL. Best effort: a
    problem here never touches the job."""
    try:
        return _webhook_job_finished(job_id)
    except Exception:  # noqa: BLE001 - a webhook must never break a job's ending
        logger.exception("could not queue the webhook for job %s", job_id)
        return None


def _webhook_job_finished(job_id: int) -> WebhookDelivery | None:
    job = Job.objects.select_related(*job_subject_relations()).filter(pk=job_id).first()
    if job is None or job.status not in EVENT_TYPES:
        return None
    # The subject's own callback URL (a video's) wins; a stand-alone job has none.
    subject = job_subject(job)
    url = subject.callback_url(job) if subject is not None else ""
    if not url:
        account = WebhookSettings.objects.filter(owner_id=job.owner_id).first()
        url = account.callback_url if account else ""
    if not url or callback_url_errors(url):
        return None
    event_id = webhook_event_id(job)
    with transaction.atomic():
        delivery, created = WebhookDelivery.objects.get_or_create(
            event_id=event_id,
            defaults={
                "owner_id": job.owner_id,
                "job": job,
                "event_type": EVENT_TYPES[job.status],
                "url": url,
                "payload": json.dumps(webhook_event_for(job=job, event_id=event_id), separators=(",", ":")),
            },
        )
        if created:
            _enqueue(delivery.pk)
    return delivery


def webhook_event_record(
    *, owner_id: int, url: str, event_type: str, event_id: str, data: dict
) -> WebhookDelivery | None:
    """Record an event that is not a job's ending (e.g. a review comment, registered by the
    app that owns it) and queue its delivery: the same signing, retries and delivery log
    as job events. The caller picks the URL (a video's, else the account's); an empty or
    unusable one sends nothing. `event_id` is stable for the one occurrence, so recording
    it twice sends it once."""
    if not url or callback_url_errors(url):
        return None
    event = {
        "id": event_id,
        "type": event_type,
        "created": timezone.now().isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    with transaction.atomic():
        delivery, created = WebhookDelivery.objects.get_or_create(
            event_id=event_id,
            defaults={
                "owner_id": owner_id,
                "event_type": event_type,
                "url": url,
                "payload": json.dumps(event, separators=(",", ":")),
            },
        )
        if created:
            _enqueue(delivery.pk)
    return delivery


def webhook_account_url(*, owner_id: int) -> str:
    """The account's default callback URL ("" for none)."""
    account = WebhookSettings.objects.filter(owner_id=owner_id).first()
    return account.callback_url if account else ""


def _enqueue(delivery_id: int) -> None:
    def send() -> None:
        from django_q.tasks import async_task

        async_task(DELIVER_TASK, delivery_id, task_name=f"webhook-{delivery_id}", group="webhook")

    transaction.on_commit(send)


def _schedule_retry(delivery: WebhookDelivery, when, number: int) -> None:
    from django_q.models import Schedule

    Schedule.objects.create(
        name=f"webhook {delivery.code.hex[:12]} attempt {number}",
        func=DELIVER_TASK,
        args=repr(delivery.pk),
        schedule_type=Schedule.ONCE,
        repeats=-1,  # a ONCE schedule with negative repeats is deleted after it runs
        next_run=when,
    )


# --- delivery ---------------------------------------------------------------------------------


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    # Checked again at send time (DNS may have changed) and sent to the very address that
    # was checked; a refusal is an UnsafeTarget (a ValueError), recorded as the attempt's error.
    target = netguard.resolve_public_target(url, allow_private=webhook_allow_private())
    return netguard.post_pinned(target, body=body, headers=headers, timeout=timeout)


def webhook_deliver(*, delivery_id: int) -> str:
    """Make one attempt at a delivery that is due. Safe to run twice: an attempt is
    claimed with one conditional UPDATE (a lease), so a duplicate task does nothing."""
    now = timezone.now()
    timeout = webhook_timeout_seconds()
    claimed = WebhookDelivery.objects.filter(
        Q(status=WebhookDelivery.Status.PENDING) | Q(status=WebhookDelivery.Status.SENDING),
        pk=delivery_id,
        next_attempt_at__lte=now,
    ).update(
        status=WebhookDelivery.Status.SENDING,
        # The lease: if this worker dies mid-send, the delivery is due again after it.
        next_attempt_at=now + timedelta(seconds=timeout + 60),
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        return "not due"
    delivery = WebhookDelivery.objects.select_related("owner").get(pk=delivery_id)
    number = delivery.attempts
    account = webhook_settings_get(user=delivery.owner)
    body = delivery.payload.encode("utf-8")
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_sign(
            secret=account.secret, msg_id=delivery.event_id, timestamp=timestamp, body=body
        ),
    }
    started = timezone.now()
    clock = time.monotonic()
    status_code: int | None = None
    excerpt = ""
    error = ""
    try:
        status_code, excerpt = _post(delivery.url, body, headers, timeout)
    except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        error = f"{type(exc).__name__}: {reason}"[:1000]
    duration_ms = int((time.monotonic() - clock) * 1000)
    if status_code is not None and not 200 <= status_code < 300:
        error = f"The receiver answered HTTP {status_code}."
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started,
        duration_ms=duration_ms,
        status_code=status_code,
        error=error,
        response_excerpt=excerpt[:1000],
    )
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.SUCCEEDED,
            delivered_at=timezone.now(),
            last_status_code=status_code,
            last_error="",
        )
        metric_count("contentizer_webhook_delivered")
        return "delivered"
    metric_count("contentizer_webhook_failed_attempts")
    if number >= webhook_max_attempts():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, last_status_code=status_code, last_error=error
        )
        metric_count("contentizer_webhook_gave_up")
        logger.warning("webhook %s gave up after %s attempts: %s", delivery.event_id, number, error)
        return "gave up"
    when = timezone.now() + timedelta(seconds=webhook_backoff_seconds(number))
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at=when,
            last_status_code=status_code,
            last_error=error,
        )
        _schedule_retry(delivery, when, number + 1)
    return "retry scheduled"


def webhooks_send_due() -> int:
    """Queue every delivery that is due but has no task (e.g. the broker was down when its
    job ended). Meant for a periodic schedule; returns how many were queued."""
    due = WebhookDelivery.objects.filter(
        Q(status=WebhookDelivery.Status.PENDING) | Q(status=WebhookDelivery.Status.SENDING),
        next_attempt_at__lte=timezone.now() - timedelta(minutes=1),
    ).values_list("pk", flat=True)[:500]
    count = 0
    for pk in due:
        _enqueue(pk)
        count += 1
    return count
