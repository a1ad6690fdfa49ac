"""Token lookups come from memory (no query once read) and stop working at once when the
token is rotated or its user deactivated; the API answers them with the usual 401."""

from __future__ import annotations

import pytest

from core.api_tokens import api_token_create, api_token_rotate, api_token_user
from core.testing import assert_error

pytestmark = pytest.mark.usefixtures("cache_table")


def test_a_known_token_is_answered_without_a_query(owner, django_assert_num_queries):
    key = api_token_create(user=owner).key
    assert api_token_user(key=key).user_id == owner.pk
    with django_assert_num_queries(0):
        found = api_token_user(key=key)
    assert (found.user_id, found.is_active, found.is_staff) == (owner.pk, True, False)
    assert found.user_copy() is not found.user_copy()  # each request gets its own


def test_rotation_drops_the_old_key_at_once(owner):
    old = api_token_create(user=owner).key
    assert api_token_user(key=old) is not None
    new = api_token_rotate(user=owner).key
    assert api_token_user(key=old) is None
    assert api_token_user(key=new).user_id == owner.pk


def test_the_api_refuses_a_rotated_token_and_a_deactivated_user(owner, client):
    old = api_token_create(user=owner).key
    assert client.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Token {old}").status_code == 200
    new = api_token_rotate(user=owner).key
    assert_error(client.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Token {old}"), 401)
    assert client.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Token {new}").status_code == 200

    owner.is_active = False
    owner.save()
    assert_error(client.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Token {new}"), 401)


def test_a_login_does_not_drop_the_cached_token(owner, client, django_assert_num_queries):
    key = api_token_create(user=owner).key
    api_token_user(key=key)
    client.force_login(owner)  # saves last_login only
    with django_assert_num_queries(0):
        assert api_token_user(key=key) is not None
