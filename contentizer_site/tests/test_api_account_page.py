"""The account page where a creator makes or replaces an API token and manages webhooks."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from jobs.models import WebhookSettings

URL = "/api/account/"


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


def test_it_needs_a_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_offers_to_create_a_token_when_there_is_none(logged_in):
    response = logged_in.get(URL)
    assert response.status_code == 200
    assert b'value="create_token"' in response.content
    assert b"You have no token yet" in response.content


def test_creating_a_token_shows_it_in_full_once(logged_in, owner):
    response = logged_in.post(URL, {"action": "create_token"})
    key = Token.objects.get(user=owner).key
    assert key.encode() in response.content
    later = logged_in.get(URL)
    assert key.encode() not in later.content
    assert key[:6].encode() in later.content  # a hint, not the key


def test_replacing_the_token_invalidates_the_old_one(logged_in, owner):
    old = Token.objects.create(user=owner).key
    response = logged_in.post(URL, {"action": "rotate_token"})
    new = Token.objects.get(user=owner).key
    assert new != old
    assert new.encode() in response.content


def test_the_secret_is_shown_and_can_be_replaced(logged_in, owner):
    page = logged_in.get(URL)
    secret = WebhookSettings.objects.get(owner=owner).secret
    assert secret.encode() in page.content
    logged_in.post(URL, {"action": "rotate_secret"})
    assert WebhookSettings.objects.get(owner=owner).secret != secret


def test_the_default_callback_url_is_saved(logged_in, owner):
    response = logged_in.post(URL, {"action": "save_callback", "callback_url": "https://example.com/hook"})
    assert response.status_code == 200
    assert WebhookSettings.objects.get(owner=owner).callback_url == "https://example.com/hook"


def test_a_bad_callback_url_is_refused_with_a_message(logged_in, owner):
    response = logged_in.post(URL, {"action": "save_callback", "callback_url": "ftp://example.com/hook"})
    assert response.status_code == 400
    assert b"must be an http:// or https:// URL" in response.content
    assert WebhookSettings.objects.get(owner=owner).callback_url == ""


def test_a_post_without_the_csrf_token_is_refused(owner, db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(URL, {"action": "create_token"}).status_code == 403
    assert not Token.objects.filter(user=owner).exists()
