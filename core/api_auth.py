"""TokenAuthentication that answers from core.api_tokens' per-process cache instead of
one query per request; same header, same errors."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from core.api_tokens import api_token_user


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        found = api_token_user(key=key)
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not found.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        user = found.user_copy()
        return user, Token(key=key, user=user)
