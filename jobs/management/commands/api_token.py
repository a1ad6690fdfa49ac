"""Print a user's API token, making it if they have none; --rotate replaces it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.api_tokens import api_token_create, api_token_rotate


class Command(BaseCommand):
    help = "Print USERNAME's API token (made if missing). --rotate replaces it; the old one stops working."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Replace the token with a new one")

    def handle(self, *args, **opts) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: opts["username"]})
        except User.DoesNotExist as exc:
            raise CommandError(f"No user called {opts['username']!r}.") from exc
        token = api_token_rotate(user=user) if opts["rotate"] else api_token_create(user=user)
        self.stdout.write(token.key)
