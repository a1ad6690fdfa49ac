"""API tokens (DRF's TokenAuthentication: one token per user, sent as
`Authorization: Token <key>`). The account page, the API and `manage.py api_token` call
these."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token


def api_token_get(*, user) -> Token | None:
    return Token.objects.filter(user=user).first()


def api_token_create(*, user) -> Token:
    """The user's token, made if they have none."""
    token, _ = Token.objects.get_or_create(user=user)
    return token


def api_token_rotate(*, user) -> Token:
    """A new token; the old one stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)
