"""API tokens (DRF's TokenAuthentication: one token per user, sent as
`Authorization: Token <key>`). The account page, the API and `manage.py api_token` call
these.

Every API request looks its token up; `api_token_user` answers from this process's memory,
checked against a change stamp (core/change_stamps.py) that saving or deleting the token or
its user bumps, so a rotated token or a deactivated user stops working at once in every
process. Changes made without signals (a queryset `update()` of users) are picked up
within TOKEN_MAX_AGE_S.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from rest_framework.authtoken.models import Token

from core.change_stamps import stamp_bump, stamp_read

# Backstop for changes that bypass the signals; a cached user is re-read this often.
TOKEN_MAX_AGE_S = 60.0
# A process keeps at most this many tokens (dropped all at once when full: a refill is one query).
_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class TokenUser:
    """Who a token belongs to, as the auth checks need it."""

    user_id: int
    is_staff: bool
    is_active: bool
    user: object  # the User row as read; hand out copies (`user_copy`), never this one

    def user_copy(self):
        return copy.copy(self.user)


@dataclass(frozen=True)
class _Entry:
    stamp: int
    at: float
    token_user: TokenUser


_entries: dict[str, _Entry] = {}


def _stamp_key(key: str) -> str:
    return f"token:{key}"


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


def api_token_user(*, key: str) -> TokenUser | None:
    """The user this token key belongs to (active or not), or None for an unknown key."""
    stamp = stamp_read(_stamp_key(key))
    entry = _entries.get(key)
    if entry is not None and entry.stamp == stamp and time.monotonic() - entry.at < TOKEN_MAX_AGE_S:
        return entry.token_user
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None:
        # Unknown keys are not remembered: guessing must not fill memory.
        _entries.pop(key, None)
        return None
    user = token.user
    found = TokenUser(user_id=user.pk, is_staff=user.is_staff, is_active=user.is_active, user=user)
    if len(_entries) >= _MAX_ENTRIES:
        _entries.clear()
    _entries[key] = _Entry(stamp=stamp, at=time.monotonic(), token_user=found)
    return found


def _token_changed(sender, instance, **kwargs) -> None:
    stamp_bump(_stamp_key(instance.key))


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every login saves this; it changes nothing a token check reads
    for key in Token.objects.filter(user_id=instance.pk).values_list("key", flat=True):
        stamp_bump(_stamp_key(key))


def connect_token_signals() -> None:
    """Called once from CoreConfig.ready."""
    post_save.connect(_token_changed, sender=Token, dispatch_uid="core.api_tokens.token_saved")
    post_delete.connect(_token_changed, sender=Token, dispatch_uid="core.api_tokens.token_deleted")
    user_model = get_user_model()
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="core.api_tokens.user_saved")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="core.api_tokens.user_deleted")
