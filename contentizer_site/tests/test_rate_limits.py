"""Rate limits on the account forms: failed logins per account and per client address,
accounts created per client address; a friendly message with 429 when over."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from core.ratelimit import FormThrottle
from core.testing import create_cache_table

User = get_user_model()


@pytest.fixture(autouse=True)
def _limits(db, settings):
    create_cache_table()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_account": "3/hour",
            "login_address": "5/hour",
            "signup_address": "2/hour",
        },
    }


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock (DRF's `timer`), moved by hand."""
    now = [time.time()]
    monkeypatch.setattr(FormThrottle, "timer", lambda self: now[0])
    return now


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def from_address(address: str, **extra) -> Client:
    return Client(REMOTE_ADDR=address, **extra)


def test_after_too_many_wrong_passwords_even_the_right_one_is_refused_with_429(owner):
    client = from_address("203.0.113.10")
    for _ in range(3):
        assert log_in(client, "olive", "wrong").status_code == 200

    response = log_in(client, "olive", "olive-password-1")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 3000  # the window is an hour
    assert "Too many failed log-in attempts. Please wait 60 minutes and try again." in response.content.decode()
    assert client.get("/").status_code == 302  # not logged in


def test_the_account_limit_holds_across_client_addresses(owner):
    for n in range(3):
        log_in(from_address(f"198.51.100.{n + 1}"), "olive", "wrong")
    assert log_in(from_address("198.51.100.99"), "OLIVE", "olive-password-1").status_code == 429


def test_the_address_limit_holds_across_accounts(owner, stranger):
    attacker = from_address("203.0.113.20")
    for name in ("a", "b", "c", "d", "e"):
        log_in(attacker, name, "guess")
    assert log_in(attacker, "sam", "sam-password-1").status_code == 429
    # Someone else, elsewhere, is not affected.
    assert log_in(from_address("203.0.113.21"), "sam", "sam-password-1").status_code == 302


def test_successful_logins_are_not_counted(owner):
    client = from_address("203.0.113.30")
    for _ in range(6):
        assert log_in(client, "olive", "olive-password-1").status_code == 302
        client.post(reverse("logout"))


def test_a_forged_forwarded_for_header_does_not_reset_the_address_limit(owner):
    for n in range(5):
        log_in(from_address("203.0.113.40", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}"), f"user{n}", "guess")
    spoofed = from_address("203.0.113.40", HTTP_X_FORWARDED_FOR="10.9.9.200")
    assert log_in(spoofed, "olive", "olive-password-1").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(owner, settings):
    settings.CONTENTIZER_NUM_PROXIES = 1
    proxy = "10.0.0.2"
    for n in range(5):
        log_in(from_address(proxy, HTTP_X_FORWARDED_FOR="203.0.113.50"), f"user{n}", "guess")
    assert (
        log_in(from_address(proxy, HTTP_X_FORWARDED_FOR="203.0.113.50"), "olive", "olive-password-1").status_code == 429
    )
    assert (
        log_in(from_address(proxy, HTTP_X_FORWARDED_FOR="203.0.113.51"), "olive", "olive-password-1").status_code == 302
    )


def test_the_limit_lifts_when_the_window_has_passed(owner, clock):
    client = from_address("203.0.113.60")
    for _ in range(3):
        log_in(client, "olive", "wrong")
    assert log_in(client, "olive", "olive-password-1").status_code == 429
    clock[0] += 3601
    assert log_in(client, "olive", "olive-password-1").status_code == 302


def sign_up(client: Client, username: str):
    return client.post(
        reverse("accounts-signup"),
        {"username": username, "password1": "a-long-pass-phrase-7", "password2": "a-long-pass-phrase-7"},
    )


def test_signups_per_client_address_are_limited_with_a_message_and_429():
    for name in ("nora", "nils"):
        assert sign_up(from_address("203.0.113.70"), name).status_code == 302

    response = sign_up(from_address("203.0.113.70"), "nina")

    assert response.status_code == 429
    assert "Too many accounts were created from your network. Please wait 60 minutes." in response.content.decode()
    assert not User.objects.filter(username="nina").exists()
    assert sign_up(from_address("203.0.113.71"), "nina").status_code == 302


def test_a_refused_signup_form_does_not_count(db):
    client = from_address("203.0.113.80")
    for _ in range(4):
        bad = client.post(reverse("accounts-signup"), {"username": "x", "password1": "a", "password2": "b"})
        assert bad.status_code == 400
    assert sign_up(client, "nora").status_code == 302
