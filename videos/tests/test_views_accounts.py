"""Account pages: sign up, log in, log out, change password; everything else needs a login."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from core.testing import create_cache_table

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _cache_table(db):
    # The login and signup rate limits count in the shared cache.
    create_cache_table()


def test_the_signup_page_asks_for_a_username_and_a_password_twice(client):
    response = client.get(reverse("accounts-signup"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password1"' in html and 'name="password2"' in html


def test_signing_up_creates_the_account_and_logs_in(client):
    response = client.post(
        reverse("accounts-signup"),
        {"username": "nora", "password1": "a-long-pass-phrase-7", "password2": "a-long-pass-phrase-7"},
    )

    assert response.status_code == 302
    assert response.url == reverse("videos-library")
    assert User.objects.filter(username="nora").exists()
    library = client.get(reverse("videos-library"))
    assert library.status_code == 200
    assert "nora" in library.content.decode()


def test_signup_with_mismatched_passwords_shows_the_message_and_creates_nobody(client):
    response = client.post(
        reverse("accounts-signup"),
        {"username": "nora", "password1": "a-long-pass-phrase-7", "password2": "something-else-8"},
    )

    assert response.status_code == 400
    assert "The two password fields didn’t match." in response.content.decode()
    assert not User.objects.filter(username="nora").exists()


def test_signup_refuses_a_taken_username(client, owner):
    response = client.post(
        reverse("accounts-signup"),
        {"username": owner.username, "password1": "a-long-pass-phrase-7", "password2": "a-long-pass-phrase-7"},
    )

    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert User.objects.filter(username=owner.username).count() == 1


def test_logging_in_with_the_right_password_opens_the_library(client, owner):
    response = client.post(reverse("login"), {"username": "olive", "password": "olive-password-1"})

    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_logging_in_with_a_wrong_password_says_so(client, owner):
    response = client.post(reverse("login"), {"username": "olive", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/").status_code == 302


def test_logging_out_ends_the_session(client, owner):
    client.force_login(owner)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_changing_the_password_makes_the_new_one_work(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "olive-password-1",
            "new_password1": "a-brand-new-phrase-9",
            "new_password2": "a-brand-new-phrase-9",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-phrase-9")


def test_changing_the_password_needs_the_old_one(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "a-brand-new-phrase-9", "new_password2": "a-brand-new-phrase-9"},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("olive-password-1")


# "/" (the library) sends a stranger to the welcome page instead: contentizer_site/tests/test_landing.py.
@pytest.mark.parametrize("name", ["videos-new", "password_change"])
def test_pages_send_anonymous_visitors_to_the_login_page(client, name):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_signup_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("accounts-signup"),
        {"username": "nora", "password1": "a-long-pass-phrase-7", "password2": "a-long-pass-phrase-7"},
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="nora").exists()
