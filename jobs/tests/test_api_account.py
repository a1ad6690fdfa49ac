"""API tokens (API rotation, management command) and webhook settings over the API."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.testing import assert_error, token_client

pytestmark = pytest.mark.usefixtures("cache_table")


def test_rotating_the_token_answers_a_new_one_and_the_old_one_stops_working(owner):
    api = token_client(owner)
    old = Token.objects.get(user=owner).key
    response = api.post("/api/v1/account/token/rotate")
    assert response.status_code == 200
    new = response.json()["token"]
    assert new != old and len(new) == 40
    assert_error(api.get("/api/v1/videos"), 401, "authentication_failed")
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert fresh.get("/api/v1/videos").status_code == 200


def test_the_command_prints_a_users_token_and_keeps_it(owner):
    out = io.StringIO()
    call_command("api_token", "olive", stdout=out)
    key = out.getvalue().strip()
    assert key == Token.objects.get(user=owner).key
    again = io.StringIO()
    call_command("api_token", "olive", stdout=again)
    assert again.getvalue().strip() == key


def test_the_command_rotates_a_token(owner):
    old = Token.objects.create(user=owner).key
    out = io.StringIO()
    call_command("api_token", "olive", "--rotate", stdout=out)
    assert out.getvalue().strip() != old
    assert Token.objects.get(user=owner).key == out.getvalue().strip()


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("api_token", "nobody")


def test_webhook_settings_show_a_standard_webhooks_secret(owner):
    body = token_client(owner).get("/api/v1/account/webhook").json()
    assert body["callback_url"] == ""
    assert body["secret"].startswith("whsec_")
    assert set(body) == {"callback_url", "secret", "secret_rotated_at"}


def test_the_default_callback_url_is_set(owner):
    api = token_client(owner)
    response = api.patch("/api/v1/account/webhook", {"callback_url": "https://example.com/hooks"}, format="json")
    assert response.status_code == 200
    assert api.get("/api/v1/account/webhook").json()["callback_url"] == "https://example.com/hooks"


def test_a_patch_without_the_callback_url_changes_nothing(owner):
    # The schema's PATCH body has no required field: an empty one is valid, and a no-op.
    api = token_client(owner)
    api.patch("/api/v1/account/webhook", {"callback_url": "https://example.com/hooks"}, format="json")
    response = api.patch("/api/v1/account/webhook", {}, format="json")
    assert response.status_code == 200
    assert response.json()["callback_url"] == "https://example.com/hooks"


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "https://", "not a url"])
def test_a_callback_url_must_be_http_or_https_with_a_host(owner, url):
    body = assert_error(
        token_client(owner).patch("/api/v1/account/webhook", {"callback_url": url}, format="json"), 400, "invalid"
    )
    assert "callback_url" in body["details"]


def test_rotating_the_secret_changes_it(owner):
    api = token_client(owner)
    old = api.get("/api/v1/account/webhook").json()["secret"]
    body = api.post("/api/v1/account/webhook/rotate-secret").json()
    assert body["secret"].startswith("whsec_") and body["secret"] != old
    assert api.get("/api/v1/account/webhook").json()["secret"] == body["secret"]


def test_each_user_has_their_own_secret(owner, stranger):
    mine = token_client(owner).get("/api/v1/account/webhook").json()["secret"]
    theirs = token_client(stranger).get("/api/v1/account/webhook").json()["secret"]
    assert mine != theirs
