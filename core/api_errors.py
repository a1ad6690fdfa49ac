"""One error shape for the whole API: `{"code", "message", "details"}`.

`code` is a stable machine-readable word (`invalid`, `not_authenticated`, `not_found`,
`conflict`, `throttled`, ...), `message` a sentence for a person, `details` maps a field
name to its messages (empty when the error is not about fields). Every error the API can
answer goes through `api_exception_handler`, including the domain's own exceptions
(Django's ValidationError and PermissionDenied, `core.errors.Conflict` and its kinds), and unknown
URLs under /api/ answer the same shape through `api_not_found`.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict, QuotaExceeded
from core.health import unavailable_dependency

logger = logging.getLogger(__name__)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField(help_text="Machine-readable error code, e.g. `invalid`, `not_found`, `conflict`.")
    message = serializers.CharField(help_text="What went wrong, in a sentence.")
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages (field name -> list of messages); empty when not about fields.",
    )


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The current state does not allow this."
    default_code = "conflict"


class QuotaExceededError(exceptions.APIException):
    """Over quota: a refusal, not a failure. `wait` becomes Retry-After when the quota
    resets with time (videos per day, render minutes per month)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "You have used up your quota."
    default_code = "quota_exceeded"

    def __init__(self, detail: str | None = None, wait: int | None = None) -> None:
        super().__init__(detail=detail)
        self.wait = wait


class UpstreamError(exceptions.APIException):
    """A provider we depend on (e.g. Replicate) failed; nothing was made."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "A service this depends on failed; try again later."
    default_code = "upstream_error"


OUTAGE_RETRY_AFTER_SECONDS = 30


def outage_body() -> dict:
    """What an API client is told while the database or Redis is not answering: no
    server names, addresses or paths, only that it should retry."""
    return error_body(
        "service_unavailable", "The service is briefly unavailable (a dependency is not answering); try again shortly."
    )


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


ERROR_DESCRIPTIONS = {
    400: "Invalid input: `details` names each field and what is wrong with it.",
    401: "No credentials, or invalid ones. Send `Authorization: Token <key>`.",
    403: "Authenticated, but not allowed (e.g. rendering an unapproved storyboard, or not staff).",
    404: "Not found, or not yours.",
    409: "The current state does not allow this (e.g. the storyboard is still being made).",
    413: "The request body is too large.",
    415: "Unsupported media type: send `application/json` (or multipart for uploads).",
    416: "The requested byte range is outside the file (`code` is `range_not_satisfiable`; `Content-Range` "
    "gives the size).",
    503: "The service is briefly unavailable (`code` is `service_unavailable`: the database or Redis is not "
    "answering); retry after `Retry-After` seconds.",
    502: "A provider this depends on (e.g. Replicate) failed (`code` is `upstream_error`); try again later.",
    429: "Too many requests (throttled), or over quota (`code` is `quota_exceeded`); retry after the number "
    "of seconds in `Retry-After` when it is present.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can answer. An operation that
    takes a body (415) can also be sent one that is too large (413)."""
    if 415 in codes:
        codes = (*codes, 413)
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"code": code, "message": message, "details": details or {}}


def _translate(exc: Exception) -> Exception:
    """Domain exceptions -> the DRF exception with the same meaning (and message)."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(detail=exc.message_dict)
        return exceptions.ValidationError(detail={"non_field_errors": exc.messages})
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(detail=str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound(detail=str(exc) or None)
    if isinstance(exc, QuotaExceeded):
        return QuotaExceededError(detail=str(exc) or None, wait=exc.retry_after_seconds or None)
    if isinstance(exc, Conflict):
        return ConflictError(detail=str(exc) or None)
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, SuspiciousOperation):
        # e.g. too many form fields or files: the request is malformed, not our failure
        return exceptions.ParseError(detail=str(exc) or None)
    return exc


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail -> {"field" or "field.0.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _validation_message(details: dict[str, list[str]]) -> str:
    if set(details) == {"non_field_errors"}:
        return details["non_field_errors"][0]
    if len(details) == 1:
        field, messages = next(iter(details.items()))
        return f"{field}: {messages[0]}"
    return "Some fields are not valid: " + ", ".join(sorted(details)) + "."


def api_exception_handler(exc: Exception, context: dict) -> Response:
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None and (dependency := unavailable_dependency(exc)):
        logger.warning("API request refused while the %s is unavailable: %s", dependency, exc)
        response = Response(outage_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response["Retry-After"] = str(OUTAGE_RETRY_AFTER_SECONDS)
        return response
    if response is None:
        # A bug, not the client's fault: log it and still answer in the one shape.
        logger.exception("unhandled API error", exc_info=exc)
        return Response(
            error_body("server_error", "Something went wrong on our side; the team has the details in the logs."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        details = _flatten(exc.detail)
        response.data = error_body("invalid", _validation_message(details), details)
        return response
    detail = getattr(exc, "detail", "")
    if isinstance(detail, (dict, list)):
        details = _flatten(detail)
        message = next(iter(details.values()))[0] if details else str(exc)
    else:
        details, message = {}, str(detail)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    response.data = error_body(code, message, details)
    return response


@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any /api/ URL that names no endpoint (or an id that is not a UUID)."""
    return JsonResponse(error_body("not_found", "There is no API endpoint at this URL."), status=404)
