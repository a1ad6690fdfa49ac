"""The admin login refuses like the site login: the same counters (per account, per client
address) and the same 429 after the same number of failures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.testing import create_cache_table


@pytest.fixture(autouse=True)
def _limits(db, settings):
    create_cache_table()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_account": "3/hour",
            "login_address": "5/hour",
        },
    }


def admin_log_in(client: Client, username: str, password: str):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": reverse("admin:index")}
    )


def site_log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_after_too_many_wrong_passwords_the_admin_refuses_even_the_right_one_with_429(staff):
    client = from_address("203.0.113.110")
    for _ in range(3):
        assert admin_log_in(client, "stella", "wrong").status_code == 200

    response = admin_log_in(client, "stella", "stella-password-1")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 3000
    assert "Too many failed log-in attempts. Please wait 60 minutes and try again." in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302  # still not logged in


def test_the_right_password_logs_in_to_the_admin_under_the_limit(staff):
    client = from_address("203.0.113.111")
    admin_log_in(client, "stella", "wrong")
    assert admin_log_in(client, "stella", "stella-password-1").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_failures_on_the_site_login_count_against_the_admin_login(staff):
    for _ in range(3):
        site_log_in(from_address("203.0.113.112"), "stella", "wrong")
    assert admin_log_in(from_address("198.51.100.112"), "stella", "stella-password-1").status_code == 429


def test_failures_on_the_admin_login_count_against_the_site_login(staff):
    for _ in range(3):
        admin_log_in(from_address("203.0.113.113"), "stella", "wrong")
    assert site_log_in(from_address("198.51.100.113"), "stella", "stella-password-1").status_code == 429


def test_the_address_limit_covers_both_logins(staff, owner):
    attacker = from_address("203.0.113.114")
    for name in ("a", "b", "c"):
        admin_log_in(attacker, name, "guess")
    for name in ("d", "e"):
        site_log_in(attacker, name, "guess")
    assert admin_log_in(attacker, "stella", "stella-password-1").status_code == 429
