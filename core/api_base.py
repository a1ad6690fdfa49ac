"""What every API view shares: JSON in and out, the one error shape, scoping to the
requesting user (staff see everything), pagination and the throttles."""

from __future__ import annotations

import io
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework import exceptions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from core.api_errors import api_exception_handler
from core.api_fields import StrictInputSerializer, unknown_field_errors

M = TypeVar("M", bound=Model)

MAX_JSON_DEPTH = 64


def json_depth_exceeds(body: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays/objects nest deeper than `limit` (brackets inside strings do not
    count). Checked before decoding: letting json recurse until RecursionError leaves a
    huge traceback whose clean-up can itself fail."""
    if body.count("[") + body.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for char in body:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class JSONBodyParser(JSONParser):
    """JSON, with nesting too deep answered as a 400 before it is decoded."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(f"JSON parse error - the body is not valid {encoding}.") from exc
        if json_depth_exceeds(text):
            raise exceptions.ParseError(
                f"JSON parse error - the document is nested more than {MAX_JSON_DEPTH} levels deep."
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)


class Pagination(PageNumberPagination):
    """Page numbers as the schema states them: one positive integer, or absent."""

    def get_page_number(self, request, paginator):
        values = request.query_params.getlist(self.page_query_param)
        if not values:
            return 1
        if len(values) > 1 or not values[0].isascii() or not values[0].isdigit():
            raise exceptions.NotFound("Invalid page: give one page number (1, 2, ...).")
        return values[0]


class ApiView(APIView):
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONBodyParser]
    # Set (to Pagination) by each view that calls paginated().
    pagination_class: type[PageNumberPagination]

    def get_exception_handler(self):
        return api_exception_handler

    def paginated(self, queryset: QuerySet, serializer_class: type[serializers.Serializer]) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context={"request": self.request}).data
        return paginator.get_paginated_response(data)

    def valid(self, serializer_class: type[serializers.Serializer], data=None) -> dict:
        """Validated input (request body by default); a 400 in the one error shape otherwise."""
        from_query = data is not None and hasattr(data, "getlist")
        if data is None:
            data = self.request.data
        elif from_query:
            # Query parameters: one value each, and "" is a value (DRF's form handling
            # would read an empty value as "not given").
            repeated = {key: ["Give this parameter once."] for key in data if len(data.getlist(key)) > 1}
            if repeated:
                raise exceptions.ValidationError(repeated)
            data = data.dict()
        serializer = serializer_class(data=data)
        if (
            not from_query
            and not isinstance(serializer, StrictInputSerializer)
            and (unknown := unknown_field_errors(data, serializer.fields))
        ):
            # Every JSON body is strict, even one whose serializer is not (yet) a StrictInputSerializer.
            serializer.is_valid()
            errors: dict[str, Any] = dict(serializer.errors)
            errors.update(unknown)
            raise exceptions.ValidationError(errors)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def finalize_response(self, request, response, *args, **kwargs):
        # A creation throttle counts a request only once it has created something: a
        # refusal (400, 409, 429 over quota) must not use up the client's allowance.
        throttle = getattr(request, "_creation_throttle", None)
        if throttle is not None and 200 <= response.status_code < 300:
            throttle.record()
        return super().finalize_response(request, response, *args, **kwargs)

    def out(self, serializer_class: type[serializers.Serializer], instance, status: int = 200, **kw) -> Response:
        return Response(serializer_class(instance, context={"request": self.request}).data, status=status, **kw)


class IgnoreClientContentNegotiation(BaseContentNegotiation):
    """File endpoints answer with the file's own type whatever the client accepts (a
    player sends `Accept: video/*`); their errors are still JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FileApiView(ApiView):
    content_negotiation_class = IgnoreClientContentNegotiation


def scoped(request: Request, queryset: QuerySet[M], owner_field: str = "owner") -> QuerySet[M]:
    """Only the requesting user's rows; staff see all."""
    if request.user.is_staff:
        return queryset
    return queryset.filter(**{owner_field: request.user})


def get_scoped_or_404(
    request: Request, queryset: QuerySet[M], code: object, what: str, owner_field: str = "owner"
) -> M:
    """The row with this code if the user may see it; otherwise a 404 (never a 403: a
    stranger must not learn that the code exists)."""
    obj = scoped(request, queryset, owner_field).filter(code=code).first()
    if obj is None:
        raise exceptions.NotFound(f"No {what} with this code is yours.")
    return obj


class VideoCreateThrottle(UserRateThrottle):
    """Creations per user: videos, batches, pictures, narrations, scripts (REST_FRAMEWORK
    DEFAULT_THROTTLE_RATES["video_create"]).

    Only successful creations count: `allow_request` checks the history without adding
    to it, and ApiView.finalize_response calls `record()` when the answer is a 2xx."""

    scope = "video_create"
    # Set by SimpleRateThrottle.__init__ from the rate (None without one: allow_request
    # then returns first).
    num_requests: int
    duration: int

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        request._creation_throttle = self  # noqa: SLF001 - read back in ApiView.finalize_response
        return True

    def record(self) -> None:
        """Count one creation now (re-reading the history: other requests may have counted meanwhile)."""
        now = self.timer()
        history = [t for t in self.cache.get(self.key, []) if t > now - self.duration]
        history.insert(0, now)
        self.cache.set(self.key, history, self.duration)


class UploadThrottle(UserRateThrottle):
    """Uploads per user (REST_FRAMEWORK DEFAULT_THROTTLE_RATES["upload"])."""

    scope = "upload"


class JsonOrUploadApi(ApiView):
    """An operation that takes either JSON (naming an existing asset) or a multipart
    upload; only uploads count against the upload throttle."""

    parser_classes = [JSONBodyParser, MultiPartParser]

    @staticmethod
    def is_upload(request) -> bool:
        return (request.content_type or "").startswith("multipart/")

    def get_throttles(self):
        return [UploadThrottle()] if self.is_upload(self.request) else []
