"""API access for a creator: the account page (token, webhook URL and signing secret) and
the API's own token rotation endpoint."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from core.api_base import ApiView
from core.api_errors import error_responses
from core.api_tokens import api_token_create, api_token_get, api_token_rotate
from jobs.webhooks import webhook_secret_rotate, webhook_settings_get, webhook_settings_update

ACTIONS = {"create_token", "rotate_token", "rotate_secret", "save_callback"}


@login_required
@require_http_methods(["GET", "POST"])
def api_account(request: HttpRequest) -> HttpResponse:
    """GET shows the page; POST does one action and shows the page again. A new token is
    shown in full only in the answer to the POST that made it."""
    new_token = None
    callback_error = None
    done = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            status = 400
            done = "Unknown action."
        elif action == "create_token":
            new_token = api_token_create(user=request.user).key
            done = "Your API token is ready. Copy it now."
        elif action == "rotate_token":
            new_token = api_token_rotate(user=request.user).key
            done = "Your API token was replaced; the old one no longer works. Copy the new one now."
        elif action == "rotate_secret":
            webhook_secret_rotate(user=request.user)
            done = "Your webhook signing secret was replaced."
        else:
            try:
                webhook_settings_update(user=request.user, callback_url=request.POST.get("callback_url", ""))
                done = "Your default callback URL was saved."
            except ValidationError as exc:
                callback_error = exc.message_dict["callback_url"][0]
                status = 400
    token = api_token_get(user=request.user)
    context = {
        "token": token,
        "token_hint": f"{token.key[:6]}…{token.key[-4:]}" if token else "",
        "new_token": new_token,
        "webhook": webhook_settings_get(user=request.user),
        "callback_error": callback_error,
        "callback_value": request.POST.get("callback_url") if callback_error else None,
        "done": done,
        "nav": "api",
    }
    return render(request, "accounts/api.html", context, status=status)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`")


class AccountTokenRotateApi(ApiView):
    @extend_schema(
        tags=["account"],
        summary="Rotate your API token",
        description="Answers with a new token; the one used for this request stops working at once.",
        request=None,
        responses={200: TokenSerializer, **error_responses(401, 403)},
    )
    def post(self, request):
        return self.out(TokenSerializer, {"token": api_token_rotate(user=request.user).key})
