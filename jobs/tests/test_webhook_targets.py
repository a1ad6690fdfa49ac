"""Webhook targets must be public: refused when saved (account default, a video's own
callback), and checked again and pinned when sent."""

from __future__ import annotations

import pytest

from core import netguard
from core.testing import WebhookReceiver, assert_error, create_cache_table, token_client
from jobs.models import WebhookAttempt, WebhookDelivery
from jobs.webhooks import webhook_deliver, webhook_settings_update
from videos.models import Video


@pytest.fixture(autouse=True)
def _production_rules(db, settings):
    create_cache_table()
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def receiver():
    server = WebhookReceiver([200])
    yield server
    server.close()


@pytest.fixture
def fake_dns(monkeypatch):
    """The resolver boundary: host -> addresses, changeable during the test."""
    table: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(-2, "Name or service not known")
        return table[host]

    monkeypatch.setattr(netguard, "system_resolver", resolve)
    return table


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address."),
        ("http://127.0.0.1:8000/hook", "127.0.0.1 is a loopback address."),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address."),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address."),
        ("http://2130706433/", "2130706433 is an IP address in an unusual spelling"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is a cloud metadata host."),
    ],
)
def test_the_api_refuses_an_internal_account_callback_with_a_clear_message(owner, url, message):
    response = token_client(owner).patch("/api/v1/account/webhook", {"callback_url": url}, format="json")
    body = assert_error(response, 400, "invalid")
    assert message in str(body["details"]["callback_url"])
    assert "Webhook URLs must point at a public internet address" in str(body["details"]["callback_url"])


def test_the_api_refuses_a_video_callback_on_a_private_address(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(owner).post(
            "/api/v1/videos",
            {"title": "T", "script": "One scene. Two scenes.", "callback_url": "http://10.0.0.5/hook"},
            format="json",
        )
    body = assert_error(response, 400, "invalid")
    assert "Webhook URLs must point at a public internet address; 10.0.0.5 is a private address." in str(
        body["details"]["callback_url"]
    )
    assert not Video.objects.exists()


def test_a_name_that_resolves_to_a_private_address_is_refused_when_saved(owner, fake_dns):
    fake_dns["hooks.example.com"] = ["93.184.216.34", "10.0.0.5"]  # one bad record is enough
    response = token_client(owner).patch(
        "/api/v1/account/webhook", {"callback_url": "https://hooks.example.com/in"}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert "hooks.example.com resolves to 10.0.0.5, a private address." in str(body["details"]["callback_url"])


def test_a_target_that_turned_internal_is_refused_when_sent_and_never_contacted(owner, receiver, settings):
    # Saved while private targets were allowed (or before the DNS changed) ...
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True
    webhook_settings_update(user=owner, callback_url=receiver.url)
    delivery = WebhookDelivery.objects.create(
        owner=owner, event_id="msg_internal", event_type="job.succeeded", url=receiver.url, payload="{}"
    )
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = False

    assert webhook_deliver(delivery_id=delivery.pk) == "retry scheduled"

    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert "127.0.0.1 is a loopback address" in attempt.error
    assert receiver.requests == []


def test_dns_rebinding_after_the_save_is_caught_when_sending(owner, receiver, fake_dns, settings):
    port = receiver.server.server_address[1]
    url = f"http://hooks.example.com:{port}/hooks/contentizer"
    fake_dns["hooks.example.com"] = ["93.184.216.34"]
    webhook_settings_update(user=owner, callback_url=url)  # public when saved
    delivery = WebhookDelivery.objects.create(
        owner=owner, event_id="msg_rebind", event_type="job.succeeded", url=url, payload="{}"
    )
    fake_dns["hooks.example.com"] = ["127.0.0.1"]  # ... and loopback when sent

    webhook_deliver(delivery_id=delivery.pk)

    assert "hooks.example.com resolves to 127.0.0.1, a loopback address" in WebhookAttempt.objects.get().error
    assert receiver.requests == []


def test_the_post_goes_to_the_checked_address_with_the_original_host(owner, receiver, fake_dns, settings):
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True
    port = receiver.server.server_address[1]
    url = f"http://hooks.example.test:{port}/hooks/contentizer"
    fake_dns["hooks.example.test"] = ["127.0.0.1"]
    delivery = WebhookDelivery.objects.create(
        owner=owner, event_id="msg_pinned", event_type="job.succeeded", url=url, payload='{"ok":true}'
    )

    assert webhook_deliver(delivery_id=delivery.pk) == "delivered"

    (request,) = receiver.requests
    assert request["headers"]["host"] == f"hooks.example.test:{port}"
    assert request["body"] == b'{"ok":true}'
    assert request["headers"]["webhook-id"] == "msg_pinned"
