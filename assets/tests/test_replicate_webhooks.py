"""Webhooks from Replicate at /hooks/replicate, sent by the fake Replicate to the live
app: they complete predictions (no polling needed), are verified by signature and
timestamp, and are processed once per webhook-id."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from assets.models import ReplicatePrediction, ReplicateWebhookEvent
from assets.tests.fake_replicate import WEBHOOK_SECRET, sign

SCRIPT = (
    "The old lighthouse keeper climbs the long spiral stairs slowly every single evening at dusk. "
    "Far below the tower, heavy grey waves break against the sharp black rocks of the harbour."
)
FLUX = "black-forest-labs/flux-schnell"


@pytest.fixture
def hooks(settings, live_server, fake_replicate):
    """Webhooks on: our public URL is the live server's, with the shared signing secret."""
    settings.CONTENTIZER_PUBLIC_URL = live_server.url
    settings.REPLICATE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return f"{live_server.url}{reverse('assets-replicate-webhook')}"


def _prediction(prediction_id: str = "abc123", status: str = "succeeded") -> dict:
    return {
        "id": prediction_id,
        "model": FLUX,
        "version": "hash",
        "status": status,
        "input": {"prompt": "sea"},
        "output": ["https://replicate.delivery/abc/out.webp"] if status == "succeeded" else None,
        "error": None,
        "logs": "",
        "metrics": {"predict_time": 0.4},
    }


def _pending(prediction_id: str = "abc123") -> ReplicatePrediction:
    return ReplicatePrediction.objects.create(prediction_id=prediction_id, model=FLUX, status="processing")


@pytest.mark.django_db(transaction=True)
def test_webhooks_complete_the_pictures_without_any_polling(owner, make_video, fake_replicate, hooks, settings):
    settings.REPLICATE_POLL_INTERVAL_MS = 60_000  # a poll would come far too late: only webhooks can finish

    video = make_video(owner, script=SCRIPT, visuals="replicate")

    scenes = list(video.scenes.select_related("picture"))
    assert [s.picture.generator for s in scenes] == [f"replicate:{FLUX}"] * 2
    creations = fake_replicate.creations()
    assert {c["json"]["webhook"] for c in creations} == {hooks}
    assert {tuple(c["json"]["webhook_events_filter"]) for c in creations} == {("completed",)}
    assert fake_replicate.calls("GET", "/v1/predictions/") == []
    assert [status for _, status in fake_replicate.webhook_responses] == [200, 200]
    assert ReplicateWebhookEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(fake_replicate, hooks):
    row = _pending()

    assert fake_replicate.send_webhook(hooks, _prediction(), mode="bad_signature") == [403]

    row.refresh_from_db()
    assert (row.status, row.output_url) == ("processing", "")
    assert not ReplicateWebhookEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_webhook_with_a_stale_timestamp_is_refused(fake_replicate, hooks):
    row = _pending()

    assert fake_replicate.send_webhook(hooks, _prediction(), mode="stale") == [403]

    row.refresh_from_db()
    assert row.status == "processing"
    assert not ReplicateWebhookEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_replayed_webhook_is_acknowledged_and_processed_once(fake_replicate, hooks):
    row = _pending()

    assert fake_replicate.send_webhook(hooks, _prediction(), mode="replay") == [200, 200]

    row.refresh_from_db()
    assert (row.status, row.output_url) == ("succeeded", "https://replicate.delivery/abc/out.webp")
    assert ReplicateWebhookEvent.objects.count() == 1
    # The worker has stored the output meanwhile; Replicate retries the same webhook.
    ReplicatePrediction.objects.filter(pk=row.pk).update(status="stored")
    assert fake_replicate.send_webhook(hooks, _prediction(), webhook_id="msg_abc123") == [200]
    row.refresh_from_db()
    assert row.status == "stored"
    assert ReplicateWebhookEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_webhook_never_undoes_a_finished_prediction(fake_replicate, hooks):
    row = _pending()
    ReplicatePrediction.objects.filter(pk=row.pk).update(status="timed_out")

    assert fake_replicate.send_webhook(hooks, _prediction(), webhook_id="msg_late") == [200]

    row.refresh_from_db()
    assert row.status == "timed_out"


# --- the endpoint directly -----------------------------------------------------------------


def _headers(body: str, webhook_id: str = "msg_1", secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    import time

    timestamp = str(int(time.time()))
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
    }


@pytest.mark.django_db
def test_a_webhook_without_its_headers_is_a_400(client, settings):
    settings.REPLICATE_WEBHOOK_SECRET = WEBHOOK_SECRET
    response = client.post("/hooks/replicate", json.dumps(_prediction()), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["status"] == "refused"


@pytest.mark.django_db
def test_a_signed_webhook_for_an_unknown_prediction_is_recorded_for_the_scene_that_will_ask(client, settings):
    settings.REPLICATE_WEBHOOK_SECRET = WEBHOOK_SECRET
    body = json.dumps(_prediction("early1"))

    response = client.post("/hooks/replicate", body, content_type="application/json", headers=_headers(body))

    assert (response.status_code, response.json()) == (200, {"status": "processed"})
    row = ReplicatePrediction.objects.get(prediction_id="early1")
    assert (row.status, row.model) == ("succeeded", FLUX)


@pytest.mark.django_db
def test_webhooks_are_refused_when_no_secret_is_configured(client, settings):
    settings.REPLICATE_WEBHOOK_SECRET = ""
    body = json.dumps(_prediction())
    response = client.post("/hooks/replicate", body, content_type="application/json", headers=_headers(body))
    assert response.status_code == 503
    assert not ReplicateWebhookEvent.objects.exists()


@pytest.mark.django_db
def test_the_webhook_endpoint_takes_only_post(client):
    assert client.get("/hooks/replicate").status_code == 405
